/* libshm in one process: geometry checks, wrap-around, full ring, hostile
 * producers and consumers, truncation, take-over, end of stream, the bulk
 * (span) path. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cmocka.h>

#include "ring_helpers.h"

#define SMALL (64U * 1024U)

struct fixture {
	char path[128];
	struct shm_ring *prod;
	struct shm_ring *cons;
	uint8_t *raw;		/* the whole file mapped read-write: "evil" */
};

static int setup(void **state)
{
	struct shm_ring_opts o = { .data_size = SMALL, .snap_len = 1514,
				   .source = IIOT_SRC_REPLAY };
	struct fixture *f = calloc(1, sizeof(*f));
	int fd;

	snprintf(f->path, sizeof(f->path), "%s", ring_test_path("u"));
	assert_int_equal(shm_prod_create(&f->prod, f->path, &o), 0);
	assert_int_equal(shm_cons_open(&f->cons, f->path), 0);
	fd = open(f->path, O_RDWR);
	assert_true(fd >= 0);
	f->raw = mmap(NULL, IIOT_RING_MAP_SIZE(SMALL), PROT_READ | PROT_WRITE,
		      MAP_SHARED, fd, 0);
	assert_true(f->raw != MAP_FAILED);
	close(fd);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	munmap(f->raw, IIOT_RING_MAP_SIZE(SMALL));
	shm_ring_close(f->cons, false);
	shm_ring_close(f->prod, true);
	ring_path_cleanup(f->path);
	free(f);
	return 0;
}

static struct iiot_ring_prod *evil_prod(struct fixture *f)
{
	return (struct iiot_ring_prod *)(f->raw + IIOT_RING_PROD_OFF);
}

static struct iiot_ring_cons *evil_cons(struct fixture *f)
{
	return (struct iiot_ring_cons *)(f->raw + IIOT_RING_CONS_OFF);
}

static void put(struct fixture *f, uint64_t seq)
{
	uint8_t buf[1514];
	uint32_t len = frame_len_for(seq);

	frame_fill(buf, len, seq);
	assert_int_equal(shm_prod_write(f->prod, buf, len, len, seq, 3, 0), 0);
}

/* The alignment padding after a frame never carries stale bytes. */
static bool tail_is_zero(const uint8_t *frame, const struct iiot_ring_rec *rec)
{
	uint32_t i;

	for (i = rec->cap_len; i < rec->rec_len - sizeof(*rec); i++)
		if (frame[i])
			return false;
	return true;
}

/*
 * Lay frames seq0.. seq0+n-1 through the bulk path the way a burst loop
 * does, copying in 32-byte chunks that scribble past each frame (the span
 * promises SHM_SPAN_SLACK bytes for that).  False when the span is refused.
 */
static bool put_span(struct fixture *f, uint64_t seq0, unsigned int n)
{
	uint32_t snap = shm_ring_snap_len(f->prod);
	struct shm_span_tally t = { 0 };
	struct shm_span span;
	uint8_t buf[1514 + 32];
	unsigned int i;

	for (i = 0; i < n; i++)
		shm_span_tally(&t, snap, frame_len_for(seq0 + i));
	if (!shm_prod_span(f->prod, &t, &span))
		return false;
	for (i = 0; i < n; i++) {
		uint32_t len = frame_len_for(seq0 + i);
		uint32_t cap = shm_span_cap(snap, len), off;
		uint8_t *dst = shm_span_frame(&span, len, seq0 + i, 3, 0);

		memset(buf, 0xee, sizeof(buf));
		frame_fill(buf, len, seq0 + i);
		for (off = 0; off < cap; off += 32)
			memcpy(dst + off, buf + off, 32);
		shm_span_seal(&span, cap);
	}
	shm_prod_span_end(f->prod, &span, &t);
	return true;
}

/* Consume everything published; returns how many frames, checking order. */
static uint64_t drain(struct fixture *f, uint64_t *next_seq)
{
	const struct iiot_ring_rec *rec;
	const uint8_t *frame;
	uint64_t n = 0, seq;

	while ((rec = shm_cons_peek(f->cons, &frame))) {
		assert_int_equal(frame_check(frame, rec->cap_len, &seq), 0);
		assert_int_equal(seq, *next_seq);
		assert_int_equal(rec->cap_len, frame_len_for(seq));
		assert_int_equal(rec->ts_ns, seq);
		assert_int_equal(rec->ifindex, 3);
		assert_int_equal(rec->source, IIOT_SRC_REPLAY);
		assert_true(tail_is_zero(frame, rec));
		(*next_seq)++;
		n++;
	}
	shm_cons_release(f->cons);
	return n;
}

