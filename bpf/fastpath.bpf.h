/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Placements BPF makes itself, without a round trip: idle CPUs, single-CPU tasks, the
 * kept-last task, class preemption.
 */
#pragma once

/* Tasks BPF inserts itself (fallback, pinned, the JVM's helpers) queue FIFO. */
static __always_inline void insert_shared(struct task_struct *p, u64 enq_flags)
{
	struct task_ctx *tctx = lookup_task_ctx(p);
	const struct jt_policy *policy = NULL;

	if (tctx) {
		policy = task_policy(p, tctx);
		tctx->queued_at = bpf_ktime_get_ns();
		note_placement(tctx, JT_DEADLINE_BPF, policy_rank(policy), true, false);
		tctx->wait_path = JT_PATH_SHARED;
	}
	scx_bpf_dsq_insert(p, JT_DSQ_SHARED, policy_slice(policy), enq_flags);
	kick_idle_cpu_for(p);
}

/*
 * Per-CPU kernel threads: short work that no waking task of their rank
 * preempts, but a LatencyCritical wakeup does, as EEVDF would let it.
 */
static __always_inline void mark_kernel_placement(struct task_ctx *tctx)
{
	if (tctx) {
		note_placement(tctx, 0, JT_RANK_NORMAL, false, false);
		tctx->preemptible = JT_PREEMPTIBLE_BY_CLASS;
	}
}

/*
 * The scheduling loop: no deadline beats its 0, but a higher class preempts
 * it rather than wait for its pass; preempted, the loop heads its queue again.
 */
static __always_inline void mark_scheduler_placement(struct task_ctx *tctx)
{
	if (tctx)
		note_placement(tctx, 0, JT_RANK_NORMAL, true, false);
}

/*
 * A task BPF runs at once on an idle CPU, with its policy's slice: preemptible
 * by any waking task of its class's rank, or by a higher class.
 */
static __always_inline void insert_idle_local(struct task_struct *p, struct task_ctx *tctx,
					      u64 enq_flags)
{
	const struct jt_policy *policy = NULL;

	if (tctx) {
		u32 rank;

		policy = task_policy(p, tctx);
		rank = policy_rank(policy);
		if (rank == JT_RANK_LATENCY_CRITICAL) {
			/*
			 * As a class preemption places it: another LatencyCritical
			 * wakeup preempts it only by deadline, and if preempted it
			 * resumes in deadline order, not behind its preemptor's queue.
			 */
			tctx->slice = policy_slice(policy);
			note_placement(tctx, tctx->vtime, rank, true, true);
		} else {
			note_placement(tctx, JT_DEADLINE_BPF, rank, true, false);
		}
		tctx->wait_path = JT_PATH_IDLE;
	}
	scx_bpf_dsq_insert(p, SCX_DSQ_LOCAL, policy_slice(policy), enq_flags);
	STAT_INC(nr_direct_idle);
}

/*
 * The deadline Java gives a task that does not sleep: vtime plus the CPU used
 * since it last slept, capped, scaled by @weight (0 counts as 1).
 */
static __always_inline u64 nonsleeper_deadline(const struct task_ctx *tctx, u32 weight)
{
	u64 runtime = tctx->exec_runtime;

	if (runtime > JT_DEFAULT_RUNTIME_CAP_NS)
		runtime = JT_DEFAULT_RUNTIME_CAP_NS;
	return tctx->vtime + runtime * JT_WEIGHT_DEFAULT / (weight ?: 1);
}

/*
 * A single-CPU task without a policy, or whose class has no deadline offset
 * (Normal, LatencyCritical): all that is left to decide is when it runs, and
 * a round trip through Java would cost more than the decision. BPF queues it
 * on its CPU by the deadline Java gives a task that does not sleep (vtime plus
 * the CPU used since it last slept, capped, by its weight) and, when it wakes,
 * preempts by Java's rule, a lower class whatever the deadlines if its policy
 * says so. Not the CPU's local DSQ unless it preempts: ops.dispatch only runs
 * when that is empty, so a stream of pinned tasks there (a process hopping
 * CPUs with sched_setaffinity) would starve everything else.
 */
