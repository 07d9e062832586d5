// SPDX-License-Identifier: GPL-2.0-or-later
/* lib/ct.c, lib/params.c: CT ids and names, value checks, the node environment. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "ct.h"
#include "error.h"
#include "fileutil.h"
#include "tap.h"

static char tmpdir[] = "/tmp/vz-unit-ct.XXXXXX";

/* Write text to tmpdir/<name>; returns 0 or -errno. */
static int put_file(const char *name, const char *text)
{
	char *path = vz_path_join(tmpdir, name);
	int fd, ret = 0;
	size_t len = strlen(text);

	if (!path)
		return -ENOMEM;
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0 || write(fd, text, len) != (ssize_t)len)
		ret = -errno;
	if (fd >= 0)
		close(fd);
	free(path);
	return ret;
}

static int put_link(const char *target, const char *name)
{
	char *path = vz_path_join(tmpdir, name);
	int ret;

	if (!path)
		return -ENOMEM;
	ret = symlink(target, path) < 0 ? -errno : 0;
	free(path);
	return ret;
}

static int put_dir(const char *name)
{
	char *path = vz_path_join(tmpdir, name);
	int ret;

	if (!path)
		return -ENOMEM;
	ret = vz_mkdir_p(path, 0755);
	free(path);
	return ret;
}

static void test_ctid_parse(void)
{
	static const struct {
		const char *text;
		int ret;
		unsigned id;
	} cases[] = {
		{"101", 0, 101},
		{"1000", 0, 1000},
		{"2147483644", 0, 2147483644u},
		{"0", 0, 0},
		{"00101", 0, 101},
		{"1", -ERANGE, 0},
		{"100", -ERANGE, 0},
		{"2147483645", -ERANGE, 0},
		{"4294967295", -ERANGE, 0},
		{"4294967296", -EINVAL, 0},
		{"18446744073709551616", -EINVAL, 0},
		{"99999999999999999999999999", -EINVAL, 0},
		{"", -EINVAL, 0},
		{"abc", -EINVAL, 0},
		{"101a", -EINVAL, 0},
		{"-101", -EINVAL, 0},
		{"+101", -EINVAL, 0},
		{" 101", -EINVAL, 0},
		{"101 ", -EINVAL, 0},
		{"1e3", -EINVAL, 0},
		{"0x65", -EINVAL, 0},
		{"101.0", -EINVAL, 0},
	};
	struct vz_error err;
	unsigned id;
	int ret;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		vz_error_clear(&err);
		id = 12345;
		ret = vz_ctid_parse(cases[i].text, &id, &err);
		if (cases[i].ret == 0) {
			ok(ret == 0 && id == cases[i].id, "ctid \"%s\" = %u (ret %d, id %u)",
			   cases[i].text, cases[i].id, ret, id);
			continue;
		}
		is_int(ret, cases[i].ret, "ctid \"%s\" refused with %s", cases[i].text,
		       cases[i].ret == -ERANGE ? "-ERANGE" : "-EINVAL");
		ok(err.kind == VZ_E_BAD_VALUE && id == 12345,
		   "ctid \"%s\": VZ_E_BAD_VALUE, id untouched", cases[i].text);
	}
	vz_error_clear(&err);
	vz_ctid_parse("100", &id, &err);
	like(err.msg, "101..2147483644", "ctid: an out-of-range id names the range");
	vz_error_clear(&err);
	vz_ctid_parse("abc", &id, &err);
	like(err.msg, "'abc'", "ctid: a bad id is quoted in the message");
	is_int(vz_ctid_parse(NULL, &id, &err), -EINVAL, "ctid: NULL is -EINVAL");
	is_int(vz_ctid_parse("abc", &id, NULL), -EINVAL, "ctid: works without an error object");
}

