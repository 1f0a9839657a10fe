package io.jthulhu.node.agent;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The daemon's options are range-checked up front, each error naming the field. */
class AgentConfigTest {
    private static final long MS = 1_000_000L;

    /** The CLI defaults, with one field replaced by index (-1: none). */
    private static AgentConfig withField(int index, long value) {
        long[] v = {50 * MS, 5 * MS, 10 * MS, 1000, 30_000, 1 * MS, 1000 * MS, 250_000, 2 * MS};
        if (index >= 0) {
            v[index] = value;
        }
        return new AgentConfig(v[0], v[1], v[2], true, true, v[3], true, v[4], v[5], v[6], v[7], v[8], true, true);
    }

    @Test
    void theCliDefaultsAreValid() {
        AgentConfig c = withField(-1, 0);
        assertThat(c.preemptMarginNanos()).isEqualTo(MS);
        assertThat(c.starvationNanos()).isEqualTo(1000 * MS);
        assertThat(c.minSliceNanos()).isEqualTo(250_000);
        assertThat(c.wakeBatchNanos()).isEqualTo(2 * MS);
        assertThat(withField(8, 0).wakeBatchNanos()).as("0: wake at once").isZero();
    }

    @Test
    void outOfRangeValuesAreRejectedWithTheFieldName() {
        Object[][] cases = {
                {0, 0L, "fallbackNanos"}, {0, 3_000 * MS, "fallbackNanos"},
                {1, 10_000L, "sliceNanos"}, {2, 0L, "heartbeatNanos"},
                {3, -1L, "statsIntervalMs"}, {4, 700_000L, "maxBackoffMs"},
                {5, 0L, "preemptMarginNanos"}, {5, 2_000 * MS, "preemptMarginNanos"},
                {6, 5 * MS, "starvationNanos"}, {6, 5_000 * MS, "starvationNanos"},
                {7, 1_000L, "minSliceNanos"}, {8, -1L, "wakeBatchNanos"},
        };
        for (Object[] c : cases) {
            assertThatThrownBy(() -> withField((int) c[0], (long) c[1]))
                    .as("field %s = %s", c[2], c[1])
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith(c[2] + " must be between");
        }
    }

    @Test
    void theMinimumSliceCannotExceedTheBaseSlice() {
        assertThatThrownBy(() -> withField(7, 6 * MS))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("minSliceNanos must be between 10000 and 5000000, got 6000000");
    }

    @Test
    void aWakeBatchStaysWellBelowTheFallbackTime() {
        // BPF dispatches a task itself after fallbackNanos: a batch must be answered long before.
        assertThatThrownBy(() -> withField(8, 30 * MS))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("wakeBatchNanos must be between 0 and 25000000, got 30000000");
    }
}
