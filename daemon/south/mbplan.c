/*
 * Coalescing a scan class's points into reads (mbpoint.h).  Per area the
 * points are sorted by address and a read starts at the first point not
 * yet covered and takes every following point while the read stays within
 * the protocol's limit (125 registers, 2000 bits) and the hole before the
 * point is at most the configured gap.  Starting each read as late as
 * possible and growing it as far as allowed gives the fewest reads for
 * intervals on a line (the greedy cover).
 */
#include <stdlib.h>
#include <string.h>

#include "south/mbpoint.h"

struct key {
	uint8_t area;
	uint16_t addr;
	uint16_t len;
	uint32_t idx;
};

static int cmp_key(const void *a, const void *b)
{
	const struct key *x = a, *y = b;

	if (x->area != y->area)
		return x->area < y->area ? -1 : 1;
	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	if (x->len != y->len)
		return x->len > y->len ? -1 : 1;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

void mb_plan_free(struct mb_plan *plan)
{
	free(plan->reads);
	free(plan->idx);
	memset(plan, 0, sizeof(*plan));
}

int mb_plan_build(struct mb_plan *plan, const struct mb_point *pts,
		  const uint32_t *sel, size_t nsel,
		  const struct mb_plan_opts *o)
{
	struct key *k;
	size_t i, j;

	memset(plan, 0, sizeof(*plan));
	if (!nsel)
		return 0;
	k = calloc(nsel, sizeof(*k));
	plan->reads = calloc(nsel, sizeof(*plan->reads));
	plan->idx = calloc(nsel, sizeof(*plan->idx));
	if (!k || !plan->reads || !plan->idx) {
		free(k);
		mb_plan_free(plan);
		return -1;
	}
	for (i = 0; i < nsel; i++) {
		const struct mb_point *p = &pts[sel[i]];

		k[i].area = p->area;
		k[i].addr = p->addr;
		k[i].len = (uint16_t)mb_point_len(p);
		k[i].idx = sel[i];
	}
	qsort(k, nsel, sizeof(*k), cmp_key);
	for (i = 0; i < nsel; i = j) {
		struct mb_read *r = &plan->reads[plan->nreads++];
		unsigned int max = mb_area_bits(k[i].area) ? o->max_bits :
				   o->max_regs;
		uint32_t end = (uint32_t)k[i].addr + k[i].len;

		r->area = k[i].area;
		r->start = k[i].addr;
		r->first = (uint32_t)plan->nidx;
		plan->idx[plan->nidx++] = k[i].idx;
		for (j = i + 1; j < nsel && k[j].area == r->area; j++) {
			uint32_t e = (uint32_t)k[j].addr + k[j].len;

			if (k[j].addr > end && k[j].addr - end > o->gap)
				break;
			if (e > end && e - r->start > max)
				break;
			if (e > end)
				end = e;
			plan->idx[plan->nidx++] = k[j].idx;
		}
		/* a point past 65535 cannot be configured (mbconf.c) */
		r->count = (uint16_t)(end - r->start);
		r->n = (uint32_t)plan->nidx - r->first;
	}
	free(k);
	return 0;
}

size_t mb_read_decode(const struct mb_plan *plan, size_t r,
		      const struct mb_point *pts, const uint16_t *regs,
		      const uint8_t *bits, unsigned int got, uint32_t *pidx,
		      double *vals)
{
	const struct mb_read *rd;
	size_t i, n = 0;

	if (r >= plan->nreads)
		return 0;
	rd = &plan->reads[r];
	if (got > rd->count)
		got = rd->count;
	for (i = rd->first; i < rd->first + rd->n && i < plan->nidx; i++) {
		const struct mb_point *p = &pts[plan->idx[i]];
		unsigned int off;

		if (p->addr < rd->start)
			continue;
		off = (unsigned int)(p->addr - rd->start);
		if (off + mb_point_len(p) > got)
			continue;
		vals[n] = mb_decode(p, regs ? regs + off : NULL,
				    bits ? bits + off : NULL);
		pidx[n++] = plan->idx[i];
	}
	return n;
}