static void test_name_valid(void)
{
	static const char *const good[] = {"web",  "my web", "a-b+c_d.e", "web1",
					   "1web", "a",	     "..a",	  "x.y"};
	static const char *const bad[] = {"",
					  "123",
					  "0",
					  ".",
					  "..",
					  "a/b",
					  "a:b",
					  "a\tb",
					  "a\nb",
					  "w\xc3\xab"
					  "b",
					  "$VEID",
					  "a*",
					  "a;b"};
	char longname[300];

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		ok(vz_ct_name_valid(good[i]), "name \"%s\" valid", good[i]);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ok(!vz_ct_name_valid(bad[i]), "name \"%s\" invalid", bad[i]);
	memset(longname, 'n', 255);
	longname[255] = '\0';
	ok(vz_ct_name_valid(longname), "name of 255 characters valid");
	memset(longname, 'n', 256);
	longname[256] = '\0';
	ok(!vz_ct_name_valid(longname), "name of 256 characters invalid");
}

static void test_subst(void)
{
	static const struct {
		const char *text, *id, *want;
	} cases[] = {
		{"$VEID", "101", "101"},
		{"${VEID}", "101", "101"},
		{"/vz/root/$VEID", "101", "/vz/root/101"},
		{"/vz/private/${VEID}/fs", "2147483644", "/vz/private/2147483644/fs"},
		{"/a/$VEID/${VEID}/$VEID", "777", "/a/777/777/777"},
		{"$VEID$VEID$VEID$VEID", "2147483644", "2147483644214748364421474836442147483644"},
		{"no variable", "101", "no variable"},
		{"VEID", "101", "VEID"},
		{"${VEID", "101", "${VEID"},
		{"$$VEID", "101", "$101"},
		{"$veid", "101", "$veid"},
		{"", "101", ""},
		{"/x/$VEID", "", "/x/"},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *s = vz_subst_veid(cases[i].text, cases[i].id);

		is_str(s, cases[i].want, "subst \"%s\" with %s", cases[i].text, cases[i].id);
		free(s);
	}
}

struct param_case {
	const char *key, *value;
	bool valid;
};

