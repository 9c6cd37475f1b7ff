/*
 * eval.db: every evaluation run with each check's result and evidence,
 * and the nonconformities they found, tracked to closure
 * (docs/operations.md, "Evaluation"):
 *
 *	open	a check failed (a new row, or a closed one failing again:
 *		reopened, its count raised)
 *	closed	an admin recorded the corrective action
 *	verified a later run found the check passing after the closure
 *
 * A check that fails again after verification opens a new row naming the
 * one before (previous).  No thread safety of its own: one handle per
 * thread.
 */
#ifndef IIOT_EVALDB_H
#define IIOT_EVALDB_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

struct sqlite3;

#define EVAL_DB_NAME		"eval.db"
#define EVAL_ACTION_MAX		1000	/* bytes of a corrective action */
#define EVAL_RUNS_KEEP		1000	/* older runs are pruned */

/* <dir>/eval.db, made 0600 and migrated; NULL with the reason in err */
struct sqlite3 *evaldb_open(const char *dir, char *err, size_t errlen);
void evaldb_close(struct sqlite3 *db);

/*
 * Store a report (evaluate.h's eval_report) made by trigger ("schedule",
 * "demand by NAME", ...) and bring the nonconformities up to date.  Its
 * run id, or -1.  *changed (when not NULL): a new array of the
 * nonconformities opened or reopened by this run, each as evaldb_ncs
 * shows them, for the caller to alert.
 */
int64_t evaldb_record(struct sqlite3 *db, const json_t *report, const char *trigger,
		      int64_t now_ms, json_t **changed);

/* the newest runs first, without their checks: {id, ts_ms, created, trigger, passed, failed, score} */
json_t *evaldb_runs(struct sqlite3 *db, int limit);
/* one run's report with its id and trigger, or NULL */
json_t *evaldb_run(struct sqlite3 *db, int64_t id);
/* when the newest run was made (ms since the epoch), 0 for none, -1 on error */
int64_t evaldb_last_ms(struct sqlite3 *db);
/* nonconformities in state ("open", "closed", "verified"; NULL: all), newest first */
json_t *evaldb_ncs(struct sqlite3 *db, const char *state, int limit);
/* one nonconformity or NULL */
json_t *evaldb_nc(struct sqlite3 *db, int64_t id);
/*
 * An open nonconformity closed by who with its corrective action: 0, or
 * -1 with why in err and *code 404 (no such) or 409 (not open) or 500.
 */
int evaldb_close_nc(struct sqlite3 *db, int64_t id, const char *who, const char *action,
		    int64_t now_ms, int *code, char *err, size_t errlen);

#endif
