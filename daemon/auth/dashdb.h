/*
 * Dashboards in auth.db: a user's own (owner: the user's name, or
 * "token:<name>") or shared with a role (share: a role's name or "all"),
 * each a checked document (api/dashdoc.h) kept as JSON text.  A shared
 * dashboard may be its role's default, one per role.
 */
#ifndef IIOT_DASHDB_H
#define IIOT_DASHDB_H

#include <stdint.h>

struct authdb;

struct dash_row {
	int64_t id, created, updated;
	char name[65];
	char owner[41];		/* "" when shared */
	char share[16];		/* "" when personal */
	int is_default;
	char updated_by[41];
	char *doc;		/* malloc'd by dash_get only */
};

/*
 * The dashboards owner has and those shared with role or with all
 * (role NULL: every shared one), personal first, then by name.
 */
int dash_list(struct authdb *db, const char *owner, const char *role,
	      void (*cb)(void *, const struct dash_row *), void *arg);
/* 0 found (free row->doc), 1 none, -1 error */
int dash_get(struct authdb *db, int64_t id, struct dash_row *row);
/* dashboards of owner (share NULL) or shared with share (owner NULL) */
int dash_count(struct authdb *db, const char *owner, const char *share);
/* exactly one of owner, share; 0 with *id, -1 error */
int dash_create(struct authdb *db, const char *owner, const char *share,
		const char *name, const char *doc, const char *by, int64_t *id);
/* 0, 1 no such dashboard, -1 error */
int dash_update(struct authdb *db, int64_t id, const char *name, const char *doc,
		const char *by);
/* row id the default of its share (others of that share not), or none (on 0) */
int dash_set_default(struct authdb *db, int64_t id, int on);
int dash_delete(struct authdb *db, int64_t id);

#endif
