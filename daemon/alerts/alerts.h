/*
 * The one alert model of iiot (DESIGN §12): every analysis (ids, diag,
 * analytics, ops) raises into it; the API, SSE, syslog, the store and
 * "iiotctl alerts" read from it.
 *
 * An alert is one condition of one rule (rules.h) on one thing: the key is
 * (rule, device, link, key), so a repeating condition updates one alert
 * (count, last seen, last frame) instead of raising thousands.  States
 * follow ISA-18.2:
 *
 *	raise		normal → active-unack; cleared-unack → active-unack
 *	quiet clear_s	active-unack → cleared-unack; active-ack → normal
 *	ack		active-unack → active-ack; cleared-unack → normal
 *	shelve UNTIL	suppresses notification (not recording) until UNTIL
 *
 * An alert that reaches normal leaves the table (its history is in the
 * database); raising the condition again opens a new alert.
 *
 * Flood control (EEMUA 191): more than flood_rule new alerts of one rule,
 * or flood_total of all rules, within flood_window become one summarising
 * "alert.flood" alert whose count says how many were folded into it.
 *
 * Threading: alerts_raise() and alerts_clear() are called on the capture
 * thread per frame: O(1), no allocation, one short mutex hold.  Every
 * other call (ack, shelve, snapshot, drain of changes) is for the event
 * loop thread.  Memory is fixed at alerts_new().
 */
#ifndef IIOTD_ALERTS_H
#define IIOTD_ALERTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "alerts/rules.h"
#include "core/hash.h"

#define ALERTS_MAX		1024	/* alerts held at once */
#define ALERTS_SUMMARY_SLOTS	64	/* of those, kept for flood summaries */
#define ALERTS_CHANGES		512	/* state changes queued for the loop */
#define ALERT_LABEL_MAX		64
#define ALERT_DETAIL_MAX	128
#define ALERT_NOTE_MAX		64
#define ALERT_WHO_MAX		40
#define ALERT_COMMENT_MAX	160
#define ALERT_MSG_MAX		512
#define ALERT_EVIDENCE		4	/* triggering frames kept per alert */

enum alert_severity {
	ALERT_SEV_INFO = 1,
	ALERT_SEV_WARNING,
	ALERT_SEV_CRITICAL,
};

enum alert_state {
	ALERT_ST_NORMAL = 0,
	ALERT_ST_ACTIVE_UNACK,
	ALERT_ST_ACTIVE_ACK,
	ALERT_ST_CLEARED_UNACK,
	ALERT_ST_COUNT
};

struct alert_rule {
	const char *id;			/* "pn.dcp.set_from_stranger" */
	uint8_t severity;
	const char *technique;		/* "T0855" or NULL */
	uint32_t clear_s;		/* quiet this long → cleared; 0 never */
	const char *en, *zh;		/* templates, see rules.h */
};

const struct alert_rule *alert_rule(unsigned int rule);
/* The rule whose id is s, or -1. */
int alert_rule_parse(const char *s);
/* "info", "warning", "critical"; parse: -1 when unknown */
const char *alert_severity_name(unsigned int sev);
int alert_severity_parse(const char *s);
/* "active-unack", "active-ack", "cleared-unack", "normal" */
const char *alert_state_name(unsigned int st);
int alert_state_parse(const char *s);
/* ATT&CK for ICS technique's name ("Unauthorized Command Message") */
const char *alert_technique_name(const char *t);

/* What a raising stage knows about one occurrence. */
struct alert_ev {
	uint16_t rule;			/* enum alert_rule_id */
	uint8_t severity;		/* 0: the rule's; higher escalates */
	uint64_t ts_ns;			/* the triggering frame's timestamp */
	uint64_t frame_no;		/* 1-based in a file; 0 live */
	const uint8_t *src, *dst;	/* MACs or NULL */
	uint32_t device;		/* model device id, 0 none */
	uint32_t link;			/* model link id, 0 none */
	uint64_t key;			/* sets apart alerts of one rule on
					 * one device (a target MAC...) */
	uint32_t count;			/* occurrences this stands for; 0: 1 */
	const char *label;		/* device label for messages, or NULL */
	const char *detail;		/* {detail}, or NULL */
	const struct alert_fit *fit;	/* a prediction's line, or NULL */
};

