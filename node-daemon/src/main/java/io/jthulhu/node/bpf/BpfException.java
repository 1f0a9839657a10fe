package io.jthulhu.node.bpf;

/** A failure to open, load, attach or talk to the BPF scheduler, with a message meant for operators. */
public final class BpfException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** What went wrong, so callers can react (exit code, node status) without parsing messages. */
    public enum Kind {
        /** Missing CAP_BPF + CAP_PERFMON (or CAP_SYS_ADMIN, which stands in for both). */
        NOT_PERMITTED,
        /** The running kernel has no sched_ext (CONFIG_SCHED_CLASS_EXT). */
        KERNEL_UNSUPPORTED,
        /** Another sched_ext scheduler is attached. */
        ALREADY_ATTACHED,
        /** libbpf.so.1 (1.4 or newer) could not be loaded. */
        LIBBPF_UNAVAILABLE,
        /** The object could not be opened or failed the verifier. */
        LOAD_FAILED,
        /** Attaching the struct_ops map failed for another reason. */
        ATTACH_FAILED,
        /** A map could not be found or memory-mapped. */
        MAP_FAILED
    }

    private final Kind kind;

    public BpfException(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}
