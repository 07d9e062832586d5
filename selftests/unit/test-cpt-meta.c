// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * lib/cpt-meta.c: meta.img written and read back, and every kind of
 * damaged or hostile file refused with a clear error (never a crash).
 */
#include <endian.h>
#include <errno.h>
#include <sys/socket.h>
#include <linux/netlink.h>
#include <linux/fib_rules.h>
#include <linux/rtnetlink.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cpt-meta.h"
#include "error.h"
#include "fileutil.h"
#include "tap.h"

static char tmpdir[] = "/tmp/vz-unit-cpt.XXXXXX";

static void fill(CptMetaEntry *m, CptMountEntry *mnt, CptMountEntry **mnts, CptCgroupEntry *cg,
		 CptCgroupEntry **cgs)
{
	cpt_meta_entry__init(m);
	cpt_mount_entry__init(mnt);
	cpt_cgroup_entry__init(cg);
	m->version = VZ_CPT_META_VERSION;
	m->ctid = 101;
	m->layout = "simfs";
	m->kernel = "6.1.0";
	m->criu_version = "3.17.1";
	m->ip_address = "192.0.2.101";
	m->has_console_rdev = m->has_console_dev = true;
	m->console_rdev = 0x8803;
	m->console_dev = 0x19;
	mnt->mountpoint = "/dev/null";
	mnt->name = "/dev/null";
	mnt->source = "/dev/null";
	mnts[0] = mnt;
	m->ext_mounts = mnts;
	m->n_ext_mounts = 1;
	cg->controller = "";
	cg->file = "memory.max";
	cg->value = "268435456";
	cgs[0] = cg;
	m->cgroup = cgs;
	m->n_cgroup = 1;
}

/* Pack m with the right framing into buf; returns the length. */
static size_t frame(const CptMetaEntry *m, uint8_t *buf, size_t size)
{
	size_t len = cpt_meta_entry__get_packed_size(m);
	uint32_t hdr[2] = { htole32(VZ_CPT_META_MAGIC), htole32((uint32_t)len) };

	if (len + 8 > size)
		abort();
	memcpy(buf, hdr, 8);
	cpt_meta_entry__pack(m, buf + 8);
	return len + 8;
}

/* m framed and decoded again as restore reads it, or NULL if refused. */
static CptMetaEntry *decoded(CptMetaEntry *m)
{
	static uint8_t buf[4096];
	struct vz_error err = { 0 };
	CptMetaEntry *out = NULL;
	size_t len = frame(m, buf, sizeof(buf));

	return vz_cpt_meta_decode(buf, len, &out, &err) == 0 ? out : NULL;
}

static void release(CptMetaEntry *e)
{
	if (e)
		cpt_meta_entry__free_unpacked(e, NULL);
}

static void refused(const uint8_t *buf, size_t len, const char *what, const char *why)
{
	struct vz_error err = { 0 };
	CptMetaEntry *out = (CptMetaEntry *)1;
	int ret = vz_cpt_meta_decode(buf, len, &out, &err);

	ok(ret < 0 && out == NULL && err.kind == VZ_E_RESTORE, "%s is refused", what);
	like(err.msg, why, "... saying \"%s\"", why);
}

/* m, framed as restore reads it, is refused. */
static void refused_meta(const CptMetaEntry *m, const char *what, const char *why)
{
	static uint8_t buf[4096];

	refused(buf, frame(m, buf, sizeof(buf)), what, why);
}