static void test_param_check(void)
{
	static const struct param_case cases[] = {
		/* yes/no */
		{"ONBOOT", "yes", true},
		{"ONBOOT", "no", true},
		{"ONBOOT", "YES", true},
		{"DISABLED", "on", true},
		{"DISABLED", "off", true},
		{"LOGGING", "1", true},
		{"LOGGING", "0", true},
		{"ONBOOT", "maybe", false},
		{"ONBOOT", "", false},
		{"ONBOOT", "2", false},
		{"ONBOOT", "yess", false},
		/* unsigned integers */
		{"STOP_TIMEOUT", "120", true},
		{"STOP_TIMEOUT", "0", true},
		{"BOOTORDER", "18446744073709551615", true},
		{"STOP_TIMEOUT", "", false},
		{"STOP_TIMEOUT", "-1", false},
		{"STOP_TIMEOUT", "+5", false},
		{"STOP_TIMEOUT", " 5", false},
		{"STOP_TIMEOUT", "5 ", false},
		{"STOP_TIMEOUT", "1.5", false},
		{"STOP_TIMEOUT", "12a", false},
		{"BOOTORDER", "18446744073709551616", false},
		/* signed integers */
		{"LOG_LEVEL", "-1", true},
		{"LOG_LEVEL", "7", true},
		{"VERBOSE", "", false},
		{"VERBOSE", "x", false},
		{"VERBOSE", "1x", false},
		/* absolute paths */
		{"VE_ROOT", "/vz/root/$VEID", true},
		{"VE_PRIVATE", "/", true},
		{"LOCKDIR", "/vz/lock", true},
		{"VE_ROOT", "vz/root", false},
		{"VE_PRIVATE", "./x", false},
		{"TEMPLATE", "", false},
		{"LOGFILE", "~/log", false},
		/* cgroup parent: absolute or relative, no .. */
		{"CGROUP_PARENT", "/vz", true},
		{"CGROUP_PARENT", "a/b", true},
		{"CGROUP_PARENT", "", true},
		{"CGROUP_PARENT", "../x", false},
		{"CGROUP_PARENT", "/a/../b", false},
		/* names */
		{"NAME", "web", true},
		{"NAME", "", true},
		{"NAME", "123", false},
		{"NAME", "a/b", false},
		/* host names */
		{"HOSTNAME", "", true},
		{"HOSTNAME", "ct101", true},
		{"HOSTNAME", "ct101.example.com", true},
		{"HOSTNAME", "a-b.c1", true},
		{"HOSTNAME", "-bad", false},
		{"HOSTNAME", ".bad", false},
		{"HOSTNAME", "has space", false},
		{"HOSTNAME", "under_score", false},
		{"HOSTNAME", "semi;colon", false},
		/* template names */
		{"OSTEMPLATE", "debian-12-x86_64", true},
		{"DEF_OSTEMPLATE", "", true},
		{"OSTEMPLATE", "a/b", false},
		{"OSTEMPLATE", "../x", false},
		{"OSTEMPLATE", ".hidden", false},
		/* printable words */
		{"DESCRIPTION", "A web server, the 2nd one", true},
		{"NAMESERVER", "inherit", true},
		{"DESCRIPTION", "tab\there", false},
		{"SEARCHDOMAIN", "bell\a", false},
		/* IP lists */
		{"IP_ADDRESS", "", true},
		{"IP_ADDRESS", "10.0.0.1", true},
		{"IP_ADDRESS", "10.0.0.1 10.0.0.2", true},
		{"IP_ADDRESS", "10.0.0.1/24", true},
		{"IP_ADDRESS", "fe80::1", true},
		{"IP_ADDRESS", "2001:db8::1/64", true},
		{"IP_ADDRESS", "10.0.0.1\tfd00::1  192.168.1.1/32", true},
		{"IP_ADDRESS", "10.0.0.256", false},
		{"IP_ADDRESS", "10.0.0", false},
		{"IP_ADDRESS", "host.example.com", false},
		{"IP_ADDRESS", "10.0.0.1,10.0.0.2", false},
		{"IP_ADDRESS", "10.0.0.1 bogus", false},
		{"IP_ADDRESS", "::g", false},
		{"IP_ADDRESS", "/24", false},
		/* layouts */
		{"VE_LAYOUT", "simfs", true},
		{"VE_LAYOUT", "ploop", false},
		/* beancounters in pages (suffixes allowed) */
		{"PHYSPAGES", "0:256M", true},
		{"SWAPPAGES", "0:512M", true},
		{"DISKSPACE", "2G:2.2G", true},
		{"PRIVVMPAGES", "unlimited", true},
		{"KMEMSIZE", "262144", true},
		{"LOCKEDPAGES", "100:unlimited", true},
		{"PHYSPAGES", "2G:1G", false},
		{"PHYSPAGES", "1X", false},
		{"PHYSPAGES", "-1", false},
		{"PHYSPAGES", "", false},
		{"SWAPPAGES", "1.5", false},
		/* beancounters that count objects (no suffixes) */
		{"NUMPROC", "100", true},
		{"NUMFILE", "100:200", true},
		{"DISKINODES", "131072:144179", true},
		{"NUMTCPSOCK", "unlimited", true},
		{"NUMPROC", "1K", false},
		{"NUMPROC", "200:100", false},
		{"NUMPTY", "1.5", false},
		/* capabilities */
		{"CAPABILITY", "net_admin:on", true},
		{"CAPABILITY", "sys_time:off,net_raw:on", true},
		{"CAPABILITY", "sys_time:off net_raw:on", true},
		{"CAPABILITY", "", true},
		{"CAPABILITY", "net_admin", false},
		{"CAPABILITY", "net_admin:yes", false},
		{"CAPABILITY", "net_admin:on:off", false},
		{"CAPABILITY", "net_admin:on,sys_time", false},
		/* unknown keys pass whatever the value */
		{"X_UNKNOWN", "anything \x01 at all", true},
		{"onboot", "maybe", true},
	};
	/* ADDR/len with a bad prefix length. */
	static const struct param_case bad_len[] = {
		{"IP_ADDRESS", "10.0.0.1/abc", false},	  {"IP_ADDRESS", "10.0.0.1/33", false},
		{"IP_ADDRESS", "10.0.0.1/", false},	  {"IP_ADDRESS", "10.0.0.1/-1", false},
		{"IP_ADDRESS", "2001:db8::1/129", false}, {"IP_ADDRESS", "10.0.0.1/24/8", false},
	};
	struct vz_error err;
	int ret;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct param_case *c = &cases[i];

		vz_error_clear(&err);
		ret = vz_param_check(c->key, c->value, &err);
		if (c->valid) {
			ok(ret == 0, "check %s=\"%s\" accepted (%s)", c->key, c->value, err.msg);
		} else {
			ok(ret == -EINVAL && err.kind == VZ_E_BAD_VALUE,
			   "check %s=\"%s\" refused: -EINVAL, VZ_E_BAD_VALUE", c->key, c->value);
		}
	}
	/*
	 * The prefix length after '/' is checked (0..32, 0..128).
	 */
	for (size_t i = 0; i < sizeof(bad_len) / sizeof(bad_len[0]); i++) {
		vz_error_clear(&err);
		ret = vz_param_check(bad_len[i].key, bad_len[i].value, &err);
		ok(ret == -EINVAL && err.kind == VZ_E_BAD_VALUE, "check %s=\"%s\" refused",
		   bad_len[i].key, bad_len[i].value);
	}

	vz_error_clear(&err);
	vz_param_check("ONBOOT", "maybe", &err);
	like(err.msg, "ONBOOT", "check: the message names the key");
	like(err.msg, "\"maybe\"", "check: the message quotes the value");
	like(err.msg, "yes or no", "check: the message says what is expected");
	vz_error_clear(&err);
	vz_param_check("PHYSPAGES", "2G:1G", &err);
	like(err.msg, "greater than limit", "check: barrier > limit is explained");
	is_int(vz_param_check("ONBOOT", "maybe", NULL), -EINVAL,
	       "check: works without an error object");
}

