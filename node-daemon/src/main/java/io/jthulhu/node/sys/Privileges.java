package io.jthulhu.node.sys;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Whether this process may load and attach a sched_ext scheduler. */
public final class Privileges {
    static final int CAP_SYS_ADMIN = 21;
    static final int CAP_PERFMON = 38;
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

    /**
     * The kernel creates a struct_ops map with CAP_BPF and loads struct_ops programs with CAP_BPF and CAP_PERFMON;
     * CAP_SYS_ADMIN stands in for both (its bpf_capable() and perfmon_capable()), so a container may drop it.
     */
    public static boolean canAttachScheduler(long capEff) {
        boolean admin = has(capEff, CAP_SYS_ADMIN);
        return (admin || has(capEff, CAP_BPF)) && (admin || has(capEff, CAP_PERFMON));
    }

    private static boolean has(long capEff, int cap) {
        return (capEff & (1L << cap)) != 0;
    }
}
