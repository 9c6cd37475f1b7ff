/*
 * System parameters: a fixed registry, so that an unknown key or an out of
 * range value is refused with a reason rather than stored.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/authdb_int.h"

static const char *const profiles[] = { "standard", "gbt22239", NULL };

static const struct setting_def defs[] = {
	{ "site.name", "iiot", "name shown in the title bar", 0, 0, NULL },
	{ "lockout.threshold", "5", "failed logins before an account or address is locked", 1, 100, NULL },
	{ "lockout.minutes", "30", "how long a lockout lasts", 1, 1440, NULL },
	{ "session.idle_minutes", "30", "idle timeout of a session", 1, 720, NULL },
	{ "session.idle_minutes_admin", "15", "idle timeout of an admin session", 1, 720, NULL },
	{ "session.absolute_hours", "12", "absolute session lifetime", 1, 72, NULL },
	{ "password.profile", "standard", "standard, or gbt22239 (character classes, expiry)", 0, 0, profiles },
	{ "password.max_age_days", "90", "password expiry under the gbt22239 profile", 1, 3650, NULL },
	{ "mfa.required_roles", "admin,engineer", "roles that must use TOTP", 0, 0, NULL },
	{ "audit.retention_days", "365", "audit log retention (at least 180)", 180, 36500, NULL },
};

#define N_DEFS (sizeof(defs) / sizeof(defs[0]))

const struct setting_def *setting_defs(size_t *n)
{
	*n = N_DEFS;
	return defs;
}

static const struct setting_def *find(const char *key)
{
	size_t i;

	for (i = 0; i < N_DEFS; i++)
		if (!strcmp(defs[i].key, key))
			return &defs[i];
	return NULL;
}

int setting_get(struct authdb *a, const char *key, char *buf, size_t len)
{
	const struct setting_def *d = find(key);
	sqlite3_stmt *st;

	if (!d)
		return -1;
	snprintf(buf, len, "%s", d->def);
	if (sqlite3_prepare_v2(a->db, "SELECT value FROM settings WHERE key = ?", -1,
			       &st, NULL) != SQLITE_OK)
		return 0;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		snprintf(buf, len, "%s", (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	return 0;
}

long setting_int(struct authdb *a, const char *key)
{
	char buf[64];

	if (setting_get(a, key, buf, sizeof(buf)))
		return 0;
	return strtol(buf, NULL, 10);
}

static int valid_roles(const char *v)
{
	char buf[128], *save = NULL, *t;

	if (strlen(v) >= sizeof(buf))
		return 0;
	snprintf(buf, sizeof(buf), "%s", v);
	for (t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save))
		if (role_parse(t) < 0)
			return 0;
	return 1;
}

int setting_check(const char *key, const char *value, const char **why)
{
	const struct setting_def *d = find(key);
	const char *const *c;
	char *end;
	long v;

	if (!d) {
		*why = "unknown setting";
		return -1;
	}
	if (strlen(value) > 64) {
		*why = "value longer than 64 characters";
		return -1;
	}
	if (d->min || d->max) {
		errno = 0;
		v = strtol(value, &end, 10);
		if (errno || end == value || *end || v < d->min || v > d->max) {
			*why = "value is not an integer in the allowed range";
			return -1;
		}
	} else if (d->choices) {
		for (c = d->choices; *c && strcmp(*c, value); c++)
			;
		if (!*c) {
			*why = "value is not one of the allowed choices";
			return -1;
		}
	} else if (!strcmp(key, "mfa.required_roles") && !valid_roles(value)) {
		*why = "value must be a comma-separated list of roles";
		return -1;
	} else if (!*value) {
		*why = "value must not be empty";
		return -1;
	}
	return 0;
}

int setting_set(struct authdb *a, const char *key, const char *value, const char **why)
{
	if (setting_check(key, value, why))
		return -1;
	if (authdb_exec(a, "INSERT OR REPLACE INTO settings(key, value) VALUES(?, ?)",
			"tt", key, value)) {
		*why = "database error";
		return -1;
	}
	return 0;
}

int setting_mfa_required(struct authdb *a, enum role r)
{
	char buf[128], *save = NULL, *t;

	setting_get(a, "mfa.required_roles", buf, sizeof(buf));
	for (t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save))
		if (role_parse(t) == (int)r)
			return 1;
	return 0;
}
