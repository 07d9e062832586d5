// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * lib/cpt-sysctl.c: a dump's network sysctls are written back only from a
 * well-formed file, only below /proc/sys/net; an interface's own sysctls
 * are compared with the defaults a new interface gets.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cleanup.h"
#include "cpt-sysctl.h"
#include "fileutil.h"
#include "tap.h"

static int check(const char *text)
{
	struct vz_error err = {0};

	return vz_cpt_sysctl_check(text, &err);
}

static void test_check(void)
{
	is_int(check(""), 0, "an empty file");
	is_int(check("ipv4/ip_forward=1\n"), 0, "one sysctl");
	is_int(check("ipv4/ip_local_port_range=32768\t60999\nipv4/conf/eth0/rp_filter=2\n"), 0,
	       "a value with a tab, an interface's sysctl");
	is_int(check("ipv4/conf/eth0.100/forwarding=1"), 0,
	       "a VLAN interface's name, no final newline");
	is_int(check("ipv4/tcp_congestion_control=\n"), 0, "an empty value");
	is_int(check("ipv4/ip_forward\n"), -EBADMSG, "a line without '=' is refused");
	is_int(check("=1\n"), -EBADMSG, "an empty path");
	is_int(check("../kernel/core_pattern=|/tmp/x\n"), -EBADMSG, "a path leaving /proc/sys/net");
	is_int(check("ipv4/../../kernel/modprobe=/tmp/x\n"), -EBADMSG, "... through a middle '..'");
	is_int(check("/proc/sys/kernel/modprobe=/tmp/x\n"), -EBADMSG, "an absolute path");
	is_int(check("ipv4//ip_forward=1\n"), -EBADMSG, "an empty component");
	is_int(check("ipv4/ip_forward/=1\n"), -EBADMSG, "a trailing slash");
	is_int(check("ipv4/./ip_forward=1\n"), -EBADMSG, "a '.' component");
	is_int(check("ipv4/ip forward=1\n"), -EBADMSG, "a space in the path");
	is_int(check("ipv4/ip_forward=1\r\n"), -EBADMSG, "a control character in the value");
	is_int(check("ipv4/ip_forward=1\nipv4/x\n"), -EBADMSG, "a bad second line");

	{
		struct vz_error err = {0};

		vz_cpt_sysctl_check("ipv4/a=1\nipv4/b=2\nipv4/c\n", &err);
		like(err.msg, "line 3", "the error names the line: %s", err.msg);
	}
	{
		size_t len = 5000;
		char *long_value = malloc(len + 32);

		if (!long_value)
			abort();
		strcpy(long_value, "ipv4/x=");
		memset(long_value + 7, '1', len);
		long_value[7 + len] = '\0';
		is_int(check(long_value), -EBADMSG, "a value over 4 KiB");
		free(long_value);
	}
}

static void test_default_path(void)
{
	char buf[256];

	is_int(vz_cpt_sysctl_default_path("ipv4/conf/eth0/forwarding", buf, sizeof(buf)), 0,
	       "an IPv4 interface's sysctl");
	is_str(buf, "ipv4/conf/default/forwarding", "... has the IPv4 default");
	is_int(vz_cpt_sysctl_default_path("ipv6/conf/venet0/accept_ra", buf, sizeof(buf)), 0,
	       "an IPv6 one");
	is_str(buf, "ipv6/conf/default/accept_ra", "... the IPv6 default");
	is_int(vz_cpt_sysctl_default_path("ipv4/neigh/eth0/base_reachable_time_ms", buf,
					  sizeof(buf)),
	       0, "a neighbour table's");
	is_str(buf, "ipv4/neigh/lo/base_reachable_time_ms",
	       "... what a new namespace's lo got (it has no neigh/default)");
	is_int(vz_cpt_sysctl_default_path("ipv6/neigh/lo/retrans_time_ms", buf, sizeof(buf)),
	       -ENOENT, "lo's own is compared as it is");
	is_int(vz_cpt_sysctl_default_path("ipv4/conf/all/forwarding", buf, sizeof(buf)), -ENOENT,
	       "'all' is compared as it is");
	is_int(vz_cpt_sysctl_default_path("ipv4/conf/default/forwarding", buf, sizeof(buf)),
	       -ENOENT, "and 'default' too");
	is_int(vz_cpt_sysctl_default_path("ipv4/ip_forward", buf, sizeof(buf)), -ENOENT,
	       "a namespace-wide sysctl has no interface default");
	is_int(vz_cpt_sysctl_default_path("ipv4/conf/eth0", buf, sizeof(buf)), -ENOENT,
	       "an interface's directory is no sysctl");
	is_int(vz_cpt_sysctl_default_path("ipv4/conf/eth0/forwarding", buf, 10), -ENAMETOOLONG,
	       "a buffer too small");
}

/* A file restore refuses before it enters any namespace. */
static void test_restore_refuses(void)
{
	char tmpdir[] = "/tmp/vz-test-sysctl.XXXXXX";
	__vz_close int dirfd = -1;
	struct vz_error err = {0};
	static const char with_nul[] = "ipv4/ip_forward=1\n\0ipv4/x=1\n";

	if (!mkdtemp(tmpdir) || (dirfd = open(tmpdir, O_DIRECTORY | O_CLOEXEC)) < 0)
		abort();
	is_int(vz_cpt_sysctl_restore(getpid(), dirfd, &err), 0, "a dump without the file: nothing");
	{
		__vz_close int fd = openat(dirfd, VZ_CPT_SYSCTL_FILE, O_WRONLY | O_CREAT, 0600);

		if (fd < 0 || vz_write_full(fd, "../../kernel/modprobe=/tmp/evil\n", 32) < 0)
			abort();
	}
	is_int(vz_cpt_sysctl_restore(getpid(), dirfd, &err), -EBADMSG,
	       "a file naming a path outside /proc/sys/net is refused");
	like(err.msg, "line 1 is bad", "... before anything is written: %s", err.msg);
	{
		__vz_close int fd = openat(dirfd, VZ_CPT_SYSCTL_FILE, O_WRONLY | O_TRUNC, 0600);

		if (fd < 0 || vz_write_full(fd, with_nul, sizeof(with_nul) - 1) < 0)
			abort();
	}
	is_int(vz_cpt_sysctl_restore(getpid(), dirfd, &err), -EBADMSG, "a file with a NUL byte");
	like(err.msg, "not text", "... is not text: %s", err.msg);
	vz_rm_rf(tmpdir);
}

int main(void)
{
	test_check();
	test_default_path();
	test_restore_refuses();
	return done_testing();
}
