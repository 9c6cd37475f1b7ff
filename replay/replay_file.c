/* Read one capture with libpcap and publish its frames into the ring. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "replay.h"

/* Frames per commit when nothing else forces one. */
#define REPLAY_BATCH	64

pcap_t *replay_open(const char *path, char *err, size_t errlen)
{
	char pcap_err[PCAP_ERRBUF_SIZE] = "";
	struct stat st;
	pcap_t *p;
	int dlt;

	if (stat(path, &st)) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	if (!S_ISREG(st.st_mode) && !S_ISFIFO(st.st_mode)) {
		snprintf(err, errlen, "%s: not a regular file", path);
		return NULL;
	}
	p = pcap_open_offline_with_tstamp_precision(path,
			PCAP_TSTAMP_PRECISION_NANO, pcap_err);
	if (!p) {
		snprintf(err, errlen, "%s: not a readable pcap or pcapng "
			 "capture: %s", path, pcap_err);
		return NULL;
	}
	dlt = pcap_datalink(p);
	if (dlt != DLT_EN10MB) {
		const char *name = pcap_datalink_val_to_name(dlt);

		snprintf(err, errlen, "%s: link type %d (%s) is not Ethernet",
			 path, dlt, name ? name : "unknown");
		pcap_close(p);
		return NULL;
	}
	return p;
}

/*
 * With --block, wait until the consumer made room: a replay is a test
 * tool and may wait, a live line never can, so the default drops.
 */
static void wait_for_room(struct shm_ring *ring, uint32_t cap)
{
	const struct timespec pause = { .tv_nsec = 200000 };

	/* publish what is pending: the consumer frees only what it sees */
	shm_prod_commit(ring);
	/* the producer's own positions, not the counters in the file */
	while (!shm_prod_has_room(ring, cap) && !replay_stop)
		nanosleep(&pause, NULL);
}

static void write_frame(struct shm_ring *ring, const uint8_t *data,
			uint32_t caplen, uint32_t wire, uint64_t ts,
			const struct replay_opts *o, struct replay_stats *st)
{
	uint32_t snap = shm_ring_snap_len(ring);
	uint32_t cap = caplen > snap ? snap : caplen;
	void *dst;

	if (o->block)
		wait_for_room(ring, cap);
	dst = shm_prod_reserve(ring, caplen, wire, ts, 0, 0);
	if (!dst) {
		st->drops++;
		return;
	}
	memcpy(dst, data, cap);
	if (cap < caplen)
		st->truncated++;
	st->written++;
}

int replay_file(pcap_t *p, const char *path, struct shm_ring *ring,
		const struct replay_opts *o, struct replay_pace *pace,
		struct replay_stats *st, char *err, size_t errlen)
{
	struct pcap_pkthdr *h;
	const u_char *data;
	uint64_t cap_ns, ts, n = 0;
	int rc;

	replay_pace_next_pass(pace);
	while (!replay_stop && (rc = pcap_next_ex(p, &h, &data)) == 1) {
		cap_ns = (uint64_t)h->ts.tv_sec * 1000000000ULL +
			 (uint64_t)h->ts.tv_usec;	/* ns: NANO precision */
		ts = replay_pace_wait(pace, cap_ns, ring);
		if (o->now)
			ts = shm_now_ns();
		st->frames++;
		st->bytes += h->caplen;
		write_frame(ring, data, h->caplen, h->len, ts, o, st);
		if (++n % REPLAY_BATCH == 0)
			shm_prod_commit(ring);
	}
	shm_prod_commit(ring);
	if (replay_stop || rc == PCAP_ERROR_BREAK)
		return 0;
	snprintf(err, errlen, "%s: damaged after %llu frames: %s", path,
		 (unsigned long long)n, pcap_geterr(p));
	return -1;
}
