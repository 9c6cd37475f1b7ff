/*
 * Link statistics as series (linkhist.h): slots by link key in an open-
 * addressed table, the counters of each live link at its last sample for
 * the deltas.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/hash.h"
#include "diag/diag.h"
#include "diag/linkhist.h"
#include "model/model.h"

_Static_assert(LINKHIST_BASE > MODEL_MAX_SIGNALS, "series ids above signals");

#define TABLE	(LINKHIST_SLOTS * 2)	/* power of two, half full at most */

struct lslot {
	char key[LINKHIST_KEY_MAX];	/* "" free */
	uint32_t slot;
};

/* what a slave's slot was at its last sample */
struct slast {
	uint64_t reads, rx[4], lost;
	bool seen;
};

#define SLAVE_PREFIX	"ecatslave:"

/* what a live link (model id) was at its last sample */
struct llast {
	uint64_t frames, lost, wkc;
	bool seen;
};

struct linkhist {
	struct lslot tab[TABLE];
	uint32_t nslots;
	uint64_t full;
	struct llast last[MODEL_MAX_LINKS + 1];
	struct slast slast[LINKHIST_SLOTS];
	uint8_t slave[LINKHIST_SLOTS];	/* the slot is a slave's */
};

static const char *const names[LH_COUNT] = {
	"period_us", "jitter_p50_us", "jitter_p99_us", "jitter_max_us",
	"lost", "wkc_errors",
};
static const char *const units[LH_COUNT] = {
	"µs", "µs", "µs", "µs", "frames", "datagrams",
};

static const char *const snames[LHS_COUNT] = {
	"rx_errors_p0", "rx_errors_p1", "rx_errors_p2", "rx_errors_p3",
	"lost_links", "dc_diff_ns",
};
static const char *const sunits[LHS_COUNT] = {
	"errors", "errors", "errors", "errors", "links", "ns",
};

bool linkhist_is_slave_key(const char *key)
{
	return !strncmp(key, SLAVE_PREFIX, strlen(SLAVE_PREFIX));
}

const char *linkhist_slave_metric_name(unsigned int metric)
{
	return metric < LHS_COUNT ? snames[metric] : NULL;
}

const char *linkhist_unit_of(const struct linkhist *h, uint32_t id)
{
	uint32_t slot, m;

	if (id < LINKHIST_BASE ||
	    id >= LINKHIST_BASE + LINKHIST_METRICS * LINKHIST_SLOTS)
		return NULL;
	slot = (id - LINKHIST_BASE) / LINKHIST_METRICS;
	m = (id - LINKHIST_BASE) % LINKHIST_METRICS;
	if (slot >= h->nslots)
		return NULL;
	if (h->slave[slot])
		return m < LHS_COUNT ? sunits[m] : NULL;
	return m < LH_COUNT ? units[m] : NULL;
}

struct linkhist *linkhist_new(void)
{
	return calloc(1, sizeof(struct linkhist));
}

void linkhist_free(struct linkhist *h)
{
	free(h);
}

const char *linkhist_metric_name(unsigned int metric)
{
	return metric < LH_COUNT ? names[metric] : NULL;
}

const char *linkhist_metric_unit(unsigned int metric)
{
	return metric < LH_COUNT ? units[metric] : NULL;
}

int linkhist_metric_of(uint32_t id)
{
	uint32_t m;

	if (id < LINKHIST_BASE ||
	    id >= LINKHIST_BASE + LINKHIST_METRICS * LINKHIST_SLOTS)
		return -1;
	m = (id - LINKHIST_BASE) % LINKHIST_METRICS;
	return m < LH_COUNT ? (int)m : -1;
}

/* the entry of key, or the free one where it would go */
static struct lslot *find(struct linkhist *h, const char *key)
{
	uint32_t i = fnv1a32_str(key) & (TABLE - 1), n;

	for (n = 0; n < TABLE; n++, i = (i + 1) & (TABLE - 1))
		if (!h->tab[i].key[0] || !strcmp(h->tab[i].key, key))
			return &h->tab[i];
	return NULL;		/* never: at most half full */
}

