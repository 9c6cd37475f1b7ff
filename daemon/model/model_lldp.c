/*
 * The neighbour table: what LLDP says about each station's ports.  Every
 * LLDPDU names its sender's chassis and port; PROFINET's alias TLV names
 * the station and port across the cable ("port-002.io-1").  An entry is
 * kept per (station, port), refreshed by each LLDPDU, and aged against
 * its TTL by whoever reads it.  At most MODEL_NBR_MAX entries: a flood of
 * invented chassis ids fills the table and is then counted, not kept.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/model_int.h"

/* A chassis id as a name: a MAC as such, text otherwise (wire_str). */
static void chassis_name(char *dst, size_t size, const struct decode_lldp *l)
{
	const uint8_t *c = l->chassis_id;

	if (l->chassis_subtype == LLDP_CHASSIS_MAC && l->chassis_len == 6)
		snprintf(dst, size, "%02x:%02x:%02x:%02x:%02x:%02x", c[0],
			 c[1], c[2], c[3], c[4], c[5]);
	else
		wire_str(dst, size, c, l->chassis_len);
}

/* "port-001.io-1" -> port "port-001"; another id as it is. */
static void port_name(char *dst, size_t size, const uint8_t *id,
		      uint16_t len)
{
	const uint8_t *st;
	uint16_t plen, stlen;

	if (lldp_pn_port(id, len, &plen, &st, &stlen))
		len = plen;
	wire_str(dst, size, id, len);
}

static struct model_nbr *nbr_slot(struct model *m, const char *station,
				  const char *port)
{
	struct model_nbr *n;
	size_t i;

	for (i = 0; i < m->nnbrs; i++)
		if (!strcmp(m->nbrs[i].station, station) &&
		    !strcmp(m->nbrs[i].port, port))
			return &m->nbrs[i];
	if (m->nnbrs == MODEL_NBR_MAX) {
		m->ctr.lldp_dropped++;
		return NULL;
	}
	if (m->nnbrs == m->capnbrs) {
		size_t cap = m->capnbrs ? m->capnbrs * 2 : 64;

		n = realloc(m->nbrs, cap * sizeof(*n));
		if (!n)
			return NULL;
		m->nbrs = n;
		m->capnbrs = cap;
	}
	n = &m->nbrs[m->nnbrs++];
	memset(n, 0, sizeof(*n));
	snprintf(n->station, sizeof(n->station), "%s", station);
	snprintf(n->port, sizeof(n->port), "%s", port);
	return n;
}

static void peer_of(struct model_nbr *n, const struct decode_lldp *l)
{
	const uint8_t *st;
	uint16_t plen, stlen;

	n->peer_station[0] = n->peer_port[0] = '\0';
	if (!(l->fields & LLDP_F_PN_ALIAS) ||
	    !lldp_pn_port(l->pn_alias, l->pn_alias_len, &plen, &st, &stlen) ||
	    !st)
		return;
	wire_str(n->peer_port, sizeof(n->peer_port), l->pn_alias, plen);
	wire_str(n->peer_station, sizeof(n->peer_station), st, stlen);
}

void model_lldp_frame(struct model *m, const struct decoded *d,
		      uint64_t ts_ns)
{
	const struct decode_lldp *l = &d->lldp;
	char station[MODEL_NBR_NAME], port[MODEL_NBR_PORT];
	struct model_nbr *n;

	m->ctr.lldp_frames++;
	/* a broken LLDPDU may lack the ids: nothing to file it under */
	if (!l->chassis_id || !l->port_id)
		return;
	chassis_name(station, sizeof(station), l);
	port_name(port, sizeof(port), l->port_id, l->port_len);
	if (!(n = nbr_slot(m, station, port)))
		return;
	if (!n->first_ns)
		n->first_ns = ts_ns;
	n->last_ns = ts_ns;
	n->ttl = l->ttl;
	memcpy(n->mac, l->fields & LLDP_F_PN_CHASSIS_MAC ? l->pn_chassis_mac :
	       d->src, 6);
	n->ip = l->fields & LLDP_F_MGMT && l->mgmt_subtype == 1 &&
		l->mgmt_len == 4 ? ((uint32_t)l->mgmt_addr[0] << 24 |
				    (uint32_t)l->mgmt_addr[1] << 16 |
				    (uint32_t)l->mgmt_addr[2] << 8 |
				    l->mgmt_addr[3]) : 0;
	/* bridge capability enabled: a switch */
	n->bridge = l->fields & LLDP_F_CAPS && (l->caps_enabled & 0x0004);
	n->rtc3_status = l->pn_rtc3_status;
	peer_of(n, l);
}

size_t model_nbr_count(const struct model *m)
{
	return m->nnbrs;
}

const struct model_nbr *model_nbr_at(const struct model *m, size_t i)
{
	return i < m->nnbrs ? &m->nbrs[i] : NULL;
}

bool model_nbr_expired(const struct model *m, const struct model_nbr *n)
{
	/* TTL 0: the sender said it is leaving */
	return !n->ttl || m->last_ts > n->last_ns + n->ttl * 1000000000ULL;
}

int model_nbr_copy(struct model *s, const struct model *m)
{
	if (m->nnbrs > s->capnbrs) {
		struct model_nbr *n = realloc(s->nbrs, m->nnbrs * sizeof(*n));

		if (!n)
			return -1;
		s->nbrs = n;
		s->capnbrs = m->nnbrs;
	}
	if (m->nnbrs)
		memcpy(s->nbrs, m->nbrs, m->nnbrs * sizeof(*s->nbrs));
	s->nnbrs = m->nnbrs;
	return 0;
}
