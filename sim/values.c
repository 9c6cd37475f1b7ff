/*
 * Process values: sines, ramps, counters and slow drifts, with optional
 * noise and one ground-truth anomaly (step, stuck, spike, drift, growing
 * noise).
 */
#include <math.h>
#include <string.h>

#include "engine.h"

/*
 * A machine with a known OEE (docs/sim.md): each period it runs for the
 * first 75%, is down (unplanned) for the next 15% and stopped as planned
 * for the last 10%; state 1 running, 3 down, 4 planned stop.  It makes
 * one part every step seconds while it runs; one in every `every` parts
 * is a reject.
 */
#define MACH_RUN	0.75
#define MACH_DOWN	0.90

static double machine(const struct sim_signal *g, uint64_t now)
{
	double per = (double)g->period_ns / 1e9;
	double phase = (double)(now % g->period_ns) / (double)g->period_ns;
	double parts, run;

	if (g->shape == SHAPE_MACHINE_STATE)
		return phase < MACH_RUN ? 1 : phase < MACH_DOWN ? 3 : 4;
	if (g->step <= 0)
		return 0;
	run = (phase < MACH_RUN ? phase : MACH_RUN) * per;
	parts = (double)(now / g->period_ns) * floor(MACH_RUN * per / g->step) +
		floor(run / g->step);
	if (g->shape == SHAPE_MACHINE_REJECT)
		return g->every ? floor(parts / g->every) : 0;
	return parts;
}

static double base_value(struct sim_engine *e, const struct sim_signal *g,
			 uint64_t now, bool noisy)
{
	double span = g->max - g->min;
	double phase = (double)(now % g->period_ns) / (double)g->period_ns;
	double v;

	switch (g->shape) {
	case SHAPE_SINE:
		return g->min + span * (0.5 + 0.5 * sin(2 * M_PI * phase));
	case SHAPE_RAMP:
		return g->min + span * phase;
	case SHAPE_COUNTER:
		/* counts up by step each period, wraps within [min, max] */
		v = g->step * (double)(now / g->period_ns);
		return span > 0 ? g->min + fmod(v, span + 1) : g->min;
	case SHAPE_MACHINE_STATE:
	case SHAPE_MACHINE_COUNT:
	case SHAPE_MACHINE_REJECT:
		return machine(g, now);
	case SHAPE_DRIFT:
	default:
		/* slow linear drift over the period plus a little noise */
		v = g->min + span * ((double)now / (double)g->period_ns);
		if (noisy)
			v += span * 0.002 * (engine_rand(e) - 0.5);
		return v > g->max ? g->max : v;
	}
}

/* Gaussian (Irwin-Hall of 12 uniforms), standard deviation 1 */
static double gauss(struct sim_engine *e)
{
	double s = 0;
	int i;

	for (i = 0; i < 12; i++)
		s += engine_rand(e);
	return s - 6;
}

static double shape_value(struct sim_engine *e, const struct sim_signal *g)
{
	uint64_t at = g->anomaly_at_ns;
	bool on = g->anomaly != ANOM_NONE && e->now >= at;
	double v;

	/* stuck: the value of the moment it stuck, to the last bit */
	if (on && g->anomaly == ANOM_STUCK)
		return base_value(e, g, at, false);
	v = base_value(e, g, e->now, true);
	if (g->noise > 0)
		v += g->noise * gauss(e);
	if (!on)
		return v;
	switch (g->anomaly) {
	case ANOM_STEP:
		return v + g->anomaly_size;
	case ANOM_SPIKE:
		return e->now - at < g->anomaly_for_ns ? v + g->anomaly_size :
			v;
	case ANOM_DRIFT:
		return v + g->anomaly_size * (double)(e->now - at) / 1e9;
	case ANOM_NOISE:	/* Gaussian noise whose sigma grows */
		return v + g->anomaly_size * (double)(e->now - at) / 1e9 *
			   gauss(e);
	default:
		return v;
	}
}

/* EtherCAT process data is little endian, PROFINET IO data big endian */
static void put16(uint8_t *p, uint16_t v, bool le)
{
	if (le)
		put_le16(p, v);
	else
		put_be16(p, v);
}

static void put32(uint8_t *p, uint32_t v, bool le)
{
	if (le)
		put_le32(p, v);
	else
		put_be32(p, v);
}

static void store(uint8_t *p, enum sim_vtype t, double v, bool le)
{
	float f;
	int64_t x = (int64_t)llround(v);

	switch (t) {
	case VT_U8: p[0] = (uint8_t)(x < 0 ? 0 : x > 255 ? 255 : x); break;
	case VT_U16:
		put16(p, (uint16_t)(x < 0 ? 0 : x > 65535 ? 65535 : x), le);
		break;
	case VT_I16:
		put16(p, (uint16_t)(int16_t)(x < -32768 ? -32768 :
						x > 32767 ? 32767 : x), le);
		break;
	case VT_U32:
		put32(p, (uint32_t)(x < 0 ? 0 : x > 0xffffffffLL ?
				       0xffffffffLL : x), le);
		break;
	case VT_I32:
		put32(p, (uint32_t)(int32_t)(x < INT32_MIN ? INT32_MIN :
						x > INT32_MAX ? INT32_MAX : x), le);
		break;
	case VT_F32: {
		uint32_t u;

		f = (float)v;
		memcpy(&u, &f, 4);
		put32(p, u, le);
		break;
	}
	}
}

void values_apply(struct sim_engine *e, int32_t head, uint8_t *base,
		  bool slave_image)
{
	const struct sim_scenario *sc = e->sc;
	int32_t i;

	for (i = head; i >= 0; i = e->sig_next[i]) {
		const struct sim_signal *g = &sc->signals[i];
		uint8_t *p = base + g->offset;

		/* a slave's inputs follow its outputs in the image */
		if (slave_image) {
			const struct sim_slave *s = &sc->slaves[g->target];

			p = base + s->image_off + s->out_len + g->offset;
		}
		store(p, g->type, shape_value(e, g), slave_image);
	}
}
