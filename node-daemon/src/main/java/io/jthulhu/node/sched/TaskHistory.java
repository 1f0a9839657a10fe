package io.jthulhu.node.sched;

/**
 * Per-pid memory of the policy engine, in fixed arrays: the Java-side virtual time of each task,
 * the last BPF vtime and nvcsw seen, the estimated wakeup frequency, and where the task sits in
 * the run queue. It is a cache, 4-way set associative with least-recently-seen replacement: an
 * evicted task simply starts over as a new one (its vtime is clamped to the credit window, so
 * eviction can never give it more than the credit a new task gets).
 */
final class TaskHistory {
    static final int WAYS = 4;
    /** lastSeenNs of an entry that has no history yet. */
    static final long NEVER = Long.MIN_VALUE;

    private final int setMask;
    final int[] pid;
    final int[] tgid;
    final long[] vtime;
    final long[] lastBpfVtime;
    final long[] lastNvcsw;
    final long[] lastSeenNs;
    final long[] wakeFreq;
    /** Run-queue slot holding this task's pending record, or -1. */
    final int[] queueSlot;

    TaskHistory(int capacity) {
        this.setMask = capacity / WAYS - 1;
        this.pid = new int[capacity];
        this.tgid = new int[capacity];
        this.vtime = new long[capacity];
        this.lastBpfVtime = new long[capacity];
        this.lastNvcsw = new long[capacity];
        this.lastSeenNs = new long[capacity];
        this.wakeFreq = new long[capacity];
        this.queueSlot = new int[capacity];
        java.util.Arrays.fill(queueSlot, -1);
    }

    private int setStart(int taskPid) {
        return ((taskPid * 0x9E3779B9) >>> 8 & setMask) * WAYS;
    }

    /** Entry of {@code taskPid}, or -1. */
    int find(int taskPid) {
        int start = setStart(taskPid);
        for (int i = start; i < start + WAYS; i++) {
            if (pid[i] == taskPid) {
                return i;
            }
        }
        return -1;
    }

    /** A fresh entry for {@code taskPid}, replacing an empty or the least recently seen entry of its set. */
    int claim(int taskPid, int taskTgid) {
        int start = setStart(taskPid);
        int victim = start;
        for (int i = start; i < start + WAYS; i++) {
            if (pid[i] == 0) {
                victim = i;
                break;
            }
            if (lastSeenNs[i] < lastSeenNs[victim]) {
                victim = i;
            }
        }
        pid[victim] = taskPid;
        tgid[victim] = taskTgid;
        vtime[victim] = 0;
        lastBpfVtime[victim] = 0;
        lastNvcsw[victim] = 0;
        lastSeenNs[victim] = NEVER;
        wakeFreq[victim] = 0;
        queueSlot[victim] = -1;
        return victim;
    }
}
