/*
 * A change set of the model's signals for one reader on another thread
 * (the north edge node, docs/north.md "Latency"): the thread that owns
 * the model marks a signal as its value changes, the reader takes the
 * marked ones when it likes and reads their newest values, without a
 * snapshot and without walking every signal.
 *
 * Per signal a slot (value, sample time, sample count) under a sequence
 * lock, and one bit of a bitmap; the reader swaps each word of the bitmap
 * with zero.  Bounded (one bit and one slot a signal, MODEL_MAX_SIGNALS),
 * never full, lock-free on both sides: a signal that changes again before
 * it is taken is taken once, with its newest value (report by exception
 * wants no more).  Only changes mark: a sample repeating the value costs
 * the owner one comparison.
 */
#ifndef IIOT_MODEL_SIGFEED_H
#define IIOT_MODEL_SIGFEED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct sigfeed;

/* What the reader gets of a marked signal. */
struct sigfeed_val {
	uint32_t idx;			/* the signal's index in the model */
	uint64_t gen;			/* the model's signal table then */
	uint64_t samples;		/* the signal's sample count then */
	uint64_t ts_ns;			/* the sample that changed the value */
	double v;
};

/* NULL when out of memory. */
struct sigfeed *sigfeed_new(void);
void sigfeed_free(struct sigfeed *f);

/* The model's side: signal idx of table gen took value v at ts_ns. */
void sigfeed_mark(struct sigfeed *f, size_t idx, uint64_t gen,
		  uint64_t samples, uint64_t ts_ns, double v);

/* The reader's side: signals marked since the last take (approximate: a
 * mark under way may be counted or not). */
size_t sigfeed_pending(const struct sigfeed *f);
/*
 * Take the marked signals, calling fn with each one's newest value, in
 * index order; returns how many.  One reader at a time.
 */
size_t sigfeed_take(struct sigfeed *f,
		    void (*fn)(void *arg, const struct sigfeed_val *v),
		    void *arg);

#endif
