/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Jthulhu BPF <-> Java interface: every record that crosses the boundary.
 *
 * This header is the single source of truth for the layouts. The Java side
 * (node-daemon, package io.jthulhu.node.bpf) mirrors each struct by field name,
 * offset and size, and a unit test compares the two using the BTF of the
 * compiled jthulhu.bpf.o, so they cannot drift apart.
 *
 * Rules for every record here: fixed-size little-endian fields, natural
 * alignment, explicit padding, total size a multiple of 8. No pointers.
 */
#ifndef __JTHULHU_INTF_H
#define __JTHULHU_INTF_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
typedef __u8 u8;
typedef __u32 u32;
typedef __s32 s32;
typedef __u64 u64;
typedef __s64 s64;
#endif

/* Bumped on any incompatible change to the records below. */
#define JT_ABI_VERSION 1

/* "Any CPU" in a dispatch decision: BPF queues the task by deadline for the first free CPU. */
#define JT_CPU_ANY (-1)

/* Upper bound on CPUs the shared idle map covers. */
#define JT_MAX_CPUS 1024

/* Largest jt_dispatch.slice_ns BPF accepts (1 s); larger is malformed. */
#define JT_MAX_SLICE_NS 1000000000ULL

/* Scheduling classes carried in struct jt_policy.sched_class. */
enum jt_sched_class {
	JT_CLASS_NORMAL = 0,
	JT_CLASS_LATENCY_CRITICAL = 1,
	JT_CLASS_BATCH = 2,
	JT_CLASS_IDLE = 3,
};

/* struct jt_policy.flags */
enum jt_policy_flags {
	JT_POLICY_PRESENT = 1u << 0,	/* a policy was found for the task's cgroup */
	JT_POLICY_PREEMPT = 1u << 1,	/* the task may preempt lower classes on wakeup */
};

/*
 * Per-cgroup policy: value of the cgroup_policy map (key: u64 cgroup id).
 * Filled by the node daemon from the resolved per-node plan. Zero fields mean
 * "class default".
 */
struct jt_policy {
	u32 sched_class;	/* enum jt_sched_class */
	u32 weight;		/* JT_WEIGHT_MIN..JT_WEIGHT_MAX, 0 = the task's own weight */
	u32 slice_us;		/* 0 = policy engine default */
	u32 flags;		/* enum jt_policy_flags */
};

/* Weight of a nice-0 task (p->scx.weight), and the bounds of a policy weight (cgroup v2 cpu.weight's). */
#define JT_WEIGHT_DEFAULT 100
#define JT_WEIGHT_MIN 1
#define JT_WEIGHT_MAX 10000

/* The policy engine's default cap on the CPU time a deadline counts since a task last slept. */
#define JT_DEFAULT_RUNTIME_CAP_NS 100000000ULL

/*
 * Run-queue wait histogram of struct jt_pod_stats: bucket i counts waits up to
 * JT_WAIT_BUCKET_US[i] (5, 10, 25, 50, 100, 250, 500 us, 1, 2.5, 5, 10, 25,
 * 50, 100, 250, 1000 ms); the last bucket counts the longer ones.
 */
#define JT_WAIT_BUCKETS 17

/*
 * Per policy cgroup accounting: value of the per-CPU pod_stats map (key: the
 * cgroup id of a cgroup_policy entry). Java creates the entry with the policy
 * and sums the CPUs' copies; BPF only adds to an existing entry.
 */
struct jt_pod_stats {
	u64 cpu_ns;		/* CPU time of the cgroup's tasks */
	u64 nr_switches;	/* times one of its tasks started running */
	u64 wait_ns;		/* sum of run-queue waits (enqueue or wakeup -> running) */
	u64 wait_buckets[JT_WAIT_BUCKETS];
};

