/*
 * Learning, then protecting (daemon/ids/baseline.h).  While the window
 * runs every frame teaches the line's baseline; once it has passed (on the
 * capture's own clock) deviations are alerts:
 *
 *   net.pair.new              source -> destination / ethertype never seen
 *   pn.rt.frame_id_new        a cyclic FrameID the destination never got
 *   pn.rt.foreign_source      cyclic frames for an AR from another MAC
 *   ecat.master.changed       a master not in the baseline, on a line whose
 *                             baseline has another one
 *   ecat.master.unknown       a master on a line whose baseline has none
 *   net.link.flood            a line's frames above 4 x learned + 1000 / 10 s
 *   pn.dcp.rate_above_baseline  DCP requests above 2 x learned + 10 / 10 s
 *   arp.rate_above_baseline     ARP frames above 2 x learned + 10 / 10 s
 *
 * Engineering stations are exempt from the pair and master rules.  O(1)
 * per frame: a few probes of the table, no allocation.
 */
#include <stdio.h>
#include <string.h>

#include "ids/ids_int.h"

#define LINK_FACTOR	4
#define LINK_SLACK	1000
#define RATE_FACTOR	2
#define RATE_SLACK	10

static bool cyclic(const struct decoded *d)
{
	return d->proto == DECODE_PN_RT && (d->pn.class == PN_CLASS_RT1 ||
	       d->pn.class == PN_CLASS_RT2 || d->pn.class == PN_CLASS_RT3);
}

/* a controller polling its lost devices' names is no DCP traffic to rate */
static bool dcp_request(struct ids *ids)
{
	const struct decoded *d = ids->d;

	return d->proto == DECODE_PN_DCP && d->dcp.service_type == 0 &&
	       !ids_dcp_polling(ids);
}

static void probe(struct bl_entry *e, unsigned int kind, unsigned int line)
{
	memset(e, 0, sizeof(*e));
	e->kind = (uint8_t)kind;
	e->line = (uint8_t)line;
}

/* the rate entry of src (NULL: the line's frames) on the frame's line */
static void rate_probe(struct ids *ids, struct bl_entry *p, unsigned int rate,
		       const uint8_t *src)
{
	probe(p, BL_RATE, ids->line);
	p->id = rate;
	if (src)
		memcpy(p->a, src, 6);
}

/* ---- learning ----------------------------------------------------------- */

static void count(struct bl_entry *e, uint64_t ts)
{
	if (ts - e->start_ns > BL_WINDOW_NS || ts < e->start_ns) {
		if (e->n > e->value)
			e->value = e->n;
		e->start_ns = ts;
		e->n = 0;
	}
	e->n++;
}

static void learn_rate(struct ids *ids, unsigned int rate, const uint8_t *src)
{
	struct bl_entry p, *e;

	rate_probe(ids, &p, rate, src);
	e = baseline_add(ids->bl, &p);
	if (e)
		count(e, ids->ts);
}

static void learn_ecat(struct ids *ids)
{
	const struct decoded *d = ids->d;
	struct bl_entry p, *e;
	unsigned int i;

	if (d->anomalies || !d->ecat.ndgram)
		return;
	probe(&p, BL_MASTER, ids->line);
	memcpy(p.a, d->src, 6);
	p.a[0] &= (uint8_t)~0x02;
	if (!(d->src[0] & 0x02)) {
		baseline_add(ids->bl, &p);
		return;
	}
	/* returned: the working counters of its cyclic datagrams */
	p.kind = BL_WKC;
	for (i = 0; i < d->ecat.ndgram; i++) {
		const struct decode_ecat_dgram *g = &d->ecat.dgram[i];

		if (!ecat_cmd_is_logical(g->cmd))
			continue;
		p.id = (uint64_t)g->cmd << 32 | g->lad;
		e = baseline_add(ids->bl, &p);
		if (e && g->wkc > e->value)
			e->value = g->wkc;
	}
}

