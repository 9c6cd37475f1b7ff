/*
 * Process analytics (DESIGN §12, docs/analytics.md): rules on signals and
 * anomaly detection without configuration, raised into the one alert
 * model (alerts/alerts.h) as signal.* rules.
 *
 * Rules come from an INI file (core/conf.h), one [rule.NAME] section
 * each; errors name the line and key.  Anomaly detection runs on every
 * signal unless the file's [anomaly] section says otherwise.
 *
 * Threading: analytics_sample() runs where samples are produced (the
 * capture path): per sample O(rules on that signal), no allocation, one
 * uncontended lock, or one per AN_STAGE_MAX samples while the thread
 * stages (analytics_stage_begin); alerts_raise/alerts_clear only on a
 * transition.
 * analytics_tick() (about once a second, on the samples' clock, from any
 * thread) finds stale signals, and ends delays and escalates when no
 * sample comes; it holds the lock for one walk over the rule instances.
 * Loading replaces every rule under the same lock.
 */
#ifndef IIOTD_ANALYTICS_H
#define IIOTD_ANALYTICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "analytics/anomaly.h"

#define AN_MAX_SIGNALS	65536
#define AN_MAX_RULES	256
#define AN_MAX_BINDS	65536		/* (rule, signal) pairs */
#define AN_NAME_MAX	48

#define ANALYTICS_COUNTERS(X) \
	X(samples,	"samples evaluated")				\
	X(unknown,	"samples of a signal not declared")		\
	X(raised,	"rule conditions raised")			\
	X(escalated,	"raised conditions escalated")			\
	X(cleared,	"rule conditions cleared")			\
	X(anomalies,	"anomalies found")

struct analytics_counters {
#define AN_X_FIELD(n, d) uint64_t n;
	ANALYTICS_COUNTERS(AN_X_FIELD)
#undef AN_X_FIELD
};

struct analytics;
struct alerts;
struct conf;

struct analytics *analytics_new(struct alerts *al);
void analytics_free(struct analytics *an);
/* Declare signal id (1..AN_MAX_SIGNALS) by name, before loading rules. */
int analytics_add_signal(struct analytics *an, uint32_t id, const char *name);

/* A signal's device, for rules on a group of devices (group.c). */
struct analytics_dev {
	const char *spec;		/* the signal map's DEVICE, as written */
	bool seen;			/* the inventory knows it: */
	const char *kind;		/* "pn-device", ... (model_kind_name) */
	const char *label;		/* model_device_label */
	bool has_vendor;
	uint32_t vendor;
};
/* Set it (cheap when nothing changed: call it on every tick). */
void analytics_signal_device(struct analytics *an, uint32_t id,
			     const struct analytics_dev *d);
/* The same for every signal of m, from its inventory (andev.c). */
struct model;
void analytics_devices_from(struct analytics *an, const struct model *m);
/*
 * Replace the rules and anomaly settings with those of c; open alerts of
 * the old rules clear.  0, or -1 with "FILE:LINE: rule.NAME.key: why" in
 * err (nothing changed).
 */
int analytics_load_rules(struct analytics *an, const struct conf *c,
			 char *err, size_t errlen);
/* Check a rules file against the declared signals without loading it. */
int analytics_check_rules(struct analytics *an, const struct conf *c,
			  char *err, size_t errlen);
size_t analytics_rule_count(const struct analytics *an);

void analytics_sample(struct analytics *an, uint32_t sig, uint64_t ts_ns,
		      double v);
void analytics_tick(struct analytics *an, uint64_t now_ns);
/*
 * A drain turn's samples under a lock per AN_STAGE_MAX (256), not one
 * each: between analytics_stage_begin and analytics_stage_end the calling
 * thread's analytics_sample() keeps the samples, in order, in a buffer of
 * an's and evaluates them under one lock when it is full and at
 * analytics_stage_end.  The lock is held for at most 256 evaluations, so
 * the tick and the API's readers wait no longer than that.  Until then
 * the staged samples are not evaluated: a thread reading analytics
 * between them (none on the capture path) sees them at the end.  One
 * thread stages at a time (the capture thread); another one's begin is a
 * no-op and its samples take the lock each.  NULL an: no-ops.
 */
void analytics_stage_begin(struct analytics *an);
void analytics_stage_end(struct analytics *an);

void analytics_get_counters(struct analytics *an,
			    struct analytics_counters *out);

/*
 * Rules from the API and iiotctl (rules_edit.c, docs/analytics.md): kept
 * as versions in rdb beside the rules file at path (NULL: none).  After
 * this, analytics_reload() loads file and API rules together.
 */
struct ruledb;
void analytics_set_sources(struct analytics *an, struct ruledb *rdb,
			   const char *path);
int analytics_reload(struct analytics *an, char *err, size_t errlen);

enum an_rule_op {
	AN_OP_LIST, AN_OP_GET, AN_OP_HISTORY, AN_OP_CREATE, AN_OP_UPDATE,
	AN_OP_DELETE, AN_OP_ROLLBACK, AN_OP_CHECK
};
struct json_t;
/*
 * One operation on the API rules by who: the answer's JSON and its HTTP
 * status in *status (201 created, 400 with "error", "key" and "column"
 * naming what is wrong, 404, 409 name taken or the file's).  arg: the
 * rule (CREATE and CHECK: with its "name"; UPDATE), {"version": N}
 * (ROLLBACK).  CHECK changes nothing.  Loop thread only.
 */
struct json_t *analytics_rule_op(struct analytics *an, enum an_rule_op op,
				 const char *name, const struct json_t *arg,
				 const char *who, int64_t now_ms, int *status);

/*
 * OEE (oee.h, docs/analytics.md): load machines, shifts and reasons from
 * c (replacing any), against the declared signals.
 */
struct oee_drain;
int analytics_load_oee(struct analytics *an, const struct conf *c,
		       char *err, size_t errlen);
/* Time up to now accounted; the stops and shifts for the database. -1:
 * no OEE. */
int analytics_oee_drain(struct analytics *an, struct oee_drain *d,
			uint64_t now_ns);
/* GET /oee: the machines now, the bands, the reasons; NULL: no OEE */
struct json_t *analytics_oee_json(struct analytics *an);
/* analytics.db (sqlite3 *) for the API's OEE reports, event loop only;
 * NULL when analytics is not running */
void *analytics_db_handle(void);
/* The index of a reason code (-1: none), and the bands. */
int analytics_oee_reason(struct analytics *an, const char *code,
			 double *red, double *green);

/* {"signal","enabled","samples","ready","mean","sigma","lo","hi"}: the
 * anomaly band of signal id now (charts draw it); NULL: no such signal */
struct json_t *analytics_band_json(struct analytics *an, uint32_t id);

/* rules_ctl.c: the control socket's rule requests, audited under who */
struct iiotd;
struct ctl_req;
struct json_t *analytics_ctl(struct iiotd *d, const struct ctl_req *req,
			     const char *who);
/* report_ctl.c: report list|show|html|make for the control socket */
struct json_t *reports_ctl(struct iiotd *d, const struct ctl_req *req,
			   const char *who);

/* {"rules": [...with their active instances], "anomaly": {...},
 * "counters": {...}} (GET /api/v1/analytics, docs/openapi.yaml) */
struct json_t *analytics_json(struct analytics *an);

#endif
