// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The hello both sides of a migration send (see migrate-hello.h).
 */
#define VZ_LOG_PREFIX "migrate"
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "criu.h"
#include "fileutil.h"
#include "migrate-hello.h"
#include "migrate-stream.h"

#define CPU_FLAGS_MAX 512

int vz_mig_cpu_flags(char ***out, size_t *nr)
{
	__vz_free char *text = NULL;
	char **v = calloc(CPU_FLAGS_MAX + 1, sizeof(*v));
	size_t n = 0;
	char *line, *save = NULL;

	*out = v;
	*nr = 0;
	if (!v)
		return -ENOMEM;
	if (vz_read_file("/proc/cpuinfo", &text, NULL) < 0)
		return 0;
	line = strstr(text, "\nflags");
	if (!line || !(line = strchr(line, ':')))
		return 0;
	*strchrnul(line, '\n') = '\0';
	for (char *w = strtok_r(line + 1, " \t", &save); w && n < CPU_FLAGS_MAX;
	     w = strtok_r(NULL, " \t", &save)) {
		v[n] = strdup(w);
		if (!v[n])
			return -ENOMEM;
		n++;
	}
	*nr = n;
	return 0;
}

void vz_mig_fill_hello(MigHelloEntry *h, unsigned ctid, char *criu_version, char **flags,
		       size_t nr_flags)
{
	static char *caps[] = {"online", "files-incremental", "precopy", "image-delta",
				"tmpfs-image", "dump-tree", "net-rules"};

	h->version = VZ_MIG_PROTO_VERSION;
	h->ctid = ctid;
	h->vz_version = VZ_VERSION;
	h->kernel = (char *)vz_kernel_release();
	h->criu_version = criu_version;
	h->cpu_flags = flags;
	h->n_cpu_flags = nr_flags;
	h->capabilities = caps;
	h->n_capabilities = ARRAY_SIZE(caps);
}

bool vz_mig_has_cap(const MigHelloEntry *h, const char *cap)
{
	for (size_t i = 0; i < h->n_capabilities; i++)
		if (!strcmp(h->capabilities[i], cap))
			return true;
	return false;
}