static void learn_ar(struct ids *ids)
{
	const struct decoded *d = ids->d;
	struct bl_entry p, *e;
	uint64_t gap;

	probe(&p, BL_AR, ids->line);
	memcpy(p.a, d->src, 6);
	memcpy(p.b, d->dst, 6);
	p.id = d->pn.frame_id;
	e = baseline_add(ids->bl, &p);
	/* the first source stays the AR's; a second one is no cycle */
	if (!e || memcmp(e->a, d->src, 6))
		return;
	gap = ids->ts - e->last_ns;
	if (e->last_ns && ids->ts > e->last_ns && gap < 1000000000ULL)
		e->value = e->value ? (uint32_t)((7ULL * e->value +
						  gap / 1000) / 8) :
			   (uint32_t)(gap / 1000);
	e->last_ns = ids->ts;
}

static void learn_end(struct ids *ids)
{
	struct baseline *bl = ids->bl;
	size_t i;

	for (i = 0; bl->tab && i < BL_MAX; i++) {
		struct bl_entry *e = &bl->tab[i];

		if (e->used && e->kind == BL_RATE && e->n > e->value)
			e->value = e->n;
		if (e->used)
			e->n = 0;
	}
	bl->until_ns = ids->ts;
	bl->state = BL_PROTECTING;
	bl->gen++;
}

static void learn(struct ids *ids)
{
	const struct decoded *d = ids->d;
	struct baseline *bl = ids->bl;
	struct bl_entry p;

	if (!bl->from_ns)
		bl->from_ns = ids->ts ? ids->ts : 1;
	if (ids->ts >= bl->from_ns && ids->ts - bl->from_ns >= bl->learn_ns) {
		learn_end(ids);
		return;
	}
	if (d->anomalies & DECODE_ABIT(ETH_TRUNCATED))
		return;
	learn_rate(ids, BL_RATE_FRAMES, NULL);
	probe(&p, BL_PAIR, ids->line);
	memcpy(p.a, d->src, 6);
	memcpy(p.b, d->dst, 6);
	p.ethertype = d->ethertype;
	baseline_add(bl, &p);
	if (!(d->src[0] & 1)) {
		p.kind = BL_DEVICE;
		baseline_add(bl, &p);
	}
	if (d->proto == DECODE_ECAT)
		learn_ecat(ids);
	else if (cyclic(d))
		learn_ar(ids);
	else if (dcp_request(ids))
		learn_rate(ids, BL_RATE_DCP, d->src);
	else if (d->ethertype == ETHERTYPE_ARP)
		learn_rate(ids, BL_RATE_ARP, d->src);
}

/* ---- protecting --------------------------------------------------------- */

static void mac_str(const uint8_t m[6], char *buf, size_t len)
{
	snprintf(buf, len, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2],
		 m[3], m[4], m[5]);
}

static uint32_t learned(struct ids *ids, unsigned int rate, const uint8_t *src)
{
	struct bl_entry p, *e;

	rate_probe(ids, &p, rate, src);
	e = baseline_find(ids->bl, &p);
	return e ? e->value : 0;
}

static void check_link(struct ids *ids)
{
	unsigned int l = ids->line;

	/* a line's limit, computed again only when the baseline changed */
	if (ids->link_gen != ids->bl->gen) {
		unsigned int i, save = ids->line;

		for (i = 0; i < BL_LINES; i++) {
			uint32_t v;

			ids->line = (uint8_t)i;
			v = learned(ids, BL_RATE_FRAMES, NULL);
			ids->link_limit[i] = v ? v * LINK_FACTOR + LINK_SLACK : 0;
		}
		ids->line = (uint8_t)save;
		ids->link_gen = ids->bl->gen;
	}
	if (ids->link_limit[l])
		ids_flood(ids, &ids->link[l], ids->link_limit[l],
			  ALERT_R_NET_LINK_FLOOD, NULL,
			  "line frames (4 x learned + 1000)");
}

