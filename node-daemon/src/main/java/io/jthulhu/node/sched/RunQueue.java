package io.jthulhu.node.sched;

/**
 * Fixed-capacity run queue: task slots as parallel arrays (no object per task) and a 4-ary
 * min-heap of slot indices ordered by (deadline, arrival order). The heap stores each entry's
 * deadline next to its slot, and four children share a cache line, so a sift touches few lines.
 * A slot superseded by a newer record of the same task is marked stale (pid 0) and skipped when
 * it reaches the top, instead of being removed from the middle of the heap. Slots are recycled
 * through a free-slot stack: steady-state operation allocates nothing.
 */
final class RunQueue {
    private static final int ARITY = 4;

    final int capacity;
    // Slot payload, written by the engine.
    final int[] pid;
    final int[] prevCpu;
    final int[] nrCpusAllowed;
    final int[] schedClass;
    final int[] dispatchFlags;
    final int[] historySlot;
    final long[] seq;
    final long[] deadline;
    final long[] vtime;
    final long[] sliceOverrideNs;
    /** Tie-breaker for equal deadlines: first come, first served. */
    private final long[] arrival;

    private final int[] heapSlot;
    private final long[] heapDeadline;
    private final int[] freeSlots;
    private int freeTop;
    private int size;
    private int stale;
    private long arrivals;

    RunQueue(int capacity) {
        this.capacity = capacity;
        this.pid = new int[capacity];
        this.prevCpu = new int[capacity];
        this.nrCpusAllowed = new int[capacity];
        this.schedClass = new int[capacity];
        this.dispatchFlags = new int[capacity];
        this.historySlot = new int[capacity];
        this.seq = new long[capacity];
        this.deadline = new long[capacity];
        this.vtime = new long[capacity];
        this.sliceOverrideNs = new long[capacity];
        this.arrival = new long[capacity];
        this.heapSlot = new int[capacity];
        this.heapDeadline = new long[capacity];
        this.freeSlots = new int[capacity];
        for (int i = 0; i < capacity; i++) {
            freeSlots[i] = capacity - 1 - i;
        }
        this.freeTop = capacity;
    }

    /** Queued slots that are not stale. */
    int live() {
        return size - stale;
    }

    /** Slots free for new tasks. */
    int free() {
        return freeTop;
    }

    /** True if no slot is free (stale slots still occupy theirs until they reach the top). */
    boolean isFull() {
        return size == capacity;
    }

    /** Takes a free slot for the caller to fill, then {@link #push}. Caller checks {@link #isFull}. */
    int allocate() {
        return freeSlots[--freeTop];
    }

    /** Inserts a filled slot, ordered by its deadline. */
    void push(int slot) {
        arrival[slot] = arrivals++;
        siftUp(size++, slot, deadline[slot]);
    }

    /** Marks a queued slot as superseded: {@link #pop} will skip it. */
    void markStale(int slot) {
        pid[slot] = 0;
        stale++;
    }

    /** Removes and returns the live slot with the earliest deadline, or -1; the caller must {@link #release} it. */
    int pop() {
        while (size > 0) {
            int top = heapSlot[0];
            int last = --size;
            if (last > 0) {
                siftDown(heapSlot[last], heapDeadline[last]);
            }
            if (pid[top] != 0) {
                return top;
            }
            stale--;
            release(top);
        }
        return -1;
    }

    void release(int slot) {
        freeSlots[freeTop++] = slot;
    }

    private void siftUp(int i, int slot, long d) {
        while (i > 0) {
            int parent = (i - 1) / ARITY;
            long pd = heapDeadline[parent];
            if (d > pd || (d == pd && arrival[slot] > arrival[heapSlot[parent]])) {
                break;
            }
            heapSlot[i] = heapSlot[parent];
            heapDeadline[i] = pd;
            i = parent;
        }
        heapSlot[i] = slot;
        heapDeadline[i] = d;
    }

    /** Places (slot, d) from the root down, over the hole left by the removed top. */
    private void siftDown(int slot, long d) {
        int i = 0;
        while (true) {
            int first = ARITY * i + 1;
            if (first >= size) {
                break;
            }
            int best = first;
            long bd = heapDeadline[first];
            int end = Math.min(first + ARITY, size);
            for (int c = first + 1; c < end; c++) {
                long cd = heapDeadline[c];
                if (cd < bd || (cd == bd && arrival[heapSlot[c]] < arrival[heapSlot[best]])) {
                    best = c;
                    bd = cd;
                }
            }
            if (d < bd || (d == bd && arrival[slot] < arrival[heapSlot[best]])) {
                break;
            }
            heapSlot[i] = heapSlot[best];
            heapDeadline[i] = bd;
            i = best;
        }
        heapSlot[i] = slot;
        heapDeadline[i] = d;
    }
}
