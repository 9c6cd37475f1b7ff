/*
 * PROFINET rules: DCP Set from a stranger (joined to the device's answer),
 * duplicate NameOfStation and IP among Identify answers, Identify and
 * Hello floods; cyclic RT and PNIO-CM teach who is whose AR partner
 * (ids_pn, inline in ids_int.h: it runs on every cyclic frame).
 */
#include <stdio.h>
#include <string.h>

#include "core/hash.h"
#include "ids/ids_int.h"

/*
 * One side watches the pair.  A controller's RT goes on while any of its
 * devices runs, so the devices watch their own ARs once it has several.
 */
void ids_watch_ar(struct ids *ids, struct station *a, struct station *b)
{
	struct station *w = !a->multi ? a : !b->multi ? b : NULL;
	struct station *o = w == a ? b : a;

	if (!w || w->ar || (o->ar && !o->multi) || ids->nars >= IDS_MAX_ARS)
		return;
	w->ar = true;
	ids->ars[ids->nars++] = (uint16_t)(w - ids->st);
}

/* ARs whose cyclic frames stopped; O(running ARs) every IDS_SCAN_NS */
void ids_ar_scan(struct ids *ids)
{
	char detail[ALERT_DETAIL_MAX];
	size_t i = 0;

	while (i < ids->nars) {
		struct station *s = &ids->st[ids->ars[i]];
		struct station *p = ids_station(ids, s->peer, false);
		struct station *dev = s->name[0] || !p ? s : p;
		uint64_t attack = s->attack_ns, quiet = ids->ts - s->rt_ns;

		if (!s->multi && (quiet <= ids->p.ar_timeout_ns ||
				  ids->ts < s->rt_ns)) {
			i++;
			continue;
		}
		if (p && p->attack_ns > attack)
			attack = p->attack_ns;
		s->ar = false;
		ids->ars[i] = ids->ars[--ids->nars];
		if (s->multi)
			continue;	/* its devices watch */
		/* the attack came shortly before the frames stopped, or
		 * between the last frame and the watchdog; a loss on its
		 * own is diag's pn.ar.lost */
		if (!attack || attack > s->rt_ns + ids->p.ar_timeout_ns ||
		    (attack < s->rt_ns && s->rt_ns - attack >= IDS_ATTACK_NS))
			continue;
		snprintf(detail, sizeof(detail), "no cyclic frame for %llu ms "
			 "after a DCP Set from a stranger or an address "
			 "takeover", (unsigned long long)(quiet / 1000000));
		ids_raise(ids, ALERT_R_PN_AR_LOST_ATTACK, 0, s->mac, s->peer,
			  dev->mac, dev->name[0] ? dev->name : NULL,
			  ids_mac_key(s->mac) ^ ids_mac_key(s->peer) << 8, detail);
	}
}

static uint64_t name_hash(const uint8_t *p, size_t n)
{
	return fnv1a64(p, n) | 1;
}

static void ip_str(uint32_t ip, char *buf, size_t len)
{
	snprintf(buf, len, "%u.%u.%u.%u", ip >> 24, (ip >> 16) & 255,
		 (ip >> 8) & 255, ip & 255);
}

/* what a Set request sets, for the message */
static void set_what(const struct decode_dcp *c, char *buf, size_t len)
{
	char ip[16];
	size_t o = 0;

	buf[0] = 0;
	if (c->fields & DCP_F_NAME)
		o += (size_t)snprintf(buf + o, len - o, "NameOfStation=\"%.*s\" ",
				      c->name_len > 40 ? 40 : c->name_len,
				      (const char *)c->name_of_station);
	if ((c->fields & DCP_F_IP) && o < len) {
		ip_str(c->ip, ip, sizeof(ip));
		o += (size_t)snprintf(buf + o, len - o, "IP=%s ", ip);
	}
	if ((c->fields & DCP_F_RESET) && o < len)
		o += (size_t)snprintf(buf + o, len - o, "reset-to-factory ");
	if ((c->fields & DCP_F_SIGNAL) && o < len)
		o += (size_t)snprintf(buf + o, len - o, "signal ");
	if (o && o < len)
		buf[o - 1] = 0;
	else if (!o)
		snprintf(buf, len, "(other blocks)");
}