static void check_rate(struct ids *ids, unsigned int rate)
{
	struct station *s = ids_station(ids, ids->d->src, true);
	uint32_t limit;

	if (!s)
		return;
	limit = learned(ids, rate, ids->d->src) * RATE_FACTOR + RATE_SLACK;
	if (rate == BL_RATE_DCP)
		ids_flood(ids, &s->dcp_bl, limit, ALERT_R_PN_DCP_RATE, s->mac,
			  "DCP requests (2 x learned + 10)");
	else
		ids_flood(ids, &s->arp_bl, limit, ALERT_R_ARP_RATE, s->mac,
			  "ARP frames (2 x learned + 10)");
}

/*
 * "A, B" (+N more): the line's masters in the baseline, for the alert
 * that names the master they were replaced by.  Looked up once per
 * baseline change and line (the table is large; the frames of a new
 * master are many), kept in ids->old_masters.
 */
static const char *old_masters(struct ids *ids)
{
	const struct baseline *bl = ids->bl;
	char mac[18];
	size_t i, n = 0, len = 0;

	if (ids->old_masters_gen == bl->gen + 1 &&
	    ids->old_masters_line == ids->line)
		return ids->old_masters;
	ids->old_masters[0] = '\0';
	for (i = 0; bl->tab && i < BL_MAX; i++) {
		const struct bl_entry *e = &bl->tab[i];

		if (!e->used || e->kind != BL_MASTER || e->line != ids->line)
			continue;
		if (n++ < 2) {
			mac_str(e->a, mac, sizeof(mac));
			len += (size_t)snprintf(ids->old_masters + len,
						sizeof(ids->old_masters) - len,
						"%s%s", n > 1 ? ", " : "", mac);
		}
	}
	if (n > 2)
		snprintf(ids->old_masters + len, sizeof(ids->old_masters) - len,
			 " (+%zu more)", n - 2);
	ids->old_masters_gen = bl->gen + 1;
	ids->old_masters_line = ids->line;
	return ids->old_masters;
}

/*
 * EtherCAT: true when the frame's master is not in the baseline.  A line
 * whose baseline has a master got another one: the alert names both MACs
 * and the line, and concerns the new master's device.
 */
static bool check_master(struct ids *ids)
{
	const struct decoded *d = ids->d;
	struct bl_entry p;
	char detail[ALERT_DETAIL_MAX], mac[18];
	const char *line;

	probe(&p, BL_MASTER, ids->line);
	memcpy(p.a, d->src, 6);
	p.a[0] &= (uint8_t)~0x02;
	if (baseline_find(ids->bl, &p))
		return false;
	if ((d->src[0] & 0x02) || ids_engineering(ids, p.a))
		return true;
	mac_str(p.a, mac, sizeof(mac));
	line = ids->bl->lines[ids->line];
	if (ids->bl->masters[ids->line] > 0) {
		snprintf(detail, sizeof(detail), "%s instead of %s on line %s",
			 mac, old_masters(ids), line);
		ids_raise(ids, ALERT_R_ECAT_MASTER_CHANGED, 0, d->src, d->dst,
			  d->src, NULL, ids_mac_key(p.a), detail);
		return true;
	}
	snprintf(detail, sizeof(detail), "%s on line %s, whose baseline has "
		 "no master", mac, line);
	ids_raise(ids, ALERT_R_ECAT_MASTER_UNKNOWN, 0, d->src, d->dst, d->src,
		  NULL, ids_mac_key(p.a), detail);
	return true;
}

/* cyclic RT: true when an alert was raised */
static bool check_ar(struct ids *ids, bool pair_known)
{
	const struct decoded *d = ids->d;
	struct bl_entry p, *e;
	char detail[96], src[18];
	uint64_t key;

	probe(&p, BL_AR, ids->line);
	memcpy(p.b, d->dst, 6);
	p.id = d->pn.frame_id;
	e = baseline_find(ids->bl, &p);
	key = ids_mac_key(d->dst) ^ (uint64_t)d->pn.frame_id << 48;
	if (e && !memcmp(e->a, d->src, 6))
		return false;
	if (e) {
		mac_str(e->a, src, sizeof(src));
		snprintf(detail, sizeof(detail), "FrameID 0x%04x, whose AR "
			 "peer in the baseline is %s", d->pn.frame_id, src);
		ids_raise(ids, ALERT_R_PN_RT_FOREIGN, 0, d->src, d->dst,
			  d->dst, NULL, key, detail);
		return true;
	}
	if (!pair_known)
		return false;
	snprintf(detail, sizeof(detail), "FrameID 0x%04x", d->pn.frame_id);
	ids_raise(ids, ALERT_R_PN_FRAME_ID_NEW, 0, d->src, d->dst, d->dst,
		  NULL, key, detail);
	return true;
}

