package io.jthulhu.node.bpf.btf;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Reader for the BTF type information of a compiled BPF object (the ".BTF" ELF section): header,
 * type section and string section, as specified in the kernel's Documentation/bpf/btf.rst.
 * Enough to resolve struct/union members to byte offsets and sizes.
 */
public final class Btf {
    private static final int MAGIC = 0xeB9F;
    private static final int MIN_HEADER_LEN = 24;
    private static final int TYPE_HEADER_LEN = 12;
    /** Bounds typedef/qualifier chains so a malformed (cyclic) blob fails instead of looping. */
    private static final int MAX_RESOLVE_DEPTH = 64;

    static final int KIND_INT = 1;
    static final int KIND_PTR = 2;
    static final int KIND_ARRAY = 3;
    static final int KIND_STRUCT = 4;
    static final int KIND_UNION = 5;
    static final int KIND_ENUM = 6;
    static final int KIND_FWD = 7;
    static final int KIND_TYPEDEF = 8;
    static final int KIND_VOLATILE = 9;
    static final int KIND_CONST = 10;
    static final int KIND_RESTRICT = 11;
    static final int KIND_FUNC = 12;
    static final int KIND_FUNC_PROTO = 13;
    static final int KIND_VAR = 14;
    static final int KIND_DATASEC = 15;
    static final int KIND_FLOAT = 16;
    static final int KIND_DECL_TAG = 17;
    static final int KIND_TYPE_TAG = 18;
    static final int KIND_ENUM64 = 19;

    private final ByteBuffer types;
    private final ByteBuffer strings;
    /** Index = type id; entry 0 is "void". */
    private final int[] typeOffset;

    private Btf(ByteBuffer types, ByteBuffer strings, int[] typeOffset) {
        this.types = types;
        this.strings = strings;
        this.typeOffset = typeOffset;
    }

    /** Reads the ".BTF" section of an ELF object. */
    public static Btf fromElf(byte[] elfObject) {
        ByteBuffer section = ElfObject.parse(elfObject).section(".BTF")
                .orElseThrow(() -> new BtfFormatException("ELF: no .BTF section (object built without -g?)"));
        return parse(section);
    }

    /** Parses a raw BTF blob (header + types + strings). */
    public static Btf parse(ByteBuffer blob) {
        ByteBuffer b = blob.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        int base = b.position();
        int length = b.remaining();
        if (length < MIN_HEADER_LEN) {
            throw new BtfFormatException("BTF: blob of " + length + " bytes is shorter than the header");
        }
        int magic = Short.toUnsignedInt(b.getShort(base));
        if (magic != MAGIC) {
            throw new BtfFormatException(String.format("BTF: bad magic 0x%04x (expected 0x%04x; big-endian BTF is not supported)", magic, MAGIC));
        }
        int version = Byte.toUnsignedInt(b.get(base + 2));
        if (version != 1) {
            throw new BtfFormatException("BTF: unsupported version " + version);
        }
        long hdrLen = Integer.toUnsignedLong(b.getInt(base + 4));
        long typeOff = Integer.toUnsignedLong(b.getInt(base + 8));
        long typeLen = Integer.toUnsignedLong(b.getInt(base + 12));
        long strOff = Integer.toUnsignedLong(b.getInt(base + 16));
        long strLen = Integer.toUnsignedLong(b.getInt(base + 20));
        if (hdrLen < MIN_HEADER_LEN) {
            throw new BtfFormatException("BTF: hdr_len " + hdrLen + " < " + MIN_HEADER_LEN);
        }
        checkSection(length, hdrLen, typeOff, typeLen, "type");
        checkSection(length, hdrLen, strOff, strLen, "string");
        if (typeLen % 4 != 0) {
            throw new BtfFormatException("BTF: type section length " + typeLen + " is not a multiple of 4");
        }
        ByteBuffer types = slice(b, base + hdrLen + typeOff, typeLen);
        ByteBuffer strings = slice(b, base + hdrLen + strOff, strLen);
        if (strLen == 0 || strings.get(0) != 0 || strings.get((int) strLen - 1) != 0) {
            throw new BtfFormatException("BTF: string section must start and end with a NUL byte");
        }
        return new Btf(types, strings, indexTypes(types));
    }

    private static int[] indexTypes(ByteBuffer types) {
        List<Integer> offsets = new ArrayList<>();
        offsets.add(-1); // type id 0: void
        int at = 0;
        int limit = types.limit();
        while (at < limit) {
            if (limit - at < TYPE_HEADER_LEN) {
                throw new BtfFormatException("BTF: truncated type #" + offsets.size() + " at type offset " + at);
            }
            int info = types.getInt(at + 4);
            int kind = kindOf(info);
            int vlen = info & 0xffff;
            int extra = switch (kind) {
                case KIND_INT, KIND_VAR, KIND_DECL_TAG -> 4;
                case KIND_PTR, KIND_FWD, KIND_TYPEDEF, KIND_VOLATILE, KIND_CONST, KIND_RESTRICT,
                        KIND_FUNC, KIND_FLOAT, KIND_TYPE_TAG -> 0;
                case KIND_ARRAY -> 12;
                case KIND_STRUCT, KIND_UNION, KIND_DATASEC, KIND_ENUM64 -> 12 * vlen;
                case KIND_ENUM, KIND_FUNC_PROTO -> 8 * vlen;
                default -> throw new BtfFormatException("BTF: type #" + offsets.size() + " has unknown kind " + kind);
            };
            if (limit - at - TYPE_HEADER_LEN < extra) {
                throw new BtfFormatException("BTF: type #" + offsets.size() + " runs past the type section");
            }
            offsets.add(at);
            at += TYPE_HEADER_LEN + extra;
        }
        return offsets.stream().mapToInt(Integer::intValue).toArray();
    }

