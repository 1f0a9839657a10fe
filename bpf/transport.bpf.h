/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The BPF<->Java transport: records to Java with per-task sequence claims, the scheduling
 * loop's parking and wakeups, and Java's decisions applied from the user ring to the queue
 * their CPU and class name.
 */
#pragma once

/*
 * Take ownership of a task waiting in user space for request @seq. Exactly one
 * caller succeeds per request; it must insert the task (or drop it, for
 * ops.dequeue).
 */
static __always_inline bool claim(struct task_ctx *tctx, u64 seq)
{
	if (__sync_val_compare_and_swap(&tctx->pending_seq, seq, 0) != seq)
		return false;
	__sync_fetch_and_sub(&shared.nr_user_pending, 1);
	return true;
}

/* Cancel whatever request is outstanding, so a later decision is stale. */
static __always_inline void cancel_pending(struct task_ctx *tctx)
{
	if (READ_ONCE(tctx->pending_seq) &&
	    __sync_lock_test_and_set(&tctx->pending_seq, 0))
		__sync_fetch_and_sub(&shared.nr_user_pending, 1);
}

/*
 * Fill the record Java gets for @p. Not inlined (nor is apply_decision()) so
 * that the record types stay in the object's BTF, which the Java side's layout
 * test reads.
 */
static __noinline void fill_queued_task(struct jt_queued_task *rec, struct task_struct *p,
					struct task_ctx *tctx, u64 enq_flags, u64 seq)
{
	s32 prev_cpu = scx_bpf_task_cpu(p);

	rec->pid = p->pid;
	rec->tgid = p->tgid;
	rec->prev_cpu = prev_cpu;
	rec->nr_cpus_allowed = p->nr_cpus_allowed;
	rec->weight = task_weight(p, tctx);
	rec->flags = 0;
	if (enq_flags & SCX_ENQ_WAKEUP)
		rec->flags |= JT_TASK_WAKEUP;
	if (prev_cpu >= 0 && prev_cpu < JT_MAX_CPUS && READ_ONCE(shared.cpu_idle[prev_cpu]))
		rec->flags |= JT_TASK_PREV_CPU_IDLE;
	if (p->flags & PF_KTHREAD)
		rec->flags |= JT_TASK_KTHREAD;
	rec->enq_flags = enq_flags;
	rec->exec_runtime = tctx->exec_runtime;
	rec->nvcsw = p->nvcsw;
	rec->vtime = tctx->vtime;
	rec->seq = seq;
	rec->enqueued_at = bpf_ktime_get_ns();
	tctx->sent_at = rec->enqueued_at;
	tctx->woke = !!(enq_flags & SCX_ENQ_WAKEUP);
}

static __always_inline bool is_scheduler_thread(const struct task_struct *p)
{
	return is_usersched(p) && p->pid == (s32)READ_ONCE(shared.scheduler_tid);
}

/*
 * The scheduling loop has work: run it on an idle CPU, or else preempt the
 * CPU running the least urgent task (ops.dispatch serves the loop first), not
 * one that just got a woken task, nor let every waiting task sit out a slice.
 * Not the waking CPU by default: every record would preempt the task that
 * made it. @near (or -1): the CPU a woken single-CPU task waits for. Its
 * decision goes to that CPU's queue; a loop run there drains it and runs the
 * task itself, where a loop run elsewhere has to kick that CPU too.
 */
static __always_inline void kick_for_scheduler(const struct task_struct *p, s32 near)
{
	s32 cpu = scx_bpf_pick_idle_cpu(p->cpus_ptr, 0);

	if (cpu >= 0) {
		scx_bpf_kick_cpu(cpu, SCX_KICK_IDLE);
		return;
	}
	if (near >= 0 && near < JT_MAX_CPUS && READ_ONCE(cpu_run[near].preemptible) == JT_PREEMPTIBLE &&
	    READ_ONCE(cpu_run[near].rank) < JT_RANK_LATENCY_CRITICAL && bpf_cpumask_test_cpu(near, p->cpus_ptr)) {
		scx_bpf_kick_cpu(near, SCX_KICK_PREEMPT);
		return;
	}
	/*
	 * Any CPU running a class below LatencyCritical, the lowest class and latest
	 * deadline first. A LatencyCritical task keeps its CPU even from the loop,
	 * which runs when its slice ends.
	 */
	cpu = find_victim(p, -1, -1, 0, JT_RANK_LATENCY_CRITICAL, JT_DISPATCH_PREEMPT_CLASS);
	if (cpu < 0)
		cpu = scx_bpf_task_cpu(p);
	if (cpu >= 0 && cpu < JT_MAX_CPUS && READ_ONCE(cpu_run[cpu].rank) < JT_RANK_LATENCY_CRITICAL)
		scx_bpf_kick_cpu(cpu, SCX_KICK_PREEMPT);
}

