package io.jthulhu.node.sys;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.PointerByReference;

/** Formats a C printf format with a va_list, as handed to libbpf's print callback. */
public final class VaFormat {
    static {
        Native.register(NativeLibrary.getInstance("c"));
    }

    private VaFormat() {
    }

    private static native int vasprintf(PointerByReference out, String format, Pointer vaList);

    private static native void free(Pointer p);

    /**
     * On x86-64 a va_list parameter decays to a pointer to its one-element array. vasprintf
     * sizes the result itself: a verifier log is one "%s" of up to megabytes, and its last lines
     * (the error) are the ones that matter.
     */
    public static String format(String format, Pointer vaList) {
        PointerByReference out = new PointerByReference();
        if (vasprintf(out, format, vaList) < 0 || out.getValue() == null) {
            return format;
        }
        try {
            return out.getValue().getString(0, "UTF-8");
        } finally {
            free(out.getValue());
        }
    }
}
