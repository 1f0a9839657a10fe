/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Jthulhu: the kernel half of a user-space sched_ext scheduler. This file holds the
 * sched_ext_ops callbacks; the parts they use are in the *.bpf.h files it includes.
 *
 * BPF is a generic core and the policy lives in Java (node-daemon):
 *
 *   ops.enqueue  --queued (ringbuf)-->  Java  --dispatched (user ringbuf)-->  ops.dispatch
 *
 * Every task sent to Java carries a per-task sequence number; a decision is
 * applied only if it atomically claims that exact sequence (task storage
 * pending_seq: seq -> 0). Whoever wins the claim (a Java decision, the
 * fallback below, or ops.dequeue) owns the task; everyone else is stale.
 *
 * Liveness never depends on Java: every task sent to Java is also put in a
 * FIFO (pid, seq, enqueued_at). ops.dispatch dispatches FIFO entries older
 * than jt_config.fallback_ns itself, and a bpf_timer heartbeat kicks a CPU
 * into ops.dispatch when work is overdue. With no Java consumer at all every
 * task still runs, about fallback_ns late. If no process holds the maps at
 * all, the kernel kills the heartbeat timer and BPF stops asking Java.
 *
 * Threads that must never wait for Java (the JVM itself, per-CPU kthreads,
 * memory reclaim threads) and wakeups onto idle CPUs are inserted by BPF
 * directly; so are single-CPU tasks without a policy, queued by deadline on
 * their CPU. Java's decisions queue by deadline on a CPU, or FIFO for any CPU;
 * a woken task may preempt the CPU running the latest deadline.
 *
 * With nothing to do, the scheduling loop parks in BPF (runnable, in no DSQ)
 * and a CPU in ops.dispatch runs it when records wait: no ring wakeups. Each
 * run still costs a busy CPU two context switches and often an IPI: while
 * every CPU is busy, records that Java could not run sooner anyway wait, and
 * one run serves the batch after jt_config.wake_batch_ns, or as soon as a
 * CPU runs out of work.
 *
 * CPU hotplug: ops.cpu_online/cpu_offline are deliberately not implemented,
 * so the kernel exits the scheduler with SCX_ECODE_ACT_RESTART |
 * SCX_ECODE_RSN_HOTPLUG in shared.exit.exit_code; Java reloads it.
 */
#include "vmlinux.h"
#include "jt_compat.h"
#include "intf.h"

#include "sched.bpf.h"
#include "policy.bpf.h"
#include "preempt.bpf.h"
#include "transport.bpf.h"
#include "fastpath.bpf.h"
#include "liveness.bpf.h"
#include "dispatch.bpf.h"

char _license[] SEC("license") = "GPL";

s32 BPF_STRUCT_OPS(jt_select_cpu, struct task_struct *p, s32 prev_cpu, u64 wake_flags)
{
	struct task_ctx *tctx = lookup_task_ctx(p);
	bool is_idle = false;
	s32 cpu;

	/*
	 * Read by ops.enqueue next. ops.running clears it, so a wakeup that
	 * skips ops.select_cpu (a single-CPU task) never counts as sync.
	 */
	if (tctx)
		tctx->sync_wakeup = !!(wake_flags & SCX_WAKE_SYNC);

	cpu = scx_bpf_select_cpu_dfl(p, prev_cpu, wake_flags, &is_idle);
	/* The scheduling loop starts at once on an idle CPU (else see ops.enqueue). */
	if (is_scheduler_thread(p)) {
		if (is_idle) {
			mark_scheduler_placement(tctx);
			scx_bpf_dsq_insert(p, SCX_DSQ_LOCAL, cfg_slice_ns(), 0);
			STAT_INC(nr_direct_usersched);
		}
		return cpu;
	}
	/*
	 * An idle CPU was found (and claimed): the machine is not over-committed
	 * right now, so the task runs there at once, even if others still wait
	 * for Java; sending it to Java too would keep the claimed CPU idle for a
	 * round trip.
	 */
	if (is_idle && (cfg_flags() & JT_CFG_DIRECT_IDLE) && !(tctx && over_quota(p, tctx)))
		insert_idle_local(p, tctx, 0);
	return cpu;
}

