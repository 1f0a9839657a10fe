/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Jthulhu: the kernel half of a user-space sched_ext scheduler.
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
 * memory reclaim threads, optionally single-CPU tasks and wakeups onto idle
 * CPUs while nothing is pending in user space) are inserted by BPF directly.
 *
 * CPU hotplug: ops.cpu_online/cpu_offline are deliberately not implemented,
 * so the kernel exits the scheduler with SCX_ECODE_ACT_RESTART |
 * SCX_ECODE_RSN_HOTPLUG in shared.exit.exit_code; Java reloads it.
 */
#include "vmlinux.h"
#include "jt_compat.h"
#include "intf.h"

char _license[] SEC("license") = "GPL";

/* User DSQs (bit 63 clear). */
enum {
	JT_DSQ_SHARED = 0,	/* FIFO: Java "any CPU" decisions and BPF's own inserts */
	JT_DSQ_USERSCHED = 1,	/* FIFO: the scheduler's own threads, mostly consumed first */
	JT_DSQ_CPU_BASE = 2,	/* + cpu: FIFO, Java decisions for that CPU */
};

/*
 * Java decisions for a CPU go to that CPU's own user DSQ, not to its local
 * DSQ through SCX_DSQ_LOCAL_ON: inserting remote tasks into another CPU's
 * local DSQ from ops.dispatch left both VM CPUs unable to reach ops.dispatch
 * again (watchdog stall after ~15 s of stress-ng). A CPU consumes its own
 * DSQ, and an idle CPU steals from the others, so nothing waits on a busy CPU.
 */
static __always_inline u64 cpu_dsq(s32 cpu)
{
	return JT_DSQ_CPU_BASE + (u64)cpu;
}

#define JT_NSEC_PER_MSEC	1000000ULL
#define JT_DEFAULT_FALLBACK_NS	(50 * JT_NSEC_PER_MSEC)
#define JT_DEFAULT_SLICE_NS	(5 * JT_NSEC_PER_MSEC)
#define JT_DEFAULT_HEARTBEAT_NS	(10 * JT_NSEC_PER_MSEC)
#define JT_DEFAULT_FLAGS	(JT_CFG_DIRECT_PINNED | JT_CFG_DIRECT_IDLE)

/* Tasks ops.dispatch may insert per call (sched_ext_ops.dispatch_max_batch). */
#define JT_DISPATCH_MAX_BATCH	64
/* Other CPUs' DSQs an idle CPU looks at per ops.dispatch. */
#define JT_STEAL_SCAN_MAX	64
/* FIFO entries ops.dispatch looks at per call: bounds its run time. */
#define JT_FIFO_SCAN_MAX	64
/* Cgroup levels searched for a policy: the task's cgroup and its ancestors. */
#define JT_POLICY_MAX_DEPTH	16
/* One ops.dispatch in this many serves the shared DSQ before the JVM's threads. */
#define JT_SHARED_FIRST_EVERY	4
/* Weight of a nice-0 task: vtime advances 1:1 with runtime at this weight. */
#define JT_WEIGHT_NICE0		100
/* The heartbeat is considered dead after this many missed periods... */
#define JT_HEARTBEAT_MISSES	10
/* ...and never sooner than this, so softirq delays under load don't count. */
#define JT_HEARTBEAT_DEAD_MIN_NS (500 * JT_NSEC_PER_MSEC)

/*
 * Written by Java between open and load (frozen afterwards, so the verifier
 * sees the values). Zero fields take the defaults above. flags == 0 is a
 * legitimate choice (everything through Java), so the default flags apply
 * only when the whole struct is zero, i.e. nobody configured anything.
 */
const volatile struct jt_config jt_config SEC(".rodata");

/* The only variable in .bss: Java mmaps it and reads it as struct jt_shared. */
struct jt_shared shared SEC(".bss");

/* BPF-private globals, kept out of .bss so .bss is exactly struct jt_shared. */
struct jt_private {
	u64 vtime_now;		/* highest vtime of a task that started running */
	u64 drained_java_seq;	/* shared.java_dispatch_seq seen by the last drain */
	u64 last_heartbeat_ns;	/* bpf_ktime_get_ns() of the last heartbeat run */
	u64 last_revive_ns;	/* last attempt to re-arm a dead heartbeat */
};
static struct jt_private priv SEC(".data.jt_private");