static void set_request(struct ids *ids, struct station *t)
{
	const struct decoded *d = ids->d;
	const struct decode_dcp *c = &d->dcp;
	bool ar, signal_only;
	unsigned int sev;
	uint64_t id;
	char what[ALERT_DETAIL_MAX];

	ids->ctr.dcp_sets++;
	if (t)
		t->set_prev_attack = t->attack_ns;
	if (t && !ids_engineering(ids, d->src) &&
	    !(t->peer_ns && !memcmp(t->peer, d->src, 6)))
		t->attack_ns = ids->ts;
	if (t) {
		t->set_xid = c->xid;
		t->set_ip = (c->fields & DCP_F_IP) ? c->ip : 0;
		t->set_alert = 0;
	}
	if (ids_engineering(ids, d->src))
		return;
	ar = t && t->peer_ns && ids->ts - t->peer_ns < IDS_AR_NS;
	if (t && t->peer_ns && !memcmp(t->peer, d->src, 6))
		return;		/* its own controller */
	signal_only = (c->fields & (DCP_F_NAME | DCP_F_IP | DCP_F_RESET)) == 0 &&
		      (c->fields & DCP_F_SIGNAL);
	sev = ar && !signal_only ? ALERT_SEV_CRITICAL :
	      signal_only ? ALERT_SEV_INFO : 0;
	set_what(c, what, sizeof(what));
	if (ar)
		strncat(what, " (target has an active AR)",
			sizeof(what) - strlen(what) - 1);
	/* one alert per target and stranger */
	id = ids_raise(ids, ALERT_R_PN_DCP_SET_STRANGER, sev, d->src, d->dst,
		       d->dst, t && t->name[0] ? t->name : NULL,
		       ids_mac_key(d->dst) ^ ids_mac_key(d->src) << 16, what);
	if (t)
		t->set_alert = id;
}

/* the device's answer to a Set: accepted or refused */
static void set_response(struct ids *ids, struct station *s)
{
	const struct decode_dcp *c = &ids->d->dcp;

	char note[ALERT_NOTE_MAX];
	unsigned int i, err = 0;
	bool ok;

	if (!s || c->xid != s->set_xid)
		return;
	ok = c->service_type == 1;
	for (i = 0; i < c->nblock && i < DECODE_MAX_DCP_BLOCK; i++)
		if (c->block[i].option == 5 && c->block[i].suboption == 4 &&
		    c->block[i].error) {
			ok = false;
			err = c->block[i].error;
		}
	if (s->set_alert) {
		if (ok)
			snprintf(note, sizeof(note), "accepted by the device");
		else
			snprintf(note, sizeof(note), "refused by the device "
				 "(block error %u)", err);
		alerts_note(ids->al, s->set_alert, note);
	}
	/* refused, it changed nothing: an AR lost after it is no attack
	 * that succeeded (real devices refuse a Set, e.g. while their AR
	 * runs, with a BlockError) */
	if (!ok)
		s->attack_ns = s->set_prev_attack;
	if (ok) {
		if (s->set_ip) {
			s->prev_ip = s->ip;
			s->ip = s->set_ip;
			s->ip_ns = ids->ts;
			ids_addr_set(ids, ADDR_IP(s->ip), s);
		}
	}
	s->set_xid = 0;
}