void BPF_STRUCT_OPS(jt_enqueue, struct task_struct *p, u64 enq_flags)
{
	struct task_ctx *tctx = lookup_task_ctx(p);
	const struct jt_policy *policy;

	if (!tctx) {
		/* ops.init_task always creates it; never leave a task unqueued. */
		insert_shared(p, enq_flags);
		return;
	}
	/* A task is enqueued only when out of our hands; drop any leftover claim. */
	cancel_pending(tctx);
	/* A wakeup became ready in ops.runnable; this is a slice expiry or a preemption. */
	if (!(enq_flags & SCX_ENQ_WAKEUP))
		note_ready(p, tctx);

	if (is_usersched(p)) {
		STAT_INC(nr_direct_usersched);
		/*
		 * Only the scheduling loop itself jumps the queue. The JVM's other
		 * threads (JIT compilers, GC) never wait for Java either, but
		 * compete by vtime: prioritised, a compiling JIT would starve the
		 * rest of the machine.
		 */
		if (is_scheduler_thread(p)) {
			mark_scheduler_placement(tctx);
			/* A yield with nothing to do: not a wakeup, nor a preemption mid-pass. */
			if (!(enq_flags & SCX_ENQ_WAKEUP) && READ_ONCE(shared.java_loop_idle) &&
			    park_loop(bpf_ktime_get_ns())) {
				STAT_INC2(nr_loop_parks);
				return;
			}
			/*
			 * Nothing else for this CPU: the loop runs on here. The
			 * kick is the follow-up ENQ_LAST asks for: this CPU has
			 * already chosen to go idle.
			 */
			if (enq_flags & SCX_ENQ_LAST) {
				scx_bpf_dsq_insert(p, SCX_DSQ_LOCAL, cfg_slice_ns(), enq_flags);
				scx_bpf_kick_cpu(scx_bpf_task_cpu(p), 0);
				return;
			}
			scx_bpf_dsq_insert(p, JT_DSQ_USERSCHED, cfg_slice_ns(), enq_flags);
			kick_for_scheduler(p, -1);
		} else {
			insert_shared(p, enq_flags);
		}
		return;
	}
	/* Local DSQ of the CPU the task is enqueued on: short, kernel-bounded work. */
	if (((p->flags & PF_KTHREAD) && p->nr_cpus_allowed == 1) || is_reclaim_kthread(p)) {
		mark_kernel_placement(tctx);
		scx_bpf_dsq_insert(p, SCX_DSQ_LOCAL, cfg_slice_ns(), enq_flags);
		STAT_INC(nr_direct_kernel);
		return;
	}
	policy = task_policy(p, tctx);
	/* Its cgroup used its cpu.max quota: it waits, unseen, until the period ends. */
	if (tctx->bw_cgid && task_throttled(tctx, bpf_ktime_get_ns(), 0)) {
		scx_bpf_dsq_insert(p, JT_DSQ_THROTTLED, policy_slice(policy), enq_flags);
		STAT_INC2(nr_throttled);
		return;
	}
	/*
	 * The kernel calls ops.select_cpu only for tasks that may run on more
	 * than one CPU: a single-CPU task whose CPU is idle starts here.
	 */
	if (p->nr_cpus_allowed == 1 && (cfg_flags() & JT_CFG_DIRECT_IDLE) &&
	    scx_bpf_test_and_clear_cpu_idle(scx_bpf_task_cpu(p))) {
		/* No kick: an insert into an idle CPU's local DSQ reschedules it. */
		insert_idle_local(p, tctx, enq_flags);
		return;
	}
	if (policy && !(enq_flags & SCX_ENQ_WAKEUP) && keep_latency_critical(p, tctx, policy, enq_flags))
		return;
	/*
	 * Preempted before its slice ran out: Java's decision still stands, so
	 * BPF puts the task back on its CPU's queue with its deadline and the
	 * slice it has left, with no round trip (a record and a wakeup of the
	 * loop for each preemption otherwise).
	 */
	if (tctx->preempted && !(enq_flags & SCX_ENQ_WAKEUP)) {
		s32 cpu = scx_bpf_task_cpu(p);

		tctx->preempted = 0;
		if (bpf_cpumask_test_cpu(cpu, p->cpus_ptr)) {
			tctx->queued_at = bpf_ktime_get_ns();
			tctx->measure_run = 0;
			tctx->wait_path = JT_PATH_RESUMED;
			scx_bpf_dsq_insert_vtime(p, tctx->rank == JT_RANK_IDLE ? JT_DSQ_IDLE_CLASS : cpu_dsq(cpu),
						 tctx->slice, tctx->deadline, enq_flags);
			STAT_INC2(nr_resumed);
			return;
		}
	}
	if ((enq_flags & SCX_ENQ_LAST) && !(enq_flags & SCX_ENQ_WAKEUP) && !tasks_waiting()) {
		keep_last(p, tctx, policy, enq_flags);
		return;
	}
	if (policy && (enq_flags & SCX_ENQ_WAKEUP) && preempt_lower_class(p, tctx, policy, enq_flags))
		return;
	if (!policy || policy->sched_class != JT_CLASS_IDLE)
		preempt_idle_class(p);
	/* Batch and Idle deadlines need Java's class offsets: those single-CPU tasks go to Java. */
	if ((cfg_flags() & JT_CFG_DIRECT_PINNED) && p->nr_cpus_allowed == 1 &&
	    (!policy || policy->sched_class == JT_CLASS_NORMAL ||
	     policy->sched_class == JT_CLASS_LATENCY_CRITICAL)) {
		insert_pinned(p, tctx, policy, enq_flags);
		return;
	}
	if (wake_preempt(p, tctx, policy, enq_flags))
		return;
	if (!heartbeat_alive(bpf_ktime_get_ns())) {
		__sync_fetch_and_add(&shared.nr_no_heartbeat, 1);
		insert_shared(p, enq_flags);
		return;
	}
	if (send_to_java(p, tctx, enq_flags, policy))
		return;
	STAT_INC(nr_ring_full);
	insert_shared(p, enq_flags);
}

