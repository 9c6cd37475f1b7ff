/*
 * iiotd-bench: measurements for bench/daemon.bench.
 *
 *   iiotd-bench decode FILE            decode + inventory + link stats over
 *                                      every frame of FILE (held in memory)
 *   iiotd-bench ids FILE               the same, and the IDS raising into
 *                                      the alert table
 *   iiotd-bench diag FILE              the same, and the fieldbus
 *                                      diagnostics raising into it
 *   iiotd-bench idflood N              N DCP Identify requests from 1000
 *                                      sources through decode, model, IDS
 *   iiotd-bench store N SIGNALS DIR    N samples through the store writer
 *   iiotd-bench bare N DIR             N rows, bare prepared INSERT loop
 *   iiotd-bench latency RING RATE SECS SOCK
 *                                      ring commit → monitor line, p50/p99
 *
 * Each prints one JSON object on stdout.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <pcap/pcap.h>
#include <sqlite3.h>

#include "alerts/alerts.h"
#include "decode/decode.h"
#include "diag/diag.h"
#include "ids/ids.h"
#include "libshm.h"
#include "model/model.h"
#include "store/store.h"

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

struct frame {
	uint64_t ts;
	uint32_t len, wire;
	uint8_t *p;
};

/* decode, model, the IDS and diag (each when given) over n frames;
 * seconds taken */
static double run_frames(struct frame *f, size_t n, struct model *m,
			 struct ids *ids, struct diag *dg)
{
	static struct decoded d;
	double t0 = now_s();
	size_t i;

	for (i = 0; i < n; i++) {
		decode_frame(f[i].p, f[i].len, &d);
		model_frame(m, &d, f[i].ts, f[i].wire, 0);
		if (ids)
			ids_frame(ids, &d, f[i].ts, i + 1);
		if (dg)
			diag_frame(dg, &d, f[i].ts, i + 1);
	}
	model_tick(m, model_last_ts(m));
	for (i = 0; i < model_link_count(m); i++)
		model_link_at(m, i);
	return now_s() - t0;
}

static void print_run(size_t n, double secs, struct model *m,
		      struct alerts *al)
{
	struct alerts_counters c = { 0 };

	if (al)
		alerts_get_counters(al, &c);
	printf("{\"frames\":%zu,\"seconds\":%.6f,\"fps\":%.0f,\"devices\":%zu,"
	       "\"links\":%zu,\"alerts_opened\":%llu,\"alerts_raised\":%llu}\n",
	       n, secs, (double)n / secs, model_device_count(m),
	       model_link_count(m), (unsigned long long)c.opened,
	       (unsigned long long)c.raised);
}

static int bench_idflood(long n)
{
	struct frame *f = calloc((size_t)n, sizeof(*f));
	struct model *m = model_new(NULL);
	struct alerts *al = alerts_new(NULL);
	struct ids *ids = al ? ids_new(al, m) : NULL;
	static const uint8_t hdr[] = {
		0x01, 0x0e, 0xcf, 0x00, 0x00, 0x00,	/* DCP multicast */
		0x02, 0x66, 0x00, 0x00, 0x00, 0x00,	/* source, varied */
		0x88, 0x92, 0xfe, 0xfe,			/* PROFINET, Identify */
		0x05, 0x00, 0x00, 0x00, 0x00, 0x01,	/* request, xid */
		0x00, 0x01, 0x00, 0x04,			/* delay, length */
		0xff, 0xff, 0x00, 0x00,			/* all */
	};
	long i;

	if (!f || !m || !ids)
		return 1;
	for (i = 0; i < n; i++) {
		f[i].p = calloc(1, 60);
		if (!f[i].p)
			return 1;
		memcpy(f[i].p, hdr, sizeof(hdr));
		f[i].p[10] = (uint8_t)((i % 1000) >> 8);
		f[i].p[11] = (uint8_t)(i % 1000);
		f[i].len = f[i].wire = 60;
		/* 1 Gbit/s of minimum frames: 672 ns apart */
		f[i].ts = 1700000000000000000ULL + (uint64_t)i * 672;
	}
	print_run((size_t)n, run_frames(f, (size_t)n, m, ids, NULL), m, al);
	for (i = 0; i < n; i++)
		free(f[i].p);
	free(f);
	ids_free(ids);
	alerts_free(al);
	model_free(m);
	return 0;
}

enum { WITH_NONE, WITH_IDS, WITH_DIAG };