/*
 * The scheduling loop parks in BPF rather than sleeping in epoll, which costs
 * an irq_work for the ring commit, a full wakeup and two syscalls: Java yields
 * with java_loop_idle set, ops.enqueue keeps the thread, runnable but in no
 * DSQ, and the first CPU to reach ops.dispatch while records wait inserts it
 * there. Parked means loop_parked_at != 0.
 */
static __always_inline bool park_loop(u64 now)
{
	/* xchg and the read below pair with want_loop()'s xchg and read. */
	__sync_lock_test_and_set(&priv.loop_parked_at, now);
	if (!READ_ONCE(shared.loop_wanted))
		return true;
	/* Work came meanwhile: stay runnable, unless a dispatch has taken the loop already. */
	return __sync_val_compare_and_swap(&priv.loop_parked_at, now, 0) != now;
}

/*
 * The two helpers below are global functions: the verifier checks each once,
 * not once per call site, which (inlined at every site) made loading the
 * object 1.7x slower, and a re-attach after CPU hotplug seconds slower.
 */

/*
 * Run the parked loop on this CPU (ops.dispatch only: no other context may
 * insert it). Not when a drain used up the dispatch slots: an insert past
 * them is a runtime error that ejects the scheduler; the loop stays wanted.
 */
__noinline int unpark_loop(void)
{
	u64 at = READ_ONCE(priv.loop_parked_at);
	struct task_struct *p;

	if (!at || !scx_bpf_dispatch_nr_slots() ||
	    __sync_val_compare_and_swap(&priv.loop_parked_at, at, 0) != at)
		return 0;
	p = bpf_task_from_pid((s32)READ_ONCE(shared.scheduler_tid));
	if (!p)
		return 0;
	scx_bpf_dsq_insert(p, SCX_DSQ_LOCAL, cfg_slice_ns(), 0);
	bpf_task_release(p);
	STAT_INC2(nr_loop_unparks);
	return 1;
}

/* Get some CPU to ops.dispatch, where the parked loop is run; @near as for kick_for_scheduler(). */
__noinline int kick_parked_loop(s32 near)
{
	struct task_struct *p = bpf_task_from_pid((s32)READ_ONCE(shared.scheduler_tid));

	if (!p)
		return 0;
	kick_for_scheduler(p, near);
	bpf_task_release(p);
	return 1;
}

/*
 * Has the parked loop's thread a signal to take? Only running it delivers one:
 * a kill -9 would otherwise leave the daemon, and the scheduler with it, in
 * place until the loop ran again.
 */
__noinline int loop_signal_pending(void)
{
	struct task_struct *p = bpf_task_from_pid((s32)READ_ONCE(shared.scheduler_tid));
	u64 pending;

	if (!p)
		return 0;
	pending = p->pending.signal.sig[0] | p->signal->shared_pending.signal.sig[0];
	pending &= ~p->blocked.sig[0];
	bpf_task_release(p);
	return pending != 0;
}

/*
 * Records wait for the loop. If it is parked and @kick, get a CPU to
 * ops.dispatch (@near as for kick_for_scheduler()); without @kick the caller
 * is ops.dispatch and runs it itself.
 */
static __always_inline void want_loop(bool kick, s32 near)
{
	if (READ_ONCE(shared.loop_wanted))
		return;
	__sync_lock_test_and_set(&shared.loop_wanted, 1);
	if (kick && READ_ONCE(priv.loop_parked_at))
		kick_parked_loop(near);
}

/*
 * May @rec wait for a batch before it wakes Java? Waking the scheduling loop
 * costs two context switches and an IPI on a busy CPU. A record waits only if Java's answer could
 * not run it sooner anyway: no CPU is idle, it is not latency-critical, and,
 * for a wakeup, no other CPU runs a task it could preempt even with the
 * earliest deadline Java can give it (its vtime: Java adds to it, never
 * subtracts).
 */
