/*
 * The trends' memory across a restart (docs/diagnostics.md,
 * "Prediction"): iiotd reads the last minutes of each stored series of
 * the history (linkhist.h) and seeds the trend of the same indicator
 * here before capture hands diag its first frame; a slave or link takes
 * its seeded trend when diag first meets it.  And the other way, what
 * the history keeps of each slave, copied out on the capture thread.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag/diag_int.h"
#include "diag/linkhist.h"

void diag_slave_key(const uint8_t master[6], uint16_t station, char *buf,
		    size_t len)
{
	snprintf(buf, len, "ecatslave:%02x:%02x:%02x:%02x:%02x:%02x:0x%04x",
		 master[0], master[1], master[2], master[3], master[4],
		 master[5], station);
}

/* the indicator a stored series feeds, -1 none */
static int seed_what(unsigned int metric, bool slave)
{
	if (slave) {
		if (metric < LHS_RX_P0 + DIAG_PORTS)
			return DSEED_PORT0 + (int)(metric - LHS_RX_P0);
		return metric == LHS_DC_DIFF ? DSEED_DC : -1;
	}
	switch (metric) {
	case LH_WKC_ERRORS:
		return DSEED_LINK_WKC;
	case LH_LOST:
		return DSEED_LINK_LOST;
	case LH_JITTER_P99:
		return DSEED_LINK_JITTER;
	}
	return -1;
}

static struct dseed *seed_find(const struct diag *dg, const char *key,
			       unsigned int what)
{
	size_t i;

	for (i = 0; i < dg->nseeds; i++)
		if (dg->seeds[i].what == what && !strcmp(dg->seeds[i].key, key))
			return &dg->seeds[i];
	return NULL;
}

int diag_seed(struct diag *dg, const char *key, unsigned int metric,
	      bool slave, uint64_t ts_ns, double avg, uint64_t count)
{
	int what = seed_what(metric, slave);
	struct dseed *e;
	double v;

	if (what < 0 || strlen(key) >= sizeof(e->key))
		return -1;
	e = seed_find(dg, key, (unsigned int)what);
	if (!e) {
		if (!dg->seeds &&
		    !(dg->seeds = calloc(DIAG_SEEDS, sizeof(*dg->seeds))))
			return -1;
		if (dg->nseeds >= DIAG_SEEDS)
			return -1;
		e = &dg->seeds[dg->nseeds++];
		snprintf(e->key, sizeof(e->key), "%s", key);
		e->what = (uint8_t)what;
	}
	/* in the trends' units: counts per minute (a minute's sum), the
	 * ESC rate per second, the DC difference's magnitude */
	if (what == DSEED_LINK_JITTER)
		v = avg;
	else if (what == DSEED_DC)
		v = avg < 0 ? -avg : avg;
	else if (what >= DSEED_PORT0)
		v = avg * (double)count / 60.0;
	else
		v = avg * (double)count;
	trend_add(&e->t, ts_ns, v);
	dg->ctr.seeds++;
	return 0;
}

const struct trend *diag_seed_get(const struct diag *dg, const char *key,
				  unsigned int what)
{
	const struct dseed *e = seed_find(dg, key, what);

	return e ? &e->t : NULL;
}

void diag_seed_slave(struct diag *dg, struct dslave *s)
{
	char key[48];
	const struct trend *t;
	unsigned int p;

	diag_slave_key(dg->ms[s->ms].mac, s->station, key, sizeof(key));
	for (p = 0; p < DIAG_PORTS; p++)
		if ((t = diag_seed_get(dg, key, DSEED_PORT0 + p)))
			s->rate[p] = *t;
	if ((t = diag_seed_get(dg, key, DSEED_DC)))
		s->dc = *t;
}

size_t diag_slave_stats(const struct diag *dg, struct diag_slave_stat *out,
			size_t max)
{
	size_t i, n = 0;
	unsigned int p;

	for (i = 0; i < DIAG_SLAVES && n < max; i++) {
		const struct dslave *s = &dg->sl[i];
		struct diag_slave_stat *o = &out[n];

		if (!s->key || !s->reads)
			continue;
		memcpy(o->master, dg->ms[s->ms].mac, 6);
		o->station = s->station;
		o->reads = s->reads;
		for (p = 0; p < DIAG_PORTS; p++)
			o->rx[p] = s->own_total[p];
		o->lost_links = s->lost_total;
		o->dc_diff = s->dc_diff;
		o->dc_known = s->dc_known;
		n++;
	}
	return n;
}
