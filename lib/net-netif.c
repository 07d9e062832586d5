// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * NETIF values (bridged veth interfaces): parsing, formatting, and the
 * generated defaults: host names veth<CTID>.<n> and MACs with OpenVZ's
 * 00:18:51 prefix derived from the CTID and the CT-side name.
 */
#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "net.h"

bool vz_ifname_valid(const char *name)
{
	size_t len = strlen(name);

	if (len == 0 || len >= VZ_NET_IFNAMSIZ || !strcmp(name, ".") || !strcmp(name, ".."))
		return false;
	for (const char *p = name; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr("._-", *p))
			return false;
	return true;
}

int vz_mac_parse(const char *text, unsigned char mac[6])
{
	unsigned v[6];
	char end;

	if (strlen(text) != 17 ||
	    sscanf(text, "%2x:%2x:%2x:%2x:%2x:%2x%c", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5],
		   &end) != 6)
		return -EINVAL;
	for (int i = 0; i < 6; i++)
		mac[i] = (unsigned char)v[i];
	/* No multicast (group bit) and no all-zero address. */
	if ((mac[0] & 1) || !(mac[0] | mac[1] | mac[2] | mac[3] | mac[4] | mac[5]))
		return -EINVAL;
	return 0;
}

void vz_mac_format(const unsigned char mac[6], char *buf, size_t size)
{
	snprintf(buf, size, "%02X:%02X:%02X:%02X:%02X:%02X", mac[0], mac[1], mac[2], mac[3],
		 mac[4], mac[5]);
}

void vz_net_mac_generate(unsigned ctid, const char *ifname, bool host, unsigned char mac[6])
{
	char key[64];
	uint32_t h = 2166136261u; /* FNV-1a */

	snprintf(key, sizeof(key), "%u/%s/%s", ctid, ifname, host ? "host" : "ct");
	for (const char *p = key; *p; p++)
		h = (h ^ (unsigned char)*p) * 16777619u;
	mac[0] = 0x00;
	mac[1] = 0x18;
	mac[2] = 0x51;
	mac[3] = (h >> 16) & 0xff;
	mac[4] = (h >> 8) & 0xff;
	mac[5] = h & 0xff;
}

int vz_netif_fill(struct vz_netif *nif, unsigned ctid, size_t index, struct vz_error *err)
{
	if (!nif->host_ifname[0]) {
		int n = snprintf(nif->host_ifname, sizeof(nif->host_ifname), "veth%u.%zu", ctid,
				 index);

		if (n >= (int)sizeof(nif->host_ifname))
			return vz_error_set(err, VZ_E_VETH, ENAMETOOLONG,
					    "Host interface name veth%u.%zu is longer than 15 "
					    "characters: set host_ifname",
					    ctid, index);
	}
	if (!nif->has_mac)
		vz_net_mac_generate(ctid, nif->ifname, false, nif->mac);
	if (!nif->has_host_mac)
		vz_net_mac_generate(ctid, nif->ifname, true, nif->host_mac);
	nif->has_mac = nif->has_host_mac = true;
	return 0;
}

static int set_name(char *dst, const char *value, const char *what, struct vz_error *err)
{
	if (!vz_ifname_valid(value))
		return vz_error_set(err, VZ_E_BAD_VALUE, EINVAL,
				    "Invalid %s '%s': 1-15 letters, digits, '.', '_' or '-'", what,
				    value);
	strcpy(dst, value);
	return 0;
}

static int set_mac(unsigned char *dst, bool *has, const char *value, const char *what,
		   struct vz_error *err)
{
	if (vz_mac_parse(value, dst) < 0)
		return vz_error_set(err, VZ_E_BAD_VALUE, EINVAL,
				    "Invalid %s '%s': expected XX:XX:XX:XX:XX:XX (unicast)", what,
				    value);
	*has = true;
	return 0;
}

/* One "key=value,key=value" entry of NETIF. */
static int parse_entry(char *text, struct vz_netif *nif, struct vz_error *err)
{
	char *save = NULL;
	int ret = 0;

	memset(nif, 0, sizeof(*nif));
	for (char *kv = strtok_r(text, ",", &save); kv && !ret; kv = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(kv, '=');

		if (!eq)
			return vz_error_set(err, VZ_E_BAD_VALUE, EINVAL,
					    "Invalid NETIF entry '%s': expected key=value", kv);
		*eq++ = '\0';
		if (!strcmp(kv, "ifname"))
			ret = set_name(nif->ifname, eq, "ifname", err);
		else if (!strcmp(kv, "host_ifname"))
			ret = set_name(nif->host_ifname, eq, "host_ifname", err);
		else if (!strcmp(kv, "bridge"))
			ret = *eq ? set_name(nif->bridge, eq, "bridge", err) : 0;
		else if (!strcmp(kv, "mac"))
			ret = set_mac(nif->mac, &nif->has_mac, eq, "mac", err);
		else if (!strcmp(kv, "host_mac"))
			ret = set_mac(nif->host_mac, &nif->has_host_mac, eq, "host_mac", err);
		/* Other keys (mac_filter, network, ...) are OpenVZ extras we keep out of the way.
		 */
	}
	if (!ret && !nif->ifname[0])
		ret = vz_error_set(err, VZ_E_BAD_VALUE, EINVAL, "NETIF entry without ifname");
	return ret;
}

