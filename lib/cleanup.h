/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Scope-bound cleanup helpers.  A variable declared with one of these
 * attributes is released when it goes out of scope; ownership leaves the
 * scope explicitly through take_ptr()/take_fd().
 */
#ifndef VZ_CLEANUP_H
#define VZ_CLEANUP_H

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static inline void vz_free_ptr(void *p)
{
	free(*(void **)p);
}

static inline void vz_close_fd(int *fd)
{
	if (*fd >= 0) {
		int saved = errno;

		close(*fd);
		errno = saved;
	}
}

static inline void vz_fclose_file(FILE **f)
{
	if (*f) {
		int saved = errno;

		fclose(*f);
		errno = saved;
	}
}

static inline void vz_closedir_dir(DIR **d)
{
	if (*d) {
		int saved = errno;

		closedir(*d);
		errno = saved;
	}
}

static inline void vz_free_strv(char ***v)
{
	if (*v) {
		for (char **p = *v; *p; p++)
			free(*p);
		free(*v);
	}
}

#define __vz_free     __attribute__((cleanup(vz_free_ptr)))
#define __vz_close    __attribute__((cleanup(vz_close_fd)))
#define __vz_fclose   __attribute__((cleanup(vz_fclose_file)))
#define __vz_closedir __attribute__((cleanup(vz_closedir_dir)))
#define __vz_strv     __attribute__((cleanup(vz_free_strv)))

#define take_ptr(p)                                                                                \
	({                                                                                         \
		__typeof__(p) taken_ = (p);                                                        \
		(p) = NULL;                                                                        \
		taken_;                                                                            \
	})

#define take_fd(fd)                                                                                \
	({                                                                                         \
		int taken_ = (fd);                                                                 \
		(fd) = -1;                                                                         \
		taken_;                                                                            \
	})

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#endif
