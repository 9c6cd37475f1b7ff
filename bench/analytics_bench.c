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
 * time (what ingest does at the least).  The same samples go through
 * twice, each time into fresh analytics: a lock per sample (as any
 * thread), then staged in drain turns of TURN samples (as the capture
 * thread: analytics_stage_begin, a lock per 256).  Prints one JSON
 * object.
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
#define TURN	1024U		/* samples per drain turn */

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

static struct analytics *setup(struct alerts *al, const char *text)
{
	struct analytics *an = analytics_new(al);
	char name[16], err[256];
	struct conf *c;
	unsigned int s;

	if (!an)
		return NULL;
	for (s = 1; s <= NSIG; s++) {
		snprintf(name, sizeof(name), "s%u", s);
		analytics_add_signal(an, s, name);
	}
	c = conf_parse(text, strlen(text), "bench", err, sizeof(err));
	if (!c || analytics_load_rules(an, c, err, sizeof(err))) {
		fprintf(stderr, "%s\n", err);
		conf_free(c);
		analytics_free(an);
		return NULL;
	}
	conf_free(c);
	return an;
}

/* CPU seconds to evaluate val[0..n) into an; turn: staged per so many */
static double run(struct analytics *an, const double *val, uint64_t n,
		  unsigned int turn)
{
	uint64_t i, ts;
	unsigned int s;
	double t0 = now_s();

	for (i = 0; i < n; i++) {
		if (turn && i % turn == 0)
			analytics_stage_begin(an);
		s = (unsigned int)(i % NSIG) + 1;
		ts = (i / NSIG) * PERIOD + 1;
		analytics_sample(an, s, ts, val[i]);
		if (turn && (i % turn == turn - 1 || i == n - 1))
			analytics_stage_end(an);
		if (s == NSIG && (i / NSIG) % 10 == 9)
			analytics_tick(an, ts);
	}
	return now_s() - t0;
}

int main(void)
{
	struct alerts *al = alerts_new(NULL), *al2 = alerts_new(NULL);
	char *text = rules_text();
	struct analytics *an = al && text ? setup(al, text) : NULL;
	struct analytics *an2 = al2 && text ? setup(al2, text) : NULL;
	uint64_t n = (uint64_t)NSIG * SECS * 10, i, ts;
	double *val = malloc(n * sizeof(*val)), t0, t_bare, t_ours, t_staged;
	double *last = calloc(NSIG + 1, sizeof(*last)), sink = 0;
	uint64_t *last_ts = calloc(NSIG + 1, sizeof(*last_ts));
	struct analytics_counters ctr, ctr2;
	unsigned int s;

	if (!an || !an2 || !val || !last || !last_ts)
		return 1;
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
	t_ours = run(an, val, n, 0);
	t_staged = run(an2, val, n, TURN);
	analytics_get_counters(an, &ctr);
	analytics_get_counters(an2, &ctr2);
	/* staging must not change what is found */
	if (ctr.raised != ctr2.raised || ctr.anomalies != ctr2.anomalies ||
	    ctr.samples != ctr2.samples) {
		fprintf(stderr, "staged: %llu raised, %llu anomalies; "
			"unstaged: %llu, %llu\n",
			(unsigned long long)ctr2.raised,
			(unsigned long long)ctr2.anomalies,
			(unsigned long long)ctr.raised,
			(unsigned long long)ctr.anomalies);
		return 1;
	}
	/* cost at 100,000 samples/s: seconds of CPU per second */
	printf("{\"samples\":%llu,\"ns_per_sample\":%.1f,"
	       "\"staged_ns_per_sample\":%.1f,\"bare_ns_per_sample\""
	       ":%.2f,\"core_pct_at_100k\":%.3f,"
	       "\"staged_core_pct_at_100k\":%.3f,\"raised\":%llu,"
	       "\"anomalies\":%llu,\"sink\":%.0f}\n",
	       (unsigned long long)n, t_ours / (double)n * 1e9,
	       t_staged / (double)n * 1e9, t_bare / (double)n * 1e9,
	       (t_ours - t_bare) / (double)n * 1e9 * 100000 / 1e9 * 100,
	       (t_staged - t_bare) / (double)n * 1e9 * 100000 / 1e9 * 100,
	       (unsigned long long)ctr.raised,
	       (unsigned long long)ctr.anomalies, sink);
	analytics_free(an);
	analytics_free(an2);
	alerts_free(al);
	alerts_free(al2);
	free(text);
	free(val);
	free(last);
	free(last_ts);
	return 0;
}