static void test_roundtrip_in_order(void **state)
{
	struct fixture *f = *state;
	uint64_t next = 0, seq;

	for (seq = 0; seq < 20; seq++)
		put(f, seq);
	shm_prod_commit(f->prod);
	assert_int_equal(drain(f, &next), 20);
	assert_int_equal(next, 20);
}

static void test_uncommitted_invisible(void **state)
{
	struct fixture *f = *state;
	const uint8_t *frame;
	uint64_t next = 0;

	put(f, 0);
	assert_null(shm_cons_peek(f->cons, &frame));
	shm_prod_commit(f->prod);
	assert_int_equal(drain(f, &next), 1);
}

static void test_wraparound_many_laps(void **state)
{
	struct fixture *f = *state;
	uint64_t next = 0, seq = 0;
	int round;

	/* ~40 laps of a 64 KiB ring with frames of every size */
	for (round = 0; round < 1000; round++) {
		int i;

		for (i = 0; i < 3; i++)
			put(f, seq++);
		shm_prod_commit(f->prod);
		drain(f, &next);
	}
	assert_int_equal(next, seq);
	assert_true(evil_prod(f)->pos > 30 * (uint64_t)SMALL);
	assert_int_equal(evil_cons(f)->corrupt, 0);
	assert_int_equal(evil_prod(f)->drops, 0);
}

static void test_full_ring_drops_and_counts(void **state)
{
	struct fixture *f = *state;
	uint64_t seq = 0, next = 0, got;
	struct shm_stats st;
	uint8_t buf[1000] = { 0 };

	while (shm_prod_write(f->prod, buf, sizeof(buf), 0, 0, 0, 0) == 0)
		seq++;
	shm_prod_commit(f->prod);
	assert_int_equal(shm_prod_write(f->prod, buf, sizeof(buf), 0, 0, 0, 0),
			 -ENOSPC);
	shm_ring_stats(f->cons, &st);
	assert_int_equal(st.drops, 2);
	assert_int_equal(st.drop_bytes, 2000);
	assert_int_equal(st.records, seq);
	assert_true(st.fill > SMALL - 2 * IIOT_REC_LEN(1000));
	got = 0;
	while (shm_cons_peek(f->cons, &(const uint8_t *){ NULL }))
		got++;
	shm_cons_release(f->cons);
	assert_int_equal(got, seq);
	/* room again: the ring keeps going after a drop */
	put(f, 0);
	shm_prod_commit(f->prod);
	assert_int_equal(drain(f, &next), 1);
}

static void test_truncates_to_snap_len(void **state)
{
	struct fixture *f = *state;
	const struct iiot_ring_rec *rec;
	const uint8_t *frame;
	uint8_t big[4000];

	memset(big, 0xab, sizeof(big));
	assert_int_equal(shm_prod_write(f->prod, big, sizeof(big), 0, 1, 1, 0),
			 0);
	shm_prod_commit(f->prod);
	rec = shm_cons_peek(f->cons, &frame);
	assert_non_null(rec);
	assert_int_equal(rec->cap_len, 1514);
	assert_int_equal(rec->wire_len, 4000);
	assert_true(rec->flags & IIOT_RECF_TRUNCATED);
	assert_int_equal(frame[1513], 0xab);
	assert_int_equal(evil_prod(f)->truncated, 1);
}

static void test_span_bursts_over_many_laps(void **state)
{
	struct fixture *f = *state;
	uint64_t next = 0, seq = 0;
	struct shm_stats st;
	int round;

	/* bursts of 1..8 frames of every size, ~30 laps, mixed with writes */
	for (round = 0; round < 2000; round++) {
		unsigned int n = 1 + (unsigned int)round % 8;

		assert_true(put_span(f, seq, n));
		seq += n;
		if (round % 7 == 0)
			put(f, seq++);
		shm_prod_publish(f->prod);
		drain(f, &next);
	}
	assert_int_equal(next, seq);
	assert_true(evil_prod(f)->pos > 20 * (uint64_t)SMALL);
	shm_ring_stats(f->cons, &st);
	assert_int_equal(st.records, seq);
	assert_int_equal(st.corrupt, 0);
	assert_int_equal(st.drops, 0);
}

