package io.jthulhu.operator.plan;

import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.health.InformerHealthIndicator;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.filter.OnUpdateFilter;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.jthulhu.crd.NodeSchedulingPlan;
import io.jthulhu.crd.NodeSchedulingPlanSpec;
import io.jthulhu.crd.SchedulingPolicy;
import io.jthulhu.operator.informer.ResolutionInputs;
import io.jthulhu.operator.informer.TransitionAwareInformerEventSource;
import io.jthulhu.operator.informer.TrimmedPodStore;
import io.jthulhu.operator.metrics.ResolutionMetrics;
import io.jthulhu.operator.resolve.PodInfo;
import io.jthulhu.operator.resolve.Resolver;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Keeps one NodeSchedulingPlan per Node. Any change of the node's labels, of a pod on it, of a
 * namespace of such a pod, or of any policy re-resolves the node from the informer caches; the plan
 * is written only when the result differs from what the cache holds.
 */
@ControllerConfiguration(
    name = NodePlanReconciler.NAME,
    generationAwareEventProcessing = false,
    informer = @Informer(onUpdateFilter = NodePlanReconciler.NodeLabelsChanged.class))
public class NodePlanReconciler implements Reconciler<Node> {
  public static final String NAME = "node-plan";
  public static final String MANAGED_BY_LABEL = "app.kubernetes.io/managed-by";
  public static final String MANAGED_BY = "jthulhu-operator";
  static final String PODS_BY_NODE = "byNode";
  static final String PODS_BY_NAMESPACE = "byNamespace";
  static final long POD_LIST_PAGE = 500;
  private static final Duration CACHE_SYNC_RECHECK = Duration.ofSeconds(1);

  private final ResolutionMetrics metrics;
  private final PolicyCatalog catalog = new PolicyCatalog(namespace -> this.namespaces
      .get(new ResourceID(namespace)).map(ResolutionInputs::labels).orElse(Map.of()));
  private InformerEventSource<NodeSchedulingPlan, Node> plans;
  private InformerEventSource<SchedulingPolicy, Node> policies;
  private InformerEventSource<Pod, Node> pods;
  private InformerEventSource<Namespace, Node> namespaces;

  public NodePlanReconciler(ResolutionMetrics metrics) {
    this.metrics = metrics;
  }

  /** Node status heartbeats arrive every few seconds per node and never change a plan. */
  public static class NodeLabelsChanged implements OnUpdateFilter<Node> {
    @Override
    public boolean accept(Node newNode, Node oldNode) {
      return ResolutionInputs.labelsChanged(newNode, oldNode);
    }
  }

  @Override
  public List<EventSource<?, Node>> prepareEventSources(EventSourceContext<Node> context) {
    plans = new InformerEventSource<>(InformerEventSourceConfiguration.from(NodeSchedulingPlan.class, Node.class)
        .withName("plans")
        .withSecondaryToPrimaryMapper(plan -> Set.of(new ResourceID(plan.getMetadata().getName())))
        .build(), context);
    policies = new InformerEventSource<>(InformerEventSourceConfiguration.from(SchedulingPolicy.class, Node.class)
        .withName("policies")
        .withSecondaryToPrimaryMapper(policy -> allNodes(context))
        .withOnUpdateFilter((newPolicy, oldPolicy) -> !Objects.equals(newPolicy.getSpec(), oldPolicy.getSpec())
            || !Objects.equals(newPolicy.getMetadata().getGeneration(), oldPolicy.getMetadata().getGeneration()))
        .build(), context);
    pods = new TransitionAwareInformerEventSource<>(InformerEventSourceConfiguration.from(Pod.class, Node.class)
        .withName("pods")
        .withWatchAllNamespaces()
        .withItemStore(new TrimmedPodStore())
        // Pages of whole pods are decoded before the store trims them: paging bounds that peak.
        .withInformerListLimit(POD_LIST_PAGE)
        .withSecondaryToPrimaryMapper(pod -> {
          String node = pod.getSpec() == null ? null : pod.getSpec().getNodeName();
          return node == null || node.isEmpty() ? Set.of() : Set.of(new ResourceID(node));
        })
        .withOnUpdateFilter(ResolutionInputs::podChanged)
        .build(), context);
    pods.addIndexers(Map.of(
        PODS_BY_NODE, pod -> pod.getSpec() == null || pod.getSpec().getNodeName() == null
            ? List.of() : List.of(pod.getSpec().getNodeName()),
        PODS_BY_NAMESPACE, pod -> List.of(pod.getMetadata().getNamespace())));
    namespaces = new InformerEventSource<>(InformerEventSourceConfiguration.from(Namespace.class, Node.class)
        .withName("namespaces")
        .withSecondaryToPrimaryMapper(namespace -> pods.byIndex(PODS_BY_NAMESPACE, namespace.getMetadata().getName())
            .stream()
            .map(pod -> pod.getSpec() == null ? null : pod.getSpec().getNodeName())
            .filter(node -> node != null && !node.isEmpty())
            .map(ResourceID::new)
            .collect(Collectors.toSet()))
        .withOnUpdateFilter(ResolutionInputs::labelsChanged)
        .build(), context);
    return List.of(plans, policies, pods, namespaces);
  }

