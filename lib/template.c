// SPDX-License-Identifier: GPL-2.0-or-later
/* OS template caches: finding them and unpacking them with shifted owners. */
#define VZ_LOG_PREFIX "template"
#include <errno.h>
#include <fcntl.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "archive-dl.h"
#include "cleanup.h"
#include "create.h"
#include "fileutil.h"
#include "log.h"

static const char *const cache_suffixes[] = { ".tar.gz", ".tar.xz", ".tar", ".tar.bz2",
					      ".tar.zst", ".tgz" };

int vz_template_find(struct vz_env *env, const char *name, char **path, struct vz_error *err)
{
	__vz_free char *dir = vz_env_dir(env, "TEMPLATE");

	if (!dir)
		return vz_error_set(err, VZ_E_NO_TEMPLATE_DIR, EINVAL, "TEMPLATE is not set");
	if (!*name || strchr(name, '/') || name[0] == '.')
		return vz_error_set(err, VZ_E_BAD_VALUE, EINVAL, "Invalid OS template name '%s'", name);
	for (size_t i = 0; i < ARRAY_SIZE(cache_suffixes); i++) {
		char *p;

		if (asprintf(&p, "%s/cache/%s%s", dir, name, cache_suffixes[i]) < 0)
			return vz_error_sys(err, VZ_E_SYSTEM, ENOMEM, "Cannot find the template");
		if (access(p, R_OK) == 0) {
			*path = p;
			return 0;
		}
		free(p);
	}
	return vz_error_set(err, VZ_E_NO_OSTEMPLATE, ENOENT,
			    "Cache file for OS template %s not found in %s/cache", name, dir);
}

static int archive_fail(struct archive *a, const char *archive, struct vz_error *err)
{
	int e = archive_errno(a);

	return vz_error_set(err, VZ_E_NO_OSTEMPLATE, e > 0 ? e : EIO,
			    "OS template cache '%s' cannot be unpacked: %s", archive,
			    archive_error_string(a) ? archive_error_string(a) : "unknown error");
}

int vz_template_unpack(const char *archive, const char *dir, unsigned long uid_shift,
		       unsigned long gid_shift, struct vz_error *err)
{
	struct archive *in = NULL, *out = NULL;
	int flags = ARCHIVE_EXTRACT_OWNER | ARCHIVE_EXTRACT_PERM | ARCHIVE_EXTRACT_TIME |
		    ARCHIVE_EXTRACT_ACL | ARCHIVE_EXTRACT_XATTR | ARCHIVE_EXTRACT_FFLAGS |
		    ARCHIVE_EXTRACT_SPARSE | ARCHIVE_EXTRACT_SECURE_NODOTDOT |
		    ARCHIVE_EXTRACT_SECURE_SYMLINKS | ARCHIVE_EXTRACT_SECURE_NOABSOLUTEPATHS |
		    ARCHIVE_EXTRACT_UNLINK;
	struct archive_entry *entry;
	/* Names are bytes: a UTF-8 locale keeps libarchive from refusing non-ASCII ones. */
	locale_t utf8 = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
	locale_t old = utf8 ? uselocale(utf8) : (locale_t)0;
	__vz_close int cwd = -1;
	size_t entries = 0;
	int ret = 0, r;

	ret = vz_archive_load(err);
	if (ret < 0)
		goto out;
	in = archive_read_new();
	out = archive_write_disk_new();
	if (!in || !out) {
		ret = vz_error_sys(err, VZ_E_SYSTEM, ENOMEM, "Cannot unpack '%s'", archive);
		goto out;
	}
	/* Entries are written relative to dir so the symlink checks stop at dir. */
	cwd = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (cwd < 0 || chdir(dir) < 0) {
		ret = vz_error_sys(err, VZ_E_CREATE_PRIVATE, errno, "Cannot enter '%s'", dir);
		goto out;
	}
	archive_read_support_filter_all(in);
	archive_read_support_format_tar(in);
	archive_write_disk_set_options(out, flags);
	/* Numeric owners only: never map names through the host's passwd. */
	if (archive_read_open_filename(in, archive, 1 << 16) != ARCHIVE_OK) {
		ret = archive_fail(in, archive, err);
		goto out;
	}
	while ((r = archive_read_next_header(in, &entry)) == ARCHIVE_OK) {
		const char *name = archive_entry_pathname(entry);
		const char *hardlink = archive_entry_hardlink(entry);
		__vz_free char *full = NULL, *link = NULL;

		while (name && name[0] == '.' && name[1] == '/')
			name += 2;
		full = strdup(!name || !*name ? "." : name);
		if (!full) {
			ret = vz_error_sys(err, VZ_E_SYSTEM, ENOMEM, "Cannot unpack '%s'", archive);
			goto out;
		}
		archive_entry_set_pathname(entry, full);
		if (hardlink) {
			while (hardlink[0] == '.' && hardlink[1] == '/')
				hardlink += 2;
			link = strdup(hardlink);
			if (!link) {
				ret = vz_error_sys(err, VZ_E_SYSTEM, ENOMEM, "Cannot unpack '%s'", archive);
				goto out;
			}
			archive_entry_set_hardlink(entry, link);
		}
		archive_entry_set_uid(entry, archive_entry_uid(entry) + uid_shift);
		archive_entry_set_gid(entry, archive_entry_gid(entry) + gid_shift);
		archive_entry_set_uname(entry, NULL);
		archive_entry_set_gname(entry, NULL);
		r = archive_write_header(out, entry);
		if (r == ARCHIVE_OK && archive_entry_size(entry) > 0) {
			const void *buf;
			size_t size;
			la_int64_t offset;

			while ((r = archive_read_data_block(in, &buf, &size, &offset)) == ARCHIVE_OK) {
				if (archive_write_data_block(out, buf, size, offset) != ARCHIVE_OK) {
					ret = vz_error_set(err, VZ_E_CREATE_PRIVATE, archive_errno(out) > 0 ? archive_errno(out) : EIO,
							   "Cannot write '%s': %s", full,
							   archive_error_string(out));
					goto out;
				}
			}
			if (r != ARCHIVE_EOF) {
				ret = archive_fail(in, archive, err);
				goto out;
			}
		} else if (r < ARCHIVE_WARN) {
			ret = vz_error_set(err, VZ_E_CREATE_PRIVATE, archive_errno(out) > 0 ? archive_errno(out) : EIO,
					   "Cannot create '%s': %s", full, archive_error_string(out));
			goto out;
		}
		if (archive_write_finish_entry(out) < ARCHIVE_WARN) {
			ret = vz_error_set(err, VZ_E_CREATE_PRIVATE, EIO, "Cannot finish '%s': %s", full,
					   archive_error_string(out));
			goto out;
		}
		entries++;
	}
	if (r != ARCHIVE_EOF) {
		ret = archive_fail(in, archive, err);
		goto out;
	}
	if (entries == 0)
		ret = vz_error_set(err, VZ_E_NO_OSTEMPLATE, EINVAL, "OS template cache '%s' is empty",
				   archive);
out:
	if (cwd >= 0 && fchdir(cwd) < 0)
		vz_syswarn("Cannot return to the working directory");
	if (out) {
		archive_write_close(out);
		archive_write_free(out);
	}
	if (in) {
		archive_read_close(in);
		archive_read_free(in);
	}
	if (utf8) {
		uselocale(old);
		freelocale(utf8);
	}
	return ret;
}
