/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The CT's own network configuration across a checkpoint (internal to the
 * cpt*.c files).  CRIU is told to leave the CT's network namespace alone
 * (empty_ns): it would save and restore it with ip(8) and iptables-save,
 * one exec each, under the freeze, and restore gives the CT a new
 * namespace that the network code plugs from the config anyway (venet0,
 * the veth of NETIF).  What the CT configured itself, the addresses and
 * routes of its bridged interfaces above all, is saved here instead: the
 * kernel's own rtnetlink dump, taken while the CT is frozen, replayed
 * into the new namespace by name, and the policy routing rules it added.
 * Its nftables rules and sysctls are cpt-nft.h's and cpt-sysctl.h's.
 */
#ifndef VZ_CPT_NET_H
#define VZ_CPT_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "cpt-net.pb-c.h"
#include "error.h"

/*
 * Refuse (EOPNOTSUPP, err set) a namespace holding links restore would not
 * make again: anything but lo, the tunnel modules' fallback devices and the
 * names in plugged (what the config plugs in: venet0, NETIF's interfaces).
 */
int vz_cpt_net_check_links(pid_t pid, const char *const *plugged, size_t nr,
			   struct vz_error *err);
/* Bring up lo in pid's network namespace (CRIU restores it empty). */
int vz_cpt_net_lo_up(pid_t pid, struct vz_error *err);
/*
 * The addresses and routes of pid's network namespace, and with rules its
 * policy routing rules (free with vz_cpt_net_free()).
 */
int vz_cpt_net_save(pid_t pid, bool rules, CptNetEntry ***out, size_t *nr, struct vz_error *err);
void vz_cpt_net_free(CptNetEntry **v, size_t nr);
/* Is every entry a well-formed message of a kind vz_cpt_net_restore() replays? */
bool vz_cpt_net_valid(CptNetEntry *const *v, size_t nr);
/*
 * Add them to pid's network namespace (links with the same names plugged
 * in already); what exists already is fine.
 */
int vz_cpt_net_restore(pid_t pid, CptNetEntry *const *v, size_t nr, struct vz_error *err);
/*
 * Tell the segment where the CT's IPv4 addresses now are: a gratuitous ARP
 * from each of its interfaces but lo and venet0 (bridges learn the moved
 * MAC, neighbours refresh their caches).  Best effort.
 */
void vz_cpt_net_announce(pid_t pid, CptNetEntry *const *v, size_t nr);

#endif