int vz_netif_list_parse(const char *text, unsigned ctid, struct vz_netif **nifs, size_t *nr,
			struct vz_error *err)
{
	__vz_free char *copy = strdup(text ? text : "");
	__vz_free struct vz_netif *out = NULL;
	char *save = NULL;
	size_t n = 0;

	*nifs = NULL;
	*nr = 0;
	if (!copy)
		return vz_error_sys(err, VZ_E_SYSTEM, ENOMEM, "Cannot parse NETIF");
	for (char *e = strtok_r(copy, ";", &save); e; e = strtok_r(NULL, ";", &save)) {
		struct vz_netif nif, *grown;
		int ret;

		if (!*e)
			continue;
		ret = parse_entry(e, &nif, err);
		if (ret == 0)
			ret = vz_netif_fill(&nif, ctid, n, err);
		if (ret < 0)
			return ret;
		for (size_t i = 0; i < n; i++)
			if (!strcmp(out[i].ifname, nif.ifname) ||
			    !strcmp(out[i].host_ifname, nif.host_ifname))
				return vz_error_set(err, VZ_E_BAD_VALUE, EINVAL,
						    "NETIF names interface '%s' twice", nif.ifname);
		grown = realloc(out, (n + 1) * sizeof(*out));
		if (!grown)
			return vz_error_sys(err, VZ_E_SYSTEM, ENOMEM, "Cannot parse NETIF");
		out = grown;
		out[n++] = nif;
	}
	*nifs = take_ptr(out);
	*nr = n;
	return 0;
}

char *vz_netif_list_format(const struct vz_netif *nifs, size_t nr)
{
	char *text = calloc(nr + 1, 160);
	size_t len = 0;

	if (!text)
		return NULL;
	for (size_t i = 0; i < nr; i++) {
		char mac[24], host_mac[24];

		vz_mac_format(nifs[i].mac, mac, sizeof(mac));
		vz_mac_format(nifs[i].host_mac, host_mac, sizeof(host_mac));
		len += sprintf(text + len, "%sifname=%s,mac=%s,host_ifname=%s,host_mac=%s",
			       i ? ";" : "", nifs[i].ifname, mac, nifs[i].host_ifname, host_mac);
		if (nifs[i].bridge[0])
			len += sprintf(text + len, ",bridge=%s", nifs[i].bridge);
	}
	return text;
}

int vz_netif_parse_add(const char *arg, unsigned ctid, struct vz_netif *nif, struct vz_error *err)
{
	__vz_free char *copy = strdup(arg);
	char *fields[5] = { 0 };
	char *p;
	int n = 0, ret = 0;

	if (!copy)
		return vz_error_sys(err, VZ_E_SYSTEM, ENOMEM, "Cannot parse --netif_add");
	memset(nif, 0, sizeof(*nif));
	/* Positional and possibly empty: ifname,mac,host_ifname,host_mac,bridge */
	for (p = copy; n < 5; n++) {
		char *comma = strchr(p, ',');

		fields[n] = p;
		if (!comma)
			break;
		*comma = '\0';
		p = comma + 1;
	}
	if (n >= 5)
		return vz_error_set(err, VZ_E_BAD_VALUE, EINVAL,
				    "Invalid --netif_add '%s': at most 5 fields "
				    "ifname[,mac,host_ifname,host_mac,bridge]",
				    arg);
	ret = set_name(nif->ifname, fields[0], "ifname", err);
	if (!ret && fields[1] && *fields[1])
		ret = set_mac(nif->mac, &nif->has_mac, fields[1], "mac", err);
	if (!ret && fields[2] && *fields[2])
		ret = set_name(nif->host_ifname, fields[2], "host_ifname", err);
	if (!ret && fields[3] && *fields[3])
		ret = set_mac(nif->host_mac, &nif->has_host_mac, fields[3], "host_mac", err);
	if (!ret && fields[4] && *fields[4])
		ret = set_name(nif->bridge, fields[4], "bridge", err);
	(void)ctid;
	return ret;
}

