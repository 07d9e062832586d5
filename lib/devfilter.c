// SPDX-License-Identifier: GPL-2.0-or-later
#define VZ_LOG_PREFIX "devfilter"
#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cleanup.h"
#include "devfilter.h"

#define RWM (VZ_DEV_READ | VZ_DEV_WRITE | VZ_DEV_MKNOD)

/* The character devices every CT may create and open (null, zero, ptys...). */
const struct vz_dev_rule vz_default_devices[] = {
	{ 'c', 1, 3, RWM },   { 'c', 1, 5, RWM },   { 'c', 1, 7, RWM }, /* null zero full */
	{ 'c', 1, 8, RWM },   { 'c', 1, 9, RWM },			/* random urandom */
	{ 'c', 5, 0, RWM },   { 'c', 5, 1, RWM },   { 'c', 5, 2, RWM }, /* tty console ptmx */
	{ 'c', 136, -1, RWM },					/* pty slaves */
	{ 'c', 10, 200, RWM }, { 'c', 10, 229, RWM },			/* tun fuse */
};
const unsigned vz_nr_default_devices = ARRAY_SIZE(vz_default_devices);

void vz_dev_rule_format(const struct vz_dev_rule *r, char *buf, size_t size)
{
	char minor[16], acc[4];
	int n = 0;

	if (r->minor < 0)
		snprintf(minor, sizeof(minor), "*");
	else
		snprintf(minor, sizeof(minor), "%d", r->minor);
	if (r->access & VZ_DEV_READ)
		acc[n++] = 'r';
	if (r->access & VZ_DEV_WRITE)
		acc[n++] = 'w';
	if (r->access & VZ_DEV_MKNOD)
		acc[n++] = 'm';
	acc[n] = '\0';
	snprintf(buf, size, "%c %u:%s %s", r->type, r->major, minor, acc);
}

bool vz_dev_rule_parse_v1(const char *line, struct vz_dev_rule *r)
{
	char type, minor[16], acc[8];
	unsigned major;

	if (sscanf(line, "%c %u:%15s %7s", &type, &major, minor, acc) != 4 ||
	    (type != 'c' && type != 'b'))
		return false;
	r->type = type;
	r->major = major;
	r->minor = !strcmp(minor, "*") ? -1 : atoi(minor);
	r->access = (strchr(acc, 'r') ? VZ_DEV_READ : 0) | (strchr(acc, 'w') ? VZ_DEV_WRITE : 0) |
		    (strchr(acc, 'm') ? VZ_DEV_MKNOD : 0);
	return true;
}

#define MAX_INSNS 1024

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

/* The requested access bits (BPF_DEVCG_ACC_*) a rule does not grant. */
static __s32 acc_denied_mask(unsigned access)
{
	__s32 allowed = 0;

	if (access & VZ_DEV_READ)
		allowed |= BPF_DEVCG_ACC_READ;
	if (access & VZ_DEV_WRITE)
		allowed |= BPF_DEVCG_ACC_WRITE;
	if (access & VZ_DEV_MKNOD)
		allowed |= BPF_DEVCG_ACC_MKNOD;
	return (BPF_DEVCG_ACC_READ | BPF_DEVCG_ACC_WRITE | BPF_DEVCG_ACC_MKNOD) & ~allowed;
}