/* Per-task state. */
struct task_ctx {
	u64 seq;		/* last sequence number sent to Java */
	u64 pending_seq;	/* seq of the unanswered request; 0 = none */
	u64 vtime;		/* weighted virtual runtime (ns) */
	u64 exec_runtime;	/* ns run since the task last woke up */
	u64 last_run_at;	/* bpf_ktime_get_ns() when it last started running */
};

/* A task waiting for Java, in enqueue order, for the fallback. */
struct jt_fifo_entry {
	s32 pid;
	u32 pad;
	u64 seq;
	u64 enqueued_at;
};

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct task_ctx);
} task_ctxs SEC(".maps");

/* BPF -> Java: struct jt_queued_task records. */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 512 * 1024);
} queued SEC(".maps");

/* Java -> BPF: struct jt_dispatch records. */
struct {
	__uint(type, BPF_MAP_TYPE_USER_RINGBUF);
	__uint(max_entries, 512 * 1024);
} dispatched SEC(".maps");

/*
 * Holds more entries than the "queued" ring can hold records (~5k), plus
 * room for entries already answered by Java but not yet popped.
 */
struct {
	__uint(type, BPF_MAP_TYPE_QUEUE);
	__uint(max_entries, 32768);
	__type(value, struct jt_fifo_entry);
} pending_fifo SEC(".maps");

/* Key: cgroup v2 id. Written by Java. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, u64);
	__type(value, struct jt_policy);
} cgroup_policy SEC(".maps");

/* The kernel's debug dump of an error exit, copied in ops.exit for Java to print. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, char[JT_EXIT_DUMP_LEN]);
} exit_dump SEC(".maps");

struct heartbeat_timer {
	struct bpf_timer timer;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, struct heartbeat_timer);
} heartbeat SEC(".maps");

#define STAT_INC(field) __sync_fetch_and_add(&shared.stats.field, 1)

static __always_inline bool config_is_zero(void)
{
	return !jt_config.usersched_tgid && !jt_config.flags && !jt_config.fallback_ns &&
	       !jt_config.default_slice_ns && !jt_config.heartbeat_ns;
}

static __always_inline u32 cfg_flags(void)
{
	return config_is_zero() ? JT_DEFAULT_FLAGS : jt_config.flags;
}

static __always_inline u64 cfg_fallback_ns(void)
{
	return jt_config.fallback_ns ?: JT_DEFAULT_FALLBACK_NS;
}

static __always_inline u64 cfg_slice_ns(void)
{
	return jt_config.default_slice_ns ?: JT_DEFAULT_SLICE_NS;
}

static __always_inline u64 cfg_heartbeat_ns(void)
{
	return jt_config.heartbeat_ns ?: JT_DEFAULT_HEARTBEAT_NS;
}

/*
 * A bpf_timer is cancelled and freed by the kernel once no user-space process
 * holds a reference (fd or pin) to its map, and cannot be re-armed until one
 * does. With the heartbeat dead there is no user space to answer either, and
 * nothing would kick idle CPUs for the fallback, so BPF stops asking.
 */
static __always_inline bool heartbeat_alive(u64 now)
{
	u64 dead_ns = JT_HEARTBEAT_MISSES * cfg_heartbeat_ns();

	if (dead_ns < JT_HEARTBEAT_DEAD_MIN_NS)
		dead_ns = JT_HEARTBEAT_DEAD_MIN_NS;
	return (s64)(now - READ_ONCE(priv.last_heartbeat_ns)) <= (s64)dead_ns;
}

static __always_inline struct task_ctx *lookup_task_ctx(struct task_struct *p)
{
	return bpf_task_storage_get(&task_ctxs, p, 0, 0);
}

static __always_inline bool vtime_before(u64 a, u64 b)
{
	return (s64)(a - b) < 0;
}

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

static __always_inline bool is_usersched(const struct task_struct *p)
{
	return jt_config.usersched_tgid && p->tgid == (s32)jt_config.usersched_tgid;
}

/* First 8 bytes of a comm, as a little-endian u64 with the tail masked off. */
#define JT_COMM8(a, b, c, d, e, f, g, h)					\
	((u64)(a) | (u64)(b) << 8 | (u64)(c) << 16 | (u64)(d) << 24 |		\
	 (u64)(e) << 32 | (u64)(f) << 40 | (u64)(g) << 48 | (u64)(h) << 56)
