// SPDX-License-Identifier: GPL-2.0-or-later
/* lib/config.c: KEY="value" files, in-place edits, atomic saves. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "config.h"
#include "error.h"
#include "fileutil.h"
#include "tap.h"

static char tmpdir[] = "/tmp/vz-unit-config.XXXXXX";

static char *tmp_path(const char *name)
{
	return vz_path_join(tmpdir, name);
}

static int write_bytes(const char *path, const char *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, data, len);
	close(fd);
	return n == (ssize_t)len ? 0 : -EIO;
}

static int write_text(const char *path, const char *text)
{
	return write_bytes(path, text, strlen(text));
}

/* The file's contents (malloc'ed) or NULL. */
static char *slurp(const char *path)
{
	char *text = NULL;

	if (vz_read_file(path, &text, NULL) < 0)
		return NULL;
	return text;
}

static int count_dir_entries(const char *dir)
{
	struct dirent *de;
	DIR *d = opendir(dir);
	int n = 0;

	if (!d)
		return -1;
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			n++;
	closedir(d);
	return n;
}

static void test_parse(void)
{
	static const char text[] = "# A comment line\n"
				   "\n"
				   "A=\"1\"\n"
				   "B=plain\n"
				   "C='single quoted'\n"
				   "  D=\"with spaces\"  \n"
				   "E=\"\"\n"
				   "\t# indented comment\n"
				   "A=\"2\"\n"
				   "lower_case=\"x\"\n"
				   "F=\"crlf\"\r\n"
				   "G=\"$VEID/${VEID}\"\n"
				   "H=\"a=b#c\"\n"
				   "LAST=unterminated_line_without_newline";
	struct vz_error err = {0};
	struct vz_conf *conf = NULL;
	int ret;

	ret = vz_conf_parse(&conf, "mem.conf", text, &err);
	is_int(ret, 0, "parse: a well-formed text parses");
	if (!conf) {
		diag("%s", err.msg);
		return;
	}
	is_str(conf->path, "mem.conf", "parse: path recorded");
	is_int(conf->nr_lines, 14, "parse: every line kept, comments and blanks included");
	ok(!conf->dirty, "parse: a parsed config is not dirty");
	ok(conf->nr_lines > 1 && !conf->lines[0].key &&
		   !strcmp(conf->lines[0].text, "# A comment line"),
	   "parse: comment kept as text without a key");
	ok(conf->nr_lines > 1 && !conf->lines[1].key && !strcmp(conf->lines[1].text, ""),
	   "parse: blank line kept");
	is_str(vz_conf_get(conf, "A"), "2", "parse: last occurrence wins");
	is_int(vz_conf_lineno(conf, "A"), 9, "parse: line number of the last occurrence");
	is_str(vz_conf_get(conf, "B"), "plain", "parse: unquoted value");
	is_str(vz_conf_get(conf, "C"), "single quoted", "parse: single-quoted value");
	is_str(vz_conf_get(conf, "D"), "with spaces",
	       "parse: leading indentation and trailing blanks ignored");
	is_int(vz_conf_lineno(conf, "D"), 6, "parse: line number of D");
	is_str(vz_conf_get(conf, "E"), "", "parse: empty quoted value");
	is_str(vz_conf_get(conf, "lower_case"), "x", "parse: lower-case key accepted");
	is_str(vz_conf_get(conf, "LOWER_CASE"), NULL, "parse: keys are case-sensitive");
	is_str(vz_conf_get(conf, "F"), "crlf", "parse: CR before LF ignored");
	is_str(vz_conf_get(conf, "G"), "$VEID/${VEID}", "parse: $VEID is not substituted");
	is_str(vz_conf_get(conf, "H"), "a=b#c", "parse: '=' and '#' inside quotes are data");
	is_str(vz_conf_get(conf, "LAST"), "unterminated_line_without_newline",
	       "parse: last line without newline");
	is_str(vz_conf_get(conf, "MISSING"), NULL, "parse: unknown key gives NULL");
	is_int(vz_conf_lineno(conf, "MISSING"), 0, "parse: unknown key has line 0");
	vz_conf_free(conf);

	/*
	 * A blank line of a CRLF file ("\r") is a blank line, not a syntax error.
	 */
	conf = NULL;
	vz_error_clear(&err);
	ret = vz_conf_parse(&conf, "crlf.conf", "A=\"1\"\r\n\r\n# c\r\nB=\"2\"\r\n", &err);
	ok(ret == 0 && conf && conf->nr_lines == 4 && vz_conf_get(conf, "B") &&
		   !strcmp(vz_conf_get(conf, "B"), "2"),
	   "parse: a CRLF file with a blank line parses (%s)", err.msg);
	vz_conf_free(conf);

	conf = NULL;
	ret = vz_conf_parse(&conf, "blank.conf", "A=\"1\"\n \t \nB=\"2\"\n", &err);
	ok(ret == 0 && conf && conf->nr_lines == 3 && !conf->lines[1].key,
	   "parse: a line of blanks is a blank line");
	vz_conf_free(conf);

	conf = NULL;
	ret = vz_conf_parse(&conf, "empty.conf", "", &err);
	ok(ret == 0 && conf && conf->nr_lines == 0, "parse: empty text gives an empty config");
	vz_conf_free(conf);
}

