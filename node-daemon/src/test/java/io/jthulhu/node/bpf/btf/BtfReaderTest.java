package io.jthulhu.node.bpf.btf;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

/**
 * The ELF/BTF reader on an object compiled here from C. The C source checks the expected offsets
 * itself with _Static_assert, so the numbers below are the compiler's, not guesses.
 */
class BtfReaderTest {
    static final String SAMPLE = """
            typedef unsigned int u32;
            typedef unsigned long long u64;
            typedef u32 word_t;
            enum colour { RED, GREEN, BLUE };
            struct inner { u32 a; u64 b; };
            union either { u32 small; u64 big; };
            struct sample {
                char tag;                      /* 0 */
                const volatile word_t count;   /* 4: typedef chain + qualifiers */
                u64 stamps[3];                 /* 8: array */
                struct inner nested;           /* 32 */
                union either choice;           /* 48 */
                enum colour colour;            /* 56 */
                unsigned int low : 3;          /* 60: bitfields */
                unsigned int high : 5;
                void *ptr;                     /* 64 */
                unsigned short matrix[2][3];   /* 72: 2-d array */
            };
            _Static_assert(__builtin_offsetof(struct sample, count) == 4, "count");
            _Static_assert(__builtin_offsetof(struct sample, stamps) == 8, "stamps");
            _Static_assert(__builtin_offsetof(struct sample, nested) == 32, "nested");
            _Static_assert(__builtin_offsetof(struct sample, choice) == 48, "choice");
            _Static_assert(__builtin_offsetof(struct sample, colour) == 56, "colour");
            _Static_assert(__builtin_offsetof(struct sample, ptr) == 64, "ptr");
            _Static_assert(__builtin_offsetof(struct sample, matrix) == 72, "matrix");
            _Static_assert(sizeof(struct sample) == 88, "size");
            struct sample sample_instance;
            union either either_instance;
            """;

    static Btf btf;

    @BeforeAll
    static void compile(@TempDir Path dir) throws Exception {
        btf = Btf.fromElf(BpfCompiler.compile(dir, "sample.c", SAMPLE, true));
    }

    @Test
    void resolvesMembersToByteOffsetsAndSizes() {
        BtfStruct s = btf.findStruct("sample").orElseThrow();
        assertThat(s.size()).isEqualTo(88);
        assertThat(s.union()).isFalse();
        assertThat(s.members())
                .extracting(BtfMember::name, BtfMember::byteOffset, BtfMember::size, BtfMember::isBitfield)
                .containsExactly(
                        tuple("tag", 0L, 1L, false),
                        tuple("count", 4L, 4L, false),
                        tuple("stamps", 8L, 24L, false),
                        tuple("nested", 32L, 16L, false),
                        tuple("choice", 48L, 8L, false),
                        tuple("colour", 56L, 4L, false),
                        tuple("low", 60L, 4L, true),
                        tuple("high", 60L, 4L, true),
                        tuple("ptr", 64L, 8L, false),
                        tuple("matrix", 72L, 12L, false));
    }

    @Test
    void reportsBitfieldWidthsAndBitOffsets() {
        BtfStruct s = btf.findStruct("sample").orElseThrow();
        BtfMember low = s.members().get(6);
        BtfMember high = s.members().get(7);
        assertThat(low.bitOffset()).isEqualTo(480);
        assertThat(low.bitfieldSize()).isEqualTo(3);
        assertThat(high.bitOffset()).isEqualTo(483);
        assertThat(high.bitfieldSize()).isEqualTo(5);
    }

    @Test
    void namesTheStructOrUnionAMemberResolvesTo() {
        BtfStruct s = btf.findStruct("sample").orElseThrow();
        assertThat(s.members()).extracting(BtfMember::structName)
                .containsExactly(null, null, null, "inner", "either", null, null, null, null, null);
    }

    @Test
    void findStructIgnoresUnionsAndUnknownNames() {
        assertThat(btf.findStruct("either")).isEmpty();
        assertThat(btf.findStruct("no_such_struct")).isEmpty();
        assertThat(btf.findStruct("inner")).get().extracting(BtfStruct::size).isEqualTo(16L);
    }

    @Test
    void objectWithoutDebugInfoHasNoBtf(@TempDir Path dir) throws Exception {
        byte[] elf = BpfCompiler.compile(dir, "nodebug.c", "int x;\n", false);
        assertThatThrownBy(() -> Btf.fromElf(elf))
                .isInstanceOf(BtfFormatException.class)
                .hasMessageContaining("no .BTF section");
    }

    @Test
    void rejectsNonElfAndTruncatedInput(@TempDir Path dir) throws Exception {
        assertThatThrownBy(() -> Btf.fromElf(new byte[100]))
                .isInstanceOf(BtfFormatException.class).hasMessageContaining("bad magic");
        assertThatThrownBy(() -> Btf.fromElf(new byte[10]))
                .isInstanceOf(BtfFormatException.class).hasMessageContaining("shorter than the ELF header");
        byte[] elf = BpfCompiler.compile(dir, "trunc.c", SAMPLE, true);
        byte[] truncated = Arrays.copyOf(elf, elf.length / 2);
        assertThatThrownBy(() -> Btf.fromElf(truncated))
                .isInstanceOf(BtfFormatException.class).hasMessageContaining("outside the file");
    }

    @Test
    void rejectsCorruptBtfBlobs() {
        ByteBuffer badMagic = ByteBuffer.allocate(32).order(ByteOrder.LITTLE_ENDIAN);
        badMagic.putShort(0, (short) 0x1234);
        assertThatThrownBy(() -> Btf.parse(badMagic)).isInstanceOf(BtfFormatException.class)
                .hasMessageContaining("bad magic 0x1234");

        ByteBuffer overlong = header(24, 0, 1000, 0, 1);
        assertThatThrownBy(() -> Btf.parse(overlong)).isInstanceOf(BtfFormatException.class)
                .hasMessageContaining("type section").hasMessageContaining("runs past");

        // One type of unknown kind 31.
        ByteBuffer unknownKind = header(24 + 12 + 1, 0, 12, 12, 1);
        unknownKind.putInt(24 + 4, 31 << 24);
        assertThatThrownBy(() -> Btf.parse(unknownKind)).isInstanceOf(BtfFormatException.class)
                .hasMessageContaining("type #1 has unknown kind 31");
    }

    private static ByteBuffer header(int total, int typeOff, int typeLen, int strOff, int strLen) {
        ByteBuffer b = ByteBuffer.allocate(total).order(ByteOrder.LITTLE_ENDIAN);
        b.putShort(0, (short) 0xeB9F).put(2, (byte) 1).putInt(4, 24)
                .putInt(8, typeOff).putInt(12, typeLen).putInt(16, strOff).putInt(20, strLen);
        return b;
    }
}
