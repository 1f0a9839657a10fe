package io.jthulhu.node.sched;

import io.jthulhu.node.bpf.layout.Abi;
import io.jthulhu.node.bpf.layout.SharedLayout;

import java.nio.ByteBuffer;

/** Reads jt_shared.cpu_idle[] (one byte per CPU, written by BPF's ops.update_idle). */
public final class SharedCpuIdleView implements CpuIdleView {
    private final ByteBuffer shared;
    private final int idleBase;

    /**
     * @param shared buffer holding struct jt_shared (e.g. the mapped .bss)
     * @param base   offset of struct jt_shared in {@code shared}
     */
    public SharedCpuIdleView(ByteBuffer shared, int base) {
        if (base < 0 || base > shared.capacity() - SharedLayout.SIZE) {
            throw new IndexOutOfBoundsException("struct jt_shared (" + SharedLayout.SIZE + " bytes) at offset "
                    + base + " does not fit a buffer of capacity " + shared.capacity());
        }
        this.shared = shared;
        this.idleBase = base + SharedLayout.CPU_IDLE;
    }

    @Override
    public boolean isIdle(int cpu) {
        return cpu >= 0 && cpu < Abi.MAX_CPUS && shared.get(idleBase + cpu) != 0;
    }
}
