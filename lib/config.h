/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * OpenVZ-style configuration files: lines KEY="value".  Every line is kept
 * as read, so saving rewrites only the keys that changed (in place), keeps
 * comments and unknown keys, and appends new keys at the end.
 */
#ifndef VZ_CONFIG_H
#define VZ_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"

struct vz_conf_line {
	char *text;  /* the line as it will be written, without newline */
	char *key;   /* NULL for comments, blank lines */
	char *value; /* unquoted value */
	unsigned lineno;
};

struct vz_conf {
	char *path;
	struct vz_conf_line *lines;
	size_t nr_lines;
	bool dirty;
};

/* Parse a file; a missing file is -ENOENT with err set. */
int vz_conf_load(struct vz_conf **out, const char *path, struct vz_error *err);
/* Parse text held in memory (path is only used in messages). */
int vz_conf_parse(struct vz_conf **out, const char *path, const char *text, struct vz_error *err);
struct vz_conf *vz_conf_new(const char *path);
void vz_conf_free(struct vz_conf *conf);

/* The value of the last line setting key, or NULL. */
const char *vz_conf_get(const struct vz_conf *conf, const char *key);
/* The line number of the last line setting key, 0 if none. */
unsigned vz_conf_lineno(const struct vz_conf *conf, const char *key);
/* Set (value != NULL) or remove (value == NULL) a key. */
int vz_conf_set(struct vz_conf *conf, const char *key, const char *value);
/* Write atomically: <path>.tmp, fsync, rename. */
int vz_conf_save(struct vz_conf *conf, const char *path, struct vz_error *err);

/* true if key is a valid configuration key name ([A-Z_][A-Z0-9_]*, any case). */
bool vz_conf_key_valid(const char *key);

#define __vz_conf __attribute__((cleanup(vz_conf_freep)))
static inline void vz_conf_freep(struct vz_conf **c)
{
	vz_conf_free(*c);
}

#endif
