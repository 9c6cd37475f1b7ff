/*
 * Producer bulk path: room for a whole burst of records in one contiguous
 * span, claimed with one check of the consumer's position.  Burst loops
 * (iiot-dpdk) then lay the records with the inline shm_span_frame() and
 * publish them with one shm_prod_publish() or shm_prod_commit().
 */
#include <stdlib.h>

#include "shm_internal.h"

#define LINE	64U	/* cache line */

/*
 * Ask for every line of the span in the exclusive state at once: the
 * consumer on another core last read them, and fetching them one store at
 * a time would serialise a cache miss per record.
 */
static void prefetch_for_write(uint8_t *p, uint64_t len)
{
	uint8_t *end = p + len;

	for (p = (uint8_t *)((uintptr_t)p & ~(uintptr_t)(LINE - 1)); p < end;
	     p += LINE)
#if defined(__x86_64__)
		/* gcc emits it only with -mprfchw, which would tie the build
		 * to a CPU; x86-64 CPUs without it run it as a no-op */
		__asm__ volatile("prefetchw %0" : : "m"(*p));
#else
		__builtin_prefetch(p, 1, 3);
#endif
}

static void pad_to_end(struct shm_ring *r, uint64_t tail_room)
{
	struct iiot_ring_rec *rec = (struct iiot_ring_rec *)
				    (r->data + (r->head & r->mask));

	rec->rec_len = (uint32_t)tail_room;
	rec->kind = IIOT_REC_PAD;
	rec->flags = 0;
	r->head += tail_room;
}

bool shm_prod_span(struct shm_ring *r, const struct shm_span_tally *t,
		   struct shm_span *s)
{
	uint64_t bytes = t->rec_bytes;
	uint64_t tail_room = r->size - (r->head & r->mask);
	bool fits = tail_room >= bytes + SHM_SPAN_SLACK;
	uint64_t need = (fits ? 0 : tail_room) + bytes + SHM_SPAN_SLACK;

	/*
	 * A span never wraps and keeps its slack inside the data area and
	 * clear of unread records; a burst larger than a quarter of the ring
	 * goes record by record.
	 */
	if (bytes > r->size / 4 || !shm_prod_has_room_bytes(r, need))
		return false;
	if (!fits)
		pad_to_end(r, tail_room);
	s->next = r->data + (r->head & r->mask);
	s->end = s->next + bytes;
	s->snap_len = r->snap_len;
	s->source = r->source;
	prefetch_for_write(s->next, bytes);
	r->head += bytes;
	return true;
}

void shm_prod_span_end(struct shm_ring *r, const struct shm_span *s,
		       const struct shm_span_tally *t)
{
	/* a hole would be read as records: a caller bug, not a runtime case */
	if (s->next != s->end)
		abort();
	r->pend_records += t->records;
	r->pend_bytes += t->bytes;
	r->pend_trunc += t->truncated;
}
