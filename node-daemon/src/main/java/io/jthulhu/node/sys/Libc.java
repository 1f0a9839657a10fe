package io.jthulhu.node.sys;

import com.sun.jna.LastErrorException;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;

/**
 * The few libc calls the daemon needs, bound with JNA direct mapping: no reflection and no
 * argument boxing per call, so they are usable from the scheduler loop.
 */
public final class Libc {
    public static final int PROT_READ = 0x1;
    public static final int PROT_WRITE = 0x2;
    public static final int MAP_SHARED = 0x01;
    public static final int MCL_CURRENT = 1;
    public static final int MCL_FUTURE = 2;

    static {
        Native.register(NativeLibrary.getInstance("c"));
    }

    private Libc() {
    }

    public static native Pointer mmap(Pointer addr, long length, int prot, int flags, int fd, long offset)
            throws LastErrorException;

    public static native int munmap(Pointer addr, long length) throws LastErrorException;

    public static native int mlockall(int flags) throws LastErrorException;

    public static native int close(int fd);

    public static native int geteuid();

    public static native int getpid();

    /** The calling thread's kernel id (gettid(2), glibc 2.30+). */
    public static native int gettid();

    public static native int getpagesize();

    public static native String strerror(int errno);

    /** A non-allocating check of whether MAP_FAILED ((void *) -1) came back. */
    public static boolean mapFailed(Pointer p) {
        return p == null || Pointer.nativeValue(p) == -1L;
    }
}
