/*
 * IDS core: the policy, the station table (open addressing by MAC; when
 * full, a new station takes the place of the idlest unadmitted one with
 * no state that matters on its probe path, so a MAC flood cannot keep
 * real stations out; what finds no place is counted), the address index,
 * rate windows and the frame dispatch to the protocol rule files.
 */
#include <arpa/inet.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/conf.h"
#include "ids/ids_int.h"
#include "model/model.h"

static const char *const ids_keys[] = {
	"engineering", "identify_limit", "hello_limit", "arp_reply_limit",
	"new_mac_limit", "startup", "ar_timeout", "disable", "block", "learn",
	"action", "reset_limit", NULL
};

void ids_policy_default(struct ids_policy *p)
{
	memset(p, 0, sizeof(*p));
	p->identify_limit = 100;
	p->hello_limit = 20;
	p->arp_reply_limit = 50;
	p->new_mac_limit = 1000;
	p->reset_limit = 5;
	p->startup_ns = 2000000000ULL;
	p->ar_timeout_ns = 1000000000ULL;
	p->learn_ns = 3600000000000ULL;
}

static int rules_conf(const struct conf *c, const char *key, bool *set,
		      char *err, size_t errlen)
{
	const struct conf_entry *e = NULL;
	int r;

	while ((e = conf_next(c, "ids", key, e))) {
		r = alert_rule_parse(e->value);
		if (r < 0 || r == ALERT_R_FLOOD) {
			conf_errf(c, e, err, errlen, "ids.%s: no rule '%s' "
				  "(docs/security.md lists them)", key,
				  e->value);
			return -1;
		}
		set[r] = true;
	}
	return 0;
}

/* action = RULE alert|block */
static int actions_conf(const struct conf *c, bool *block, char *err,
			size_t errlen)
{
	const struct conf_entry *e = NULL;
	char rule[64], act[16];
	int r;

	while ((e = conf_next(c, "ids", "action", e))) {
		if (sscanf(e->value, "%63s %15s", rule, act) != 2 ||
		    strchr(e->value, '\n')) {
			conf_errf(c, e, err, errlen, "ids.action: '%s': give a "
				  "rule and an action (alert or block)",
				  e->value);
			return -1;
		}
		r = alert_rule_parse(rule);
		if (r < 0 || r == ALERT_R_FLOOD) {
			conf_errf(c, e, err, errlen, "ids.action: no rule '%s' "
				  "(docs/security.md lists them)", rule);
			return -1;
		}
		if (strcmp(act, "alert") && strcmp(act, "block")) {
			conf_errf(c, e, err, errlen, "ids.action: '%s' is not "
				  "an action (alert or block)", act);
			return -1;
		}
		block[r] = !strcmp(act, "block");
	}
	return 0;
}

/* engineering = MAC or IPv4 address */
static int engineering_conf(const struct conf *c, const struct conf_entry *e,
			    struct ids_policy *p, char *err, size_t errlen)
{
	struct in_addr in;

	if (p->nengineering + p->nengineering_ip == IDS_MAX_ENGINEERING) {
		conf_errf(c, e, err, errlen, "ids.engineering: more than %d "
			  "stations", IDS_MAX_ENGINEERING);
		return -1;
	}
	if (!model_parse_mac(e->value, p->engineering[p->nengineering])) {
		p->nengineering++;
		return 0;
	}
	if (inet_pton(AF_INET, e->value, &in) == 1) {
		p->engineering_ip[p->nengineering_ip++] = ntohl(in.s_addr);
		return 0;
	}
	conf_errf(c, e, err, errlen, "ids.engineering: '%s' is not a MAC or "
		  "IPv4 address", e->value);
	return -1;
}

