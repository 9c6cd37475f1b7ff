/*
 * Read-only copies of a model for readers on other threads (capture's
 * snapshots, docs/architecture.md "Threads in iiotd").  A copy holds what
 * the read API shows: devices, links with their jitter windows, signals
 * and counters; no per-frame private state and no lookup table (lookups by
 * MAC scan the devices instead).
 *
 * The copying runs on the thread that owns the model, between drain
 * turns, so it is kept small: a copy is refreshed in place from a retired
 * one (no allocation, no page faults), and of the signals, whose
 * definitions are most of their bytes, only the changing fields are
 * copied: the definitions are shared (struct model_sigdefs).  Link
 * statistics are left to model_snapshot_finish(), which a reader runs.
 */
#include <stdlib.h>
#include <string.h>

#include "model/model_int.h"

/* Room for n elements of size sz at *p (capacity *cap); 0 or -1. */
static int room(void **p, size_t *cap, size_t n, size_t sz)
{
	void *np;

	if (n <= *cap && *p)
		return 0;
	np = realloc(*p, (n ? n : 1) * sz);
	if (!np)
		return -1;
	*p = np;
	*cap = n ? n : 1;
	return 0;
}

static int copy_links(struct model *s, const struct model *m)
{
	size_t i, had = s->caplinks, cap = s->caplinks;

	if (room((void **)&s->links, &cap, m->nlinks, sizeof(*s->links)))
		return -1;
	cap = had;
	if (room((void **)&s->lpriv, &cap, m->nlinks, sizeof(*s->lpriv)))
		return -1;
	/* windows of a retired copy stay allocated; new slots start bare */
	for (i = had; i < cap; i++)
		s->lpriv[i].win = NULL;
	s->caplinks = cap;
	if (m->nlinks)
		memcpy(s->links, m->links, m->nlinks * sizeof(*s->links));
	for (i = 0; i < m->nlinks; i++) {
		struct mlink_priv *p = &s->lpriv[i];
		const struct mlink_priv *o = &m->lpriv[i];
		uint32_t *win = p->win;

		*p = *o;
		p->win = win;
		if (!o->win)
			continue;
		if (!p->win) {
			p->win = malloc(MODEL_JITTER_WINDOW * sizeof(*p->win));
			if (!p->win)
				return -1;
		}
		memcpy(p->win, o->win, MODEL_JITTER_WINDOW * sizeof(*p->win));
	}
	s->nlinks = m->nlinks;
	return 0;
}

void model_sigdefs_drop(struct model_sigdefs *d)
{
	if (d && __atomic_sub_fetch(&d->refs, 1, __ATOMIC_ACQ_REL) == 0)
		free(d);
}

/*
 * Signal definitions are 392 B each and do not change while a mapping is
 * loaded: the copies share the model's own table (struct model_sigdefs)
 * and keep 32 B a signal of their own (10,000 signals, four copies live:
 * 15.7 MB before, 1.3 MB beside the model's 3.9 MB).
 */
static int copy_signals(struct model *s, struct model *m)
{
	struct model_sigdefs *d = m->nsigs ? m->defs : NULL;
	size_t i;

	if (room((void **)&s->sst, &s->capsigs, m->nsigs, sizeof(*s->sst)))
		return -1;
	if (s->defs != d) {
		if (d)
			__atomic_add_fetch(&d->refs, 1, __ATOMIC_RELAXED);
		model_sigdefs_drop(s->defs);
		s->defs = d;
	}
	for (i = 0; i < m->nsigs; i++) {
		struct model_sigstate *st = &s->sst[i];
		const struct model_signal *o = &m->sigs[i];

		st->dev_id = o->dev_id;
		st->samples = o->samples;
		st->last_ns = o->last_ns;
		st->last = o->last;
	}
	s->nsigs = m->nsigs;
	s->sig_gen = m->sig_gen;
	return 0;
}

