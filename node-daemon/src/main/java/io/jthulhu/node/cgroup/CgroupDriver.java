package io.jthulhu.node.cgroup;

/** How the kubelet names its cgroups: its {@code cgroupDriver} setting. */
public enum CgroupDriver {
    /** Slices named by systemd's escaping: {@code kubepods.slice/kubepods-burstable.slice/...}. */
    SYSTEMD,
    /** Plain directories: {@code kubepods/burstable/pod<uid>}. */
    CGROUPFS
}
