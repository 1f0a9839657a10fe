/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The scheduler's state: queues, configuration, the memory shared with Java, per-CPU and
 * per-task context, maps, and small helpers every other part uses.
 */
#pragma once

/*
 * User DSQs (bit 63 clear). Java's decisions and the tasks BPF inserts itself
 * wait in separate queues: their vtimes are two domains that one ordered DSQ
 * cannot compare. ops.dispatch bounds how long either side waits for the other.
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
 * DSQ through SCX_DSQ_LOCAL_ON: remote local-DSQ inserts from ops.dispatch can
 * keep CPUs from reaching ops.dispatch again. A CPU consumes its own DSQ, and
 * an idle CPU steals from the others, so nothing waits on a busy CPU.
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
/*
 * How many batch periods deferred records of unweighted tasks may wait while
 * every CPU still has a first-come decision queued after its current task:
 * Java's next batch cannot run them sooner then, and a CPU that runs dry wakes
 * Java at once anyway.
 */
#define JT_WAKE_BATCH_STRETCH	4

/* Tasks ops.dispatch may insert per call (sched_ext_ops.dispatch_max_batch). */
#define JT_DISPATCH_MAX_BATCH	64
/* Other CPUs' DSQs an idle CPU looks at per ops.dispatch. */
#define JT_STEAL_SCAN_MAX	64
/* FIFO entries ops.dispatch looks at per call: bounds its run time. */
#define JT_FIFO_SCAN_MAX	64
/* A preempted task resumes without Java only if at least this much of its slice is left. */
#define JT_RESUME_MIN_SLICE_NS	(100 * 1000ULL)
/* CPU a LatencyCritical task may use after waking before BPF stops keeping it on its CPU. */
#define JT_LC_KEEP_RUNTIME_NS	(10 * 1000 * 1000ULL)

/* task_ctx.measure_run: which wakeup-to-running sum a task's next start adds to. */
#define JT_MEASURE_JAVA		1	/* a Java decision for a wakeup was applied */
#define JT_MEASURE_PINNED	2	/* a single-CPU task woke onto its busy CPU */

/*
 * The longest the loop stays parked with nothing to do. Only a safety net:
 * records, a stop request (loop_wanted) and signals unpark it within a
 * heartbeat, and an idle pass is not free.
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
	JT_PATH_WAKE_PREEMPT,	/* BPF, preempting on Java's last decision for it */
	JT_PATH_CLASS_REQUEUE,	/* BPF, a LatencyCritical task kept on its CPU, slice ended or preempted */
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
	u32 unwoken_weighted;	/* one of those records is a weighted task's: no stretch */
	u64 loop_parked_at;	/* when the scheduling loop parked; 0 = not parked */
	u64 last_rescue_ns;	/* when the starvation guard last ran */
	u64 cgroup_epoch;	/* bumped when a cgroup's cpu.weight changes: tasks resolve again */
	/* LatencyCritical tasks' waits by the path that placed them, and those over 1 ms (bpftool reads them). */
	u64 lc_waits_by_path[JT_PATH_NR];
	u64 lc_slow_waits_by_path[JT_PATH_NR];
	u64 nr_late_class_preempts;	/* LatencyCritical wakeups that found no CPU preemptible at once */
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
	/* Java's last decision for it after a wakeup, which BPF may apply again (wake_preempt). */
	s64 java_lag;		/* its deadline less the task's vtime then */
	u64 java_slice;		/* its slice */
	u32 java_class;		/* 1 + its JT_CLASS_*; 0: none yet */
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
