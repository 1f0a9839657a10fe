// SPDX-License-Identifier: GPL-2.0
/*
 * Benchmark-only BPF object: one BPF_PROG_TEST_RUN of "fill" writes args->count
 * struct jt_queued_task records into the ring buffer "queued", the way the
 * scheduler's ops.enqueue does, so the Java consumers read records the kernel
 * really produced.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "intf.h"

/* Room for 4096 records of 8 + 96 bytes (425 984 bytes). */
#define RING_BYTES (512 * 1024)

_Static_assert(sizeof(struct jt_queued_task) == 96, "jt_queued_task must stay 96 bytes");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, RING_BYTES);
} queued SEC(".maps");

/* ctx_in of BPF_PROG_TEST_RUN (RingFill.ARGS_* in Java). */
struct fill_args {
	__u32 count;	/* records to write */
	__u32 nr_cpus;	/* prev_cpu cycles through 0..nr_cpus-1 */
	__u64 round;	/* invocation number: seq = round * count + i + 1 */
};

/* The loop callback's own copy of the arguments, and what it wrote. */
struct fill_state {
	struct fill_args args;
	__u32 written;
};

static long fill_one(__u64 i, void *data)
{
	struct fill_state *st = data;
	const struct fill_args *args = &st->args;
	struct jt_queued_task *t;
	__u32 nr_cpus = args->nr_cpus ? args->nr_cpus : 1;

	t = bpf_ringbuf_reserve(&queued, sizeof(*t), 0);
	if (!t)
		return 1; /* ring full: stop, the caller sees the short count */
	t->pid = i + 1;
	t->tgid = i + 1;
	t->cgroup_id = 1000 + i % 16;
	t->prev_cpu = i % nr_cpus;
	t->nr_cpus_allowed = nr_cpus;
	t->weight = 100;
	t->flags = (i & 3) == 0 ? JT_TASK_WAKEUP : 0;
	t->enq_flags = 0;
	t->exec_runtime = 100000 + i * 10;
	t->nvcsw = args->round;
	t->vtime = args->round * 2000000 + i * 1000;
	t->seq = args->round * args->count + i + 1;
	t->enqueued_at = bpf_ktime_get_ns();
	t->policy.sched_class = i % 4;
	t->policy.weight = 0;
	t->policy.slice_us = 0;
	t->policy.flags = i % 5 == 0 ? JT_POLICY_PRESENT : 0;
	/* Nobody polls the ring in the benchmark: skip the wakeup irq_work. */
	bpf_ringbuf_submit(t, BPF_RB_NO_WAKEUP);
	st->written++;
	return 0;
}

SEC("syscall")
int fill(struct fill_args *args)
{
	struct fill_state st = { .written = 0 };
	/*
	 * Field by field, not "st.args = *args": clang would load count and
	 * nr_cpus as one u64 and hand bpf_loop nr_loops with nr_cpus in its
	 * upper half, which the kernel's inlined bpf_loop rejects (E2BIG).
	 */
	__u32 count = args->count;

	st.args.count = count;
	st.args.nr_cpus = args->nr_cpus;
	st.args.round = args->round;
	/* (int): the inlined bpf_loop sets its error as a 32-bit value. */
	if ((int)bpf_loop(count, fill_one, &st, 0) < 0)
		return -1;
	return st.written;
}

char LICENSE[] SEC("license") = "GPL";