/*
 * The key of an alert about a name (ops' rings, eval's checks, MQTT's
 * unknown topics): FNV-1a from a basis one digit short of FNV's.  Keys
 * are stored with the open alerts (alerts_db) and matched again after a
 * restart, so this basis stays.
 */
#define ALERT_NAME_KEY_BASIS	1469598103934665603ULL

static inline uint64_t alert_name_key(const char *name, size_t len)
{
	return fnv1a64_on(ALERT_NAME_KEY_BASIS, name, len);
}

struct alert_frame {
	uint64_t ts_ns;
	uint64_t frame_no;
};

/*
 * A predicted alert's fitted line, as its chart draws it: value(t) = v0
 * + slope_per_s x (t - t0) seconds in the indicator's unit, reaching
 * threshold at cross_ns (cross_lo/hi_ns: the interval from the quartile
 * slopes; 0 when that slope never gets there).
 */
struct alert_fit {
	bool has;
	char metric[24];		/* the indicator ("rx_errors_p0") */
	char unit[12];			/* "/min", "ns", "us" */
	uint64_t t0_ns, last_ns;	/* first and last sample fitted */
	double v0, slope_per_s, threshold;
	uint64_t cross_ns, cross_lo_ns, cross_hi_ns;
	uint32_t samples;
};

struct alert {
	uint64_t id;			/* from 1, never reused */
	uint16_t rule;
	uint8_t severity;
	uint8_t state;			/* enum alert_state */
	bool dirty;			/* changed since the last drain */
	uint32_t device, link;
	uint64_t key;
	uint8_t src[6], dst[6];
	uint64_t first_ns, last_ns;	/* frame timestamps */
	uint64_t first_clock, last_clock;	/* alerts' clock at raise */
	uint64_t count;
	struct alert_frame first, last;
	struct alert_frame evidence[ALERT_EVIDENCE];	/* first frames */
	uint8_t nevidence;
	uint64_t shelved_until_ns;	/* wall clock; 0 not shelved */
	uint64_t ack_ns;
	char ack_by[ALERT_WHO_MAX];
	char label[ALERT_LABEL_MAX];
	char detail[ALERT_DETAIL_MAX];
	char note[ALERT_NOTE_MAX];	/* outcome: "accepted by the device" */
	struct alert_fit fit;		/* the latest occurrence's line */
};

enum alert_change_kind {
	ALERT_CH_RAISED = 1,		/* new alert */
	ALERT_CH_RETURNED,		/* cleared-unack → active again */
	ALERT_CH_ESCALATED,		/* severity went up */
	ALERT_CH_CLEARED,
	ALERT_CH_NORMAL,		/* left the table */
	ALERT_CH_ACKED,
	ALERT_CH_SHELVED,
	ALERT_CH_UNSHELVED,
	ALERT_CH_COMMENT,
	ALERT_CH_NOTE,			/* outcome learnt */
	ALERT_CH_UPDATED,		/* count/last seen only (from dirty) */
};

const char *alert_change_name(unsigned int kind);

/* One state change as the loop receives it: a copy, valid on its own. */
struct alert_change {
	uint8_t kind;			/* enum alert_change_kind */
	uint64_t clock_ns;
	char who[ALERT_WHO_MAX];
	char comment[ALERT_COMMENT_MAX];
	struct alert a;
};

struct alerts_opts {
	uint64_t flood_window_ns;	/* 0: 10 minutes */
	uint32_t flood_rule;		/* new alerts per rule; 0: 10 */
	uint32_t flood_total;		/* of all rules; 0: 100 */
};