static struct vz_netif *find_netif(struct vz_netif *nifs, size_t nr, const char *ifname)
{
	for (size_t i = 0; i < nr; i++)
		if (!strcmp(nifs[i].ifname, ifname))
			return &nifs[i];
	return NULL;
}

/* veth<CTID>.<n>: n from the digits ending ifname (eth1 -> 1), else the first free one. */
static void default_host_name(struct vz_netif *nif, const struct vz_netif *nifs, size_t nr,
			      unsigned ctid)
{
	const char *p = nif->ifname + strlen(nif->ifname);
	unsigned long n = 0;

	while (p > nif->ifname && isdigit((unsigned char)p[-1]))
		p--;
	if (*p && strlen(p) < 6)
		n = strtoul(p, NULL, 10);
	for (;; n++) {
		char name[32];
		bool taken = false;

		snprintf(name, sizeof(name), "veth%u.%lu", ctid, n);
		for (size_t i = 0; i < nr; i++)
			taken |= !strcmp(nifs[i].host_ifname, name);
		if (!taken) {
			if (strlen(name) < sizeof(nif->host_ifname))
				strcpy(nif->host_ifname, name);
			return;
		}
	}
}

int vz_netif_list_edit(const char *list, unsigned ctid, const struct vz_netif_edit *e,
		       char **out, struct vz_error *err)
{
	__vz_free struct vz_netif *nifs = NULL;
	size_t nr = 0;
	int ret;

	ret = vz_netif_list_parse(list, ctid, &nifs, &nr, err);
	if (ret < 0)
		return ret;
	for (size_t i = 0; i < e->nr_del; i++) {
		struct vz_netif *nif;

		if (!strcmp(e->del[i], "all")) {
			nr = 0;
			continue;
		}
		nif = find_netif(nifs, nr, e->del[i]);
		if (!nif && e->missing_ok)
			continue;
		if (!nif)
			return vz_error_set(err, VZ_E_BAD_VALUE, ENOENT,
					    "Network interface %s does not exist", e->del[i]);
		memmove(nif, nif + 1, (nr - (size_t)(nif - nifs) - 1) * sizeof(*nif));
		nr--;
	}
	for (size_t i = 0; i < e->nr_add; i++) {
		struct vz_netif nif, *grown;

		ret = vz_netif_parse_add(e->add[i], ctid, &nif, err);
		if (ret < 0)
			return ret;
		if (find_netif(nifs, nr, nif.ifname))
			return vz_error_set(err, VZ_E_BAD_VALUE, EEXIST,
					    "Network interface %s already exists", nif.ifname);
		if (!nif.host_ifname[0])
			default_host_name(&nif, nifs, nr, ctid);
		ret = vz_netif_fill(&nif, ctid, nr, err);
		if (ret < 0)
			return ret;
		grown = realloc(nifs, (nr + 1) * sizeof(*nifs));
		if (!grown)
			return vz_error_sys(err, VZ_E_SYSTEM, ENOMEM, "Cannot edit NETIF");
		nifs = grown;
		nifs[nr++] = nif;
	}
	if (e->ifname && !(e->missing_ok && !find_netif(nifs, nr, e->ifname))) {
		struct vz_netif *nif = find_netif(nifs, nr, e->ifname);

		if (!nif)
			return vz_error_set(err, VZ_E_BAD_VALUE, ENOENT,
					    "Network interface %s does not exist", e->ifname);
		if (e->mac)
			ret = set_mac(nif->mac, &nif->has_mac, e->mac, "--mac", err);
		if (!ret && e->host_mac)
			ret = set_mac(nif->host_mac, &nif->has_host_mac, e->host_mac, "--host_mac",
				      err);
		if (!ret && e->host_ifname)
			ret = set_name(nif->host_ifname, e->host_ifname, "--host_ifname", err);
		if (!ret && e->bridge)
			ret = *e->bridge ? set_name(nif->bridge, e->bridge, "--bridge", err)
					 : (nif->bridge[0] = '\0', 0);
		if (ret < 0)
			return ret;
	} else if (!e->ifname && (e->mac || e->host_mac || e->host_ifname || e->bridge)) {
		return vz_error_set(err, VZ_E_BAD_VALUE, EINVAL,
				    "--mac, --host_ifname, --host_mac and --bridge need --ifname");
	}
	*out = vz_netif_list_format(nifs, nr);
	if (!*out)
		return vz_error_sys(err, VZ_E_SYSTEM, ENOMEM, "Cannot edit NETIF");
	return 0;
}
