package io.jthulhu.node.sched;

import io.jthulhu.node.bpf.layout.Abi;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SchedulerConfigTest {
    @Test
    void defaultsAreTheDocumentedOnes() {
        SchedulerConfig c = SchedulerConfig.defaults();
        assertThat(c.baseSliceNs()).isEqualTo(5_000_000);
        assertThat(c.minSliceNs()).isEqualTo(250_000);
        assertThat(c.queueCapacity()).isEqualTo(16_384);
        assertThat(c.vtimeCreditNs()).isEqualTo(c.baseSliceNs());
        assertThat(c.maxSliceNs()).isLessThanOrEqualTo(Abi.MAX_SLICE_NS);
    }

    @Test
    void invalidValuesNameTheFieldAndTheRange() {
        assertThatThrownBy(() -> SchedulerConfig.builder().minSliceNs(0).build())
                .hasMessageStartingWith("minSliceNs: must be in 1..");
        assertThatThrownBy(() -> SchedulerConfig.builder().baseSliceNs(100).build())
                .hasMessage("baseSliceNs: must be in 250000..1125899906842624, was 100");
        assertThatThrownBy(() -> SchedulerConfig.builder().maxSliceNs(2_000_000_000L).build())
                .hasMessage("maxSliceNs: must be in 5000000..1000000000, was 2000000000");
        assertThatThrownBy(() -> SchedulerConfig.builder().historyCapacity(1000).build())
                .hasMessage("historyCapacity: must be a power of two, was 1000");
        assertThatThrownBy(() -> SchedulerConfig.builder().queueCapacity(0).build())
                .hasMessageStartingWith("queueCapacity: must be in 1..");
        assertThat(SchedulerConfig.builder().vtimeCreditSlices(3).build().vtimeCreditNs()).isEqualTo(15_000_000);
    }
}
