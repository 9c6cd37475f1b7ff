/*
 * libshm: single-producer single-consumer frame rings in the iiot ring ABI
 * (include/iiot/ring_abi.h), over a shared-memory file (/dev/shm) or the
 * kernel module's character device, with the same consumer code for both.
 *
 * Producer:  shm_prod_create → (shm_prod_reserve | shm_prod_write)… →
 *            shm_prod_commit → … → shm_prod_close
 * Consumer:  shm_cons_open → shm_cons_peek… → shm_cons_release →
 *            shm_cons_arm + poll(shm_ring_fd) when idle → shm_ring_close
 *
 * Errors: functions return NULL or a negative errno; shm_error() gives a
 * sentence saying what was wrong (thread-local, valid until the next call).
 */
#ifndef LIBSHM_H
#define LIBSHM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "iiot/ring_abi.h"

struct shm_ring;

struct shm_ring_opts {
	uint64_t data_size;	/* power of two; 0 → SHM_DEFAULT_DATA */
	uint32_t snap_len;	/* 0 → IIOT_RING_DEFAULT_SNAP */
	uint32_t ifindex;
	uint16_t source;	/* enum iiot_ring_source */
	const char *name;	/* shown by tools; default: path's basename */
};

#define SHM_DEFAULT_DATA	(16U << 20)
#define SHM_DIR			"/dev/shm/iiot"
/* rings, their wake FIFOs and SHM_DIR belong to this group (mode 0660,
 * SHM_DIR 0750): iiotd's user is a member and keeps no capability */
#define SHM_GROUP		"iiot"

/*
 * Counters of the NIC behind a ring (struct iiot_ring_prod's nic_*):
 * totals since the source started, 0 when the source does not report them.
 */
struct shm_nic_counters {
	uint64_t packets;	/* frames the NIC received, before filtering */
	uint64_t missed;	/* dropped by the NIC: no RX descriptor free */
	uint64_t errors;	/* bad frames, not delivered */
	uint64_t nombuf;	/* dropped: no buffer to receive into */
};

/* Counters of one ring, as any tool reads them. */
struct shm_stats {
	uint64_t data_size;
	uint64_t fill;		/* bytes published but not consumed */
	uint64_t records;	/* published by the producer */
	uint64_t bytes;
	uint64_t drops;
	uint64_t drop_bytes;
	uint64_t bad_cons;
	uint64_t truncated;
	uint64_t consumed;
	uint64_t corrupt;
	uint64_t resyncs;
	uint64_t heartbeat_ns;	/* CLOCK_MONOTONIC of the producer's last commit */
	uint32_t state;
	uint32_t producer_pid;
	uint32_t snap_len;
	uint32_t ifindex;
	uint16_t source;
	char name[32];
	struct shm_nic_counters nic;
};

const char *shm_error(void);

/*
 * Resolve a ring name to its path: a name without '/' lives in SHM_DIR.
 * Returns buf, or NULL when it does not fit.
 */
char *shm_ring_path(const char *name, char *buf, size_t len);

/*
 * Create (or take over, when a valid ring of the same geometry exists and
 * no other producer holds it) the ring at path.  Taking over keeps unread
 * records so a restarted producer loses nothing already published.
 */
int shm_prod_create(struct shm_ring **out, const char *path,
		    const struct shm_ring_opts *opts);

/*
 * Reserve room for one frame of cap_len bytes (cut to snap_len) and return
 * where to copy it, or NULL when the ring is full: the frame is then
 * counted as a drop.  The record is invisible until shm_prod_commit().
 */
void *shm_prod_reserve(struct shm_ring *r, uint32_t cap_len,
		       uint32_t wire_len, uint64_t ts_ns, uint32_t ifindex,
		       uint16_t flags);

/*
 * True when a frame of cap_len bytes fits now.  For sources that may wait
 * (replay as fast as possible); a live capture just reserves and drops.
 */
bool shm_prod_has_room(struct shm_ring *r, uint32_t cap_len);

/* Reserve + copy; returns 0, or -ENOSPC when dropped. */
int shm_prod_write(struct shm_ring *r, const void *frame, uint32_t len,
		   uint32_t wire_len, uint64_t ts_ns, uint32_t ifindex,
		   uint16_t flags);

/* Publish every reserved record and wake a sleeping consumer. */
void shm_prod_commit(struct shm_ring *r);

/*
 * The same without refreshing the heartbeat, which costs a clock read:
 * for loops that publish every few microseconds and call
 * shm_prod_commit() on a timer (at least once a second).
 */
void shm_prod_publish(struct shm_ring *r);

/*
 * Bulk path for burst loops.  Tally the frames of a burst with
 * shm_span_tally() (snap_len from shm_ring_snap_len()), claim the room with
 * shm_prod_span() (false: not enough room, or more than a quarter of the
 * ring; fall back to shm_prod_reserve, which drops and counts), lay
 * exactly those frames in order with shm_span_frame() + copy +
 * shm_span_seal(), then shm_prod_span_end() and shm_prod_commit().
 *
 * A copy into a span may run up to SHM_SPAN_SLACK bytes past the end of
 * its record: that lands in the next record, written after it, or in
 * ring space no reader can see yet.  Fixed-size chunk copies need no
 * tail handling.
 */
#define SHM_SPAN_SLACK	64U

