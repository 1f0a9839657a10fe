package io.jthulhu.node.bpf.layout;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Descriptor of one record of bpf/intf.h: the struct name, its total size and its members in
 * declaration order. The header's rules (explicit padding, total size a multiple of 8) are checked
 * on construction, so a descriptor with a hole, an overlap or a stray byte cannot exist.
 */
public final class StructLayout {
    private final String name;
    private final int size;
    private final List<FieldLayout> fields;

    private StructLayout(String name, int size, List<FieldLayout> fields) {
        this.name = name;
        this.size = size;
        this.fields = List.copyOf(fields);
        int expectedOffset = 0;
        for (FieldLayout f : this.fields) {
            if (f.offset() != expectedOffset) {
                throw new IllegalArgumentException("struct " + name + ": field " + f.name() + " at offset "
                        + f.offset() + " but the previous field ends at " + expectedOffset
                        + " (intf.h records have explicit padding, no holes or overlaps)");
            }
            expectedOffset = f.end();
        }
        if (expectedOffset != size) {
            throw new IllegalArgumentException("struct " + name + ": fields end at " + expectedOffset
                    + " but the size is " + size);
        }
        if (size % 8 != 0) {
            throw new IllegalArgumentException("struct " + name + ": size " + size + " is not a multiple of 8");
        }
    }

    public static Builder builder(String name, int size) {
        return new Builder(name, size);
    }

    public String name() {
        return name;
    }

    public int size() {
        return size;
    }

    /** Members in declaration order. */
    public List<FieldLayout> fields() {
        return fields;
    }

    /** The member called {@code fieldName}; throws if there is none. */
    public FieldLayout field(String fieldName) {
        for (FieldLayout f : fields) {
            if (f.name().equals(fieldName)) {
                return f;
            }
        }
        throw new IllegalArgumentException("struct " + name + " has no field " + fieldName);
    }

    @Override
    public String toString() {
        return "struct " + name + " (" + size + " bytes, " + fields.size() + " fields)";
    }

    /** Collects members in declaration order. */
    public static final class Builder {
        private final String name;
        private final int size;
        private final List<FieldLayout> fields = new ArrayList<>();

        private Builder(String name, int size) {
            this.name = Objects.requireNonNull(name, "name");
            this.size = size;
        }

        public Builder field(String fieldName, int offset, int fieldSize) {
            fields.add(new FieldLayout(fieldName, offset, fieldSize, null));
            return this;
        }

        public Builder struct(String fieldName, int offset, StructLayout nested) {
            fields.add(new FieldLayout(fieldName, offset, nested.size(), nested));
            return this;
        }

        public StructLayout build() {
            return new StructLayout(name, size, fields);
        }
    }
}
