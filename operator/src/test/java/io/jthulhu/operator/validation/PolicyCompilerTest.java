package io.jthulhu.operator.validation;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.jthulhu.crd.EffectiveScheduling;
import io.jthulhu.crd.PolicyMode;
import io.jthulhu.crd.SchedulingClass;
import io.jthulhu.crd.SchedulingParameters;
import io.jthulhu.crd.SchedulingPolicy;
import io.jthulhu.crd.SchedulingPolicySpec;
import org.junit.jupiter.api.Test;

class PolicyCompilerTest {
  private static SchedulingPolicy policy(SchedulingParameters scheduling) {
    SchedulingPolicy policy = new SchedulingPolicy();
    policy.setMetadata(new ObjectMetaBuilder().withName("p").withGeneration(4L).build());
    SchedulingPolicySpec spec = new SchedulingPolicySpec();
    spec.setScheduling(scheduling);
    policy.setSpec(spec);
    return policy;
  }

  @Test
  void aValidPolicyBecomesARuleWithDefaultsResolved() {
    CompiledPolicy compiled = PolicyCompiler.compile(policy(new SchedulingParameters(SchedulingClass.Batch)));
    assertThat(compiled).isInstanceOfSatisfying(CompiledPolicy.Valid.class, valid -> {
      assertThat(valid.rule().generation()).isEqualTo(4);
      assertThat(valid.rule().priority()).isZero();
      assertThat(valid.rule().mode()).isEqualTo(PolicyMode.Enforce);
      assertThat(valid.rule().scheduling()).isEqualTo(new EffectiveScheduling(SchedulingClass.Batch, 100, 20_000, false));
    });
  }

  @Test
  void everyErrorIsReportedWithItsField() {
    SchedulingParameters scheduling = new SchedulingParameters(SchedulingClass.Idle);
    scheduling.setWeight(0);
    scheduling.setSliceMicros(10L);
    scheduling.setPreempt(true);
    SchedulingPolicy policy = policy(scheduling);
    policy.getSpec().setPriority(-3);
    policy.getSpec().setNamespaceSelector(new LabelSelectorBuilder().addNewMatchExpression()
        .withKey("team").withOperator("In").endMatchExpression().build());
    CompiledPolicy compiled = PolicyCompiler.compile(policy);
    assertThat(compiled).isInstanceOfSatisfying(CompiledPolicy.Invalid.class, invalid ->
        assertThat(invalid.errors()).extracting(FieldError::field).containsExactlyInAnyOrder(
            "spec.namespaceSelector.matchExpressions[0].values", "spec.priority", "spec.scheduling.weight",
            "spec.scheduling.sliceMicros", "spec.scheduling.preempt"));
  }

  @Test
  void missingSchedulingAndClassAreRequired() {
    assertThat(PolicyCompiler.compile(policy(null))).isEqualTo(
        new CompiledPolicy.Invalid(java.util.List.of(new FieldError("spec.scheduling", "Required value"))));
    assertThat(((CompiledPolicy.Invalid) PolicyCompiler.compile(policy(new SchedulingParameters()))).message())
        .isEqualTo("spec.scheduling.class: Required value");
  }

  @Test
  void latencyCriticalSliceIsBounded() {
    SchedulingParameters scheduling = new SchedulingParameters(SchedulingClass.LatencyCritical);
    scheduling.setSliceMicros(30_000L);
    assertThat(((CompiledPolicy.Invalid) PolicyCompiler.compile(policy(scheduling))).message())
        .isEqualTo("spec.scheduling.sliceMicros: LatencyCritical requires a slice of at most 20000 microseconds, got 30000");
  }
}