static void test_params_validate(void)
{
	struct vz_error err = {0};
	struct vz_conf *conf = NULL;
	int ret;

	if (vz_conf_parse(&conf, "/etc/vz/conf/101.conf",
			  "# c\nONBOOT=\"yes\"\nX_FOO=\"whatever\"\nNUMPROC=\"100:200\"\n",
			  &err) < 0) {
		ok(0, "validate: parse: %s", err.msg);
		return;
	}
	is_int(vz_params_validate(conf, false, &err), 0, "validate: a good config passes");
	is_int(vz_params_validate(conf, true, &err), 0, "validate: a good global config passes");
	vz_conf_free(conf);

	conf = NULL;
	if (vz_conf_parse(&conf, "/etc/vz/conf/101.conf",
			  "# c\nONBOOT=\"yes\"\nNUMPROC=\"1K\"\nHOSTNAME=\"ok\"\n", &err) < 0) {
		ok(0, "validate: parse: %s", err.msg);
		return;
	}
	vz_error_clear(&err);
	ret = vz_params_validate(conf, false, &err);
	is_int(ret, -EINVAL, "validate: a bad value is -EINVAL");
	is_int(err.kind, VZ_E_BAD_VALUE, "validate: a bad value is VZ_E_BAD_VALUE");
	like(err.msg, "NUMPROC", "validate: the message names the key");
	like(err.msg, "'/etc/vz/conf/101.conf'", "validate: the message names the file");
	like(err.msg, "line 3", "validate: the message names the line");
	like(err.msg, "\"1K\"", "validate: the message quotes the value");
	vz_conf_free(conf);

	/* An overridden bad value still counts: every line is checked. */
	conf = NULL;
	if (vz_conf_parse(&conf, "g.conf", "ONBOOT=\"bad\"\nONBOOT=\"yes\"\n", &err) == 0) {
		vz_error_clear(&err);
		ret = vz_params_validate(conf, true, &err);
		ok(ret == -EINVAL && strstr(err.msg, "line 1"),
		   "validate: a bad value overridden later is still reported (line 1)");
	}
	vz_conf_free(conf);
}

