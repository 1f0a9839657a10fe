/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Pod policies and Kubernetes' own CPU promises: a task's policy from its cgroups, cgroup
 * weights (cpu.weight) and quotas (cpu.max), slices, and per-pod accounting.
 */
#pragma once

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
