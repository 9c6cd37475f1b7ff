/*
 * Fault prediction on cyclic links (docs/diagnostics.md, "Prediction"):
 * once a minute of frame time, each link of the model that had frames
 * gives its trends one sample each, the wrong working counters and the
 * lost frames of that minute (per minute) and its jitter p99 (µs), and a
 * trend that will cross its limit within the horizon raises a predicted
 * alert on the link's sender.
 *
 * The limits: [diag] wkc_limit and lost_limit per minute, jitter over
 * jitter_pct of the period (half of it by default, the PROFINET
 * planning guideline's fault).  A minute is the sample because the
 * counters are small integers and jitter p99 is itself a window's
 * statistic: faster samples would fit their noise.  The scan is O(links)
 * once a minute, never per frame.
 */
#include <string.h>

#include "alerts/alerts.h"
#include "diag/diag_int.h"
#include "diag/linkhist.h"
#include "model/model.h"

static const struct {
	const char *what, *unit;
	unsigned int seed;
	const char *metric, *fit_unit;	/* the fitted line's */
} ind[DL_COUNT] = {
	[DL_WKC] = { "wrong working counters", "/min", DSEED_LINK_WKC,
		     "wkc_errors", "/min" },
	[DL_LOST] = { "lost frames", "/min", DSEED_LINK_LOST, "lost", "/min" },
	[DL_JITTER] = { "jitter p99", " µs", DSEED_LINK_JITTER,
			"jitter_p99_us", "us" },
};

static unsigned int mix(uint32_t k)
{
	k *= 0x9E3779B1U;
	return (k ^ k >> 16) & (DIAG_LINKS - 1);
}

/* the trends of link l; a new one takes what the history seeded */
static struct dlink *link_of(struct diag *dg, const struct model_link *l)
{
	unsigned int i = mix(l->id), n, k;
	char key[LINKHIST_KEY_MAX];
	const struct trend *t;
	struct dlink *e;

	for (n = 0; n < DIAG_LINKS; n++, i = (i + 1) & (DIAG_LINKS - 1)) {
		e = &dg->lk[i];
		if (e->id == l->id)
			return e;
		if (!e->id)
			break;
	}
	if (n == DIAG_LINKS || dg->nlk >= DIAG_LINKS * 3 / 4) {
		dg->ctr.links_full++;
		return NULL;
	}
	memset(e, 0, sizeof(*e));
	e->id = l->id;
	e->frames = l->frames;
	e->lost = l->lost;
	e->wkc = l->wkc_errors;
	dg->nlk++;
	if (dg->nseeds && linkhist_key(dg->m, l, key, sizeof(key)))
		for (k = 0; k < DL_COUNT; k++)
			if ((t = diag_seed_get(dg, key, ind[k].seed)))
				e->t[k] = *t;
	return e;
}

/* "LRW 0x00010000" or "FrameID 0x8001" */
static void link_name(const struct model_link *l, char *buf, size_t len)
{
	if (l->kind == MODEL_LINK_ECAT)
		diag_fmt(buf, len, "link %u (logical 0x%08x)", l->id, l->lad);
	else
		diag_fmt(buf, len, "link %u (FrameID 0x%04x)", l->id,
			 l->frame_id);
}

static void predicted(struct diag *dg, const struct model_link *l,
		      unsigned int k, double limit, const struct trend_pred *p)
{
	const struct model_device *src = model_device_get(dg->m, l->src);
	char detail[ALERT_DETAIL_MAX], ev[DIAG_EVIDENCE_MAX], name[48];
	struct diag_fit fit;

	if (!src || !(src->has & MODEL_HAS_MAC))
		return;
	link_name(l, name, sizeof(name));
	diag_fmt(detail, sizeof(detail), "%s of %s reach%s %.0f%s in %.0f min "
		 "(%.0f-%.0f)", ind[k].what, name, k == DL_JITTER ? "es" : "",
		 limit, ind[k].unit, p->eta / 60, p->eta_lo / 60,
		 p->eta_hi / 60);
	diag_fmt(ev, sizeof(ev), "Theil-Sen fit of the %s of %s over %u samples "
		 "of a minute (%.0f s): now %.2f%s, rising %.3f%s per min "
		 "(quartiles %.3f-%.3f)", ind[k].what, name, p->f.n,
		 (double)p->f.span_ns / 1e9, p->f.last, ind[k].unit,
		 p->f.slope * 60, ind[k].unit, p->f.slope_lo * 60,
		 p->f.slope_hi * 60);
	trend_fit_out(p, 1, limit, ind[k].metric, ind[k].fit_unit, &fit, ev,
		      sizeof(ev));
	diag_emit_fit(dg, &fit);
	/* one alert per link and indicator, apart from the slaves' */
	diag_emit_dev(dg, ALERT_R_DIAG_PREDICTED, src->mac,
		      1ULL << 62 | (uint64_t)l->id << 8 | k, false, detail, ev);
}

static void link_minute(struct diag *dg, const struct model_link *l,
			double minutes)
{
	struct dlink *e = link_of(dg, l);
	double v[DL_COUNT], limit[DL_COUNT];
	struct trend_pred p;
	unsigned int k;

	if (!e || l->frames == e->frames)
		return;
	/* counters that went back (a link re-learnt) start again */
	v[DL_WKC] = l->wkc_errors >= e->wkc ?
		    (double)(l->wkc_errors - e->wkc) / minutes : 0;
	v[DL_LOST] = l->lost >= e->lost ?
		     (double)(l->lost - e->lost) / minutes : 0;
	v[DL_JITTER] = (double)l->jitter_p99_ns / 1000.0;
	limit[DL_WKC] = dg->o.wkc_limit;
	limit[DL_LOST] = dg->o.lost_limit;
	limit[DL_JITTER] = (double)l->period_ns / 1000.0 * dg->o.jitter_pct /
			   100.0;
	e->frames = l->frames;
	e->wkc = l->wkc_errors;
	e->lost = l->lost;
	for (k = 0; k < DL_COUNT; k++) {
		if (k == DL_WKC && l->kind != MODEL_LINK_ECAT)
			continue;
		if (k == DL_JITTER && !l->period_ns)
			continue;
		trend_add(&e->t[k], dg->ts, v[k]);
		if (trend_predict(&e->t[k], limit[k], dg->o.horizon_ns, &p))
			predicted(dg, l, k, limit[k], &p);
	}
}

void diag_links(struct diag *dg)
{
	size_t i, n;
	double minutes;

	if (!dg->m)
		return;
	if (!dg->link_tick || dg->ts < dg->link_tick) {
		dg->link_tick = dg->ts ? dg->ts : 1;
		/* the first tick only sets where the counts start */
		n = model_link_count(dg->m);
		for (i = 0; i < n; i++)
			link_of(dg, model_link_at(dg->m, i));
		return;
	}
	if (dg->ts - dg->link_tick < DIAG_RATE_NS)
		return;
	minutes = (double)(dg->ts - dg->link_tick) / 60e9;
	dg->link_tick = dg->ts;
	n = model_link_count(dg->m);
	for (i = 0; i < n; i++)
		link_minute(dg, model_link_at(dg->m, i), minutes);
}
