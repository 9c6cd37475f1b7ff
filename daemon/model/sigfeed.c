/*
 * The signals' change set (sigfeed.h).
 */
#include <stdlib.h>
#include <string.h>

#include "model/model.h"
#include "model/sigfeed.h"

#define WORDS	(MODEL_MAX_SIGNALS / 64)

struct slot {
	uint32_t seq;			/* odd while the owner writes */
	uint64_t gen, samples, ts_ns, bits;	/* bits: the double's */
};

struct sigfeed {
	uint64_t dirty[WORDS];
	long pending;			/* marks not taken (see take) */
	struct slot *slot;		/* [MODEL_MAX_SIGNALS] */
};

struct sigfeed *sigfeed_new(void)
{
	struct sigfeed *f = calloc(1, sizeof(*f));

	if (!f)
		return NULL;
	/* untouched pages stay unmapped: a slot costs only once used */
	f->slot = calloc(MODEL_MAX_SIGNALS, sizeof(*f->slot));
	if (!f->slot) {
		free(f);
		return NULL;
	}
	return f;
}

void sigfeed_free(struct sigfeed *f)
{
	if (!f)
		return;
	free(f->slot);
	free(f);
}

void sigfeed_mark(struct sigfeed *f, size_t idx, uint64_t gen,
		  uint64_t samples, uint64_t ts_ns, double v)
{
	struct slot *s;
	uint64_t bit, bits, old;

	if (idx >= MODEL_MAX_SIGNALS)
		return;
	s = &f->slot[idx];
	memcpy(&bits, &v, sizeof(bits));
	/* the only writer: plain reads of seq are its own */
	__atomic_store_n(&s->seq, s->seq + 1, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_RELEASE);
	__atomic_store_n(&s->gen, gen, __ATOMIC_RELAXED);
	__atomic_store_n(&s->samples, samples, __ATOMIC_RELAXED);
	__atomic_store_n(&s->ts_ns, ts_ns, __ATOMIC_RELAXED);
	__atomic_store_n(&s->bits, bits, __ATOMIC_RELAXED);
	__atomic_store_n(&s->seq, s->seq + 1, __ATOMIC_RELEASE);
	bit = 1ULL << (idx % 64);
	/* a bit already set costs a load, not a locked write */
	if (__atomic_load_n(&f->dirty[idx / 64], __ATOMIC_RELAXED) & bit)
		return;
	old = __atomic_fetch_or(&f->dirty[idx / 64], bit, __ATOMIC_RELEASE);
	if (!(old & bit))
		__atomic_add_fetch(&f->pending, 1, __ATOMIC_RELAXED);
}

size_t sigfeed_pending(const struct sigfeed *f)
{
	long n = __atomic_load_n(&f->pending, __ATOMIC_RELAXED);

	/* below zero for a moment: a take counted a mark before it did */
	return n > 0 ? (size_t)n : 0;
}

/* A consistent copy of slot idx (the owner may be writing it). */
static void slot_read(const struct sigfeed *f, size_t idx,
		      struct sigfeed_val *v)
{
	const struct slot *s = &f->slot[idx];
	uint32_t a, b;
	uint64_t bits;

	do {
		while ((a = __atomic_load_n(&s->seq, __ATOMIC_ACQUIRE)) & 1)
			;
		v->gen = __atomic_load_n(&s->gen, __ATOMIC_RELAXED);
		v->samples = __atomic_load_n(&s->samples, __ATOMIC_RELAXED);
		v->ts_ns = __atomic_load_n(&s->ts_ns, __ATOMIC_RELAXED);
		bits = __atomic_load_n(&s->bits, __ATOMIC_RELAXED);
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		b = __atomic_load_n(&s->seq, __ATOMIC_RELAXED);
	} while (a != b);
	memcpy(&v->v, &bits, sizeof(v->v));
	v->idx = (uint32_t)idx;
}

size_t sigfeed_take(struct sigfeed *f,
		    void (*fn)(void *arg, const struct sigfeed_val *v),
		    void *arg)
{
	struct sigfeed_val v;
	size_t i, n = 0;
	uint64_t w;

	for (i = 0; i < WORDS; i++) {
		if (!__atomic_load_n(&f->dirty[i], __ATOMIC_RELAXED))
			continue;
		w = __atomic_exchange_n(&f->dirty[i], 0, __ATOMIC_ACQUIRE);
		/* counted down before the slots are read: a mark after the
		 * exchange sets its bit again and counts again */
		__atomic_sub_fetch(&f->pending, __builtin_popcountll(w),
				   __ATOMIC_RELAXED);
		while (w) {
			size_t idx = i * 64 + (size_t)__builtin_ctzll(w);

			w &= w - 1;
			slot_read(f, idx, &v);
			fn(arg, &v);
			n++;
		}
	}
	return n;
}