static void claim_name(struct ids *ids, struct station *s)
{
	const struct decode_dcp *c = &ids->d->dcp;
	uint64_t h = name_hash(c->name_of_station, c->name_len);
	struct station *o = ids_addr_get(ids, ADDR_NAME(h));
	char name[48];

	snprintf(name, sizeof(name), "%.*s", c->name_len > 47 ? 47 :
		 c->name_len, (const char *)c->name_of_station);
	if (!c->name_len)
		return;
	if (o && o != s && o->name_hash == h &&
	    ids->ts - o->name_ns < IDS_BINDING_NS)
		ids_raise(ids, ALERT_R_PN_DCP_DUP_NAME, 0, s->mac, NULL,
			  o->mac, NULL, h, name);
	s->name_hash = h;
	s->name_ns = ids->ts;
	memcpy(s->name, name, sizeof(s->name));
	ids_addr_set(ids, ADDR_NAME(h), s);
}

static void claim_ip(struct ids *ids, struct station *s, uint32_t ip)
{
	struct station *o = ids_addr_get(ids, ADDR_IP(ip));
	char buf[16];

	if (!ip)
		return;
	if (o && o != s && o->ip == ip &&
	    ids->ts - o->ip_ns < IDS_BINDING_NS) {
		ip_str(ip, buf, sizeof(buf));
		ids_raise(ids, ALERT_R_PN_DCP_DUP_IP, 0, s->mac, NULL, o->mac,
			  o->name[0] ? o->name : NULL, ADDR_IP(ip), buf);
	}
	if (s->ip != ip) {
		s->prev_ip = s->ip;
		s->ip = ip;
	}
	s->ip_ns = ids->ts;
	ids_addr_set(ids, ADDR_IP(ip), s);
}

bool ids_dcp_polling(struct ids *ids)
{
	const struct decoded *d = ids->d;
	const struct decode_dcp *c = &d->dcp;
	struct station *o;

	if (d->proto != DECODE_PN_DCP || c->service_id != DCP_IDENTIFY ||
	    c->service_type != 0 || !(c->fields & DCP_F_NAME) || !c->name_len)
		return false;
	o = ids_addr_get(ids, ADDR_NAME(name_hash(c->name_of_station,
						   c->name_len)));
	return o && o->peer_ns && !memcmp(o->peer, d->src, 6);
}

void ids_dcp(struct ids *ids)
{
	const struct decoded *d = ids->d;
	const struct decode_dcp *c = &d->dcp;
	struct station *src = ids_station(ids, d->src, true);

	if (d->anomalies & (DECODE_ABIT(DCP_TRUNCATED) |
			    DECODE_ABIT(DCP_BAD_SERVICE)))
		return;
	switch (c->service_id) {
	case DCP_SET:
		/* resets from one source, engineering stations too: a reset
		 * loop keeps devices out of their ARs */
		if (c->service_type == 0 && src && (c->fields & DCP_F_RESET))
			ids_flood(ids, &src->reset, ids->p.reset_limit,
				  ALERT_R_PN_DCP_RESET_FLOOD, d->src,
				  "Reset requests");
		if (c->service_type == 0)
			set_request(ids, ids_station(ids, d->dst, true));
		else
			set_response(ids, src);
		break;
	case DCP_IDENTIFY:
		if (c->service_type == 0) {
			if (src && !ids_dcp_polling(ids))
				ids_flood(ids, &src->ident,
					  ids->p.identify_limit,
					  ALERT_R_PN_DCP_IDENTIFY_FLOOD, d->src,
					  "Identify requests");
			break;
		}
		/* an answer claims a name and an address */
		/* fall through */
	case DCP_HELLO:
		if (!src)
			break;
		src->pn = true;
		if (c->service_id == DCP_HELLO)
			ids_flood(ids, &src->hello, ids->p.hello_limit,
				  ALERT_R_PN_DCP_HELLO_FLOOD, d->src,
				  "Hello requests");
		if (c->fields & DCP_F_NAME)
			claim_name(ids, src);
		if (c->fields & DCP_F_IP)
			claim_ip(ids, src, c->ip);
		break;
	default:
		break;
	}
}
