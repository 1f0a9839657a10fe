package io.jthulhu.node.bpf.layout;

/** struct jt_exit_info: why the scheduler exited (kind != 0). */
public final class ExitInfoLayout {
    public static final int KIND = 0;
    public static final int PAD = 4;
    public static final int EXIT_CODE = 8;
    public static final int REASON = 16;
    public static final int MSG = REASON + Abi.EXIT_REASON_LEN;
    public static final int SIZE = MSG + Abi.EXIT_MSG_LEN;

    public static final StructLayout DESCRIPTOR = StructLayout.builder("jt_exit_info", SIZE)
            .field("kind", KIND, 4)
            .field("pad", PAD, 4)
            .field("exit_code", EXIT_CODE, 8)
            .field("reason", REASON, Abi.EXIT_REASON_LEN)
            .field("msg", MSG, Abi.EXIT_MSG_LEN)
            .build();

    private ExitInfoLayout() {
    }
}
