/*
 * iiot-ringdump: drain a libshm ring and report what it carried: frame
 * count, bytes, an order-sensitive checksum, the producer's drops; or
 * write the frames to a pcap file (nanosecond timestamps).
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <pcap/pcap.h>

#include "core/hash.h"
#include "libshm.h"

struct dump_opts {
	const char *ring;
	const char *pcap_out;
	uint64_t count;		/* stop after this many frames; 0 = all */
	double timeout_s;	/* stop after this long; 0 = never */
	double wait_s;		/* how long to wait for the ring to appear */
	bool follow;		/* keep going after the producer closed */
	bool json;
};

struct dump_stats {
	uint64_t frames, bytes, checksum, first_ns, last_ns;
};

static volatile sig_atomic_t dump_stop;

static void on_signal(int sig)
{
	(void)sig;
	dump_stop = 1;
}

static double mono_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void usage(FILE *f)
{
	fprintf(f,
"usage: iiot-ringdump [--pcap FILE] [--count N] [--timeout SEC]\n"
"                     [--wait SEC] [--follow] [--json] RING\n"
"  --pcap FILE     write the frames to FILE ('-' for stdout)\n"
"  --count N       stop after N frames\n"
"  --timeout SEC   stop after SEC seconds\n"
"  --wait SEC      wait up to SEC seconds for the ring to appear (10)\n"
"  --follow        do not stop when the producer closes the ring\n"
"  --json          print the summary as JSON\n");
}

static int parse_num(const char *s, const char *what, double max,
		     double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || !(v >= 0) || v > max) {
		fprintf(stderr, "iiot-ringdump: %s must be a number from 0 "
			"to %g, not '%s'\n", what, max, s);
		return -1;
	}
	*out = v;
	return 0;
}

