/*
 * Flight recorder: the last N seconds (and at most a fixed number of
 * bytes) of raw frames of one interface, kept in one preallocated byte
 * ring, oldest evicted first; exported as a pcap.
 */
#ifndef IIOTD_FLIGHTREC_H
#define IIOTD_FLIGHTREC_H

#include <stddef.h>
#include <stdint.h>

struct flightrec;

struct flightrec *flightrec_new(size_t bytes, uint64_t keep_ns,
				uint32_t snap_len);
void flightrec_free(struct flightrec *f);
void flightrec_add(struct flightrec *f, const uint8_t *frame, uint32_t cap,
		   uint32_t wire, uint64_t ts_ns);
uint64_t flightrec_frames(const struct flightrec *f);	/* held now */
uint64_t flightrec_newest(const struct flightrec *f);	/* ts, 0 empty */
uint64_t flightrec_evicted(const struct flightrec *f);

/* Frames with ts >= since_ns, oldest first; cb returns 0 to go on. */
int flightrec_walk(const struct flightrec *f, uint64_t since_ns,
		   int (*cb)(void *arg, const uint8_t *frame, uint32_t cap,
			     uint32_t wire, uint64_t ts_ns),
		   void *arg);

/* pcap (nanosecond) file header and record header, little endian */
#define PCAP_NSEC_MAGIC	0xa1b23c4dU
void pcap_file_header(uint8_t out[24], uint32_t snaplen);
void pcap_rec_header(uint8_t out[16], uint64_t ts_ns, uint32_t cap,
		     uint32_t wire);

#endif
