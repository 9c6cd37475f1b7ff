/*
 * iiot-replay: replay pcap/pcapng captures into a libshm ring at the
 * recorded pace, a multiple of it, or as fast as possible.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "replay.h"

#define REPLAY_MAX_FILES	256

volatile sig_atomic_t replay_stop;

static void usage(FILE *f)
{
	fprintf(f,
"usage: iiot-replay [--ring NAME] [--speed X | --fast] [--loop N]\n"
"                   [--ring-size BYTES] [--snap N] [--now] [--block]\n"
"                   [--json] FILE...\n"
"  --ring NAME       ring name (in " SHM_DIR ") or path; default replay\n"
"  --speed X         X times the recorded pace (default 1)\n"
"  --fast            as fast as possible\n"
"  --loop N          replay the files N times; 0 = until interrupted\n"
"  --ring-size BYTES ring data size, power of two (default %u)\n"
"  --snap N          largest frame bytes kept per record (default %u)\n"
"  --now             stamp records with the replay time, not the capture's\n"
"  --block           wait for the consumer instead of dropping frames\n"
"  --json            print the summary as JSON\n",
		SHM_DEFAULT_DATA, IIOT_RING_DEFAULT_SNAP);
}

static void on_signal(int sig)
{
	(void)sig;
	replay_stop = 1;
}

static int parse_u64(const char *s, const char *what, uint64_t min,
		     uint64_t max, uint64_t *out)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || end == s || *end || *s == '-' || v < min || v > max) {
		fprintf(stderr, "iiot-replay: %s must be a number from %" PRIu64
			" to %" PRIu64 ", not '%s'\n", what, min, max, s);
		return -1;
	}
	*out = v;
	return 0;
}

static int parse_speed(const char *s, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || !(v > 0.0) || v > 1e6) {
		fprintf(stderr, "iiot-replay: --speed must be a number above "
			"0 and at most 1e6, not '%s'\n", s);
		return -1;
	}
	*out = v;
	return 0;
}

enum { OPT_RING = 256, OPT_SPEED, OPT_FAST, OPT_LOOP, OPT_RING_SIZE,
       OPT_SNAP, OPT_NOW, OPT_BLOCK, OPT_JSON, OPT_HELP };

static const struct option long_opts[] = {
	{ "ring", required_argument, NULL, OPT_RING },
	{ "speed", required_argument, NULL, OPT_SPEED },
	{ "fast", no_argument, NULL, OPT_FAST },
	{ "loop", required_argument, NULL, OPT_LOOP },
	{ "ring-size", required_argument, NULL, OPT_RING_SIZE },
	{ "snap", required_argument, NULL, OPT_SNAP },
	{ "now", no_argument, NULL, OPT_NOW },
	{ "block", no_argument, NULL, OPT_BLOCK },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "help", no_argument, NULL, OPT_HELP },
	{ NULL, 0, NULL, 0 },
};

static int parse_opt(int c, struct replay_opts *o)
{
	uint64_t v;

	switch (c) {
	case OPT_RING:
		o->ring = optarg;
		return 0;
	case OPT_SPEED:
		return parse_speed(optarg, &o->speed);
	case OPT_FAST:
		o->speed = 0;
		return 0;
	case OPT_LOOP:
		return parse_u64(optarg, "--loop", 0, UINT32_MAX, &o->loops);
	case OPT_RING_SIZE:
		return parse_u64(optarg, "--ring-size", IIOT_RING_MIN_DATA,
				 IIOT_RING_MAX_DATA, &o->ring_size);
	case OPT_SNAP:
		if (parse_u64(optarg, "--snap", 64, IIOT_RING_MAX_SNAP, &v))
			return -1;
		o->snap = (uint32_t)v;
		return 0;
	case OPT_NOW:
		o->now = true;
		return 0;
	case OPT_BLOCK:
		o->block = true;
		return 0;
	case OPT_JSON:
		o->json = true;
		return 0;
	case OPT_HELP:
		usage(stdout);
		exit(0);
	default:
		usage(stderr);
		return -1;
	}
}

static void print_summary(const struct replay_opts *o,
			  const struct replay_stats *st, const char *ring)
{
	if (o->json) {
		printf("{\"ring\":\"%s\",\"frames\":%" PRIu64 ",\"bytes\":%"
		       PRIu64 ",\"written\":%" PRIu64 ",\"drops\":%" PRIu64
		       ",\"truncated\":%" PRIu64 "}\n", ring, st->frames,
		       st->bytes, st->written, st->drops, st->truncated);
		return;
	}
	printf("iiot-replay: %" PRIu64 " frames, %" PRIu64 " bytes, %" PRIu64
	       " drops, %" PRIu64 " truncated into ring %s\n", st->frames,
	       st->bytes, st->drops, st->truncated, ring);
}

/* Check every file before the first frame goes out. */
static int check_files(char **files, int n)
{
	char err[PCAP_ERRBUF_SIZE + 512];
	int i, bad = 0;
	pcap_t *p;

	for (i = 0; i < n; i++) {
		p = replay_open(files[i], err, sizeof(err));
		if (!p) {
			fprintf(stderr, "iiot-replay: %s\n", err);
			bad++;
			continue;
		}
		pcap_close(p);
	}
	return bad ? -1 : 0;
}