  /** The plan of {@code node} from the informer caches, as a reconcile computes it. */
  public NodeSchedulingPlanSpec resolve(Node node) {
    String nodeName = node.getMetadata().getName();
    List<PodInfo> onNode = pods.byIndex(PODS_BY_NODE, nodeName).stream().map(ResolutionInputs::podInfo).toList();
    return Resolver.resolveNode(catalog.policySet(policies.list().toList()), nodeName, ResolutionInputs.labels(node), onNode);
  }

  private boolean cachesSynced() {
    return Stream.of(plans, policies, pods, namespaces).allMatch(source -> source.informerHealthIndicators().values()
        .stream().allMatch(InformerHealthIndicator::hasSynced));
  }

  /** The pods the informer holds, as it holds them. */
  public List<Pod> cachedPods() {
    return pods.list().toList();
  }

  private static Set<ResourceID> allNodes(EventSourceContext<Node> context) {
    return context.getPrimaryCache().list().map(ResourceID::fromResource).collect(Collectors.toSet());
  }

  @Override
  public UpdateControl<Node> reconcile(Node node, Context<Node> context) {
    if (!cachesSynced()) {
      // Start-up goes on when an informer's first list keeps failing; a plan resolved from a partial
      // cache would take pods' scheduling away until the list succeeds, so wait for it instead.
      return UpdateControl.<Node>noUpdate().rescheduleAfter(CACHE_SYNC_RECHECK);
    }
    String nodeName = node.getMetadata().getName();
    NodeSchedulingPlanSpec desired = metrics.timeResolution(() -> resolve(node));
    ResourceID id = new ResourceID(nodeName);
    Optional<NodeSchedulingPlan> current = plans.get(id);
    KubernetesClient client = context.getClient();
    if (current.isEmpty()) {
      NodeSchedulingPlan created = client.resource(newPlan(node, desired)).create();
      // Tell the cache about our own write so that the next reconcile compares against it, not a stale view.
      plans.handleRecentResourceCreate(id, created);
      metrics.planResolved(desired.getPods().size(), true, true);
    } else if (!desired.equals(current.get().getSpec())) {
      // A JSON patch of /spec alone: it neither races the daemon's status writes (no resourceVersion)
      // nor merges the old entry lists into the new ones. Patching the cached object avoids a GET.
      NodeSchedulingPlan updated = client.resource(current.get()).patch(PatchContext.of(PatchType.JSON),
          client.getKubernetesSerialization().asJson(List.of(Map.of("op", "add", "path", "/spec", "value", desired))));
      plans.handleRecentResourceUpdate(id, updated, current.get());
      metrics.planResolved(desired.getPods().size(), false, true);
    } else {
      metrics.planResolved(desired.getPods().size(), false, false);
    }
    return UpdateControl.noUpdate();
  }

  /** A plan owned by its Node, so that the garbage collector removes it with the node. */
  static NodeSchedulingPlan newPlan(Node node, NodeSchedulingPlanSpec spec) {
    NodeSchedulingPlan plan = new NodeSchedulingPlan();
    plan.setMetadata(new ObjectMetaBuilder()
        .withName(node.getMetadata().getName())
        .addToLabels(MANAGED_BY_LABEL, MANAGED_BY)
        .addToOwnerReferences(new OwnerReferenceBuilder()
            .withApiVersion("v1").withKind("Node")
            .withName(node.getMetadata().getName()).withUid(node.getMetadata().getUid())
            .withBlockOwnerDeletion(false).withController(true)
            .build())
        .build());
    plan.setSpec(spec);
    return plan;
  }
}
