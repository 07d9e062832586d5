// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vztmpl: build, list and remove OS template caches.
 *
 *   vztmpl create <name> [--force]   run the builder for <name> (mk-<name> from
 *                                     LIBEXECDIR, or from $VZ_TEMPLATE_SCRIPTS),
 *                                     writing $TEMPLATE/cache/<name>.tar.gz and
 *                                     $TEMPLATE/cache/<name>.meta
 *   vztmpl list [-H]                 one line per cache file
 *   vztmpl remove <name>             refused while a CT config names it
 *
 * A cache and its metadata are changed only under $TEMPLATE/cache/.<name>.lock
 * (flock), so two vztmpl runs on one template cannot interleave.  The
 * builders write their output atomically; leftovers of a builder killed with
 * SIGKILL (hidden .<name>.tar* files) are removed by the next run.
 *
 * The checksum in <name>.meta comes from sha256sum(1) (coreutils) run through
 * a pipe, the package version from dpkg-query(1).
 */
#define VZ_LOG_PREFIX "vztmpl"
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <getopt.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cleanup.h"
#include "config.h"
#include "ct.h"
#include "error.h"
#include "fileutil.h"
#include "log.h"
#include "storage.h"

#include "../vzctl/cli.h"

#ifndef VZ_LIBEXECDIR
#define VZ_LIBEXECDIR "/usr/local/libexec/vz"
#endif
#ifndef VZ_VERSION
#define VZ_VERSION "unknown"
#endif

/* Cache file suffixes vzctl create understands, preferred first. */
static const char *const cache_suffixes[] = {".tar.gz",	 ".tar.xz", ".tar.bz2",
					     ".tar.zst", ".tgz",    ".tar"};

/* Templates vztmpl knows how to build. */
static const struct builder {
	const char *name;    /* template name */
	const char *script;  /* in LIBEXECDIR or $VZ_TEMPLATE_SCRIPTS */
	const char *suffix;  /* of the cache file it writes */
	const char *package; /* Debian package recorded in PACKAGES */
} builders[] = {
	{"busybox", "mk-busybox", ".tar.gz", "busybox-static"},
	{"debian-12-x86_64", "mk-debian", ".tar.xz", "debootstrap"},
};

struct opts {
	bool force;
	bool no_header;
	const char *packages; /* create: extra packages for builders that install packages */
};

/* ---- names and paths */

static const char *cache_suffix_of(const char *file)
{
	size_t len = strlen(file);

	for (size_t i = 0; i < ARRAY_SIZE(cache_suffixes); i++) {
		size_t sl = strlen(cache_suffixes[i]);

		if (len > sl && !strcmp(file + len - sl, cache_suffixes[i]))
			return file + len - sl;
	}
	return NULL;
}

/*
 * A template name is stored in CT configs (OSTEMPLATE) without a suffix;
 * accept "busybox.tar.gz" for "busybox" and check what remains.
 */
static int template_name_check(const char *arg, char **out, struct vz_error *err)
{
	__vz_free char *name = strdup(arg);
	const char *suffix;
	int ret;

	if (!name)
		return vz_error_sys(err, VZ_E_SYSTEM, ENOMEM, "Cannot check template name");
	suffix = cache_suffix_of(name);
	if (suffix)
		name[suffix - name] = '\0';
	if (!*name || strlen(name) > 200)
		return vz_error_set(err, VZ_E_BAD_VALUE, EINVAL, "Invalid template name '%s'", arg);
	for (const char *p = name; *p; p++)
		if ((unsigned char)*p <= ' ' || *p == 0x7f)
			return vz_error_set(
				err, VZ_E_BAD_VALUE, EINVAL,
				"Invalid template name '%s': blank or control character", arg);
	ret = vz_param_check("OSTEMPLATE", name, err);
	if (ret < 0)
		return ret;
	*out = take_ptr(name);
	return 0;
}

static const struct builder *builder_find(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(builders); i++)
		if (!strcmp(builders[i].name, name))
			return &builders[i];
	return NULL;
}

