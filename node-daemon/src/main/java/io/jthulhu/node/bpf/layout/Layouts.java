package io.jthulhu.node.bpf.layout;

import java.util.List;

/** Every record of bpf/intf.h, for verification against the BTF of the compiled BPF object. */
public final class Layouts {
    public static final List<StructLayout> ALL = List.of(
            PolicyLayout.DESCRIPTOR,
            QueuedTaskLayout.DESCRIPTOR,
            DispatchLayout.DESCRIPTOR,
            ExitInfoLayout.DESCRIPTOR,
            ConfigLayout.DESCRIPTOR,
            StatsLayout.DESCRIPTOR,
            PodStatsLayout.DESCRIPTOR,
            SharedLayout.DESCRIPTOR);

    private Layouts() {
    }
}