#define JT_MASK6 0x0000ffffffffffffULL

/* Memory reclaim/compaction threads: Java may itself be waiting on them. */
static __always_inline bool is_reclaim_kthread(const struct task_struct *p)
{
	u64 head;

	if (!(p->flags & PF_KTHREAD))
		return false;
	if (bpf_probe_read_kernel(&head, sizeof(head), p->comm))
		return false;
	return (head & JT_MASK6) == JT_COMM8('k', 's', 'w', 'a', 'p', 'd', 0, 0) ||
	       head == JT_COMM8('k', 'c', 'o', 'm', 'p', 'a', 'c', 't') ||
	       head == JT_COMM8('k', 'h', 'u', 'g', 'e', 'p', 'a', 'g');
}

/* Wake an idle CPU that may run @p so it consumes a shared DSQ. */
static __always_inline void kick_idle_cpu_for(const struct task_struct *p)
{
	s32 cpu = scx_bpf_pick_idle_cpu(p->cpus_ptr, 0);

	if (cpu >= 0)
		scx_bpf_kick_cpu(cpu, SCX_KICK_IDLE);
}

/*
 * The scheduling loop woke up because tasks wait for a decision: run it on an
 * idle CPU, or else preempt the CPU it last ran on, instead of letting every
 * waiting task sit out the current task's slice first.
 */
static __always_inline void kick_for_scheduler(const struct task_struct *p)
{
	s32 cpu = scx_bpf_pick_idle_cpu(p->cpus_ptr, 0);

	if (cpu >= 0)
		scx_bpf_kick_cpu(cpu, SCX_KICK_IDLE);
	else
		scx_bpf_kick_cpu(scx_bpf_task_cpu(p), SCX_KICK_PREEMPT);
}

/*
 * Every DSQ is FIFO. Java sends its decisions in deadline order, so FIFO keeps
 * Java's order; tasks BPF inserts itself (fallback, pinned, the JVM's helper
 * threads) simply queue behind them. vtime-ordered DSQs mixing both starved
 * tasks for seconds under stress in the VM ("watchdog failed to check in"),
 * with a plain FIFO the same load runs clean.
 */
static __always_inline void insert_shared(struct task_struct *p, u64 slice, u64 enq_flags)
{
	scx_bpf_dsq_insert(p, JT_DSQ_SHARED, slice, enq_flags);
	kick_idle_cpu_for(p);
}

/*
 * The task's cgroup v2 id, and the policy of the nearest cgroup (the task's
 * own, then its ancestors) that has an entry in cgroup_policy. The cgroup is
 * the task's own cgroup on the unified hierarchy, not its cpu-controller
 * group, so a policy works whether or not the cpu controller is enabled.
 */
static __always_inline void fill_cgroup_policy(struct task_struct *p, struct jt_queued_task *rec)
{
	struct cgroup *cgrp = BPF_CORE_READ(p, cgroups, dfl_cgrp);
	struct jt_policy *policy;
	int level, i;

	rec->cgroup_id = 0;
	__builtin_memset(&rec->policy, 0, sizeof(rec->policy));
	if (!cgrp)
		return;
	rec->cgroup_id = BPF_CORE_READ(cgrp, kn, id);
	level = BPF_CORE_READ(cgrp, level);

	for (i = 0; i < JT_POLICY_MAX_DEPTH; i++) {
		struct cgroup *ancestor;
		u64 id;

		if (level - i < 0)
			break;
		/* ancestors[level] is the cgroup itself */
		if (bpf_core_read(&ancestor, sizeof(ancestor), &cgrp->ancestors[level - i]) ||
		    !ancestor)
			break;
		id = BPF_CORE_READ(ancestor, kn, id);
		policy = bpf_map_lookup_elem(&cgroup_policy, &id);
		if (policy) {
			rec->policy = *policy;
			rec->policy.flags |= JT_POLICY_PRESENT;
			return;
		}
	}
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
	rec->weight = p->scx.weight;
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
	fill_cgroup_policy(p, rec);
}

/*
 * Send @p to Java. Returns false if it could not be sent (ring or FIFO full);
 * the caller then inserts it itself.
 */
