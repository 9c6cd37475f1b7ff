/*
 * ARP rules: an IP address a station claimed (by DCP or ARP) taken over
 * by another MAC, a PROFINET device's MAC sending ARP for an address that
 * is not the device's (port stealing), and reply floods.  Probes (sender
 * IP 0.0.0.0) claim nothing.
 */
#include <stdio.h>
#include <string.h>

#include "ids/ids_int.h"

static void ip_str(uint32_t ip, char *buf, size_t len)
{
	snprintf(buf, len, "%u.%u.%u.%u", ip >> 24, (ip >> 16) & 255,
		 (ip >> 8) & 255, ip & 255);
}

/* an address this station may use: its own, the one before, one being set */
static bool owns(const struct station *s, uint32_t ip)
{
	return ip == s->ip || ip == s->prev_ip || ip == s->set_ip;
}

void ids_arp(struct ids *ids)
{
	const struct decoded *d = ids->d;
	struct decode_arp a;
	struct station *s, *o, *eth;
	char ip[16];

	ids->ctr.arp++;
	if (decode_arp(d->l3, d->l3_len, &a)) {
		ids->ctr.arp_bad++;
		return;
	}
	eth = ids_station(ids, d->src, true);
	if (a.op == ARP_REPLY && eth)
		ids_flood(ids, &eth->arp_reply, ids->p.arp_reply_limit,
			  ALERT_R_ARP_REPLY_FLOOD, d->src, "replies");
	if (!a.spa)
		return;
	ip_str(a.spa, ip, sizeof(ip));
	/* port stealing: a PROFINET device's MAC, someone else's address */
	if (eth && eth->pn && eth->ip && !owns(eth, a.spa))
		ids_raise(ids, ALERT_R_ARP_PORT_STEALING, 0, d->src, d->dst,
			  d->src, eth->name[0] ? eth->name : NULL,
			  ADDR_IP(a.spa) ^ ids_mac_key(d->src), ip);
	s = ids_station(ids, a.sha, true);
	if (!s)
		return;
	o = ids_addr_get(ids, ADDR_IP(a.spa));
	if (o && o != s && o->ip == a.spa &&
	    ids->ts - o->ip_ns < IDS_BINDING_NS) {
		o->attack_ns = ids->ts;
		ids_raise(ids, ALERT_R_ARP_IP_TAKEOVER, 0, a.sha, d->dst, o->mac,
			  o->name[0] ? o->name : NULL,
			  ADDR_IP(a.spa) ^ ids_mac_key(a.sha), ip);
		return;		/* the claim does not move the binding */
	}
	if (s->pn && s->ip && s->ip != a.spa)
		return;		/* a device's address comes from DCP */
	if (s->ip != a.spa) {
		s->prev_ip = s->ip;
		s->ip = a.spa;
	}
	s->ip_ns = ids->ts;
	ids_addr_set(ids, ADDR_IP(a.spa), s);
}