static __always_inline void insert_pinned(struct task_struct *p, struct task_ctx *tctx,
					  const struct jt_policy *policy, u64 enq_flags)
{
	s32 cpu = scx_bpf_task_cpu(p);
	u64 deadline = nonsleeper_deadline(tctx, task_weight(p, tctx));
	u64 slice = policy_slice(policy);
	u32 rank = policy_rank(policy);
	u32 preempt = JT_DISPATCH_PREEMPT;
	struct jt_cpu_run *run;
	bool idle;

	if (policy && (policy->flags & JT_POLICY_PREEMPT))
		preempt |= JT_DISPATCH_PREEMPT_CLASS |
			   (rank == JT_RANK_LATENCY_CRITICAL ? JT_PREEMPT_KERNEL : 0);
	tctx->slice = slice;
	note_placement(tctx, deadline, rank, true, true);
	tctx->wait_path = JT_PATH_PINNED;
	tctx->queued_at = bpf_ktime_get_ns();
	STAT_INC(nr_direct_pinned);
	if (cpu < 0 || cpu >= JT_MAX_CPUS) {
		scx_bpf_dsq_insert_vtime(p, cpu_dsq(cpu), slice, deadline, enq_flags);
		return;
	}
	/* The mask only convinces the verifier; the check above already holds. */
	run = &cpu_run[cpu & (JT_MAX_CPUS - 1)];
	idle = READ_ONCE(shared.cpu_idle[cpu & (JT_MAX_CPUS - 1)]);
	/*
	 * The idle flag lags: a LatencyCritical wakeup that may preempt checks
	 * the CPU itself (its idle bit was taken, or ops.enqueue started it).
	 */
	if ((!idle || (preempt & JT_PREEMPT_KERNEL)) && (enq_flags & SCX_ENQ_WAKEUP)) {
		STAT_INC2(nr_pinned_wakeups);
		tctx->measure_run = JT_MEASURE_PINNED;
		bool now = may_preempt(run, deadline, rank, preempt);

		if (!now && late_class_preemptible(run, rank, preempt)) {
			__sync_fetch_and_add(&priv.nr_late_class_preempts, 1);
			now = true;
		}
		if (now) {
			/*
			 * To the head of the CPU's local DSQ, preempting: the
			 * kernel reschedules the CPU itself (no kick, which from
			 * the CPU's own timer interrupt is a self-IPI) and runs
			 * the task without calling ops.dispatch. One task, at
			 * the head once per wakeup: nothing behind it starves.
			 */
			claim_for_waker(run);
			scx_bpf_dsq_insert(p, SCX_DSQ_LOCAL, slice, enq_flags | SCX_ENQ_PREEMPT);
			return;
		}
		if (READ_ONCE(run->preemptible) != JT_PREEMPTIBLE)
			STAT_INC2(nr_pinned_unpreemptible);
		else
			STAT_INC2(nr_pinned_outranked);
	}
	scx_bpf_dsq_insert_vtime(p, cpu_dsq(cpu), slice, deadline, enq_flags);
	/*
	 * A wakeup reschedules an idle CPU by itself (the kernel's
	 * wakeup_preempt()); a kick from here would be a self-IPI.
	 */
	if (idle && !(enq_flags & SCX_ENQ_WAKEUP))
		scx_bpf_kick_cpu(cpu, SCX_KICK_IDLE);
}

static __always_inline bool cpu_dsqs_queued(u32 nr_cpus)
{
	struct bpf_iter_num it;
	bool queued = false;
	int *i;

	bpf_iter_num_new(&it, 0, JT_MAX_CPUS);
	while ((i = bpf_iter_num_next(&it))) {
		if (*i >= nr_cpus)
			break;
		if (scx_bpf_dsq_nr_queued(cpu_dsq(*i)) > 0) {
			queued = true;
			break;
		}
	}
	bpf_iter_num_destroy(&it);
	return queued;
}