void BPF_STRUCT_OPS(jt_dequeue, struct task_struct *p, u64 deq_flags)
{
	struct task_ctx *tctx = lookup_task_ctx(p);

	if (tctx)
		cancel_pending(tctx);
	/* Out of BPF's hands (e.g. an affinity change): ops.enqueue parks it again if it should. */
	if (is_scheduler_thread(p))
		WRITE_ONCE(priv.loop_parked_at, 0);
}

void BPF_STRUCT_OPS(jt_dispatch, s32 cpu, struct task_struct *prev)
{
	struct jt_cpu_run *run = &cpu_run[cpu & (JT_MAX_CPUS - 1)];
	bool sched_yields = prev_is_busy_scheduler(prev);
	struct drain_ctx drain;
	bool got_task;
	u64 now;

	__sync_fetch_and_add(&shared.nr_dispatch_calls, 1);
	/*
	 * Preempted for a woken task: it runs at once. The drain and the
	 * checks below wait for the next call, when it stops: on the wakeup
	 * path they would add to the woken task's latency.
	 */
	if (READ_ONCE(run->waker)) {
		WRITE_ONCE(run->waker, 0);
		if (scx_bpf_dsq_move_to_local(cpu_dsq(cpu)))
			return;
	}
	/*
	 * The scheduling loop first, so decisions never wait for a slice;
	 * unless it just used up a whole slice itself: then the others go
	 * first once, so a busy loop cannot keep a CPU to itself.
	 */
	got_task = !sched_yields && (scx_bpf_dsq_move_to_local(JT_DSQ_USERSCHED) ||
				     (READ_ONCE(shared.loop_wanted) && unpark_loop()));

	drain.budget = scx_bpf_dispatch_nr_slots();
	drain.self_free = !got_task;
	if (drain.budget) {
		WRITE_ONCE(priv.drained_java_seq, READ_ONCE(shared.java_dispatch_seq));
		/*
		 * No wakeup: Java never waits for room (it only naps when the
		 * ring is full), and the default queues an irq_work, a self-IPI,
		 * on every drain that took a sample.
		 */
		bpf_user_ringbuf_drain(&dispatched, drain_one, &drain, BPF_RB_NO_WAKEUP);
	}
	/* One clock read for the rest of this call: they all run within microseconds. */
	now = bpf_ktime_get_ns();
	dispatch_upkeep(now, got_task);
	if (got_task)
		return;
	/*
	 * The drain gave this CPU a woken task: it runs before the loop takes
	 * another pass, which would delay it.
	 */
	if (!drain.self_free && scx_bpf_dsq_move_to_local(cpu_dsq(cpu)))
		return;
	dispatch_next_task(cpu, sched_yields, now);
}

