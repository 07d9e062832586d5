// SPDX-License-Identifier: GPL-2.0-or-later
/* lib/net-addr.c, lib/net-netif.c: IP_ADDRESS and NETIF values, MACs, edits. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "net.h"
#include "tap.h"

static void check_ip(const char *text, int family, unsigned len, const char *formatted)
{
	struct vz_error err = { 0 };
	struct vz_ip ip;
	char buf[64];
	int ret = vz_ip_parse(text, &ip, &err);

	if (!family) {
		is_int(err.kind, VZ_E_BAD_IP, "'%s' is a bad address (VZ_E_BAD_IP)", text);
		ok(ret < 0, "  and the parse fails");
		return;
	}
	is_int(ret, 0, "'%s' parses", text);
	is_int(ip.family, family, "  family %s", family == AF_INET ? "IPv4" : "IPv6");
	is_int(ip.prefixlen, len, "  length %u", len);
	vz_ip_format(&ip, buf, sizeof(buf));
	is_str(buf, formatted, "  formats as '%s'", formatted);
}

static void check_edit(const char *list, const char *add, const char *del, const char *want)
{
	char *out = NULL;
	int ret = vz_ip_list_edit(list, add, del, &out, NULL);

	is_int(ret, 0, "edit '%s' +'%s' -'%s'", list, add ? add : "", del ? del : "");
	is_str(out ? out : "(null)", want, "  gives '%s'", want);
	free(out);
}

int main(void)
{
	struct vz_netif *nifs = NULL, nif;
	struct vz_netif_edit e = { 0 };
	unsigned char mac[6], mac2[6];
	struct vz_ip *ips;
	char *text = NULL;
	size_t nr;

	check_ip("192.0.2.1", AF_INET, 32, "192.0.2.1");
	check_ip("192.0.2.1/24", AF_INET, 24, "192.0.2.1/24");
	check_ip("2001:db8::1", AF_INET6, 128, "2001:db8::1");
	check_ip("2001:DB8:0::1/64", AF_INET6, 64, "2001:db8::1/64");
	for (const char *const *bad = (const char *const[]){ "", "192.0.2.300", "192.0.2.1/33",
							     "192.0.2.1/", "192.0.2.1/0",
							     "192.0.2.1/+8", "2001:db8::/129",
							     "127.0.0.1", "0.0.0.0", "224.0.0.1",
							     "::", "::1", "ff02::1", "host.example",
							     NULL };
	     *bad; bad++)
		check_ip(*bad, 0, 0, NULL);

	is_int(vz_ip_list_parse("192.0.2.1  192.0.2.1/32 2001:db8::1", &ips, &nr, NULL), 0,
	       "a list parses");
	is_int(nr, 2, "  duplicates are kept once");
	free(ips);
	check_edit("192.0.2.1 192.0.2.2", "192.0.2.3", NULL, "192.0.2.1 192.0.2.2 192.0.2.3");
	check_edit("192.0.2.1 192.0.2.2", "192.0.2.2", NULL, "192.0.2.1 192.0.2.2");
	check_edit("192.0.2.1 192.0.2.2", NULL, "192.0.2.1", "192.0.2.2");
	check_edit("192.0.2.1 2001:db8::1", "198.51.100.1", "all", "198.51.100.1");
	check_edit("192.0.2.1/24", "192.0.2.1", "192.0.2.1", "192.0.2.1");
	check_edit("", "2001:db8::1/64", "192.0.2.9", "2001:db8::1/64");
	ok(vz_ip_list_edit("", "bad", NULL, &text, NULL) < 0, "editing with a bad address fails");

	vz_net_mac_generate(101, "eth0", false, mac);
	vz_net_mac_generate(101, "eth0", false, mac2);
	ok(mac[0] == 0x00 && mac[1] == 0x18 && mac[2] == 0x51,
	   "generated MACs have the 00:18:51 prefix");
	ok(!memcmp(mac, mac2, 6), "  and are stable");
	vz_net_mac_generate(101, "eth0", true, mac2);
	ok(memcmp(mac, mac2, 6), "  host and CT ends differ");
	vz_net_mac_generate(102, "eth0", false, mac2);
	ok(memcmp(mac, mac2, 6), "  CTs differ");
	is_int(vz_mac_parse("00:18:51:aa:bb:cc", mac), 0, "a MAC parses");
	is_int(vz_mac_parse("01:18:51:aa:bb:cc", mac), -EINVAL, "a multicast MAC does not");
	is_int(vz_mac_parse("00:00:00:00:00:00", mac), -EINVAL, "nor an all-zero one");
	is_int(vz_mac_parse("00:18:51:aa:bb", mac), -EINVAL, "nor a short one");

	is_int(vz_netif_list_parse("ifname=eth0,bridge=br0;ifname=eth1,host_ifname=h1,"
				   "mac=00:18:51:00:00:01",
				   101, &nifs, &nr, NULL),
	       0, "NETIF with two entries parses");
	is_int(nr, 2, "  two interfaces");
	if (nr == 2) {
		is_str(nifs[0].host_ifname, "veth101.0", "  default host name veth<CTID>.<n>");
		is_str(nifs[0].bridge, "br0", "  bridge kept");
		is_str(nifs[1].host_ifname, "h1", "  host name as given");
		is_int(nifs[1].mac[5], 1, "  MAC as given");
		text = vz_netif_list_format(nifs, nr);
		like(text, "ifname=eth0,mac=00:18:51:", "  formats with the generated MAC");
		free(text);
	}
	free(nifs);
	ok(vz_netif_list_parse("ifname=eth0;ifname=eth0", 101, &nifs, &nr, NULL) < 0,
	   "the same ifname twice is refused");
	ok(vz_netif_list_parse("bridge=br0", 101, &nifs, &nr, NULL) < 0, "an entry needs ifname");
	ok(vz_netif_list_parse("ifname=a-name-longer-than-15", 101, &nifs, &nr, NULL) < 0,
	   "interface names are at most 15 characters");
	ok(vz_netif_list_parse("ifname=eth0", 2147483644u, &nifs, &nr, NULL) < 0,
	   "veth<CTID>.<n> too long for a 10-digit CTID: host_ifname needed");

	is_int(vz_netif_parse_add("eth1,,,,br1", 101, &nif, NULL), 0,
	       "--netif_add with empty fields");
	is_str(nif.bridge, "br1", "  the fifth field is the bridge");
	ok(vz_netif_parse_add("eth1,zz", 101, &nif, NULL) < 0, "--netif_add with a bad MAC fails");

	e.add[e.nr_add++] = "eth1";
	is_int(vz_netif_list_edit("ifname=eth0", 101, &e, &text, NULL), 0, "edit: add eth1");
	like(text, "host_ifname=veth101.1", "  eth1 gets veth101.1");
	free(text);
	e = (struct vz_netif_edit){ .ifname = "eth0", .bridge = "br9" };
	is_int(vz_netif_list_edit("ifname=eth0", 101, &e, &text, NULL), 0, "edit: --bridge");
	like(text, "bridge=br9", "  bridge changed");
	free(text);
	e = (struct vz_netif_edit){ .del = { "eth7" }, .nr_del = 1 };
	ok(vz_netif_list_edit("ifname=eth0", 101, &e, &text, NULL) < 0,
	   "edit: deleting an unknown interface fails");
	e.missing_ok = true;
	is_int(vz_netif_list_edit("ifname=eth0", 101, &e, &text, NULL), 0,
	       "  unless missing_ok (a running CT's config)");
	free(text);
	e = (struct vz_netif_edit){ .del = { "all" }, .nr_del = 1 };
	is_int(vz_netif_list_edit("ifname=eth0;ifname=eth1", 101, &e, &text, NULL), 0,
	       "edit: --netif_del all");
	is_str(text, "", "  leaves nothing");
	free(text);
	return done_testing();
}