static __always_inline bool send_to_java(struct task_struct *p, struct task_ctx *tctx,
					 u64 enq_flags)
{
	struct jt_queued_task *rec;
	struct jt_fifo_entry entry;
	u64 seq;

	rec = bpf_ringbuf_reserve(&queued, sizeof(*rec), 0);
	if (!rec)
		return false;
	seq = ++tctx->seq;
	fill_queued_task(rec, p, tctx, enq_flags, seq);

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
	/* Default wakeup: a consumer blocked in epoll on the ring wakes up. */
	bpf_ringbuf_submit(rec, 0);
	STAT_INC(nr_queued);
	return true;
}

s32 BPF_STRUCT_OPS(jt_select_cpu, struct task_struct *p, s32 prev_cpu, u64 wake_flags)
{
	bool is_idle = false;
	s32 cpu;

	cpu = scx_bpf_select_cpu_dfl(p, prev_cpu, wake_flags, &is_idle);
	/* Only when nothing waits in user space, or it would jump the queue. */
	if (is_idle && (cfg_flags() & JT_CFG_DIRECT_IDLE) && !READ_ONCE(shared.nr_user_pending)) {
		scx_bpf_dsq_insert(p, SCX_DSQ_LOCAL, cfg_slice_ns(), 0);
		STAT_INC(nr_direct_idle);
	}
	return cpu;
}

void BPF_STRUCT_OPS(jt_enqueue, struct task_struct *p, u64 enq_flags)
{
	struct task_ctx *tctx = lookup_task_ctx(p);

	if (!tctx) {
		/* ops.init_task always creates it; never leave a task unqueued. */
		insert_shared(p, cfg_slice_ns(), enq_flags);
		return;
	}
	/* A task is enqueued only when out of our hands; drop any leftover claim. */
	cancel_pending(tctx);

	if (is_usersched(p)) {
		STAT_INC(nr_direct_usersched);
		/*
		 * Only the scheduling loop itself jumps the queue. The JVM's other
		 * threads (JIT compilers, GC) never wait for Java either, but
		 * compete by vtime: prioritised, C2 compiling under TCG starved
		 * the rest of the machine into watchdog stalls.
		 */
		if (p->pid == (s32)READ_ONCE(shared.scheduler_tid)) {
			scx_bpf_dsq_insert(p, JT_DSQ_USERSCHED, cfg_slice_ns(), enq_flags);
			kick_for_scheduler(p);
		} else {
			insert_shared(p, cfg_slice_ns(), enq_flags);
		}
		return;
	}
	/* Local DSQ of the CPU the task is enqueued on: short, kernel-bounded work. */
	if (((p->flags & PF_KTHREAD) && p->nr_cpus_allowed == 1) || is_reclaim_kthread(p)) {
		scx_bpf_dsq_insert(p, SCX_DSQ_LOCAL, cfg_slice_ns(), enq_flags);
		STAT_INC(nr_direct_kernel);
		return;
	}
	/*
	 * Not the local DSQ: ops.dispatch only runs when a CPU's local DSQ is
	 * empty, so a stream of pinned tasks there (e.g. a process hopping
	 * between CPUs with sched_setaffinity) would starve the shared DSQ and
	 * the fallback. In the shared DSQ they compete by vtime, and a CPU
	 * consuming it skips tasks it may not run.
	 */
	if ((cfg_flags() & JT_CFG_DIRECT_PINNED) && p->nr_cpus_allowed == 1) {
		insert_shared(p, cfg_slice_ns(), enq_flags);
		STAT_INC(nr_direct_pinned);
		return;
	}
	if (!heartbeat_alive(bpf_ktime_get_ns())) {
		__sync_fetch_and_add(&shared.nr_no_heartbeat, 1);
		insert_shared(p, cfg_slice_ns(), enq_flags);
		return;
	}
	if (send_to_java(p, tctx, enq_flags))
		return;
	STAT_INC(nr_ring_full);
	insert_shared(p, cfg_slice_ns(), enq_flags);
}

void BPF_STRUCT_OPS(jt_dequeue, struct task_struct *p, u64 deq_flags)
{
	struct task_ctx *tctx = lookup_task_ctx(p);

	if (tctx)
		cancel_pending(tctx);
}