static void test_span_refused_when_full_keeps_ring(void **state)
{
	struct fixture *f = *state;
	uint64_t seq = 0, next = 0, pos;

	while (put_span(f, seq, 8))
		seq += 8;
	shm_prod_publish(f->prod);
	pos = evil_prod(f)->pos;
	/* refused: nothing moved, and what was laid reads back whole */
	assert_false(put_span(f, seq, 8));
	shm_prod_publish(f->prod);
	assert_int_equal(evil_prod(f)->pos, pos);
	assert_int_equal(drain(f, &next), seq);
	assert_true(put_span(f, seq, 8));
}

static void test_span_larger_than_quarter_refused(void **state)
{
	struct fixture *f = *state;
	struct shm_span_tally t = { .rec_bytes = SMALL / 4 + 8, .records = 1 };
	struct shm_span span;

	assert_false(shm_prod_span(f->prod, &t, &span));
	assert_int_equal(evil_prod(f)->drops, 0);
}

static void test_span_truncates_and_counts(void **state)
{
	struct fixture *f = *state;
	struct shm_span_tally t = { 0 };
	const struct iiot_ring_rec *rec;
	const uint8_t *frame;
	struct shm_span span;
	uint8_t *dst;

	shm_span_tally(&t, 1514, 3000);
	shm_span_tally(&t, 1514, 61);
	assert_int_equal(t.truncated, 1);
	assert_int_equal(t.bytes, 1514 + 61);
	assert_true(shm_prod_span(f->prod, &t, &span));
	dst = shm_span_frame(&span, 3000, 1, 2, IIOT_RECF_TS_HW);
	memset(dst, 0x5a, 1514);
	shm_span_seal(&span, 1514);
	dst = shm_span_frame(&span, 61, 2, 2, 0);
	memset(dst, 0xff, 64);		/* a chunked copy's overrun */
	shm_span_seal(&span, 61);
	shm_prod_span_end(f->prod, &span, &t);
	shm_prod_commit(f->prod);
	rec = shm_cons_peek(f->cons, &frame);
	assert_non_null(rec);
	assert_int_equal(rec->cap_len, 1514);
	assert_int_equal(rec->wire_len, 3000);
	assert_int_equal(rec->flags, IIOT_RECF_TS_HW | IIOT_RECF_TRUNCATED);
	rec = shm_cons_peek(f->cons, &frame);
	assert_non_null(rec);
	assert_int_equal(rec->cap_len, 61);
	assert_int_equal(rec->flags, 0);
	assert_true(tail_is_zero(frame, rec));
	assert_null(shm_cons_peek(f->cons, &frame));
	assert_int_equal(evil_prod(f)->truncated, 1);
	assert_int_equal(evil_prod(f)->records, 2);
}

/* A hostile producer writes a record that claims to run past the end. */
static void test_corrupt_record_resyncs(void **state)
{
	struct fixture *f = *state;
	struct iiot_ring_rec *r;
	const uint8_t *frame;
	uint64_t next = 1;

	put(f, 0);
	shm_prod_commit(f->prod);
	r = (struct iiot_ring_rec *)(f->raw + IIOT_RING_DATA_OFF);
	r->rec_len = SMALL * 2;
	assert_null(shm_cons_peek(f->cons, &frame));
	assert_int_equal(evil_cons(f)->corrupt, 1);
	assert_int_equal(evil_cons(f)->resyncs, 1);
	/* the stream continues after the bad record */
	put(f, 1);
	shm_prod_commit(f->prod);
	assert_int_equal(drain(f, &next), 1);
}

