package io.jthulhu.node.bpf.layout;

import java.util.Objects;

/**
 * One member of a BPF record: its C name, byte offset and size. A member that is itself a struct
 * names that struct's layout, so verification can descend into it.
 */
public record FieldLayout(String name, int offset, int size, StructLayout nested) {
    public FieldLayout {
        Objects.requireNonNull(name, "name");
        if (name.isEmpty()) {
            throw new IllegalArgumentException("field name must not be empty");
        }
        if (offset < 0) {
            throw new IllegalArgumentException("field " + name + ": offset must be >= 0, was " + offset);
        }
        if (size <= 0) {
            throw new IllegalArgumentException("field " + name + ": size must be > 0, was " + size);
        }
        if (nested != null && nested.size() != size) {
            throw new IllegalArgumentException("field " + name + ": size " + size + " differs from struct "
                    + nested.name() + " size " + nested.size());
        }
    }

    /** Offset of the first byte after this field. */
    public int end() {
        return offset + size;
    }
}
