package io.jthulhu.node.bpf;

import com.sun.jna.Memory;
import io.jthulhu.node.bpf.layout.Abi;
import io.jthulhu.node.bpf.layout.PodStatsLayout;
import io.jthulhu.node.bpf.layout.PolicyLayout;
import io.jthulhu.node.bpf.layout.SharedLayout;
import io.jthulhu.node.enforce.PodPolicy;
import io.jthulhu.node.enforce.PodStats;
import io.jthulhu.node.enforce.PolicyMap;
import io.jthulhu.node.sys.Libc;

import java.nio.ByteBuffer;
import java.util.HashSet;
import java.util.Set;

/** {@link PolicyMap} on a loaded scheduler's cgroup_policy and pod_stats maps. Not thread-safe. */
final class BpfPolicyMap implements PolicyMap {
    private static final int ENOENT = 2;

    private final int policyFd;
    private final int statsFd;
    private final ByteBuffer shared;
    private final int cpus = LibBpf.libbpf_num_possible_cpus();
    private final Memory key = new Memory(8);
    private final Memory nextKey = new Memory(8);
    private final Memory policy = new Memory(PolicyLayout.SIZE);
    private final Memory stats;

    BpfPolicyMap(int policyFd, int statsFd, ByteBuffer shared) {
        this.policyFd = policyFd;
        this.statsFd = statsFd;
        this.shared = shared;
        if (cpus <= 0) {
            throw new BpfException(BpfException.Kind.MAP_FAILED, "cannot count possible CPUs: " + Libc.strerror(-cpus));
        }
        // A per-CPU map's value: one 8-byte aligned copy per possible CPU.
        stats = new Memory((long) PodStatsLayout.SIZE * cpus);
    }

    @Override
    public void put(long cgroupId, PodPolicy p) {
        key.setLong(0, cgroupId);
        stats.clear();
        // NOEXIST: a policy change keeps the cgroup's counters.
        int err = LibBpf.bpf_map_update_elem(statsFd, key, stats, LibBpf.BPF_NOEXIST);
        if (err != 0 && err != -17 /* EEXIST */) {
            throw mapFailed("pod_stats", cgroupId, err);
        }
        policy.setInt(PolicyLayout.SCHED_CLASS, p.schedClass());
        policy.setInt(PolicyLayout.WEIGHT, p.weight());
        policy.setInt(PolicyLayout.SLICE_US, p.sliceMicros());
        policy.setInt(PolicyLayout.FLAGS, p.flags());
        err = LibBpf.bpf_map_update_elem(policyFd, key, policy, LibBpf.BPF_ANY);
        if (err != 0) {
            throw mapFailed("cgroup_policy", cgroupId, err);
        }
    }

    @Override
    public void remove(long cgroupId) {
        key.setLong(0, cgroupId);
        LibBpf.bpf_map_delete_elem(policyFd, key);
        LibBpf.bpf_map_delete_elem(statsFd, key);
    }

    @Override
    public Set<Long> cgroupIds() {
        Set<Long> ids = new HashSet<>();
        int err = LibBpf.bpf_map_get_next_key(policyFd, null, nextKey);
        while (err == 0) {
            long id = nextKey.getLong(0);
            ids.add(id);
            key.setLong(0, id);
            err = LibBpf.bpf_map_get_next_key(policyFd, key, nextKey);
        }
        if (err != -ENOENT) {
            throw mapFailed("cgroup_policy (iteration)", 0, err);
        }
        return ids;
    }

    @Override
    public void publish() {
        shared.putLong(SharedLayout.POLICY_EPOCH, shared.getLong(SharedLayout.POLICY_EPOCH) + 1);
    }

    @Override
    public PodStats stats(long cgroupId) {
        key.setLong(0, cgroupId);
        int err = LibBpf.bpf_map_lookup_elem(statsFd, key, stats);
        if (err == -ENOENT) {
            return null;
        }
        if (err != 0) {
            throw mapFailed("pod_stats (lookup)", cgroupId, err);
        }
        long cpu = 0;
        long switches = 0;
        long wait = 0;
        long[] buckets = new long[Abi.WAIT_BUCKETS];
        for (int c = 0; c < cpus; c++) {
            long base = (long) c * PodStatsLayout.SIZE;
            cpu += stats.getLong(base + PodStatsLayout.CPU_NS);
            switches += stats.getLong(base + PodStatsLayout.NR_SWITCHES);
            wait += stats.getLong(base + PodStatsLayout.WAIT_NS);
            for (int b = 0; b < buckets.length; b++) {
                buckets[b] += stats.getLong(base + PodStatsLayout.WAIT_BUCKETS + 8L * b);
            }
        }
        return new PodStats(cpu, switches, wait, buckets);
    }

    private static BpfException mapFailed(String map, long cgroupId, int err) {
        return new BpfException(BpfException.Kind.MAP_FAILED, map + " for cgroup " + cgroupId + " failed: "
                + Libc.strerror(-err));
    }
}
