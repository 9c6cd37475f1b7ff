/* Flight recorder ring: [u32 cap][u32 wire][u64 ts][frame, padded to 8]. */
#include <stdlib.h>
#include <string.h>

#include "capture/flightrec.h"

#define FR_HDR		16
#define FR_WRAP		0xffffffffU	/* rest of the buffer is unused */
#define FR_ALIGN(n)	(((n) + 7U) & ~7U)

struct flightrec {
	uint8_t *buf;
	size_t size;
	size_t head, tail;	/* write at head, oldest at tail */
	uint64_t frames, evicted, keep_ns, newest;
	uint32_t snap_len;
};

struct flightrec *flightrec_new(size_t bytes, uint64_t keep_ns,
				uint32_t snap_len)
{
	struct flightrec *f = calloc(1, sizeof(*f));

	if (!f)
		return NULL;
	f->size = bytes & ~(size_t)7;
	/* pages are touched only as frames arrive: a quiet line costs
	 * no memory */
	f->buf = malloc(f->size);
	if (!f->buf || f->size < 4096) {
		free(f->buf);
		free(f);
		return NULL;
	}
	f->keep_ns = keep_ns;
	f->snap_len = snap_len;
	return f;
}

void flightrec_free(struct flightrec *f)
{
	if (!f)
		return;
	free(f->buf);
	free(f);
}

static uint32_t rd32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return v;
}

static uint64_t rd64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
	return v;
}

/* Drop the oldest record; false when empty. */
static int evict(struct flightrec *f)
{
	uint32_t cap;

	if (!f->frames)
		return 0;
	if (f->size - f->tail < FR_HDR || rd32(f->buf + f->tail) == FR_WRAP)
		f->tail = 0;
	cap = rd32(f->buf + f->tail);
	f->tail += FR_HDR + FR_ALIGN(cap);
	if (f->tail >= f->size)
		f->tail = 0;
	f->frames--;
	f->evicted++;
	if (!f->frames)
		f->head = f->tail = 0;
	return 1;
}

/* Room for n contiguous bytes at head, evicting as needed. */
static int make_room(struct flightrec *f, size_t n)
{
	if (n > f->size / 2)
		return -1;
	for (;;) {
		if (!f->frames) {
			f->head = f->tail = 0;
			return 0;
		}
		/* head == tail with frames held means full */
		if (f->head > f->tail) {
			if (f->size - f->head >= n)
				return 0;
			/* wrap: the tail must not sit in [0, n) */
			if (f->tail >= n && f->tail != 0) {
				if (f->size - f->head >= 4)
					memcpy(f->buf + f->head,
					       &(uint32_t){ FR_WRAP }, 4);
				f->head = 0;
				continue;
			}
		} else if (f->tail - f->head >= n) {
			return 0;
		}
		evict(f);
	}
}

void flightrec_add(struct flightrec *f, const uint8_t *frame, uint32_t cap,
		   uint32_t wire, uint64_t ts_ns)
{
	size_t n;

	if (cap > f->snap_len)
		cap = f->snap_len;
	/* the last N seconds: age out by the frames' own clock */
	while (f->frames && f->keep_ns && ts_ns > f->keep_ns) {
		size_t t = f->tail;

		if (f->size - t < FR_HDR || rd32(f->buf + t) == FR_WRAP)
			t = 0;
		if (rd64(f->buf + t + 8) >= ts_ns - f->keep_ns)
			break;
		evict(f);
	}
	n = FR_HDR + FR_ALIGN(cap);
	if (make_room(f, n))
		return;
	memcpy(f->buf + f->head, &cap, 4);
	memcpy(f->buf + f->head + 4, &wire, 4);
	memcpy(f->buf + f->head + 8, &ts_ns, 8);
	memcpy(f->buf + f->head + FR_HDR, frame, cap);
	f->head += n;
	if (f->head >= f->size)
		f->head = 0;
	f->frames++;
	if (ts_ns > f->newest)
		f->newest = ts_ns;
}

uint64_t flightrec_frames(const struct flightrec *f)
{
	return f->frames;
}

uint64_t flightrec_newest(const struct flightrec *f)
{
	return f->frames ? f->newest : 0;
}

uint64_t flightrec_evicted(const struct flightrec *f)
{
	return f->evicted;
}

int flightrec_walk(const struct flightrec *f, uint64_t since_ns,
		   int (*cb)(void *arg, const uint8_t *frame, uint32_t cap,
			     uint32_t wire, uint64_t ts_ns),
		   void *arg)
{
	size_t t = f->tail;
	uint64_t i;
	int rc;

	for (i = 0; i < f->frames; i++) {
		uint32_t cap;
		uint64_t ts;

		if (f->size - t < FR_HDR || rd32(f->buf + t) == FR_WRAP)
			t = 0;
		cap = rd32(f->buf + t);
		ts = rd64(f->buf + t + 8);
		if (ts >= since_ns) {
			rc = cb(arg, f->buf + t + FR_HDR, cap,
				rd32(f->buf + t + 4), ts);
			if (rc)
				return rc;
		}
		t += FR_HDR + FR_ALIGN(cap);
		if (t >= f->size)
			t = 0;
	}
	return 0;
}

static void le32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16); p[3] = (uint8_t)(v >> 24);
}

void pcap_file_header(uint8_t out[24], uint32_t snaplen)
{
	le32(out, PCAP_NSEC_MAGIC);
	out[4] = 2; out[5] = 0;		/* version 2.4 */
	out[6] = 4; out[7] = 0;
	le32(out + 8, 0);		/* thiszone */
	le32(out + 12, 0);		/* sigfigs */
	le32(out + 16, snaplen);
	le32(out + 20, 1);		/* LINKTYPE_ETHERNET */
}

void pcap_rec_header(uint8_t out[16], uint64_t ts_ns, uint32_t cap,
		     uint32_t wire)
{
	le32(out, (uint32_t)(ts_ns / 1000000000ULL));
	le32(out + 4, (uint32_t)(ts_ns % 1000000000ULL));
	le32(out + 8, cap);
	le32(out + 12, wire);
}
