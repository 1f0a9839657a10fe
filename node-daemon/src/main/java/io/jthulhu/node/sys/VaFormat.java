package io.jthulhu.node.sys;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;

/** Formats a C printf format with a va_list, as handed to libbpf's print callback. */
public final class VaFormat {
    static {
        Native.register(NativeLibrary.getInstance("c"));
    }

    private VaFormat() {
    }

    private static native int vsnprintf(byte[] buf, long size, String format, Pointer vaList);

    /** On x86-64 a va_list parameter decays to a pointer to its one-element array. */
    public static String format(String format, Pointer vaList) {
        byte[] buf = new byte[8192];
        int n = vsnprintf(buf, buf.length, format, vaList);
        if (n < 0) {
            return format;
        }
        return new String(buf, 0, Math.min(n, buf.length - 1), java.nio.charset.StandardCharsets.UTF_8);
    }
}