/* Apply one Java decision (called from the user ringbuf drain in ops.dispatch). */
static __noinline void apply_decision(const struct jt_dispatch *d)
{
	struct task_struct *p;
	struct task_ctx *tctx;
	u64 slice;

	if (d->pid <= 0 || !d->seq || d->cpu < JT_CPU_ANY ||
	    d->cpu >= (s32)READ_ONCE(shared.nr_cpus) || (d->flags & ~JT_DISPATCH_PREEMPT) ||
	    d->pad || d->slice_ns > JT_MAX_SLICE_NS) {
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
	if (d->cpu == JT_CPU_ANY || !bpf_cpumask_test_cpu(d->cpu, p->cpus_ptr)) {
		insert_shared(p, slice, 0);
	} else {
		scx_bpf_dsq_insert(p, cpu_dsq(d->cpu), slice, 0);
		scx_bpf_kick_cpu(d->cpu, (d->flags & JT_DISPATCH_PREEMPT) ? SCX_KICK_PREEMPT :
									   SCX_KICK_IDLE);
	}
	STAT_INC(nr_java_dispatched);
out:
	bpf_task_release(p);
}

struct drain_ctx {
	u32 budget;	/* records this drain may still consume */
};

static long drain_one(struct bpf_dynptr *dynptr, void *data)
{
	struct drain_ctx *ctx = data;
	struct jt_dispatch d;

	if (bpf_dynptr_size(dynptr) != sizeof(d) || bpf_dynptr_read(&d, sizeof(d), dynptr, 0, 0))
		STAT_INC(nr_bad_dispatch);
	else
		apply_decision(&d);
	/* The record handed to us is consumed either way: stop when out of slots. */
	return --ctx->budget ? 0 : 1;
}

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
		insert_shared(p, cfg_slice_ns(), 0);
		STAT_INC(nr_fallback_dispatched);
	}
out:
	bpf_task_release(p);
}

/*
 * Walk the FIFO head: drop answered entries, dispatch overdue ones, stop at
 * the first entry still within its fallback time (all behind it are younger).
 */
