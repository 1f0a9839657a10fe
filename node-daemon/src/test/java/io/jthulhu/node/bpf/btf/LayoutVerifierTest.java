package io.jthulhu.node.bpf.btf;

import io.jthulhu.node.bpf.layout.StructLayout;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Descriptors that match and, above all, every way one can fail to match. */
class LayoutVerifierTest {
    static final String SOURCE = """
            typedef int s32;
            typedef unsigned int u32;
            typedef unsigned long long u64;
            struct sub { u32 x; u32 y; };
            struct other { u32 x; u32 y; };
            struct rec { s32 pid; u32 flags; u64 stamp; struct sub inner; };
            struct bits { u32 a : 8; u32 b : 24; u32 c; };
            struct rec r; struct bits b; struct other o;
            """;

    static final StructLayout SUB = StructLayout.builder("sub", 8).field("x", 0, 4).field("y", 4, 4).build();
    static final StructLayout OTHER = StructLayout.builder("other", 8).field("x", 0, 4).field("y", 4, 4).build();
    static final StructLayout REC = StructLayout.builder("rec", 24)
            .field("pid", 0, 4).field("flags", 4, 4).field("stamp", 8, 8).struct("inner", 16, SUB).build();

    static Btf btf;

    @BeforeAll
    static void compile(@TempDir Path dir) throws Exception {
        btf = Btf.fromElf(BpfCompiler.compile(dir, "rec.c", SOURCE, true));
    }

    @Test
    void matchingDescriptorsHaveNoMismatches() {
        assertThat(LayoutVerifier.mismatches(btf, REC)).isEmpty();
        assertThat(LayoutVerifier.mismatches(btf, SUB)).isEmpty();
        LayoutVerifier.verify(btf, List.of(REC, SUB));
    }

    @Test
    void wrongOffsetNamesStructFieldExpectedAndActual() {
        // stamp declared at 12 (pretending flags were 8 bytes wide), really at 8.
        StructLayout wrong = StructLayout.builder("rec", 24)
                .field("pid", 0, 4).field("flags", 4, 8).field("stamp", 12, 4)
                .field("pad", 16, 8).build();
        assertThat(LayoutVerifier.mismatches(btf, wrong)).contains(
                "struct rec, field flags: size expected 8, actual 4",
                "struct rec, field stamp: offset expected 12, actual 8",
                "struct rec, field stamp: size expected 4, actual 8",
                "struct rec, field pad: missing in BTF (expected at offset 16, size 8)",
                "struct rec, field inner: in BTF (offset 16, size 8) but not in the Java descriptor");
        assertThatThrownBy(() -> LayoutVerifier.verify(btf, List.of(wrong)))
                .isInstanceOf(LayoutMismatchException.class)
                .hasMessageContaining("struct rec, field stamp: offset expected 12, actual 8");
    }

    @Test
    void sizeMismatchAndMissingStructAreReported() {
        StructLayout bigger = StructLayout.builder("sub", 16).field("x", 0, 4).field("y", 4, 4)
                .field("z", 8, 8).build();
        assertThat(LayoutVerifier.mismatches(btf, bigger)).containsExactly(
                "struct sub: size expected 16, actual 8",
                "struct sub, field z: missing in BTF (expected at offset 8, size 8)");
        StructLayout absent = StructLayout.builder("absent", 8).field("x", 0, 8).build();
        assertThat(LayoutVerifier.mismatches(btf, absent)).singleElement().asString()
                .contains("struct absent: not found in BTF");
    }

    @Test
    void renamedFieldIsBothMissingAndExtra() {
        StructLayout renamed = StructLayout.builder("sub", 8).field("x", 0, 4).field("why", 4, 4).build();
        assertThat(LayoutVerifier.mismatches(btf, renamed)).containsExactly(
                "struct sub, field why: missing in BTF (expected at offset 4, size 4)",
                "struct sub, field y: in BTF (offset 4, size 4) but not in the Java descriptor");
    }

    @Test
    void nestedStructOfTheWrongTypeIsReported() {
        StructLayout wrongNested = StructLayout.builder("rec", 24)
                .field("pid", 0, 4).field("flags", 4, 4).field("stamp", 8, 8).struct("inner", 16, OTHER).build();
        assertThat(LayoutVerifier.mismatches(btf, wrongNested)).containsExactly(
                "struct rec, field inner: type expected struct other, actual struct sub");
        StructLayout scalarAsStruct = StructLayout.builder("rec", 24)
                .field("pid", 0, 4).field("flags", 4, 4).struct("stamp", 8, SUB).field("inner", 16, 8).build();
        assertThat(LayoutVerifier.mismatches(btf, scalarAsStruct)).containsExactly(
                "struct rec, field stamp: type expected struct sub, actual a non-struct type");
    }

    @Test
    void bitfieldsAreReported() {
        StructLayout asWords = StructLayout.builder("bits", 8).field("a", 0, 4).field("c", 4, 4).build();
        assertThat(LayoutVerifier.mismatches(btf, asWords)).containsExactly(
                "struct bits, field a: is a bitfield in BTF (bit offset 0, 8 bits)",
                "struct bits, field b: in BTF (offset 1, size 4) but not in the Java descriptor");
    }
}