#define ALERTS_COUNTERS(X) \
	X(raised,	"occurrences raised")				\
	X(opened,	"alerts opened")				\
	X(repeats,	"occurrences that updated an open alert")	\
	X(flooded,	"occurrences folded into a flood summary")	\
	X(full,		"occurrences lost: table and summaries full")	\
	X(cleared,	"alerts cleared")				\
	X(normal,	"alerts that returned to normal")		\
	X(changes_lost,	"state changes dropped: queue full")

struct alerts_counters {
#define ALERTS_X_FIELD(n, d) uint64_t n;
	ALERTS_COUNTERS(ALERTS_X_FIELD)
#undef ALERTS_X_FIELD
};

struct alerts;

struct alerts *alerts_new(const struct alerts_opts *o);
void alerts_free(struct alerts *al);
void alerts_set_opts(struct alerts *al, const struct alerts_opts *o);
/* The next alert id (after restoring from a database). */
void alerts_set_next_id(struct alerts *al, uint64_t id);

/*
 * The clock quiet periods are measured on: the host clock in iiotd (so a
 * replayed capture with old timestamps clears normally), the frame
 * timestamps offline.  Until set, each raise's ts_ns is the clock.
 */
void alerts_set_clock(struct alerts *al, uint64_t now_ns);

/*
 * Raise one occurrence.  Returns the alert id it counted in (a flood
 * summary's id when folded), or 0 when lost (table full).
 */
uint64_t alerts_raise(struct alerts *al, const struct alert_ev *ev);
/* The condition is gone now: active alerts of (rule, device, link, key)
 * clear at once instead of after clear_s. */
void alerts_clear(struct alerts *al, unsigned int rule, uint32_t device,
		  uint32_t link, uint64_t key);
/* Record what became of an alert's trigger ("refused: error 3"). */
void alerts_note(struct alerts *al, uint64_t id, const char *note);

/* Clear quiet alerts and end expired shelves (now: alerts' clock;
 * wall_ns: the wall clock for shelving, 0 = now). */
void alerts_tick(struct alerts *al, uint64_t now_ns, uint64_t wall_ns);

/* Results of ack/shelve/unshelve/comment */
enum alert_op_result {
	ALERT_OP_OK = 0,
	ALERT_OP_NO_ALERT,		/* not open (normal or unknown id) */
	ALERT_OP_REFUSED,		/* not in a state that allows it */
};
int alerts_ack(struct alerts *al, uint64_t id, const char *who,
	       const char *comment, uint64_t wall_ns);
int alerts_shelve(struct alerts *al, uint64_t id, uint64_t until_ns,
		  const char *who, const char *comment);
int alerts_unshelve(struct alerts *al, uint64_t id, const char *who,
		    const char *comment);
int alerts_comment(struct alerts *al, uint64_t id, const char *who,
		   const char *comment);

/* Put an open alert back (from the database at start-up). */
int alerts_restore(struct alerts *al, const struct alert *a);

/* Copy open alerts (oldest first) into out; returns how many. */
size_t alerts_snapshot(struct alerts *al, struct alert *out, size_t max);
/* One open alert by id; 0 or -1. */
int alerts_get(struct alerts *al, uint64_t id, struct alert *out);
size_t alerts_open_count(struct alerts *al);
/* Open alerts by severity (index enum alert_severity), unshelved only */
void alerts_active_counts(struct alerts *al, uint64_t counts[4]);

/*
 * Take queued state changes, oldest first, plus an ALERT_CH_UPDATED for
 * every alert whose count moved since; returns how many were written to
 * out (call again while it returns max).
 */
size_t alerts_drain(struct alerts *al, struct alert_change *out, size_t max);

void alerts_get_counters(struct alerts *al, struct alerts_counters *out);

/* The rule's message for a, in "en" or "zh" (zh-CN). */
size_t alert_message(const struct alert *a, const char *lang, char *buf,
		     size_t len);
/* "00:11:22:33:44:55" */
void alert_mac_str(const uint8_t mac[6], char out[18]);

struct json_t;
/* The alert as the API, SSE and "iiotctl alerts" show it. */
struct json_t *alert_json(const struct alert *a);

#endif
