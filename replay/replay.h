/* iiot-replay: pcap/pcapng captures into a libshm ring. */
#ifndef IIOT_REPLAY_H
#define IIOT_REPLAY_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include <pcap/pcap.h>

#include "libshm.h"

struct replay_opts {
	const char *ring;	/* ring name or path */
	double speed;		/* 1.0 = recorded pace; 0 = as fast as possible */
	uint64_t loops;		/* passes over all files; 0 = forever */
	uint64_t ring_size;	/* data bytes, power of two */
	uint32_t snap;		/* snap length of the ring */
	bool now;		/* stamp records with the replay time */
	bool block;		/* wait for room instead of dropping */
	bool json;
};

struct replay_stats {
	uint64_t frames;	/* frames read from the captures */
	uint64_t bytes;		/* captured bytes read */
	uint64_t written;	/* frames published into the ring */
	uint64_t drops;		/* frames the full ring refused */
	uint64_t truncated;	/* frames cut to the ring's snap length */
};

/* Recorded-pace clock: maps capture time to wall time. */
struct replay_pace {
	double speed;		/* 0: no pacing */
	bool started;
	uint64_t cap0_ns;	/* capture time of the first frame */
	uint64_t wall0_ns;	/* CLOCK_MONOTONIC when it was sent */
	uint64_t last_ns;	/* latest capture time seen */
	uint64_t shift_ns;	/* added to capture times of later files */
	bool rebase;		/* next frame starts a new file or pass */
};

extern volatile sig_atomic_t replay_stop;

/* Open a capture for replay; NULL with a message naming the file. */
pcap_t *replay_open(const char *path, char *err, size_t errlen);

/*
 * Send every frame of one open capture into the ring.  0 at the end of
 * the file, -1 with err filled when the file is damaged part way.
 */
int replay_file(pcap_t *p, const char *path, struct shm_ring *ring,
		const struct replay_opts *o, struct replay_pace *pace,
		struct replay_stats *st, char *err, size_t errlen);

/* Wait until the frame stamped cap_ns is due; returns its shifted time. */
uint64_t replay_pace_wait(struct replay_pace *pace, uint64_t cap_ns,
			  struct shm_ring *ring);

/* Make the next file continue right after the last frame seen. */
void replay_pace_next_pass(struct replay_pace *pace);

uint64_t replay_mono_ns(void);

#endif
