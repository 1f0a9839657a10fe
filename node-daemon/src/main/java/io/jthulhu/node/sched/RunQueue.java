package io.jthulhu.node.sched;

/**
 * Fixed-capacity run queue: task slots as parallel arrays (no object per task) and a binary
 * min-heap of slot indices ordered by (deadline, arrival order). Slots are recycled through a
 * free-slot stack, so steady-state operation allocates nothing.
 */
final class RunQueue {
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
    private final long[] arrival;

    private final int[] heap;
    private final int[] heapIndex;
    private final int[] freeSlots;
    private int freeTop;
    private int size;
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
        this.heap = new int[capacity];
        this.heapIndex = new int[capacity];
        this.freeSlots = new int[capacity];
        for (int i = 0; i < capacity; i++) {
            freeSlots[i] = capacity - 1 - i;
        }
        this.freeTop = capacity;
    }

    int size() {
        return size;
    }

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
        heapIndex[slot] = size;
        heap[size++] = slot;
        siftUp(heapIndex[slot]);
    }

    /** Re-positions a queued slot whose deadline changed; it keeps its arrival order. */
    void update(int slot) {
        int i = heapIndex[slot];
        siftUp(i);
        siftDown(heapIndex[slot]);
    }

    /** Removes and returns the slot with the earliest deadline, or -1; the caller must {@link #release} it. */
    int pop() {
        if (size == 0) {
            return -1;
        }
        int top = heap[0];
        int last = heap[--size];
        if (size > 0) {
            heap[0] = last;
            heapIndex[last] = 0;
            siftDown(0);
        }
        return top;
    }

    void release(int slot) {
        freeSlots[freeTop++] = slot;
    }

    private boolean before(int a, int b) {
        return deadline[a] < deadline[b] || (deadline[a] == deadline[b] && arrival[a] < arrival[b]);
    }

    private void siftUp(int i) {
        int slot = heap[i];
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            int p = heap[parent];
            if (!before(slot, p)) {
                break;
            }
            heap[i] = p;
            heapIndex[p] = i;
            i = parent;
        }
        heap[i] = slot;
        heapIndex[slot] = i;
    }

    private void siftDown(int i) {
        int slot = heap[i];
        int half = size >>> 1;
        while (i < half) {
            int child = 2 * i + 1;
            int c = heap[child];
            int right = child + 1;
            if (right < size && before(heap[right], c)) {
                child = right;
                c = heap[child];
            }
            if (!before(c, slot)) {
                break;
            }
            heap[i] = c;
            heapIndex[c] = i;
            i = child;
        }
        heap[i] = slot;
        heapIndex[slot] = i;
    }
}
