/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Small helpers the scheduler needs on top of vmlinux.h and libbpf's headers.
 * vmlinux.h only carries types and enums; kernel #defines are restated here.
 */
#ifndef __JT_COMPAT_H
#define __JT_COMPAT_H

#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

/* A sched_ext_ops callback: a struct_ops program with typed arguments. */
#define BPF_STRUCT_OPS(name, args...) \
	SEC("struct_ops/" #name) BPF_PROG(name, ##args)

/* Same for callbacks the kernel runs in sleepable context (ops.init). */
#define BPF_STRUCT_OPS_SLEEPABLE(name, args...) \
	SEC("struct_ops.s/" #name) BPF_PROG(name, ##args)

#define READ_ONCE(x) (*(const volatile typeof(x) *)&(x))
#define WRITE_ONCE(x, v) (*(volatile typeof(x) *)&(x) = (v))

/* include/linux/sched.h */
#define PF_KTHREAD 0x00200000
/* include/uapi/linux/time.h */
#define CLOCK_MONOTONIC 1
/* include/uapi/asm-generic/errno-base.h */
#define ENOMEM 12
#define EBUSY 16
#define EINVAL 22
/* include/linux/numa.h */
#define NUMA_NO_NODE (-1)

#endif /* __JT_COMPAT_H */
