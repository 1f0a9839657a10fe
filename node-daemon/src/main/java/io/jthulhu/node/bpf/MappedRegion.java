package io.jthulhu.node.bpf;

import com.sun.jna.LastErrorException;
import com.sun.jna.Pointer;
import io.jthulhu.node.sys.Libc;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** One mmap(2) of a BPF map fd, viewed as a little-endian direct ByteBuffer. */
final class MappedRegion implements AutoCloseable {
    private final Pointer address;
    private final long length;
    final ByteBuffer buffer;

    private MappedRegion(Pointer address, long length) {
        this.address = address;
        this.length = length;
        this.buffer = address.getByteBuffer(0, length).order(ByteOrder.LITTLE_ENDIAN);
    }

    static MappedRegion map(int fd, long offset, long length, int prot, String what) {
        if (length > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(what + ": mapping of " + length + " bytes exceeds 2 GiB");
        }
        Pointer p;
        try {
            p = Libc.mmap(null, length, prot, Libc.MAP_SHARED, fd, offset);
        } catch (LastErrorException e) {
            throw new BpfException(BpfException.Kind.MAP_FAILED,
                    what + ": mmap failed: " + Libc.strerror(e.getErrorCode()));
        }
        if (Libc.mapFailed(p)) {
            throw new BpfException(BpfException.Kind.MAP_FAILED, what + ": mmap failed");
        }
        return new MappedRegion(p, length);
    }

    @Override
    public void close() {
        Libc.munmap(address, length);
    }
}