    /** Number of type ids, including 0 (void). */
    public int typeCount() {
        return typeOffset.length;
    }

    /** The first struct (not union, not forward declaration) called {@code name}. */
    public Optional<BtfStruct> findStruct(String name) {
        for (int id = 1; id < typeOffset.length; id++) {
            if (kind(id) == KIND_STRUCT && name.equals(name(id))) {
                return Optional.of(struct(id));
            }
        }
        return Optional.empty();
    }

    /** The struct or union with type id {@code id}, members resolved. */
    public BtfStruct struct(int id) {
        int kind = kind(id);
        if (kind != KIND_STRUCT && kind != KIND_UNION) {
            throw new BtfFormatException("BTF: type #" + id + " is kind " + kind + ", not a struct or union");
        }
        int at = typeOffset[id];
        int info = types.getInt(at + 4);
        boolean kindFlag = (info >>> 31) != 0;
        int vlen = info & 0xffff;
        List<BtfMember> members = new ArrayList<>(vlen);
        for (int i = 0; i < vlen; i++) {
            int m = at + TYPE_HEADER_LEN + 12 * i;
            String memberName = string(types.getInt(m));
            int memberType = types.getInt(m + 4);
            long rawOffset = Integer.toUnsignedLong(types.getInt(m + 8));
            long bitOffset = kindFlag ? rawOffset & 0xffffff : rawOffset;
            int bitfieldSize = kindFlag ? (int) (rawOffset >>> 24) : 0;
            members.add(new BtfMember(memberName, bitOffset, bitfieldSize, memberType,
                    sizeOf(memberType), structNameOf(memberType)));
        }
        return new BtfStruct(name(id), Integer.toUnsignedLong(types.getInt(at + 8)), kind == KIND_UNION, members);
    }

    /** Size in bytes of type {@code id}, following typedefs, qualifiers and arrays. */
    public long sizeOf(int id) {
        int resolved = id;
        long multiplier = 1;
        for (int depth = 0; depth < MAX_RESOLVE_DEPTH; depth++) {
            checkId(resolved);
            if (resolved == 0) {
                throw new BtfFormatException("BTF: type #" + id + " resolves to void, which has no size");
            }
            int at = typeOffset[resolved];
            switch (kind(resolved)) {
                case KIND_INT, KIND_ENUM, KIND_ENUM64, KIND_STRUCT, KIND_UNION, KIND_FLOAT, KIND_DATASEC:
                    return multiplier * Integer.toUnsignedLong(types.getInt(at + 8));
                case KIND_PTR:
                    return multiplier * 8;
                case KIND_TYPEDEF, KIND_VOLATILE, KIND_CONST, KIND_RESTRICT, KIND_TYPE_TAG:
                    resolved = types.getInt(at + 8);
                    break;
                case KIND_ARRAY:
                    multiplier *= Integer.toUnsignedLong(types.getInt(at + TYPE_HEADER_LEN + 8));
                    resolved = types.getInt(at + TYPE_HEADER_LEN);
                    break;
                default:
                    throw new BtfFormatException("BTF: type #" + resolved + " (kind " + kind(resolved)
                            + ") has no size");
            }
        }
        throw new BtfFormatException("BTF: type #" + id + " does not resolve within " + MAX_RESOLVE_DEPTH + " steps");
    }

    /** Name of the struct/union that {@code id} is after typedefs and qualifiers, or null. */
    private String structNameOf(int id) {
        int resolved = id;
        for (int depth = 0; depth < MAX_RESOLVE_DEPTH && resolved != 0; depth++) {
            checkId(resolved);
            int kind = kind(resolved);
            if (kind == KIND_STRUCT || kind == KIND_UNION) {
                return name(resolved);
            }
            if (kind != KIND_TYPEDEF && kind != KIND_VOLATILE && kind != KIND_CONST
                    && kind != KIND_RESTRICT && kind != KIND_TYPE_TAG) {
                return null;
            }
            resolved = types.getInt(typeOffset[resolved] + 8);
        }
        return null;
    }

    private int kind(int id) {
        checkId(id);
        return id == 0 ? 0 : kindOf(types.getInt(typeOffset[id] + 4));
    }

    private String name(int id) {
        return string(types.getInt(typeOffset[id]));
    }

    private static int kindOf(int info) {
        return (info >>> 24) & 0x1f;
    }

    private void checkId(int id) {
        if (id < 0 || id >= typeOffset.length) {
            throw new BtfFormatException("BTF: type id " + Integer.toUnsignedString(id) + " out of range (have "
                    + typeOffset.length + " types)");
        }
    }

    private String string(int offset) {
        if (offset < 0 || offset >= strings.limit()) {
            throw new BtfFormatException("BTF: string offset " + Integer.toUnsignedString(offset)
                    + " outside the string section of " + strings.limit() + " bytes");
        }
        int end = offset;
        while (strings.get(end) != 0) {
            end++;
        }
        byte[] bytes = new byte[end - offset];
        strings.get(offset, bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    private static void checkSection(long blobLen, long hdrLen, long off, long len, String what) {
        if (hdrLen + off + len > blobLen) {
            throw new BtfFormatException("BTF: " + what + " section (offset " + off + ", length " + len
                    + ") runs past the blob of " + blobLen + " bytes");
        }
    }

    private static ByteBuffer slice(ByteBuffer b, long from, long len) {
        return b.duplicate().position((int) from).limit((int) (from + len)).slice().order(ByteOrder.LITTLE_ENDIAN);
    }
}
