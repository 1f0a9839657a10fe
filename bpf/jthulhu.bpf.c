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

char _license[] SEC("license") = "GPL";

/*
 * User DSQs (bit 63 clear). Java's decisions and the tasks BPF inserts itself
 * wait in separate queues: mixed in one vtime-ordered DSQ (two vtime domains)
 * they starved tasks into watchdog stalls. ops.dispatch bounds how long
 * either side waits for the other.
 */
enum {
	JT_DSQ_SHARED = 0,	/* FIFO: BPF's own inserts (fallback, pinned, the JVM's helpers) */
	JT_DSQ_USERSCHED = 1,	/* FIFO: the scheduling loop's thread, consumed first */
	JT_DSQ_JAVA = 2,	/* FIFO: Java's JT_CPU_ANY decisions, in the order sent */
	JT_DSQ_PODS = 3,	/* by deadline: Java's JT_CPU_ANY decisions for tasks with a policy */
	JT_DSQ_THROTTLED = 4,	/* FIFO, never consumed: tasks of cgroups over their cpu.max quota */
	JT_DSQ_IDLE_CLASS = 5,	/* by deadline: Idle-class tasks, run only when nothing else is */
	JT_DSQ_CPU_BASE = 6,	/* + cpu: by deadline, Java's decisions for that CPU */
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
#define JT_DEFAULT_PREEMPT_MARGIN_NS	(1 * JT_NSEC_PER_MSEC)
#define JT_DEFAULT_STARVATION_NS	(1000 * JT_NSEC_PER_MSEC)
#define JT_DEFAULT_FLAGS	(JT_CFG_DIRECT_PINNED | JT_CFG_DIRECT_IDLE)
/* Deferred records that wake Java at once however young: a full batch. */
#define JT_WAKE_BATCH_MAX	64
/* The policy engine's default runtime cap, for the deadlines BPF gives tasks itself. */
#define JT_BPF_RUNTIME_CAP_NS	(100 * JT_NSEC_PER_MSEC)

/* Tasks ops.dispatch may insert per call (sched_ext_ops.dispatch_max_batch). */
#define JT_DISPATCH_MAX_BATCH	64
/* Other CPUs' DSQs an idle CPU looks at per ops.dispatch. */
#define JT_STEAL_SCAN_MAX	64
/* FIFO entries ops.dispatch looks at per call: bounds its run time. */
#define JT_FIFO_SCAN_MAX	64
/* A preempted task resumes without Java only if at least this much of its slice is left. */
#define JT_RESUME_MIN_SLICE_NS	(100 * 1000ULL)

/* task_ctx.measure_run: which wakeup-to-running sum a task's next start adds to. */
#define JT_MEASURE_JAVA		1	/* a Java decision for a wakeup was applied */
#define JT_MEASURE_PINNED	2	/* a single-CPU task woke onto its busy CPU */

/*
 * The longest the loop stays parked with nothing to do. Only a safety net:
 * records, a stop request (loop_wanted) and signals unpark it within a
 * heartbeat; each idle pass costs ~0.5 ms of CPU under TCG.
 */
#define JT_LOOP_PARK_MAX_NS	(1000 * JT_NSEC_PER_MSEC)
/* Cgroup levels searched for a policy: the task's cgroup and its ancestors. */
#define JT_POLICY_MAX_DEPTH	16
/* Tail entries of a deadline DSQ the heartbeat checks for starvation... */
#define JT_STARVATION_SCAN_MAX	32
/* ...and per-CPU DSQs it checks per run, in rotation... */
#define JT_STARVATION_CPUS_PER_RUN 8
/* ...so that each DSQ is checked this many times per starvation_ns. */
#define JT_STARVATION_CHECKS	4
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

/* How a ready task got its CPU, for the wait diagnostics in struct jt_private. */
enum jt_path {
	JT_PATH_OTHER,
	JT_PATH_IDLE,		/* BPF, at once on an idle CPU */
	JT_PATH_CLASS_PREEMPT,	/* BPF, preempting a lower class */
	JT_PATH_JAVA,		/* a decision of Java's */
	JT_PATH_PINNED,		/* BPF, a single-CPU task on its CPU's queue */
	JT_PATH_SHARED,		/* BPF's FIFO (fallback) */
	JT_PATH_RESUMED,	/* BPF, a preempted task back on its CPU */
	JT_PATH_KEPT_LAST,	/* BPF, the CPU's only task kept running */
	JT_PATH_NR,
};

/* BPF-private globals, kept out of .bss so .bss is exactly struct jt_shared. */
struct jt_private {
	/*
	 * Highest vtime of a task that started running on a Java decision.
	 * Tasks that skip the deadline queues (the scheduling loop, the JVM's
	 * helpers, kthreads, idle wakeups) don't count: their vtime runs ahead
	 * of the queued tasks' and would push every waking task's floor
	 * (ops.runnable) past the CPU hogs it should run before. For the same
	 * reason one start moves it by at most a slice: a task Java placed on
	 * an idle CPU may be far ahead of the rest.
	 */
	u64 vtime_now;
	u64 drained_java_seq;	/* shared.java_dispatch_seq seen by the last drain */
	u64 last_heartbeat_ns;	/* bpf_ktime_get_ns() of the last heartbeat run */
	u64 last_revive_ns;	/* last attempt to re-arm a dead heartbeat */
	u32 rescue_cpu;		/* next per-CPU DSQ the starvation guard checks */
	u32 idle_class_running;	/* CPUs running an Idle-class task (ops.running/ops.stopping) */
	u64 unwoken_since;	/* when the oldest record that did not wake Java was sent; 0 = none */
	u64 loop_parked_at;	/* when the scheduling loop parked; 0 = not parked */
	u64 last_rescue_ns;	/* when the starvation guard last ran */
	u64 cgroup_epoch;	/* bumped when a cgroup's cpu.weight changes: tasks resolve again */
	/* LatencyCritical tasks' waits by the path that placed them, and those over 1 ms (bpftool reads them). */
	u64 lc_waits_by_path[JT_PATH_NR];
	u64 lc_slow_waits_by_path[JT_PATH_NR];
};
static struct jt_private priv SEC(".data.jt_private");

/* Wakeup preemption ranks: a task never preempts a higher rank. */
enum {
	JT_RANK_IDLE = 0,
	JT_RANK_BATCH = 1,
	JT_RANK_NORMAL = 2,
	JT_RANK_LATENCY_CRITICAL = 3,
};

static __always_inline u32 class_rank(u32 sched_class)
{
	switch (sched_class) {
	case JT_CLASS_LATENCY_CRITICAL:
		return JT_RANK_LATENCY_CRITICAL;
	case JT_CLASS_BATCH:
		return JT_RANK_BATCH;
	case JT_CLASS_IDLE:
		return JT_RANK_IDLE;
	default:
		return JT_RANK_NORMAL;
	}
}

/* Deadline of tasks BPF inserted itself: preemptible by any waking task of their rank. */
#define JT_DEADLINE_BPF ((u64)-1 >> 1)

/* jt_cpu_run.preemptible, task_ctx.preemptible: by which waking tasks. */
enum jt_preemptible {
	JT_NOT_PREEMPTIBLE,
	JT_PREEMPTIBLE,			/* by a higher class, or its own by deadline */
	JT_PREEMPTIBLE_BY_CLASS,	/* by a higher class only (per-CPU kernel threads) */
};

/* BPF's own may_preempt() flag beside JT_DISPATCH_PREEMPT*: a LatencyCritical wakeup. */
#define JT_PREEMPT_KERNEL (1u << 30)

/* What each CPU runs, for wakeup preemption (written in ops.running/stopping). */
struct jt_cpu_run {
	u64 deadline;		/* of the running task */
	u32 rank;		/* JT_RANK_* */
	u32 preemptible;	/* enum jt_preemptible; JT_NOT_PREEMPTIBLE while idle or switching */
	u32 waker;		/* preempted for a woken task now heading this CPU's queue */
	u32 pad;
	u64 idle_since;		/* bpf_ktime_get_ns() when it went idle, 0 while busy */
};
static struct jt_cpu_run cpu_run[JT_MAX_CPUS] SEC(".data.jt_cpu_run");

/* Per-task state. */
struct task_ctx {
	u64 seq;		/* last sequence number sent to Java */
	u64 pending_seq;	/* seq of the unanswered request; 0 = none */
	u64 vtime;		/* weighted virtual runtime (ns) */
	u64 exec_runtime;	/* ns run since the task last woke up */
	u64 last_run_at;	/* bpf_ktime_get_ns() when it last started running */
	u64 deadline;		/* Java's deadline, or JT_DEADLINE_BPF */
	u64 queued_at;		/* bpf_ktime_get_ns() when it was inserted into a DSQ */
	u64 sent_at;		/* bpf_ktime_get_ns() when its pending request was sent */
	u8 rank;		/* JT_RANK_* of its last insert */
	u8 preemptible;		/* enum jt_preemptible */
	u8 woke;		/* the pending request is a wakeup */
	u8 measure_run;		/* JT_MEASURE_*: time this wakeup until the task runs */
	u8 ordered;		/* its last insert was a Java decision, queued by deadline */
	u8 preempted;		/* stopped before its slice ran out, still runnable */
	u8 sync_wakeup;		/* ops.select_cpu saw SCX_WAKE_SYNC: the waker is about to sleep */
	u8 idle_class_running;	/* counted in priv.idle_class_running */
	u8 wait_path;		/* JT_PATH_* of its last insert */
	u64 slice;		/* slice of its last Java decision, less what it has used */
	/* The policy of its pod (flags 0: none), resolved at policy_epoch. */
	struct jt_policy policy;
	u64 policy_epoch;	/* policy_epoch + cgroup_epoch when resolved */
	u32 cgroup_factor;	/* product of its cgroups' cpu.weight / 100, in percent */
	u64 bw_cgid;		/* nearest cgroup with a cpu.max quota (cgroup_bandwidth key); 0: none */
	u32 by_deadline;	/* Java's any-CPU decisions for it wait by deadline (a policy or a weight) */
	u64 cgroup_id;		/* its own cgroup at that time */
	u64 policy_cgid;	/* the cgroup whose cgroup_policy entry applies (pod_stats key); 0: none */
	u64 ready_at;		/* when it last became ready to run: wakeup or re-enqueue */
	u64 run_wait;		/* 1 + how long its current run waited for a CPU; 0: not measured */
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

/*
 * Key: cgroup id; value: its cpu.weight (kubelet writes it from the pod's CPU
 * request), for cgroups whose weight is not the default. From ops.cgroup_init
 * and ops.cgroup_set_weight.
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, u64);
	__type(value, u32);
} cgroup_weight SEC(".maps");

/*
 * cpu.max of a cgroup (kubelet writes it from the pod's CPU limit), and what
 * its tasks used in the current period. A cgroup whose tasks used their quota
 * is throttled until its period ends: its tasks wait in JT_DSQ_THROTTLED.
 */
struct jt_bandwidth {
	u64 period_ns;
	u64 quota_ns;
	u64 period_start;	/* when the current period began */
	u64 used_ns;		/* CPU used in it, overruns of the last period included */
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, u64);
	__type(value, struct jt_bandwidth);
} cgroup_bandwidth SEC(".maps");

/* Key: a cgroup_policy key. Created by Java with the policy; BPF only adds to it. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 16384);
	__type(key, u64);
	__type(value, struct jt_pod_stats);
} pod_stats SEC(".maps");

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
/* Counters appended to struct jt_shared after struct jt_stats. */
#define STAT_INC2(field) __sync_fetch_and_add(&shared.field, 1)

static __always_inline bool config_is_zero(void)
{
	return !jt_config.usersched_tgid && !jt_config.flags && !jt_config.fallback_ns &&
	       !jt_config.default_slice_ns && !jt_config.heartbeat_ns &&
	       !jt_config.preempt_margin_ns && !jt_config.starvation_ns && !jt_config.wake_batch_ns;
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

static __always_inline u64 cfg_preempt_margin_ns(void)
{
	return jt_config.preempt_margin_ns ?: JT_DEFAULT_PREEMPT_MARGIN_NS;
}

static __always_inline u64 cfg_starvation_ns(void)
{
	return jt_config.starvation_ns ?: JT_DEFAULT_STARVATION_NS;
}

/* 0: every record wakes Java at once. */
static __always_inline u64 cfg_wake_batch_ns(void)
{
	return jt_config.wake_batch_ns;
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

/* Wake an idle CPU that may run @p, so it takes @p from the queue it just joined. */
static __always_inline void kick_idle_cpu_for(const struct task_struct *p)
{
	s32 cpu = scx_bpf_pick_idle_cpu(p->cpus_ptr, 0);

	if (cpu >= 0)
		scx_bpf_kick_cpu(cpu, SCX_KICK_IDLE);
}

/*
 * How a task was just queued: what ops.running publishes for wakeup
 * preemption (deadline, rank, preemptible) and whether it follows Java's
 * deadline order (vtime_now and the resume of a preempted task use that).
 */
static __always_inline void note_placement(struct task_ctx *tctx, u64 deadline, u32 rank,
					   bool preemptible, bool ordered)
{
	tctx->deadline = deadline;
	tctx->rank = rank;
	tctx->preemptible = preemptible ? JT_PREEMPTIBLE : JT_NOT_PREEMPTIBLE;
	tctx->ordered = ordered;
	tctx->measure_run = 0;
}

/* Bounds of a task's cgroup factor, in percent: its weight stays within a policy weight's range. */
#define JT_CGROUP_FACTOR_MIN	1
#define JT_CGROUP_FACTOR_MAX	(JT_WEIGHT_MAX * 100)

/* What a walk up a task's cgroups found so far (resolve_level() adds one level). */
struct jt_cgroup_walk {
	struct jt_policy policy;	/* of the nearest cgroup with an entry (flags 0: none yet) */
	u64 policy_cgid;
	u64 bw_cgid;			/* nearest cgroup with a cpu.max quota */
	u64 product;			/* product of cpu.weight / 100, in percent */
};

/*
 * One level of the walk: cgroup @id's weight, quota and policy. A global
 * function, verified once: inlined in the 16-level walk at every caller it
 * made loading the object slower, and every re-attach with it.
 */
__noinline int resolve_level(u64 id, struct jt_cgroup_walk *walk)
{
	struct jt_policy *policy;
	u32 *weight;

	if (!walk)
		return 0;
	weight = bpf_map_lookup_elem(&cgroup_weight, &id);
	if (weight) {
		walk->product = walk->product * *weight / 100;
		if (walk->product < JT_CGROUP_FACTOR_MIN)
			walk->product = JT_CGROUP_FACTOR_MIN;
		if (walk->product > JT_CGROUP_FACTOR_MAX)
			walk->product = JT_CGROUP_FACTOR_MAX;
	}
	if (!walk->bw_cgid && bpf_map_lookup_elem(&cgroup_bandwidth, &id))
		walk->bw_cgid = id;
	if (walk->policy_cgid)
		return 0;
	policy = bpf_map_lookup_elem(&cgroup_policy, &id);
	if (policy) {
		walk->policy = *policy;
		walk->policy_cgid = id;
	}
	return 0;
}

/*
 * Walk @p's cgroup and its ancestors once: the entry of the nearest one in
 * cgroup_policy, the nearest with a cpu.max quota, and the product of their
 * cpu.weight. The cgroup is the task's own on the unified hierarchy, so a
 * policy keyed by a pod's cgroup covers all its containers. Returns the
 * task's own cgroup v2 id (0 if unknown).
 */
static __always_inline u64 walk_cgroups(struct task_struct *p, struct jt_cgroup_walk *walk)
{
	struct cgroup *cgrp = BPF_CORE_READ(p, cgroups, dfl_cgrp);
	struct bpf_iter_num it;
	int level, *i;
	u64 own;

	if (!cgrp)
		return 0;
	own = BPF_CORE_READ(cgrp, kn, id);
	level = BPF_CORE_READ(cgrp, level);
	bpf_iter_num_new(&it, 0, JT_POLICY_MAX_DEPTH);
	while ((i = bpf_iter_num_next(&it))) {
		struct cgroup *ancestor;

		if (level - *i < 0)
			break;
		/* ancestors[level] is the cgroup itself */
		if (bpf_core_read(&ancestor, sizeof(ancestor), &cgrp->ancestors[level - *i]) ||
		    !ancestor)
			break;
		resolve_level(BPF_CORE_READ(ancestor, kn, id), walk);
	}
	bpf_iter_num_destroy(&it);
	return own;
}

/*
 * Cache @p's policy in its context, as of @epoch. Read before the lookup, the
 * epoch is stale if Java changed the map meanwhile: the next call resolves
 * again.
 */
static __noinline void resolve_policy(struct task_struct *p, struct task_ctx *tctx, u64 epoch)
{
	struct jt_cgroup_walk walk = { .product = 100 };

	tctx->cgroup_id = walk_cgroups(p, &walk);
	tctx->policy_cgid = walk.policy_cgid;
	tctx->bw_cgid = walk.bw_cgid;
	tctx->cgroup_factor = walk.product;
	tctx->policy = walk.policy;
	if (walk.policy_cgid) {
		tctx->policy.flags |= JT_POLICY_PRESENT;
		/* Java validates weights; out of range here means "the task's own". */
		if (tctx->policy.weight > JT_WEIGHT_MAX)
			tctx->policy.weight = 0;
	}
	tctx->by_deadline = walk.policy_cgid || tctx->cgroup_factor != 100;
	tctx->policy_epoch = epoch;
	STAT_INC2(nr_policy_resolves);
}

/* Java's policy epoch and BPF's cgroup epoch only grow: their sum changes whenever either does. */
static __always_inline u64 policy_epoch_now(void)
{
	return READ_ONCE(shared.policy_epoch) + READ_ONCE(priv.cgroup_epoch);
}

/*
 * @p's policy, or NULL. Resolved through its cgroup's ancestry only when Java
 * changed cgroup_policy or the task changed cgroup since it last looked.
 */
static __always_inline const struct jt_policy *task_policy(struct task_struct *p,
							    struct task_ctx *tctx)
{
	u64 epoch = policy_epoch_now();

	if (tctx->policy_epoch != epoch)
		resolve_policy(p, tctx, epoch);
	return (tctx->policy.flags & JT_POLICY_PRESENT) ? &tctx->policy : NULL;
}

/*
 * The weight a task's vtime advances by: its policy's, else its own (nice)
 * scaled by its cgroups' cpu.weight, so that kubelet's CPU requests keep
 * their meaning between pods. A policy's weight replaces both.
 */
static __always_inline u32 task_weight(const struct task_struct *p, const struct task_ctx *tctx)
{
	u64 weight = tctx->policy.weight;

	if (!weight) {
		weight = (u64)p->scx.weight * (tctx->cgroup_factor ?: 100) / 100;
		if (weight > JT_WEIGHT_MAX)
			weight = JT_WEIGHT_MAX;
	}
	return weight ?: 1;
}

/*
 * Has @bw's cgroup used its quota in the current period (with what its
 * running task has used since @run_start, 0 if none)? A period that ended is
 * renewed here: what the last one overran is carried into the next, so the
 * long-run share is the quota's even when a task is cut off a tick late.
 */
static __always_inline bool bw_exhausted(struct jt_bandwidth *bw, u64 now, u64 run_start)
{
	u64 start = READ_ONCE(bw->period_start), used;

	if (now - start >= bw->period_ns) {
		used = READ_ONCE(bw->used_ns);
		/* Idle for a whole period or more: no debt left. */
		used = now - start >= 2 * bw->period_ns || used <= bw->quota_ns ? 0 : used - bw->quota_ns;
		WRITE_ONCE(bw->used_ns, used);
		WRITE_ONCE(bw->period_start, now);
	}
	used = READ_ONCE(bw->used_ns);
	if (run_start && now > run_start)
		used += now - run_start;
	return used >= bw->quota_ns;
}

/* Is @tctx's task in a cgroup that used its cpu.max quota? */
static __always_inline bool task_throttled(const struct task_ctx *tctx, u64 now, u64 run_start)
{
	struct jt_bandwidth *bw;

	if (!tctx->bw_cgid)
		return false;
	bw = bpf_map_lookup_elem(&cgroup_bandwidth, &tctx->bw_cgid);
	return bw && bw_exhausted(bw, now, run_start);
}

/* Is @p's cgroup over its cpu.max quota right now (its cached cgroups resolved first)? */
static __always_inline bool over_quota(struct task_struct *p, struct task_ctx *tctx)
{
	task_policy(p, tctx);
	return tctx->bw_cgid && task_throttled(tctx, bpf_ktime_get_ns(), 0);
}

/* The slice of a task BPF inserts itself: its policy's, else the default. */
static __always_inline u64 policy_slice(const struct jt_policy *policy)
{
	u64 slice;

	if (!policy || !policy->slice_us)
		return cfg_slice_ns();
	slice = (u64)policy->slice_us * 1000;
	return slice < JT_MAX_SLICE_NS ? slice : JT_MAX_SLICE_NS;
}

/* The wakeup-preemption rank of a task BPF inserts itself: its class's. */
static __always_inline u32 policy_rank(const struct jt_policy *policy)
{
	return policy ? class_rank(policy->sched_class) : JT_RANK_NORMAL;
}

/* The policy travels with the record, so Java needs no lookup of its own. */
static __always_inline void fill_policy(struct jt_queued_task *rec, const struct task_ctx *tctx,
					const struct jt_policy *policy)
{
	rec->cgroup_id = tctx->cgroup_id;
	if (policy)
		rec->policy = *policy;
	else
		__builtin_memset(&rec->policy, 0, sizeof(rec->policy));
}

/* CPU a task of a cgroup with a cpu.max quota used, charged to that quota. */
static __always_inline void charge_quota(const struct task_ctx *tctx, u64 now, u64 used)
{
	struct jt_bandwidth *bw = bpf_map_lookup_elem(&cgroup_bandwidth, &tctx->bw_cgid);

	if (!bw)
		return;
	bw_exhausted(bw, now, 0);	/* renews an ended period first */
	__sync_fetch_and_add(&bw->used_ns, used);
}

static __always_inline bool pod_stats_on(void)
{
	return cfg_flags() & JT_CFG_POD_STATS;
}

/* A task with a policy became ready to run: its run-queue wait starts. */
static __always_inline void note_ready(struct task_struct *p, struct task_ctx *tctx)
{
	if (pod_stats_on() && task_policy(p, tctx))
		tctx->ready_at = bpf_ktime_get_ns();
}

/* The jt_pod_stats bucket of a run-queue wait (JT_WAIT_BUCKETS in intf.h). */
static __noinline u32 wait_bucket(u64 ns)
{
	u64 us = ns / 1000;

	if (us <= 100)
		return us <= 5 ? 0 : us <= 10 ? 1 : us <= 25 ? 2 : us <= 50 ? 3 : 4;
	if (us <= 2500)
		return us <= 250 ? 5 : us <= 500 ? 6 : us <= 1000 ? 7 : 8;
	if (us <= 50000)
		return us <= 5000 ? 9 : us <= 10000 ? 10 : us <= 25000 ? 11 : 12;
	return us <= 100000 ? 13 : us <= 250000 ? 14 : us <= 1000000 ? 15 : 16;
}

/* A task with a policy starts running: its wait since it became ready, accounted when it stops. */
static __always_inline void account_start(struct task_ctx *tctx, u64 now)
{
	tctx->run_wait = tctx->ready_at && now >= tctx->ready_at ? now - tctx->ready_at + 1 : 0;
	tctx->ready_at = 0;
	if (tctx->run_wait && (tctx->policy.flags & JT_POLICY_PRESENT) &&
	    tctx->policy.sched_class == JT_CLASS_LATENCY_CRITICAL) {
		u32 path = tctx->wait_path % JT_PATH_NR;

		__sync_fetch_and_add(&priv.lc_waits_by_path[path], 1);
		if (tctx->run_wait > 1000 * 1000)
			__sync_fetch_and_add(&priv.lc_slow_waits_by_path[path], 1);
	}
}

/* ...and stops: one map lookup per run for the switch, its wait and its CPU time. */
static __always_inline void account_run(struct task_ctx *tctx, u64 used)
{
	struct jt_pod_stats *stats = bpf_map_lookup_elem(&pod_stats, &tctx->policy_cgid);
	u64 waited = tctx->run_wait;

	tctx->run_wait = 0;
	if (!stats)
		return;
	stats->nr_switches++;
	stats->cpu_ns += used;
	if (waited--) {
		stats->wait_ns += waited;
		stats->wait_buckets[wait_bucket(waited) % JT_WAIT_BUCKETS]++;
	}
}

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
 * it. A LatencyCritical wakeup that waited for the loop's pass (~0.25 ms of
 * CPU under TCG, or its whole slice when busy) waited 3.9 ms on average
 * under Batch load; preempted, the loop heads its queue again at once.
 */
static __always_inline void mark_scheduler_placement(struct task_ctx *tctx)
{
	if (tctx)
		note_placement(tctx, 0, JT_RANK_NORMAL, true, false);
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
 */
static __always_inline s32 find_victim(const struct task_struct *p, s32 self, u64 deadline,
				       u32 rank, u32 flags)
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
		    (run->rank == best_rank && run->deadline > best_deadline)) {
			victim = cpu;
			best_rank = run->rank;
			best_deadline = run->deadline;
		}
	}
	bpf_iter_num_destroy(&it);
	return victim;
}

