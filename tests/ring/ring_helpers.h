/* Helpers shared by the libshm tests. */
#ifndef RING_HELPERS_H
#define RING_HELPERS_H

#include <stdint.h>

#include "libshm.h"

/* A unique ring path under /dev/shm, removed by ring_path_cleanup(). */
const char *ring_test_path(const char *tag);
void ring_path_cleanup(const char *path);

/*
 * Map a ring's data area again, in front of a PROT_NONE page: a read or
 * write past its end then faults.  ASan does not see into mappings, and
 * what follows the data mapping is usually another readable page.
 */
void ring_guard_data(struct shm_ring *r);

/* kB of r's data mapping resident in this process (/proc/self/smaps) */
long ring_data_rss_kb(const struct shm_ring *r);

/* Fill buf with bytes derived from seq; the first 8 bytes hold seq. */
void frame_fill(uint8_t *buf, uint32_t len, uint64_t seq);
/* 0 when buf holds what frame_fill(seq) wrote; returns the seq in *seq. */
int frame_check(const uint8_t *buf, uint32_t len, uint64_t *seq);
/* Frame length for sequence number seq: 60..1514, deterministic. */
uint32_t frame_len_for(uint64_t seq);

#endif
