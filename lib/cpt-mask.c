// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The masks of a restored CT (see cpt-mask.h).
 */
#define VZ_LOG_PREFIX "cpt"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cpt-mask.h"
#include "log.h"

int vz_cpt_mask_mount(unsigned long uid, unsigned long gid, char **path, struct vz_error *err)
{
	/*
	 * CRIU binds it from inside the CT's user namespace, as the CT's
	 * root: every directory on the way must be searchable by anyone (as
	 * for its own service directory, also in /tmp).
	 */
	char tmpl[] = "/tmp/vz-mask.XXXXXX", opts[96];

	*path = NULL;
	if (!mkdtemp(tmpl))
		return vz_error_sys(err, VZ_E_RESTORE, errno, "Cannot create '%s'", tmpl);
	/* As rootfs.c masks a path: empty, read-only, mode 0555, the CT root's. */
	snprintf(opts, sizeof(opts), "size=0,mode=555,uid=%lu,gid=%lu", uid, gid);
	if (chmod(tmpl, 0711) < 0 ||
	    mount("tmpfs", tmpl, "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, opts) < 0 ||
	    mount(NULL, tmpl, NULL, MS_PRIVATE, NULL) < 0) {
		int e = errno;

		umount2(tmpl, MNT_DETACH);
		rmdir(tmpl);
		return vz_error_sys(err, VZ_E_RESTORE, e, "Cannot mount the CT's masks on '%s'", tmpl);
	}
	*path = strdup(tmpl);
	if (!*path) {
		umount2(tmpl, MNT_DETACH);
		rmdir(tmpl);
		return vz_error_sys(err, VZ_E_SYSTEM, ENOMEM, "Cannot mount the CT's masks");
	}
	return 0;
}

void vz_cpt_mask_umount(char *path)
{
	if (!path)
		return;
	if (umount2(path, MNT_DETACH) < 0)
		vz_debug("Cannot detach '%s': %m", path);
	rmdir(path);
	free(path);
}