static const char vzconf[] = "## Global parameters\n"
			     "VIRTUOZZO=yes\n"
			     "LOCKDIR=\"/vz/test-lock\"\n"
			     "DUMPDIR=\"/srv/dump\"\n"
			     "VE_ROOT=\"/vz/root/$VEID\"\n"
			     "VE_PRIVATE=\"/vz/private/${VEID}\"\n"
			     "ONBOOT=\"no\"\n"
			     "CPUUNITS=\"1000\"\n"
			     "HOSTNAME=\"global.example.com\"\n"
			     "EMPTYDIR=\"\"\n";

static const char ct101[] = "# CT 101\n"
			    "ONBOOT=\"yes\"\n"
			    "HOSTNAME=\"ct101.example.com\"\n"
			    "STOP_TIMEOUT=\"30\"\n"
			    "X_UNITS=\"lots\"\n"
			    "NAME=\"web\"\n"
			    "NEGATIVE=\"-5\"\n";

static void test_env(void)
{
	struct vz_error err = {0};
	struct vz_env *env = NULL;
	struct vz_ct *ct = NULL;
	char *dir = NULL, *s = NULL, *conf102 = NULL;
	unsigned id;
	int ret;

	setenv("VZ_CONFDIR", tmpdir, 1);
	ret = vz_env_open(&env, &err);
	is_int(ret, 0, "env: vz_env_open with VZ_CONFDIR");
	if (ret < 0) {
		diag("%s", err.msg);
		return;
	}
	is_str(env->confdir, tmpdir, "env: confdir from VZ_CONFDIR");
	s = vz_path_join(tmpdir, "vz.conf");
	is_str(env->vzconf_path, s, "env: vz.conf under confdir");
	free(s);
	is_str(vz_env_get(env, "LOCKDIR"), "/vz/test-lock", "env: vz.conf value");
	is_str(vz_env_get(env, "STOP_TIMEOUT"), "120", "env: built-in default STOP_TIMEOUT 120");
	is_str(vz_env_get(env, "TEMPLATE"), "/vz/template", "env: built-in default TEMPLATE");
	is_str(vz_env_get(env, "DUMPDIR"), "/srv/dump",
	       "env: vz.conf overrides a built-in default");
	is_str(vz_env_get(env, "NO_SUCH_KEY"), NULL, "env: unknown key is NULL");
	dir = vz_env_dir(env, "VE_ROOT");
	is_str(dir, "/vz/root/$VEID", "env: vz_env_dir leaves $VEID alone");
	free(dir);
	dir = vz_env_dir(env, "EMPTYDIR");
	is_str(dir, NULL, "env: vz_env_dir of an empty value is NULL");
	free(dir);
	dir = vz_env_dir(env, "NO_SUCH_KEY");
	is_str(dir, NULL, "env: vz_env_dir of an unset key is NULL");
	free(dir);

	/* A CT with a config: per-CT values over global ones over built-in ones. */
	ret = vz_ct_open(env, 101, &ct, &err);
	is_int(ret, 0, "ct: open 101");
	if (ret == 0) {
		ok(ct->exists, "ct: 101 exists");
		is_int(ct->id, 101, "ct: id");
		is_str(ct->idstr, "101", "ct: idstr");
		s = vz_path_join(tmpdir, "conf/101.conf");
		is_str(ct->conf_path, s, "ct: conf path is <confdir>/conf/101.conf");
		free(s);
		is_str(vz_ct_get(ct, "ONBOOT"), "yes", "ct: per-CT value over vz.conf");
		is_str(vz_ct_get(ct, "HOSTNAME"), "ct101.example.com", "ct: per-CT HOSTNAME");
		is_str(vz_ct_get(ct, "LOCKDIR"), "/vz/test-lock", "ct: vz.conf value as default");
		is_str(vz_ct_get(ct, "STOP_TIMEOUT"), "30", "ct: per-CT value over built-in");
		is_str(vz_ct_get(ct, "VE_LAYOUT"), "simfs", "ct: built-in default");
		is_str(vz_ct_get(ct, "NO_SUCH_KEY"), NULL, "ct: unset key is NULL");
		s = vz_ct_get_subst(ct, "VE_ROOT");
		is_str(s, "/vz/root/101", "ct: $VEID substituted in VE_ROOT");
		free(s);
		s = vz_ct_get_subst(ct, "VE_PRIVATE");
		is_str(s, "/vz/private/101", "ct: ${VEID} substituted in VE_PRIVATE");
		free(s);
		s = vz_ct_get_subst(ct, "NO_SUCH_KEY");
		is_str(s, NULL, "ct: subst of an unset key is NULL");
		free(s);
		ok(vz_ct_get_bool(ct, "ONBOOT", false), "ct: get_bool yes");
		ok(vz_ct_get_bool(ct, "DISABLED", true), "ct: get_bool unset gives the default");
		ok(!vz_ct_get_bool(ct, "DISABLED", false),
		   "ct: get_bool unset gives the default (false)");
		is_int(vz_ct_get_ulong(ct, "STOP_TIMEOUT", 1), 30, "ct: get_ulong per-CT");
		is_int(vz_ct_get_ulong(ct, "X_UNITS", 7), 7,
		       "ct: get_ulong of a non-number is the default");
		is_int(vz_ct_get_ulong(ct, "NO_SUCH_KEY", 9), 9,
		       "ct: get_ulong unset is the default");
		/*
		 * A negative value gives the default (strtoul() would take "-5" as
		 * ULONG_MAX - 4).
		 */
		is_int(vz_ct_get_ulong(ct, "NEGATIVE", 11), 11,
		       "ct: get_ulong of \"-5\" is the default");
	}
	vz_ct_free(ct);
	ct = NULL;

	/* A CT without a config. */
	ret = vz_ct_open(env, 102, &ct, &err);
	is_int(ret, 0, "ct: open 102 without a config");
	if (ret == 0) {
		ok(!ct->exists, "ct: 102 does not exist");
		ok(ct->conf && ct->conf->nr_lines == 0, "ct: 102 has an empty config");
		is_str(vz_ct_get(ct, "ONBOOT"), "no", "ct: 102 sees vz.conf values");
		is_str(vz_ct_get(ct, "STOP_TIMEOUT"), "120", "ct: 102 sees built-in defaults");
		is_int(vz_ct_get_ulong(ct, "STOP_TIMEOUT", 1), 120,
		       "ct: STOP_TIMEOUT 120 by default");

		vz_error_clear(&err);
		ret = vz_ct_set(ct, "ONBOOT", "maybe", &err);
		ok(ret == -EINVAL && err.kind == VZ_E_BAD_VALUE,
		   "ct: vz_ct_set refuses a bad value");
		is_str(vz_conf_get(ct->conf, "ONBOOT"), NULL, "ct: a refused value is not set");
		vz_error_clear(&err);
		ret = vz_ct_set(ct, "bad key", "x", &err);
		ok(ret == -EINVAL && err.kind == VZ_E_BAD_VALUE, "ct: vz_ct_set refuses a bad key");
		is_int(vz_ct_set(ct, "ONBOOT", "yes", &err), 0, "ct: vz_ct_set a good value");
		is_int(vz_ct_set(ct, "STOP_TIMEOUT", "5", &err), 0, "ct: vz_ct_set another");
		is_int(vz_ct_set(ct, "STOP_TIMEOUT", NULL, &err), 0, "ct: vz_ct_set NULL removes");
		is_str(vz_ct_get(ct, "ONBOOT"), "yes", "ct: a set value is seen");
		is_int(vz_ct_save(ct, &err), 0, "ct: save 102");
		ok(ct->exists && !ct->conf->dirty, "ct: after save the CT exists and is clean");
		conf102 = vz_path_join(tmpdir, "conf/102.conf");
		s = NULL;
		vz_read_file(conf102, &s, NULL);
		is_str(s, "ONBOOT=\"yes\"\n", "ct: the saved config file");
		free(s);
		put_file("conf/102.conf", "ONBOOT=\"no\"\nHOSTNAME=\"h102\"\n");
		is_int(vz_ct_reload(ct, &err), 0, "ct: reload");
		is_str(vz_ct_get(ct, "HOSTNAME"), "h102", "ct: reload sees the new file");
		put_file("conf/102.conf", "ONBOOT=\"nope\"\n");
		ok(vz_ct_reload(ct, &err) == -EINVAL && err.kind == VZ_E_BAD_VALUE,
		   "ct: reload of a bad file fails");
		is_str(vz_ct_get(ct, "HOSTNAME"), "h102",
		       "ct: a failed reload keeps the old config");
	}
	vz_ct_free(ct);
	ct = NULL;

	/* A bad value in a CT config. */
	vz_error_clear(&err);
	ret = vz_ct_open(env, 103, &ct, &err);
	is_int(ret, -EINVAL, "ct: a bad value in 103.conf is -EINVAL");
	ok(ct == NULL, "ct: no CT returned for a bad config");
	is_int(err.kind, VZ_E_BAD_VALUE, "ct: a bad value is VZ_E_BAD_VALUE");
	like(err.msg, "line 4", "ct: the message names the line");
	like(err.msg, "103.conf", "ct: the message names the file");
	like(err.msg, "VE_ROOT", "ct: the message names the key");
	vz_ct_free(ct);
	ct = NULL;

	/* A syntax error in a CT config. */
	vz_error_clear(&err);
	ret = vz_ct_open(env, 104, &ct, &err);
	ok(ret == -EINVAL && err.kind == VZ_E_BAD_VALUE && strstr(err.msg, "line 2"),
	   "ct: a syntax error in 104.conf is VZ_E_BAD_VALUE naming line 2 (%s)", err.msg);
	vz_ct_free(ct);
	ct = NULL;

	/* Names. */
	static const struct {
		const char *name;
		unsigned id;
		int ret;
	} names[] = {
		{"web", 101, 0},
		{"abs", 101, 0},
		{"plain", 101, 0},
		{"my ct", 101, 0},
		{"web.v2", 2147483644u, 0},
		{"101", 101, 0},
		{"0", 0, 0},
		{"100", 0, -ERANGE},
		{"nosuch", 0, -ENOENT},
		{"txt", 0, -EINVAL},
		{"destroyed", 0, -EINVAL},
		{"short", 0, -EINVAL},
		{"badid", 0, -EINVAL},
		{"lowid", 0, -ERANGE},
		{"a/b", 0, -EINVAL},
		{"..", 0, -EINVAL},
		{"", 0, -EINVAL},
	};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		vz_error_clear(&err);
		id = 4242;
		ret = vz_ct_resolve(env, names[i].name, &id, &err);
		if (names[i].ret == 0)
			ok(ret == 0 && id == names[i].id, "resolve \"%s\" = %u (ret %d, id %u)",
			   names[i].name, names[i].id, ret, id);
		else
			ok(ret == names[i].ret && err.kind == VZ_E_BAD_VALUE && id == 4242,
			   "resolve \"%s\" refused with %d, VZ_E_BAD_VALUE (ret %d, kind %s)",
			   names[i].name, names[i].ret, ret, vz_error_kind_name(err.kind));
	}
	vz_error_clear(&err);
	vz_ct_resolve(env, "nosuch", &id, &err);
	like(err.msg, "'nosuch'", "resolve: a missing name is quoted in the message");
	is_int(vz_ct_resolve(env, NULL, &id, &err), -EINVAL, "resolve: NULL is -EINVAL");

	/*
	 * Only an all-digit argument is a CTID: names such as "1web", which
	 * vz_ct_name_valid() accepts, resolve through names/.
	 */
	vz_error_clear(&err);
	id = 4242;
	ret = vz_ct_resolve(env, "1web", &id, &err);
	ok(ret == 0 && id == 101, "resolve \"1web\" (a valid name) = 101 (ret %d: %s)", ret,
	   err.msg);

	vz_env_free(env);
	free(conf102);
}