/*
 * A cyclic frame of a pair (ids->pair) whose FrameID this baseline
 * passed before: the same look-ups would pass it again, so they are made
 * once per pair, FrameID and baseline change, not on every cycle.
 */
static bool passed(struct ids *ids)
{
	const struct pair *c = ids->pair;
	const struct decoded *d = ids->d;

	return c && c->bl_gen == ids->bl->gen + 1 && c->line == ids->line &&
	       c->frame_id == d->pn.frame_id && c->ethertype == d->ethertype;
}

static void pass(struct ids *ids)
{
	struct pair *c = ids->pair;

	if (!c)
		return;
	c->bl_gen = ids->bl->gen + 1;
	c->line = ids->line;
	c->frame_id = ids->d->pn.frame_id;
	c->ethertype = ids->d->ethertype;
}

static void check_pair(struct ids *ids)
{
	const struct decoded *d = ids->d;
	bool cyc = cyclic(d);
	struct bl_entry p;
	char detail[64];
	bool known;

	if (cyc && passed(ids))
		return;
	probe(&p, BL_PAIR, ids->line);
	memcpy(p.a, d->src, 6);
	memcpy(p.b, d->dst, 6);
	p.ethertype = d->ethertype;
	known = baseline_find(ids->bl, &p) != NULL;
	if (cyc && check_ar(ids, known))
		return;
	/* known and, when cyclic, from the AR's source in the baseline */
	if (known && cyc)
		pass(ids);
	if (known || ids_engineering(ids, d->src))
		return;
	snprintf(detail, sizeof(detail), "ethertype 0x%04x%s", d->ethertype,
		 d->proto == DECODE_PN_DCP ? ", DCP" : cyclic(d) ?
		 ", cyclic RT" : "");
	ids_raise(ids, ALERT_R_NET_PAIR_NEW, 0, d->src, d->dst,
		  d->src[0] & 1 ? d->dst : d->src, NULL,
		  ids_mac_key(d->src) * 31 ^ ids_mac_key(d->dst) ^
		  (uint64_t)d->ethertype << 48, detail);
}

static void protect(struct ids *ids)
{
	const struct decoded *d = ids->d;

	check_link(ids);
	if (d->anomalies & DECODE_ABIT(ETH_TRUNCATED))
		return;
	if (d->proto == DECODE_ECAT && check_master(ids))
		return;
	check_pair(ids);
	if (dcp_request(ids))
		check_rate(ids, BL_RATE_DCP);
	else if (d->ethertype == ETHERTYPE_ARP)
		check_rate(ids, BL_RATE_ARP);
}

void ids_baseline_frame(struct ids *ids)
{
	if (ids->bl->state == BL_LEARNING)
		learn(ids);
	if (ids->bl->state == BL_PROTECTING)
		protect(ids);
}

/* ---- control ------------------------------------------------------------- */

void ids_baseline_learn(struct ids *ids, uint64_t ns, bool fresh)
{
	struct baseline *bl = ids->bl;

	if (fresh)
		baseline_clear(bl);
	if (!ns) {
		bl->state = bl->n ? BL_PROTECTING : BL_NONE;
		bl->gen++;
		return;
	}
	bl->learn_ns = ns;
	bl->from_ns = 0;
	bl->until_ns = 0;
	bl->state = BL_LEARNING;
	bl->gen++;
}

struct baseline *ids_baseline(struct ids *ids)
{
	return ids->bl;
}

void ids_set_line(struct ids *ids, const char *name)
{
	ids->line = (uint8_t)baseline_line(ids->bl, name);
}
