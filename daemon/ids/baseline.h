/*
 * The baseline: what is normal on each line, learned during a window and
 * then protected (ids_baseline.c raises the deviations).  Per line (a
 * capture ring, or the capture file offline) it holds:
 *
 *   device   a unicast source MAC
 *   pair     source -> destination MAC with the ethertype
 *   master   an EtherCAT master (source MAC, locally-administered bit
 *            cleared)
 *   wkc      the working counter of each cyclic (logical) datagram of a
 *            master: command and logical address
 *   ar       a PROFINET cyclic flow: destination and FrameID, its source
 *            and cycle (one row per direction of an AR)
 *   rate     the most frames seen within 10 s: on the whole line, DCP
 *            requests and ARP frames per source
 *
 * A fixed table (BL_MAX entries, allocated when first needed) bounds the
 * memory; entries that do not fit are counted in `full`, never stored.
 * The JSON form (baseline_json / baseline_from_json) is what the API and
 * `iiotctl baseline export|import` exchange, and what iiotd keeps in
 * baseline.db; docs/security.md "Baseline" describes it.
 *
 * Not thread-safe: iiotd keeps its baseline inside the IDS, on the
 * capture thread; others reach it through capture_call / capture_read.
 */
#ifndef IIOTD_BASELINE_H
#define IIOTD_BASELINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#define BL_MAX		16384	/* entries; power of two, 3/4 used at most */
#define BL_LINES	16
#define BL_LINE_LEN	32
#define BL_WINDOW_NS	10000000000ULL	/* rate windows: 10 s */

enum bl_kind {
	BL_DEVICE = 1, BL_PAIR, BL_MASTER, BL_WKC, BL_AR, BL_RATE,
	BL_KIND_END
};

enum bl_rate { BL_RATE_FRAMES = 0, BL_RATE_DCP, BL_RATE_ARP, BL_RATE_END };

enum bl_state { BL_NONE = 0, BL_LEARNING, BL_PROTECTING };

struct bl_entry {
	uint64_t id;		/* wkc: cmd << 32 | logical address; ar:
				 * FrameID; rate: enum bl_rate */
	uint64_t last_ns;	/* learning: the last frame (ar cycle) */
	uint64_t start_ns;	/* learning: the rate's window */
	uint32_t value;		/* wkc; ar: cycle in µs; rate: per 10 s */
	uint32_t n;		/* learning: frames in the rate's window */
	uint16_t ethertype;	/* pair */
	uint8_t kind, line;
	uint8_t a[6];		/* device, master, pair/ar/rate source */
	uint8_t b[6];		/* pair/ar destination */
	bool used;
};

struct baseline {
	enum bl_state state;
	uint64_t learn_ns;		/* the window asked for */
	uint64_t from_ns, until_ns;	/* the window learned (capture clock) */
	char lines[BL_LINES][BL_LINE_LEN];
	unsigned int nlines;
	struct bl_entry *tab;		/* BL_MAX, NULL while empty */
	size_t n;
	uint32_t masters[BL_LINES];	/* master entries per line */
	uint64_t full;			/* entries not stored: table full */
	uint32_t gen;			/* bumped by every change */
};

struct baseline *baseline_new(void);
void baseline_free(struct baseline *bl);
void baseline_clear(struct baseline *bl);
/* Copy src into dst (dst's table is reused or allocated): 0 or -1. */
int baseline_copy(struct baseline *dst, const struct baseline *src);

/* Line index of name (added when new; 0 when the table of lines is full). */
unsigned int baseline_line(struct baseline *bl, const char *name);

/* The entry with e's key (kind, line and the kind's key fields), or NULL. */
struct bl_entry *baseline_find(const struct baseline *bl,
			       const struct bl_entry *e);
/* Find or add; NULL when full (counted). */
struct bl_entry *baseline_add(struct baseline *bl, const struct bl_entry *e);
/* 0, or -1 when no such entry. */
int baseline_remove(struct baseline *bl, const struct bl_entry *e);

const char *baseline_kind_name(unsigned int kind);	/* "pair" ... */
const char *baseline_state_name(unsigned int state);

/* The JSON form: {"version":1, "state", ..., "pairs":[...], ...}. */
json_t *baseline_json(const struct baseline *bl);
json_t *baseline_entry_json(const struct baseline *bl,
			    const struct bl_entry *e);
/*
 * Read a whole baseline (replacing bl's entries) or one entry
 * {"kind":"pair", ...}.  0, or -1 with the problem in err, naming the
 * place ("pairs[3].src: not a MAC address").  Unknown keys are refused.
 */
int baseline_from_json(struct baseline *bl, const json_t *j, char *err,
		       size_t errlen);
int baseline_entry_from_json(struct baseline *bl, const json_t *j,
			     struct bl_entry *e, char *err, size_t errlen);

#endif