static __always_inline void dispatch_overdue(void)
{
	u64 now = bpf_ktime_get_ns();
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
	java_seen = READ_ONCE(shared.java_heartbeat_ns);
	return (s64)(now - java_seen) > (s64)cfg_fallback_ns();
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

/*
 * Kick every CPU that ops.update_idle reported idle while our DSQs hold work.
 * Insertions kick one idle CPU, claimed through the built-in idle mask, and a
 * claimed CPU that then finds nothing stays idle with its mask bit clear; seen
 * in the VM as one CPU idle for 3 s beside a full shared DSQ until the
 * watchdog fired. cpu_idle[] is not claimed, so this sweep cannot miss it.
 */
static __always_inline void kick_idle_cpus_with_work(void)
{
	struct bpf_iter_num it;
	u32 nr_cpus = READ_ONCE(shared.nr_cpus);
	bool kicked = false;
	int *i;

	if (!scx_bpf_dsq_nr_queued(JT_DSQ_SHARED) && !scx_bpf_dsq_nr_queued(JT_DSQ_USERSCHED) &&
	    !cpu_dsqs_queued(nr_cpus))
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

static int heartbeat_fn(void *map, int *key, struct bpf_timer *timer)
{
	u64 now = bpf_ktime_get_ns();

	WRITE_ONCE(priv.last_heartbeat_ns, now);
	STAT_INC(nr_heartbeats);
	if (dispatch_needed(now)) {
		const struct cpumask *online = scx_bpf_get_online_cpumask();
		s32 cpu = scx_bpf_pick_idle_cpu(online, 0);

		scx_bpf_put_cpumask(online);
		/* No idle CPU: preempt this one; a busy CPU with slice left skips ops.dispatch. */
		if (cpu >= 0)
			scx_bpf_kick_cpu(cpu, SCX_KICK_IDLE);
		else
			scx_bpf_kick_cpu(bpf_get_smp_processor_id(), SCX_KICK_PREEMPT);
		STAT_INC(nr_kicks);
	}
	kick_idle_cpus_with_work();
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
static __always_inline void revive_heartbeat(void)
{
	u64 now = bpf_ktime_get_ns();

	if (heartbeat_alive(now) || now - READ_ONCE(priv.last_revive_ns) < cfg_heartbeat_ns())
		return;
	WRITE_ONCE(priv.last_revive_ns, now);
	if (!start_heartbeat()) {
		/* Count it alive from now on, or enqueue keeps bypassing Java until it fires. */
		WRITE_ONCE(priv.last_heartbeat_ns, now);
		__sync_fetch_and_add(&shared.nr_heartbeat_restarts, 1);
	}
}

/* An idle CPU takes work Java meant for a busy one rather than stay idle. */
static __always_inline void steal_from_other_cpus(s32 self)
{
	u32 nr_cpus = READ_ONCE(shared.nr_cpus);
	struct bpf_iter_num it;
	int *i;

	bpf_iter_num_new(&it, 1, JT_STEAL_SCAN_MAX);
	while ((i = bpf_iter_num_next(&it))) {
		u32 victim;

		if (!nr_cpus || *i >= nr_cpus)
			break;
		victim = ((u32)self + (u32)*i) % nr_cpus;
		if (scx_bpf_dsq_move_to_local(cpu_dsq(victim)))
			break;
	}
	bpf_iter_num_destroy(&it);
}

static __always_inline bool move_shared_to_local(void)
{
	if (!scx_bpf_dsq_move_to_local(JT_DSQ_SHARED))
		return false;
	__sync_fetch_and_add(&shared.nr_shared_moves, 1);
	return true;
}

void BPF_STRUCT_OPS(jt_dispatch, s32 cpu, struct task_struct *prev)
{
	struct drain_ctx drain;
	bool got_task = false;

	/*
	 * The scheduler's own threads first, so Java is never starved; but not
	 * always, or a JVM busy on every CPU (JIT, GC) would starve the rest
	 * into a watchdog stall.
	 */
	if (__sync_fetch_and_add(&shared.nr_dispatch_calls, 1) % JT_SHARED_FIRST_EVERY == 0)
		got_task = move_shared_to_local();
	if (!got_task)
		got_task = scx_bpf_dsq_move_to_local(JT_DSQ_USERSCHED);

	drain.budget = scx_bpf_dispatch_nr_slots();
	if (drain.budget) {
		WRITE_ONCE(priv.drained_java_seq, READ_ONCE(shared.java_dispatch_seq));
		bpf_user_ringbuf_drain(&dispatched, drain_one, &drain, 0);
	}
	dispatch_overdue();
	revive_heartbeat();

	if (!got_task)
		got_task = move_shared_to_local();
	if (!got_task)
		got_task = scx_bpf_dsq_move_to_local(cpu_dsq(cpu));
	if (!got_task)
		steal_from_other_cpus(cpu);
}

void BPF_STRUCT_OPS(jt_runnable, struct task_struct *p, u64 enq_flags)
{
	struct task_ctx *tctx = lookup_task_ctx(p);
	u64 vtime_min;

	if (!tctx)
		return;
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

	if (!tctx)
		return;
	tctx->last_run_at = bpf_ktime_get_ns();
	/* Racy max is fine: vtime_now only bounds the lag of sleepers. */
	if (vtime_before(READ_ONCE(priv.vtime_now), tctx->vtime))
		WRITE_ONCE(priv.vtime_now, tctx->vtime);
}

void BPF_STRUCT_OPS(jt_stopping, struct task_struct *p, bool runnable)
{
	struct task_ctx *tctx = lookup_task_ctx(p);
	u32 weight = p->scx.weight ?: 1;
	u64 now = bpf_ktime_get_ns(), used;

	if (!tctx || !tctx->last_run_at || now < tctx->last_run_at)
		return;
	used = now - tctx->last_run_at;
	tctx->exec_runtime += used;
	tctx->vtime += used * JT_WEIGHT_NICE0 / weight;
}

void BPF_STRUCT_OPS(jt_update_idle, s32 cpu, bool idle)
{
	if (cpu >= 0 && cpu < JT_MAX_CPUS)
		WRITE_ONCE(shared.cpu_idle[cpu], idle);
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
	.update_idle		= (void *)jt_update_idle,
	.init_task		= (void *)jt_init_task,
	.init			= (void *)jt_init,
	.exit			= (void *)jt_exit,
	.dispatch_max_batch	= JT_DISPATCH_MAX_BATCH,
	.flags			= SCX_OPS_ENQ_LAST | SCX_OPS_KEEP_BUILTIN_IDLE,
	.timeout_ms		= 5000,
	.exit_dump_len		= JT_EXIT_DUMP_LEN,
	.name			= "jthulhu",
};
