/*
 * The alerts subsystem inside iiotd (subsys_alerts.c): it owns the alert
 * table (d->alerts), the IDS (d->ids), alerts.db and the optional syslog
 * output, and moves state changes from the table to the database, the
 * listener (the API's SSE) and syslog every ALERTSYS_TICK_MS.
 *
 *	[alerts]
 *	retention = 90d		normal alerts older than this are deleted
 *	max_rows = 100000	and the oldest normal ones beyond this
 *	flood_window = 10m	EEMUA 191: more than flood_rule new alerts of
 *	flood_rule = 10		one rule, or flood_total of all, within the
 *	flood_total = 100	window become one alert.flood summary
 *	syslog = HOST:PORT	RFC 5424 over UDP for a SIEM (off by default)
 *	evidence_seconds = 5	flight-recorder seconds around an alert's
 *				frames in its evidence pcap
 *
 * Every function here is for the event-loop thread.
 */
#ifndef IIOTD_ALERTSYS_H
#define IIOTD_ALERTSYS_H

#include <stdbool.h>
#include <stdint.h>

#include "alerts/alerts.h"
#include "alerts/alerts_db.h"

#define ALERTSYS_TICK_MS	250

struct iiotd;
struct json_t;

typedef void (*alertsys_listener)(void *arg, const struct alert_change *c);

/* One listener (the API's SSE); fn NULL removes it. */
void alertsys_listen(struct iiotd *d, alertsys_listener fn, void *arg);
/* Move queued changes to the database and listeners now. */
void alertsys_flush(struct iiotd *d);
/* Newest first, from the database (flushed first); NULL when not running. */
struct json_t *alertsys_list(struct iiotd *d, const struct alerts_query *q);
struct json_t *alertsys_get(struct iiotd *d, uint64_t id);
/* Severity counts of active, unshelved alerts: {"critical":N,...} */
struct json_t *alertsys_counts(struct iiotd *d);
/* The control socket's alerts, alert-ack, alert-shelve, alert-unshelve;
 * who: the peer's user name for the history and the audit row. */
struct ctl_req;
struct json_t *alertsys_ctl(struct iiotd *d, const struct ctl_req *req,
			    const char *who);
/* The evidence window of alert id: 0, or -1 when unknown. */
int alertsys_window(struct iiotd *d, uint64_t id, uint64_t *from_ns,
		    uint64_t *to_ns);

/*
 * The baseline (baselinesys.c, daemon/ids/baseline.h).  json: a copy in
 * its JSON form (NULL: not running).  import: replace it (0, or -1 with
 * the problem in err).  learn: learn for ns from now (0 stops; fresh
 * forgets the old).  edit: add or remove one entry {"kind":...}: 0, -1
 * bad entry, 1 already there, 2 no such entry (err says).  tick: save it
 * when it changed, now.  kick: the same on the baseline's own thread (the
 * event loop's once-a-second save: it may wait for capture and the disk).
 */
struct json_t *baselinesys_json(struct iiotd *d);
int baselinesys_import(struct iiotd *d, const struct json_t *doc, char *err,
		       size_t errlen);
int baselinesys_learn(struct iiotd *d, uint64_t ns, bool fresh);
int baselinesys_edit(struct iiotd *d, const struct json_t *entry, bool add,
		     char *err, size_t errlen);
void baselinesys_tick(struct iiotd *d);
void baselinesys_kick(struct iiotd *d);
int baselinesys_start(struct iiotd *d, uint64_t learn_ns);
/* the saver thread ended, before capture halts; saves go on the caller */
void baselinesys_quiesce(struct iiotd *d);
void baselinesys_stop(struct iiotd *d);
/* The control socket's baseline* requests (baseline_ctl.c), audited. */
struct json_t *baselinesys_ctl(struct iiotd *d, const struct ctl_req *req,
			       const char *who);

#endif