/*
 * The scheduling loop has work: run it on an idle CPU, or else preempt the
 * CPU running the least urgent task (ops.dispatch serves the loop first), not
 * one that just got a woken task, nor let every waiting task sit out a slice.
 * Running it on the waking CPU instead (no IPI) measured worse in the VM for
 * both throughput and latency: every record preempted the task that made it.
 * @near (or -1): the CPU a woken single-CPU task waits for. Its decision goes
 * to that CPU's queue; a loop run there drains it and runs the task itself,
 * where a loop run elsewhere has to kick that CPU too.
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
	cpu = find_victim(p, -1, 0, JT_RANK_LATENCY_CRITICAL, JT_DISPATCH_PREEMPT_CLASS);
	if (cpu < 0)
		cpu = scx_bpf_task_cpu(p);
	if (cpu >= 0 && cpu < JT_MAX_CPUS && READ_ONCE(cpu_run[cpu].rank) < JT_RANK_LATENCY_CRITICAL)
		scx_bpf_kick_cpu(cpu, SCX_KICK_PREEMPT);
}

/*
 * The scheduling loop parks in BPF rather than sleeping in epoll. Waking it
 * from epoll cost an irq_work (a self-IPI) for the ring commit, a wakeup
 * through ops.select_cpu and ops.enqueue, and two epoll syscalls; now Java
 * yields with java_loop_idle set, ops.enqueue keeps the thread, runnable but
 * in no DSQ, and the first CPU to reach ops.dispatch while records wait
 * inserts it there. Parked means loop_parked_at != 0.
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
 * The deadline Java gives a task that does not sleep: vtime plus the CPU used
 * since it last slept, capped, scaled by @weight (0 counts as 1).
 */