/* $TEMPLATE/cache, created when create is true. */
static int cache_dir(const struct vz_env *env, bool create, char **out, struct vz_error *err)
{
	__vz_free char *tdir = vz_env_dir(env, "TEMPLATE");
	__vz_free char *cdir = NULL;
	int ret;

	if (!tdir)
		return vz_error_set(err, VZ_E_NO_TEMPLATE_DIR, EINVAL,
				    "TEMPLATE is not set in '%s'", env->vzconf_path);
	cdir = vz_path_join(tdir, "cache");
	if (!cdir)
		return vz_error_sys(err, VZ_E_SYSTEM, ENOMEM, "Cannot build the cache path");
	if (create) {
		ret = vz_mkdir_p(cdir, 0755);
		if (ret < 0)
			return vz_error_sys(err, VZ_E_SYSTEM, ret, "Cannot create '%s'", cdir);
	}
	*out = take_ptr(cdir);
	return 0;
}

/* Take $cache/.<name>.lock; the lock lasts as long as *fd stays open. */
static int template_lock(const char *cdir, const char *name, int *fd, struct vz_error *err)
{
	__vz_free char *path = NULL;
	__vz_close int lfd = -1;

	if (asprintf(&path, "%s/.%s.lock", cdir, name) < 0)
		return vz_error_sys(err, VZ_E_SYSTEM, ENOMEM, "Cannot lock template %s", name);
	lfd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (lfd < 0)
		return vz_error_sys(err, VZ_E_SYSTEM, errno, "Cannot open lock file '%s'", path);
	if (flock(lfd, LOCK_EX | LOCK_NB) < 0) {
		if (errno == EWOULDBLOCK)
			return vz_error_set(err, VZ_E_LOCKED, EBUSY,
					    "Template %s is locked by another vztmpl ('%s')", name,
					    path);
		return vz_error_sys(err, VZ_E_SYSTEM, errno, "Cannot lock '%s'", path);
	}
	*fd = take_fd(lfd);
	return 0;
}

/*
 * Call fn for every cache file of the template (name + a cache suffix) or,
 * with name NULL, every cache file; hidden files are never caches.
 */
static int cache_scan(const char *cdir, const char *name,
		      int (*fn)(const char *cdir, const char *file, size_t namelen, void *arg),
		      void *arg, struct vz_error *err)
{
	struct dirent **list = NULL;
	int n, ret = 0;

	n = scandir(cdir, &list, NULL, alphasort);
	if (n < 0) {
		if (errno == ENOENT)
			return 0;
		return vz_error_sys(err, VZ_E_SYSTEM, errno, "Cannot read '%s'", cdir);
	}
	for (int i = 0; i < n; i++) {
		const char *file = list[i]->d_name;
		const char *suffix = cache_suffix_of(file);
		size_t namelen = suffix ? (size_t)(suffix - file) : 0;

		if (ret == 0 && suffix && file[0] != '.' &&
		    (!name || (strlen(name) == namelen && !strncmp(file, name, namelen))))
			ret = fn(cdir, file, namelen, arg);
		free(list[i]);
	}
	free(list);
	return ret;
}

static int count_cb(const char *cdir, const char *file, size_t namelen, void *arg)
{
	(*(int *)arg)++;
	return 0;
}

struct unlink_arg {
	const char *keep; /* file name to leave, or NULL */
	struct vz_error *err;
	int removed;
};

static int unlink_cb(const char *cdir, const char *file, size_t namelen, void *arg)
{
	struct unlink_arg *ua = arg;
	__vz_free char *path = vz_path_join(cdir, file);

	if (ua->keep && !strcmp(file, ua->keep))
		return 0;
	if (!path)
		return vz_error_sys(ua->err, VZ_E_SYSTEM, ENOMEM, "Cannot remove '%s'", file);
	if (unlink(path) < 0 && errno != ENOENT)
		return vz_error_sys(ua->err, VZ_E_DELETE, errno, "Cannot remove '%s'", path);
	ua->removed++;
	return 0;
}