void BPF_STRUCT_OPS(jt_runnable, struct task_struct *p, u64 enq_flags)
{
	struct task_ctx *tctx = lookup_task_ctx(p);
	u64 vtime_min;

	if (!tctx)
		return;
	note_ready(p, tctx);
	if (enq_flags & SCX_ENQ_WAKEUP)
		tctx->exec_runtime = 0;
	/* A sleeper keeps at most one slice of credit, so it cannot monopolise CPUs. */
	vtime_min = READ_ONCE(priv.vtime_now) - cfg_slice_ns();
	if (vtime_before(tctx->vtime, vtime_min))
		tctx->vtime = vtime_min;
}

void BPF_STRUCT_OPS(jt_running, struct task_struct *p)
{
	struct task_ctx *tctx = lookup_task_ctx(p);
	s32 cpu;

	if (!tctx)
		return;
	tctx->last_run_at = bpf_ktime_get_ns();
	tctx->sync_wakeup = 0;
	if (tctx->rank == JT_RANK_IDLE && !tctx->idle_class_running) {
		tctx->idle_class_running = 1;
		__sync_fetch_and_add(&priv.idle_class_running, 1);
	}
	if (tctx->policy_cgid && pod_stats_on())
		account_start(tctx, tctx->last_run_at);
	if (tctx->measure_run) {
		u64 waited = tctx->last_run_at - tctx->queued_at;

		if (tctx->measure_run == JT_MEASURE_JAVA) {
			__sync_fetch_and_add(&shared.wakeup_run_ns, waited);
			STAT_INC2(nr_wakeup_runs);
		} else {
			__sync_fetch_and_add(&shared.pinned_run_ns, waited);
			STAT_INC2(nr_pinned_runs);
		}
		tctx->measure_run = 0;
	}
	cpu = scx_bpf_task_cpu(p);
	if (cpu >= 0 && cpu < JT_MAX_CPUS) {
		struct jt_cpu_run *run = &cpu_run[cpu];

		WRITE_ONCE(run->deadline, tctx->deadline);
		WRITE_ONCE(run->rank, tctx->rank);
		WRITE_ONCE(run->preemptible, tctx->preemptible);
	}
	/* Racy update is fine: vtime_now only bounds the lag of sleepers. */
	if (tctx->ordered) {
		u64 now_v = READ_ONCE(priv.vtime_now);

		if (vtime_before(now_v, tctx->vtime))
			WRITE_ONCE(priv.vtime_now, tctx->vtime - now_v > cfg_slice_ns() ?
						   now_v + cfg_slice_ns() : tctx->vtime);
	}
}

