/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ops.dispatch's choices: which queue a CPU serves next, and stealing from other CPUs.
 */
#pragma once

/* An idle CPU takes work Java meant for a busy one rather than stay idle. */
static __always_inline bool steal_from_other_cpus(s32 self)
{
	u32 nr_cpus = READ_ONCE(shared.nr_cpus);
	struct bpf_iter_num it;
	bool stolen = false;
	int *i;

	bpf_iter_num_new(&it, 1, JT_STEAL_SCAN_MAX);
	while ((i = bpf_iter_num_next(&it))) {
		u32 victim;

		if (!nr_cpus || *i >= nr_cpus)
			break;
		victim = ((u32)self + (u32)*i) % nr_cpus;
		if (scx_bpf_dsq_move_to_local(cpu_dsq(victim))) {
			stolen = true;
			break;
		}
	}
	bpf_iter_num_destroy(&it);
	return stolen;
}

static __always_inline bool move_shared_to_local(void)
{
	if (!scx_bpf_dsq_move_to_local(JT_DSQ_SHARED))
		return false;
	__sync_fetch_and_add(&shared.nr_shared_moves, 1);
	return true;
}

static __always_inline void read_head(struct task_struct *p, u64 *queued_at, u64 *deadline)
{
	struct task_ctx *tctx = lookup_task_ctx(p);

	*queued_at = tctx ? tctx->queued_at : 0;
	*deadline = tctx ? tctx->deadline : 0;
}

/* When the first task of @dsq_id was queued and its deadline; false if the DSQ is empty. */
static __always_inline bool peek_head(u64 dsq_id, u64 *queued_at, u64 *deadline)
{
	struct bpf_iter_scx_dsq it;
	struct task_struct *p;
	bool found = false;

	if (!scx_bpf_dsq_nr_queued(dsq_id))
		return false;
	/*
	 * Kernels with scx_bpf_dsq_peek() read the head without a lock; an
	 * iterator takes the DSQ's lock twice, and ops.dispatch peeks up to
	 * three DSQs per call.
	 */
	if (bpf_ksym_exists(scx_bpf_dsq_peek)) {
		p = scx_bpf_dsq_peek(dsq_id);
		if (p)
			read_head(p, queued_at, deadline);
		return p != NULL;
	}
	if (!bpf_iter_scx_dsq_new(&it, dsq_id, 0)) {
		p = bpf_iter_scx_dsq_next(&it);
		if (p) {
			read_head(p, queued_at, deadline);
			found = true;
		}
	}
	bpf_iter_scx_dsq_destroy(&it);
	return found;
}

/* Has the head of the FIFO waited longer than a slice? Then it goes before Java's deadlines. */
static __always_inline bool shared_head_overdue(u64 now)
{
	u64 queued_at, deadline;

	return peek_head(JT_DSQ_SHARED, &queued_at, &deadline) && now - queued_at > cfg_slice_ns();
}

/*
 * Java's decisions: the earliest deadline among the heads of this CPU's queue,
 * the pods' queue and the oldest decision for any CPU.
 */
static __always_inline bool move_earliest_java_to_local(s32 cpu)
{
	u64 best_dsq = 0, best = 0, deadline, queued_at;
	u64 own = cpu_dsq(cpu);

	if (peek_head(own, &queued_at, &deadline)) {
		best_dsq = own;
		best = deadline;
	}
	if (peek_head(JT_DSQ_PODS, &queued_at, &deadline) && (!best_dsq || deadline < best)) {
		best_dsq = JT_DSQ_PODS;
		best = deadline;
	}
	if (peek_head(JT_DSQ_JAVA, &queued_at, &deadline) && (!best_dsq || deadline < best))
		best_dsq = JT_DSQ_JAVA;
	if (best_dsq && scx_bpf_dsq_move_to_local(best_dsq))
		return true;
	return scx_bpf_dsq_move_to_local(own) || scx_bpf_dsq_move_to_local(JT_DSQ_PODS) ||
	       scx_bpf_dsq_move_to_local(JT_DSQ_JAVA);
}

/* Is @prev the scheduling loop, still runnable after using up its slice? */
static __always_inline bool prev_is_busy_scheduler(const struct task_struct *prev)
{
	return prev && is_scheduler_thread(prev) && (prev->scx.flags & SCX_TASK_QUEUED);
}

/*
 * The two parts of ops.dispatch below are global functions, verified once
 * each rather than once for every path that reaches them: inlined, the
 * verifier would walk ops.dispatch's branches times theirs on every load,
 * re-attaches after CPU hotplug included.
 */

/* Fallback for overdue records, the heartbeat's upkeep, deferred records' batch. */
__noinline int dispatch_upkeep(u64 now, int got_task)
{
	dispatch_overdue(now);
	revive_heartbeat(now);
	/* Without a task of its own this CPU runs the loop below instead of kicking one. */
	wake_java_for_batch(now, got_task);
	return 0;
}

/* Find @cpu its next task; @sched_yields: the loop just used up its slice here. */
__noinline int dispatch_next_task(s32 cpu, int sched_yields, u64 now)
{
	if (READ_ONCE(shared.loop_wanted) && unpark_loop())
		return 1;
	/* Deadline order, but BPF's FIFO never waits for Java's decisions longer than a slice. */
	if (shared_head_overdue(now) && move_shared_to_local())
		return 1;
	if (move_earliest_java_to_local(cpu))
		return 1;
	if (move_shared_to_local())
		return 1;
	if (sched_yields && scx_bpf_dsq_move_to_local(JT_DSQ_USERSCHED))
		return 1;
	if (steal_from_other_cpus(cpu))
		return 1;
	/*
	 * Not while Java still holds undecided tasks: one of them would find this
	 * CPU taken by an Idle-class task for a tick, each time a busy task's slice
	 * ends. The CPU idles instead until the decision lands and kicks it.
	 */
	if (!READ_ONCE(shared.nr_user_pending) && scx_bpf_dsq_move_to_local(JT_DSQ_IDLE_CLASS))
		return 1;
	/*
	 * Nothing to run here: deferred records must not wait for a batch. A
	 * loop not parked (running elsewhere, or yielding on this very CPU)
	 * finds loop_wanted set and takes another pass.
	 */
	if (bpf_ringbuf_query(&queued, BPF_RB_AVAIL_DATA)) {
		forget_unwoken();
		if (!unpark_loop())
			want_loop(false, -1);
		STAT_INC2(nr_wake_nudges);
	}
	return 0;
}

static __always_inline s32 create_cpu_dsqs(void)
{
	u32 nr_cpus = READ_ONCE(shared.nr_cpus);
	struct bpf_iter_num it;
	s32 ret = 0;
	int *i;

	bpf_iter_num_new(&it, 0, JT_MAX_CPUS);
	while ((i = bpf_iter_num_next(&it))) {
		if (*i >= nr_cpus)
			break;
		ret = scx_bpf_create_dsq(cpu_dsq(*i), NUMA_NO_NODE);
		if (ret)
			break;
	}
	bpf_iter_num_destroy(&it);
	return ret;
}
