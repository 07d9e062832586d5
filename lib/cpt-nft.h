/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The CT's nftables ruleset across a checkpoint (internal to the cpt*.c
 * files).  CRIU does not dump the CT's network namespace (restore starts
 * from an empty one and plugs the network again), so what the CT's own
 * firewall holds is listed while the CT is frozen, into NFT_FILE of the
 * dump, and loaded into the new namespace before CRIU restores the
 * sockets.  Through libnftables, loaded only in a child that has entered
 * the namespace.  Rules of the legacy iptables (x_tables) are not carried.
 */
#ifndef VZ_CPT_NFT_H
#define VZ_CPT_NFT_H

#include <sys/types.h>

#include "error.h"
#include "procutil.h"

#define VZ_CPT_NFT_FILE "nft.rules"

/* List the ruleset of init_pid's network namespace into dirfd/NFT_FILE (none: no file). */
int vz_cpt_nft_save_start(pid_t init_pid, int dirfd, struct vz_child *c, struct vz_error *err);
int vz_cpt_nft_save_wait(struct vz_child *c, struct vz_error *err);
/*
 * Write a listing to fd without CRIU's tables: the listing runs beside
 * CRIU, which locks the network right after the CT is frozen.  Top-level
 * blocks start with "table" and end with "}" at the start of a line.
 * 0 or -errno.
 */
int vz_cpt_nft_write_rules(int fd, const char *rules);
/*
 * Read dirfd/NFT_FILE: 1 and the text in *rules (malloc'ed), 0 and NULL if
 * the dump has none (or an empty one), -errno for a symlink, a file over 16 MiB or one with a
 * NUL byte.
 */
int vz_cpt_nft_load_rules(int dirfd, char **rules, struct vz_error *err);
/* Load dirfd/NFT_FILE, if the dump has one, into pid's network namespace. */
int vz_cpt_nft_restore(pid_t pid, int dirfd, struct vz_error *err);

#endif
