package io.jthulhu.node.bpf.btf;

/**
 * One member of a BTF struct or union.
 *
 * @param name         member name ("" for an anonymous member)
 * @param bitOffset    offset from the start of the struct, in bits
 * @param bitfieldSize width in bits for a bitfield, 0 otherwise
 * @param typeId       BTF type id of the member
 * @param size         size of the member's type in bytes (typedefs, qualifiers and arrays resolved)
 * @param structName   name of the struct/union the member's type resolves to, or null
 */
public record BtfMember(String name, long bitOffset, int bitfieldSize, int typeId, long size, String structName) {
    /** True if the member does not start on a byte boundary or is a bitfield. */
    public boolean isBitfield() {
        return bitfieldSize != 0 || bitOffset % 8 != 0;
    }

    public long byteOffset() {
        return bitOffset / 8;
    }
}