static int bench_decode(const char *path, int with)
{
	char eb[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const u_char *d;
	struct frame *f = NULL;
	size_t n = 0, cap = 0, i;
	struct alerts *al;
	struct model *m;
	struct ids *ids;
	struct diag *dg;
	pcap_t *pc;

	pc = pcap_open_offline_with_tstamp_precision(path,
		PCAP_TSTAMP_PRECISION_NANO, eb);
	if (!pc) {
		fprintf(stderr, "%s\n", eb);
		return 1;
	}
	while (pcap_next_ex(pc, &h, &d) == 1) {
		if (n == cap) {
			cap = cap ? cap * 2 : 65536;
			f = realloc(f, cap * sizeof(*f));
			if (!f)
				return 1;
		}
		f[n].ts = (uint64_t)h->ts.tv_sec * 1000000000ULL +
			  (uint64_t)h->ts.tv_usec;
		f[n].len = h->caplen;
		f[n].wire = h->len;
		f[n].p = malloc(h->caplen);
		memcpy(f[n].p, d, h->caplen);
		n++;
	}
	pcap_close(pc);
	m = model_new(NULL);
	al = with != WITH_NONE ? alerts_new(NULL) : NULL;
	ids = al && with == WITH_IDS ? ids_new(al, m) : NULL;
	dg = al && with == WITH_DIAG ? diag_new(al, m, NULL) : NULL;
	print_run(n, run_frames(f, n, m, ids, dg), m, al);
	diag_free(dg);
	ids_free(ids);
	alerts_free(al);
	model_free(m);
	for (i = 0; i < n; i++)
		free(f[i].p);
	free(f);
	return 0;
}

static int bench_store(long n, long nsig, const char *dir)
{
	struct store_opts o;
	struct store_counters c;
	struct store *s;
	char path[512], err[256];
	uint64_t ts = (uint64_t)time(NULL) * 1000000000ULL;
	double t0, t1;
	long i;

	snprintf(path, sizeof(path), "%s/store.db", dir);
	unlink(path);
	store_opts_default(&o);
	o.path = path;
	o.max_bytes = 1ULL << 40;
	s = store_open(&o, err, sizeof(err));
	if (!s) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	t0 = now_s();
	for (i = 0; i < n; i++) {
		/* each signal sampled every 1 ms, round robin */
		while (!store_put_sample(s, (uint32_t)(i % nsig) + 1,
					 ts + (uint64_t)(i / nsig) * 1000000ULL,
					 (double)i))
			usleep(100);	/* queue full: the writer is behind */
	}
	store_flush(s);
	t1 = now_s();
	store_get_counters(s, &c);
	store_close(s);
	printf("{\"samples\":%ld,\"seconds\":%.6f,\"sps\":%.0f,\"written\":%llu,"
	       "\"dropped\":%llu,\"commit_max_us\":%llu}\n", n, t1 - t0,
	       (double)n / (t1 - t0), (unsigned long long)c.samples_written,
	       (unsigned long long)c.samples_dropped,
	       (unsigned long long)c.commit_max_us);
	return c.samples_written == (uint64_t)n ? 0 : 1;
}

static int bench_bare(long n, const char *dir)
{
	char path[512];
	sqlite3 *db;
	sqlite3_stmt *st;
	double t0, t1;
	long i;

	snprintf(path, sizeof(path), "%s/bare.db", dir);
	unlink(path);
	if (sqlite3_open(path, &db) != SQLITE_OK)
		return 1;
	sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
		     "CREATE TABLE s(signal INTEGER, ts INTEGER, v REAL);",
		     NULL, NULL, NULL);
	sqlite3_prepare_v2(db, "INSERT INTO s VALUES(?,?,?)", -1, &st, NULL);
	t0 = now_s();
	sqlite3_exec(db, "BEGIN", NULL, NULL, NULL);
	for (i = 0; i < n; i++) {
		sqlite3_bind_int64(st, 1, i % 1000);
		sqlite3_bind_int64(st, 2, i);
		sqlite3_bind_double(st, 3, (double)i);
		sqlite3_step(st);
		sqlite3_reset(st);
		/* the same batch size as iiotd's writer */
		if (i % 4096 == 4095) {
			sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
			sqlite3_exec(db, "BEGIN", NULL, NULL, NULL);
		}
	}
	sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
	t1 = now_s();
	sqlite3_finalize(st);
	sqlite3_close(db);
	printf("{\"rows\":%ld,\"seconds\":%.6f,\"rps\":%.0f}\n", n, t1 - t0,
	       (double)n / (t1 - t0));
	return 0;
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static int bench_latency(const char *ring, long rate, long secs,
			 const char *sock)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct shm_ring_opts ro = { .source = IIOT_SRC_REPLAY };
	struct shm_ring *r;
	static const uint8_t frame[60] = {
		0x01, 0x0e, 0xcf, 0x00, 0x00, 0x00, 0x00, 0x0e, 0x8c, 0x99,
		0x99, 0x99, 0x88, 0x92, 0xc0, 0x01 };
	long total = rate * secs, sent = 0, got = 0;
	double *lat = calloc((size_t)total + 1, sizeof(double));
	char buf[1 << 16], line[4096];
	size_t ll = 0;
	double start;
	int fd;

	if (shm_prod_create(&r, ring, &ro)) {
		fprintf(stderr, "%s\n", shm_error());
		return 1;
	}
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", sock);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) ||
	    write(fd, "monitor pn_rt\n", 14) != 14) {
		perror(sock);
		return 1;
	}
	/* skip the {"ok":true} line */
	for (;;) {
		char c;

		if (read(fd, &c, 1) != 1)
			return 1;
		if (c == '\n')
			break;
	}
	/* warm-up: iiotd finds a new ring within a second; frames sent
	 * before that would only measure the retry timer */
	start = now_s();
	while (now_s() - start < 1.5) {
		shm_prod_write(r, frame, sizeof(frame), sizeof(frame),
			       shm_now_ns(), 0, 0);
		shm_prod_commit(r);
		usleep(1000);
		while (recv(fd, buf, sizeof(buf), MSG_DONTWAIT) > 0)
			;
	}
	usleep(100000);
	while (recv(fd, buf, sizeof(buf), MSG_DONTWAIT) > 0)
		;
	start = now_s();
	while (got < total) {
		double due = start + (double)sent / (double)rate;
		struct timeval tv = { 0, 0 };
		fd_set rf;

		while (sent < total && now_s() >= due) {
			shm_prod_write(r, frame, sizeof(frame), sizeof(frame),
				       shm_now_ns(), 0, 0);
			shm_prod_commit(r);
			sent++;
			due = start + (double)sent / (double)rate;
		}
		FD_ZERO(&rf);
		FD_SET(fd, &rf);
		tv.tv_usec = sent < total ? 50 : 200000;
		if (select(fd + 1, &rf, NULL, NULL, &tv) < 0)
			break;
		if (FD_ISSET(fd, &rf)) {
			ssize_t n = read(fd, buf, sizeof(buf)), k;
			uint64_t now = shm_now_ns();

			if (n <= 0)
				break;
			for (k = 0; k < n; k++) {
				if (buf[k] != '\n') {
					if (ll < sizeof(line) - 1)
						line[ll++] = buf[k];
					continue;
				}
				line[ll] = '\0';
				ll = 0;
				{
					unsigned long long s, ns;

					if (sscanf(line, "%llu.%llu", &s, &ns) == 2 &&
					    got < total)
						lat[got++] = (double)(now -
							(s * 1000000000ULL + ns)) / 1e3;
				}
			}
		} else if (sent == total) {
			break;	/* 200 ms without a line: the rest is lost */
		}
	}
	shm_prod_close(r);
	qsort(lat, (size_t)got, sizeof(double), cmp_d);
	printf("{\"sent\":%ld,\"seen\":%ld,\"p50_us\":%.1f,\"p99_us\":%.1f,"
	       "\"max_us\":%.1f}\n", sent, got,
	       got ? lat[got / 2] : -1.0, got ? lat[got * 99 / 100] : -1.0,
	       got ? lat[got - 1] : -1.0);
	free(lat);
	close(fd);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "decode"))
		return bench_decode(argv[2], WITH_NONE);
	if (argc == 3 && !strcmp(argv[1], "ids"))
		return bench_decode(argv[2], WITH_IDS);
	if (argc == 3 && !strcmp(argv[1], "diag"))
		return bench_decode(argv[2], WITH_DIAG);
	if (argc == 3 && !strcmp(argv[1], "idflood"))
		return bench_idflood(atol(argv[2]));
	if (argc == 5 && !strcmp(argv[1], "store"))
		return bench_store(atol(argv[2]), atol(argv[3]), argv[4]);
	if (argc == 4 && !strcmp(argv[1], "bare"))
		return bench_bare(atol(argv[2]), argv[3]);
	if (argc == 6 && !strcmp(argv[1], "latency"))
		return bench_latency(argv[2], atol(argv[3]), atol(argv[4]),
				     argv[5]);
	fprintf(stderr, "usage: iiotd-bench decode|ids|diag FILE | "
		"idflood N | store N SIGNALS DIR |"
		" bare N DIR | latency RING RATE SECS SOCK\n");
	return 2;
}