/* Leftovers of a builder killed by SIGKILL: .<name>.tar*.XXXXXX, .<name>.meta.tmp */
static void remove_stale(const char *cdir, const char *name)
{
	__vz_closedir DIR *dir = opendir(cdir);
	size_t nl = strlen(name);
	struct dirent *de;

	if (!dir)
		return;
	while ((de = readdir(dir))) {
		const char *f = de->d_name;

		if (f[0] != '.' || strncmp(f + 1, name, nl))
			continue;
		if (strncmp(f + 1 + nl, ".tar", 4) && strncmp(f + 1 + nl, ".tgz", 4))
			continue;
		if (unlinkat(dirfd(dir), f, 0) == 0)
			vz_debug("Removed stale '%s/%s'", cdir, f);
	}
}

/* ---- running helpers */

static volatile sig_atomic_t child_pid;

static void forward_signal(int sig)
{
	if (child_pid > 0)
		kill(child_pid, sig);
}

/*
 * Run argv (PATH lookup), its stdout into buf (NUL-terminated, may be
 * truncated) when buf is given, else to our stdout unless quiet.  Returns the
 * exit status (0..255), or -errno with err set when it could not run or died
 * from a signal.  SIGINT/SIGTERM/SIGHUP received meanwhile go to the child,
 * which cleans up after itself.
 */
static int run_helper(char *const argv[], char *buf, size_t size, bool quiet, struct vz_error *err)
{
	struct sigaction sa = {.sa_handler = forward_signal}, old[3];
	static const int sigs[3] = {SIGINT, SIGTERM, SIGHUP};
	int pfd[2] = {-1, -1}, status, ret;
	size_t len = 0;
	pid_t pid, parent;

	if (buf && pipe2(pfd, O_CLOEXEC) < 0)
		return vz_error_sys(err, VZ_E_SYSTEM, errno, "Cannot run %s", argv[0]);
	fflush(stdout);
	parent = getpid();
	pid = fork();
	if (pid < 0) {
		ret = errno;
		if (buf) {
			close(pfd[0]);
			close(pfd[1]);
		}
		return vz_error_sys(err, VZ_E_SYSTEM, ret, "Cannot run %s", argv[0]);
	}
	if (pid == 0) {
		/* A builder must not outlive a vztmpl killed by SIGKILL: it cleans up on TERM. */
		if (prctl(PR_SET_PDEATHSIG, SIGTERM) < 0 || getppid() != parent)
			_exit(127);
		if (buf) {
			dup2(pfd[1], STDOUT_FILENO);
		} else if (quiet) {
			int fd = open("/dev/null", O_WRONLY);

			if (fd >= 0)
				dup2(fd, STDOUT_FILENO);
		}
		execvp(argv[0], argv);
		fprintf(stderr, "vztmpl: cannot execute '%s': %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	child_pid = pid;
	for (int i = 0; i < 3; i++)
		sigaction(sigs[i], &sa, &old[i]);
	if (buf) {
		close(pfd[1]);
		for (;;) {
			char scratch[256];
			char *dst = len + 1 < size ? buf + len : scratch;
			size_t room = len + 1 < size ? size - 1 - len : sizeof(scratch);
			ssize_t n = read(pfd[0], dst, room);

			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0)
				break;
			if (dst != scratch)
				len += n;
		}
		close(pfd[0]);
		buf[len] = '\0';
	}
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			status = -1;
			break;
		}
	}
	child_pid = 0;
	for (int i = 0; i < 3; i++)
		sigaction(sigs[i], &old[i], NULL);
	if (status < 0)
		return vz_error_sys(err, VZ_E_SYSTEM, ECHILD, "Cannot wait for %s", argv[0]);
	if (WIFSIGNALED(status))
		return vz_error_set(err, VZ_E_SYSTEM, EINTR, "%s was killed by signal %d", argv[0],
				    WTERMSIG(status));
	return WEXITSTATUS(status);
}

static int file_sha256(const char *path, char out[65], struct vz_error *err)
{
	char *const argv[] = {"sha256sum", "-b", "--", (char *)path, NULL};
	char buf[512];
	int ret;

	ret = run_helper(argv, buf, sizeof(buf), false, err);
	if (ret < 0)
		return ret;
	if (ret != 0 || strspn(buf, "0123456789abcdef") != 64)
		return vz_error_set(err, VZ_E_SYSTEM, EIO, "sha256sum failed on '%s'", path);
	memcpy(out, buf, 64);
	out[64] = '\0';
	return 0;
}