int ids_policy_conf(const struct conf *c, struct ids_policy *p, char *err,
		    size_t errlen)
{
	const struct conf_entry *e = NULL;
	uint64_t v[5];

	ids_policy_default(p);
	if (conf_check_keys(c, "ids", ids_keys, err, errlen) ||
	    conf_get_u64(c, "ids", "identify_limit", 100, 1, 1000000, &v[0],
			 err, errlen) ||
	    conf_get_u64(c, "ids", "hello_limit", 20, 1, 1000000, &v[1], err,
			 errlen) ||
	    conf_get_u64(c, "ids", "arp_reply_limit", 50, 1, 1000000, &v[2],
			 err, errlen) ||
	    conf_get_u64(c, "ids", "new_mac_limit", 1000, 1, 1000000, &v[3],
			 err, errlen) ||
	    conf_get_u64(c, "ids", "reset_limit", 5, 1, 1000000, &v[4], err,
			 errlen) ||
	    conf_get_ms(c, "ids", "startup", 2000, 0, 86400000,
			&p->startup_ns, err, errlen) ||
	    conf_get_ms(c, "ids", "ar_timeout", 1000, 10, 3600000,
			&p->ar_timeout_ns, err, errlen) ||
	    conf_get_ms(c, "ids", "learn", 3600000, 0, 366ULL * 86400000ULL,
			&p->learn_ns, err, errlen) ||
	    rules_conf(c, "disable", p->disabled, err, errlen) ||
	    rules_conf(c, "block", p->block, err, errlen) ||
	    actions_conf(c, p->block, err, errlen))
		return -1;
	p->identify_limit = (uint32_t)v[0];
	p->hello_limit = (uint32_t)v[1];
	p->arp_reply_limit = (uint32_t)v[2];
	p->new_mac_limit = (uint32_t)v[3];
	p->reset_limit = (uint32_t)v[4];
	p->startup_ns *= 1000000ULL;
	p->ar_timeout_ns *= 1000000ULL;
	p->learn_ns *= 1000000ULL;
	while ((e = conf_next(c, "ids", "engineering", e)))
		if (engineering_conf(c, e, p, err, errlen))
			return -1;
	return 0;
}

struct ids *ids_new(struct alerts *al, struct model *m)
{
	struct ids *ids = calloc(1, sizeof(*ids));

	if (!ids)
		return NULL;
	/* calloc, not posix_memalign and memset: slots never used stay
	 * untouched pages */
	ids->st_mem = calloc(1, IDS_STATIONS * sizeof(*ids->st) + 63);
	ids->bl = baseline_new();
	if (!ids->st_mem || !ids->bl) {
		free(ids->st_mem);
		baseline_free(ids->bl);
		free(ids);
		return NULL;
	}
	ids->st = (struct station *)(((uintptr_t)ids->st_mem + 63) &
				     ~(uintptr_t)63);
	ids->st_gen = 1;
	ids->al = al;
	ids->m = m;
	ids_policy_default(&ids->p);
	return ids;
}

void ids_free(struct ids *ids)
{
	if (ids) {
		free(ids->pending);
		baseline_free(ids->bl);
		free(ids->st_mem);
	}
	free(ids);
}

/*
 * A new policy comes from the loop thread (reload) while frames run on
 * the capture thread: it is handed over through one pointer, taken at the
 * next frame.  Whoever takes a pointer out with the exchange frees it.
 */
void ids_set_policy(struct ids *ids, const struct ids_policy *p)
{
	struct ids_policy *n = malloc(sizeof(*n)), *old;

	if (!n)
		return;
	*n = *p;
	old = __atomic_exchange_n(&ids->pending, n, __ATOMIC_ACQ_REL);
	free(old);
}

static void take_policy(struct ids *ids)
{
	struct ids_policy *n = __atomic_exchange_n(&ids->pending, NULL,
						   __ATOMIC_ACQ_REL);

	if (n)
		ids->p = *n;
	free(n);
}

void ids_set_blocker(struct ids *ids, ids_block_fn fn, void *arg)
{
	ids->block_fn = fn;
	ids->block_arg = arg;
}

void ids_get_counters(const struct ids *ids, struct ids_counters *out)
{
	*out = ids->ctr;
}

static void flood_raise(struct ids *ids, struct rate *r, uint32_t limit,
			unsigned int rule, const uint8_t *src, const char *what)
{
	char why[96];

	snprintf(why, sizeof(why), "more than %u %s within 10 s", limit, what);
	ids->count = r->pending;
	ids_raise(ids, rule, 0, src, NULL, rule == ALERT_R_INVENTORY_FLOOD ?
		  NULL : src, NULL, 0, why);
	ids->count = 0;
	r->pending = 0;
	r->raised = ids->ts;
}