static __always_inline bool wake_deferrable(struct task_struct *p, const struct task_ctx *tctx,
					    const struct jt_queued_task *rec)
{
	u32 rank = JT_RANK_NORMAL, flags = JT_DISPATCH_PREEMPT;
	const struct cpumask *idle;
	bool none_idle;

	if (!cfg_wake_batch_ns())
		return false;
	if (rec->policy.flags & JT_POLICY_PRESENT) {
		u32 sched_class = rec->policy.sched_class;

		if (sched_class == JT_CLASS_LATENCY_CRITICAL)
			return false;
		rank = class_rank(sched_class);
		flags = wakeup_preempt_flags(sched_class, rec->policy.flags);
	}
	if (bpf_ringbuf_query(&queued, BPF_RB_AVAIL_DATA) >=
	    JT_WAKE_BATCH_MAX * (sizeof(*rec) + BPF_RINGBUF_HDR_SZ))
		return false;
	idle = scx_bpf_get_idle_cpumask();
	none_idle = bpf_cpumask_empty(idle);
	scx_bpf_put_idle_cpumask(idle);
	if (!none_idle)
		return false;
	if (!(rec->flags & JT_TASK_WAKEUP) || !flags)
		return true;
	/*
	 * Not this CPU after a sync wakeup (a pipe, a socket): its task is the
	 * waker, about to sleep, and Java's decision arrives after it did and
	 * finds the CPU free. Any other wakeup (a timer, a futex) leaves this
	 * CPU's task running, and a task that beats it must not wait for the batch.
	 */
	return find_victim(p, tctx->sync_wakeup ? bpf_get_smp_processor_id() : -1, -1, rec->vtime, rank,
			   flags) < 0;
}

/* No deferred record waits for a batch any more: Java is wanted, or takes them now. */
static __always_inline void forget_unwoken(void)
{
	if (READ_ONCE(priv.unwoken_since))
		WRITE_ONCE(priv.unwoken_since, 0);
	if (READ_ONCE(priv.unwoken_weighted))
		WRITE_ONCE(priv.unwoken_weighted, 0);
}

/* Commit @rec to the queued ring, waking the scheduling loop now or leaving it for a batch. */
static __always_inline void submit_queued(struct task_struct *p, const struct task_ctx *tctx,
					  struct jt_queued_task *rec)
{
	u64 sent_at = rec->enqueued_at;
	s32 near = (rec->flags & JT_TASK_WAKEUP) && p->nr_cpus_allowed == 1 ? rec->prev_cpu : -1;

	if (wake_deferrable(p, tctx, rec)) {
		bpf_ringbuf_submit(rec, BPF_RB_NO_WAKEUP);
		/*
		 * Marked after the commit: a batch wakeup that raced with it and
		 * found the record still being written leaves the mark to us.
		 */
		if (!READ_ONCE(priv.unwoken_since))
			WRITE_ONCE(priv.unwoken_since, sent_at);
		/* A weighted hog kept out of its deadline queue for longer loses its share. */
		if (tctx->by_deadline && !READ_ONCE(priv.unwoken_weighted))
			WRITE_ONCE(priv.unwoken_weighted, 1);
		STAT_INC2(nr_wake_deferred);
		return;
	}
	/* Nobody sleeps on the ring: the loop is running, or parked and wanted. */
	bpf_ringbuf_submit(rec, BPF_RB_NO_WAKEUP);
	forget_unwoken();
	want_loop(true, near);
}

/*
 * Does every CPU have a decided task queued in first-come order to run after
 * its current one? Not while any decision waits by deadline: a deferred
 * record's could come first.
 */
static __always_inline bool cpus_supplied(void)
{
	u64 queued;

	if (scx_bpf_dsq_nr_queued(JT_DSQ_PODS))
		return false;
	queued = scx_bpf_dsq_nr_queued(JT_DSQ_JAVA) + scx_bpf_dsq_nr_queued(JT_DSQ_SHARED);
	return queued >= READ_ONCE(shared.nr_cpus);
}

/*
 * Want the scheduling loop for deferred records once the oldest waited
 * wake_batch_ns, or up to JT_WAKE_BATCH_STRETCH times that while the CPUs
 * have decided work queued first come first served and no deferred record is
 * a weighted task's; @kick as for want_loop().
 */
static __always_inline void wake_java_for_batch(u64 now, bool kick)
{
	u64 since = READ_ONCE(priv.unwoken_since);
	u64 batch = cfg_wake_batch_ns();

	if (!since || now - since < batch)
		return;
	if (now - since < JT_WAKE_BATCH_STRETCH * batch && !READ_ONCE(priv.unwoken_weighted) &&
	    cpus_supplied())
		return;
	if (__sync_val_compare_and_swap(&priv.unwoken_since, since, 0) != since)
		return;
	WRITE_ONCE(priv.unwoken_weighted, 0);
	/* Java may have taken them meanwhile, in a pass of its own. */
	if (!bpf_ringbuf_query(&queued, BPF_RB_AVAIL_DATA))
		return;
	STAT_INC2(nr_wake_nudges);
	want_loop(kick, -1);
}

