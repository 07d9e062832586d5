/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The error object every fallible libvz call takes last.  A call fills it
 * once, where the failure happens, and returns -errno; callers may add
 * context with vz_error_prefix().  Only the command-line front ends turn
 * the kind into an OpenVZ exit code.
 */
#ifndef VZ_ERROR_H
#define VZ_ERROR_H

#include <stdarg.h>

/* One list: the enum and the name table are generated from it. */
#define VZ_ERROR_KINDS(X)                                                                          \
	X(NONE)                                                                                    \
	X(SYSTEM)                                                                                  \
	X(UBC)                                                                                     \
	X(CPU)                                                                                     \
	X(NO_KERNEL_SUPPORT)                                                                       \
	X(NO_RESOURCES)                                                                            \
	X(CREATE)                                                                                  \
	X(EXEC_FAILED)                                                                             \
	X(LOCKED)                                                                                  \
	X(NO_VZCONF)                                                                               \
	X(NO_SCRIPT)                                                                               \
	X(PERMISSION)                                                                              \
	X(CAPABILITY)                                                                              \
	X(NO_CTCONF)                                                                               \
	X(EXEC_TIMEOUT)                                                                            \
	X(CHKPNT)                                                                                  \
	X(RESTORE)                                                                                 \
	X(BAD_OPTION)                                                                              \
	X(BAD_VALUE)                                                                               \
	X(NO_VE_ROOT)                                                                              \
	X(NO_VE_PRIVATE)                                                                           \
	X(NO_TEMPLATE_DIR)                                                                         \
	X(NO_OSTEMPLATE_SET)                                                                       \
	X(NOT_RUNNING)                                                                             \
	X(RUNNING)                                                                                 \
	X(STOP_FAILED)                                                                             \
	X(BAD_IP)                                                                                  \
	X(IP_IN_USE)                                                                               \
	X(NOT_MOUNTED)                                                                             \
	X(MOUNTED)                                                                                 \
	X(NO_PRIVATE)                                                                              \
	X(PRIVATE_EXISTS)                                                                          \
	X(NO_DISKSPACE)                                                                            \
	X(BROKEN_CT)                                                                               \
	X(CREATE_PRIVATE)                                                                          \
	X(CREATE_ROOT)                                                                             \
	X(MOUNT)                                                                                   \
	X(UMOUNT)                                                                                  \
	X(DELETE)                                                                                  \
	X(ACTION_SCRIPT)                                                                           \
	X(CONFIG_COPY)                                                                             \
	X(DEVICES)                                                                                 \
	X(NO_OSTEMPLATE)                                                                           \
	X(DISABLED)                                                                                \
	X(NO_DISTCONF)                                                                             \
	X(APPLY_CONFIG)                                                                            \
	X(VETH)                                                                                    \
	X(NAME)                                                                                    \
	X(START_WAIT)                                                                              \
	X(SAVE_CONFIG)                                                                             \
	X(USERPASSWD)                                                                              \
	X(NO_TTY)                                                                                  \
	X(QUOTA_ON)                                                                                \
	X(QUOTA_INIT)                                                                              \
	X(QUOTA_SETLIMIT)                                                                          \
	X(QUOTA_OFF)                                                                               \
	X(NO_DISKSPACE_SET)                                                                        \
	X(NO_DISKINODES_SET)                                                                       \
	X(QUOTA_UGID)                                                                              \
	X(QUOTA_RUNNING)                                                                           \
	X(QUOTA_NOT_RUNNING)                                                                       \
	X(QUOTA_NO_FILE)                                                                           \
	X(QUOTA_FILE)

#define VZ_ERROR_ENUM(name) VZ_E_##name,
enum vz_error_kind { VZ_ERROR_KINDS(VZ_ERROR_ENUM) VZ_E__COUNT };
#undef VZ_ERROR_ENUM

struct vz_error {
	enum vz_error_kind kind;
	int errnum; /* positive errno behind the failure, 0 if none */
	char msg[1024];
};

/*
 * Record a failure and return -errnum (or -EINVAL when errnum is 0), so a
 * caller can write "return vz_error_set(err, ...);".
 */
int vz_error_set(struct vz_error *err, enum vz_error_kind kind, int errnum, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Like vz_error_set() but appends ": <strerror(errnum)>". */
int vz_error_sys(struct vz_error *err, enum vz_error_kind kind, int errnum, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Prepend context ("Cannot start container 101: ") to an already set message. */
void vz_error_prefix(struct vz_error *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

void vz_error_clear(struct vz_error *err);
const char *vz_error_kind_name(enum vz_error_kind kind);

#endif