void ids_flush(struct ids *ids)
{
	size_t i;

	for (i = 0; i < IDS_STATIONS; i++) {
		struct station *s = &ids->st[i];

		if (!s->used)
			continue;
		if (s->ident.pending)
			flood_raise(ids, &s->ident, ids->p.identify_limit,
				    ALERT_R_PN_DCP_IDENTIFY_FLOOD, s->mac,
				    "Identify requests");
		if (s->hello.pending)
			flood_raise(ids, &s->hello, ids->p.hello_limit,
				    ALERT_R_PN_DCP_HELLO_FLOOD, s->mac,
				    "Hello requests");
		if (s->reset.pending)
			flood_raise(ids, &s->reset, ids->p.reset_limit,
				    ALERT_R_PN_DCP_RESET_FLOOD, s->mac,
				    "Reset requests");
		if (s->arp_reply.pending)
			flood_raise(ids, &s->arp_reply, ids->p.arp_reply_limit,
				    ALERT_R_ARP_REPLY_FLOOD, s->mac, "replies");
		if (s->dcp_bl.pending)
			flood_raise(ids, &s->dcp_bl, s->dcp_bl.limit,
				    ALERT_R_PN_DCP_RATE, s->mac,
				    "DCP requests (2 x learned + 10)");
		if (s->arp_bl.pending)
			flood_raise(ids, &s->arp_bl, s->arp_bl.limit,
				    ALERT_R_ARP_RATE, s->mac,
				    "ARP frames (2 x learned + 10)");
	}
	for (i = 0; i < BL_LINES; i++)
		if (ids->link[i].pending)
			flood_raise(ids, &ids->link[i], ids->link[i].limit,
				    ALERT_R_NET_LINK_FLOOD, NULL,
				    "line frames (4 x learned + 1000)");
	if (ids->new_macs.pending)
		flood_raise(ids, &ids->new_macs, ids->p.new_mac_limit,
			    ALERT_R_INVENTORY_FLOOD, NULL, "new source MACs");
}

void ids_flood(struct ids *ids, struct rate *r, uint32_t limit,
	       unsigned int rule, const uint8_t *src, const char *what)
{
	uint64_t ts = ids->ts;

	r->limit = limit;
	if (ts - r->start > IDS_WINDOW_NS || ts < r->start) {
		/* what the last window still owes */
		if (r->pending)
			flood_raise(ids, r, limit, rule, src, what);
		r->start = ts;
		r->n = 0;
	}
	if (++r->n <= limit)
		return;
	r->pending++;
	if (r->pending == 1 && r->n == limit + 1)
		flood_raise(ids, r, limit, rule, src, what);
	else if (r->pending >= IDS_FLOOD_BATCH ||
		 ts - r->raised >= IDS_FLOOD_BATCH_NS)
		flood_raise(ids, r, limit, rule, src, what);
}

static bool admitted(const struct ids *ids, const uint8_t mac[6])
{
	const struct model_device *d = ids->m ?
		model_device_by_mac(ids->m, mac) : NULL;

	return d && d->lifecycle >= MODEL_LC_COMMISSIONED &&
	       d->lifecycle != MODEL_LC_RETIRED;
}

/* an address in the index that still leads to s */
static bool holds(struct ids *ids, uint64_t key, const struct station *s)
{
	return ids_addr_get(ids, key) == s;
}

static bool rates_pending(const struct station *s)
{
	return s->ident.pending || s->hello.pending || s->arp_reply.pending ||
	       s->reset.pending ||
	       s->dcp_bl.pending || s->arp_bl.pending;
}

/*
 * A station whose place a new one may take: it holds nothing a rule
 * still needs (an AR, cyclic peers, an address claim, an attack or a
 * DCP Set awaiting its answer, a flood not yet raised), it is not an
 * engineering station or an admitted device, and the frame being
 * inspected did not name it.
 */
static bool evictable(struct ids *ids, const struct station *s)
{
	return s->seen_ns != ids->ts && !s->ar && !s->multi && !s->rt_ns &&
	       !s->attack_ns && !s->set_xid && !s->set_alert &&
	       !rates_pending(s) &&
	       !(s->ip && holds(ids, ADDR_IP(s->ip), s)) &&
	       !(s->prev_ip && holds(ids, ADDR_IP(s->prev_ip), s)) &&
	       !(s->name_hash && holds(ids, ADDR_NAME(s->name_hash), s)) &&
	       !ids_engineering(ids, s->mac) && !admitted(ids, s->mac);
}

static void vacate(struct ids *ids, struct station *s, bool dead)
{
	memset(s, 0, sizeof(*s));
	s->used = true;
	s->dead = dead;
	ids->ctr.stations_evicted++;
	ids->st_gen++;			/* pair cache entries to it */
}

#define NEXT(i)	(((i) + 1) & (IDS_STATIONS - 1))
#define PREV(i)	(((i) - 1) & (IDS_STATIONS - 1))

/*
 * Room elsewhere: a clock hand takes the first evictable station it
 * meets.  One whose next slot is free lies on no other MAC's probe path
 * and is freed, with the dead slots before it; another is left dead
 * (probes pass it), which grows the used slots: only below 7/8.
 */