int main(void)
{
	CptMountEntry mnt, *mnts[1];
	CptCgroupEntry cg, *cgs[1];
	struct vz_error err = { 0 };
	CptMetaEntry m, *back = NULL;
	uint8_t buf[4096], bad[4096];
	size_t len;
	int dirfd;

	if (!mkdtemp(tmpdir))
		return 1;
	dirfd = open(tmpdir, O_RDONLY | O_DIRECTORY);
	fill(&m, &mnt, mnts, &cg, cgs);

	is_int(vz_cpt_meta_write(dirfd, "meta.img", &m, &err), 0, "write meta.img");
	ok(faccessat(dirfd, "meta.img.tmp", F_OK, 0) < 0, "no temporary file is left");
	is_int(vz_cpt_meta_read(dirfd, "meta.img", &back, &err), 0, "read it back");
	if (back) {
		is_int(back->ctid, 101, "ctid");
		is_str(back->kernel, "6.1.0", "kernel");
		is_str(back->criu_version, "3.17.1", "CRIU version");
		ok(back->has_console_rdev && back->console_rdev == 0x8803 && back->console_dev == 0x19,
		   "console device numbers");
		ok(back->n_ext_mounts == 1 && !strcmp(back->ext_mounts[0]->source, "/dev/null"),
		   "external mounts");
		ok(back->n_cgroup == 1 && !strcmp(back->cgroup[0]->value, "268435456"), "cgroup limits");
		cpt_meta_entry__free_unpacked(back, NULL);
	} else {
		skip(6, "nothing read");
	}
	is_int(vz_cpt_meta_read(dirfd, "missing.img", &back, &err), -ENOENT, "a missing file: -ENOENT");

	len = frame(&m, buf, sizeof(buf));
	refused(buf, 0, "an empty file", "truncated");
	refused(buf, 7, "a file shorter than its header", "truncated");
	memcpy(bad, buf, len);
	bad[0] ^= 0xff;
	refused(bad, len, "a bad magic", "bad magic");
	refused(buf, len - 1, "a cut payload", "does not match");
	memcpy(bad, buf, len);
	bad[len] = 0;
	refused(bad, len + 1, "trailing garbage", "does not match");
	memcpy(bad, buf, 8);
	for (size_t i = 8; i < len; i++)
		bad[i] = (uint8_t)(i * 37 + 11);
	refused(bad, len, "a garbage payload", "cannot be decoded");

	m.version = 99;
	refused_meta(&m, "an unknown version", "version 99 is not supported");
	m.version = VZ_CPT_META_VERSION;

	mnt.source = "relative/path";
	refused_meta(&m, "a relative mount source", "bad external mount");
	mnt.source = "/dev/../etc/shadow";
	refused_meta(&m, "a mount source with ..", "bad external mount");
	mnt.source = "/dev/null";
	mnt.name = "x]:/etc";
	refused_meta(&m, "a mount name that would break CRIU's syntax", "bad external mount");
	mnt.name = "/dev/null";

	/* A mask: restore binds its own tmpfs, never a path from the file. */
	mnt.mask = mnt.has_mask = true;
	mnt.source = "";
	back = decoded(&m);
	ok(back && back->ext_mounts[0]->mask, "a mask without a source is read");
	release(back);
	mnt.source = "/etc";
	refused_meta(&m, "a mask with a source", "bad external mount");
	mnt.mask = mnt.has_mask = false;
	mnt.source = "/dev/null";

	/* A tmpfs of ours: restore mounts and fills it from an image in the dump. */
	mnt.tmpfs = mnt.has_tmpfs = true;
	mnt.source = "";
	mnt.image = "tmpfs-0.img";
	mnt.options = "size=65536k,nr_inodes=4096";
	mnt.flags = 0;
	mnt.has_flags = true;
	back = decoded(&m);
	ok(back && !strcmp(back->ext_mounts[0]->image, "tmpfs-0.img"),
	   "a tmpfs entry with its image is read");
	release(back);
	mnt.image = "../../etc/shadow";
	refused_meta(&m, "a tmpfs image outside the dump", "bad external mount");
	mnt.image = "tmpfs-0.img";
	mnt.options = "size=65536k,uid=0";
	refused_meta(&m, "a tmpfs option restore does not set", "bad external mount");
	mnt.options = "size=65536k";
	mnt.source = "/etc";
	refused_meta(&m, "a tmpfs with a source path", "bad external mount");
	mnt.tmpfs = mnt.has_tmpfs = mnt.has_flags = false;
	mnt.image = NULL;
	mnt.options = NULL;
	mnt.source = "/dev/null";

	/* The CT's addresses and routes: rtnetlink messages, checked before they are replayed. */
	{
		struct {
			struct nlmsghdr h;
			struct ifaddrmsg a;
			struct rtattr rta;
			uint8_t ip[4];
		} addr = {
			.h = { .nlmsg_len = sizeof(addr), .nlmsg_type = RTM_NEWADDR },
			.a = { .ifa_family = AF_INET, .ifa_prefixlen = 24 },
			.rta = { .rta_len = RTA_LENGTH(4), .rta_type = IFA_LOCAL },
			.ip = { 203, 0, 113, 5 },
		};
		CptNetEntry ne = CPT_NET_ENTRY__INIT, *nes[1] = { &ne };

		ne.nlmsg.data = (uint8_t *)&addr;
		ne.nlmsg.len = sizeof(addr);
		ne.ifname = "eth0";
		m.net = nes;
		m.n_net = 1;
		back = decoded(&m);
		ok(back && back->n_net == 1 && !strcmp(back->net[0]->ifname, "eth0"),
		   "an address of the CT is read back");
		release(back);
		addr.h.nlmsg_type = RTM_DELLINK;
		refused_meta(&m, "a netlink message that is no address or route", "bad address or route");
		addr.h.nlmsg_type = RTM_NEWADDR;
		addr.h.nlmsg_len = sizeof(addr) + 64;
		refused_meta(&m, "a netlink message longer than its bytes", "bad address or route");
		addr.h.nlmsg_len = sizeof(addr);
		addr.rta.rta_len = 200;
		refused_meta(&m, "an attribute past the message", "bad address or route");
		addr.rta.rta_len = RTA_LENGTH(4);
		ne.ifname = NULL;
		refused_meta(&m, "an address without its link", "bad address or route");
		m.net = NULL;
		m.n_net = 0;
	}
	/* A policy routing rule: "from 203.0.113.5 lookup 100" names no link. */
	{
		static const uint8_t from[4] = { 203, 0, 113, 5 };
		uint32_t rule[(NLMSG_LENGTH(sizeof(struct fib_rule_hdr)) + RTA_LENGTH(4)) / 4] = { 0 };
		struct nlmsghdr *h = (struct nlmsghdr *)rule;
		struct fib_rule_hdr *frh = NLMSG_DATA(h);
		struct rtattr *src = (struct rtattr *)((char *)frh + NLMSG_ALIGN(sizeof(*frh)));
		CptNetEntry ne = CPT_NET_ENTRY__INIT, *nes[1] = { &ne };

		h->nlmsg_len = sizeof(rule);
		h->nlmsg_type = RTM_NEWRULE;
		frh->family = AF_INET;
		frh->src_len = 32;
		frh->table = 100;
		frh->action = FR_ACT_TO_TBL;
		src->rta_len = RTA_LENGTH(sizeof(from));
		src->rta_type = FRA_SRC;
		memcpy(RTA_DATA(src), from, sizeof(from));
		ne.nlmsg.data = (uint8_t *)rule;
		ne.nlmsg.len = sizeof(rule);
		m.net = nes;
		m.n_net = 1;
		back = decoded(&m);
		ok(back && back->n_net == 1 && back->net[0]->nlmsg.len == sizeof(rule),
		   "a policy routing rule of the CT is read back");
		release(back);
		ne.ifname = "eth0";
		refused_meta(&m, "a rule with a link to be renumbered", "bad address or route");
		ne.ifname = NULL;
		h->nlmsg_len = NLMSG_LENGTH(sizeof(*frh)) - 4;
		ne.nlmsg.len = h->nlmsg_len;
		refused_meta(&m, "a rule shorter than its header", "bad address or route");
		m.net = NULL;
		m.n_net = 0;
	}

	cg.file = "../../cgroup.procs";
	refused_meta(&m, "a cgroup file outside the group", "bad cgroup file");
	cg.file = "cgroup.procs";
	refused_meta(&m, "a cgroup core file", "bad cgroup file");
	/* The controllers of a group below the CT's (systemd's), and nothing else there. */
	{
		static const char *const bad_sub[] = {
			"../x/cgroup.subtree_control", "a/../../cgroup.subtree_control",
			"/sys/fs/cgroup/cgroup.subtree_control", "a//cgroup.subtree_control",
			"./cgroup.subtree_control", "/cgroup.subtree_control",
			"system.slice/memory.max", "system.slice/cgroup.procs",
		};

		cg.controller = "";
		cg.file = "system.slice/ssh.service/cgroup.subtree_control";
		len = frame(&m, buf, sizeof(buf));
		ok(vz_cpt_meta_decode(buf, len, &back, &err) == 0, "a subgroup's controllers");
		if (back)
			cpt_meta_entry__free_unpacked(back, NULL);
		for (size_t i = 0; i < sizeof(bad_sub) / sizeof(bad_sub[0]); i++) {
			cg.file = (char *)bad_sub[i];
			refused_meta(&m, bad_sub[i], "bad cgroup file");
		}
	}
	cg.file = "memory.max";

	/* A file that is too big is not read into memory. */
	{
		int fd = openat(dirfd, "big.img", O_WRONLY | O_CREAT | O_TRUNC, 0600);

		ok(fd >= 0 && ftruncate(fd, VZ_CPT_META_MAX + 1) == 0, "make a huge file");
		close(fd);
		ok(vz_cpt_meta_read(dirfd, "big.img", &back, &err) < 0, "a huge file is refused");
		like(err.msg, "not a metadata file", "... as not a metadata file");
	}
	close(dirfd);
	vz_rm_rf(tmpdir);
	return done_testing();
}