static int copy_devices(struct model *s, const struct model *m)
{
	size_t i, cap = s->capdevs;

	if (room((void **)&s->devs, &cap, m->ndevs, sizeof(*s->devs)))
		return -1;
	cap = s->capdevs;
	if (room((void **)&s->dpriv, &cap, m->ndevs, sizeof(*s->dpriv)))
		return -1;
	cap = s->capdevs;
	if (room((void **)&s->vis, &cap, m->ndevs, sizeof(*s->vis)))
		return -1;
	s->capdevs = cap;
	if (!s->mst && !(s->mst = calloc(MODEL_MAX_MASTERS, sizeof(*s->mst))))
		return -1;
	if (m->ndevs) {
		memcpy(s->devs, m->devs, m->ndevs * sizeof(*s->devs));
		/* pointers in it stay the model's: never freed here */
		memcpy(s->dpriv, m->dpriv, m->ndevs * sizeof(*s->dpriv));
	}
	if (m->nvis)
		memcpy(s->vis, m->vis, m->nvis * sizeof(*s->vis));
	/*
	 * Written only when they differ: a master is 18 KB and these two
	 * fields a page of it, so a write to an unused master's (zeros, read
	 * from the shared zero page) would make 64 pages resident a copy.
	 */
	for (i = 0; i < MODEL_MAX_MASTERS; i++) {
		if (s->mst[i].ring_len != m->mst[i].ring_len)
			s->mst[i].ring_len = m->mst[i].ring_len;
		if (s->mst[i].len_votes != m->mst[i].len_votes)
			s->mst[i].len_votes = m->mst[i].len_votes;
	}
	s->ndevs = m->ndevs;
	s->nvis = m->nvis;
	return 0;
}

struct model *model_snapshot(struct model *m, struct model *reuse)
{
	struct model *s = reuse ? reuse : calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->opts = m->opts;
	s->ctr = m->ctr;
	s->sample_interval_ns = m->sample_interval_ns;
	memcpy(s->masters, m->masters, sizeof(s->masters));
	s->nmasters = m->nmasters;
	s->rx_now = m->rx_now;
	s->last_ts = m->last_ts;
	model_aliases_share(s, m);
	if (copy_devices(s, m) || copy_links(s, m) || copy_signals(s, m) ||
	    model_nbr_copy(s, m)) {
		/* a failed refresh leaves a copy nobody may read: drop it */
		if (!reuse)
			model_snapshot_free(s);
		return NULL;
	}
	return s;
}

void model_snapshot_finish(struct model *s, const struct model *prev)
{
	size_t i;

	for (i = 0; i < s->nlinks; i++) {
		struct model_link *l = &s->links[i];
		const struct model_link *o = prev && i < prev->nlinks ?
					     &prev->links[i] : NULL;

		if (o && o->frames == l->frames) {
			/* nothing new on the link: no need to sort again */
			l->period_ns = o->period_ns;
			l->jitter_p50_ns = o->jitter_p50_ns;
			l->jitter_p99_ns = o->jitter_p99_ns;
			l->jitter_max_ns = o->jitter_max_ns;
		} else {
			s->lpriv[i].stats_at = 0;
			model_link_at(s, i);
		}
		/* "since first seen": the live model never sorts its windows */
		if (o && o->jitter_max_all_ns > l->jitter_max_all_ns)
			l->jitter_max_all_ns = o->jitter_max_all_ns;
		s->lpriv[i].stats_at = l->frames;
	}
}

void model_snapshot_free(struct model *s)
{
	size_t i;

	if (!s)
		return;
	for (i = 0; s->lpriv && i < s->caplinks; i++)
		free(s->lpriv[i].win);
	free(s->devs);
	free(s->dpriv);
	free(s->vis);
	free(s->mst);
	free(s->links);
	free(s->lpriv);
	free(s->sst);
	free(s->nbrs);
	model_sigdefs_drop(s->defs);
	model_aliases_drop(s->aliases);
	free(s);
}
