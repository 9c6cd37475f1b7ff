/* Counters as one JSON object: stats file, SIGUSR1 and exit. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <rte_cycles.h>

#include "iiot_dpdk.h"

#define LOAD(p)		__atomic_load_n((p), __ATOMIC_RELAXED)

static unsigned long long u(uint64_t v)
{
	return (unsigned long long)v;
}

/* A JSON string: ring names come from the command line. */
static void put_str(FILE *f, const char *key, const char *s)
{
	fprintf(f, "\"%s\":\"", key);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

void stats_json(struct app *a, FILE *f)
{
	uint64_t rx = 0, matched = 0, written = 0, rdrops = 0, ndrops = 0;
	uint64_t bytes = 0, imissed = 0, ierrors = 0, nombuf = 0, elapsed;
	uint64_t cpu = 0;
	unsigned int i;

	elapsed = a->stop_ns ? a->stop_ns - a->start_ns :
		  (uint64_t)((double)(rte_rdtsc() - a->start_tsc) * 1e9 /
			     (double)a->tsc_hz);
	fprintf(f, "{\"ports\":[");
	for (i = 0; i < a->nb_ports; i++) {
		struct port *p = &a->ports[i];

		imissed += LOAD(&p->imissed);
		ierrors += LOAD(&p->ierrors);
		nombuf += LOAD(&p->nombuf);
		fprintf(f, "%s{\"port\":%u,", i ? "," : "", p->id);
		put_str(f, "name", p->name);
		fprintf(f, ",\"queues\":%u,"
			"\"ifindex\":%u,\"hw_timestamps\":%s,\"ipackets\":%llu,"
			"\"ibytes\":%llu,\"imissed\":%llu,\"ierrors\":%llu,"
			"\"rx_nombuf\":%llu}",
			p->nb_queues, p->ifindex, p->hw_ts ? "true" : "false",
			u(LOAD(&p->ipackets)), u(LOAD(&p->ibytes)),
			u(LOAD(&p->imissed)), u(LOAD(&p->ierrors)),
			u(LOAD(&p->nombuf)));
	}
	fprintf(f, "],\"rings\":[");
	for (i = 0; i < a->nb_workers; i++) {
		struct worker *w = &a->workers[i];

		rx += LOAD(&w->received);
		matched += LOAD(&w->matched);
		written += LOAD(&w->written);
		rdrops += LOAD(&w->ring_drops);
		ndrops += LOAD(&w->nic_drops);
		bytes += LOAD(&w->bytes);
		cpu += LOAD(&w->cpu_ns);
		fprintf(f, "%s{", i ? "," : "");
		put_str(f, "ring", w->ring_name);
		fprintf(f, ",\"lcore\":%u,\"queues\":%u,"
			"\"received\":%llu,\"matched\":%llu,\"written\":%llu,"
			"\"ring_drops\":%llu,\"nic_drops\":%llu,\"bytes\":%llu,"
			"\"cpu_ns\":%llu}",
			w->lcore, w->nb_pairs,
			u(LOAD(&w->received)), u(LOAD(&w->matched)),
			u(LOAD(&w->written)), u(LOAD(&w->ring_drops)),
			u(LOAD(&w->nic_drops)), u(LOAD(&w->bytes)),
			u(LOAD(&w->cpu_ns)));
	}
	fprintf(f, "],\"received\":%llu,\"matched\":%llu,\"filtered\":%llu,"
		"\"written\":%llu,\"bytes\":%llu,\"ring_drops\":%llu,"
		"\"nic_drops\":%llu,\"imissed\":%llu,\"ierrors\":%llu,"
		"\"rx_nombuf\":%llu,\"elapsed_ns\":%llu,\"cpu_ns\":%llu,"
		"\"running\":%s}\n",
		u(rx), u(matched), u(rx - matched), u(written), u(bytes),
		u(rdrops), u(ndrops), u(imissed), u(ierrors), u(nombuf),
		u(elapsed), u(cpu), a->stop_ns ? "false" : "true");
}

/* Write through a temporary file so readers never see half a file. */
int stats_file_write(struct app *a)
{
	char tmp[4096 + 16];
	FILE *f;
	int err = 0;

	snprintf(tmp, sizeof(tmp), "%s.tmp", a->opt.stats_file);
	f = fopen(tmp, "w");
	if (!f)
		goto fail;
	stats_json(a, f);
	if (fclose(f))
		goto fail;
	if (rename(tmp, a->opt.stats_file))
		goto fail;
	return 0;
fail:
	err = -errno;
	unlink(tmp);
	return err;
}