/* Does any task wait for a CPU: a record or decision Java has not settled, or a task in a DSQ of ours? */
static __always_inline bool tasks_waiting(void)
{
	return READ_ONCE(shared.nr_user_pending) || scx_bpf_dsq_nr_queued(JT_DSQ_SHARED) ||
	       scx_bpf_dsq_nr_queued(JT_DSQ_JAVA) || scx_bpf_dsq_nr_queued(JT_DSQ_PODS) ||
	       scx_bpf_dsq_nr_queued(JT_DSQ_USERSCHED) ||
	       cpu_dsqs_queued(READ_ONCE(shared.nr_cpus));
}

/*
 * @p used up its slice and is the last runnable task of its CPU, and no task
 * waits anywhere: it runs on for another slice, as the kernel keeps such a
 * task without SCX_OPS_ENQ_LAST; sent to Java, it would leave its CPU idle for
 * a round trip per slice. It keeps its class's rank and slice; its deadline is
 * the one Java gives a task that does not sleep, for wakeup preemption.
 */
static __always_inline void keep_last(struct task_struct *p, struct task_ctx *tctx,
				      const struct jt_policy *policy, u64 enq_flags)
{
	note_placement(tctx, nonsleeper_deadline(tctx, task_weight(p, tctx)), policy_rank(policy), true,
		       true);
	tctx->slice = policy_slice(policy);
	tctx->wait_path = JT_PATH_KEPT_LAST;
	scx_bpf_dsq_insert(p, SCX_DSQ_LOCAL, tctx->slice, enq_flags);
	STAT_INC2(nr_kept_last);
}

/*
 * A woken task whose policy lets it preempt lower classes (LatencyCritical's
 * default) takes the CPU running the lowest class below its own at once: to
 * the head of that CPU's local DSQ, preempting, as Java's decision would after
 * a round trip. Nothing behind it waits longer: one task, once per wakeup.
 * False if no CPU it may run on runs a lower class; Java then decides.
 */
static __always_inline bool preempt_lower_class(struct task_struct *p, struct task_ctx *tctx,
						const struct jt_policy *policy, u64 enq_flags)
{
	u32 rank = class_rank(policy->sched_class);
	u64 slice = policy_slice(policy);
	s32 cpu;
	u32 flags;

	if (!(policy->flags & JT_POLICY_PREEMPT) || rank == JT_RANK_IDLE)
		return false;
	flags = JT_DISPATCH_PREEMPT_CLASS | (rank == JT_RANK_LATENCY_CRITICAL ? JT_PREEMPT_KERNEL : 0);
	/* Of equal victims, the waking CPU's (usually where the timer fired). */
	cpu = find_victim(p, -1, bpf_get_smp_processor_id(), 0, rank, flags);
	if (cpu < 0 && rank == JT_RANK_LATENCY_CRITICAL) {
		cpu = find_lower_class_cpu(p, bpf_get_smp_processor_id(), rank);
		if (cpu >= 0)
			__sync_fetch_and_add(&priv.nr_late_class_preempts, 1);
	}
	if (cpu < 0)
		return false;
	claim_for_waker(&cpu_run[cpu & (JT_MAX_CPUS - 1)]);
	tctx->slice = slice;
	note_placement(tctx, tctx->vtime, rank, true, true);
	tctx->wait_path = JT_PATH_CLASS_PREEMPT;
	scx_bpf_dsq_insert(p, SCX_DSQ_LOCAL_ON | cpu, slice, enq_flags | SCX_ENQ_PREEMPT);
	STAT_INC2(nr_class_preempts);
	return true;
}

/*
 * A LatencyCritical task that may preempt, still runnable as its slice ended
 * or something preempted it, runs next on its CPU, which is rescheduling now:
 * queued by deadline, a lower class's older deadline could go first, for that
 * task's whole slice (a Batch task's 20 ms), where its wakeup would have preempted.
 * Only while it has run less than JT_LC_KEEP_RUNTIME_NS since it woke: a busy
 * LatencyCritical task must not keep a CPU from everything else.
 */