static void test_hostile_fields_each_rejected(void **state)
{
	struct fixture *f = *state;
	struct iiot_ring_rec *r;
	const uint8_t *frame;
	uint64_t off;
	int kind;

	for (kind = 0; kind < 6; kind++) {
		off = evil_prod(f)->pos & (SMALL - 1);
		put(f, (uint64_t)kind);
		shm_prod_commit(f->prod);
		r = (struct iiot_ring_rec *)(f->raw + IIOT_RING_DATA_OFF + off);
		switch (kind) {
		case 0: r->rec_len = 12; break;		/* not aligned */
		case 1: r->rec_len = 0; break;		/* no progress */
		case 2: r->kind = 0x1234; break;	/* unknown kind */
		case 3: r->cap_len = 60000; break;	/* beyond snap */
		case 4: r->wire_len = 1; break;		/* wire < cap */
		case 5: r->kind = IIOT_REC_PAD; break;	/* pad mid-ring */
		}
		assert_null(shm_cons_peek(f->cons, &frame));
		assert_int_equal(evil_cons(f)->corrupt, kind + 1);
	}
}

static void test_hostile_producer_position(void **state)
{
	struct fixture *f = *state;
	const uint8_t *frame;

	evil_prod(f)->pos = 10 * (uint64_t)SMALL + 8;
	assert_null(shm_cons_peek(f->cons, &frame));
	assert_int_equal(evil_cons(f)->corrupt, 1);
	assert_int_equal(evil_cons(f)->pos, 10 * (uint64_t)SMALL + 8);
}

/* A consumer claiming to be ahead of the producer must not let it
 * overwrite unread data or write out of bounds. */
static void test_hostile_consumer_position(void **state)
{
	struct fixture *f = *state;
	uint8_t buf[1500] = { 0 };
	int i, dropped = 0;

	for (i = 0; i < 40; i++)
		put(f, (uint64_t)i);
	shm_prod_commit(f->prod);
	evil_cons(f)->pos = evil_prod(f)->pos + 12345;
	for (i = 0; i < 200; i++)
		dropped += shm_prod_write(f->prod, buf, sizeof(buf), 0, 0, 0,
					  0) != 0;
	assert_true(dropped > 0);
	assert_true(evil_prod(f)->bad_cons > 0);
	/* nothing was really consumed: never more than one ring published */
	assert_true(evil_prod(f)->pos <= SMALL);
}

/*
 * Regression: iiot-dpdk sized its bursts by the snap length in the mapped
 * header, which any writer of the file can change; with 64 there and 1514
 * in libshm, the frames ran far past the span they had claimed.  Both
 * accessors give the producer's own copy.
 */
static void test_span_sized_by_shared_header_snap_len(void **state)
{
	struct fixture *f = *state;
	struct iiot_ring_hdr *h = (struct iiot_ring_hdr *)f->raw;
	uint64_t next = 0, seq;

	h->snap_len = 64;
	assert_int_equal(shm_ring_snap_len(f->prod), 1514);
	assert_int_equal(shm_ring_hdr(f->prod)->snap_len, 1514);
	assert_int_equal(shm_ring_snap_len(f->cons), 1514);
	assert_int_equal(shm_ring_hdr(f->cons)->snap_len, 1514);
	ring_guard_data(f->prod);
	for (seq = 0; seq < 200; seq += 8) {
		assert_true(put_span(f, seq, 8));
		shm_prod_commit(f->prod);
		assert_int_equal(drain(f, &next), 8);
	}
}

/*
 * Regression: a producer taking over a ring whose consumer position was
 * 3*size-3 started writing there, and the PAD record at the end of the
 * data area ran 5 bytes past it.  An unaligned consumer position is now
 * counted and the ring treated as full until the consumer publishes a
 * good one.
 */
static void test_takeover_unaligned_consumer_pos_writes_past_data(void **state)
{
	struct fixture *f = *state;
	struct shm_ring_opts o = { .data_size = SMALL, .snap_len = 1514,
				   .source = IIOT_SRC_REPLAY };
	const uint8_t *frame;
	uint64_t next;
	int i;

	put(f, 0);
	shm_prod_commit(f->prod);
	shm_ring_close(f->prod, false);
	evil_cons(f)->pos = 3 * (uint64_t)SMALL - 3;
	assert_int_equal(shm_prod_create(&f->prod, f->path, &o), 0);
	assert_int_equal(evil_prod(f)->pos % IIOT_RING_ALIGN, 0);
	ring_guard_data(f->prod);
	for (i = 0; i < 4; i++) {
		uint8_t buf[200] = { 0 };

		assert_int_equal(shm_prod_write(f->prod, buf, sizeof(buf), 0,
						0, 0, 0), -ENOSPC);
	}
	assert_true(evil_prod(f)->bad_cons >= 1);
	assert_int_equal(evil_prod(f)->pos % IIOT_RING_ALIGN, 0);
	/* the consumer skips to the producer and publishes a good position */
	while (shm_cons_peek(f->cons, &frame))
		;
	shm_cons_release(f->cons);
	assert_int_equal(evil_cons(f)->pos, evil_prod(f)->pos);
	next = 1;
	for (i = 1; i < 60; i++)
		put(f, (uint64_t)i);
	shm_prod_commit(f->prod);
	assert_int_equal(drain(f, &next), 59);
}