/* struct jt_queued_task.flags */
enum jt_task_flags {
	JT_TASK_WAKEUP = 1u << 0,	/* enqueued because it woke up (not a slice expiry) */
	JT_TASK_PREV_CPU_IDLE = 1u << 1, /* prev_cpu was idle when it was enqueued */
	JT_TASK_KTHREAD = 1u << 2,
};

/*
 * BPF -> Java: one record per task waiting for a decision, in the "queued"
 * BPF_MAP_TYPE_RINGBUF.
 */
struct jt_queued_task {
	s32 pid;
	s32 tgid;
	u64 cgroup_id;		/* the task's own cgroup v2 id (= inode number of its cgroupfs dir) */
	s32 prev_cpu;
	u32 nr_cpus_allowed;
	u32 weight;		/* p->scx.weight (100 = nice 0) */
	u32 flags;		/* enum jt_task_flags */
	u64 enq_flags;		/* SCX_ENQ_* flags given to ops.enqueue */
	u64 exec_runtime;	/* ns run since the task last went to sleep */
	u64 nvcsw;		/* voluntary context switches so far */
	u64 vtime;		/* weighted virtual runtime kept by BPF (ns) */
	u64 seq;		/* per-task enqueue sequence; a decision must echo it */
	u64 enqueued_at;	/* bpf_ktime_get_ns() at enqueue */
	/*
	 * Policy of the nearest cgroup with an entry in cgroup_policy: the
	 * task's own cgroup first, then its ancestors (up to 16 levels), so a
	 * policy keyed by a pod's cgroup covers its containers. All zero (no
	 * JT_POLICY_PRESENT) when none has one.
	 */
	struct jt_policy policy;
};

/* struct jt_dispatch.flags */
enum jt_dispatch_flags {
	/*
	 * Wakeup preemption: with no idle CPU, preempt the CPU whose running
	 * task has the latest deadline, if that deadline is later than this
	 * task's by more than jt_config.preempt_margin_ns and its class is not
	 * higher.
	 */
	JT_DISPATCH_PREEMPT = 1u << 0,
	/* Class preemption: preempt a CPU running a task of a lower class, whatever the deadlines. */
	JT_DISPATCH_PREEMPT_CLASS = 1u << 1,
};

/*
 * Java -> BPF: one decision per task, in the "dispatched"
 * BPF_MAP_TYPE_USER_RINGBUF.
 */
struct jt_dispatch {
	s32 pid;
	s32 cpu;		/* target CPU, or JT_CPU_ANY: the first CPU free */
	u64 slice_ns;		/* 0 = jt_config.default_slice_ns; at most JT_MAX_SLICE_NS */
	/*
	 * The task's deadline: JT_CPU_ANY decisions wait in a DSQ ordered by it,
	 * and wakeup preemption compares it with the running tasks' deadlines.
	 */
	u64 vtime;
	u64 seq;		/* jt_queued_task.seq this decision answers */
	u32 flags;		/* enum jt_dispatch_flags */
	u32 sched_class;	/* enum jt_sched_class the decision was made for */
};

/*
 * Exit information, copied from struct scx_exit_info in ops.exit. kind != 0
 * means the scheduler has exited (SCX_EXIT_* in the kernel).
 */
#define JT_EXIT_REASON_LEN 128
#define JT_EXIT_MSG_LEN 1024
/* The kernel's debug dump on an error exit (per-CPU and task state), in the exit_dump map. */
#define JT_EXIT_DUMP_LEN 32768
struct jt_exit_info {
	s32 kind;
	u32 pad;
	s64 exit_code;
	char reason[JT_EXIT_REASON_LEN];
	char msg[JT_EXIT_MSG_LEN];
};

/* struct jt_config.flags */
enum jt_config_flags {
	JT_CFG_DIRECT_PINNED = 1u << 0,	/* single-CPU tasks bypass Java */
	JT_CFG_DIRECT_IDLE = 1u << 1,	/* wakeups onto idle CPUs bypass Java when not over-committed */
	JT_CFG_POD_STATS = 1u << 2,	/* account CPU time, switches and run-queue wait per policy cgroup */
	JT_CFG_WAKE_PREEMPT = 1u << 3,	/* a woken task preempts in BPF on Java's last decision for it */
};