static int parse_args(int argc, char **argv, struct dump_opts *o)
{
	static const struct option lo[] = {
		{ "pcap", required_argument, NULL, 'p' },
		{ "count", required_argument, NULL, 'c' },
		{ "timeout", required_argument, NULL, 't' },
		{ "wait", required_argument, NULL, 'w' },
		{ "follow", no_argument, NULL, 'f' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	double v;
	int c;

	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (c) {
		case 'p': o->pcap_out = optarg; break;
		case 'c':
			if (parse_num(optarg, "--count", 1e15, &v))
				return -1;
			o->count = (uint64_t)v;
			break;
		case 't':
			if (parse_num(optarg, "--timeout", 1e7, &o->timeout_s))
				return -1;
			break;
		case 'w':
			if (parse_num(optarg, "--wait", 1e7, &o->wait_s))
				return -1;
			break;
		case 'f': o->follow = true; break;
		case 'j': o->json = true; break;
		case 'h': usage(stdout); exit(0);
		default: usage(stderr); return -1;
		}
	}
	if (optind != argc - 1) {
		fprintf(stderr, "iiot-ringdump: give exactly one ring\n");
		usage(stderr);
		return -1;
	}
	o->ring = argv[optind];
	return 0;
}

/* The producer may start after us: retry until the ring validates. */
static struct shm_ring *open_ring(const struct dump_opts *o)
{
	const struct timespec pause = { .tv_nsec = 20000000 };
	double deadline = mono_s() + o->wait_s;
	struct shm_ring *r;

	for (;;) {
		if (shm_cons_open(&r, o->ring) == 0)
			return r;
		if (mono_s() >= deadline || dump_stop) {
			fprintf(stderr, "iiot-ringdump: %s\n", shm_error());
			return NULL;
		}
		nanosleep(&pause, NULL);
	}
}

static void account(struct dump_stats *st, const struct iiot_ring_rec *rec,
		    const uint8_t *frame, pcap_dumper_t *d)
{
	uint8_t len_le[4] = {
		(uint8_t)rec->cap_len, (uint8_t)(rec->cap_len >> 8),
		(uint8_t)(rec->cap_len >> 16), (uint8_t)(rec->cap_len >> 24),
	};
	struct pcap_pkthdr ph;

	st->checksum = fnv1a64_on(st->checksum, len_le, sizeof(len_le));
	st->checksum = fnv1a64_on(st->checksum, frame, rec->cap_len);
	if (!st->frames)
		st->first_ns = rec->ts_ns;
	st->last_ns = rec->ts_ns;
	st->frames++;
	st->bytes += rec->cap_len;
	if (!d)
		return;
	ph.ts.tv_sec = (time_t)(rec->ts_ns / 1000000000ULL);
	ph.ts.tv_usec = (suseconds_t)(rec->ts_ns % 1000000000ULL);
	ph.caplen = rec->cap_len;
	ph.len = rec->wire_len;
	pcap_dump((u_char *)d, &ph, frame);
}

static bool done(const struct dump_opts *o, const struct dump_stats *st,
		 double t_end)
{
	return dump_stop || (o->count && st->frames >= o->count) ||
	       (o->timeout_s > 0 && mono_s() >= t_end);
}

static void drain(struct shm_ring *r, const struct dump_opts *o,
		  struct dump_stats *st, pcap_dumper_t *d)
{
	double t_end = mono_s() + o->timeout_s;
	const struct iiot_ring_rec *rec;
	const uint8_t *frame;

	while (!done(o, st, t_end)) {
		while (!done(o, st, t_end) &&
		       (rec = shm_cons_peek(r, &frame)))
			account(st, rec, frame, d);
		shm_cons_release(r);
		if (done(o, st, t_end))
			break;
		if (!o->follow && shm_cons_eof(r))
			break;
		shm_cons_wait(r, 50);
	}
	shm_cons_release(r);
}

static pcap_dumper_t *open_dump(const char *path, pcap_t **dead)
{
	pcap_dumper_t *d;

	*dead = pcap_open_dead_with_tstamp_precision(DLT_EN10MB, 65535,
						     PCAP_TSTAMP_PRECISION_NANO);
	if (!*dead)
		return NULL;
	d = pcap_dump_open(*dead, path);
	if (!d)
		fprintf(stderr, "iiot-ringdump: %s: %s\n", path,
			pcap_geterr(*dead));
	return d;
}

static void print_json_str(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			printf("\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			printf("\\u%04x", *s);
		else
			putchar(*s);
	}
	putchar('"');
}

static void report(const struct dump_opts *o, const struct dump_stats *st,
		   const struct shm_stats *rs)
{
	FILE *f = o->pcap_out && !strcmp(o->pcap_out, "-") ? stderr : stdout;

	if (o->json && f == stdout) {
		printf("{\"ring\":");
		print_json_str(o->ring);
		printf(",\"frames\":%" PRIu64 ",\"bytes\":%" PRIu64
		       ",\"checksum\":\"%016" PRIx64 "\",\"first_ns\":%" PRIu64
		       ",\"last_ns\":%" PRIu64 ",\"source\":%u,\"drops\":%"
		       PRIu64 ",\"corrupt\":%" PRIu64 ",\"truncated\":%" PRIu64
		       "}\n", st->frames, st->bytes, st->checksum,
		       st->first_ns, st->last_ns, rs->source, rs->drops,
		       rs->corrupt, rs->truncated);
		return;
	}
	fprintf(f, "frames %" PRIu64 " bytes %" PRIu64 " checksum %016" PRIx64
		" drops %" PRIu64 " corrupt %" PRIu64 " truncated %" PRIu64
		"\n", st->frames, st->bytes, st->checksum, rs->drops,
		rs->corrupt, rs->truncated);
}

int main(int argc, char **argv)
{
	struct dump_opts o = { .wait_s = 10 };
	struct dump_stats st = { .checksum = FNV1A64_BASIS };
	struct sigaction sa = { .sa_handler = on_signal };
	struct shm_stats rs;
	pcap_dumper_t *d = NULL;
	pcap_t *dead = NULL;
	struct shm_ring *r;

	if (parse_args(argc, argv, &o))
		return 2;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	r = open_ring(&o);
	if (!r)
		return 1;
	if (o.pcap_out && !(d = open_dump(o.pcap_out, &dead))) {
		shm_ring_close(r, false);
		return 1;
	}
	drain(r, &o, &st, d);
	shm_ring_stats(r, &rs);
	shm_ring_close(r, false);
	if (d)
		pcap_dump_close(d);
	if (dead)
		pcap_close(dead);
	report(&o, &st, &rs);
	return 0;
}
