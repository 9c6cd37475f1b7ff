/* The drain-gap probe's histogram (daemon/capture/probe.h). */
#include <stdio.h>

#include <jansson.h>

#include "capture/probe.h"
#include "core/hist.h"

static const uint64_t bounds_us[PROBE_BUCKETS - 1] = PROBE_BOUNDS_US;

void probe_add(struct probe *p, uint64_t gap_ns, uint64_t now_ns)
{
	uint64_t sec = now_ns / 1000000000ULL;
	unsigned int i = 0, k = sec % PROBE_SECONDS;

	if (p->sec_tag[k] != sec + 1) {
		p->sec_tag[k] = sec + 1;
		p->sec_max[k] = 0;
	}
	if (gap_ns > p->sec_max[k])
		p->sec_max[k] = gap_ns;

	while (i < PROBE_BUCKETS - 1 && gap_ns > bounds_us[i] * 1000)
		i++;
	p->hist[i]++;
	p->sum_ns += gap_ns;
	p->turns++;
	if (gap_ns > p->max_ns)
		p->max_ns = gap_ns;
}

void probe_turn(struct probe *p, uint64_t prev_end, uint64_t loop_wake,
		uint64_t start)
{
	uint64_t since = prev_end > loop_wake ? prev_end : loop_wake;

	/* the ring's first turn has nothing to measure from */
	if (!prev_end)
		return;
	probe_add(p, start > since ? start - since : 0, start);
}

void probe_busy(struct probe *p, unsigned int kind, uint64_t start_ns,
		uint64_t now_ns)
{
	uint64_t d = now_ns > start_ns ? now_ns - start_ns : 0;

	probe_add(p, d, now_ns);
	if (kind < PROBE_BUSY_KINDS && d > p->busy_max_ns[kind])
		p->busy_max_ns[kind] = d;
}

static void bucket_name(unsigned int i, char *buf, size_t len)
{
	uint64_t us = bounds_us[i < PROBE_BUCKETS - 1 ? i : i - 1];
	const char *rel = i < PROBE_BUCKETS - 1 ? "le" : "gt";

	if (us % 1000000 == 0)
		snprintf(buf, len, "%s_%llus", rel,
			 (unsigned long long)(us / 1000000));
	else if (us % 1000 == 0)
		snprintf(buf, len, "%s_%llums", rel,
			 (unsigned long long)(us / 1000));
	else
		snprintf(buf, len, "%s_%lluus", rel, (unsigned long long)us);
}

json_t *probe_json(const struct probe *p, uint64_t now_ns)
{
	json_t *o = json_object(), *h = json_object(), *last = json_array();
	uint64_t sec = now_ns / 1000000000ULL, s;
	char name[32];
	unsigned int i;

	for (s = sec - 59; s <= sec; s++) {
		unsigned int k = s % PROBE_SECONDS;

		json_array_append_new(last, json_integer(p->sec_tag[k] == s + 1 ?
			(json_int_t)(p->sec_max[k] / 1000) : 0));
	}

	for (i = 0; i < PROBE_BUCKETS; i++) {
		bucket_name(i, name, sizeof(name));
		json_object_set_new(h, name,
				    json_integer((json_int_t)p->hist[i]));
	}
	json_object_set_new(o, "turns", json_integer((json_int_t)p->turns));
	json_object_set_new(o, "max_us",
			    json_integer((json_int_t)(p->max_ns / 1000)));
	json_object_set_new(o, "hist", h);
	json_object_set_new(o, "seconds", hist_json_from(bounds_us, PROBE_BUCKETS - 1, p->hist,
							 p->sum_ns));
	json_object_set_new(o, "max_us_last_s", last);
	json_object_set_new(o, "busy_max_us", json_pack("{sI sI sI}",
		"snapshot", (json_int_t)(p->busy_max_ns[PROBE_BUSY_SNAPSHOT] / 1000),
		"tick", (json_int_t)(p->busy_max_ns[PROBE_BUSY_TICK] / 1000),
		"call", (json_int_t)(p->busy_max_ns[PROBE_BUSY_CALL] / 1000)));
	return o;
}