/*
 * Tunables in .rodata (const volatile), written by Java between open and
 * load. Zero values are replaced with the defaults in sched.bpf.h
 * (fallback 50 ms, slice 5 ms, heartbeat 10 ms, preemption margin 1 ms,
 * starvation bound 1 s); wake_batch_ns == 0 means "wake Java at once".
 * flags == 0 is honoured as
 * "no bypass"; the default flags (DIRECT_PINNED | DIRECT_IDLE) apply only
 * when the whole struct is zero, i.e. when nothing was configured.
 */
struct jt_config {
	u32 usersched_tgid;		/* the scheduler's own process: never through Java */
	u32 flags;			/* enum jt_config_flags */
	u64 fallback_ns;		/* a task waiting longer for Java is dispatched by BPF */
	u64 default_slice_ns;		/* slice for tasks BPF dispatches itself */
	u64 heartbeat_ns;		/* bpf_timer period */
	u64 preempt_margin_ns;		/* wakeup preemption: deadline lead needed (default 1 ms) */
	u64 starvation_ns;		/* a Java decision waiting longer is served FIFO (default 1 s) */
	/*
	 * While every CPU is busy, a queued record that is not latency-critical
	 * wakes Java only once the oldest such record waited this long (or a
	 * CPU runs out of work, or JT_WAKE_BATCH_MAX records wait): one wakeup
	 * of the scheduling loop then serves a batch.
	 */
	u64 wake_batch_ns;
};

/*
 * State shared through the BPF program's .bss (memory-mapped by Java).
 * Counters are written by BPF only; the "java_" fields by Java only.
 */
struct jt_stats {
	u64 nr_queued;			/* records sent to Java */
	u64 nr_java_dispatched;		/* tasks inserted on a Java decision */
	u64 nr_fallback_dispatched;	/* tasks inserted by BPF because Java was late */
	u64 nr_ring_full;		/* records that could not be sent: ring full */
	u64 nr_stale;			/* Java decisions cancelled: task dequeued/re-enqueued */
	u64 nr_direct_idle;		/* dispatched by BPF to an idle CPU, never queued */
	u64 nr_direct_kernel;		/* per-CPU kthreads, reclaim threads: BPF only */
	u64 nr_direct_usersched;	/* the scheduler's own (JVM) threads */
	u64 nr_direct_pinned;		/* single-CPU tasks inserted by BPF */
	u64 nr_bad_dispatch;		/* malformed or unknown-pid decisions */
	u64 nr_heartbeats;		/* bpf_timer heartbeat runs */
	u64 nr_kicks;			/* CPUs kicked by the heartbeat */
};