void BPF_STRUCT_OPS(jt_stopping, struct task_struct *p, bool runnable)
{
	struct task_ctx *tctx = lookup_task_ctx(p);
	s32 cpu = scx_bpf_task_cpu(p);
	u64 now = bpf_ktime_get_ns(), used;
	u32 weight;

	/* Nothing to preempt here until the next task starts running. */
	if (cpu >= 0 && cpu < JT_MAX_CPUS)
		WRITE_ONCE(cpu_run[cpu].preemptible, JT_NOT_PREEMPTIBLE);
	if (tctx && tctx->idle_class_running) {
		tctx->idle_class_running = 0;
		__sync_fetch_and_sub(&priv.idle_class_running, 1);
	}
	if (!tctx || !tctx->last_run_at || now < tctx->last_run_at)
		return;
	weight = task_weight(p, tctx);
	used = now - tctx->last_run_at;
	tctx->exec_runtime += used;
	if (tctx->policy_cgid && pod_stats_on())
		account_run(tctx, used);
	if (tctx->bw_cgid)
		charge_quota(tctx, now, used);
	tctx->vtime += used * JT_WEIGHT_DEFAULT / weight;
	/* Preempted (a waking task, the scheduling loop, a higher class) with slice left? */
	tctx->preempted = runnable && tctx->ordered && used + JT_RESUME_MIN_SLICE_NS < tctx->slice;
	tctx->slice = tctx->preempted ? tctx->slice - used : 0;
}

/*
 * CPUs busy with long slices call ops.dispatch rarely: the tick bounds a
 * batch's wait too. A task whose cgroup used its cpu.max quota while it ran
 * stops at the tick, not at the end of its slice. An Idle-class task that got
 * a CPU in a moment when nothing else waited gives it up at the next tick once
 * something does: other tasks do not preempt it, and with as many busy tasks
 * as CPUs it would otherwise keep whole slices.
 */
void BPF_STRUCT_OPS(jt_tick, struct task_struct *p)
{
	struct task_ctx *tctx = lookup_task_ctx(p);
	u64 now = bpf_ktime_get_ns();

	if (tctx && tctx->bw_cgid && task_throttled(tctx, now, tctx->last_run_at))
		p->scx.slice = 0;
	else if (tctx && tctx->rank == JT_RANK_IDLE && tasks_waiting())
		p->scx.slice = 0;
	wake_java_for_batch(now, true);
}

void BPF_STRUCT_OPS(jt_update_idle, s32 cpu, bool idle)
{
	struct jt_cpu_run *run;
	u64 now, since;

	if (cpu < 0 || cpu >= JT_MAX_CPUS)
		return;
	WRITE_ONCE(shared.cpu_idle[cpu], idle);
	run = &cpu_run[cpu];
	now = bpf_ktime_get_ns();
	since = run->idle_since;
	if (idle) {
		run->idle_since = now;
	} else if (since) {
		run->idle_since = 0;
		__sync_fetch_and_add(&shared.cpu_idle_ns, now - since);
	}
}

s32 BPF_STRUCT_OPS(jt_init_task, struct task_struct *p, struct scx_init_task_args *args)
{
	struct task_ctx *tctx;

	tctx = bpf_task_storage_get(&task_ctxs, p, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!tctx)
		return -ENOMEM;
	tctx->vtime = READ_ONCE(priv.vtime_now);
	return 0;
}

/* Moved to another cgroup: its policy may be another pod's, or none. */
void BPF_STRUCT_OPS(jt_cgroup_move, struct task_struct *p, struct cgroup *from, struct cgroup *to)
{
	struct task_ctx *tctx = lookup_task_ctx(p);

	if (tctx)
		tctx->policy_epoch = policy_epoch_now() - 1;
}

s32 BPF_STRUCT_OPS(jt_cgroup_init, struct cgroup *cgrp, struct scx_cgroup_init_args *args)
{
	if (args->weight != 100)
		set_cgroup_weight(cgrp, args->weight);
	if (args->bw_quota_us && args->bw_quota_us < JT_QUOTA_UNLIMITED_US)
		set_cgroup_bandwidth(cgrp, args->bw_period_us, args->bw_quota_us);
	return 0;
}

void BPF_STRUCT_OPS(jt_cgroup_set_bandwidth, struct cgroup *cgrp, u64 period_us, u64 quota_us,
		    u64 burst_us)
{
	set_cgroup_bandwidth(cgrp, period_us, quota_us);
}

void BPF_STRUCT_OPS(jt_cgroup_set_weight, struct cgroup *cgrp, u32 weight)
{
	set_cgroup_weight(cgrp, weight);
}