static int replay_pass(char **files, int n, struct shm_ring *ring,
		       const struct replay_opts *o, struct replay_pace *pace,
		       struct replay_stats *st)
{
	char err[PCAP_ERRBUF_SIZE + 512];
	int i, rc = 0;
	pcap_t *p;

	for (i = 0; i < n && !replay_stop; i++) {
		p = replay_open(files[i], err, sizeof(err));
		if (!p || replay_file(p, files[i], ring, o, pace, st, err,
				      sizeof(err))) {
			fprintf(stderr, "iiot-replay: %s\n", err);
			rc = -1;
		}
		if (p)
			pcap_close(p);
	}
	return rc;
}

static int run(char **files, int n, const struct replay_opts *o,
	       struct replay_stats *st)
{
	struct shm_ring_opts ro = {
		.data_size = o->ring_size,
		.snap_len = o->snap,
		.source = IIOT_SRC_REPLAY,
	};
	struct replay_pace pace = { .speed = o->speed };
	struct shm_ring *ring;
	uint64_t pass;
	int rc = 0, err;

	err = shm_prod_create(&ring, o->ring, &ro);
	if (err) {
		fprintf(stderr, "iiot-replay: %s\n", shm_error());
		return -1;
	}
	for (pass = 0; !replay_stop && (o->loops == 0 || pass < o->loops);
	     pass++)
		if (replay_pass(files, n, ring, o, &pace, st))
			rc = -1;
	/* the ring stays for its consumer; closed means end of stream */
	shm_ring_close(ring, false);
	return rc;
}

int main(int argc, char **argv)
{
	struct replay_opts o = {
		.ring = "replay",
		.speed = 1.0,
		.loops = 1,
		.snap = IIOT_RING_DEFAULT_SNAP,
	};
	struct replay_stats st = { 0 };
	struct sigaction sa = { .sa_handler = on_signal };
	int c, rc;

	while ((c = getopt_long(argc, argv, "", long_opts, NULL)) != -1)
		if (parse_opt(c, &o))
			return 2;
	if (optind >= argc) {
		fprintf(stderr, "iiot-replay: no capture file given\n");
		usage(stderr);
		return 2;
	}
	if (argc - optind > REPLAY_MAX_FILES) {
		fprintf(stderr, "iiot-replay: at most %d files\n",
			REPLAY_MAX_FILES);
		return 2;
	}
	if (check_files(argv + optind, argc - optind))
		return 1;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	rc = run(argv + optind, argc - optind, &o, &st);
	print_summary(&o, &st, o.ring);
	return rc ? 1 : 0;
}