struct jt_shared {
	struct jt_stats stats;
	u64 nr_user_pending;		/* sent to Java, not yet inserted */
	u64 java_heartbeat_ns;		/* Java: CLOCK_MONOTONIC of its last loop iteration */
	u64 java_dispatch_seq;		/* Java: bumped after each batch of decisions; the
					 * BPF heartbeat kicks a CPU to drain them if no
					 * ops.dispatch has run since */
	u32 nr_cpus;			/* possible CPUs, set by BPF in ops.init */
	u32 pad;
	u8 cpu_idle[JT_MAX_CPUS];	/* 1 = CPU idle (from ops.update_idle) */
	struct jt_exit_info exit;
	/*
	 * Appended after ABI v1 so no offset above moves. The heartbeat timer
	 * dies when no user-space process holds a reference to the BPF maps
	 * (kernel rule for bpf_timer); BPF then stops queueing to Java.
	 */
	u64 nr_no_heartbeat;		/* tasks inserted by BPF: heartbeat dead, nobody to ask */
	u64 nr_heartbeat_restarts;	/* heartbeat timer re-armed from ops.dispatch */
	u64 nr_dispatch_calls;		/* ops.dispatch invocations */
	u64 nr_shared_moves;		/* tasks run from BPF's own FIFO (fallback, pinned, JVM helpers) */
	u64 nr_sweep_no_idle;		/* heartbeats that saw queued DSQ work and no idle CPU */
	u64 scheduler_tid;		/* Java: thread id of its scheduling loop (0 = none yet) */
	u64 nr_preempt_kicks;		/* CPUs preempted for a waking task */
	u64 nr_starved_moves;		/* Java decisions moved to the FIFO after starvation_ns */
	/* Where a woken task's latency goes: waiting for Java, then for a CPU. */
	u64 nr_wakeup_decisions;	/* Java decisions applied for tasks that woke up */
	u64 wakeup_decision_ns;		/* sum of enqueue -> decision applied */
	u64 nr_wakeup_runs;		/* of those, how many started running */
	u64 wakeup_run_ns;		/* sum of decision applied -> running */
	u64 nr_wakeup_self;		/* woken tasks left to the CPU applying the decision */
	u64 nr_wakeup_waiting;		/* woken tasks that found no idle CPU and nothing to preempt */
	u64 cpu_idle_ns;		/* time CPUs spent idle, summed over CPUs (from ops.update_idle) */
	u64 nr_resumed;			/* preempted tasks re-queued by BPF with the slice they had left */
	u64 nr_wake_deferred;		/* records sent without waking Java (wake_batch_ns) */
	u64 nr_wake_nudges;		/* runs of the loop for deferred records */
	/*
	 * With nothing to do the scheduling loop parks in BPF instead of
	 * sleeping: it sets java_loop_idle and yields, ops.enqueue keeps the
	 * thread runnable but in no DSQ, and ops.dispatch runs it when records
	 * wait (loop_wanted). Java clears loop_wanted before each pass, so a
	 * record committed after that makes BPF refuse the next park.
	 */
	u32 java_loop_idle;		/* Java: 1 while the loop yields with nothing to do */
	u32 loop_wanted;		/* BPF sets, Java clears: records wait for the loop */
	u64 nr_loop_parks;		/* yields of the loop that BPF parked */
	u64 nr_loop_unparks;		/* parked loop inserted by ops.dispatch */
	/* Wakeups of single-CPU tasks BPF queues itself (no Java): cyclictest's path. */
	u64 nr_pinned_wakeups;		/* woke with their CPU busy */
	u64 nr_pinned_unpreemptible;	/* of those, the CPU ran what no waker preempts (the
					 * scheduling loop, a kernel thread) or was already
					 * preempted for another waker */
	u64 nr_pinned_outranked;	/* of those, the CPU ran an earlier deadline (margin included) */
	u64 nr_pinned_runs;		/* of those, how many started running */
	u64 pinned_run_ns;		/* sum of wakeup -> running */
	u64 nr_kept_last;		/* slices renewed by BPF: the last task of an idle-bound CPU, nobody waiting */
	/*
	 * Java bumps policy_epoch after each change to cgroup_policy; a task
	 * resolves its policy again (its cgroup and ancestors) when the epoch it
	 * cached differs, or after it moved to another cgroup.
	 */
	u64 policy_epoch;
	u64 nr_policy_resolves;		/* policy lookups through a task's cgroup ancestry */
	u64 nr_cgroup_exits;		/* policy entries BPF removed because their cgroup went away */
	u64 nr_class_preempts;		/* woken tasks BPF ran at once on a CPU running a lower class */
	u64 nr_throttled;		/* tasks held back: their cgroup used its cpu.max quota */
	u64 nr_unthrottled;		/* of those, released when their cgroup's period ended */
	u64 nr_wake_preempts;		/* woken tasks BPF ran at once on Java's last decision for them */
	u64 nr_class_requeues;		/* LatencyCritical tasks BPF kept on their CPU, slice ended or preempted */
};

#endif /* __JTHULHU_INTF_H */