/* "pkg=version" of an installed Debian package, "" when dpkg does not know it. */
static void package_version(const char *pkg, char *out, size_t size)
{
	char *const argv[] = {"dpkg-query", "-W", "-f=${Version}", "--", (char *)pkg, NULL};
	struct vz_error err;
	char buf[256];

	out[0] = '\0';
	if (run_helper(argv, buf, sizeof(buf), false, &err) != 0 || !buf[0] || strpbrk(buf, "\"\n"))
		return;
	snprintf(out, size, "%s=%s", pkg, buf);
}

static int builder_path(const struct builder *b, char **out, struct vz_error *err)
{
	const char *dir = getenv("VZ_TEMPLATE_SCRIPTS");
	char *path;

	if (!dir || !*dir)
		dir = VZ_LIBEXECDIR;
	path = vz_path_join(dir, b->script);
	if (!path)
		return vz_error_sys(err, VZ_E_SYSTEM, ENOMEM, "Cannot find %s", b->script);
	if (access(path, X_OK) < 0) {
		int e = errno;

		vz_error_sys(err, VZ_E_NO_SCRIPT, e, "Template builder '%s' not found", path);
		free(path);
		return -e;
	}
	*out = path;
	return 0;
}

/* ---- subcommands */

static int write_meta(const char *cdir, const struct builder *b, const char *file,
		      struct vz_error *err)
{
	__vz_free char *path = NULL, *meta_path = NULL;
	__vz_conf struct vz_conf *meta = NULL;
	__vz_free char *list_path = NULL, *list = NULL;
	char sha[65], created[32], size[32], packages[300];
	struct stat st;
	struct tm tm;
	time_t now = time(NULL);
	int ret;

	path = vz_path_join(cdir, file);
	if (!path || asprintf(&meta_path, "%s/%s.meta", cdir, b->name) < 0)
		return vz_error_sys(err, VZ_E_SYSTEM, ENOMEM, "Cannot write template metadata");
	if (stat(path, &st) < 0)
		return vz_error_sys(err, VZ_E_SYSTEM, errno, "Builder wrote no '%s'", path);
	ret = file_sha256(path, sha, err);
	if (ret < 0)
		return ret;
	gmtime_r(&now, &tm);
	strftime(created, sizeof(created), "%Y-%m-%dT%H:%M:%SZ", &tm);
	snprintf(size, sizeof(size), "%lld", (long long)st.st_size);
	package_version(b->package, packages, sizeof(packages));
	/* A builder that installs packages lists them ("name=version" lines) in <name>.packages. */
	if (asprintf(&list_path, "%s/%s.packages", cdir, b->name) >= 0 &&
	    vz_read_file(list_path, &list, NULL) >= 0) {
		for (char *c = list; *c; c++)
			if (*c == '\n' || *c == '"')
				*c = ' ';
		unlink(list_path);
	}

	meta = vz_conf_new(meta_path);
	if (!meta)
		return vz_error_sys(err, VZ_E_SYSTEM, ENOMEM, "Cannot write '%s'", meta_path);
	if (vz_conf_set(meta, "NAME", b->name) || vz_conf_set(meta, "FILE", file) ||
	    vz_conf_set(meta, "CREATED", created) || vz_conf_set(meta, "SHA256", sha) ||
	    vz_conf_set(meta, "SIZE", size) || vz_conf_set(meta, "PACKAGES", list ? list : packages) ||
	    vz_conf_set(meta, "BUILDER", b->script))
		return vz_error_sys(err, VZ_E_SYSTEM, ENOMEM, "Cannot write '%s'", meta_path);
	ret = vz_conf_save(meta, meta_path, err);
	if (ret < 0)
		unlink(meta_path); /* no metadata rather than stale metadata */
	return ret;
}

/* CTs whose config names the template in OSTEMPLATE, as "101, 102". */
static int template_users(const struct vz_env *env, const char *name, char **users,
			  struct vz_error *err)
{
	__vz_free char *confdir = vz_path_join(env->confdir, "conf");
	__vz_free char *list = NULL;
	struct dirent **ents = NULL;
	size_t len = 0;
	int n, ret = 0;

