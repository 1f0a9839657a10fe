package io.jthulhu.node.enforce;

import java.util.OptionalLong;

/** Where a pod's tasks live: the cgroup v2 id of its pod-level cgroup on this node, if it exists. */
@FunctionalInterface
public interface CgroupLookup {
    OptionalLong cgroupId(String podUid);
}
