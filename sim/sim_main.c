/*
 * iiot-sim: a line simulator that behaves like the mirror port of a real
 * line.  Writes a capture file, feeds a libshm ring in real time, or sends
 * on an interface and answers DCP requests as its devices would.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "capfile.h"
#include "engine.h"
#include "output.h"
#include "truth.h"

struct sim_opts {
	const char *scenario, *out, *ring, *iface, *truth;
	uint64_t duration_ns;	/* 0: no limit */
	uint64_t cycles;
	double speed;		/* 0: as fast as possible */
	uint64_t seed;
	bool seed_set, loop, fast;
	int vlan, qinq;		/* --vlan, --qinq VID; -1 none */
};

struct run {
	const struct sim_opts *o;
	const struct sim_scenario *sc;
	struct sim_sink sink;
	struct capfile cap;
	struct ring_out ring;
	struct iface_out ifc;
	FILE *truth;		/* ground truth of the attacks, or NULL */
	char truth_path[4096];
	uint64_t frames, bytes, dcp_answered, dcp_bad, passes, attack_frames;
	uint64_t late_ns;	/* paced: furthest behind schedule */
	uint64_t faults[FAULT_KINDS];
};

static volatile sig_atomic_t sim_stop;

static void on_signal(int sig)
{
	(void)sig;
	sim_stop = 1;
}

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static void usage(FILE *f)
{
	fprintf(f,
"usage: iiot-sim SCENARIO [--out FILE.pcap|FILE.pcapng] [--ring NAME]\n"
"                [--iface IFNAME] [--duration SEC | --cycles N]\n"
"                [--speed X | --fast] [--seed N] [--loop] [--truth FILE]\n"
"                [--vlan VID [--qinq SVID]]\n"
"  --out FILE      write a capture (pcap, or pcapng by the name)\n"
"  --ring NAME     feed a libshm ring in real time (source sim)\n"
"  --iface IFNAME  send on an interface and answer DCP requests\n"
"  --duration SEC  simulated seconds (file default 10; else no limit)\n"
"  --cycles N      N cycles of the fastest cycle in the scenario\n"
"  --speed X       X times real time (ring, interface)\n"
"  --fast          no pacing (ring, interface); files never wait\n"
"  --seed N        random seed (default: the scenario's)\n"
"  --loop          start the scenario over at the end, until stopped\n"
"  --truth FILE    the attacks' ground truth, JSON lines (default with\n"
"                  --out and attacks: FILE.truth.jsonl)\n"
"  --vlan VID      802.1Q-tag every frame (PROFINET RT priority 6, as a\n"
"                  trunk port's mirror delivers them; 0 = priority tag)\n"
"  --qinq SVID     and an 802.1ad service tag outside it (double-tagged)\n");
}

static int num_arg(const char *s, const char *what, double max, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || !(v > 0) || v > max) {
		fprintf(stderr, "iiot-sim: %s must be a number above 0 and "
			"at most %g, not '%s'\n", what, max, s);
		return -1;
	}
	*out = v;
	return 0;
}

static int vid_arg(const char *s, const char *what, int *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < 0 || v > 4094) {
		fprintf(stderr, "iiot-sim: %s must be a VLAN id 0..4094, not "
			"'%s'\n", what, s);
		return -1;
	}
	*out = (int)v;
	return 0;
}