static __always_inline u64 nonsleeper_deadline(const struct task_ctx *tctx, u32 weight)
{
	u64 runtime = tctx->exec_runtime;

	if (runtime > JT_BPF_RUNTIME_CAP_NS)
		runtime = JT_BPF_RUNTIME_CAP_NS;
	return tctx->vtime + runtime * JT_WEIGHT_NICE0 / (weight ?: 1);
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
	if (!idle && (enq_flags & SCX_ENQ_WAKEUP)) {
		STAT_INC2(nr_pinned_wakeups);
		tctx->measure_run = JT_MEASURE_PINNED;
		if (may_preempt(run, deadline, rank, preempt)) {
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

/*
 * May @rec wait for a batch before it wakes Java? Waking the scheduling loop
 * costs two context switches and an IPI on a busy CPU; under hackbench that
 * was one wakeup per 2-3 records. A record waits only if Java's answer could
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
		/* The flags PolicyEngine sets on a wakeup decision. */
		rank = class_rank(sched_class);
		if (sched_class == JT_CLASS_BATCH || sched_class == JT_CLASS_IDLE)
			flags = 0;
		if ((rec->policy.flags & JT_POLICY_PREEMPT) && sched_class != JT_CLASS_IDLE)
			flags |= JT_DISPATCH_PREEMPT_CLASS;
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
	 * finds the CPU free. Counted, it made 40 % of hackbench's records
	 * urgent while 2-4 % of decisions preempted. Any other wakeup (a timer,
	 * a futex) leaves this CPU's task running, and a task that beats it
	 * must not wait for the batch.
	 */
	return find_victim(p, tctx->sync_wakeup ? bpf_get_smp_processor_id() : -1, rec->vtime, rank,
			   flags) < 0;
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
		STAT_INC2(nr_wake_deferred);
		return;
	}
	/* Nobody sleeps on the ring: the loop is running, or parked and wanted. */
	bpf_ringbuf_submit(rec, BPF_RB_NO_WAKEUP);
	if (READ_ONCE(priv.unwoken_since))
		WRITE_ONCE(priv.unwoken_since, 0);
	want_loop(true, near);
}

/*
 * Want the scheduling loop for deferred records once the oldest waited
 * wake_batch_ns; @kick as for want_loop().
 */
static __always_inline void wake_java_for_batch(u64 now, bool kick)
{
	u64 since = READ_ONCE(priv.unwoken_since);

	if (!since || now - since < cfg_wake_batch_ns())
		return;
	if (__sync_val_compare_and_swap(&priv.unwoken_since, since, 0) != since)
		return;
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
 * task without SCX_OPS_ENQ_LAST. Sent to Java, it left its CPU idle for a
 * round trip per slice: a lone CPU-bound loop took 25-120 % longer than under
 * EEVDF in the VM. It keeps its class's rank and slice; its deadline is the one
 * Java gives a task that does not sleep, for wakeup preemption.
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
	s32 cpu, here;
	u32 flags;

	if (!(policy->flags & JT_POLICY_PREEMPT) || rank == JT_RANK_IDLE)
		return false;
	flags = JT_DISPATCH_PREEMPT_CLASS | (rank == JT_RANK_LATENCY_CRITICAL ? JT_PREEMPT_KERNEL : 0);
	cpu = find_victim(p, -1, 0, rank, flags);
	if (cpu < 0)
		return false;
	/* Of equal victims, the waking CPU's (usually where the timer fired): no IPI to wait for. */
	here = bpf_get_smp_processor_id();
	if (cpu != here && here >= 0 && here < JT_MAX_CPUS && bpf_cpumask_test_cpu(here, p->cpus_ptr) &&
	    may_preempt(&cpu_run[here], 0, rank, flags) &&
	    READ_ONCE(cpu_run[here].rank) == READ_ONCE(cpu_run[cpu & (JT_MAX_CPUS - 1)].rank))
		cpu = here;
	claim_for_waker(&cpu_run[cpu & (JT_MAX_CPUS - 1)]);
	tctx->slice = slice;
	note_placement(tctx, tctx->vtime, rank, true, true);
	tctx->wait_path = JT_PATH_CLASS_PREEMPT;
	scx_bpf_dsq_insert(p, SCX_DSQ_LOCAL_ON | cpu, slice, enq_flags | SCX_ENQ_PREEMPT);
	STAT_INC2(nr_class_preempts);
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
	cpu = find_victim(p, -1, 0, JT_RANK_BATCH, JT_DISPATCH_PREEMPT_CLASS);
	if (cpu < 0)
		return;
	claim_for_waker(&cpu_run[cpu & (JT_MAX_CPUS - 1)]);
	scx_bpf_kick_cpu(cpu, SCX_KICK_PREEMPT);
}

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
	 * round trip (about 0.5 ms under TCG).
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
		 * compete by vtime: prioritised, C2 compiling under TCG starved
		 * the rest of the machine into watchdog stalls.
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
	/*
	 * Preempted before its slice ran out: Java's decision still stands, so
	 * BPF puts the task back on its CPU's queue with its deadline and the
	 * slice it has left, with no round trip (that cost hackbench a record
	 * and a wakeup of the loop for each preemption).
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
 * deadline order; across batches, first come first served kept hackbench's
 * throughput, where a deadline-ordered queue lost a third of it. A pod's
 * tasks are served by deadline all the same: its policy's weight holds only
 * then (in FIFO order two pods with weights 3:1 got 1.7:1 of the CPU).
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
	cpu = find_victim(p, self, deadline, rank, flags);
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
	}
	/*
	 * Idle-class tasks wait apart and run only on a CPU with nothing else to
	 * run: behind a deadline offset alone, other tasks' vtimes caught up
	 * with it and they got a growing share (6-8 % of the CPU beside a
	 * saturating Normal pod, and rising).
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
	 * Not every heartbeat: under hackbench the scans took ~140 us of
	 * softirq time per heartbeat (TCG). A decision is moved at most
	 * starvation_ns / JT_STARVATION_CHECKS after it starved.
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
 * verifier walked ops.dispatch's branches times theirs (26.9k instructions
 * processed for ops.dispatch, 18.9k now), and every load under TCG pays for
 * it, the most on a re-attach after CPU hotplug on the one CPU left.
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
	 * CPU taken by an Idle-class task for a tick (each time a busy task's
	 * slice ended, 26 % of the CPU went to an Idle pod in the VM). The CPU
	 * idles instead until the decision lands and kicks it.
	 */
	if (!READ_ONCE(shared.nr_user_pending) && scx_bpf_dsq_move_to_local(JT_DSQ_IDLE_CLASS))
		return 1;
	/*
	 * Nothing to run here: deferred records must not wait for a batch. A
	 * loop not parked (running elsewhere, or yielding on this very CPU)
	 * finds loop_wanted set and takes another pass.
	 */
	if (bpf_ringbuf_query(&queued, BPF_RB_AVAIL_DATA)) {
		WRITE_ONCE(priv.unwoken_since, 0);
		if (!unpark_loop())
			want_loop(false, -1);
		STAT_INC2(nr_wake_nudges);
	}
	return 0;
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
	 * path they cost the woken task's latency ~40 us under TCG.
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
	 * another pass, which under TCG costs it a few hundred microseconds.
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
	tctx->vtime += used * JT_WEIGHT_NICE0 / weight;
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
 * as CPUs it otherwise kept whole slices (29 % of the CPU in the VM).
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

/* A cgroup's cpu.weight (kubelet sets it from CPU requests); 100 is the default and needs no entry. */
static __always_inline void set_cgroup_weight(struct cgroup *cgrp, u32 weight)
{
	u64 id = cgrp->kn->id;

	if (weight == 100)
		bpf_map_delete_elem(&cgroup_weight, &id);
	else
		bpf_map_update_elem(&cgroup_weight, &id, &weight, BPF_ANY);
	__sync_fetch_and_add(&priv.cgroup_epoch, 1);
}

/* "max" (no limit) comes as a huge quota; anything above this is taken as none. */
#define JT_QUOTA_UNLIMITED_US	(1ULL << 40)

/* A cgroup's cpu.max (kubelet sets it from CPU limits); a new quota starts a new period. */
static __always_inline void set_cgroup_bandwidth(struct cgroup *cgrp, u64 period_us, u64 quota_us)
{
	struct jt_bandwidth bw = {};
	u64 id = cgrp->kn->id;

	if (!period_us || !quota_us || quota_us >= JT_QUOTA_UNLIMITED_US) {
		bpf_map_delete_elem(&cgroup_bandwidth, &id);
	} else {
		bw.period_ns = period_us * 1000;
		bw.quota_ns = quota_us * 1000;
		bw.period_start = bpf_ktime_get_ns();
		bpf_map_update_elem(&cgroup_bandwidth, &id, &bw, BPF_ANY);
	}
	__sync_fetch_and_add(&priv.cgroup_epoch, 1);
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
