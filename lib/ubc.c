// SPDX-License-Identifier: GPL-2.0-or-later
#define VZ_LOG_PREFIX "ubc"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cgroup.h"
#include "cleanup.h"
#include "fileutil.h"
#include "state.h"
#include "ubc.h"
#include "units.h"

/* Where the dummy rows of the 2.5 format go: after these resources. */
static int dummies_after(int id)
{
	switch (id) {
	case VZ_UB_shmpages:
		return 1;
	case VZ_UB_numfile:
		return 3;
	default:
		return 0;
	}
}

void vz_ubc_print_header(FILE *f)
{
	fprintf(f, "Version: 2.5\n");
	fprintf(f, "%10s  %-12s %20s %20s %20s %20s %20s\n", "uid", "resource", "held", "maxheld",
		"barrier", "limit", "failcnt");
}

static void print_row(FILE *f, const char *first, const char *name, const struct vz_ubc_row *r)
{
	fprintf(f, "%10s  %-12s %20llu %20llu %20llu %20llu %20llu\n", first, name,
		(unsigned long long)r->held, (unsigned long long)r->maxheld,
		(unsigned long long)r->barrier, (unsigned long long)r->limit,
		(unsigned long long)r->failcnt);
}

void vz_ubc_print(FILE *f, const struct vz_ubc *u)
{
	static const struct vz_ubc_row zero;
	char first[40];

	snprintf(first, sizeof(first), "%s:", u->id);
	for (int i = 0; i < VZ_UB__COUNT; i++) {
		print_row(f, i ? "" : first, vz_ub_defs[i].name, &u->row[i]);
		for (int d = dummies_after(i); d > 0; d--)
			print_row(f, "", "dummy", &zero);
	}
}

int vz_ubc_parse(const char *text, const char *id, struct vz_ubc *out)
{
	bool mine = false, found = false;

	memset(out, 0, sizeof(*out));
	snprintf(out->id, sizeof(out->id), "%s", id);
	for (const char *line = text; line && *line;) {
		const char *nl = strchr(line, '\n');
		char buf[512], *p = buf, name[32];
		size_t len = nl ? (size_t)(nl - line) : strlen(line);
		unsigned long long v[5];
		int ub;

		snprintf(buf, sizeof(buf), "%.*s", (int)(len < sizeof(buf) ? len : sizeof(buf) - 1),
			 line);
		line = nl ? nl + 1 : NULL;
		while (*p == ' ')
			p++;
		if (p != buf + 12 || !strncmp(p, "Version:", 8) || !strncmp(p, "uid ", 4)) {
			/* A container's first row: "<id>:" right-aligned in the first column. */
			char *colon = strchr(p, ':');

			if (!colon || strncmp(p, "Version:", 8) == 0 || strncmp(p, "uid", 3) == 0)
				continue;
			*colon = '\0';
			mine = !strcmp(p, id);
			p = colon + 1;
			while (*p == ' ')
				p++;
		}
		if (!mine || sscanf(p, "%31s %llu %llu %llu %llu %llu", name, &v[0], &v[1], &v[2],
				    &v[3], &v[4]) != 6)
			continue;
		ub = vz_ub_lookup(name);
		if (ub < 0)
			continue; /* dummy */
		out->row[ub] = (struct vz_ubc_row){(int64_t)v[0], (int64_t)v[1], (int64_t)v[2],
						   (int64_t)v[3], (int64_t)v[4]};
		found = true;
	}
	if (found)
		out->from_kernel = true;
	return found ? 0 : -ENOENT;
}

static int64_t nz(int64_t v)
{
	return v < 0 ? 0 : v;
}

static int64_t pages(int64_t bytes)
{
	if (bytes == VZ_CG_UNLIMITED)
		return VZ_UNLIMITED;
	return bytes < 0 ? 0 : bytes / VZ_PAGE_BYTES;
}

/* A kernel limit as a beancounter value: unlimited spelled OpenVZ's way. */
static int64_t lim_pages(int64_t bytes, int64_t def)
{
	if (bytes < 0)
		return def;
	return pages(bytes);
}

/*
 * The rows as the project's kernel builds them (kernel/README.md): held
 * from the closest cgroup statistic, thresholds only where a cgroup holds
 * one (physpages memory.high/max, swappages swap max, vmguarpages
 * memory.min, oomguarpages memory.low, numproc pids.max), unlimited
 * elsewhere, so the view says what is enforced, not what was asked for.
 */
