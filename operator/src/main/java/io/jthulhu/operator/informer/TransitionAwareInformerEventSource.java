package io.jthulhu.operator.informer;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.processing.event.Event;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.util.HashSet;
import java.util.Set;

/**
 * An informer event source that, on update, also triggers the primaries the <em>old</em> version
 * mapped to. JOSDK maps only the new version, so a pod moving from node A to node B, or a plan
 * dropping its last entry of policy P, would otherwise leave A (or P) stale.
 */
public class TransitionAwareInformerEventSource<R extends HasMetadata, P extends HasMetadata>
    extends InformerEventSource<R, P> {

  public TransitionAwareInformerEventSource(InformerEventSourceConfiguration<R> configuration, EventSourceContext<P> context) {
    super(configuration, context);
  }

  @Override
  public void onUpdate(R oldObject, R newObject) {
    super.onUpdate(oldObject, newObject);
    var mapper = configuration().getSecondaryToPrimaryMapper();
    Set<ResourceID> stale = new HashSet<>(mapper.toPrimaryResourceIDs(oldObject));
    stale.removeAll(mapper.toPrimaryResourceIDs(newObject));
    if (!stale.isEmpty() && getEventHandler() != null) {
      stale.forEach(id -> getEventHandler().handleEvent(new Event(id)));
    }
  }
}
