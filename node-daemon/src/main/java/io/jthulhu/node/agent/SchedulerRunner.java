package io.jthulhu.node.agent;

import io.jthulhu.node.bpf.BpfException;

/**
 * Runs this node's scheduler: {@link SchedulerAgent} attaches the real one. The node agent only needs
 * to start it, hear of its life through {@link SchedulerAgent.Lifecycle}, and stop it.
 */
public interface SchedulerRunner {
    /**
     * Schedules until {@link #requestStop}, re-attaching after ejections.
     *
     * @throws BpfException if the scheduler cannot be loaded or attached at all
     */
    int runUntilStopped();

    /** Safe from any thread or signal handler. */
    void requestStop();
}
