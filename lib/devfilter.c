// SPDX-License-Identifier: GPL-2.0-or-later
#define VZ_LOG_PREFIX "devfilter"
#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cleanup.h"
#include "devfilter.h"

/* The character devices every CT may create and open (null, zero, ptys...). */
const struct vz_dev_rule vz_default_devices[] = {
	{ 1, 3 }, { 1, 5 }, { 1, 7 }, { 1, 8 }, { 1, 9 }, /* null zero full random urandom */
	{ 5, 0 }, { 5, 1 }, { 5, 2 },			    /* tty console ptmx */
	{ 136, -1 },					    /* pty slaves */
	{ 10, 200 }, { 10, 229 },			    /* tun fuse */
};
const unsigned vz_nr_default_devices = ARRAY_SIZE(vz_default_devices);

#define MAX_INSNS 128

struct prog {
	struct bpf_insn insn[MAX_INSNS];
	unsigned len;
};

static void emit(struct prog *p, __u8 code, __u8 dst, __u8 src, __s16 off, __s32 imm)
{
	if (p->len < MAX_INSNS)
		p->insn[p->len++] = (struct bpf_insn){ .code = code, .dst_reg = dst, .src_reg = src,
							.off = off, .imm = imm };
}

static void build(struct prog *p)
{
	/* r2 = type (low 16 bits of access_type), r4 = major, r5 = minor */
	emit(p, BPF_LDX | BPF_W | BPF_MEM, BPF_REG_2, BPF_REG_1,
	     offsetof(struct bpf_cgroup_dev_ctx, access_type), 0);
	emit(p, BPF_ALU64 | BPF_AND | BPF_K, BPF_REG_2, 0, 0, 0xffff);
	emit(p, BPF_LDX | BPF_W | BPF_MEM, BPF_REG_4, BPF_REG_1,
	     offsetof(struct bpf_cgroup_dev_ctx, major), 0);
	emit(p, BPF_LDX | BPF_W | BPF_MEM, BPF_REG_5, BPF_REG_1,
	     offsetof(struct bpf_cgroup_dev_ctx, minor), 0);
	for (unsigned i = 0; i < vz_nr_default_devices; i++) {
		const struct vz_dev_rule *r = &vz_default_devices[i];
		int rule_len = r->minor < 0 ? 4 : 5;

		emit(p, BPF_JMP | BPF_JNE | BPF_K, BPF_REG_2, 0, rule_len - 1, BPF_DEVCG_DEV_CHAR);
		emit(p, BPF_JMP | BPF_JNE | BPF_K, BPF_REG_4, 0, rule_len - 2, (__s32)r->major);
		if (r->minor >= 0)
			emit(p, BPF_JMP | BPF_JNE | BPF_K, BPF_REG_5, 0, 2, r->minor);
		emit(p, BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, 1);
		emit(p, BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
	}
	emit(p, BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, 0);
	emit(p, BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
}

int vz_devfilter_attach(const char *cgroup_path, struct vz_error *err)
{
	static const char license[] = "GPL";
	struct prog prog = { .len = 0 };
	union bpf_attr attr;
	char log[4096] = "";
	__vz_close int cgfd = -1, progfd = -1;

	build(&prog);
	memset(&attr, 0, sizeof(attr));
	attr.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
	attr.insns = (__u64)(unsigned long)prog.insn;
	attr.insn_cnt = prog.len;
	attr.license = (__u64)(unsigned long)license;
	attr.log_buf = (__u64)(unsigned long)log;
	attr.log_size = sizeof(log);
	attr.log_level = 1;
	progfd = (int)syscall(SYS_bpf, BPF_PROG_LOAD, &attr, sizeof(attr));
	if (progfd < 0)
		return vz_error_sys(err, VZ_E_DEVICES, errno, "Cannot load the device filter%s%s",
				    log[0] ? ": " : "", log);
	cgfd = open(cgroup_path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (cgfd < 0)
		return vz_error_sys(err, VZ_E_DEVICES, errno, "Cannot open '%s'", cgroup_path);
	memset(&attr, 0, sizeof(attr));
	attr.target_fd = cgfd;
	attr.attach_bpf_fd = progfd;
	attr.attach_type = BPF_CGROUP_DEVICE;
	attr.attach_flags = BPF_F_ALLOW_MULTI;
	if (syscall(SYS_bpf, BPF_PROG_ATTACH, &attr, sizeof(attr)) < 0)
		return vz_error_sys(err, VZ_E_DEVICES, errno,
				    "Cannot attach the device filter to '%s'", cgroup_path);
	return 0;
}