static __always_inline bool keep_latency_critical(struct task_struct *p, struct task_ctx *tctx,
						  const struct jt_policy *policy, u64 enq_flags)
{
	if (policy->sched_class != JT_CLASS_LATENCY_CRITICAL || !(policy->flags & JT_POLICY_PREEMPT) ||
	    tctx->exec_runtime >= JT_LC_KEEP_RUNTIME_NS || !bpf_cpumask_test_cpu(scx_bpf_task_cpu(p), p->cpus_ptr))
		return false;
	tctx->preempted = 0;
	tctx->slice = policy_slice(policy);
	note_placement(tctx, tctx->vtime, JT_RANK_LATENCY_CRITICAL, true, true);
	tctx->wait_path = JT_PATH_CLASS_REQUEUE;
	scx_bpf_dsq_insert(p, SCX_DSQ_LOCAL, tctx->slice, enq_flags);
	STAT_INC2(nr_class_requeues);
	return true;
}

/*
 * A woken task that Java decided for after an earlier wakeup, in the class it
 * has now, gets that decision again without the round trip: the same offset
 * of its deadline from its vtime, the same slice. If the deadline beats a
 * running task's (by the preemption margin), it preempts the CPU running the
 * latest deadline it beats, its own CPU first (no IPI), as Java's decision
 * would; otherwise it goes to Java, which orders the contended queue.
 */
static __always_inline bool wake_preempt(struct task_struct *p, struct task_ctx *tctx,
					 const struct jt_policy *policy, u64 enq_flags)
{
	u32 sched_class = policy && policy->sched_class <= JT_CLASS_IDLE ? policy->sched_class : JT_CLASS_NORMAL;
	u32 flags = wakeup_preempt_flags(sched_class, policy ? policy->flags : 0);
	s32 here, cpu;
	s64 deadline;

	if (!(cfg_flags() & JT_CFG_WAKE_PREEMPT) || !(enq_flags & SCX_ENQ_WAKEUP) ||
	    tctx->java_class != sched_class + 1 || !(flags & JT_DISPATCH_PREEMPT))
		return false;
	here = scx_bpf_task_cpu(p);
	deadline = (s64)tctx->vtime + tctx->java_lag;
	if (deadline < 0)
		deadline = 0;
	/* After a sync wakeup the waking CPU's task is about to sleep: leave it be. */
	cpu = find_victim(p, tctx->sync_wakeup ? bpf_get_smp_processor_id() : -1, here, deadline,
			  class_rank(sched_class), flags);
	if (cpu < 0)
		return false;
	tctx->slice = tctx->java_slice;
	note_placement(tctx, deadline, class_rank(sched_class), true, true);
	tctx->wait_path = JT_PATH_WAKE_PREEMPT;
	tctx->queued_at = bpf_ktime_get_ns();
	STAT_INC2(nr_wake_preempts);
	if (cpu == here) {
		/* The CPU whose queue this enqueue is for: to the head of its local DSQ; it reschedules itself. */
		claim_for_waker(&cpu_run[cpu & (JT_MAX_CPUS - 1)]);
		scx_bpf_dsq_insert(p, SCX_DSQ_LOCAL, tctx->slice, enq_flags | SCX_ENQ_PREEMPT);
		return true;
	}
	insert_cpu(p, cpu, tctx->slice, deadline);
	preempt_for_waker(cpu);
	return true;
}

/*
 * A CPU running an Idle-class task is free for any other task: preempt it now
 * rather than at its next tick. Its task goes back to the Idle queue and the
 * CPU takes the next task of ours, or waits for Java's decision (see
 * dispatch_next_task).
 */
static __always_inline void preempt_idle_class(const struct task_struct *p)
{
	s32 cpu;

	/* Every enqueue comes here: scan the CPUs only while an Idle-class task runs somewhere. */
	if (!READ_ONCE(priv.idle_class_running))
		return;
	cpu = find_victim(p, -1, -1, 0, JT_RANK_BATCH, JT_DISPATCH_PREEMPT_CLASS);
	if (cpu < 0)
		return;
	claim_for_waker(&cpu_run[cpu & (JT_MAX_CPUS - 1)]);
	scx_bpf_kick_cpu(cpu, SCX_KICK_PREEMPT);
}