static bool vacate_elsewhere(struct ids *ids, bool may_grow)
{
	unsigned int n, i, j;
	struct station *s;

	for (n = 0; n < IDS_EVICT_SCAN; n++) {
		i = ids->evict_hand;
		ids->evict_hand = NEXT(i);
		s = &ids->st[i];
		if (!s->used || s->dead || !evictable(ids, s))
			continue;
		if (ids->st[NEXT(i)].used) {
			if (!may_grow)
				continue;
			vacate(ids, s, true);
			return true;
		}
		vacate(ids, s, false);
		s->used = false;
		ids->nst--;
		for (j = PREV(i); ids->st[j].used && ids->st[j].dead;
		     j = PREV(j)) {
			ids->st[j].used = ids->st[j].dead = false;
			ids->nst--;
		}
		return true;
	}
	return false;
}

/* The first free or dead slot on the probe path from i. */
static struct station *first_room(struct ids *ids, unsigned int i)
{
	struct station *s;
	unsigned int n;

	for (n = 0; n < IDS_STATIONS; n++, i = NEXT(i)) {
		s = &ids->st[i];
		if (!s->used) {
			ids->nst++;
			return s;
		}
		if (s->dead) {
			s->dead = false;
			return s;
		}
	}
	return NULL;
}

/*
 * A slot for a new MAC whose probe path from home ends at the free slot
 * empty (NULL: none).  A dead slot on the path comes first, then the
 * free one while the table has room (a quarter kept free so probes stay
 * short).  When full, the idlest evictable station among the first
 * IDS_EVICT_PROBE of the path is overwritten in place: any used slot
 * before the path's free one lies on it, and a slot reused in place
 * keeps every other MAC's path whole (the address index and the AR list
 * hold slot numbers, so stations never move).  Failing that, one is
 * evicted elsewhere (vacate_elsewhere) and the path's room taken.
 */
static struct station *place(struct ids *ids, unsigned int i,
			     struct station *empty)
{
	struct station *s, *best = NULL;
	unsigned int n, home = i;

	for (n = 0; n < IDS_EVICT_PROBE; n++, i = NEXT(i)) {
		s = &ids->st[i];
		if (!s->used)
			break;
		if (s->dead) {
			s->dead = false;
			return s;
		}
		if (evictable(ids, s) && (!best || s->seen_ns < best->seen_ns))
			best = s;
	}
	if (empty && ids->nst < IDS_STATIONS * 3 / 4) {
		ids->nst++;
		return empty;
	}
	if (best) {
		vacate(ids, best, false);
		return best;
	}
	if (!vacate_elsewhere(ids, ids->nst < IDS_STATIONS * 7 / 8))
		return NULL;
	return first_room(ids, home);
}

struct station *ids_station(struct ids *ids, const uint8_t mac[6], bool add)
{
	unsigned int home = ids_mix(ids_mac_key(mac), IDS_STATIONS - 1), i, n;
	struct station *s, *empty = NULL;

	for (n = 0, i = home; n < IDS_STATIONS;
	     n++, i = (i + 1) & (IDS_STATIONS - 1)) {
		s = &ids->st[i];
		if (!s->used) {
			empty = s;
			break;
		}
		if (!s->dead && !memcmp(s->mac, mac, 6)) {
			if (add)
				s->seen_ns = ids->ts;
			return s;
		}
	}
	if (!add)
		return NULL;
	s = place(ids, home, empty);
	if (!s) {
		ids->ctr.stations_full++;
		return NULL;
	}
	memcpy(s->mac, mac, 6);
	s->used = true;
	s->seen_ns = ids->ts;
	ids_flood(ids, &ids->new_macs, ids->p.new_mac_limit,
		  ALERT_R_INVENTORY_FLOOD, mac, "new source MACs");
	return s;
}

/* ids_pair (ids_int.h) when the cache has no entry for the pair */
struct station *ids_pair_miss(struct ids *ids, struct pair *p,
			      const uint8_t src[6], const uint8_t dst[6],
			      struct station **b)
{
	struct station *a = ids_station(ids, src, true);

	*b = ids_station(ids, dst, true);
	if (!a || !*b)
		return a;
	p->src = ids_mac_key(src);
	p->dst = ids_mac_key(dst);
	p->a = (uint16_t)(a - ids->st);
	p->b = (uint16_t)(*b - ids->st);
	p->gen = ids->st_gen;
	p->bl_gen = 0;
	ids->pair = p;
	return a;
}

/*
 * Whether s still claims the address key: the index keeps an entry when
 * its station moves on to another address or gives its slot to another
 * MAC (place), and such an entry leads nowhere.
 */
static bool claims(const struct station *s, uint64_t key)
{
	if (!s->used || s->dead)
		return false;
	if (key >> 62 == 1)
		return ADDR_IP(s->ip) == key || ADDR_IP(s->prev_ip) == key;
	return s->name_hash && ADDR_NAME(s->name_hash) == key;
}