/*
 * Send @p to Java. Returns false if it could not be sent (ring or FIFO full);
 * the caller then inserts it itself.
 */
static __always_inline bool send_to_java(struct task_struct *p, struct task_ctx *tctx, u64 enq_flags,
					 const struct jt_policy *policy)
{
	struct jt_queued_task *rec;
	struct jt_fifo_entry entry;
	u64 seq;

	rec = bpf_ringbuf_reserve(&queued, sizeof(*rec), 0);
	if (!rec)
		return false;
	seq = ++tctx->seq;
	tctx->wait_path = JT_PATH_JAVA;
	fill_queued_task(rec, p, tctx, enq_flags, seq);
	fill_policy(rec, tctx, policy);

	/* Pending before Java can see the record, or its answer would be stale. */
	WRITE_ONCE(tctx->pending_seq, seq);
	__sync_fetch_and_add(&shared.nr_user_pending, 1);

	entry.pid = p->pid;
	entry.pad = 0;
	entry.seq = seq;
	entry.enqueued_at = rec->enqueued_at;
	if (bpf_map_push_elem(&pending_fifo, &entry, 0)) {
		/* No fallback entry means no liveness guarantee: don't send. */
		bpf_ringbuf_discard(rec, 0);
		claim(tctx, seq);
		return false;
	}
	submit_queued(p, tctx, rec);
	STAT_INC(nr_queued);
	return true;
}

struct drain_ctx {
	u32 budget;	/* records this drain may still consume */
	bool self_free;	/* the draining CPU has no task yet: it takes the first waker itself */
};

/* Queue a Java decision on @cpu's own queue, ordered by deadline. */
static __always_inline void insert_cpu(struct task_struct *p, s32 cpu, u64 slice, u64 deadline)
{
	scx_bpf_dsq_insert_vtime(p, cpu_dsq(cpu), slice, deadline, 0);
}

/*
 * A decision for a CPU Java chose (prev_cpu was idle, or the task may only
 * run there): wake it if idle, preempt it if the task may, else leave the
 * task to it (an idle CPU may still steal it).
 */
static __always_inline void place_on_cpu(struct drain_ctx *drain, struct task_struct *p, s32 target,
					 u64 slice, u64 deadline, u32 rank, u32 flags)
{
	struct jt_cpu_run *run = &cpu_run[target & (JT_MAX_CPUS - 1)];

	insert_cpu(p, target, slice, deadline);
	/* This CPU is dispatching: it looks at its own queue next anyway. */
	if (target == bpf_get_smp_processor_id()) {
		if (flags) {
			drain->self_free = false;
			STAT_INC2(nr_wakeup_self);
		}
		return;
	}
	if (READ_ONCE(shared.cpu_idle[target & (JT_MAX_CPUS - 1)])) {
		scx_bpf_kick_cpu(target, SCX_KICK_IDLE);
		return;
	}
	if (flags && may_preempt(run, deadline, rank, flags)) {
		preempt_for_waker(target);
		return;
	}
	if (flags)
		STAT_INC2(nr_wakeup_waiting);
	kick_idle_cpu_for(p);
}

/*
 * A decision for any CPU that does not preempt. Java sends each batch in
 * deadline order; across batches, first come first served keeps throughput
 * (a deadline-ordered queue reorders tasks that already waited). A pod's tasks
 * are served by deadline all the same: its policy's weight holds only then.
 */
static __always_inline void insert_any(struct task_struct *p, bool by_deadline, u64 slice,
				       u64 deadline)
{
	if (by_deadline)
		scx_bpf_dsq_insert_vtime(p, JT_DSQ_PODS, slice, deadline, 0);
	else
		scx_bpf_dsq_insert(p, JT_DSQ_JAVA, slice, 0);
}

/*
 * A decision for any CPU. A woken task that may preempt goes straight to a
 * CPU: an idle one, else the draining CPU if it has nothing to run yet, else
 * the CPU running the latest deadline it beats, whose queue it then heads.
 */