/* The same check in every room check, not only at take-over. */
static void test_unaligned_consumer_pos_is_full_ring(void **state)
{
	struct fixture *f = *state;
	uint64_t bad, next = 0;

	put(f, 0);
	shm_prod_commit(f->prod);
	drain(f, &next);
	bad = evil_prod(f)->pos - 4;
	evil_cons(f)->pos = bad;
	/* the room the producer knew of is used up first */
	while (!shm_prod_write(f->prod, "0123456789abcdef", 16, 16, 0, 0, 0))
		;
	assert_true(evil_prod(f)->bad_cons >= 1);
	assert_true(evil_prod(f)->pos - bad <= SMALL);
}

/*
 * Regression: a hostile producer publishing 2*size-3, then 2*size+5, made
 * the consumer resynchronise to an unaligned position and read a record
 * header 5 bytes past the data area (iiotd crashed).  Unaligned producer
 * positions are counted and ignored; the stream goes on afterwards.
 */
static void test_unaligned_producer_pos_reads_past_data(void **state)
{
	struct fixture *f = *state;
	const uint8_t *frame;
	uint64_t next = 0;

	ring_guard_data(f->cons);
	evil_prod(f)->pos = 2 * (uint64_t)SMALL - 3;
	assert_null(shm_cons_peek(f->cons, &frame));
	evil_prod(f)->pos = 2 * (uint64_t)SMALL + 5;
	assert_null(shm_cons_peek(f->cons, &frame));
	assert_null(shm_cons_peek(f->cons, &frame));
	shm_cons_release(f->cons);
	assert_int_equal(evil_cons(f)->corrupt, 2);
	assert_int_equal(evil_cons(f)->pos % IIOT_RING_ALIGN, 0);
	/* a stuck bad position is not "records waiting": no busy loop */
	assert_false(shm_cons_arm(f->cons));
	shm_cons_ack(f->cons);
	/* the real producer publishes again: everything arrives */
	put(f, 0);
	put(f, 1);
	shm_prod_commit(f->prod);
	assert_int_equal(drain(f, &next), 2);
}

/* A consumer opening a ring whose consumer position is unaligned. */
static void test_open_unaligned_consumer_pos_aligned_down(void **state)
{
	struct fixture *f = *state;
	struct shm_ring *r;
	const uint8_t *frame;

	put(f, 0);
	shm_prod_commit(f->prod);
	evil_cons(f)->pos = 13;
	assert_int_equal(shm_cons_open(&r, f->path), 0);
	assert_int_equal(evil_cons(f)->pos, 8);
	assert_int_equal(evil_cons(f)->corrupt, 1);
	ring_guard_data(r);
	/* what lies at 8 is the middle of a record: rejected, not a crash */
	assert_null(shm_cons_peek(r, &frame));
	shm_ring_close(r, false);
}

static void test_open_rejects_bad_headers(void **state)
{
	struct fixture *f = *state;
	struct iiot_ring_hdr *h = (struct iiot_ring_hdr *)f->raw;
	struct iiot_ring_hdr saved = *h;
	struct shm_ring *r;

	h->magic = 0xdeadbeef;
	assert_int_equal(shm_cons_open(&r, f->path), -EPROTO);
	assert_non_null(strstr(shm_error(), "not an iiot ring"));
	*h = saved;
	h->abi_version = 99;
	assert_int_equal(shm_cons_open(&r, f->path), -EPROTONOSUPPORT);
	assert_non_null(strstr(shm_error(), "ABI 99"));
	*h = saved;
	h->data_size = SMALL * 4;	/* larger than the file */
	assert_int_equal(shm_cons_open(&r, f->path), -EPROTO);
	*h = saved;
	h->data_size = SMALL + 8;	/* not a power of two */
	assert_int_equal(shm_cons_open(&r, f->path), -EPROTO);
	*h = saved;
	h->snap_len = 100000;
	assert_int_equal(shm_cons_open(&r, f->path), -EPROTO);
	*h = saved;
	assert_int_equal(shm_cons_open(&r, f->path), 0);
	shm_ring_close(r, false);
	assert_int_equal(shm_cons_open(&r, "/dev/shm/iiot-test-missing"),
			 -ENOENT);
}

