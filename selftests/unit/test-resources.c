// SPDX-License-Identifier: GPL-2.0-or-later
/* Resource values: checks, lists, VSwap derivations, the ubc format. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "devfilter.h"
#include "resources.h"
#include "tap.h"
#include "ubc.h"
#include "units.h"

static void test_ub_checks(void)
{
	static const struct {
		enum vz_ub_id id;
		const char *text;
		bool valid;
	} cases[] = {
		{VZ_UB_numproc, "240", true},	    {VZ_UB_numproc, "240:260", true},
		{VZ_UB_numproc, "unlimited", true}, {VZ_UB_numproc, "100:unlimited", true},
		{VZ_UB_numproc, "-5", false},	    {VZ_UB_numproc, "5:-1", false},
		{VZ_UB_numproc, "260:240", false},  {VZ_UB_numproc, "5K", false},
		{VZ_UB_numproc, "1.5", false},	    {VZ_UB_numproc, "", false},
		{VZ_UB_numproc, "abc", false},	    {VZ_UB_physpages, "0:256M", true},
		{VZ_UB_physpages, "2G:2.2G", true}, {VZ_UB_physpages, "1Q", false},
		{VZ_UB_physpages, "2G:1G", false},  {VZ_UB_kmemsize, "14372700:14790164", true},
		{VZ_UB_kmemsize, "14M", true},	    {VZ_UB_numfile, "9312", true},
		{VZ_UB_numfile, "0x10", false},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *why = vz_res_check_ub(cases[i].id, cases[i].text);

		ok((why == NULL) == cases[i].valid, "%s \"%s\" is %s", vz_ub_defs[cases[i].id].key,
		   cases[i].text, cases[i].valid ? "valid" : "refused");
	}
	like(vz_res_check_ub(VZ_UB_numproc, "-5"), "negative", "a negative value says so");
	like(vz_res_check_ub(VZ_UB_numproc, "9:3"), "greater than limit",
	     "barrier > limit says so");
}

static void test_lookup(void)
{
	is_int(vz_ub_lookup("numproc"), VZ_UB_numproc, "lookup by name");
	is_int(vz_ub_lookup("NUMPROC"), VZ_UB_numproc, "lookup by key");
	is_int(vz_ub_lookup("nosuch"), -1, "unknown resource");
	is_int(VZ_UB__COUNT, 21, "21 beancounters besides the dummies");
	is_str(vz_ub_defs[VZ_UB_swappages].name, "swappages", "swappages is the last row");
	ok(vz_ub_defs[VZ_UB_numfile].kernel_bc && !vz_ub_defs[VZ_UB_numproc].kernel_bc,
	   "numfile is the controller's, numproc the pids controller's");
}

static void test_ram(void)
{
	int64_t pages = 0;
	struct vz_error err = {0};

	is_int(vz_res_parse_ram("256M", &pages, &err), 0, "--ram 256M");
	is_int(pages, 65536, "  = 65536 pages");
	is_int(vz_res_parse_ram("1G", &pages, &err), 0, "--ram 1G");
	is_int(pages, 262144, "  = 262144 pages");
	is_int(vz_res_parse_ram("4097", &pages, &err), 0, "--ram in bytes");
	is_int(pages, 2, "  rounded up to whole pages");
	ok(vz_res_parse_ram("-1M", &pages, &err) < 0, "--ram -1M refused");
	ok(vz_res_parse_ram("unlimited", &pages, &err) < 0, "--ram unlimited refused");
	ok(vz_res_parse_ram("12X", &pages, &err) < 0, "--ram 12X refused");
	is_int(err.kind, VZ_E_BAD_VALUE, "  as a bad value (exit 21)");
}

static void test_cpu(void)
{
	struct vz_cpulimit c;
	char *list = NULL;

	is_int(vz_res_parse_cpulimit("50", &c), 0, "cpulimit 50");
	ok(c.value == 50 && !c.host, "  50%% of one CPU");
	is_int(vz_res_parse_cpulimit("25%", &c), 0, "cpulimit 25%%");
	ok(c.value == 25 && c.host, "  25%% of the host");
	is_int(vz_res_parse_cpulimit("400", &c), 0, "cpulimit 400 (four CPUs)");
	ok(vz_res_parse_cpulimit("150%", &c) < 0, "cpulimit 150%% refused");
	ok(vz_res_parse_cpulimit("-1", &c) < 0, "cpulimit -1 refused");
	ok(vz_res_parse_cpulimit("%", &c) < 0, "cpulimit %% refused");
	ok(!vz_res_check_cpuunits("1000") && !vz_res_check_cpuunits("8") &&
		   !vz_res_check_cpuunits("500000"),
	   "cpuunits 8..500000");
	ok(vz_res_check_cpuunits("7") && vz_res_check_cpuunits("500001"), "cpuunits out of range");
	ok(!vz_res_check_cpus("2") && !vz_res_check_cpus("unlimited") && vz_res_check_cpus("-2"),
	   "cpus");
	is_int(vz_res_parse_cpulist("0-3,5", &list), 0, "cpumask 0-3,5");
	is_str(list, "0-3,5", "  kept");
	free(list);
	is_int(vz_res_parse_cpulist("all", &list), 0, "cpumask all");
	is_str(list, "", "  every CPU");
	free(list);
	ok(vz_res_parse_cpulist("3-1", &list) < 0, "cpumask 3-1 refused");
	ok(vz_res_parse_cpulist("0,,1", &list) == 0, "cpumask 0,,1 (empty entries skipped)");
	free(list);
	ok(vz_res_parse_cpulist("a", &list) < 0, "cpumask a refused");
}

static void test_io(void)
{
	int64_t b = 0;

	is_int(vz_res_parse_iolimit("10", &b), 0, "iolimit 10");
	is_int(b, 10 << 20, "  MB/s without a suffix");
	is_int(vz_res_parse_iolimit("512K", &b), 0, "iolimit 512K");
	is_int(b, 512 << 10, "  K is KiB/s");
	is_int(vz_res_parse_iolimit("100B", &b), 0, "iolimit 100B");
	is_int(b, 100, "  B is bytes/s");
	is_int(vz_res_parse_iolimit("0", &b), 0, "iolimit 0");
	is_int(b, 0, "  no limit");
	ok(vz_res_parse_iolimit("10Q", &b) < 0 && vz_res_parse_iolimit("-1", &b) < 0,
	   "iolimit 10Q and -1 refused");
	ok(!vz_res_check_ioprio("0") && !vz_res_check_ioprio("7") && vz_res_check_ioprio("8"),
	   "ioprio 0..7");
	ok(!vz_res_check_iopslimit("100") && vz_res_check_iopslimit("x"), "iopslimit");
}

static void test_lists(void)
{
	char *out = NULL;

	ok(!vz_res_check_devices("b:8:0:rw c:10:200:r b:7:all:rwq c:1:3:none"), "devices good");
	ok(vz_res_check_devices("x:8:0:rw") && vz_res_check_devices("b:8:0:rx") &&
		   vz_res_check_devices("b:8:0") && vz_res_check_devices("b:-8:0:r"),
	   "devices bad type, access, missing access, negative major");
	ok(!vz_res_check_devnodes("net/tun:rw sda:none") && vz_res_check_devnodes("../sda:rw") &&
		   vz_res_check_devnodes("/dev/sda:rw") && vz_res_check_devnodes("sda:q"),
	   "devnodes");
	ok(!vz_res_check_features("nfs:on sysfs:off") && vz_res_check_features("warp:on") &&
		   vz_res_check_features("nfs:maybe"),
	   "features");
	ok(!vz_res_check_capability("net_admin:on sys_time:off") &&
		   vz_res_check_capability("warp_drive:on"),
	   "capability names checked");
	is_int(vz_res_merge_list("nfs:on ppp:off", "ppp:on sit:on", &out), 0, "merge");
	is_str(out, "nfs:on ppp:on sit:on", "  replaces by name, appends new ones");
	free(out);
	is_int(vz_res_merge_list("b:8:0:rw", "b:8:0:none b:8:1:r", &out), 0, "merge devices");
	is_str(out, "b:8:0:none b:8:1:r", "  by type:major:minor");
	free(out);
	is_int(vz_res_merge_list(NULL, "a:on a:off", &out), 0, "merge into nothing");
	is_str(out, "a:off", "  the last entry for a name wins");
	free(out);
}

static void test_derive(void)
{
	struct vz_res r;

	memset(&r, 0, sizeof(r));
	for (int i = 0; i < VZ_UB__COUNT; i++)
		r.ub[i].barrier = r.ub[i].limit = VZ_UNLIMITED;
	r.ub[VZ_UB_physpages] = (struct vz_ub_value){0, 65536, true, false};
	r.ub[VZ_UB_swappages] = (struct vz_ub_value){0, 131072, true, false};
	r.vm_overcommit = 1.5;
	vz_res_derive(&r);
	ok(r.ub[VZ_UB_lockedpages].barrier == 65536 &&
		   r.ub[VZ_UB_lockedpages].limit == VZ_UNLIMITED,
	   "lockedpages = ram:unlimited");
	ok(r.ub[VZ_UB_oomguarpages].barrier == 65536 &&
		   r.ub[VZ_UB_oomguarpages].limit == VZ_UNLIMITED,
	   "oomguarpages = ram:unlimited");
	is_int(r.ub[VZ_UB_vmguarpages].barrier, 196608, "vmguarpages = ram + swap");
	is_int(r.ub[VZ_UB_privvmpages].barrier, 294912, "privvmpages = (ram + swap) * 1.5");
	ok(r.ub[VZ_UB_privvmpages].derived, "  marked derived");

	memset(&r, 0, sizeof(r));
	for (int i = 0; i < VZ_UB__COUNT; i++)
		r.ub[i].barrier = r.ub[i].limit = VZ_UNLIMITED;
	r.ub[VZ_UB_physpages] = (struct vz_ub_value){0, 1000, true, false};
	r.ub[VZ_UB_lockedpages] = (struct vz_ub_value){10, 20, true, false};
	vz_res_derive(&r);
	ok(r.ub[VZ_UB_lockedpages].barrier == 10 && !r.ub[VZ_UB_lockedpages].derived,
	   "an explicit value is kept");
	is_int(r.ub[VZ_UB_vmguarpages].barrier, 1000, "no SWAPPAGES: swap 0");
	ok(r.ub[VZ_UB_privvmpages].barrier == VZ_UNLIMITED,
	   "no VM_OVERCOMMIT: privvmpages unlimited");
}

static void test_key_mask(void)
{
	ok(vz_res_key_mask("PHYSPAGES") & VZ_RES_MEM, "PHYSPAGES is memory");
	is_int(vz_res_key_mask("NUMPROC"), VZ_RES_NUMPROC, "NUMPROC is pids");
	is_int(vz_res_key_mask("NUMFILE"), VZ_RES_KBC, "NUMFILE is the controller's");
	is_int(vz_res_key_mask("KMEMSIZE"), VZ_RES_UB_OTHER, "KMEMSIZE is enforced by nothing");
	is_int(vz_res_key_mask("CPULIMIT"), VZ_RES_CPU, "CPULIMIT is cpu");
	is_int(vz_res_key_mask("DEVNODES"), VZ_RES_DEVICES, "DEVNODES is devices");
	is_int(vz_res_key_mask("FEATURES"), VZ_RES_FEATURES, "FEATURES is features");
	ok(vz_res_key_mask("LOCKEDPAGES") & VZ_RES_MEM, "LOCKEDPAGES is memory (RLIMIT_MEMLOCK)");
	is_int(vz_res_key_mask("HOSTNAME"), 0, "HOSTNAME is no resource");
}

static void test_dev_rules(void)
{
	struct vz_dev_rule r = {'b', 8, -1, VZ_DEV_READ | VZ_DEV_MKNOD}, back;
	char buf[64];

	vz_dev_rule_format(&r, buf, sizeof(buf));
	is_str(buf, "b 8:* rm", "v1 rule text");
	ok(vz_dev_rule_parse_v1("c 136:* rwm", &back) && back.type == 'c' && back.major == 136 &&
		   back.minor == -1 && back.access == (VZ_DEV_READ | VZ_DEV_WRITE | VZ_DEV_MKNOD),
	   "devices.list line parsed");
	ok(!vz_dev_rule_parse_v1("a *:* rwm", &back), "the 'a' line is no device rule");
}

static void test_features(void)
{
	struct vz_env env = {.global = vz_conf_new(NULL)};
	struct vz_ct ct = {.env = &env, .conf = vz_conf_new(NULL)};
	struct vz_devnodes dn;
	struct vz_features f;
	struct vz_res res;

	ok(vz_res_load_features(&ct, &f, NULL) == 0 && !f.on && !f.off, "no FEATURES: none named");
	ok(vz_res_feature(&ct, VZ_FEATURE_sysfs, true), "  sysfs on by default");
	vz_conf_set(ct.conf, "FEATURES", "ppp:on sysfs:off nfs:on nfs:off");
	ok(vz_res_load_features(&ct, &f, NULL) == 0, "FEATURES read");
	is_int(f.on, 1u << VZ_FEATURE_ppp, "  on: ppp");
	is_int(f.off, 1u << VZ_FEATURE_sysfs | 1u << VZ_FEATURE_nfs,
	       "  off: sysfs, nfs (the later wins)");
	ok(!vz_res_feature(&ct, VZ_FEATURE_sysfs, true), "  sysfs:off overrides the default");
	ok(vz_res_load(&ct, &res, NULL) == 0 && res.nr_devs == 1 && res.devs[0].type == 'c' &&
		   res.devs[0].major == 108 && res.devs[0].minor == 0 &&
		   res.devs[0].access == (VZ_DEV_READ | VZ_DEV_WRITE | VZ_DEV_MKNOD),
	   "ppp:on allows c 108:0 rwm");
	ok(vz_devnodes_load(&ct, &dn, NULL) == 0 && dn.nr == 1 && !strcmp(dn.node[0].name, "ppp") &&
		   dn.node[0].rdev == makedev(108, 0) && dn.node[0].mode == (S_IFCHR | 0600) &&
		   !dn.node[0].remove,
	   "  and makes /dev/ppp");
	vz_conf_set(ct.conf, "FEATURES", "ppp:off");
	ok(vz_devnodes_load(&ct, &dn, NULL) == 0 && dn.nr == 1 && dn.node[0].remove,
	   "ppp:off removes /dev/ppp");
	vz_conf_set(ct.conf, "FEATURES", "warp:on");
	ok(vz_res_load_features(&ct, &f, NULL) < 0, "an unknown feature is an error");
	vz_conf_set(ct.conf, "FEATURES", NULL);
	vz_conf_set(ct.conf, "DEVNODES", "null:rw nosuchdev0:none null:r");
	ok(vz_devnodes_load(&ct, &dn, NULL) == 0 && dn.nr == 2 &&
		   !strcmp(dn.node[0].name, "null") && dn.node[0].rdev == makedev(1, 3) &&
		   S_ISCHR(dn.node[0].mode) && dn.node[1].remove,
	   "DEVNODES: the host's node, one entry per name; none needs no host node");
	vz_conf_set(ct.conf, "DEVNODES", "nosuchdev0:rw");
	ok(vz_devnodes_load(&ct, &dn, NULL) < 0, "  a node the host lacks is an error");
	vz_conf_free(ct.conf);
	vz_conf_free(env.global);
}

static const char kernel_file[] =
	"Version: 2.5\n"
	"       uid  resource                     held              maxheld              barrier"
	"                limit              failcnt\n"
	"      101:  kmemsize                  2461696              3760128  9223372036854775807"
	"  9223372036854775807                    0\n"
	"            numproc                         7                   12                  240"
	"                  240                    3\n"
	"            dummy                           0                    0                    0"
	"                    0                    0\n"
	"      102:  kmemsize                        1                    2                    3"
	"                    4                    5\n";

static void test_ubc_parse(void)
{
	struct vz_ubc u;
	char *text = NULL;
	size_t len = 0;
	FILE *f;

	is_int(vz_ubc_parse(kernel_file, "101", &u), 0, "101 found in the kernel's file");
	ok(u.row[VZ_UB_kmemsize].held == 2461696 && u.row[VZ_UB_kmemsize].maxheld == 3760128 &&
		   u.row[VZ_UB_kmemsize].limit == VZ_UNLIMITED,
	   "  kmemsize row");
	ok(u.row[VZ_UB_numproc].held == 7 && u.row[VZ_UB_numproc].failcnt == 3, "  numproc row");
	is_int(vz_ubc_parse(kernel_file, "102", &u), 0, "102 found");
	is_int(u.row[VZ_UB_kmemsize].failcnt, 5, "  its own rows");
	is_int(vz_ubc_parse(kernel_file, "103", &u), -ENOENT, "103 absent");

	memset(&u, 0, sizeof(u));
	snprintf(u.id, sizeof(u.id), "101");
	u.row[VZ_UB_kmemsize] =
		(struct vz_ubc_row){2461696, 3760128, VZ_UNLIMITED, VZ_UNLIMITED, 0};
	f = open_memstream(&text, &len);
	vz_ubc_print_header(f);
	vz_ubc_print(f, &u);
	fclose(f);
	like(text,
	     "Version: 2.5\n       uid  resource                     held              maxheld"
	     "              barrier                limit              failcnt\n"
	     "      101:  kmemsize                  2461696              3760128  "
	     "9223372036854775807  9223372036854775807                    0\n"
	     "            lockedpages                     0",
	     "header and first rows as OpenVZ prints them");
	like(text,
	     "shmpages                        0                    0                    0"
	     "                    0                    0\n            dummy  ",
	     "a dummy row after shmpages");
	like(text, "numfile  ", "numfile row");
	like(text,
	     "            dummy                           0                    0                   "
	     " 0"
	     "                    0                    0\n            numiptent",
	     "three dummies before numiptent");
	is_int((int)(strlen(text) - strlen(strstr(text, "      101:"))) > 0, 1,
	       "rows after the header");
	{
		int lines = 0;

		for (char *p = text; *p; p++)
			lines += *p == '\n';
		is_int(lines, 2 + 25, "2 header lines and 25 rows");
	}
	free(text);
}

int main(void)
{
	test_ub_checks();
	test_lookup();
	test_ram();
	test_cpu();
	test_io();
	test_lists();
	test_derive();
	test_key_mask();
	test_dev_rules();
	test_features();
	test_ubc_parse();
	return done_testing();
}
