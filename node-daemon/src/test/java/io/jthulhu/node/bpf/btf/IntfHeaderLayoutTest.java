package io.jthulhu.node.bpf.btf;

import io.jthulhu.node.bpf.layout.Abi;
import io.jthulhu.node.bpf.layout.Layouts;
import io.jthulhu.node.bpf.layout.StructLayout;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Java descriptors against bpf/intf.h itself, compiled here on its own: independent of the
 * scheduler object, so a drift is caught even when the BPF program does not build.
 */
class IntfHeaderLayoutTest {
    @Test
    void everyDescriptorMatchesTheHeader(@TempDir Path dir) throws Exception {
        Path header = Path.of(System.getProperty("basedir", ".")).resolve("../bpf/intf.h").normalize();
        assertThat(header).as("bpf/intf.h next to the node-daemon module").isRegularFile();
        // Typedefs as vmlinux.h provides them, which is how the BPF sources include the header.
        String source = """
                #define __VMLINUX_H__
                typedef unsigned char u8;
                typedef unsigned int u32;
                typedef int s32;
                typedef unsigned long long u64;
                typedef long long s64;
                #include "intf.h"
                struct jt_policy policy;
                struct jt_queued_task queued;
                struct jt_dispatch dispatch;
                struct jt_exit_info exit_info;
                const volatile struct jt_config config;
                struct jt_stats stats;
                struct jt_pod_stats pod_stats;
                struct jt_shared shared;
                """ + constantChecks();
        Btf btf = Btf.fromElf(BpfCompiler.compile(dir, "intf_layouts.c", source, true,
                "-I", header.getParent().toString()));
        for (StructLayout layout : Layouts.ALL) {
            assertThat(LayoutVerifier.mismatches(btf, layout)).as(layout.toString()).isEmpty();
        }
        assertThat(Files.readString(header)).contains("#define JT_ABI_VERSION " + Abi.ABI_VERSION);
    }

    /** The compiler checks every Java constant against the header's #define/enum value. */
    private static String constantChecks() {
        Object[][] constants = {
                {"JT_ABI_VERSION", Abi.ABI_VERSION}, {"JT_CPU_ANY", Abi.CPU_ANY}, {"JT_MAX_CPUS", Abi.MAX_CPUS},
                {"JT_MAX_SLICE_NS", Abi.MAX_SLICE_NS},
                {"JT_CLASS_NORMAL", Abi.CLASS_NORMAL}, {"JT_CLASS_LATENCY_CRITICAL", Abi.CLASS_LATENCY_CRITICAL},
                {"JT_CLASS_BATCH", Abi.CLASS_BATCH}, {"JT_CLASS_IDLE", Abi.CLASS_IDLE},
                {"JT_POLICY_PRESENT", Abi.POLICY_PRESENT}, {"JT_POLICY_PREEMPT", Abi.POLICY_PREEMPT},
                {"JT_TASK_WAKEUP", Abi.TASK_WAKEUP}, {"JT_TASK_PREV_CPU_IDLE", Abi.TASK_PREV_CPU_IDLE},
                {"JT_TASK_KTHREAD", Abi.TASK_KTHREAD}, {"JT_DISPATCH_PREEMPT", Abi.DISPATCH_PREEMPT},
                {"JT_DISPATCH_PREEMPT_CLASS", Abi.DISPATCH_PREEMPT_CLASS},
                {"JT_CFG_DIRECT_PINNED", Abi.CFG_DIRECT_PINNED}, {"JT_CFG_DIRECT_IDLE", Abi.CFG_DIRECT_IDLE},
                {"JT_CFG_POD_STATS", Abi.CFG_POD_STATS},
                {"JT_CFG_WAKE_PREEMPT", Abi.CFG_WAKE_PREEMPT}, {"JT_WAIT_BUCKETS", Abi.WAIT_BUCKETS},
                {"JT_WEIGHT_DEFAULT", Abi.WEIGHT_DEFAULT}, {"JT_WEIGHT_MIN", Abi.WEIGHT_MIN},
                {"JT_WEIGHT_MAX", Abi.WEIGHT_MAX}, {"JT_DEFAULT_RUNTIME_CAP_NS", Abi.DEFAULT_RUNTIME_CAP_NS},
                {"JT_EXIT_REASON_LEN", Abi.EXIT_REASON_LEN}, {"JT_EXIT_MSG_LEN", Abi.EXIT_MSG_LEN},
                {"JT_EXIT_DUMP_LEN", Abi.EXIT_DUMP_LEN},
        };
        StringBuilder c = new StringBuilder();
        for (Object[] k : constants) {
            c.append("_Static_assert((long long)(").append(k[0]).append(") == ").append(k[1])
                    .append("LL, \"Java constant for ").append(k[0]).append(" is ").append(k[1]).append("\");\n");
        }
        return c.toString();
    }
}