	if (!confdir)
		return vz_error_sys(err, VZ_E_SYSTEM, ENOMEM, "Cannot read CT configs");
	n = scandir(confdir, &ents, NULL, versionsort);
	if (n < 0) {
		if (errno == ENOENT) {
			*users = NULL;
			return 0;
		}
		return vz_error_sys(err, VZ_E_SYSTEM, errno, "Cannot read '%s'", confdir);
	}
	for (int i = 0; i < n; i++) {
		const char *f = ents[i]->d_name;
		size_t digits = strspn(f, "0123456789");
		__vz_conf struct vz_conf *conf = NULL;
		__vz_free char *path = NULL;
		const char *v;

		if (ret < 0 || digits == 0 || strcmp(f + digits, ".conf"))
			goto next;
		path = vz_path_join(confdir, f);
		if (!path) {
			ret = vz_error_sys(err, VZ_E_SYSTEM, ENOMEM, "Cannot read CT configs");
			goto next;
		}
		ret = vz_conf_load(&conf, path, err);
		if (ret == -ENOENT) { /* destroyed meanwhile */
			ret = 0;
			goto next;
		}
		if (ret < 0) {
			vz_error_prefix(err, "Cannot tell whether CT %.*s uses template %s: ",
					(int)digits, f, name);
			goto next;
		}
		v = vz_conf_get(conf, "OSTEMPLATE");
		if (v && (!strcmp(v, name) || (!strncmp(v, name, strlen(name)) &&
					       cache_suffix_of(v) == v + strlen(name)))) {
			char *nl = realloc(list, len + digits + 3);

			if (!nl) {
				ret = vz_error_sys(err, VZ_E_SYSTEM, ENOMEM,
						   "Cannot read CT configs");
				goto next;
			}
			list = nl;
			len += sprintf(list + len, "%s%.*s", len ? ", " : "", (int)digits, f);
		}
	next:
		free(ents[i]);
	}
	free(ents);
	if (ret < 0)
		return ret;
	*users = take_ptr(list);
	return 0;
}

/*
 * Remove every shared overlay base of template name ($TEMPLATE/base/<name>,
 * <name>@<cache id> and their lock files); the caller made sure no CT uses
 * them.  Returns how many bases were removed.
 */
static int remove_bases(struct vz_env *env, const char *name, struct vz_error *err)
{
	__vz_free char *prefix = vz_storage_base_path(env, name), *pattern = NULL;
	glob_t g = {0};
	int ret, removed = 0;

	if (!prefix || asprintf(&pattern, "%s{,@*}{,.lock}", prefix) < 0)
		return vz_error_sys(err, VZ_E_SYSTEM, ENOMEM, "Cannot remove template %s", name);
	ret = glob(pattern, GLOB_BRACE | GLOB_NOSORT, NULL, &g);
	if (ret == GLOB_NOSPACE)
		return vz_error_sys(err, VZ_E_SYSTEM, ENOMEM, "Cannot remove template %s", name);
	for (size_t i = 0; i < g.gl_pathc; i++) {
		const char *p = g.gl_pathv[i];
		size_t len = strlen(p);
		bool is_lock = len > 5 && !strcmp(p + len - 5, ".lock");

		ret = vz_rm_rf(p);
		if (ret < 0) {
			vz_error_sys(err, VZ_E_DELETE, -ret, "Cannot remove '%s'", p);
			globfree(&g);
			return -EIO;
		}
		removed += !is_lock;
	}
	globfree(&g);
	return removed;
}

static int cmd_create(struct vz_env *env, const char *arg, const struct opts *o,
		      struct vz_error *err)
{
	__vz_free char *name = NULL, *cdir = NULL, *script = NULL, *out = NULL, *file = NULL;
	__vz_close int lock = -1;
	const struct builder *b;
	int ret, existing = 0;