bool linkhist_load(struct linkhist *h, uint32_t id, const char *metric,
		   const char *key)
{
	int m = linkhist_metric_of(id);
	bool slave = linkhist_is_slave_key(key);
	uint32_t slot, sm = (id - LINKHIST_BASE) % LINKHIST_METRICS;
	struct lslot *e;

	if (slave)
		m = id >= LINKHIST_BASE && sm < LHS_COUNT &&
		    id < LINKHIST_BASE + LINKHIST_METRICS * LINKHIST_SLOTS ?
		    (int)sm : -1;
	if (m < 0 || strcmp(metric, slave ? snames[m] : names[m]) ||
	    !key[0] || strlen(key) >= LINKHIST_KEY_MAX)
		return false;
	slot = (id - LINKHIST_BASE) / LINKHIST_METRICS;
	h->slave[slot] = slave;
	e = find(h, key);
	if (!e->key[0]) {
		snprintf(e->key, sizeof(e->key), "%s", key);
		e->slot = slot;
	}
	if (slot >= h->nslots)
		h->nslots = slot + 1;
	return true;
}

bool linkhist_key(struct model *m, const struct model_link *l, char *buf,
		  size_t len)
{
	const struct model_device *d = model_device_get(m, l->src);

	if (!d || !(d->has & MODEL_HAS_MAC))
		return false;
	if (l->kind == MODEL_LINK_ECAT)
		snprintf(buf, len, "ecat:%02x:%02x:%02x:%02x:%02x:%02x:0x%08x",
			 d->mac[0], d->mac[1], d->mac[2], d->mac[3], d->mac[4],
			 d->mac[5], l->lad);
	else
		snprintf(buf, len, "pn:%02x:%02x:%02x:%02x:%02x:%02x:0x%04x",
			 d->mac[0], d->mac[1], d->mac[2], d->mac[3], d->mac[4],
			 d->mac[5], l->frame_id);
	return true;
}

/* the slot of key; a new one (add) has its series defined first */
static const struct lslot *key_slot(struct linkhist *h, const char *key,
				    bool add, const struct linkhist_sink *sink)
{
	bool slave = linkhist_is_slave_key(key);
	const char *const *nm = slave ? snames : names;
	const char *const *un = slave ? sunits : units;
	unsigned int k, nk = slave ? LHS_COUNT : LH_COUNT;
	struct lslot *e = find(h, key);

	if (e->key[0])
		return e;
	if (!add)
		return NULL;
	if (h->nslots >= LINKHIST_SLOTS) {
		h->full++;
		return NULL;
	}
	snprintf(e->key, sizeof(e->key), "%s", key);
	e->slot = h->nslots++;
	h->slave[e->slot] = slave;
	for (k = 0; k < nk && sink && sink->define; k++)
		sink->define(sink->arg, LINKHIST_BASE + e->slot *
			     LINKHIST_METRICS + k, nm[k], key, un[k]);
	return e;
}

static const struct lslot *slot_of(struct linkhist *h, struct model *m,
				   const struct model_link *l, bool add,
				   const struct linkhist_sink *sink)
{
	char key[LINKHIST_KEY_MAX];

	if (!linkhist_key(m, l, key, sizeof(key)))
		return NULL;
	return key_slot(h, key, add, sink);
}

uint32_t linkhist_series(struct linkhist *h, struct model *m,
			 const struct model_link *l, unsigned int metric)
{
	const struct lslot *e = metric < LH_COUNT ?
				slot_of(h, m, l, false, NULL) : NULL;

	return e ? LINKHIST_BASE + e->slot * LINKHIST_METRICS + metric : 0;
}

uint64_t linkhist_full(const struct linkhist *h)
{
	return h->full;
}

