/*
 * Robust trends for fault prediction: the Theil–Sen estimator (the
 * median of the slopes between every pair of samples) over the last
 * DIAG_TREND samples of an indicator.  A spike moves a few pairwise slopes,
 * not their median, so single bad reads never make a trend; the spread of
 * the slopes (their quartiles) gives the interval of the prediction.
 * Fitted on the rare reads that feed it, never per frame: 120 slopes of
 * 16 samples.
 */
#include <stdlib.h>

#include "diag/diag_int.h"

void trend_add(struct trend *t, uint64_t ts, double v)
{
	t->t[t->pos] = ts;
	t->v[t->pos] = v;
	t->pos = (uint8_t)((t->pos + 1) % DIAG_TREND);
	if (t->n < DIAG_TREND)
		t->n++;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

int trend_fit(const struct trend *t, struct trend_fit *f)
{
	double s[DIAG_TREND * (DIAG_TREND - 1) / 2], icpt[DIAG_TREND];
	unsigned int i, j, ns = 0, first, last;
	uint64_t t0;

	if (t->n < DIAG_TREND / 2)
		return -1;
	first = t->n < DIAG_TREND ? 0 : t->pos;
	last = (t->pos + DIAG_TREND - 1) % DIAG_TREND;
	t0 = t->t[first];
	for (i = 0; i < t->n; i++)
		for (j = i + 1; j < t->n; j++) {
			unsigned int a = (first + i) % DIAG_TREND;
			unsigned int b = (first + j) % DIAG_TREND;

			if (t->t[b] <= t->t[a])
				continue;
			s[ns++] = (t->v[b] - t->v[a]) /
				  ((double)(t->t[b] - t->t[a]) / 1e9);
		}
	if (ns < DIAG_TREND / 2)
		return -1;
	qsort(s, ns, sizeof(s[0]), cmp_double);
	f->slope = s[ns / 2];
	f->slope_lo = s[ns / 4];
	f->slope_hi = s[ns * 3 / 4];
	/* intercept: the median of v - slope * t */
	for (i = 0; i < t->n; i++) {
		unsigned int a = (first + i) % DIAG_TREND;

		icpt[i] = t->v[a] - f->slope * ((double)(t->t[a] - t0) / 1e9);
	}
	qsort(icpt, t->n, sizeof(icpt[0]), cmp_double);
	f->span_ns = t->t[last] - t0;
	f->last = icpt[t->n / 2] + f->slope * ((double)f->span_ns / 1e9);
	f->n = t->n;
	return 0;
}

double trend_eta(const struct trend_fit *f, double slope, double limit)
{
	if (f->last >= limit)
		return 0;
	if (slope <= 0)
		return -1;
	return (limit - f->last) / slope;
}

bool trend_predict(struct trend *t, double limit, uint64_t horizon_ns,
		   struct trend_pred *p)
{
	if (trend_fit(t, &p->f))
		return false;
	if (p->f.slope_lo <= 0 || p->f.last >= limit) {
		t->predicted = 0;
		return false;
	}
	p->eta = trend_eta(&p->f, p->f.slope, limit);
	if (p->eta <= 0 || p->eta * 1e9 > (double)horizon_ns || t->predicted)
		return false;
	t->predicted = 1;
	p->eta_lo = trend_eta(&p->f, p->f.slope_hi, limit);
	p->eta_hi = trend_eta(&p->f, p->f.slope_lo, limit);
	return true;
}