static void test_syntax_errors(void)
{
	static const struct {
		const char *text;
		unsigned line;
		const char *what;
	} bad[] = {
		{"A=\"1\"\nnoequals\n", 2, "a line without '='"},
		{"A=\"1\"\nB=\"2\"\n9X=\"v\"\n", 3, "a key starting with a digit"},
		{"A-B=\"v\"\n", 1, "a key with '-'"},
		{"=\"v\"\n", 1, "an empty key"},
		{"KEY =\"v\"\n", 1, "a blank before '='"},
		{"# c\nA=\"unterminated\n", 2, "an unterminated double quote"},
		{"A='unterminated\n", 1, "an unterminated single quote"},
		{"A=\"\n", 1, "a lone double quote"},
		{"A=\"mixed'\n", 1, "mismatched quotes"},
		{"A=\"a\"b\"\n", 1, "a quote inside a quoted value"},
		{"\n\n\nA=two words\n", 4, "an unquoted value with a space"},
		{"A=tab\there\n", 1, "an unquoted value with a tab"},
		{"A=it's\n", 1, "an unquoted value with a quote"},
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct vz_error err = {0};
		struct vz_conf *conf = NULL;
		char needle[64];
		int ret = vz_conf_parse(&conf, "/etc/vz/conf/101.conf", bad[i].text, &err);

		is_int(ret, -EINVAL, "syntax: %s is -EINVAL", bad[i].what);
		ok(conf == NULL, "syntax: %s leaves no config", bad[i].what);
		is_int(err.kind, VZ_E_BAD_VALUE, "syntax: %s is VZ_E_BAD_VALUE", bad[i].what);
		like(err.msg, "'/etc/vz/conf/101.conf'", "syntax: %s: message names the file",
		     bad[i].what);
		snprintf(needle, sizeof(needle), "line %u", bad[i].line);
		like(err.msg, needle, "syntax: %s: message names %s", bad[i].what, needle);
		vz_conf_free(conf);
	}
}

static void test_key_valid(void)
{
	ok(vz_conf_key_valid("VE_ROOT"), "key: VE_ROOT valid");
	ok(vz_conf_key_valid("_X1"), "key: leading underscore valid");
	ok(vz_conf_key_valid("abc"), "key: lower case valid");
	ok(!vz_conf_key_valid(""), "key: empty invalid");
	ok(!vz_conf_key_valid("1A"), "key: leading digit invalid");
	ok(!vz_conf_key_valid("A B"), "key: space invalid");
	ok(!vz_conf_key_valid("A.B"), "key: dot invalid");
}

