/*
 * OEE and downtime (docs/analytics.md, "OEE"): per machine, its state
 * from signals, the time in each state, its counts, per shift; stops and
 * their reasons.  oee.c is the arithmetic and the per-machine state
 * machine (no I/O, no locks: the caller holds analytics' lock);
 * oee_conf.c reads the machines, shifts and reasons; oee_db.c keeps
 * shifts and downtime in analytics.db.
 *
 *	availability = run time / planned production time
 *	               (planned production time = shift time - planned stops)
 *	performance  = ideal cycle time x total count / run time
 *	quality      = good count / total count
 *	OEE          = availability x performance x quality
 *
 * A ratio whose denominator is 0 is undefined (NaN, null in JSON).
 */
#ifndef IIOTD_OEE_H
#define IIOTD_OEE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define OEE_MAX_MACHINES	64
#define OEE_MAX_SHIFTS		8
#define OEE_MAX_REASONS		128
#define OEE_NAME_MAX		48
#define OEE_QUEUE		256	/* stop transitions between flushes */

enum oee_state { OEE_UNKNOWN = 0, OEE_RUNNING, OEE_IDLE, OEE_DOWN,
		 OEE_PLANNED, OEE_NSTATES };

/* Time (ns) per state and counts over one period. */
struct oee_acc {
	uint64_t ns[OEE_NSTATES];
	uint64_t count, reject;
	uint64_t good;			/* machines counting good parts */
};

struct oee_ratios {
	double availability, performance, quality, oee;	/* 0..1 or NaN */
	uint64_t planned_ns;	/* planned production time */
	uint64_t run_ns;
};

void oee_ratios(const struct oee_acc *a, uint64_t ideal_ns,
		struct oee_ratios *r);
void oee_acc_add(struct oee_acc *to, const struct oee_acc *a);
/*
 * Parts between two readings of a counter: a counter that went down
 * wrapped when wrap (its modulus, e.g. 65536; 0: unknown) says it went
 * round, else it was reset to 0 and counted cur since.
 */
uint64_t oee_counter_delta(uint64_t prev, uint64_t cur, uint64_t wrap);
const char *oee_state_name(unsigned int s);

struct oee_shift {
	char name[OEE_NAME_MAX];
	uint32_t start_s, end_s;	/* seconds of the local day */
};

struct oee_reason {
	char code[16];
	char group[OEE_NAME_MAX];	/* the reason tree's branch */
	char en[96], zh[96];
};

struct oee_machine_cfg {
	char name[OEE_NAME_MAX], line[OEE_NAME_MAX];
	uint32_t state_sig, count_sig, reject_sig, good_sig;	/* 0: none */
	double map[OEE_NSTATES][4];	/* state values for each state */
	uint8_t nmap[OEE_NSTATES];
	uint64_t ideal_ns;		/* ideal cycle time */
	uint64_t stop_ns;		/* no count this long: a stop */
	uint64_t wrap;			/* counters' modulus, 0: unknown */
};

/* A stop (down or idle) as the database sees it. */
struct oee_stop {
	uint16_t machine;
	uint8_t state;			/* OEE_DOWN or OEE_IDLE */
	uint8_t closed;
	uint8_t auto_detected;		/* no count for stop_ns */
	uint64_t start_ns, end_ns;
};

/* One machine's running state. */
struct oee_machine {
	struct oee_machine_cfg cfg;
	uint8_t sig_state;		/* from the state signal */
	uint8_t state;			/* effective: a stall makes it down */
	bool have_count, have_reject, have_good, stalled;
	uint64_t last_ns;		/* accounted up to */
	uint64_t count_raw, reject_raw, good_raw;	/* last readings */
	uint64_t count_ns;		/* last count change (or run start) */
	int32_t shift;			/* current shift index, -1 none */
	uint64_t shift_start_ns, shift_end_ns;
	struct oee_acc acc;		/* current shift so far */
	uint64_t stop_start_ns;		/* 0: no stop open */
	uint8_t stop_state, stop_auto;
};

struct oee_period {			/* a shift's figures */
	uint16_t machine;
	int32_t shift;
	uint64_t start_ns, end_ns;
	struct oee_acc acc;
};

struct oee {
	struct oee_machine m[OEE_MAX_MACHINES];
	size_t n;
	struct oee_shift shifts[OEE_MAX_SHIFTS];
	size_t nshifts;
	struct oee_reason reasons[OEE_MAX_REASONS];
	size_t nreasons;
	double red, green;		/* band limits, percent */
	/* for the database, drained by oee_drain() */
	struct oee_stop stops[OEE_QUEUE];
	size_t nstops;
	struct oee_period done[OEE_QUEUE];
	size_t ndone;
	uint64_t dropped;		/* queue full */
};

/* The shift covering ts (local time): its index, start and end, or -1. */
int oee_shift_at(const struct oee *o, uint64_t ts_ns, uint64_t *start,
		 uint64_t *end);
/* Signal sig took value v at ts. */
void oee_sample(struct oee *o, uint32_t sig, uint64_t ts_ns, double v);
/* Account time up to now (closing shifts, finding stalls). */
void oee_advance(struct oee *o, uint64_t now_ns);
int oee_reason_find(const struct oee *o, const char *code);

struct conf;
/* oee_conf.c: machines, shifts, reasons from c; sig resolves names. */
typedef uint32_t (*oee_sig_fn)(void *arg, const char *name);
int oee_parse(struct oee *o, const struct conf *c, oee_sig_fn sig, void *arg,
	      char *err, size_t errlen);

/* What the event loop takes out under analytics' lock (oee_glue.c). */
struct oee_drain {
	struct oee_stop stops[OEE_QUEUE];
	size_t nstops;
	struct oee_period done[OEE_QUEUE];
	size_t ndone;
	struct oee_period cur[OEE_MAX_MACHINES];	/* shifts under way */
	size_t ncur;
	struct oee_machine_cfg cfg[OEE_MAX_MACHINES];
	struct oee_shift shifts[OEE_MAX_SHIFTS];
	size_t n;
};

struct json_t;
/* availability ... oee, band, times (ms) and counts of a */
struct json_t *oee_figures(const struct oee_acc *a, uint64_t ideal_ns,
			   double red, double green);

#endif
