/* Alerts in SQLite (daemon/alerts/alerts_db.c); event-loop thread only. */
#ifndef IIOTD_ALERTS_DB_H
#define IIOTD_ALERTS_DB_H

#include <stddef.h>
#include <stdint.h>

#include "alerts/alerts.h"

struct alerts_db;
struct json_t;

struct alerts_query {
	int state;			/* enum alert_state, -1 any */
	bool open_only;			/* not normal */
	int severity;			/* at least this, 0 any */
	uint32_t device;		/* 0 any */
	const char *rule;		/* NULL any */
	uint64_t since_ns, until_ns;	/* overlapping [since, until], 0 open */
	uint64_t before_id;		/* paging: ids below this, 0 none */
	int limit;			/* 0: 100 */
};

struct alerts_db *alerts_db_open(const char *path, char *err, size_t errlen);
void alerts_db_close(struct alerts_db *a);
/* Changes as alerts_drain() gives them, in one transaction. */
int alerts_db_write(struct alerts_db *a, const struct alert_change *c,
		    size_t n, uint64_t wall_ns);
/* Open alerts back into al; how many, or -1. */
int alerts_db_restore(struct alerts_db *a, struct alerts *al);
int alerts_db_prune(struct alerts_db *a, uint64_t before_ns,
		    uint64_t max_rows);
/* Newest first; a JSON array (new reference) or NULL. */
struct json_t *alerts_db_list(struct alerts_db *a, const struct alerts_query *q);
/* One alert with its "history"; NULL when unknown. */
struct json_t *alerts_db_get(struct alerts_db *a, uint64_t id);

#endif