static void test_load(void)
{
	struct vz_error err = {0};
	struct vz_conf *conf = NULL;
	char *path = tmp_path("load.conf"), *missing = tmp_path("missing.conf");
	char *nul = tmp_path("nul.conf"), *bad = tmp_path("bad.conf");
	static const char with_nul[] = "A=\"1\"\nB=\"x\0y\"\n";
	int ret;

	if (!path || !missing || !nul || !bad) {
		ok(0, "load: allocate paths");
		goto out;
	}
	write_text(path, "# c\nONBOOT=\"yes\"\n");
	ret = vz_conf_load(&conf, path, &err);
	is_int(ret, 0, "load: a file loads");
	is_str(conf ? vz_conf_get(conf, "ONBOOT") : NULL, "yes", "load: value read");
	is_str(conf ? conf->path : NULL, path, "load: path recorded");
	is_int(conf ? vz_conf_lineno(conf, "ONBOOT") : 0, 2, "load: line number");
	vz_conf_free(conf);

	conf = NULL;
	vz_error_clear(&err);
	ret = vz_conf_load(&conf, missing, &err);
	is_int(ret, -ENOENT, "load: a missing file is -ENOENT");
	ok(conf == NULL, "load: a missing file gives no config");
	like(err.msg, missing, "load: the message names the missing file");

	vz_error_clear(&err);
	write_bytes(nul, with_nul, sizeof(with_nul) - 1);
	ret = vz_conf_load(&conf, nul, &err);
	is_int(ret, -EINVAL, "load: a file with a NUL byte is refused");
	ok(conf == NULL, "load: a NUL byte gives no config");
	is_int(err.kind, VZ_E_BAD_VALUE, "load: a NUL byte is VZ_E_BAD_VALUE");
	like(err.msg, nul, "load: the NUL message names the file");

	vz_error_clear(&err);
	write_bytes(nul, "\0A=\"1\"\n", 7);
	ret = vz_conf_load(&conf, nul, &err);
	is_int(ret, -EINVAL, "load: a file starting with a NUL byte is refused");
	ok(conf == NULL, "load: a leading NUL byte gives no config");

	vz_error_clear(&err);
	write_text(bad, "A=\"1\"\nB=\"2\"\nC=\"3\nD=\"4\"\n");
	ret = vz_conf_load(&conf, bad, &err);
	is_int(ret, -EINVAL, "load: a syntax error in a file is -EINVAL");
	is_int(err.kind, VZ_E_BAD_VALUE, "load: a syntax error is VZ_E_BAD_VALUE");
	like(err.msg, bad, "load: the syntax error names the file");
	like(err.msg, "line 3", "load: the syntax error names the line");
	vz_conf_free(conf);
out:
	free(path);
	free(missing);
	free(nul);
	free(bad);
}

static const char edit_text[] = "# Container config\n"
				"\n"
				"ONBOOT=\"no\"\n"
				"  HOSTNAME='ct.example.com'   \n"
				"CPUUNITS=1000\n"
				"# Unknown keys are kept\n"
				"X_UNKNOWN=\"keep me\"\n"
				"IP_ADDRESS=\"10.0.0.1\"\n"
				"IP_ADDRESS=\"10.0.0.2\"\n"
				"DESCRIPTION=\"last\"\n";

