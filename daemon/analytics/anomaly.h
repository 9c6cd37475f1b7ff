/*
 * Anomaly detection without configuration, per signal:
 *
 * - a robust profile: EWMA mean with time constant tau and variance with
 *   10 tau (alpha = dt / (tau + dt), but 1/n while fewer samples than
 *   that have been seen, so the start is a plain mean), updated with the
 *   residual clipped at 3 sigma (Huber) so an outlier barely moves it,
 *   and not at all while CUSUM leans one way;
 * - judged only once it has seen warmup samples over at least tau;
 * - a spike/step test: |z| > z_lim for `persist` samples in a row;
 * - a change-point test: two-sided CUSUM on z with slack k and threshold
 *   h, which finds shifts smaller than z_lim and slow drifts.  The slack
 *   is above sqrt(2), the largest |z| of a sine, and sqrt(3), that of a
 *   ramp learnt by a plain mean, so periodic and trending process values
 *   do not accumulate.
 *
 * Drifts faster than about z_lim sigma per tau are found; slower ones
 * become the profile (absolute limits are what range rules are for).
 * On a finding the profile restarts at the new level (keeping its
 * spread), so a lasting step is reported once.  The finding says what it
 * rests on: the value seen, the expected band (mean ± z_lim sigma) and
 * how many samples taught it.  Per sample O(1), no allocation, no libm
 * beyond sqrt.
 */
#ifndef IIOTD_ANALYTICS_ANOMALY_H
#define IIOTD_ANALYTICS_ANOMALY_H

#include <stdbool.h>
#include <stdint.h>

struct anomaly_opts {
	double tau_s;			/* profile memory; 0: 60 s */
	double z_lim;			/* band half-width in sigma; 0: 5 */
	uint32_t persist;		/* samples beyond the band; 0: 3 */
	double k, h;			/* CUSUM slack and threshold; 0: 2, 20 */
	uint32_t warmup;		/* samples before judging; 0: 50 */
};

enum anomaly_kind {
	ANOMALY_NONE = 0,
	ANOMALY_OUTSIDE,		/* beyond the band: spike or step */
	ANOMALY_SHIFT_UP,		/* CUSUM: level or drift upwards */
	ANOMALY_SHIFT_DOWN,
};

struct anomaly {
	double mean, var;
	uint64_t n;			/* samples in the profile */
	uint64_t last_ns;
	uint64_t start_ns;		/* first sample; 0 after a restart */
	double cp, cn;			/* CUSUM sums */
	uint32_t out;			/* consecutive samples outside */
	uint32_t hold;			/* samples left before judging */
};

/* What a finding rests on. */
struct anomaly_finding {
	uint8_t kind;			/* enum anomaly_kind */
	double value, mean, sigma, lo, hi;
	uint64_t n;
};

void anomaly_opts_default(struct anomaly_opts *o);
void anomaly_init(struct anomaly *a, const struct anomaly_opts *o);
/* Feed one sample; true with *f filled on a finding. */
bool anomaly_sample(struct anomaly *a, const struct anomaly_opts *o,
		    uint64_t ts_ns, double v, struct anomaly_finding *f);
const char *anomaly_kind_name(unsigned int k);

#endif
