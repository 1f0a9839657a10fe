package io.jthulhu.node.sched;

/**
 * Per-pid memory of the policy engine: the last nvcsw seen, the estimated wakeup frequency, and
 * where the task sits in the run queue. It is a cache, 4-way set associative with
 * least-recently-seen replacement: an evicted task simply starts over as a new one (its wakeup
 * frequency is learnt again). Each entry is one 64-byte line of a long[] (one cache miss per
 * lookup besides the set's pid scan).
 */
final class TaskHistory {
    static final int WAYS = 4;
    /** LAST_SEEN_NS of an entry that has no history yet. */
    static final long NEVER = Long.MIN_VALUE;

    static final int TGID = 0;
    static final int LAST_NVCSW = 1;
    static final int LAST_SEEN_NS = 2;
    static final int WAKE_FREQ = 3;
    /** Run-queue slot holding this task's pending record, or -1. */
    static final int QUEUE_SLOT = 4;
    private static final int STRIDE = 8;

    private final int setMask;
    private final int[] pids;
    private final long[] entries;

    TaskHistory(int capacity) {
        this.setMask = capacity / WAYS - 1;
        this.pids = new int[capacity];
        this.entries = new long[capacity * STRIDE];
    }

    private int setStart(int pid) {
        return ((pid * 0x9E3779B9) >>> 8 & setMask) * WAYS;
    }

    /** Entry of {@code pid}, or -1. */
    int find(int pid) {
        int start = setStart(pid);
        for (int i = start; i < start + WAYS; i++) {
            if (pids[i] == pid) {
                return i;
            }
        }
        return -1;
    }

    /** A fresh entry for {@code pid}, replacing an empty or the least recently seen entry of its set. */
    int claim(int pid, int tgid) {
        int start = setStart(pid);
        int victim = start;
        for (int i = start; i < start + WAYS; i++) {
            if (pids[i] == 0) {
                victim = i;
                break;
            }
            if (get(i, LAST_SEEN_NS) < get(victim, LAST_SEEN_NS)) {
                victim = i;
            }
        }
        pids[victim] = pid;
        int base = victim * STRIDE;
        entries[base + TGID] = tgid;
        entries[base + LAST_NVCSW] = 0;
        entries[base + LAST_SEEN_NS] = NEVER;
        entries[base + WAKE_FREQ] = 0;
        entries[base + QUEUE_SLOT] = -1;
        return victim;
    }

    int pid(int entry) {
        return pids[entry];
    }

    long get(int entry, int field) {
        return entries[entry * STRIDE + field];
    }

    void set(int entry, int field, long value) {
        entries[entry * STRIDE + field] = value;
    }
}
