/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The node environment (vz.conf under VZ_CONFDIR) and a container's
 * configuration (conf/CTID.conf) with global defaults under per-CT values.
 */
#ifndef VZ_CT_H
#define VZ_CT_H

#include <stdbool.h>

#include "config.h"
#include "error.h"

#define VZ_CTID_MIN 101u
#define VZ_CTID_MAX 2147483644u
#define VZ_DEFAULT_CONFDIR "/etc/vz"

struct vz_env {
	char *confdir;
	char *vzconf_path;
	struct vz_conf *global;
};

struct vz_ct {
	struct vz_env *env;
	unsigned id;
	char idstr[16];
	char *conf_path;
	struct vz_conf *conf; /* an empty conf when the CT has no config file */
	bool exists;
};

int vz_env_open(struct vz_env **out, struct vz_error *err);
void vz_env_free(struct vz_env *env);
/* A vz.conf value, or the built-in default for the key, or NULL. */
const char *vz_env_get(const struct vz_env *env, const char *key);
/* A vz.conf path value with $VEID left alone; malloc'ed, NULL if unset. */
char *vz_env_dir(const struct vz_env *env, const char *key);

/* Parse a CTID or resolve a name (names/ link); 0 means "not a CT". */
int vz_ctid_parse(const char *text, unsigned *ctid, struct vz_error *err);
int vz_ct_resolve(struct vz_env *env, const char *id_or_name, unsigned *ctid,
		  struct vz_error *err);
bool vz_ct_name_valid(const char *name);

int vz_ct_open(struct vz_env *env, unsigned ctid, struct vz_ct **out, struct vz_error *err);
void vz_ct_free(struct vz_ct *ct);
/* Re-read the CT's config file (after another command changed it). */
int vz_ct_reload(struct vz_ct *ct, struct vz_error *err);

/* Per-CT value, else vz.conf value, else built-in default, else NULL. */
const char *vz_ct_get(const struct vz_ct *ct, const char *key);
/* Like vz_ct_get() with $VEID substituted; malloc'ed. */
char *vz_ct_get_subst(const struct vz_ct *ct, const char *key);
bool vz_ct_get_bool(const struct vz_ct *ct, const char *key, bool def);
unsigned long vz_ct_get_ulong(const struct vz_ct *ct, const char *key, unsigned long def);
/* Change the CT's own config in memory (value NULL removes the key). */
int vz_ct_set(struct vz_ct *ct, const char *key, const char *value, struct vz_error *err);
int vz_ct_save(struct vz_ct *ct, struct vz_error *err);

/* Run the value checks for every known key of a config (params.c). */
int vz_params_validate(const struct vz_conf *conf, bool global, struct vz_error *err);
/* Check one value for a known key; unknown keys pass. */
int vz_param_check(const char *key, const char *value, struct vz_error *err);

#define __vz_env __attribute__((cleanup(vz_env_freep)))
#define __vz_ct	 __attribute__((cleanup(vz_ct_freep)))
static inline void vz_env_freep(struct vz_env **e)
{
	vz_env_free(*e);
}
static inline void vz_ct_freep(struct vz_ct **c)
{
	vz_ct_free(*c);
}

#endif