static void test_set(void)
{
	struct vz_error err = {0};
	struct vz_conf *conf = NULL;
	size_t n;

	if (vz_conf_parse(&conf, "edit.conf", edit_text, &err) < 0) {
		ok(0, "set: parse the config to edit: %s", err.msg);
		return;
	}
	n = conf->nr_lines;

	is_int(vz_conf_set(conf, "ONBOOT", "no"), 0, "set: same value returns 0");
	ok(!conf->dirty, "set: setting the same value does not mark dirty");
	is_int(vz_conf_set(conf, "HOSTNAME", "ct.example.com"), 0,
	       "set: same value as a single-quoted one returns 0");
	ok(!conf->dirty, "set: same value (single-quoted in the file) does not mark dirty");
	is_str(conf->lines[3].text, "  HOSTNAME='ct.example.com'   ",
	       "set: a no-op set leaves the line text alone");
	is_int(vz_conf_set(conf, "CPUUNITS", "1000"), 0, "set: same unquoted value returns 0");
	ok(!conf->dirty, "set: same value (unquoted in the file) does not mark dirty");
	is_int(vz_conf_set(conf, "NOT_THERE", NULL), 0, "set: removing an absent key returns 0");
	ok(!conf->dirty, "set: removing an absent key does not mark dirty");

	is_int(vz_conf_set(conf, "ONBOOT", "yes"), 0, "set: change a value");
	ok(conf->dirty, "set: a change marks dirty");
	is_int(conf->nr_lines, n, "set: a change in place adds no line");
	is_str(conf->lines[2].text, "ONBOOT=\"yes\"", "set: the line keeps its position");
	is_str(vz_conf_get(conf, "ONBOOT"), "yes", "set: get returns the new value");

	is_int(vz_conf_set(conf, "IP_ADDRESS", "10.0.0.3"), 0, "set: change a repeated key");
	is_str(conf->lines[7].text, "IP_ADDRESS=\"10.0.0.1\"",
	       "set: the earlier (overridden) occurrence is untouched");
	is_str(conf->lines[8].text, "IP_ADDRESS=\"10.0.0.3\"",
	       "set: the last (effective) occurrence is rewritten");
	is_str(vz_conf_get(conf, "IP_ADDRESS"), "10.0.0.3", "set: get sees the rewritten value");

	is_int(vz_conf_set(conf, "NEWKEY", "new value"), 0, "set: add a key");
	is_int(conf->nr_lines, n + 1, "set: a new key adds one line");
	is_str(conf->lines[n].text, "NEWKEY=\"new value\"",
	       "set: the new key is appended at the end");
	is_str(vz_conf_get(conf, "NEWKEY"), "new value", "set: get sees the new key");

	is_int(vz_conf_set(conf, "bad key", "v"), -EINVAL, "set: invalid key name is -EINVAL");
	is_int(vz_conf_set(conf, "A", "has\"quote"), -EINVAL, "set: a value with '\"' is -EINVAL");
	is_int(vz_conf_set(conf, "A", "two\nlines"), -EINVAL,
	       "set: a value with a newline is -EINVAL");
	is_str(vz_conf_get(conf, "A"), NULL, "set: a refused set adds nothing");
	is_int(conf->nr_lines, n + 1, "set: a refused set adds no line");

	is_int(vz_conf_set(conf, "IP_ADDRESS", NULL), 0, "set: remove a key");
	is_str(vz_conf_get(conf, "IP_ADDRESS"), NULL,
	       "set: every occurrence of a removed key is gone");
	is_int(conf->nr_lines, n - 1, "set: removing a repeated key drops both lines");
	is_str(conf->lines[6].text, "X_UNKNOWN=\"keep me\"", "set: lines before stay in place");
	is_str(conf->lines[7].text, "DESCRIPTION=\"last\"", "set: lines after move up");
	vz_conf_free(conf);

	/* Removal alone marks a clean config dirty. */
	conf = NULL;
	if (vz_conf_parse(&conf, "edit.conf", edit_text, &err) == 0) {
		is_int(vz_conf_set(conf, "CPUUNITS", NULL), 0, "set: remove on a clean config");
		ok(conf->dirty, "set: removal marks dirty");
	} else {
		ok(0, "set: reparse: %s", err.msg);
	}
	vz_conf_free(conf);

	/* A new config from scratch. */
	conf = vz_conf_new(NULL);
	ok(conf && conf->nr_lines == 0 && conf->path && !*conf->path,
	   "new: vz_conf_new(NULL) is empty with path \"\"");
	if (conf) {
		is_int(vz_conf_set(conf, "K", "v"), 0, "new: set on an empty config");
		is_str(vz_conf_get(conf, "K"), "v", "new: get after set");
		is_int(vz_conf_lineno(conf, "K"), 0, "new: an appended key has line 0");
	}
	vz_conf_free(conf);
}

/* Save into a directory the process cannot write; the original must survive. */
static int save_unwritable(const char *path, const char *orig)
{
	struct vz_error err = {0};
	struct vz_conf *conf = NULL;
	int ret;

	ret = vz_conf_load(&conf, path, &err);
	if (ret < 0)
		return ret;
	vz_conf_set(conf, "ONBOOT", "changed");
	ret = vz_conf_save(conf, path, &err);
	vz_conf_free(conf);
	return ret;
}

