/* Analytics internals shared by its files. */
#ifndef IIOTD_ANALYTICS_INT_H
#define IIOTD_ANALYTICS_INT_H

#include <pthread.h>

#include "analytics/analytics.h"
#include "analytics/expr.h"
#include "analytics/oee.h"

enum an_kind {
	AN_THRESHOLD = 1, AN_RATE, AN_STALE, AN_STUCK, AN_RANGE,
	AN_STATE_HELD, AN_EXPR, AN_KIND_COUNT
};

#define AN_MAX_ESC	2
#define AN_GROUP_VENDORS 8

/* The devices a rule is kept to (group.c); nothing given: every device. */
struct an_group {
	char *kind, *label, *device;	/* word lists (globs), or NULL */
	uint32_t vendor[AN_GROUP_VENDORS];
	uint8_t nvendor;
	bool on;			/* any of them given */
	char name[AN_NAME_MAX];		/* [group.NAME], "" inline */
};

struct an_rule {
	char name[AN_NAME_MAX];
	uint8_t kind;			/* enum an_kind */
	uint8_t severity;		/* 0: the alert rule's */
	uint8_t below;			/* threshold: below instead of above */
	uint8_t nesc;
	uint16_t alert_rule;		/* enum alert_rule_id */
	int line;
	double limit;			/* threshold, rate (per s), equals */
	double deadband;		/* hysteresis */
	double lo, hi;			/* range */
	double tolerance;		/* stuck */
	uint64_t after_ns;		/* stale, stuck, state_held; rate: window */
	uint64_t on_delay_ns, off_delay_ns;
	struct { uint64_t after_ns; uint8_t sev; } esc[AN_MAX_ESC];
	struct expr *ex;		/* AN_EXPR */
	char *src;			/* AN_EXPR source, for details */
	struct an_group grp;
};

/* One rule instance on one signal (or one expression). */
struct an_bind {
	uint32_t rule;			/* index into rules */
	uint32_t sig;			/* 0 for expressions */
	uint8_t active, sev, cond, pending, has_ref;
	uint64_t pend_ns;		/* since when the state is about to flip */
	uint64_t since_ns;		/* active since */
	double ref;			/* stuck, rate: reference value */
	uint64_t ref_ns;		/* since when, if has_ref */
	double seen;			/* value that decided, for details */
	uint8_t member;			/* its signal's device is in the group */
	uint32_t gen;			/* of the signal's device, when decided */
};

/*
 * A signal's device as groups see it (analytics_signal_device): one copy
 * that the device's signals share (21 a PROFINET device on the large
 * line; 10,000 signals held 1.4 MB of copies), freed with its last.
 */
struct an_dev {
	struct an_dev *next;		/* in its an->devs bucket */
	unsigned int refs;		/* signals pointing at it */
	char dev[64], dlabel[64], dkind[16];
	uint32_t vendor;
	bool has_vendor, seen;
};

/* an_sig.di before its device is set: all empty */
extern const struct an_dev an_nodev;

#define AN_DEV_BUCKETS	256

struct an_sig {
	char name[64];
	const struct an_dev *di;	/* NULL: an_nodev */
	uint32_t gen;			/* bumped when its device changes */
	/* the band last written to the history (band_db.c) */
	int64_t band_ms;
	double band_lo, band_hi;
	struct expr_sigval v;
	struct anomaly an;
};

struct an_set {
	struct an_rule *rules;
	size_t nrules;
	struct an_bind *binds;
	size_t nbinds;
	uint32_t *bidx;			/* per signal, binding indexes */
	uint32_t nsigs;			/* signals declared when parsed */
	uint32_t *first, *count;	/* by signal id: slice of bidx */
	uint8_t *anom;			/* by signal id: anomaly detection */
	bool anomaly_on;
	struct anomaly_opts aopts;
	char **exclude;			/* anomaly: signal globs left out */
	size_t nexclude;
};

/* samples evaluated per lock while staged (analytics_stage_begin) */
#define AN_STAGE_MAX	256

struct an_staged {
	uint64_t ts_ns;
	double value;
	uint32_t sig;
};

struct analytics {
	pthread_mutex_t mu;		/* samples vs the tick and loading */
	/* the staging thread's samples not yet evaluated, no lock */
	struct an_staged stage[AN_STAGE_MAX];
	size_t nstage;
	int staging;			/* atomic: a thread stages */
	struct alerts *al;
	struct an_sig *sigs;		/* by id, [0] unused */
	uint32_t nsigs;			/* highest id + 1 */
	struct an_dev *devs[AN_DEV_BUCKETS];	/* the sigs' devices */
	struct an_set set;
	uint64_t start_ns;		/* first tick or sample */
	struct analytics_counters ctr;
	struct ruledb *rdb;		/* API rules (ruledb.h), or NULL */
	char rules_path[4096];		/* the rules file, "" without */
	int file_lines;			/* rules past this line are the API's */
	struct oee *oee;		/* machines (oee.h), or NULL */
};

/* rulefile.c: parse c into set (allocated), against an's signals */
int an_parse(struct analytics *an, const struct conf *c, struct an_set *set,
	     char *err, size_t errlen);
void an_set_free(struct an_set *set);
uint32_t an_signal_id(const struct analytics *an, const char *name,
		      size_t len);
const char *an_kind_name(unsigned int k);
/* group.c: the group keys (PRE "device_" in a rule, "" in [group.X]) */
int an_group_parse(const struct conf *c, const char *sect, const char *pre,
		   struct an_group *g, char *err, size_t errlen);
void an_group_free(struct an_group *g);
bool an_group_has(const struct an_group *g, const struct an_sig *s);
/* analytics.c: s's device, never NULL */
const struct an_dev *an_sig_dev(const struct an_sig *s);
/* rules_edit.c */
int an_rule_name_ok(const char *s);

#endif
