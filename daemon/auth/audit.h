/*
 * The operation/audit log: an append-only table in its own SQLite database
 * (synchronous=FULL), each row carrying SHA-256(previous hash, its fields),
 * so that an edited, inserted or deleted row breaks the chain.
 */
#ifndef IIOT_AUDIT_H
#define IIOT_AUDIT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define AUDIT_MIN_RETENTION_DAYS 180

/*
 * A row's result, the same word whichever door the request came through
 * (API, iiotctl, Sparkplug, iiotd itself; docs/security.md "The audit
 * log's result").  Rows written before this vocabulary keep their words:
 * the chain covers them.
 */
#define AUDIT_OK		"ok"		/* done */
#define AUDIT_DENIED		"denied"	/* a gate said no: nothing tried */
#define AUDIT_FAIL		"fail"		/* not done, for any other reason */
#define AUDIT_PASSWORD_OK	"password-ok"	/* a login's first factor; MFA next */
#define AUDIT_CANCELLED		"cancelled"	/* a job stopped by its owner */
/* older rows' word for north commands and the IDS's blocks not done
 * (denied or fail in this vocabulary); readers take it as not done */
#define AUDIT_OLD_REFUSED	"refused"

/*
 * The result of a request answered with an HTTP status: gate is true when
 * a gate refused it whatever the status (the device's lifecycle); 401,
 * 403, 423 and 429 are gates' statuses.
 */
const char *audit_result_of(int status, bool gate);

struct audit;

struct audit_row {
	int64_t seq, ts;	/* ts: ms since the epoch */
	const char *user, *addr, *action, *target, *result, *detail;
	const char *prev, *hash;
};

/* one row to append; ts 0: the time of the append */
struct audit_entry {
	int64_t ts;
	const char *user, *addr, *action, *target, *result, *detail;
};

struct audit_report {
	int64_t rows;
	int64_t bad_seq;	/* first row found wrong, 0 when none */
	char reason[160];
};

struct audit *audit_open(const char *path, char *err, size_t errlen);
/* read only, for verification beside the writer (no appends) */
struct audit *audit_open_ro(const char *path, char *err, size_t errlen);
/* audit_open of <state_dir>/audit.db, where iiotd keeps the log */
struct audit *audit_open_dir(const char *state_dir, char *err, size_t errlen);
void audit_close(struct audit *a);
/* detail: JSON text or NULL; any string may be NULL ("") */
int audit_append(struct audit *a, const char *user, const char *addr,
		 const char *action, const char *target, const char *result,
		 const char *detail);
/* n rows in one transaction: one commit, one fsync; all or none */
int audit_append_batch(struct audit *a, const struct audit_entry *e, size_t n);
/* 0 chain intact, 1 broken (see r), -1 database error */
int audit_verify(struct audit *a, struct audit_report *r);
/*
 * audit_verify calling progress(arg, rows done, rows expected) at the start
 * and every few thousand rows; a nonzero return stops it: -2 (cancelled).
 */
int audit_verify_progress(struct audit *a, struct audit_report *r,
			  int (*progress)(void *arg, int64_t done, int64_t total), void *arg);
/* newest first, seq < before (0: from the newest), at most limit rows */
int audit_list(struct audit *a, int64_t before, int limit,
	       void (*cb)(void *arg, const struct audit_row *row), void *arg);
/* one JSON object per line, oldest first */
int audit_export(struct audit *a, FILE *f);
/* drop rows older than days (never fewer than 180), keeping the chain verifiable */
int audit_prune(struct audit *a, int days);

#endif
