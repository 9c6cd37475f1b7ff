/*
 * Robust trends for fault prediction: the Theil–Sen estimator (the
 * median of the slopes between every pair of samples) over the last
 * DIAG_TREND samples of an indicator.  A spike moves a few pairwise slopes,
 * not their median, so single bad reads never make a trend; the spread of
 * the slopes (their quartiles) gives the interval of the prediction.
 * Fitted on the rare reads that feed it, never per frame: 120 slopes of
 * 16 samples.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

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
	f->t0_ns = t0;
	f->icpt = icpt[t->n / 2];
	f->last = f->icpt + f->slope * ((double)f->span_ns / 1e9);
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

static uint64_t cross_at(const struct trend_fit *f, double eta)
{
	return eta < 0 ? 0 : f->t0_ns + f->span_ns + (uint64_t)(eta * 1e9);
}

static void utc(uint64_t ns, char *buf, size_t len)
{
	time_t s = (time_t)(ns / 1000000000ULL);
	struct tm tm;

	if (!gmtime_r(&s, &tm) || !strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ",
					    &tm))
		snprintf(buf, len, "%llu ns", (unsigned long long)ns);
}

void trend_fit_out(const struct trend_pred *p, double scale, double limit,
		   const char *metric, const char *unit, struct diag_fit *out,
		   char *ev, size_t evlen)
{
	char t0[32], at[32];
	size_t n = strlen(ev);

	memset(out, 0, sizeof(*out));
	out->has = true;
	snprintf(out->metric, sizeof(out->metric), "%s", metric);
	snprintf(out->unit, sizeof(out->unit), "%s", unit);
	out->t0_ns = p->f.t0_ns;
	out->last_ns = p->f.t0_ns + p->f.span_ns;
	out->intercept = p->f.icpt * scale;
	out->slope_per_min = p->f.slope * scale * 60;
	out->limit = limit;
	out->cross_ns = cross_at(&p->f, p->eta);
	out->cross_lo_ns = cross_at(&p->f, p->eta_lo);
	out->cross_hi_ns = cross_at(&p->f, p->eta_hi);
	out->samples = p->f.n;
	if (n >= evlen)
		return;
	utc(out->t0_ns, t0, sizeof(t0));
	utc(out->cross_ns, at, sizeof(at));
	/* the line an engineer can redraw: value at t0, slope, crossing */
	snprintf(ev + n, evlen - n, "; fitted line %.4g%s at %s %+.4g%s per "
		 "min, crossing %.4g%s at %s", out->intercept, unit, t0,
		 out->slope_per_min, unit, limit, unit, at);
}
