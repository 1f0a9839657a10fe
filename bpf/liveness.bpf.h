/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What keeps the machine live when Java is late, paused or gone: the fallback FIFO, the
 * starvation guard, released quotas and the heartbeat timer.
 */
#pragma once

/* Is the request behind a FIFO entry still unanswered? */
static __always_inline bool entry_pending(const struct jt_fifo_entry *e)
{
	struct task_struct *p = bpf_task_from_pid(e->pid);
	struct task_ctx *tctx;
	bool pending = false;

	if (!p)
		return false;
	tctx = lookup_task_ctx(p);
	if (tctx)
		pending = READ_ONCE(tctx->pending_seq) == e->seq;
	bpf_task_release(p);
	return pending;
}

/* Handle an entry popped from the FIFO: dispatch it if it is overdue. */
static __always_inline void fallback_one(struct jt_fifo_entry *e, u64 now)
{
	struct task_struct *p = bpf_task_from_pid(e->pid);
	struct task_ctx *tctx;

	if (!p)
		return;
	tctx = lookup_task_ctx(p);
	if (!tctx || READ_ONCE(tctx->pending_seq) != e->seq)
		goto out;
	/*
	 * Another CPU popped the old head between our peek and pop, so we got a
	 * younger entry: give Java its time unless the FIFO has no room for it.
	 */
	if (now - e->enqueued_at < cfg_fallback_ns() && !bpf_map_push_elem(&pending_fifo, e, 0))
		goto out;
	if (claim(tctx, e->seq)) {
		insert_shared(p, 0);
		STAT_INC(nr_fallback_dispatched);
	}
out:
	bpf_task_release(p);
}

/*
 * Walk the FIFO head: drop answered entries, dispatch overdue ones, stop at
 * the first entry still within its fallback time (all behind it are younger).
 */
static __always_inline void dispatch_overdue(u64 now)
{
	struct bpf_iter_num it;
	int *i;

	bpf_iter_num_new(&it, 0, JT_FIFO_SCAN_MAX);
	while ((i = bpf_iter_num_next(&it))) {
		struct jt_fifo_entry e;

		if (!scx_bpf_dispatch_nr_slots() || bpf_map_peek_elem(&pending_fifo, &e))
			break;
		if (now - e.enqueued_at < cfg_fallback_ns() && entry_pending(&e))
			break;
		/* Not atomic with the peek: handle what we actually popped. */
		if (bpf_map_pop_elem(&pending_fifo, &e))
			break;
		fallback_one(&e, now);
	}
	bpf_iter_num_destroy(&it);
}

/* Does ops.dispatch have work only a kick can get done? */
static __always_inline bool dispatch_needed(u64 now)
{
	struct jt_fifo_entry head;
	u64 java_seen;

	/* Java published decisions that no drain has picked up yet. */
	if (READ_ONCE(shared.java_dispatch_seq) != READ_ONCE(priv.drained_java_seq))
		return true;
	if (!READ_ONCE(shared.nr_user_pending))
		return false;
	if (!bpf_map_peek_elem(&pending_fifo, &head) && now - head.enqueued_at >= cfg_fallback_ns())
		return true;
	/* Parked, Java is alive by definition: BPF holds its loop and runs it when wanted. */
	if (READ_ONCE(priv.loop_parked_at))
		return false;
	java_seen = READ_ONCE(shared.java_heartbeat_ns);
	return (s64)(now - java_seen) > (s64)cfg_fallback_ns();
}

/*
 * Kick every CPU that ops.update_idle reported idle while our DSQs hold work.
 * Insertions kick one idle CPU, claimed through the built-in idle mask, and a
 * claimed CPU that then finds nothing stays idle with its mask bit clear, out
 * of every later claim. cpu_idle[] is not claimed, so this sweep cannot miss it.
 */
