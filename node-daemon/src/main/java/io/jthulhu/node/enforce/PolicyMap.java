package io.jthulhu.node.enforce;

import java.util.Set;

/**
 * The kernel side of pod policies: cgroup id → struct jt_policy (and its accounting entry). Each
 * call changes one cgroup's entry atomically; {@link #publish} then makes tasks look again.
 */
public interface PolicyMap {
    /** Sets (or replaces) the policy of a cgroup and makes sure its accounting entry exists. */
    void put(long cgroupId, PodPolicy policy);

    /** Removes a cgroup's policy and accounting; an absent entry is not an error. */
    void remove(long cgroupId);

    /** Every cgroup id that has a policy now, as the kernel holds them. */
    Set<Long> cgroupIds();

    /** Tells tasks that the map changed: each resolves its policy again before its next decision. */
    void publish();

    /** Cumulative accounting of a cgroup's tasks, or null if it has no entry. */
    PodStats stats(long cgroupId);
}
