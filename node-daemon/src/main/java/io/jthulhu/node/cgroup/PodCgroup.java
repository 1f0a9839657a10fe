package io.jthulhu.node.cgroup;

import java.nio.file.Path;
import java.util.Objects;

/**
 * The pod-level cgroup v2 directory of one pod. {@code id} is the cgroup id the kernel reports to
 * BPF ({@code bpf_get_current_cgroup_id}, {@code cgroup->kn->id}), which is the directory's inode.
 */
public record PodCgroup(String podUid, Path path, long id) {
    public PodCgroup {
        Objects.requireNonNull(podUid, "podUid");
        Objects.requireNonNull(path, "path");
    }
}