static void test_env_errors(void)
{
	struct vz_error err = {0};
	struct vz_env *env = NULL;
	char *dir = vz_path_join(tmpdir, "empty"), *bad = vz_path_join(tmpdir, "badglobal");
	int ret;

	setenv("VZ_CONFDIR", dir ? dir : "/nonexistent", 1);
	ret = vz_env_open(&env, &err);
	is_int(ret, -ENOENT, "env: a missing vz.conf is -ENOENT");
	is_int(err.kind, VZ_E_NO_VZCONF, "env: a missing vz.conf is VZ_E_NO_VZCONF");
	like(err.msg, "vz.conf", "env: the message names vz.conf");
	ok(env == NULL, "env: nothing returned without vz.conf");
	vz_env_free(env);
	env = NULL;

	setenv("VZ_CONFDIR", bad ? bad : "/nonexistent", 1);
	vz_error_clear(&err);
	ret = vz_env_open(&env, &err);
	is_int(ret, -EINVAL, "env: a bad value in vz.conf is -EINVAL");
	is_int(err.kind, VZ_E_BAD_VALUE, "env: a bad value in vz.conf is VZ_E_BAD_VALUE");
	like(err.msg, "line 2", "env: the message names the line of vz.conf");
	ok(env == NULL, "env: nothing returned for a bad vz.conf");
	vz_env_free(env);
	unsetenv("VZ_CONFDIR");
	free(dir);
	free(bad);
}