static int parse_args(int argc, char **argv, struct sim_opts *o)
{
	static const struct option lo[] = {
		{ "out", required_argument, NULL, 'o' },
		{ "ring", required_argument, NULL, 'r' },
		{ "iface", required_argument, NULL, 'i' },
		{ "duration", required_argument, NULL, 'd' },
		{ "cycles", required_argument, NULL, 'c' },
		{ "speed", required_argument, NULL, 's' },
		{ "fast", no_argument, NULL, 'f' },
		{ "seed", required_argument, NULL, 'S' },
		{ "loop", no_argument, NULL, 'l' },
		{ "truth", required_argument, NULL, 't' },
		{ "vlan", required_argument, NULL, 'v' },
		{ "qinq", required_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	double v;
	int c;

	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (c) {
		case 'o': o->out = optarg; break;
		case 'r': o->ring = optarg; break;
		case 'i': o->iface = optarg; break;
		case 'd':
			if (num_arg(optarg, "--duration", 1e7, &v))
				return -1;
			o->duration_ns = (uint64_t)(v * 1e9);
			break;
		case 'c':
			if (num_arg(optarg, "--cycles", 1e12, &v))
				return -1;
			o->cycles = (uint64_t)v;
			break;
		case 's':
			if (num_arg(optarg, "--speed", 1e6, &o->speed))
				return -1;
			break;
		case 'f': o->fast = true; break;
		case 'S':
			if (num_arg(optarg, "--seed", 1.8e19, &v))
				return -1;
			o->seed = (uint64_t)v;
			o->seed_set = true;
			break;
		case 'l': o->loop = true; break;
		case 't': o->truth = optarg; break;
		case 'v':
			if (vid_arg(optarg, "--vlan", &o->vlan))
				return -1;
			break;
		case 'q':
			if (vid_arg(optarg, "--qinq", &o->qinq))
				return -1;
			break;
		case 'h': usage(stdout); exit(0);
		default: usage(stderr); return -1;
		}
	}
	if (optind != argc - 1) {
		fprintf(stderr, "iiot-sim: give exactly one scenario file\n");
		usage(stderr);
		return -1;
	}
	o->scenario = argv[optind];
	if (!!o->out + !!o->ring + !!o->iface != 1) {
		fprintf(stderr, "iiot-sim: give one of --out, --ring, "
			"--iface\n");
		return -1;
	}
	if (o->duration_ns && o->cycles) {
		fprintf(stderr, "iiot-sim: --duration or --cycles, not both\n");
		return -1;
	}
	if (o->qinq >= 0 && o->vlan < 0) {
		fprintf(stderr, "iiot-sim: --qinq needs --vlan (the inner "
			"tag)\n");
		return -1;
	}
	if (o->fast)
		o->speed = 0;
	else if (o->speed == 0)
		o->speed = 1;
	return 0;
}

static uint64_t shortest_cycle(const struct sim_scenario *sc)
{
	uint64_t c = UINT64_MAX;
	uint32_t i;

	for (i = 0; i < sc->nmasters; i++)
		if (sc->masters[i].cycle_ns < c)
			c = sc->masters[i].cycle_ns;
	for (i = 0; i < sc->ndevices; i++)
		if (!sc->devices[i].unknown && sc->devices[i].cycle_ns < c)
			c = sc->devices[i].cycle_ns;
	return c == UINT64_MAX ? 1000000 : c;
}

/* Sleep until the frame due at sim time t (or serve the interface). */
static void pace(struct run *r, struct sim_engine *e, uint64_t wall0,
		 uint64_t t)
{
	uint64_t due = wall0 + (uint64_t)((double)t / r->o->speed), now;
	struct pollfd pfd = { .fd = r->ifc.fd, .events = POLLIN };
	uint8_t buf[SIM_FRAME_MAX];
	struct timespec ts;
	int n;

	now = mono_ns();
	if (now > due && now - due > r->late_ns)
		r->late_ns = now - due;
	for (;;) {
		now = mono_ns();
		if (r->o->iface) {
			uint64_t rel = (uint64_t)((double)(now - wall0) *
						  r->o->speed);

			while ((n = iface_out_recv(&r->ifc, buf, sizeof(buf))) > 0)
				engine_receive(e, rel < t ? rel : t, buf,
					       (uint32_t)n);
			engine_flush(e, rel < t ? rel : t, &r->sink);
		}
		if (now + 50000 >= due || sim_stop)
			return;
		if (r->o->ring)
			ring_out_commit(&r->ring);
		if (r->o->iface) {
			/* wake for a request or when the next frame is due */
			ts.tv_sec = (time_t)((due - now) / 1000000000ULL);
			ts.tv_nsec = (long)((due - now) % 1000000000ULL);
			ppoll(&pfd, 1, &ts, NULL);
			continue;
		}
		ts.tv_sec = (time_t)(due / 1000000000ULL);
		ts.tv_nsec = (long)(due % 1000000000ULL);
		clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
	}
}

static void collect(struct run *r, const struct sim_engine *e)
{
	int k;

	r->frames += e->frames;
	r->bytes += e->bytes;
	r->dcp_answered += e->dcp_answered;
	r->dcp_bad += e->dcp_bad;
	for (k = 0; k < FAULT_KINDS; k++)
		r->faults[k] += e->faults_applied[k];
	for (k = 0; k < (int)r->sc->nattacks; k++)
		r->attack_frames += e->as[k].frames;
}

/* One pass of the scenario from start-up; end 0 = no end. */
static int run_pass(struct run *r, uint64_t t0, uint64_t wall0, uint64_t end)
{
	uint64_t seed = r->o->seed_set ? r->o->seed : r->sc->seed;
	struct sim_engine *e = engine_new(r->sc, seed + r->passes, t0);
	bool paced = !r->o->out && r->o->speed > 0;
	uint64_t steps = 0;
	int rc = 0;

	if (!e) {
		fprintf(stderr, "iiot-sim: out of memory\n");
		return -1;
	}
	e->frame_base = r->frames;
	while (!sim_stop && rc == 0) {
		uint64_t next = engine_next(e);

		if (end && next >= end)
			break;
		if (paced)
			pace(r, e, wall0, next);
		else if (r->o->iface && (++steps & 255) == 0)
			pace(r, e, mono_ns(), 0);	/* serve DCP */
		rc = engine_step(e, &r->sink);
	}
	if (engine_flush(e, end ? end - 1 : UINT64_MAX, &r->sink))
		rc = -1;
	collect(r, e);
	if (r->truth && truth_write(r->truth, e, r->passes)) {
		fprintf(stderr, "iiot-sim: %s: write failed\n", r->truth_path);
		rc = -1;
	}
	engine_free(e);
	return rc;
}

static int open_truth(struct run *r)
{
	const struct sim_opts *o = r->o;
	int n;

	if (o->truth)
		n = snprintf(r->truth_path, sizeof(r->truth_path), "%s",
			     o->truth);
	else if (o->out && r->sc->nattacks)
		n = snprintf(r->truth_path, sizeof(r->truth_path),
			     "%s.truth.jsonl", o->out);
	else
		return 0;
	if (n < 0 || (size_t)n >= sizeof(r->truth_path)) {
		fprintf(stderr, "iiot-sim: ground truth path too long\n");
		return -1;
	}
	r->truth = fopen(r->truth_path, "w");
	if (!r->truth) {
		fprintf(stderr, "iiot-sim: %s: %s\n", r->truth_path,
			strerror(errno));
		return -1;
	}
	return 0;
}

static int open_output(struct run *r)
{
	const struct sim_opts *o = r->o;

	if (open_truth(r))
		return -1;

	if (o->out) {
		if (capfile_open(&r->cap, o->out)) {
			fprintf(stderr, "iiot-sim: %s: %s\n", o->out,
				strerror(errno));
			return -1;
		}
		r->sink = (struct sim_sink){ capfile_write, &r->cap };
		return 0;
	}
	if (o->ring) {
		if (ring_out_open(&r->ring, o->ring))
			return -1;
		r->sink = (struct sim_sink){ ring_out_emit, &r->ring };
		return 0;
	}
	if (iface_out_open(&r->ifc, o->iface))
		return -1;
	r->sink = (struct sim_sink){ iface_out_emit, &r->ifc };
	return 0;
}

static int close_output(struct run *r)
{
	if (r->truth && fclose(r->truth)) {
		fprintf(stderr, "iiot-sim: %s: write failed\n", r->truth_path);
		return -1;
	}
	if (r->o->out && capfile_close(&r->cap)) {
		fprintf(stderr, "iiot-sim: %s: write failed\n", r->o->out);
		return -1;
	}
	if (r->o->ring)
		ring_out_close(&r->ring);
	if (r->o->iface)
		iface_out_close(&r->ifc);
	return 0;
}

static void summary(const struct run *r)
{
	int k;

	fprintf(stderr, "iiot-sim: %s: %" PRIu64 " frames, %" PRIu64
		" bytes, %" PRIu64 " pass%s", r->sc->name, r->frames, r->bytes,
		r->passes, r->passes == 1 ? "" : "es");
	if (r->o->ring)
		fprintf(stderr, ", %" PRIu64 " ring drops", r->ring.drops);
	if (!r->o->out && r->o->speed > 0)
		fprintf(stderr, ", %.3f ms behind schedule at most",
			(double)r->late_ns / 1e6);
	if (r->o->iface)
		fprintf(stderr, ", %" PRIu64 " send errors, %" PRIu64
			" DCP answers, %" PRIu64 " bad DCP requests",
			r->ifc.tx_errors, r->dcp_answered, r->dcp_bad);
	for (k = 0; k < FAULT_KINDS; k++)
		if (r->faults[k])
			fprintf(stderr, ", %s %" PRIu64,
				sim_fault_name((enum sim_fault_kind)k),
				r->faults[k]);
	if (r->sc->nattacks)
		fprintf(stderr, ", %" PRIu64 " attack frames", r->attack_frames);
	fputc('\n', stderr);
}

static int simulate(const struct sim_opts *o, const struct sim_scenario *sc)
{
	struct run r = { .o = o, .sc = sc };
	uint64_t end = o->duration_ns, t0, wall0;
	int rc = 0;

	if (o->cycles)
		end = o->cycles * shortest_cycle(sc);
	if (!end && o->out)
		end = 10000000000ULL;
	if (o->loop && !end) {
		fprintf(stderr, "iiot-sim: --loop needs --duration or "
			"--cycles (without them a run never ends)\n");
		return 2;
	}
	if (open_output(&r))
		return 1;
	t0 = shm_now_ns();
	wall0 = mono_ns();
	do {
		if (run_pass(&r, t0, wall0, end))
			rc = 1;
		r.passes++;
		t0 += end;
		wall0 += o->speed > 0 ? (uint64_t)((double)end / o->speed) : 0;
		if (!o->speed)
			wall0 = mono_ns();
	} while (o->loop && !sim_stop && !rc);
	if (close_output(&r))
		rc = 1;
	summary(&r);
	return rc;
}

int main(int argc, char **argv)
{
	struct sim_opts o = { .vlan = -1, .qinq = -1 };
	struct sim_scenario sc;
	struct sigaction sa = { .sa_handler = on_signal };
	char err[512];
	int rc;

	if (parse_args(argc, argv, &o))
		return 2;
	if (scenario_load(&sc, o.scenario, err, sizeof(err))) {
		fprintf(stderr, "iiot-sim: %s\n", err);
		return 1;
	}
	sc.all_tagged = o.vlan >= 0;
	sc.all_vlan = (uint16_t)(o.vlan >= 0 ? o.vlan : 0);
	sc.qinq = o.qinq >= 0;
	sc.s_vlan = (uint16_t)(o.qinq >= 0 ? o.qinq : 0);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	rc = simulate(&o, &sc);
	scenario_free(&sc);
	return rc;
}