/* Regression: an empty or short file (a ring being created by hand, or a
 * stray file) made consumers and iiotctl rings die of SIGBUS. */
static void test_short_file_refused_not_crashing(void **state)
{
	const char *path = ring_test_path("short");
	struct shm_stats st;
	struct shm_ring *r;
	int fd;

	(void)state;
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(shm_cons_open(&r, path), -EPROTO);
	assert_non_null(strstr(shm_error(), "too small"));
	assert_int_equal(shm_stats_read(path, &st), -EPROTO);
	assert_int_equal(ftruncate(fd, IIOT_RING_PAGE + 10), 0);
	assert_int_equal(shm_cons_open(&r, path), -EPROTO);
	assert_int_equal(shm_stats_read(path, &st), -EPROTO);
	close(fd);
	ring_path_cleanup(path);
}

static void test_second_producer_refused(void **state)
{
	struct fixture *f = *state;
	struct shm_ring_opts o = { .data_size = SMALL };
	struct shm_ring *r;

	assert_int_equal(shm_prod_create(&r, f->path, &o), -EBUSY);
	assert_non_null(strstr(shm_error(), "already has a producer"));
}

static void test_bad_geometry_refused(void **state)
{
	struct shm_ring_opts o = { .data_size = 3000 };
	struct shm_ring *r;

	(void)state;
	assert_int_equal(shm_prod_create(&r, ring_test_path("g"), &o),
			 -EINVAL);
	assert_non_null(strstr(shm_error(), "power of two"));
}

static void test_takeover_keeps_unread(void **state)
{
	struct fixture *f = *state;
	struct shm_ring_opts o = { .data_size = SMALL, .snap_len = 1514,
				   .source = IIOT_SRC_REPLAY };
	uint64_t next = 0;

	put(f, 0);
	put(f, 1);
	shm_prod_commit(f->prod);
	/* producer goes away without closing (as if it crashed) */
	shm_ring_close(f->prod, false);
	assert_int_equal(shm_prod_create(&f->prod, f->path, &o), 0);
	assert_false(shm_cons_replaced(f->cons));
	put(f, 2);
	shm_prod_commit(f->prod);
	assert_int_equal(drain(f, &next), 3);
}

static void test_eof_after_close(void **state)
{
	struct fixture *f = *state;
	uint64_t next = 0;

	put(f, 0);
	shm_prod_close(f->prod);
	assert_false(shm_cons_eof(f->cons));
	assert_true(shm_cons_arm(f->cons));
	drain(f, &next);
	assert_true(shm_cons_eof(f->cons));
}

static void test_stats_read_by_other_tool(void **state)
{
	struct fixture *f = *state;
	struct shm_stats st;

	put(f, 0);
	put(f, 1);
	shm_prod_commit(f->prod);
	assert_int_equal(shm_stats_read(f->path, &st), 0);
	assert_int_equal(st.records, 2);
	assert_int_equal(st.consumed, 0);
	assert_int_equal(st.source, IIOT_SRC_REPLAY);
	assert_int_equal(st.data_size, SMALL);
}

/*
 * The NIC's counters: zero until the producer sets them (a fresh ring, or
 * any producer that does not report them), then every reader sees the
 * totals last set, not their sum.
 */