	ret = template_name_check(arg, &name, err);
	if (ret < 0)
		return ret;
	b = builder_find(name);
	if (!b)
		return vz_error_set(err, VZ_E_BAD_VALUE, ENOENT,
				    "Unknown template '%s': vztmpl can build: busybox, debian-12-x86_64",
				    name);
	ret = builder_path(b, &script, err);
	if (ret < 0)
		return ret;
	ret = cache_dir(env, true, &cdir, err);
	if (ret < 0)
		return ret;
	ret = template_lock(cdir, name, &lock, err);
	if (ret < 0)
		return ret;
	remove_stale(cdir, name);

	ret = cache_scan(cdir, name, count_cb, &existing, err);
	if (ret < 0)
		return ret;
	if (existing && !o->force)
		return vz_error_set(
			err, VZ_E_PRIVATE_EXISTS, EEXIST,
			"Template cache %s already exists in '%s'; use --force to rebuild it", name,
			cdir);

	if (asprintf(&file, "%s%s", name, b->suffix) < 0 || !(out = vz_path_join(cdir, file)))
		return vz_error_sys(err, VZ_E_SYSTEM, ENOMEM, "Cannot create template %s", name);
	vz_info("Creating template cache %s in '%s'", name, out);
	vz_log_file_only("Running %s %s", script, out);
	if (o->packages && !strcmp(b->script, "mk-busybox"))
		return vz_error_set(err, VZ_E_BAD_VALUE, EINVAL,
				    "Template %s takes no --packages", name);
	{
		char *const argv[] = {script, out, o->packages ? "--packages" : NULL,
				      (char *)o->packages, NULL};

		ret = run_helper(argv, NULL, 0, vz_log_verbosity() < 0, err);
	}
	if (ret < 0) {
		vz_error_prefix(err, "Cannot create template %s: ", name);
		return ret;
	}
	if (ret != 0)
		return vz_error_set(err, VZ_E_SYSTEM, EIO,
				    "Cannot create template %s: %s exited with status %d", name,
				    script, ret);

	/* The new cache replaces one of another format (--force). */
	{
		struct unlink_arg ua = {.keep = file, .err = err};

		ret = cache_scan(cdir, name, unlink_cb, &ua, err);
		if (ret < 0)
			return ret;
	}
	ret = write_meta(cdir, b, file, err);
	if (ret < 0) {
		vz_error_prefix(err, "Template %s was built, but: ", name);
		return ret;
	}
	/* New overlay CTs get a base of the new cache; the old bases go unless a CT has one. */
	if (existing) {
		__vz_free char *users = NULL;

		ret = template_users(env, name, &users, err);
		if (ret == 0 && !users)
			ret = remove_bases(env, name, err);
		else if (ret == 0)
			vz_info("Overlay CTs %s keep the shared base of the old cache", users);
		if (ret < 0) {
			vz_error_prefix(err, "Template %s was built, but: ", name);
			return ret;
		}
	}
	vz_info("Template cache %s created", name);
	return 0;
}

static int list_cb(const char *cdir, const char *file, size_t namelen, void *arg)
{
	__vz_free char *path = vz_path_join(cdir, file);
	char date[32] = "-", size[32] = "-";
	struct stat st;
	struct tm tm;

	if (path && stat(path, &st) == 0) {
		double v = st.st_size;
		const char *units = "BKMGT";

		while (v >= 1024 && units[1]) {
			v /= 1024;
			units++;
		}
		if (*units == 'B')
			snprintf(size, sizeof(size), "%lld", (long long)st.st_size);
		else
			snprintf(size, sizeof(size), "%.*f%c", v < 10 ? 1 : 0, v, *units);
		localtime_r(&st.st_mtime, &tm);
		strftime(date, sizeof(date), "%Y-%m-%d %H:%M", &tm);
	}
	printf("%-32.*s %7s %-16s %s\n", (int)namelen, file, size, date, file);
	return 0;
}

static int cmd_list(struct vz_env *env, const struct opts *o, struct vz_error *err)
{
	__vz_free char *cdir = NULL;
	int ret;

	ret = cache_dir(env, false, &cdir, err);
	if (ret < 0)
		return ret;
	if (!o->no_header)
		printf("%-32s %7s %-16s %s\n", "TEMPLATE", "SIZE", "DATE", "FILE");
	return cache_scan(cdir, NULL, list_cb, NULL, err);
}

