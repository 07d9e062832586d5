/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vzctl: one file per subcommand, dispatched from the table in main.c. */
#ifndef VZCTL_H
#define VZCTL_H

#include <stdbool.h>

#include "ct.h"
#include "error.h"
#include "lock.h"

struct vzctl {
	struct vz_env *env;
	struct vz_ct *ct;	/* the CT named on the command line */
	bool skiplock;
	struct vz_lock lock;
	struct vz_error err;
};

struct vzctl_cmd {
	const char *name;
	int (*run)(struct vzctl *v, int argc, char **argv);
	bool locks;	   /* takes the CT's lock for its whole run */
	const char *usage; /* options after the CTID */
};

/* Parse argv with the command's long options; on error print a message and return 20. */
int vzctl_bad_usage(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

int cmd_create(struct vzctl *v, int argc, char **argv);
int cmd_destroy(struct vzctl *v, int argc, char **argv);
int cmd_start(struct vzctl *v, int argc, char **argv);
int cmd_stop(struct vzctl *v, int argc, char **argv);
int cmd_restart(struct vzctl *v, int argc, char **argv);
int cmd_status(struct vzctl *v, int argc, char **argv);
int cmd_mount(struct vzctl *v, int argc, char **argv);
int cmd_umount(struct vzctl *v, int argc, char **argv);
int cmd_exec(struct vzctl *v, int argc, char **argv);
int cmd_exec2(struct vzctl *v, int argc, char **argv);
int cmd_exec3(struct vzctl *v, int argc, char **argv);
int cmd_enter(struct vzctl *v, int argc, char **argv);
int cmd_console(struct vzctl *v, int argc, char **argv);
int cmd_runscript(struct vzctl *v, int argc, char **argv);
int cmd_set(struct vzctl *v, int argc, char **argv);
int cmd_chkpnt(struct vzctl *v, int argc, char **argv);
int cmd_restore(struct vzctl *v, int argc, char **argv);
int cmd_quotaon(struct vzctl *v, int argc, char **argv);
int cmd_quotaoff(struct vzctl *v, int argc, char **argv);
int cmd_quotainit(struct vzctl *v, int argc, char **argv);
/* set's disk options (cmd-quota.c): 0 or an exit code. */
int vzctl_disk_option(struct vzctl *v, const char *key, const char *value, unsigned *changed);
int vzctl_disk_apply(struct vzctl *v, unsigned changed, const char *old_inodes, bool mounted,
		     bool save);

#endif