static __always_inline void kick_idle_cpus_with_work(void)
{
	struct bpf_iter_num it;
	u32 nr_cpus = READ_ONCE(shared.nr_cpus);
	bool kicked = false;
	int *i;

	if (!scx_bpf_dsq_nr_queued(JT_DSQ_SHARED) && !scx_bpf_dsq_nr_queued(JT_DSQ_USERSCHED) &&
	    !scx_bpf_dsq_nr_queued(JT_DSQ_JAVA) && !scx_bpf_dsq_nr_queued(JT_DSQ_PODS) &&
	    !scx_bpf_dsq_nr_queued(JT_DSQ_IDLE_CLASS) && !cpu_dsqs_queued(nr_cpus))
		return;
	bpf_iter_num_new(&it, 0, JT_MAX_CPUS);
	while ((i = bpf_iter_num_next(&it))) {
		u32 cpu = *i;

		if (cpu >= nr_cpus || cpu >= JT_MAX_CPUS)
			break;
		/* The mask only convinces the verifier; the check above already holds. */
		if (READ_ONCE(shared.cpu_idle[cpu & (JT_MAX_CPUS - 1)])) {
			scx_bpf_kick_cpu(cpu, SCX_KICK_IDLE);
			STAT_INC(nr_kicks);
			kicked = true;
		}
	}
	bpf_iter_num_destroy(&it);
	if (!kicked)
		__sync_fetch_and_add(&shared.nr_sweep_no_idle, 1);
}

static __always_inline u64 task_queued_at(struct task_struct *p)
{
	struct task_ctx *tctx = lookup_task_ctx(p);

	return tctx ? tctx->queued_at : 0;
}

/*
 * Starvation guard: a Java decision that waited longer than starvation_ns
 * (an Idle-class task under a steady stream of earlier deadlines) moves to
 * BPF's FIFO, which ops.dispatch serves by age. Starving tasks sit at the
 * tail of a deadline-ordered queue and at the head of a FIFO.
 */
static __always_inline void rescue_starved_in(u64 dsq_id, u64 iter_flags, u64 now)
{
	struct bpf_iter_scx_dsq it;
	struct task_struct *p;
	u32 scanned = 0;

	if (bpf_iter_scx_dsq_new(&it, dsq_id, iter_flags))
		goto out;
	while ((p = bpf_iter_scx_dsq_next(&it))) {
		u64 queued_at = task_queued_at(p);
		bool starved = queued_at && now - queued_at > cfg_starvation_ns();

		if (++scanned > JT_STARVATION_SCAN_MAX)
			break;
		/* A FIFO (no REV) is in queued_at order: nothing behind a fresh head starves. */
		if (!starved && !(iter_flags & SCX_DSQ_ITER_REV))
			break;
		if (starved && scx_bpf_dsq_move(&it, p, JT_DSQ_SHARED, 0))
			STAT_INC2(nr_starved_moves);
	}
out:
	bpf_iter_scx_dsq_destroy(&it);
}

static __always_inline void rescue_starved(u64 now)
{
	u32 nr_cpus = READ_ONCE(shared.nr_cpus);
	u32 runs_per_rotation = (nr_cpus + JT_STARVATION_CPUS_PER_RUN - 1) / JT_STARVATION_CPUS_PER_RUN;
	struct bpf_iter_num it;
	int *i;

	/*
	 * Not every heartbeat: the scans run in softirq time on a busy CPU. A
	 * decision is moved at most starvation_ns / JT_STARVATION_CHECKS after
	 * it starved.
	 */
	if (!runs_per_rotation ||
	    now - READ_ONCE(priv.last_rescue_ns) <
		    cfg_starvation_ns() / JT_STARVATION_CHECKS / runs_per_rotation)
		return;
	WRITE_ONCE(priv.last_rescue_ns, now);
	rescue_starved_in(JT_DSQ_JAVA, 0, now);
	rescue_starved_in(JT_DSQ_PODS, SCX_DSQ_ITER_REV, now);
	rescue_starved_in(JT_DSQ_IDLE_CLASS, SCX_DSQ_ITER_REV, now);
	bpf_iter_num_new(&it, 0, JT_STARVATION_CPUS_PER_RUN);
	while ((i = bpf_iter_num_next(&it))) {
		u32 cpu = priv.rescue_cpu++ % nr_cpus;

		rescue_starved_in(cpu_dsq(cpu), SCX_DSQ_ITER_REV, now);
		if ((u32)*i + 1 >= nr_cpus)
			break;
	}
	bpf_iter_num_destroy(&it);
}

