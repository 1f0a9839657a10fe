// SPDX-License-Identifier: GPL-2.0
/*
 * Test-only BPF object: drains the user ring buffer "input" and echoes each fixed-size sample
 * into the ring buffer "output". Run with BPF_PROG_TEST_RUN on the host kernel, it exercises the
 * Java producer and consumer of both ring types against the real kernel implementation.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define ECHO_SAMPLE_SIZE 40
#define RING_BYTES 4096

struct {
	__uint(type, BPF_MAP_TYPE_USER_RINGBUF);
	__uint(max_entries, RING_BYTES);
} input SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, RING_BYTES);
} output SEC(".maps");

static long echo_sample(struct bpf_dynptr *sample, void *ctx)
{
	__u8 buf[ECHO_SAMPLE_SIZE];

	if (bpf_dynptr_read(buf, sizeof(buf), sample, 0, 0))
		return 1; /* stop: malformed sample */
	if (bpf_ringbuf_output(&output, buf, sizeof(buf), 0))
		return 1; /* stop: output full */
	return 0;
}

SEC("syscall")
int echo(void *ctx)
{
	return bpf_user_ringbuf_drain(&input, echo_sample, NULL, 0);
}

char LICENSE[] SEC("license") = "GPL";