static void synthesize(struct vz_ubc *u, const struct vz_cg_stats *st)
{
	struct vz_ubc_row *r = u->row;

	for (int i = 0; i < VZ_UB__COUNT; i++)
		r[i] = (struct vz_ubc_row){0, 0, VZ_UNLIMITED, VZ_UNLIMITED, 0};
	r[VZ_UB_kmemsize].held = nz(st->kmem);
	r[VZ_UB_kmemsize].maxheld = nz(st->kmem_peak);
	r[VZ_UB_kmemsize].failcnt = nz(st->kmem_failcnt);
	r[VZ_UB_lockedpages].held = pages(nz(st->unevictable));
	r[VZ_UB_privvmpages].held = pages(nz(st->anon) + nz(st->shmem));
	r[VZ_UB_shmpages].held = pages(nz(st->shmem));
	r[VZ_UB_numproc].held = nz(st->pids);
	r[VZ_UB_numproc].maxheld = nz(st->pids_peak);
	if (st->pids_max >= 0)
		r[VZ_UB_numproc].barrier = r[VZ_UB_numproc].limit =
			st->pids_max == VZ_CG_UNLIMITED ? VZ_UNLIMITED : st->pids_max;
	r[VZ_UB_numproc].failcnt = nz(st->pids_failcnt);
	r[VZ_UB_physpages].held = pages(nz(st->mem));
	r[VZ_UB_physpages].maxheld = pages(nz(st->mem_peak));
	r[VZ_UB_physpages].barrier = lim_pages(st->mem_high, VZ_UNLIMITED);
	r[VZ_UB_physpages].limit = lim_pages(st->mem_max, VZ_UNLIMITED);
	r[VZ_UB_physpages].failcnt = nz(st->mem_failcnt);
	r[VZ_UB_vmguarpages].barrier = lim_pages(st->mem_min, 0);
	r[VZ_UB_oomguarpages].held = pages(nz(st->mem) + nz(st->swap));
	r[VZ_UB_oomguarpages].barrier = lim_pages(st->mem_low, 0);
	r[VZ_UB_oomguarpages].failcnt = nz(st->oom_kill);
	r[VZ_UB_tcpsndbuf].held = nz(st->sock);
	r[VZ_UB_dcachesize].held = nz(st->slab_reclaimable);
	r[VZ_UB_swappages].held = pages(nz(st->swap));
	r[VZ_UB_swappages].maxheld = pages(nz(st->swap_peak));
	r[VZ_UB_swappages].barrier = r[VZ_UB_swappages].limit =
		lim_pages(st->swap_max, VZ_UNLIMITED);
	r[VZ_UB_swappages].failcnt = nz(st->swap_failcnt);
	/* maxheld never below held (the counters are read one after the other). */
	for (int i = 0; i < VZ_UB__COUNT; i++)
		if (r[i].maxheld < r[i].held)
			r[i].maxheld = r[i].held;
}

char *vz_ubc_proc_text(void)
{
	char *text = NULL;

	if (vz_read_file(VZ_UBC_PROC, &text, NULL) < 0)
		return strdup("");
	return text;
}

int vz_ubc_read(struct vz_ct *ct, const char *proc_text, struct vz_ubc *out,
		struct vz_error *err)
{
	__vz_cgroup struct vz_cgroup *cg = NULL;
	__vz_free char *text = NULL;
	struct vz_cg_stats st;
	struct vz_ct_state state;
	int ret;

	ret = vz_ct_get_run_state(ct, &state, err);
	if (ret < 0)
		return ret;
	if (!state.running)
		return vz_error_set(err, VZ_E_NOT_RUNNING, ESRCH, "Container %s is not running",
				    ct->idstr);
	if (!proc_text) {
		text = vz_ubc_proc_text();
		proc_text = text ? text : "";
	}
	if (*proc_text && vz_ubc_parse(proc_text, ct->idstr, out) == 0)
		return 0;
	memset(out, 0, sizeof(*out));
	snprintf(out->id, sizeof(out->id), "%s", ct->idstr);
	ret = vz_cgroup_open(ct, &cg, err);
	if (ret < 0)
		return ret;
	memset(&st, 0xff, sizeof(st)); /* -1: not measured */
	ret = cg->ops->read_stats(cg, &st);
	if (ret < 0)
		return vz_error_sys(err, VZ_E_SYSTEM, -ret,
				    "Cannot read the cgroups of container %s", ct->idstr);
	synthesize(out, &st);
	return 0;
}
