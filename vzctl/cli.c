// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "cli.h"
#include "ct.h"
#include "log.h"

static const unsigned char exit_codes[VZ_E__COUNT] = {
	[VZ_E_NONE] = 0,
	[VZ_E_SYSTEM] = 3,
	[VZ_E_UBC] = 1,
	[VZ_E_CPU] = 2,
	[VZ_E_NO_KERNEL_SUPPORT] = 5,
	[VZ_E_NO_RESOURCES] = 6,
	[VZ_E_CREATE] = 7,
	[VZ_E_EXEC_FAILED] = 8,
	[VZ_E_LOCKED] = 9,
	[VZ_E_NO_VZCONF] = 10,
	[VZ_E_NO_SCRIPT] = 11,
	[VZ_E_PERMISSION] = 12,
	[VZ_E_CAPABILITY] = 13,
	[VZ_E_NO_CTCONF] = 14,
	[VZ_E_EXEC_TIMEOUT] = 15,
	[VZ_E_CHKPNT] = 16,
	[VZ_E_RESTORE] = 17,
	[VZ_E_BAD_OPTION] = 20,
	[VZ_E_BAD_VALUE] = 21,
	[VZ_E_NO_VE_ROOT] = 22,
	[VZ_E_NO_VE_PRIVATE] = 23,
	[VZ_E_NO_TEMPLATE_DIR] = 24,
	[VZ_E_NO_OSTEMPLATE_SET] = 29,
	[VZ_E_NOT_RUNNING] = 31,
	[VZ_E_RUNNING] = 32,
	[VZ_E_STOP_FAILED] = 33,
	[VZ_E_BAD_IP] = 71,
	[VZ_E_IP_IN_USE] = 78,
	[VZ_E_NOT_MOUNTED] = 40,
	[VZ_E_MOUNTED] = 41,
	[VZ_E_NO_PRIVATE] = 43,
	[VZ_E_PRIVATE_EXISTS] = 44,
	[VZ_E_NO_DISKSPACE] = 46,
	[VZ_E_BROKEN_CT] = 47,
	[VZ_E_CREATE_PRIVATE] = 48,
	[VZ_E_CREATE_ROOT] = 49,
	[VZ_E_MOUNT] = 50,
	[VZ_E_UMOUNT] = 51,
	[VZ_E_DELETE] = 52,
	[VZ_E_ACTION_SCRIPT] = 79,
	[VZ_E_CONFIG_COPY] = 82,
	[VZ_E_DEVICES] = 86,
	[VZ_E_NO_OSTEMPLATE] = 91,
	[VZ_E_DISABLED] = 105,
	[VZ_E_NO_DISTCONF] = 107,
	[VZ_E_APPLY_CONFIG] = 109,
	[VZ_E_VETH] = 130,
	[VZ_E_NAME] = 131,
	[VZ_E_START_WAIT] = 133,
	[VZ_E_SAVE_CONFIG] = 139,
	[VZ_E_USERPASSWD] = 74,
	[VZ_E_NO_TTY] = 3,
	[VZ_E_QUOTA_ON] = 60,
	[VZ_E_QUOTA_INIT] = 61,
	[VZ_E_QUOTA_SETLIMIT] = 62,
	[VZ_E_NO_DISKSPACE_SET] = 63,
	[VZ_E_NO_DISKINODES_SET] = 64,
	[VZ_E_QUOTA_OFF] = 66,
	[VZ_E_QUOTA_UGID] = 67,
	[VZ_E_QUOTA_RUNNING] = 60,
	[VZ_E_QUOTA_NOT_RUNNING] = 66,
	[VZ_E_QUOTA_NO_FILE] = 60,
	[VZ_E_QUOTA_FILE] = 60,
};

int vz_cli_exit_code(const struct vz_error *err)
{
	if (!err || (unsigned)err->kind >= VZ_E__COUNT)
		return VZ_EXIT_SYSTEM;
	if (err->kind != VZ_E_NONE && exit_codes[err->kind] == 0)
		return VZ_EXIT_SYSTEM;
	return exit_codes[err->kind];
}

void vz_cli_report(const struct vz_error *err)
{
	if (err && err->msg[0])
		vz_log(VZ_LOG_ERR, NULL, 0, "%s", err->msg);
}

int vz_cli_fail(const struct vz_error *err)
{
	vz_cli_report(err);
	return vz_cli_exit_code(err);
}

void vz_cli_setup_logging(struct vz_env *env, int argc, char **argv)
{
	const char *logging = vz_env_get(env, "LOGGING");
	const char *file = vz_env_get(env, "LOGFILE");
	const char *level = vz_env_get(env, "LOG_LEVEL");
	const char *verbose = vz_env_get(env, "VERBOSE");
	char line[1024] = "";

	if (verbose && vz_log_verbosity() == 0)
		vz_log_set_verbosity(atoi(verbose));
	if (!logging || !file || !*file ||
	    (strcasecmp(logging, "yes") && strcasecmp(logging, "on") && strcmp(logging, "1")))
		return;
	if (vz_log_open_file(file, level ? atoi(level) + VZ_LOG_INFO : VZ_LOG_INFO) < 0)
		return; /* not being able to log never stops a command */
	for (int i = 0; i < argc; i++) {
		strncat(line, argv[i], sizeof(line) - strlen(line) - 2);
		strncat(line, " ", sizeof(line) - strlen(line) - 1);
	}
	vz_log_file_only("running: %s", line);
}
