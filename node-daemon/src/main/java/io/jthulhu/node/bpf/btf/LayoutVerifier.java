package io.jthulhu.node.bpf.btf;

import io.jthulhu.node.bpf.layout.FieldLayout;
import io.jthulhu.node.bpf.layout.Layouts;
import io.jthulhu.node.bpf.layout.StructLayout;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * Compares Java record descriptors with the structs in a BTF blob: same total size, same member
 * names in the same order, same byte offsets and sizes, no bitfields, nothing missing or extra.
 */
public final class LayoutVerifier {
    private LayoutVerifier() {
    }

    /** Verifies {@link Layouts#ALL} against the BTF of a BPF ELF object; throws on any difference. */
    public static void verifyObject(byte[] bpfObject) {
        verify(Btf.fromElf(bpfObject), Layouts.ALL);
    }

    /** Throws {@link LayoutMismatchException} listing every difference, if there is any. */
    public static void verify(Btf btf, Collection<StructLayout> layouts) {
        List<String> all = new ArrayList<>();
        for (StructLayout layout : layouts) {
            all.addAll(mismatches(btf, layout));
        }
        if (!all.isEmpty()) {
            throw new LayoutMismatchException(all);
        }
    }

    /** Every difference between {@code layout} and the BTF struct of the same name; empty if none. */
    public static List<String> mismatches(Btf btf, StructLayout layout) {
        String s = "struct " + layout.name();
        Optional<BtfStruct> found = btf.findStruct(layout.name());
        if (found.isEmpty()) {
            return List.of(s + ": not found in BTF (is the type used by the BPF program?)");
        }
        BtfStruct actual = found.get();
        List<String> out = new ArrayList<>();
        if (actual.size() != layout.size()) {
            out.add(s + ": size expected " + layout.size() + ", actual " + actual.size());
        }
        List<BtfMember> unmatched = new ArrayList<>(actual.members());
        for (FieldLayout f : layout.fields()) {
            String where = s + ", field " + f.name();
            BtfMember m = removeByName(unmatched, f.name());
            if (m == null) {
                out.add(where + ": missing in BTF (expected at offset " + f.offset() + ", size " + f.size() + ")");
                continue;
            }
            if (m.isBitfield()) {
                out.add(where + ": is a bitfield in BTF (bit offset " + m.bitOffset() + ", "
                        + m.bitfieldSize() + " bits)");
            }
            if (m.byteOffset() != f.offset()) {
                out.add(where + ": offset expected " + f.offset() + ", actual " + m.byteOffset());
            }
            if (m.size() != f.size()) {
                out.add(where + ": size expected " + f.size() + ", actual " + m.size());
            }
            if (f.nested() != null && !f.nested().name().equals(m.structName())) {
                out.add(where + ": type expected struct " + f.nested().name() + ", actual "
                        + (m.structName() == null ? "a non-struct type" : "struct " + m.structName()));
            }
        }
        for (BtfMember extra : unmatched) {
            out.add(s + ", field " + (extra.name().isEmpty() ? "<anonymous>" : extra.name())
                    + ": in BTF (offset " + extra.byteOffset() + ", size " + extra.size()
                    + ") but not in the Java descriptor");
        }
        List<String> expectedOrder = layout.fields().stream().map(FieldLayout::name).toList();
        List<String> actualOrder = actual.members().stream().map(BtfMember::name).toList();
        if (out.isEmpty() && !expectedOrder.equals(actualOrder)) {
            out.add(s + ": field order expected " + expectedOrder + ", actual " + actualOrder);
        }
        return out;
    }

    private static BtfMember removeByName(List<BtfMember> members, String name) {
        for (int i = 0; i < members.size(); i++) {
            if (members.get(i).name().equals(name)) {
                return members.remove(i);
            }
        }
        return null;
    }
}
