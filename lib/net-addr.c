// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * IP_ADDRESS values: "ADDR[/len]" words, IPv4 or IPv6, parsed strictly
 * (inet_pton, a decimal length in range) and edited as --ipadd/--ipdel do.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "net.h"

int vz_ip_parse(const char *text, struct vz_ip *ip, struct vz_error *err)
{
	char buf[INET6_ADDRSTRLEN + 8];
	char *slash;

	memset(ip, 0, sizeof(*ip));
	if (!text || !*text || strlen(text) >= sizeof(buf))
		goto bad;
	strcpy(buf, text);
	slash = strchr(buf, '/');
	if (slash)
		*slash = '\0';
	if (inet_pton(AF_INET, buf, ip->addr) == 1) {
		ip->family = AF_INET;
		ip->prefixlen = 32;
	} else if (inet_pton(AF_INET6, buf, ip->addr) == 1) {
		ip->family = AF_INET6;
		ip->prefixlen = 128;
	} else {
		goto bad;
	}
	if (slash) {
		const char *p = slash + 1;
		unsigned long len;
		char *end;

		if (!isdigit((unsigned char)*p) || strlen(p) > 3)
			goto bad;
		len = strtoul(p, &end, 10);
		if (*end || len > ip->prefixlen || len == 0)
			goto bad;
		ip->prefixlen = (unsigned)len;
		ip->has_len = true;
	}
	/* Unspecified, loopback and multicast addresses cannot be a CT's. */
	if (ip->family == AF_INET) {
		if (ip->addr[0] == 0 || ip->addr[0] == 127 || ip->addr[0] >= 224)
			goto bad;
	} else {
		static const unsigned char any[16], lo[16] = { [15] = 1 };

		if (!memcmp(ip->addr, any, 16) || !memcmp(ip->addr, lo, 16) || ip->addr[0] == 0xff)
			goto bad;
	}
	return 0;
bad:
	return vz_error_set(err, VZ_E_BAD_IP, EINVAL, "Invalid IP address: '%s'", text ? text : "");
}

int vz_ip_list_parse(const char *text, struct vz_ip **ips, size_t *nr, struct vz_error *err)
{
	__vz_free char *copy = strdup(text ? text : "");
	__vz_free struct vz_ip *out = NULL;
	char *save = NULL;
	size_t n = 0;

	*ips = NULL;
	*nr = 0;
	if (!copy)
		return vz_error_sys(err, VZ_E_SYSTEM, ENOMEM, "Cannot parse IP_ADDRESS");
	for (char *tok = strtok_r(copy, " \t", &save); tok; tok = strtok_r(NULL, " \t", &save)) {
		struct vz_ip ip, *grown;
		bool dup = false;
		int ret = vz_ip_parse(tok, &ip, err);

		if (ret < 0)
			return ret;
		for (size_t i = 0; i < n; i++)
			dup |= vz_ip_equal(&out[i], &ip);
		if (dup)
			continue;
		grown = realloc(out, (n + 1) * sizeof(*out));
		if (!grown)
			return vz_error_sys(err, VZ_E_SYSTEM, ENOMEM, "Cannot parse IP_ADDRESS");
		out = grown;
		out[n++] = ip;
	}
	*ips = take_ptr(out);
	*nr = n;
	return 0;
}

void vz_ip_format_addr(const struct vz_ip *ip, char *buf, size_t size)
{
	if (!inet_ntop(ip->family, ip->addr, buf, size) && size)
		buf[0] = '\0';
}

void vz_ip_format(const struct vz_ip *ip, char *buf, size_t size)
{
	size_t len;

	vz_ip_format_addr(ip, buf, size);
	len = strlen(buf);
	if (ip->has_len && len < size)
		snprintf(buf + len, size - len, "/%u", ip->prefixlen);
}

bool vz_ip_equal(const struct vz_ip *a, const struct vz_ip *b)
{
	return a->family == b->family &&
	       !memcmp(a->addr, b->addr, a->family == AF_INET ? 4 : 16);
}

static bool in_list(const struct vz_ip *ips, size_t nr, const struct vz_ip *ip)
{
	for (size_t i = 0; i < nr; i++)
		if (vz_ip_equal(&ips[i], ip))
			return true;
	return false;
}

int vz_ip_list_edit(const char *list, const char *add, const char *del, char **out,
		    struct vz_error *err)
{
	__vz_free struct vz_ip *cur = NULL, *adds = NULL, *dels = NULL;
	size_t nr_cur, nr_add, nr_del, len = 1;
	__vz_free char *text = NULL;
	bool all = del && !strcmp(del, "all");
	int ret;

	ret = vz_ip_list_parse(list, &cur, &nr_cur, err);
	if (ret == 0)
		ret = vz_ip_list_parse(add, &adds, &nr_add, err);
	if (ret == 0)
		ret = vz_ip_list_parse(all ? NULL : del, &dels, &nr_del, err);
	if (ret < 0)
		return ret;
	text = calloc(nr_cur + nr_add + 1, INET6_ADDRSTRLEN + 8);
	if (!text)
		return vz_error_sys(err, VZ_E_SYSTEM, ENOMEM, "Cannot edit IP_ADDRESS");
	for (size_t pass = 0; pass < 2; pass++) {
		const struct vz_ip *ips = pass ? adds : cur;
		size_t nr = pass ? nr_add : nr_cur;

		for (size_t i = 0; i < nr; i++) {
			char one[INET6_ADDRSTRLEN + 8];

			if (pass == 0 && (all || in_list(dels, nr_del, &ips[i])))
				continue;
			if (pass == 1 && in_list(cur, nr_cur, &ips[i]) && !all &&
			    !in_list(dels, nr_del, &ips[i]))
				continue;
			vz_ip_format(&ips[i], one, sizeof(one));
			len += sprintf(text + len - 1, "%s%s", len > 1 ? " " : "", one);
		}
	}
	*out = take_ptr(text);
	return 0;
}