static int cmd_remove(struct vz_env *env, const char *arg, struct vz_error *err)
{
	__vz_free char *name = NULL, *cdir = NULL, *users = NULL, *meta = NULL;
	__vz_close int lock = -1;
	struct unlink_arg ua = {.err = err};
	int ret;

	ret = template_name_check(arg, &name, err);
	if (ret < 0)
		return ret;
	ret = cache_dir(env, false, &cdir, err);
	if (ret < 0)
		return ret;
	if (!vz_path_exists(cdir))
		return vz_error_set(err, VZ_E_NO_OSTEMPLATE, ENOENT,
				    "Template %s not found: no cache directory '%s'", name, cdir);
	ret = template_lock(cdir, name, &lock, err);
	if (ret < 0)
		return ret;
	ret = template_users(env, name, &users, err);
	if (ret < 0)
		return ret;
	if (users)
		return vz_error_set(err, VZ_E_LOCKED, EBUSY,
				    "Template %s is in use by CT %s; not removed", name, users);
	ret = cache_scan(cdir, name, unlink_cb, &ua, err);
	if (ret < 0)
		return ret;
	if (asprintf(&meta, "%s/%s.meta", cdir, name) < 0)
		return vz_error_sys(err, VZ_E_SYSTEM, ENOMEM, "Cannot remove template %s", name);
	if (unlink(meta) == 0)
		ua.removed++;
	else if (errno != ENOENT)
		return vz_error_sys(err, VZ_E_DELETE, errno, "Cannot remove '%s'", meta);
	/* The shared bases of overlay CTs go with the cache (no CT uses them: checked above). */
	ret = remove_bases(env, name, err);
	if (ret < 0)
		return ret;
	ua.removed += ret;
	if (ua.removed == 0)
		return vz_error_set(err, VZ_E_NO_OSTEMPLATE, ENOENT,
				    "Template %s not found in '%s'", name, cdir);
	remove_stale(cdir, name);
	vz_info("Template %s removed", name);
	return 0;
}

/* ---- command line */

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: vztmpl [-q|--quiet] [-v|--verbose] COMMAND [ARGS]\n"
		"\n"
		"Commands:\n"
		"  create NAME [-f|--force] [--packages a,b]\n"
		"                            build the template cache NAME into $TEMPLATE/cache\n"
		"                            (NAME: busybox, offline; debian-12-x86_64, with\n"
		"                            debootstrap from apt's mirror, --packages adds\n"
		"                            packages); --force replaces an existing one\n"
		"  list [-H|--no-header]     list the template caches\n"
		"  remove NAME               remove a cache and its metadata; refused while a\n"
		"                            CT config has OSTEMPLATE=\"NAME\"\n"
		"  help                      this text\n"
		"\n"
		"Paths come from $VZ_CONFDIR/vz.conf (VZ_CONFDIR defaults to /etc/vz).\n"
		"Builders are run from %s, or from $VZ_TEMPLATE_SCRIPTS when set.\n"
		"\n"
		"Exit codes: 0 ok, 3 system error, 9 template in use or locked,\n"
		"  10 vz.conf not found, 11 builder not found, 20 bad command line,\n"
		"  21 bad value, 44 cache exists (create without --force),\n"
		"  91 template not found.\n",
		VZ_LIBEXECDIR);
}

/*
 * Parse a subcommand's options, before or after its operands ("create
 * busybox --force"); returns the index of the first operand or -EINVAL.
 */