size_t linkhist_sample(struct linkhist *h, struct model *m, uint64_t ts_ns,
		       const struct linkhist_sink *sink)
{
	size_t i, n = model_link_count(m), out = 0;
	const struct lslot *e;
	double v[LH_COUNT];
	unsigned int k, nk;

	for (i = 0; i < n; i++) {
		const struct model_link *l = model_link_at(m, i);
		struct llast *p;

		if (!l->id || l->id > MODEL_MAX_LINKS)
			continue;
		p = &h->last[l->id];
		/* a link without new frames has nothing new to say: its
		 * chart shows a gap, not its last values again */
		if (p->seen && l->frames == p->frames)
			continue;
		if (!l->period_ns || !(e = slot_of(h, m, l, true, sink))) {
			p->seen = false;
			continue;
		}
		v[LH_PERIOD] = (double)l->period_ns / 1000.0;
		v[LH_JITTER_P50] = (double)l->jitter_p50_ns / 1000.0;
		v[LH_JITTER_P99] = (double)l->jitter_p99_ns / 1000.0;
		v[LH_JITTER_MAX] = (double)l->jitter_max_ns / 1000.0;
		/* the first sample of a link starts its deltas */
		v[LH_LOST] = p->seen && l->lost >= p->lost ?
			     (double)(l->lost - p->lost) : 0;
		v[LH_WKC_ERRORS] = p->seen && l->wkc_errors >= p->wkc ?
				   (double)(l->wkc_errors - p->wkc) : 0;
		nk = l->kind == MODEL_LINK_ECAT ? LH_COUNT : LH_WKC_ERRORS;
		for (k = 0; k < nk; k++)
			if (sink->sample(sink->arg, LINKHIST_BASE + e->slot *
					 LINKHIST_METRICS + k, ts_ns, v[k]))
				out++;
		p->frames = l->frames;
		p->lost = l->lost;
		p->wkc = l->wkc_errors;
		p->seen = true;
	}
	return out;
}

uint32_t linkhist_slave_series(struct linkhist *h, const uint8_t master[6],
			       uint16_t station, unsigned int metric)
{
	char key[LINKHIST_KEY_MAX];
	const struct lslot *e;

	if (metric >= LHS_COUNT)
		return 0;
	diag_slave_key(master, station, key, sizeof(key));
	e = key_slot(h, key, false, NULL);
	return e ? LINKHIST_BASE + e->slot * LINKHIST_METRICS + metric : 0;
}

void linkhist_each(const struct linkhist *h,
		   void (*cb)(void *arg, const char *key, bool slave,
			      uint32_t base),
		   void *arg)
{
	size_t i;

	for (i = 0; i < TABLE; i++)
		if (h->tab[i].key[0])
			cb(arg, h->tab[i].key, h->slave[h->tab[i].slot],
			   LINKHIST_BASE + h->tab[i].slot * LINKHIST_METRICS);
}

/* the rise of a cumulative count since the last sample; 0 the first */
static double rise(bool seen, uint64_t was, uint64_t now)
{
	return seen && now >= was ? (double)(now - was) : 0;
}

size_t linkhist_sample_slaves(struct linkhist *h,
			      const struct diag_slave_stat *st, size_t n,
			      uint64_t ts_ns, const struct linkhist_sink *sink)
{
	char key[LINKHIST_KEY_MAX];
	const struct lslot *e;
	double v[LHS_COUNT];
	unsigned int k, nk;
	size_t i, out = 0;

	for (i = 0; i < n; i++) {
		const struct diag_slave_stat *s = &st[i];
		struct slast *p;

		diag_slave_key(s->master, s->station, key, sizeof(key));
		if (!(e = key_slot(h, key, true, sink)))
			continue;
		p = &h->slast[e->slot];
		/* an idle slave has nothing new to say */
		if (p->seen && s->reads == p->reads)
			continue;
		for (k = 0; k < 4; k++)
			v[LHS_RX_P0 + k] = rise(p->seen, p->rx[k], s->rx[k]);
		v[LHS_LOST_LINKS] = rise(p->seen, p->lost, s->lost_links);
		v[LHS_DC_DIFF] = (double)s->dc_diff;
		nk = s->dc_known ? LHS_COUNT : LHS_DC_DIFF;
		for (k = 0; k < nk; k++)
			if (sink->sample(sink->arg, LINKHIST_BASE + e->slot *
					 LINKHIST_METRICS + k, ts_ns, v[k]))
				out++;
		memcpy(p->rx, s->rx, sizeof(p->rx));
		p->lost = s->lost_links;
		p->reads = s->reads;
		p->seen = true;
	}
	return out;
}