/* Tasks whose cgroup's period ended leave JT_DSQ_THROTTLED for BPF's FIFO. */
static __always_inline void release_throttled(u64 now)
{
	struct bpf_iter_scx_dsq it;
	struct task_struct *p;
	u32 scanned = 0;

	if (!scx_bpf_dsq_nr_queued(JT_DSQ_THROTTLED))
		return;
	if (bpf_iter_scx_dsq_new(&it, JT_DSQ_THROTTLED, 0))
		goto out;
	while ((p = bpf_iter_scx_dsq_next(&it))) {
		struct task_ctx *tctx = lookup_task_ctx(p);

		if (++scanned > JT_FIFO_SCAN_MAX)
			break;
		if (tctx && task_throttled(tctx, now, 0))
			continue;
		if (scx_bpf_dsq_move(&it, p, JT_DSQ_SHARED, 0))
			STAT_INC2(nr_unthrottled);
	}
out:
	bpf_iter_scx_dsq_destroy(&it);
}

static int heartbeat_fn(void *map, int *key, struct bpf_timer *timer)
{
	u64 now = bpf_ktime_get_ns(), parked_at;

	WRITE_ONCE(priv.last_heartbeat_ns, now);
	STAT_INC(nr_heartbeats);
	if (dispatch_needed(now)) {
		const struct cpumask *online = scx_bpf_get_online_cpumask();
		s32 cpu = scx_bpf_pick_idle_cpu(online, 0);

		scx_bpf_put_cpumask(online);
		/*
		 * No idle CPU: preempt this one, unless it runs LatencyCritical work;
		 * a busy CPU with slice left skips ops.dispatch.
		 */
		if (cpu >= 0) {
			scx_bpf_kick_cpu(cpu, SCX_KICK_IDLE);
		} else {
			cpu = bpf_get_smp_processor_id();
			if (READ_ONCE(cpu_run[cpu & (JT_MAX_CPUS - 1)].rank) < JT_RANK_LATENCY_CRITICAL)
				scx_bpf_kick_cpu(cpu, SCX_KICK_PREEMPT);
		}
		STAT_INC(nr_kicks);
	}
	rescue_starved(now);
	release_throttled(now);
	kick_idle_cpus_with_work();
	wake_java_for_batch(now, true);
	/*
	 * A parked loop runs when wanted (a kick that found no CPU reaching
	 * ops.dispatch is repeated; Java's stop request lands here), when its
	 * thread has a signal, and at least every JT_LOOP_PARK_MAX_NS.
	 */
	parked_at = READ_ONCE(priv.loop_parked_at);
	if (parked_at && (READ_ONCE(shared.loop_wanted) || now - parked_at > JT_LOOP_PARK_MAX_NS ||
			  loop_signal_pending())) {
		WRITE_ONCE(shared.loop_wanted, 1);
		kick_parked_loop(-1);
	}
	bpf_timer_start(timer, cfg_heartbeat_ns(), 0);
	return 0;
}

/* Arm the heartbeat; -EBUSY from bpf_timer_init means it is already set up. */
static __always_inline long start_heartbeat(void)
{
	struct heartbeat_timer *hb;
	u32 key = 0;
	long ret;

	hb = bpf_map_lookup_elem(&heartbeat, &key);
	if (!hb)
		return -EINVAL;
	ret = bpf_timer_init(&hb->timer, &heartbeat, CLOCK_MONOTONIC);
	if (ret && ret != -EBUSY)
		return ret;
	ret = bpf_timer_set_callback(&hb->timer, heartbeat_fn);
	if (ret)
		return ret;
	return bpf_timer_start(&hb->timer, cfg_heartbeat_ns(), 0);
}

/*
 * A dead heartbeat comes back as soon as user space holds the maps again
 * (e.g. the daemon restarted and reopened them). Tried at most once a period.
 */
static __always_inline void revive_heartbeat(u64 now)
{
	if (heartbeat_alive(now) || now - READ_ONCE(priv.last_revive_ns) < cfg_heartbeat_ns())
		return;
	WRITE_ONCE(priv.last_revive_ns, now);
	if (!start_heartbeat()) {
		/* Count it alive from now on, or enqueue keeps bypassing Java until it fires. */
		WRITE_ONCE(priv.last_heartbeat_ns, now);
		__sync_fetch_and_add(&shared.nr_heartbeat_restarts, 1);
	}
}
