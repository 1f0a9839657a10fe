package io.jthulhu.node.bpf.btf;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Just enough of an ELF64 little-endian object file to find sections by name (BPF objects are
 * always ELF64; libbpf only loads the host's byte order, little-endian here).
 */
public final class ElfObject {
    private static final int EHDR_SIZE = 64;
    private static final int SHDR_SIZE = 64;
    private static final int SHT_NOBITS = 8;
    private static final int SHN_XINDEX = 0xffff;

    private final ByteBuffer file;
    private final Map<String, Section> sections;

    private record Section(long offset, long size, int type) {
    }

    private ElfObject(ByteBuffer file, Map<String, Section> sections) {
        this.file = file;
        this.sections = sections;
    }

    /** Parses the ELF and section headers of {@code bytes}. */
    public static ElfObject parse(byte[] bytes) {
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        if (bytes.length < EHDR_SIZE) {
            throw new BtfFormatException("ELF: file of " + bytes.length + " bytes is shorter than the ELF header");
        }
        if (b.getInt(0) != 0x464c457f) {
            throw new BtfFormatException("ELF: bad magic (not an ELF file)");
        }
        if (b.get(4) != 2) {
            throw new BtfFormatException("ELF: EI_CLASS " + b.get(4) + " is not ELFCLASS64");
        }
        if (b.get(5) != 1) {
            throw new BtfFormatException("ELF: EI_DATA " + b.get(5) + " is not little-endian");
        }
        long shoff = b.getLong(0x28);
        int shentsize = Short.toUnsignedInt(b.getShort(0x3a));
        long shnum = Short.toUnsignedInt(b.getShort(0x3c));
        int shstrndx = Short.toUnsignedInt(b.getShort(0x3e));
        if (shoff == 0) {
            throw new BtfFormatException("ELF: no section header table");
        }
        if (shentsize != SHDR_SIZE) {
            throw new BtfFormatException("ELF: e_shentsize " + shentsize + ", expected " + SHDR_SIZE);
        }
        checkRange(bytes.length, shoff, SHDR_SIZE, "section header 0");
        if (shnum == 0) {
            shnum = b.getLong((int) shoff + 32); // extended numbering: count in section 0's sh_size
        }
        if (shstrndx == SHN_XINDEX) {
            shstrndx = b.getInt((int) shoff + 40); // extended numbering: index in section 0's sh_link
        }
        checkRange(bytes.length, shoff, shnum * SHDR_SIZE, "section header table");
        if (shstrndx >= shnum) {
            throw new BtfFormatException("ELF: e_shstrndx " + shstrndx + " >= section count " + shnum);
        }
        Section[] headers = new Section[(int) shnum];
        int[] nameOffsets = new int[(int) shnum];
        for (int i = 0; i < shnum; i++) {
            int at = (int) (shoff + (long) i * SHDR_SIZE);
            nameOffsets[i] = b.getInt(at);
            int type = b.getInt(at + 4);
            long offset = b.getLong(at + 24);
            long size = b.getLong(at + 32);
            if (type != SHT_NOBITS) {
                checkRange(bytes.length, offset, size, "section #" + i);
            }
            headers[i] = new Section(offset, size, type);
        }
        Section names = headers[shstrndx];
        Map<String, Section> byName = new LinkedHashMap<>();
        for (int i = 1; i < shnum; i++) {
            if (Integer.toUnsignedLong(nameOffsets[i]) >= names.size()) {
                throw new BtfFormatException("ELF: section #" + i + " name offset " + nameOffsets[i]
                        + " is outside the section name table");
            }
            byName.putIfAbsent(cString(bytes, (int) (names.offset() + nameOffsets[i]), (int) (names.offset() + names.size())), headers[i]);
        }
        return new ElfObject(b, byName);
    }

    /** The contents of the section called {@code name}, as a little-endian buffer. */
    public Optional<ByteBuffer> section(String name) {
        Section s = sections.get(name);
        if (s == null || s.type() == SHT_NOBITS) {
            return Optional.empty();
        }
        ByteBuffer slice = file.duplicate().position((int) s.offset()).limit((int) (s.offset() + s.size())).slice();
        return Optional.of(slice.order(ByteOrder.LITTLE_ENDIAN));
    }

    private static void checkRange(int fileSize, long offset, long size, String what) {
        if (offset < 0 || size < 0 || offset + size > fileSize) {
            throw new BtfFormatException("ELF: " + what + " (offset " + offset + ", size " + size
                    + ") lies outside the file of " + fileSize + " bytes");
        }
    }

    private static String cString(byte[] bytes, int from, int limit) {
        int end = from;
        while (end < limit && bytes[end] != 0) {
            end++;
        }
        return new String(bytes, from, end - from, StandardCharsets.UTF_8);
    }
}
