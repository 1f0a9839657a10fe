package io.jthulhu.node.bpf.btf;

/** An ELF object or BTF blob that cannot be read; the message says where and why. */
public final class BtfFormatException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public BtfFormatException(String message) {
        super(message);
    }
}
