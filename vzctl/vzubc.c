// SPDX-License-Identifier: GPL-2.0-or-later
/* vzubc: the beancounters of running containers (see vzubc(8)). */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "cmd-ubc.h"
#include "ct.h"
#include "log.h"

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "--version")) {
		printf("vzubc version %s\n", VZ_VERSION);
		return 0;
	}
	return vzctl_ubc_run("vzubc", argc - 1, argv + 1);
}