struct station *ids_addr_get(struct ids *ids, uint64_t key)
{
	unsigned int i = ids_mix(key, IDS_ADDRS - 1), n;

	for (n = 0; n < IDS_ADDRS; n++, i = (i + 1) & (IDS_ADDRS - 1)) {
		if (!ids->addr[i].key)
			return NULL;
		if (ids->addr[i].key == key)
			return claims(&ids->st[ids->addr[i].station], key) ?
				&ids->st[ids->addr[i].station] : NULL;
	}
	return NULL;
}

void ids_addr_set(struct ids *ids, uint64_t key, const struct station *s)
{
	unsigned int i = ids_mix(key, IDS_ADDRS - 1), n;

	for (n = 0; n < IDS_ADDRS; n++, i = (i + 1) & (IDS_ADDRS - 1)) {
		struct addr *a = &ids->addr[i];

		if (!a->key || a->key == key) {
			a->key = key;
			a->station = (uint16_t)(s - ids->st);
			return;
		}
	}
}

/*
 * An engineering station by its MAC, or by the IPv4 address the MAC
 * claims now (ARP, DCP): a PC that may get another NIC keeps its address.
 * Another MAC taking the address over is an alert of its own
 * (arp.ip_takeover, which leaves the address with its first claimant;
 * pn.dcp.duplicate_ip).
 */
bool ids_engineering_listed(struct ids *ids, const uint8_t mac[6])
{
	const struct station *s;
	size_t i;

	for (i = 0; i < ids->p.nengineering; i++)
		if (!memcmp(ids->p.engineering[i], mac, 6))
			return true;
	if (!ids->p.nengineering_ip || !(s = ids_station(ids, mac, false)) ||
	    !s->ip)
		return false;
	for (i = 0; i < ids->p.nengineering_ip; i++)
		if (ids->p.engineering_ip[i] == s->ip)
			return true;
	return false;
}

uint64_t ids_raise(struct ids *ids, unsigned int rule, unsigned int sev,
		   const uint8_t *src, const uint8_t *dst,
		   const uint8_t *dev_mac, const char *label, uint64_t key,
		   const char *detail)
{
	const struct model_device *md = NULL;
	struct alert_ev ev;
	char buf[80];
	uint64_t id;

	if (ids->p.disabled[rule] || !ids->al)
		return 0;
	memset(&ev, 0, sizeof(ev));
	if (dev_mac && ids->m)
		md = model_device_by_mac(ids->m, dev_mac);
	if (md) {
		ev.device = md->id;
		if (!label) {
			model_device_label(ids->m, md, buf, sizeof(buf));
			label = buf;
		}
	}
	ev.rule = (uint16_t)rule;
	ev.severity = (uint8_t)sev;
	ev.ts_ns = ids->ts;
	ev.frame_no = ids->frame_no;
	ev.src = src;
	ev.dst = dst;
	ev.key = key ? key : dev_mac ? ids_mac_key(dev_mac) : 0;
	ev.label = label;
	ev.detail = detail;
	ev.count = ids->count;
	ids->ctr.raised++;
	id = alerts_raise(ids->al, &ev);
	if (ids->p.block[rule] && src && ids->block_fn)
		ids->block_fn(ids->block_arg, src, rule, id);
	return id;
}

void ids_frame(struct ids *ids, const struct decoded *d, uint64_t ts_ns,
	       uint64_t frame_no)
{
	if (__atomic_load_n(&ids->pending, __ATOMIC_RELAXED))
		take_policy(ids);
	ids->d = d;
	ids->ts = ts_ns;
	ids->frame_no = frame_no;
	ids->pair = NULL;
	ids->ctr.frames++;
	if (ts_ns - ids->scan_ns >= IDS_SCAN_NS) {
		ids->scan_ns = ts_ns;
		ids_ar_scan(ids);
	}
	switch (d->proto) {
	case DECODE_ECAT:
		ids_ecat(ids);
		break;
	case DECODE_PN_DCP:
		ids_dcp(ids);
		break;
	case DECODE_PN_RT:
	case DECODE_PNIO_CM:
		ids_pn(ids);
		break;
	default:
		if (d->ethertype == ETHERTYPE_ARP)
			ids_arp(ids);
		else if (!(d->src[0] & 1))
			/* any source counts toward a MAC flood (macof sends
			 * IPv4 between random MACs) */
			ids_station(ids, d->src, true);
		break;
	}
	if (ids->bl->state != BL_NONE)
		ids_baseline_frame(ids);
}
