/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The control scheduler of the VM harness (e2e/vm/scenarios/control.sh): the
 * smallest sched_ext scheduler there is, one global FIFO and nothing else.
 * A kernel crash seen while Jthulhu was attached counts against Jthulhu unless
 * this scheduler, attached and detached as often in the same harness, shows
 * the same crash: then it belongs to sched_ext (or the emulator), not to us.
 */
#include "vmlinux.h"
#include "jt_compat.h"

char LICENSE[] SEC("license") = "GPL";

void BPF_STRUCT_OPS(ctl_enqueue, struct task_struct *p, u64 enq_flags)
{
	scx_bpf_dsq_insert(p, SCX_DSQ_GLOBAL, SCX_SLICE_DFL, enq_flags);
}

SEC(".struct_ops.link")
struct sched_ext_ops jt_control = {
	.enqueue	= (void *)ctl_enqueue,
	.name		= "jt_control",
};
