/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Wakeup preemption: which CPU a waking task may take, and how it is taken.
 */
#pragma once

/* Wake an idle CPU that may run @p, so it takes @p from the queue it just joined. */
static __always_inline void kick_idle_cpu_for(const struct task_struct *p)
{
	s32 cpu = scx_bpf_pick_idle_cpu(p->cpus_ptr, 0);

	if (cpu >= 0)
		scx_bpf_kick_cpu(cpu, SCX_KICK_IDLE);
}

/* The JT_DISPATCH_PREEMPT* flags PolicyEngine sets on a wakeup decision: Batch and Idle never preempt by deadline. */
static __always_inline u32 wakeup_preempt_flags(u32 sched_class, u32 policy_flags)
{
	u32 flags = sched_class == JT_CLASS_BATCH || sched_class == JT_CLASS_IDLE ? 0 : JT_DISPATCH_PREEMPT;

	if ((policy_flags & JT_POLICY_PREEMPT) && sched_class != JT_CLASS_IDLE)
		flags |= JT_DISPATCH_PREEMPT_CLASS;
	return flags;
}

/* May a waking task (deadline, rank, JT_DISPATCH_PREEMPT* flags) preempt what @run runs? */
static __always_inline bool may_preempt(const struct jt_cpu_run *run, u64 deadline, u32 rank,
					u32 flags)
{
	u32 preemptible = READ_ONCE(run->preemptible);

	if (preemptible == JT_NOT_PREEMPTIBLE)
		return false;
	if (preemptible == JT_PREEMPTIBLE_BY_CLASS && !(flags & JT_PREEMPT_KERNEL))
		return false;
	if ((flags & JT_DISPATCH_PREEMPT_CLASS) && READ_ONCE(run->rank) < rank)
		return true;
	return preemptible == JT_PREEMPTIBLE && (flags & JT_DISPATCH_PREEMPT) && READ_ONCE(run->rank) <= rank &&
	       READ_ONCE(run->deadline) > deadline + cfg_preempt_margin_ns();
}

/* @run's CPU switches to a woken task next: no other waker picks it before it reschedules. */
static __always_inline void claim_for_waker(struct jt_cpu_run *run)
{
	WRITE_ONCE(run->preemptible, JT_NOT_PREEMPTIBLE);
	STAT_INC2(nr_preempt_kicks);
}

/*
 * Preempt @cpu for a woken task that now heads its queue: ops.dispatch there
 * runs that queue before the scheduling loop.
 */
static __always_inline void preempt_for_waker(s32 cpu)
{
	struct jt_cpu_run *run = &cpu_run[cpu & (JT_MAX_CPUS - 1)];

	claim_for_waker(run);
	WRITE_ONCE(run->waker, 1);
	scx_bpf_kick_cpu(cpu, SCX_KICK_PREEMPT);
}

/*
 * The CPU @p may run on that runs the lowest-ranked, then latest-deadline,
 * task it may preempt; -1 if none. @self is skipped: it is dispatching.
 * @prefer (or -1) wins a tie of ranks whatever the deadlines: the waking CPU
 * needs no IPI.
 */
static __always_inline s32 find_victim(const struct task_struct *p, s32 self, s32 prefer,
				       u64 deadline, u32 rank, u32 flags)
{
	u32 nr_cpus = READ_ONCE(shared.nr_cpus);
	struct bpf_iter_num it;
	u64 best_deadline = 0;
	u32 best_rank = 0;
	s32 victim = -1;
	int *i;

	bpf_iter_num_new(&it, 0, JT_MAX_CPUS);
	while ((i = bpf_iter_num_next(&it))) {
		u32 cpu = *i;
		struct jt_cpu_run *run;

		if (cpu >= nr_cpus)
			break;
		run = &cpu_run[cpu & (JT_MAX_CPUS - 1)];
		if (cpu == (u32)self || !bpf_cpumask_test_cpu(cpu, p->cpus_ptr) ||
		    !may_preempt(run, deadline, rank, flags))
			continue;
		if (victim < 0 || run->rank < best_rank ||
		    (run->rank == best_rank && victim != prefer &&
		     (cpu == (u32)prefer || run->deadline > best_deadline))) {
			victim = cpu;
			best_rank = run->rank;
			best_deadline = run->deadline;
		}
	}
	bpf_iter_num_destroy(&it);
	return victim;
}

/*
 * A LatencyCritical wakeup that may preempt by class takes @run's CPU even if
 * nothing there is preemptible right now (switching tasks, idle, or claimed by
 * another waker) when its last task was of a lower class: queued instead, it
 * would wait a whole slice of whatever that CPU picks next.
 */
static __always_inline bool late_class_preemptible(const struct jt_cpu_run *run, u32 rank, u32 flags)
{
	return (flags & JT_DISPATCH_PREEMPT_CLASS) && rank == JT_RANK_LATENCY_CRITICAL &&
	       READ_ONCE(run->rank) < rank;
}

/* The CPU @p may run on for late_class_preemptible (@prefer first); -1 if none. */
static __always_inline s32 find_lower_class_cpu(const struct task_struct *p, s32 prefer, u32 rank)
{
	u32 nr_cpus = READ_ONCE(shared.nr_cpus);
	struct bpf_iter_num it;
	s32 found = -1;
	int *i;

	if (prefer >= 0 && prefer < JT_MAX_CPUS && bpf_cpumask_test_cpu(prefer, p->cpus_ptr) &&
	    late_class_preemptible(&cpu_run[prefer], rank, JT_DISPATCH_PREEMPT_CLASS))
		return prefer;
	bpf_iter_num_new(&it, 0, JT_MAX_CPUS);
	while ((i = bpf_iter_num_next(&it))) {
		u32 cpu = *i;

		if (cpu >= nr_cpus)
			break;
		if (bpf_cpumask_test_cpu(cpu, p->cpus_ptr) &&
		    late_class_preemptible(&cpu_run[cpu & (JT_MAX_CPUS - 1)], rank, JT_DISPATCH_PREEMPT_CLASS)) {
			found = cpu;
			break;
		}
	}
	bpf_iter_num_destroy(&it);
	return found;
}