static int setup_tree(void)
{
	int ret = 0;

	ret |= put_dir("conf");
	ret |= put_dir("names");
	ret |= put_dir("empty");
	ret |= put_dir("badglobal");
	ret |= put_file("vz.conf", vzconf);
	ret |= put_file("badglobal/vz.conf", "LOCKDIR=\"/vz/lock\"\nLOCKDIR=\"relative\"\n");
	ret |= put_file("conf/101.conf", ct101);
	ret |= put_file("conf/103.conf", "# CT 103\n\nONBOOT=\"yes\"\nVE_ROOT=\"relative/path\"\n");
	ret |= put_file("conf/104.conf", "ONBOOT=\"yes\"\nONBOOT yes\n");
	ret |= put_link("../conf/101.conf", "names/web");
	ret |= put_link("../conf/101.conf", "names/1web");
	ret |= put_link("101.conf", "names/plain");
	ret |= put_link("../conf/101.conf", "names/my ct");
	ret |= put_link("../conf/2147483644.conf", "names/web.v2");
	ret |= put_link("../conf/101.txt", "names/txt");
	ret |= put_link("../conf/101.conf.destroyed", "names/destroyed");
	ret |= put_link(".conf", "names/short");
	ret |= put_link("../conf/abc.conf", "names/badid");
	ret |= put_link("../conf/5.conf", "names/lowid");
	if (!ret) {
		char *target = vz_path_join(tmpdir, "conf/101.conf");

		ret = target ? put_link(target, "names/abs") : -ENOMEM;
		free(target);
	}
	return ret;
}

int main(void)
{
	int ret;

	test_ctid_parse();
	test_name_valid();
	test_subst();
	test_param_check();
	test_params_validate();
	if (!mkdtemp(tmpdir)) {
		ok(0, "create a temporary directory");
		return done_testing();
	}
	if (setup_tree() < 0)
		ok(0, "set up the configuration tree in '%s'", tmpdir);
	else {
		test_env();
		test_env_errors();
	}
	ret = done_testing();
	if (vz_rm_rf(tmpdir) < 0)
		diag("Cannot remove '%s'", tmpdir);
	return ret;
}
