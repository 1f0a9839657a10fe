package io.jthulhu.node.bpf;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The kernel's sched_ext state as /sys/kernel/sched_ext shows it. */
public final class SchedExtSysfs {
    private final Path root;

    public SchedExtSysfs() {
        this(Path.of("/sys/kernel/sched_ext"));
    }

    public SchedExtSysfs(Path root) {
        this.root = root;
    }

    /** True when the kernel was built with sched_ext. */
    public boolean supported() {
        return Files.isDirectory(root);
    }

    /** "enabled", "disabled", "enabling", "disabling", or "unsupported". */
    public String state() {
        return read(root.resolve("state"), "unsupported");
    }

    /** Name of the attached scheduler, or "" when none. */
    public String attachedOps() {
        return read(root.resolve("root/ops"), "");
    }

    /** Bumped by the kernel every time a BPF scheduler is enabled. */
    public long enableSeq() {
        String s = read(root.resolve("enable_seq"), "0");
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static String read(Path p, String absent) {
        try {
            return Files.readString(p).trim();
        } catch (IOException e) {
            return absent;
        }
    }
}