/* First matching rule decides: deny, or allow when it grants every requested bit. */
static void emit_rule(struct prog *p, const struct vz_dev_rule *r)
{
	int body = r->access ? 6 : 2;
	int checks = r->minor < 0 ? 2 : 3;

	emit(p, BPF_JMP | BPF_JNE | BPF_K, BPF_REG_2, 0, checks - 1 + body,
	     r->type == 'b' ? BPF_DEVCG_DEV_BLOCK : BPF_DEVCG_DEV_CHAR);
	emit(p, BPF_JMP | BPF_JNE | BPF_K, BPF_REG_4, 0, checks - 2 + body, (__s32)r->major);
	if (r->minor >= 0)
		emit(p, BPF_JMP | BPF_JNE | BPF_K, BPF_REG_5, 0, body, r->minor);
	if (r->access) {
		emit(p, BPF_ALU64 | BPF_MOV | BPF_X, BPF_REG_1, BPF_REG_3, 0, 0);
		emit(p, BPF_ALU64 | BPF_AND | BPF_K, BPF_REG_1, 0, 0, acc_denied_mask(r->access));
		emit(p, BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, 1);
		emit(p, BPF_JMP | BPF_JEQ | BPF_K, BPF_REG_1, 0, 1, 0);
		emit(p, BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, 0);
		emit(p, BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
	} else {
		emit(p, BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, 0);
		emit(p, BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
	}
}

static int build(struct prog *p, const struct vz_dev_rule *rules, size_t nr)
{
	/* r2 = type, r3 = access, r4 = major, r5 = minor */
	emit(p, BPF_LDX | BPF_W | BPF_MEM, BPF_REG_2, BPF_REG_1,
	     offsetof(struct bpf_cgroup_dev_ctx, access_type), 0);
	emit(p, BPF_ALU64 | BPF_MOV | BPF_X, BPF_REG_3, BPF_REG_2, 0, 0);
	emit(p, BPF_ALU64 | BPF_AND | BPF_K, BPF_REG_2, 0, 0, 0xffff);
	emit(p, BPF_ALU64 | BPF_RSH | BPF_K, BPF_REG_3, 0, 0, 16);
	emit(p, BPF_LDX | BPF_W | BPF_MEM, BPF_REG_4, BPF_REG_1,
	     offsetof(struct bpf_cgroup_dev_ctx, major), 0);
	emit(p, BPF_LDX | BPF_W | BPF_MEM, BPF_REG_5, BPF_REG_1,
	     offsetof(struct bpf_cgroup_dev_ctx, minor), 0);
	for (size_t i = 0; i < nr; i++)
		emit_rule(p, &rules[i]);
	for (unsigned i = 0; i < vz_nr_default_devices; i++)
		emit_rule(p, &vz_default_devices[i]);
	emit(p, BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, 0);
	emit(p, BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
	return p->len < MAX_INSNS ? 0 : -E2BIG;
}

static long bpf(int cmd, union bpf_attr *attr)
{
	return syscall(SYS_bpf, cmd, attr, sizeof(*attr));
}

/* Detach every device program on the group but keep. */
static void detach_others(int cgfd, int keep)
{
	__u32 ids[64], nr = ARRAY_SIZE(ids);
	union bpf_attr attr;

	memset(&attr, 0, sizeof(attr));
	attr.query.target_fd = cgfd;
	attr.query.attach_type = BPF_CGROUP_DEVICE;
	attr.query.prog_ids = (__u64)(unsigned long)ids;
	attr.query.prog_cnt = nr;
	if (bpf(BPF_PROG_QUERY, &attr) < 0)
		return;
	nr = attr.query.prog_cnt;
	for (__u32 i = 0; i < nr && i < ARRAY_SIZE(ids); i++) {
		__vz_close int fd = -1;
		struct bpf_prog_info info;

		memset(&attr, 0, sizeof(attr));
		attr.prog_id = ids[i];
		fd = (int)bpf(BPF_PROG_GET_FD_BY_ID, &attr);
		if (fd < 0)
			continue;
		memset(&info, 0, sizeof(info));
		memset(&attr, 0, sizeof(attr));
		attr.info.bpf_fd = fd;
		attr.info.info_len = sizeof(info);
		attr.info.info = (__u64)(unsigned long)&info;
		if (bpf(BPF_OBJ_GET_INFO_BY_FD, &attr) == 0 && keep >= 0) {
			struct bpf_prog_info mine;

			memset(&mine, 0, sizeof(mine));
			memset(&attr, 0, sizeof(attr));
			attr.info.bpf_fd = keep;
			attr.info.info_len = sizeof(mine);
			attr.info.info = (__u64)(unsigned long)&mine;
			if (bpf(BPF_OBJ_GET_INFO_BY_FD, &attr) == 0 && mine.id == info.id)
				continue;
		}
		memset(&attr, 0, sizeof(attr));
		attr.target_fd = cgfd;
		attr.attach_bpf_fd = fd;
		attr.attach_type = BPF_CGROUP_DEVICE;
		bpf(BPF_PROG_DETACH, &attr);
	}
}

int vz_devfilter_attach(const char *cgroup_path, const struct vz_dev_rule *rules, size_t nr,
			struct vz_error *err)
{
	static const char license[] = "GPL";
	static struct prog prog;
	union bpf_attr attr;
	char log[4096] = "";
	__vz_close int cgfd = -1, progfd = -1;

	prog.len = 0;
	if (build(&prog, rules, nr) < 0)
		return vz_error_set(err, VZ_E_DEVICES, E2BIG, "Too many device rules");
	memset(&attr, 0, sizeof(attr));
	attr.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
	attr.insns = (__u64)(unsigned long)prog.insn;
	attr.insn_cnt = prog.len;
	attr.license = (__u64)(unsigned long)license;
	progfd = (int)bpf(BPF_PROG_LOAD, &attr);
	if (progfd < 0) {
		/* Again with the verifier's log, for the message (a full log is ENOSPC). */
		int e = errno;

		attr.log_buf = (__u64)(unsigned long)log;
		attr.log_size = sizeof(log);
		attr.log_level = 1;
		progfd = (int)bpf(BPF_PROG_LOAD, &attr);
		if (progfd < 0)
			errno = e;
	}
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
	if (bpf(BPF_PROG_ATTACH, &attr) < 0)
		return vz_error_sys(err, VZ_E_DEVICES, errno,
				    "Cannot attach the device filter to '%s'", cgroup_path);
	/* Programs on one group all have to allow: the previous rules go. */
	detach_others(cgfd, progfd);
	return 0;
}
