/*
 * bench/analytics.bench: process analytics cost per sample.
 *
 * 10,000 signals sampled every 100 ms (100,000 samples/s) for 60 s of
 * signal time: every signal has a threshold rule with hysteresis and
 * delays, a stuck rule and anomaly detection; 100 expression rules span
 * two signals each; the tick runs once a second.  Values: sines with
 * noise (one in 100 crossing the threshold), precomputed so that only the
 * evaluation is timed (process CPU time).  The peer is a
 * bare loop over the same samples keeping each signal's last value and
 * time (what ingest does at the least).  Prints one JSON object.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "alerts/alerts.h"
#include "analytics/analytics.h"
#include "core/conf.h"

#define NSIG	10000U
#define SECS	60U
#define PERIOD	100000000ULL	/* 100 ms */

static double now_s(void)
{
	struct timespec ts;

	/* CPU time: the machine may be shared */
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static char *rules_text(void)
{
	size_t cap = 1 << 16, len = 0;
	char *s = malloc(cap);
	unsigned int i;

	if (!s)
		return NULL;
	len += (size_t)snprintf(s + len, cap - len,
		"[rule.hot]\nkind = threshold\nsignal = s*\nabove = 90\n"
		"deadband = 2\non_delay = 1s\noff_delay = 1s\n"
		"escalate = 10s critical\n"
		"[rule.frozen]\nkind = stuck\nsignal = s*\nafter = 30s\n"
		/* judge from 10 s on, not after the default 60 s */
		"[anomaly]\ntau = 10s\n");
	for (i = 0; i < 100; i++)
		len += (size_t)snprintf(s + len, cap - len,
			"[rule.x%u]\nkind = expr\nexpr = s%u > 80 and "
			"unchanged(s%u, 10s)\n", i, i * 7 + 1, i * 7 + 2);
	return s;
}

int main(void)
{
	struct alerts *al = alerts_new(NULL);
	struct analytics *an = analytics_new(al);
	uint64_t n = (uint64_t)NSIG * SECS * 10, i, ts;
	double *val = malloc(n * sizeof(*val)), t0, t_bare, t_ours;
	double *last = calloc(NSIG + 1, sizeof(*last)), sink = 0;
	uint64_t *last_ts = calloc(NSIG + 1, sizeof(*last_ts));
	struct analytics_counters ctr;
	char name[16], err[256], *text = rules_text();
	struct conf *c;
	unsigned int s;

	if (!al || !an || !val || !last || !last_ts || !text)
		return 1;
	for (s = 1; s <= NSIG; s++) {
		snprintf(name, sizeof(name), "s%u", s);
		analytics_add_signal(an, s, name);
	}
	c = conf_parse(text, strlen(text), "bench", err, sizeof(err));
	if (!c || analytics_load_rules(an, c, err, sizeof(err))) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	srand(1);
	for (i = 0; i < n; i++) {
		double t = (double)(i / NSIG) / 10;

		s = (unsigned int)(i % NSIG);
		/* one signal in 100 swings over the threshold */
		val[i] = 50 + (s % 100 ? 20 : 45) * sin(t / (5 + s % 50)) +
			(double)rand() / RAND_MAX;
	}
	/* the peer: every sample's last value and time */
	t0 = now_s();
	for (i = 0; i < n; i++) {
		s = (unsigned int)(i % NSIG) + 1;
		ts = (i / NSIG) * PERIOD;
		last[s] = val[i];
		last_ts[s] = ts;
		__asm__ volatile("" : : "r"(last) : "memory");
	}
	t_bare = now_s() - t0;
	for (s = 1; s <= NSIG; s++)
		sink += last[s];
	t0 = now_s();
	for (i = 0; i < n; i++) {
		s = (unsigned int)(i % NSIG) + 1;
		ts = (i / NSIG) * PERIOD + 1;
		analytics_sample(an, s, ts, val[i]);
		if (s == NSIG && (i / NSIG) % 10 == 9)
			analytics_tick(an, ts);
	}
	t_ours = now_s() - t0;
	analytics_get_counters(an, &ctr);
	/* cost at 100,000 samples/s: seconds of CPU per second */
	printf("{\"samples\":%llu,\"ns_per_sample\":%.1f,\"bare_ns_per_sample\""
	       ":%.2f,\"core_pct_at_100k\":%.3f,\"raised\":%llu,"
	       "\"anomalies\":%llu,\"sink\":%.0f}\n",
	       (unsigned long long)n, t_ours / (double)n * 1e9,
	       t_bare / (double)n * 1e9,
	       (t_ours - t_bare) / (double)n * 1e9 * 100000 / 1e9 * 100,
	       (unsigned long long)ctr.raised,
	       (unsigned long long)ctr.anomalies, sink);
	conf_free(c);
	analytics_free(an);
	alerts_free(al);
	free(text);
	free(val);
	free(last);
	free(last_ts);
	return 0;
}
