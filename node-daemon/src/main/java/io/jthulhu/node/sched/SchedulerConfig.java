package io.jthulhu.node.sched;

import io.jthulhu.node.bpf.layout.Abi;

/**
 * Tunables of the {@link PolicyEngine}. All times in nanoseconds. Immutable; build with
 * {@link #builder()}; {@link #defaults()} is what the daemon uses unless told otherwise.
 */
public final class SchedulerConfig {
    private final long baseSliceNs;
    private final long minSliceNs;
    private final long maxSliceNs;
    private final int queueCapacity;
    private final int historyCapacity;
    private final long vtimeCreditNs;
    private final long runtimeCapNs;
    private final long latencyCriticalBonusNs;
    private final long batchPenaltyNs;
    private final long idleOffsetNs;

    private SchedulerConfig(Builder b) {
        this.baseSliceNs = b.baseSliceNs;
        this.minSliceNs = b.minSliceNs;
        this.maxSliceNs = b.maxSliceNs;
        this.queueCapacity = b.queueCapacity;
        this.historyCapacity = b.historyCapacity;
        this.vtimeCreditNs = b.vtimeCreditSlices * b.baseSliceNs;
        this.runtimeCapNs = b.runtimeCapNs;
        this.latencyCriticalBonusNs = b.latencyCriticalBonusNs;
        this.batchPenaltyNs = b.batchPenaltyNs;
        this.idleOffsetNs = b.idleOffsetNs;
    }

    public static SchedulerConfig defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Slice with an empty queue (Normal class). */
    public long baseSliceNs() {
        return baseSliceNs;
    }

    /** No slice is ever shorter, whatever the load or policy. */
    public long minSliceNs() {
        return minSliceNs;
    }

    /** No slice is ever longer (caps Batch slices and policy overrides). */
    public long maxSliceNs() {
        return maxSliceNs;
    }

    /** Tasks the run queue holds at most. */
    public int queueCapacity() {
        return queueCapacity;
    }

    /** Entries of the per-pid history table (a power of two). */
    public int historyCapacity() {
        return historyCapacity;
    }

    /** How far behind the global vtime a waking task may be: k base slices. */
    public long vtimeCreditNs() {
        return vtimeCreditNs;
    }

    /** Cap on the exec_runtime charged to a task's deadline. */
    public long runtimeCapNs() {
        return runtimeCapNs;
    }

    /** Subtracted from a LatencyCritical task's deadline. */
    public long latencyCriticalBonusNs() {
        return latencyCriticalBonusNs;
    }

    /** Added to a Batch task's deadline. */
    public long batchPenaltyNs() {
        return batchPenaltyNs;
    }

    /** Added to an Idle task's deadline: it runs when nothing else is waiting. */
    public long idleOffsetNs() {
        return idleOffsetNs;
    }

    @Override
    public String toString() {
        return "SchedulerConfig{baseSliceNs=" + baseSliceNs + ", minSliceNs=" + minSliceNs + ", maxSliceNs=" + maxSliceNs
                + ", queueCapacity=" + queueCapacity + ", historyCapacity=" + historyCapacity
                + ", vtimeCreditNs=" + vtimeCreditNs + ", runtimeCapNs=" + runtimeCapNs
                + ", latencyCriticalBonusNs=" + latencyCriticalBonusNs + ", batchPenaltyNs=" + batchPenaltyNs
                + ", idleOffsetNs=" + idleOffsetNs + '}';
    }

    public static final class Builder {
        /** Bounds every time tunable so deadline arithmetic cannot overflow a long. */
        private static final long MAX_TIME_NS = 1L << 50;
        /** Bounds the table sizes (heap arrays of a few ints/longs per entry). */
        private static final int MAX_ENTRIES = 1 << 24;

        private long baseSliceNs = 5_000_000;
        private long minSliceNs = 250_000;
        private long maxSliceNs = 100_000_000;
        private int queueCapacity = 16_384;
        private int historyCapacity = 65_536;
        private long vtimeCreditSlices = 1;
        private long runtimeCapNs = Abi.DEFAULT_RUNTIME_CAP_NS;
        private long latencyCriticalBonusNs = 10_000_000;
        private long batchPenaltyNs = 20_000_000;
        private long idleOffsetNs = 5_000_000_000L;

        private Builder() {
        }

        public Builder baseSliceNs(long v) {
            baseSliceNs = v;
            return this;
        }

        public Builder minSliceNs(long v) {
            minSliceNs = v;
            return this;
        }

        public Builder maxSliceNs(long v) {
            maxSliceNs = v;
            return this;
        }

        public Builder queueCapacity(int v) {
            queueCapacity = v;
            return this;
        }

        public Builder historyCapacity(int v) {
            historyCapacity = v;
            return this;
        }

        public Builder vtimeCreditSlices(long v) {
            vtimeCreditSlices = v;
            return this;
        }

        public Builder runtimeCapNs(long v) {
            runtimeCapNs = v;
            return this;
        }

        public Builder latencyCriticalBonusNs(long v) {
            latencyCriticalBonusNs = v;
            return this;
        }

        public Builder batchPenaltyNs(long v) {
            batchPenaltyNs = v;
            return this;
        }

        public Builder idleOffsetNs(long v) {
            idleOffsetNs = v;
            return this;
        }

        public SchedulerConfig build() {
            requireRange("minSliceNs", minSliceNs, 1, MAX_TIME_NS);
            requireRange("baseSliceNs", baseSliceNs, minSliceNs, MAX_TIME_NS);
            requireRange("maxSliceNs", maxSliceNs, baseSliceNs, Abi.MAX_SLICE_NS);
            requireRange("queueCapacity", queueCapacity, 1, MAX_ENTRIES);
            requireRange("historyCapacity", historyCapacity, 4, MAX_ENTRIES);
            if (Integer.bitCount(historyCapacity) != 1) {
                throw new IllegalArgumentException("historyCapacity: must be a power of two, was " + historyCapacity);
            }
            requireRange("vtimeCreditSlices", vtimeCreditSlices, 0, MAX_TIME_NS / baseSliceNs);
            requireRange("runtimeCapNs", runtimeCapNs, 0, MAX_TIME_NS);
            requireRange("latencyCriticalBonusNs", latencyCriticalBonusNs, 0, MAX_TIME_NS);
            requireRange("batchPenaltyNs", batchPenaltyNs, 0, MAX_TIME_NS);
            requireRange("idleOffsetNs", idleOffsetNs, 0, MAX_TIME_NS);
            return new SchedulerConfig(this);
        }

        private static void requireRange(String name, long value, long min, long max) {
            if (value < min || value > max) {
                throw new IllegalArgumentException(name + ": must be in " + min + ".." + max + ", was " + value);
            }
        }
    }
}
