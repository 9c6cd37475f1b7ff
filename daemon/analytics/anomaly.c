/* Per-signal profile (robust EWMA) and change-point detector (CUSUM). */
#include <math.h>
#include <string.h>

#include "analytics/anomaly.h"

#define CLIP		3.0	/* residuals clipped at this many sigma */
#define RESTART_N	10	/* samples a restarted profile counts as */
/*
 * The spread learns VAR_TAU times slower than the mean, and neither
 * learns while CUSUM leans one way (a sum above h / GATE): a drift then
 * shows as a growing z instead of being absorbed into a wider band.
 */
#define VAR_TAU		10
#define GATE		4
/*
 * A floor for sigma relative to the level: a value constant to the last
 * bit would otherwise make any change infinitely anomalous.
 */
#define SIGMA_REL	1e-4
#define SIGMA_ABS	1e-9

void anomaly_opts_default(struct anomaly_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->tau_s = 60;
	o->z_lim = 5;
	o->persist = 3;
	o->k = 2;
	o->h = 20;
	o->warmup = 50;
}

void anomaly_init(struct anomaly *a, const struct anomaly_opts *o)
{
	memset(a, 0, sizeof(*a));
	a->hold = o->warmup;
}

const char *anomaly_kind_name(unsigned int k)
{
	static const char *const n[] = { "none", "outside the band",
		"shift up", "shift down" };

	return k < 4 ? n[k] : "?";
}

static void restart(struct anomaly *a, const struct anomaly_opts *o,
		    double v)
{
	a->mean = v;
	a->n = RESTART_N;
	a->cp = a->cn = 0;
	a->out = 0;
	a->hold = o->warmup / 2;
	a->start_ns = 0;	/* the spread is known: no time to wait */
}

static double sigma_of(const struct anomaly *a)
{
	double s = sqrt(a->var), fl = SIGMA_REL * fabs(a->mean) + SIGMA_ABS;

	return s > fl ? s : fl;
}

static void update(struct anomaly *a, const struct anomaly_opts *o,
		   double r, double sigma, double dt)
{
	double alpha = dt > 0 ? dt / (o->tau_s + dt) : 0;
	double av = dt > 0 ? dt / (VAR_TAU * o->tau_s + dt) : 0;
	double lim = CLIP * sigma;

	/* a plain mean until the profile has seen 1/alpha samples */
	alpha = fmax(alpha, 1.0 / (double)a->n);
	av = fmax(av, 1.0 / (double)a->n);
	/* the young profile learns unclipped: sigma is not known yet */
	if (!a->hold) {
		if (r > lim)
			r = lim;
		else if (r < -lim)
			r = -lim;
	}
	a->mean += alpha * r;
	a->var = (1 - av) * (a->var + av * r * r);
}

bool anomaly_sample(struct anomaly *a, const struct anomaly_opts *o,
		    uint64_t ts_ns, double v, struct anomaly_finding *f)
{
	double sigma, z, r, dt;
	uint8_t kind = ANOMALY_NONE;

	if (!isfinite(v))
		return false;
	dt = a->last_ns && ts_ns > a->last_ns ?
		(double)(ts_ns - a->last_ns) / 1e9 : 0;
	a->last_ns = ts_ns;
	if (!a->n++) {
		a->mean = v;
		a->var = 0;
		a->start_ns = ts_ns;
		return false;
	}
	sigma = sigma_of(a);
	r = v - a->mean;
	z = r / sigma;
	/* judge only a profile that has seen tau of the signal */
	if (a->hold || ts_ns - a->start_ns < (uint64_t)(o->tau_s * 1e9)) {
		if (a->hold)
			a->hold--;
		update(a, o, r, sigma, dt);
		return false;
	}
	a->out = fabs(z) > o->z_lim ? a->out + 1 : 0;
	a->cp = fmax(0, a->cp + z - o->k);
	a->cn = fmax(0, a->cn - z - o->k);
	/* a big step may fill CUSUM first: it still is outside the band */
	if (a->out >= o->persist || (a->out && (a->cp > o->h ||
						a->cn > o->h)))
		kind = ANOMALY_OUTSIDE;
	else if (a->cp > o->h)
		kind = ANOMALY_SHIFT_UP;
	else if (a->cn > o->h)
		kind = ANOMALY_SHIFT_DOWN;
	if (kind == ANOMALY_NONE) {
		if (a->cp < o->h / GATE && a->cn < o->h / GATE)
			update(a, o, r, sigma, dt);
		return false;
	}
	f->kind = kind;
	f->value = v;
	f->mean = a->mean;
	f->sigma = sigma;
	f->lo = a->mean - o->z_lim * sigma;
	f->hi = a->mean + o->z_lim * sigma;
	f->n = a->n - 1;
	restart(a, o, v);
	return true;
}
