/*
 * Rules made through the API or iiotctl (docs/analytics.md, "Rules in
 * the API"): every change is a new version of the rule in analytics.db,
 * beside alerts.db; a delete is a version without a body, so the history
 * stays and a rollback can bring the rule back.  Written and read by the
 * event loop only.
 */
#ifndef IIOTD_RULEDB_H
#define IIOTD_RULEDB_H

#include <stddef.h>
#include <stdint.h>

struct ruledb;
struct json_t;

#define RULEDB_MAX_VERSIONS	1000	/* per rule; older ones go */

struct ruledb *ruledb_open(const char *path, char *err, size_t errlen);
void ruledb_close(struct ruledb *r);
/* sqlite3 of the file, for the OEE tables that live beside (oee_db.c) */
void *ruledb_handle(struct ruledb *r);

/*
 * Append version (latest + 1) of name: body is the rule's JSON object
 * (NULL: deleted); action "create", "update", "delete" or "rollback N".
 * The new version, or -1.
 */
int ruledb_put(struct ruledb *r, const char *name, const struct json_t *body,
	       const char *action, const char *who, int64_t ts_ms);
/* The latest version of name: its number (0: never made), *body (new
 * reference, NULL when deleted). */
int ruledb_latest(struct ruledb *r, const char *name, struct json_t **body);
/* Version v of name: 0 with *body (NULL for a delete), -1 none. */
int ruledb_version(struct ruledb *r, const char *name, int v,
		   struct json_t **body);
/* [{"name","version","ts_ms","who","action","rule"}] of the rules that
 * live (latest version not a delete), by name */
struct json_t *ruledb_current(struct ruledb *r);
/* every version of name, newest first */
struct json_t *ruledb_history(struct ruledb *r, const char *name);

#endif