/* A pod's cgroup went away: its entries go with it, whenever Java hears of it. */
void BPF_STRUCT_OPS(jt_cgroup_exit, struct cgroup *cgrp)
{
	u64 id = cgrp->kn->id;

	if (!bpf_map_delete_elem(&cgroup_policy, &id))
		STAT_INC2(nr_cgroup_exits);
	bpf_map_delete_elem(&pod_stats, &id);
	bpf_map_delete_elem(&cgroup_weight, &id);
	bpf_map_delete_elem(&cgroup_bandwidth, &id);
}

s32 BPF_STRUCT_OPS_SLEEPABLE(jt_init)
{
	s32 ret;

	WRITE_ONCE(shared.nr_cpus, scx_bpf_nr_cpu_ids());

	ret = scx_bpf_create_dsq(JT_DSQ_SHARED, NUMA_NO_NODE);
	if (ret)
		return ret;
	ret = scx_bpf_create_dsq(JT_DSQ_USERSCHED, NUMA_NO_NODE);
	if (ret)
		return ret;
	ret = scx_bpf_create_dsq(JT_DSQ_JAVA, NUMA_NO_NODE);
	if (ret)
		return ret;
	ret = scx_bpf_create_dsq(JT_DSQ_PODS, NUMA_NO_NODE);
	if (ret)
		return ret;
	ret = scx_bpf_create_dsq(JT_DSQ_THROTTLED, NUMA_NO_NODE);
	if (ret)
		return ret;
	ret = scx_bpf_create_dsq(JT_DSQ_IDLE_CLASS, NUMA_NO_NODE);
	if (ret)
		return ret;
	ret = create_cpu_dsqs();
	if (ret)
		return ret;
	WRITE_ONCE(priv.last_heartbeat_ns, bpf_ktime_get_ns());
	return start_heartbeat();
}

void BPF_STRUCT_OPS(jt_exit, struct scx_exit_info *ei)
{
	u32 key = 0;
	char *dump = bpf_map_lookup_elem(&exit_dump, &key);

	if (dump && ei->dump)
		bpf_probe_read_kernel_str(dump, JT_EXIT_DUMP_LEN, ei->dump);
	bpf_probe_read_kernel_str(shared.exit.reason, sizeof(shared.exit.reason), ei->reason);
	bpf_probe_read_kernel_str(shared.exit.msg, sizeof(shared.exit.msg), ei->msg);
	shared.exit.exit_code = ei->exit_code;
	/* Published last (xchg is a full barrier): kind != 0 means the rest is valid. */
	__sync_lock_test_and_set(&shared.exit.kind, ei->kind);
}

SEC(".struct_ops.link")
struct sched_ext_ops jthulhu = {
	.select_cpu		= (void *)jt_select_cpu,
	.enqueue		= (void *)jt_enqueue,
	.dequeue		= (void *)jt_dequeue,
	.dispatch		= (void *)jt_dispatch,
	.runnable		= (void *)jt_runnable,
	.running		= (void *)jt_running,
	.stopping		= (void *)jt_stopping,
	.tick			= (void *)jt_tick,
	.update_idle		= (void *)jt_update_idle,
	.init_task		= (void *)jt_init_task,
	.cgroup_move		= (void *)jt_cgroup_move,
	.cgroup_exit		= (void *)jt_cgroup_exit,
	.cgroup_init		= (void *)jt_cgroup_init,
	.cgroup_set_weight	= (void *)jt_cgroup_set_weight,
	.cgroup_set_bandwidth	= (void *)jt_cgroup_set_bandwidth,
	.init			= (void *)jt_init,
	.exit			= (void *)jt_exit,
	.dispatch_max_batch	= JT_DISPATCH_MAX_BATCH,
	.flags			= SCX_OPS_ENQ_LAST | SCX_OPS_KEEP_BUILTIN_IDLE,
	.timeout_ms		= 5000,
	.exit_dump_len		= JT_EXIT_DUMP_LEN,
	.name			= "jthulhu",
};
