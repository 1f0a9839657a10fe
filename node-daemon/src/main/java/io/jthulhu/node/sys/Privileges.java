package io.jthulhu.node.sys;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Whether this process may load and attach a sched_ext scheduler. */
public final class Privileges {
    static final int CAP_SYS_ADMIN = 21;
    static final int CAP_BPF = 39;

    private Privileges() {
    }

    /** Effective capability mask from /proc/self/status, or 0 when it cannot be read. */
    public static long effectiveCapabilities() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("CapEff:")) {
                    return Long.parseUnsignedLong(line.substring(7).trim(), 16);
                }
            }
        } catch (IOException | NumberFormatException e) {
            return 0;
        }
        return 0;
    }

    /** sched_ext struct_ops needs CAP_BPF and CAP_SYS_ADMIN (root has both unless dropped). */
    public static boolean canAttachScheduler(long capEff) {
        return (capEff & (1L << CAP_SYS_ADMIN)) != 0 && (capEff & (1L << CAP_BPF)) != 0;
    }
}
