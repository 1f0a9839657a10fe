package io.jthulhu.crd;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SchedulingParametersTest {
  @Test
  void unsetFieldsTakeTheDefaultsOfTheClass() {
    assertThat(new SchedulingParameters(SchedulingClass.LatencyCritical).effective())
        .isEqualTo(new EffectiveScheduling(SchedulingClass.LatencyCritical, 100, 1_000, true));
    assertThat(new SchedulingParameters(SchedulingClass.Batch).effective())
        .isEqualTo(new EffectiveScheduling(SchedulingClass.Batch, 100, 20_000, false));
  }

  @Test
  void setFieldsOverrideTheDefaults() {
    SchedulingParameters parameters = new SchedulingParameters(SchedulingClass.Normal);
    parameters.setWeight(7);
    parameters.setSliceMicros(250L);
    parameters.setPreempt(true);
    assertThat(parameters.effective()).isEqualTo(new EffectiveScheduling(SchedulingClass.Normal, 7, 250, true));
  }
}
