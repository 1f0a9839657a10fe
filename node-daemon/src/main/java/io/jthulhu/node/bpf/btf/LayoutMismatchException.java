package io.jthulhu.node.bpf.btf;

import java.util.List;

/** The Java record descriptors disagree with the BTF of the BPF object; lists every difference. */
public final class LayoutMismatchException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final transient List<String> mismatches;

    public LayoutMismatchException(List<String> mismatches) {
        super("Java record layouts do not match the BPF object's BTF:\n  " + String.join("\n  ", mismatches));
        this.mismatches = List.copyOf(mismatches);
    }

    public List<String> mismatches() {
        return mismatches;
    }
}
