package io.jthulhu.node.bpf.layout;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class StructLayoutTest {
    @Test
    void rejectsHolesOverlapsAndBadSizes() {
        assertThatThrownBy(() -> StructLayout.builder("s", 16).field("a", 0, 4).field("b", 8, 8).build())
                .hasMessageContaining("struct s: field b at offset 8 but the previous field ends at 4");
        assertThatThrownBy(() -> StructLayout.builder("s", 8).field("a", 0, 8).field("b", 4, 4).build())
                .hasMessageContaining("field b at offset 4 but the previous field ends at 8");
        assertThatThrownBy(() -> StructLayout.builder("s", 16).field("a", 0, 8).build())
                .hasMessageContaining("struct s: fields end at 8 but the size is 16");
        assertThatThrownBy(() -> StructLayout.builder("s", 4).field("a", 0, 4).build())
                .hasMessageContaining("size 4 is not a multiple of 8");
        assertThatThrownBy(() -> StructLayout.builder("s", 8).field("a", 0, 0).build())
                .hasMessageContaining("field a: size must be > 0");
    }

    @Test
    void descriptorsHaveTheSizesOfIntfH() {
        assertThat(Layouts.ALL).extracting(StructLayout::name, StructLayout::size).containsExactly(
                org.assertj.core.groups.Tuple.tuple("jt_policy", 16),
                org.assertj.core.groups.Tuple.tuple("jt_queued_task", 96),
                org.assertj.core.groups.Tuple.tuple("jt_dispatch", 40),
                org.assertj.core.groups.Tuple.tuple("jt_exit_info", 1168),
                org.assertj.core.groups.Tuple.tuple("jt_config", 56),
                org.assertj.core.groups.Tuple.tuple("jt_stats", 96),
                org.assertj.core.groups.Tuple.tuple("jt_pod_stats", 160),
                org.assertj.core.groups.Tuple.tuple("jt_shared", 2600));
        assertThat(QueuedTaskLayout.DESCRIPTOR.field("policy").nested()).isSameAs(PolicyLayout.DESCRIPTOR);
        assertThat(SharedLayout.DESCRIPTOR.field("exit").offset()).isEqualTo(SharedLayout.EXIT);
        assertThatThrownBy(() -> DispatchLayout.DESCRIPTOR.field("nope"))
                .hasMessage("struct jt_dispatch has no field nope");
    }
}
