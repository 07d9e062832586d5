// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * lib/cpt-nft.c: the CT's ruleset is saved without the tables of CRIU's
 * own network lock, and nothing else is dropped or changed; a rules file
 * in a dump is read back only if it is text of sane size.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "cleanup.h"
#include "cpt-nft.h"
#include "fileutil.h"
#include "tap.h"

/* What vz_cpt_nft_write_rules() makes of rules. */
static char *filtered(const char *rules)
{
	int fd = memfd_create("rules", 0);
	static char buf[8192];
	ssize_t n;

	if (fd < 0 || vz_cpt_nft_write_rules(fd, rules) < 0)
		abort();
	n = pread(fd, buf, sizeof(buf) - 1, 0);
	close(fd);
	buf[n < 0 ? 0 : n] = '\0';
	return buf;
}

#define CT_TABLE                                                                                   \
	"table inet filter {\n"                                                                    \
	"\tchain input {\n"                                                                        \
	"\t\ttype filter hook input priority filter; policy drop;\n"                              \
	"\t\ttcp dport 22 counter packets 3 bytes 180 accept\n"                                    \
	"\t}\n"                                                                                    \
	"}\n"
#define CRIU_TABLE(name)                                                                           \
	"table inet " name " {\n"                                                                  \
	"\tset conns4 {\n"                                                                         \
	"\t\ttype ipv4_addr . inet_service . ipv4_addr . inet_service\n"                           \
	"\t}\n"                                                                                    \
	"\tchain output {\n"                                                                       \
	"\t\ttype filter hook output priority filter; policy accept;\n"                           \
	"\t\tmeta mark != 0x0000c114 ip saddr . tcp sport . ip daddr . tcp dport @conns4 drop\n"  \
	"\t}\n"                                                                                    \
	"}\n"

/* vz_cpt_nft_load_rules() on a dump directory holding data as its rules file. */
static int load(int dirfd, const void *data, size_t len, char **rules, struct vz_error *err)
{
	__vz_close int fd = openat(dirfd, VZ_CPT_NFT_FILE, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
				   0600);

	if (fd < 0 || vz_write_full(fd, data, len) < 0)
		abort();
	return vz_cpt_nft_load_rules(dirfd, rules, err);
}

static void test_load_rules(void)
{
	char tmpdir[] = "/tmp/vz-test-nft.XXXXXX";
	__vz_close int dirfd = -1;
	struct vz_error err = { 0 };
	__vz_free char *big = NULL;
	char *rules = (char *)"unset";
	size_t big_len = (16u << 20) + 1;

	if (!mkdtemp(tmpdir) || (dirfd = open(tmpdir, O_DIRECTORY | O_CLOEXEC)) < 0)
		abort();
	is_int(vz_cpt_nft_load_rules(dirfd, &rules, &err), 0, "a dump without rules: nothing to load");
	ok(rules == NULL, "... and no text");

	is_int(load(dirfd, CT_TABLE, strlen(CT_TABLE), &rules, &err), 1, "a ruleset is read back");
	is_str(rules, CT_TABLE, "... byte for byte");
	free(rules);

	is_int(load(dirfd, "table ip t {\n\0}\n", 15, &rules, &err), -EBADMSG,
	       "a rules file with a NUL byte is refused");
	like(err.msg, "is not text", "... saying it is not text: %s", err.msg);
	ok(rules == NULL, "... and nothing is handed on");

	big = malloc(big_len);
	if (!big)
		abort();
	memset(big, '#', big_len);
	is_int(load(dirfd, big, big_len, &rules, &err), -EFBIG, "a rules file over 16 MiB is refused");
	like(err.msg, "too big", "... saying so: %s", err.msg);
	is_int(load(dirfd, big, big_len - 1, &rules, &err), 1, "16 MiB exactly is read");
	is_int((long long)strlen(rules), (long long)big_len - 1, "... whole");
	free(rules);

	unlinkat(dirfd, VZ_CPT_NFT_FILE, 0);
	if (symlinkat("/etc/passwd", dirfd, VZ_CPT_NFT_FILE) < 0)
		abort();
	is_int(vz_cpt_nft_load_rules(dirfd, &rules, &err), -ELOOP,
	       "a rules file that is a symlink is not followed");
	vz_rm_rf(tmpdir);
}

int main(void)
{
	is_str(filtered(""), "", "an empty ruleset stays empty");
	is_str(filtered(CT_TABLE), CT_TABLE, "the CT's table is kept byte for byte");
	is_str(filtered(CRIU_TABLE("CRIU-1234")), "", "CRIU's lock table (inet CRIU-<pid>) is left out");
	is_str(filtered(CRIU_TABLE("CRIU")), "", "... and the older inet CRIU");
	is_str(filtered(CT_TABLE CRIU_TABLE("CRIU-77") CT_TABLE), CT_TABLE CT_TABLE,
	       "the CT's tables around it are kept");
	is_str(filtered("table inet CRIUS {\n}\n"), "table inet CRIUS {\n}\n",
	       "a table merely starting with CRIU is the CT's");
	is_str(filtered("table ip CRIU-1 {\n}\n"), "table ip CRIU-1 {\n}\n",
	       "CRIU locks in inet only: an ip table of that name is the CT's");
	is_str(filtered("table netdev t {\n\tchain c {\n\t}\n}"), "table netdev t {\n\tchain c {\n\t}\n}",
	       "a listing without a final newline is kept whole");
	test_load_rules();
	return done_testing();
}
