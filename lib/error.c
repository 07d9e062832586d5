// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "error.h"

#define VZ_ERROR_NAME(name) [VZ_E_##name] = #name,
static const char *const kind_names[] = { VZ_ERROR_KINDS(VZ_ERROR_NAME) };
#undef VZ_ERROR_NAME

static int vz_error_vset(struct vz_error *err, enum vz_error_kind kind, int errnum, int with_errno,
			 const char *fmt, va_list ap)
{
	if (errnum < 0)
		errnum = -errnum;
	if (err) {
		size_t len;

		err->kind = kind;
		err->errnum = errnum;
		vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
		len = strlen(err->msg);
		if (with_errno && errnum && len < sizeof(err->msg))
			snprintf(err->msg + len, sizeof(err->msg) - len, ": %s", strerror(errnum));
	}
	return errnum ? -errnum : -EINVAL;
}

int vz_error_set(struct vz_error *err, enum vz_error_kind kind, int errnum, const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = vz_error_vset(err, kind, errnum, 0, fmt, ap);
	va_end(ap);
	return ret;
}

int vz_error_sys(struct vz_error *err, enum vz_error_kind kind, int errnum, const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = vz_error_vset(err, kind, errnum, 1, fmt, ap);
	va_end(ap);
	return ret;
}

void vz_error_prefix(struct vz_error *err, const char *fmt, ...)
{
	char prefix[256], old[sizeof(err->msg)];
	va_list ap;

	if (!err)
		return;
	va_start(ap, fmt);
	vsnprintf(prefix, sizeof(prefix), fmt, ap);
	va_end(ap);
	memcpy(old, err->msg, sizeof(old));
	snprintf(err->msg, sizeof(err->msg), "%s%s", prefix, old);
}

void vz_error_clear(struct vz_error *err)
{
	if (err) {
		err->kind = VZ_E_NONE;
		err->errnum = 0;
		err->msg[0] = '\0';
	}
}

const char *vz_error_kind_name(enum vz_error_kind kind)
{
	if ((unsigned)kind >= VZ_E__COUNT)
		return "UNKNOWN";
	return kind_names[kind];
}
