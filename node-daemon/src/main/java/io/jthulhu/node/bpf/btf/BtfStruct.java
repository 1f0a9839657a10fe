package io.jthulhu.node.bpf.btf;

import java.util.List;

/** A BTF struct or union with its members in declaration order. */
public record BtfStruct(String name, long size, boolean union, List<BtfMember> members) {
    public BtfStruct {
        members = List.copyOf(members);
    }
}