static void test_save_errors(void)
{
	char *dir = tmp_path("ro"), *path = NULL, *tmp = NULL, *text = NULL;
	char *nodir = tmp_path("no/such/dir/x.conf");
	struct vz_error err = {0};
	struct vz_conf *conf = NULL;
	static const char orig[] = "ONBOOT=\"no\"\n";
	int ret;

	if (!dir || !nodir || mkdir(dir, 0755) < 0) {
		ok(0, "save errors: set up the directory");
		goto out;
	}
	path = vz_path_join(dir, "101.conf");
	tmp = vz_path_join(dir, "101.conf.tmp");
	write_text(path, orig);

	/* <path>.tmp cannot be created (it is a directory): works as root too. */
	mkdir(tmp, 0755);
	vz_conf_parse(&conf, path, "ONBOOT=\"yes\"\n", &err);
	ret = conf ? vz_conf_save(conf, path, &err) : -ENOMEM;
	ok(ret < 0, "save: failing to create <path>.tmp is an error (%d)", ret);
	is_int(err.kind, VZ_E_SAVE_CONFIG, "save: the error is VZ_E_SAVE_CONFIG");
	like(err.msg, tmp, "save: the message names the temporary file");
	text = slurp(path);
	is_str(text, orig, "save: the original is intact after a failed save");
	free(text);
	text = NULL;
	rmdir(tmp);

	/* The rename fails (the target is a directory): the .tmp is removed. */
	{
		char *isdir = vz_path_join(dir, "isdir.conf");
		char *isdir_tmp = vz_path_join(dir, "isdir.conf.tmp");

		vz_error_clear(&err);
		ret = isdir && isdir_tmp && conf && mkdir(isdir, 0755) == 0
			      ? vz_conf_save(conf, isdir, &err)
			      : -ENOMEM;
		is_int(ret, -EISDIR, "save: renaming over a directory is -EISDIR");
		is_int(err.kind, VZ_E_SAVE_CONFIG, "save: a failed rename is VZ_E_SAVE_CONFIG");
		ok(isdir_tmp && !vz_path_exists(isdir_tmp),
		   "save: no .tmp left after a failed rename");
		if (isdir)
			rmdir(isdir);
		free(isdir);
		free(isdir_tmp);
	}

	/* A directory that does not exist. */
	vz_error_clear(&err);
	ret = conf ? vz_conf_save(conf, nodir, &err) : -ENOMEM;
	is_int(ret, -ENOENT, "save: into a missing directory is -ENOENT");
	vz_conf_free(conf);
	conf = NULL;

	/* A directory without write permission, as an unprivileged user. */
	if (geteuid() != 0) {
		chmod(dir, 0555);
		ret = save_unwritable(path, orig);
		chmod(dir, 0755);
		is_int(ret, -EACCES, "save: an unwritable directory is -EACCES");
	} else {
		pid_t pid;
		int status = 0;

		/* Root writes anywhere: try it as nobody in a child. */
		chmod(tmpdir, 0755);
		chmod(dir, 0555);
		pid = fork();
		if (pid == 0) {
			if (setgroups(0, NULL) < 0 || setresgid(65534, 65534, 65534) < 0 ||
			    setresuid(65534, 65534, 65534) < 0)
				_exit(77);
			ret = save_unwritable(path, orig);
			_exit(ret == -EACCES ? 0 : ret == 0 ? 2 : 1);
		}
		if (pid > 0)
			waitpid(pid, &status, 0);
		chmod(dir, 0755);
		chmod(tmpdir, 0700);
		if (pid > 0 && WIFEXITED(status) && WEXITSTATUS(status) == 77)
			skip(1, "cannot switch to uid 65534 to test an unwritable directory");
		else
			ok(pid > 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0,
			   "save: an unwritable directory is -EACCES (as uid 65534, status %d)",
			   WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	}
	text = slurp(path);
	is_str(text, orig, "save: the original is intact after a refused save");
	ok(!vz_path_exists(tmp), "save: no <path>.tmp left after a refused save");
out:
	free(text);
	free(dir);
	free(nodir);
	free(path);
	free(tmp);
}

static void test_save(void)
{
	struct vz_error err = {0};
	struct vz_conf *conf = NULL, *again = NULL;
	char *dir = tmp_path("save"), *path = NULL, *tmp = NULL, *text = NULL;
	static const char expect[] = "# Container config\n"
				     "\n"
				     "ONBOOT=\"yes\"\n"
				     "  HOSTNAME='ct.example.com'   \n"
				     "CPUUNITS=1000\n"
				     "# Unknown keys are kept\n"
				     "X_UNKNOWN=\"keep me\"\n"
				     "DESCRIPTION=\"last\"\n"
				     "NEWKEY=\"v\"\n";
	struct stat st;

	if (!dir || mkdir(dir, 0755) < 0) {
		ok(0, "save: set up the directory");
		goto out;
	}
	path = vz_path_join(dir, "101.conf");
	tmp = vz_path_join(dir, "101.conf.tmp");
	write_text(path, edit_text);

	/* Round trip: load -> save -> identical bytes and lines. */
	if (vz_conf_load(&conf, path, &err) < 0) {
		ok(0, "save: load: %s", err.msg);
		goto out;
	}
	is_int(vz_conf_save(conf, path, &err), 0, "round trip: save unchanged");
	text = slurp(path);
	is_str(text, edit_text, "round trip: an unchanged save is byte-identical");
	free(text);
	text = NULL;
	if (vz_conf_load(&again, path, &err) == 0) {
		int same = again->nr_lines == conf->nr_lines;

		for (size_t i = 0; same && i < conf->nr_lines; i++) {
			const struct vz_conf_line *a = &conf->lines[i], *b = &again->lines[i];

			same = !strcmp(a->text, b->text) && !a->key == !b->key &&
			       (!a->key ||
				(!strcmp(a->key, b->key) && !strcmp(a->value, b->value))) &&
			       a->lineno == b->lineno;
		}
		ok(same, "round trip: load -> save -> load gives identical lines");
	} else {
		ok(0, "round trip: reload: %s", err.msg);
	}
	vz_conf_free(again);
	again = NULL;

	/* Edit and save: changed line in place, others byte-identical. */
	vz_conf_set(conf, "ONBOOT", "yes");
	vz_conf_set(conf, "IP_ADDRESS", NULL);
	vz_conf_set(conf, "NEWKEY", "v");
	is_int(vz_conf_save(conf, path, &err), 0, "save: edited config saved");
	text = slurp(path);
	is_str(text, expect, "save: in-place change, removal, append; other lines byte-identical");
	free(text);
	text = NULL;
	ok(!vz_path_exists(tmp), "save: no <path>.tmp remains");
	is_int(count_dir_entries(dir), 1, "save: only the config file in the directory");
	ok(stat(path, &st) == 0 && S_ISREG(st.st_mode), "save: the result is a regular file");

	if (vz_conf_load(&again, path, &err) == 0) {
		is_str(vz_conf_get(again, "ONBOOT"), "yes", "save: reload sees the change");
		is_str(vz_conf_get(again, "NEWKEY"), "v", "save: reload sees the new key");
		is_str(vz_conf_get(again, "IP_ADDRESS"), NULL,
		       "save: reload misses the removed key");
		is_int(vz_conf_lineno(again, "NEWKEY"), 9, "save: the new key is the last line");
	} else {
		ok(0, "save: reload: %s", err.msg);
	}
	vz_conf_free(again);
	again = NULL;
	vz_conf_free(conf);
	conf = NULL;

	/* A stale <path>.tmp from an earlier crash is overwritten. */
	write_text(tmp, "garbage from a crash\n");
	if (vz_conf_parse(&conf, path, "A=\"1\"", &err) == 0) {
		is_int(vz_conf_save(conf, path, &err), 0, "save: over a stale <path>.tmp");
		text = slurp(path);
		is_str(text, "A=\"1\"\n", "save: a last line without newline gains one");
		ok(!vz_path_exists(tmp), "save: the stale <path>.tmp is gone");
	} else {
		ok(0, "save: parse: %s", err.msg);
	}
	vz_conf_free(conf);
	conf = NULL;
	free(text);
	text = NULL;

	/* Values that need care survive set -> save -> load. */
	{
		static const char *const values[] = {"  spaced  ", "it's", "back\\slash", "$VEID",
						     "a#b=c",	   "",	   "tab\there",	  "x:y;z"};
		char key[16];
		int same = 1;

		conf = vz_conf_new(path);
		for (size_t i = 0; conf && i < sizeof(values) / sizeof(values[0]); i++) {
			snprintf(key, sizeof(key), "V%zu", i);
			same &= vz_conf_set(conf, key, values[i]) == 0;
		}
		ok(conf && same, "special values: set");
		ok(conf && vz_conf_save(conf, path, &err) == 0, "special values: save");
		if (vz_conf_load(&again, path, &err) == 0) {
			for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
				snprintf(key, sizeof(key), "V%zu", i);
				is_str(vz_conf_get(again, key), values[i],
				       "special values: \"%s\" survives a save", values[i]);
			}
		} else {
			ok(0, "special values: reload: %s", err.msg);
		}
		vz_conf_free(again);
		again = NULL;
		vz_conf_free(conf);
		conf = NULL;
	}

	/* An empty config saves an empty file. */
	conf = vz_conf_new(path);
	ok(conf && vz_conf_save(conf, path, &err) == 0, "save: an empty config saves");
	text = slurp(path);
	is_str(text, "", "save: an empty config gives an empty file");
out:
	vz_conf_free(conf);
	free(text);
	free(dir);
	free(path);
	free(tmp);
}

int main(void)
{
	int ret;

	if (!mkdtemp(tmpdir)) {
		ok(0, "create a temporary directory");
		return done_testing();
	}
	test_parse();
	test_syntax_errors();
	test_key_valid();
	test_load();
	test_set();
	test_save();
	test_save_errors();
	ret = done_testing();
	chmod(tmpdir, 0700);
	if (vz_rm_rf(tmpdir) < 0)
		diag("Cannot remove '%s'", tmpdir);
	return ret;
}
