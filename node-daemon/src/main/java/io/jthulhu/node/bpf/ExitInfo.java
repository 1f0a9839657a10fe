package io.jthulhu.node.bpf;

import io.jthulhu.node.bpf.layout.Abi;
import io.jthulhu.node.bpf.layout.ExitInfoLayout;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Why the kernel stopped the scheduler, as BPF copied it from struct scx_exit_info.
 *
 * @param kind     SCX_EXIT_* (0: still running; 1..: done/unregistered; 1024..: errors)
 * @param exitCode user exit code; bit 48 (SCX_ECODE_ACT_RESTART) asks user space to re-attach
 */
public record ExitInfo(int kind, long exitCode, String reason, String message) {
    public static final ExitInfo NONE = new ExitInfo(0, 0, "", "");
    static final long ECODE_ACT_RESTART = 1L << 48;

    public boolean exited() {
        return kind != 0;
    }

    /** The kernel asks to be re-attached at once (e.g. after CPU hotplug). */
    public boolean restartRequested() {
        return (exitCode & ECODE_ACT_RESTART) != 0;
    }

    public String describe() {
        if (!exited()) {
            return "";
        }
        StringBuilder sb = new StringBuilder("kind=").append(kind);
        if (!reason.isEmpty()) {
            sb.append(" reason=\"").append(reason).append('"');
        }
        if (!message.isEmpty()) {
            sb.append(" msg=\"").append(message).append('"');
        }
        if (exitCode != 0) {
            sb.append(" exit_code=0x").append(Long.toHexString(exitCode));
        }
        return sb.toString();
    }

    static ExitInfo read(ByteBuffer shared, int base) {
        int kind = shared.getInt(base + ExitInfoLayout.KIND);
        if (kind == 0) {
            return NONE;
        }
        return new ExitInfo(kind, shared.getLong(base + ExitInfoLayout.EXIT_CODE),
                cString(shared, base + ExitInfoLayout.REASON, Abi.EXIT_REASON_LEN),
                cString(shared, base + ExitInfoLayout.MSG, Abi.EXIT_MSG_LEN));
    }

    private static String cString(ByteBuffer b, int offset, int max) {
        int len = 0;
        while (len < max && b.get(offset + len) != 0) {
            len++;
        }
        byte[] bytes = new byte[len];
        b.get(offset, bytes);
        return new String(bytes, StandardCharsets.UTF_8).trim();
    }
}
