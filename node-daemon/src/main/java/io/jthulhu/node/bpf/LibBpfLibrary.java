package io.jthulhu.node.bpf;

import com.sun.jna.NativeLibrary;

/** Finds the system's libbpf for JNA direct mapping: the runtime soname first, the dev symlink second. */
public final class LibBpfLibrary {
    private LibBpfLibrary() {
    }

    /** @throws UnsatisfiedLinkError if neither libbpf.so.1 nor libbpf.so is installed */
    public static NativeLibrary load() {
        try {
            return NativeLibrary.getInstance("bpf.so.1");
        } catch (UnsatisfiedLinkError e) {
            return NativeLibrary.getInstance("bpf");
        }
    }
}