struct shm_span_tally {
	uint64_t rec_bytes;	/* room the records take */
	uint64_t bytes;		/* frame bytes kept */
	uint32_t records;
	uint32_t truncated;
};

struct shm_span {
	uint8_t *next;		/* where the next record goes */
	uint8_t *end;
	uint32_t snap_len;
	uint16_t source;
};

static inline uint32_t shm_span_cap(uint32_t snap_len, uint32_t len)
{
	return len < snap_len ? len : snap_len;
}

static inline void shm_span_tally(struct shm_span_tally *t,
				  uint32_t snap_len, uint32_t len)
{
	uint32_t cap = shm_span_cap(snap_len, len);

	t->rec_bytes += IIOT_REC_LEN(cap);
	t->bytes += cap;
	t->records++;
	t->truncated += cap < len;
}

bool shm_prod_span(struct shm_ring *r, const struct shm_span_tally *t,
		   struct shm_span *s);

/*
 * Write the next record's header and return where its cap bytes go
 * (shm_span_cap(s->snap_len, len) of them).  Call shm_span_seal() once
 * they are copied.
 */
static inline void *shm_span_frame(struct shm_span *s, uint32_t len,
				   uint64_t ts_ns, uint32_t ifindex,
				   uint16_t flags)
{
	struct iiot_ring_rec *rec = (struct iiot_ring_rec *)s->next;
	uint32_t cap = shm_span_cap(s->snap_len, len);

	iiot_rec_init(rec, cap, len, ts_ns, ifindex, s->source,
		      (__u16)(flags | (cap < len ? IIOT_RECF_TRUNCATED : 0)));
	s->next += IIOT_REC_LEN(cap);
	return rec + 1;
}

/*
 * Zero the record's alignment tail, which a chunked copy may have filled
 * with whatever followed the frame: readers never see stale bytes.
 */
static inline void shm_span_seal(const struct shm_span *s, uint32_t cap)
{
	uint32_t tail = -cap & (IIOT_RING_ALIGN - 1);
	uint64_t last;

	if (!tail)
		return;
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	__builtin_memcpy(&last, s->next - 8, 8);
	last &= ~0ULL >> (8 * tail);
	__builtin_memcpy(s->next - 8, &last, 8);
#else
	(void)last;
	__builtin_memset(s->next - tail, 0, tail);
#endif
}

void shm_prod_span_end(struct shm_ring *r, const struct shm_span *s,
		       const struct shm_span_tally *t);

/* Count drops that happened before the ring (e.g. in a NIC or kernel). */
void shm_prod_add_drops(struct shm_ring *r, uint64_t frames, uint64_t bytes);

/*
 * Publish the NIC's counters beside the ring's (once per tick is plenty:
 * readers poll them).  Totals, not increments; a producer that takes a
 * ring over shows its predecessor's until it sets its own.  NIC misses
 * still belong in shm_prod_add_drops too: readers that know only drops
 * must see every frame lost.
 */
void shm_prod_set_nic(struct shm_ring *r, const struct shm_nic_counters *nic);

/* Commit, mark the ring closed (consumers see end of stream), release. */
void shm_prod_close(struct shm_ring *r);

/* Open a ring file or /dev/iiot/<if> device for consuming. */
int shm_cons_open(struct shm_ring **out, const char *path);

/*
 * Next valid frame, or NULL when none is published.  The returned header
 * is a validated private copy; *frame points into the ring and stays valid
 * until shm_cons_release().
 */
const struct iiot_ring_rec *shm_cons_peek(struct shm_ring *r,
					  const uint8_t **frame);

/* Hand every peeked record back to the producer. */
void shm_cons_release(struct shm_ring *r);

/*
 * Prepare to sleep on shm_ring_fd(): returns true when records are already
 * waiting (do not sleep).  After poll() says readable, call shm_cons_ack().
 */
bool shm_cons_arm(struct shm_ring *r);
void shm_cons_ack(struct shm_ring *r);

/* Block up to timeout_ms (-1: forever) until records arrive; 1, 0 or -errno */
int shm_cons_wait(struct shm_ring *r, int timeout_ms);

/* True when the producer closed the ring and every record was consumed. */
bool shm_cons_eof(struct shm_ring *r);

/* True when the file at the ring's path is no longer the mapped ring. */
bool shm_cons_replaced(struct shm_ring *r);

/* Pollable fd that becomes readable when a sleeping consumer is woken. */
int shm_ring_fd(const struct shm_ring *r);
/*
 * The ring's header as this side validated (consumer) or wrote (producer)
 * it: a private copy.  The mapped header is in the file, which any writer
 * of it can change; sizes taken from there could disagree with the ones
 * libshm checks against.
 */
const struct iiot_ring_hdr *shm_ring_hdr(const struct shm_ring *r);
/* The largest cap_len of a record: what shm_span_tally() needs. */
uint32_t shm_ring_snap_len(const struct shm_ring *r);
const char *shm_ring_name(const struct shm_ring *r);
void shm_ring_stats(const struct shm_ring *r, struct shm_stats *st);

/* Read a ring's counters without consuming (any tool, read-only). */
int shm_stats_read(const char *path, struct shm_stats *st);

/* Unmap and close; the producer side also unlinks when unlink is true. */
void shm_ring_close(struct shm_ring *r, bool unlink_file);

/* CLOCK_REALTIME in ns, the clock records carry. */
uint64_t shm_now_ns(void);

#endif /* LIBSHM_H */