static __always_inline void place_anywhere(struct drain_ctx *drain, struct task_struct *p,
					   bool by_deadline, u64 slice, u64 deadline, u32 rank, u32 flags)
{
	s32 self = bpf_get_smp_processor_id();
	s32 cpu;

	if (!flags) {
		insert_any(p, by_deadline, slice, deadline);
		kick_idle_cpu_for(p);
		return;
	}
	cpu = scx_bpf_pick_idle_cpu(p->cpus_ptr, 0);
	if (cpu >= 0) {
		insert_cpu(p, cpu, slice, deadline);
		scx_bpf_kick_cpu(cpu, SCX_KICK_IDLE);
		return;
	}
	if (drain->self_free && bpf_cpumask_test_cpu(self, p->cpus_ptr)) {
		drain->self_free = false;
		insert_cpu(p, self, slice, deadline);
		STAT_INC2(nr_wakeup_self);
		return;
	}
	cpu = find_victim(p, self, -1, deadline, rank, flags);
	if (cpu >= 0) {
		insert_cpu(p, cpu, slice, deadline);
		preempt_for_waker(cpu);
		return;
	}
	STAT_INC2(nr_wakeup_waiting);
	insert_any(p, by_deadline, slice, deadline);
}

/* Apply one Java decision (called from the user ringbuf drain in ops.dispatch). */
static __noinline void apply_decision(const struct jt_dispatch *d, struct drain_ctx *drain)
{
	struct task_struct *p;
	struct task_ctx *tctx;
	u32 flags, rank;
	u64 slice;

	if (d->pid <= 0 || !d->seq || d->cpu < JT_CPU_ANY ||
	    d->cpu >= (s32)READ_ONCE(shared.nr_cpus) ||
	    (d->flags & ~(JT_DISPATCH_PREEMPT | JT_DISPATCH_PREEMPT_CLASS)) ||
	    d->sched_class > JT_CLASS_IDLE || d->slice_ns > JT_MAX_SLICE_NS) {
		STAT_INC(nr_bad_dispatch);
		return;
	}
	p = bpf_task_from_pid(d->pid);
	if (!p) {
		STAT_INC(nr_bad_dispatch);
		return;
	}
	tctx = lookup_task_ctx(p);
	if (!tctx || !claim(tctx, d->seq)) {
		STAT_INC(nr_stale);
		goto out;
	}
	slice = d->slice_ns ?: cfg_slice_ns();
	tctx->slice = slice;
	tctx->preempted = 0;
	flags = d->flags;
	rank = class_rank(d->sched_class);
	note_placement(tctx, d->vtime, rank, true, true);
	tctx->queued_at = bpf_ktime_get_ns();
	tctx->measure_run = tctx->woke ? JT_MEASURE_JAVA : 0;
	if (tctx->woke) {
		__sync_fetch_and_add(&shared.wakeup_decision_ns, tctx->queued_at - tctx->sent_at);
		STAT_INC2(nr_wakeup_decisions);
		/* A waking task's runtime term is 0: what is left is its class's offset and Java's clamp. */
		tctx->java_lag = (s64)(d->vtime - tctx->vtime);
		tctx->java_slice = slice;
		tctx->java_class = d->sched_class + 1;
	}
	/*
	 * Idle-class tasks wait apart and run only on a CPU with nothing else to
	 * run: behind a deadline offset alone, other tasks' vtimes catch up with
	 * it and they get a growing share.
	 */
	if (rank == JT_RANK_IDLE) {
		scx_bpf_dsq_insert_vtime(p, JT_DSQ_IDLE_CLASS, slice, d->vtime, 0);
		kick_idle_cpu_for(p);
	} else if (d->cpu != JT_CPU_ANY && bpf_cpumask_test_cpu(d->cpu, p->cpus_ptr)) {
		place_on_cpu(drain, p, d->cpu, slice, d->vtime, rank, flags);
	} else {
		place_anywhere(drain, p, tctx->by_deadline, slice, d->vtime, rank, flags);
	}
	STAT_INC(nr_java_dispatched);
out:
	bpf_task_release(p);
}

static long drain_one(struct bpf_dynptr *dynptr, void *data)
{
	struct drain_ctx *ctx = data;
	struct jt_dispatch d;

	if (bpf_dynptr_size(dynptr) != sizeof(d) || bpf_dynptr_read(&d, sizeof(d), dynptr, 0, 0))
		STAT_INC(nr_bad_dispatch);
	else
		apply_decision(&d, ctx);
	/* The record handed to us is consumed either way: stop when out of slots. */
	return --ctx->budget ? 0 : 1;
}