static void test_nic_counters_roundtrip(void **state)
{
	struct fixture *f = *state;
	struct shm_nic_counters a = { 1000, 7, 3, 2 }, b = { 1500, 9, 3, 4 };
	struct shm_stats st;

	assert_int_equal(shm_stats_read(f->path, &st), 0);
	assert_int_equal(st.nic.packets | st.nic.missed | st.nic.errors |
			 st.nic.nombuf, 0);
	shm_prod_set_nic(f->prod, &a);
	assert_int_equal(shm_stats_read(f->path, &st), 0);
	assert_memory_equal(&st.nic, &a, sizeof(a));
	shm_prod_set_nic(f->prod, &b);
	shm_ring_stats(f->cons, &st);
	assert_memory_equal(&st.nic, &b, sizeof(b));
	/* on the page where the ABI says, for readers without libshm */
	assert_int_equal(evil_prod(f)->nic_packets, 1500);
	assert_int_equal(evil_prod(f)->nic_missed, 9);
	assert_int_equal(evil_prod(f)->nic_errors, 3);
	assert_int_equal(evil_prod(f)->nic_nombuf, 4);
	/* NIC counters are the NIC's: the ring's own stay as they were */
	assert_int_equal(st.drops, 0);
	assert_int_equal(st.records, 0);
}

/*
 * A consumer of a ring file keeps resident only what it is reading, not
 * every page the producer wrapped through: iiotd held its 16 MiB capture
 * ring in its RSS for 2 MiB of frames in flight (large line, bench row 4
 * of daemon.bench).  Three laps of a 4 MiB ring, frames checked on every
 * lap (the pages it let go come back with their data).
 */
static void test_consumer_ring_rss_whole_ring(void **state)
{
	struct shm_ring_opts o = { .data_size = 4U << 20, .snap_len = 1514,
				   .source = IIOT_SRC_REPLAY };
	struct fixture g = { .prod = NULL };
	uint64_t seq = 0, next = 0, written = 0;
	long kb, most = 0;

	(void)state;
	snprintf(g.path, sizeof(g.path), "%s", ring_test_path("rss"));
	assert_int_equal(shm_prod_create(&g.prod, g.path, &o), 0);
	assert_int_equal(shm_cons_open(&g.cons, g.path), 0);
	assert_true(ring_data_rss_kb(g.cons) >= 0);
	while (written < 3 * (uint64_t)o.data_size) {
		/* a quarter of the ring at a time, then read it all */
		uint64_t lap = 0;

		while (lap < o.data_size / 4) {
			uint32_t len = frame_len_for(seq);
			uint8_t buf[1514];

			frame_fill(buf, len, seq);
			assert_int_equal(shm_prod_write(g.prod, buf, len, len,
							seq, 3, 0), 0);
			seq++;
			lap += IIOT_REC_LEN(len);
		}
		shm_prod_commit(g.prod);
		written += lap;
		drain(&g, &next);
		kb = ring_data_rss_kb(g.cons);
		if (kb > most)
			most = kb;
	}
	assert_int_equal(next, seq);
	/* a chunk being read and one fault-around batch, not 4 MiB */
	assert_true(most > 0);
	assert_true(most <= 1024);
	shm_ring_close(g.cons, false);
	shm_ring_close(g.prod, true);
	ring_path_cleanup(g.path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
		T(test_roundtrip_in_order),
		T(test_uncommitted_invisible),
		T(test_wraparound_many_laps),
		T(test_full_ring_drops_and_counts),
		T(test_truncates_to_snap_len),
		T(test_corrupt_record_resyncs),
		T(test_hostile_fields_each_rejected),
		T(test_hostile_producer_position),
		T(test_hostile_consumer_position),
		T(test_span_sized_by_shared_header_snap_len),
		T(test_takeover_unaligned_consumer_pos_writes_past_data),
		T(test_unaligned_consumer_pos_is_full_ring),
		T(test_unaligned_producer_pos_reads_past_data),
		T(test_open_unaligned_consumer_pos_aligned_down),
		T(test_open_rejects_bad_headers),
		T(test_second_producer_refused),
		cmocka_unit_test(test_bad_geometry_refused),
		cmocka_unit_test(test_short_file_refused_not_crashing),
		T(test_takeover_keeps_unread),
		T(test_eof_after_close),
		T(test_stats_read_by_other_tool),
		T(test_span_bursts_over_many_laps),
		T(test_span_refused_when_full_keeps_ring),
		T(test_span_larger_than_quarter_refused),
		T(test_span_truncates_and_counts),
		T(test_nic_counters_roundtrip),
		cmocka_unit_test(test_consumer_ring_rss_whole_ring),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