static int parse_cmd_opts(int argc, char **argv, const char *shortopts,
			  const struct option *longopts, struct opts *o, struct vz_error *err)
{
	int c;

	optind = 0; /* full re-initialisation: the global scan used "+" */
	opterr = 0;
	while ((c = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
		switch (c) {
		case 'f':
			o->force = true;
			break;
		case 'H':
			o->no_header = true;
			break;
		case 'p':
			o->packages = optarg;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			if (optopt)
				return vz_error_set(err, VZ_E_BAD_OPTION, EINVAL,
						    "%s: invalid option '-%c'; see vztmpl --help",
						    argv[0], optopt);
			return vz_error_set(err, VZ_E_BAD_OPTION, EINVAL,
					    "%s: invalid option '%s'; see vztmpl --help", argv[0],
					    argv[optind - 1]);
		}
	}
	return optind;
}

static int expect_args(int argc, int first, int want, const char *cmd, struct vz_error *err)
{
	if (argc - first < want)
		return vz_error_set(err, VZ_E_BAD_OPTION, EINVAL,
				    "%s: missing argument; see vztmpl --help", cmd);
	if (argc - first > want)
		return vz_error_set(err, VZ_E_BAD_OPTION, EINVAL,
				    "%s: unexpected argument; see vztmpl --help", cmd);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option global_opts[] = {
		{"quiet", no_argument, NULL, 'q'},
		{"verbose", no_argument, NULL, 'v'},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{NULL, 0, NULL, 0},
	};
	static const struct option create_opts[] = {
		{"force", no_argument, NULL, 'f'},
		{"packages", required_argument, NULL, 'p'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	static const struct option list_opts[] = {
		{"no-header", no_argument, NULL, 'H'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	static const struct option remove_opts[] = {
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct vz_error err = {0};
	__vz_env struct vz_env *env = NULL;
	struct opts o = {0};
	int c, verbosity = 0, ret, first, orig_argc = argc;
	__vz_free char **orig_argv = calloc(argc + 1, sizeof(*argv));
	const char *cmd;

	/* getopt permutes argv; the log file gets the command line as typed */
	if (orig_argv)
		memcpy(orig_argv, argv, argc * sizeof(*argv));
	opterr = 0;
	/* "+": stop at the command, its options are its own. */
	while ((c = getopt_long(argc, argv, "+qvhV", global_opts, NULL)) != -1) {
		switch (c) {
		case 'q':
			verbosity = -1;
			break;
		case 'v':
			verbosity++;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("vztmpl version %s\n", VZ_VERSION);
			return 0;
		default:
			if (optopt)
				vz_error_set(&err, VZ_E_BAD_OPTION, EINVAL,
					     "Invalid option '-%c'; see vztmpl --help", optopt);
			else
				vz_error_set(&err, VZ_E_BAD_OPTION, EINVAL,
					     "Invalid option '%s'; see vztmpl --help",
					     argv[optind - 1]);
			goto out;
		}
	}
	vz_log_set_verbosity(verbosity);
	if (optind >= argc) {
		usage(stderr);
		vz_error_set(&err, VZ_E_BAD_OPTION, EINVAL, "No command given");
		goto out;
	}
	cmd = argv[optind];
	argc -= optind;
	argv += optind;
	if (!strcmp(cmd, "help")) {
		usage(stdout);
		return 0;
	}

	if (!strcmp(cmd, "create"))
		first = parse_cmd_opts(argc, argv, "fhp:", create_opts, &o, &err);
	else if (!strcmp(cmd, "list"))
		first = parse_cmd_opts(argc, argv, "Hh", list_opts, &o, &err);
	else if (!strcmp(cmd, "remove") || !strcmp(cmd, "delete"))
		first = parse_cmd_opts(argc, argv, "h", remove_opts, &o, &err);
	else {
		vz_error_set(&err, VZ_E_BAD_OPTION, EINVAL,
			     "Unknown command '%s'; see vztmpl --help", cmd);
		goto out;
	}
	if (first < 0)
		goto out;
	if (expect_args(argc, first, strcmp(cmd, "list") ? 1 : 0, cmd, &err) < 0)
		goto out;

	ret = vz_env_open(&env, &err);
	if (ret < 0)
		goto out;
	if (orig_argv)
		vz_cli_setup_logging(env, orig_argc, orig_argv);

	if (!strcmp(cmd, "create"))
		ret = cmd_create(env, argv[first], &o, &err);
	else if (!strcmp(cmd, "list"))
		ret = cmd_list(env, &o, &err);
	else
		ret = cmd_remove(env, argv[first], &err);
	if (ret >= 0)
		vz_error_clear(&err);
out:
	vz_cli_report(&err);
	vz_log_close_file();
	return vz_cli_exit_code(&err);
}
