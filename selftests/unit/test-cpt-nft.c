// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * lib/cpt-nft.c: the CT's ruleset is saved without the tables of CRIU's
 * own network lock, and nothing else is dropped or changed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "cpt-nft.h"
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
	return done_testing();
}
