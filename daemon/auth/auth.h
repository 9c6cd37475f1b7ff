/*
 * Authentication and authorisation: roles, permissions, the user store
 * (auth.db), passwords, TOTP, sessions and the audit chain.  The API
 * server (daemon/api/) is the only caller inside iiotd; iiotctl opens the
 * same databases for "user" and "audit".
 */
#ifndef IIOT_AUTH_H
#define IIOT_AUTH_H

#include <stddef.h>
#include <stdint.h>

enum role {
	ROLE_ADMIN,
	ROLE_ENGINEER,
	ROLE_OPERATOR,
	ROLE_VIEWER,
	ROLE_AUDITOR,
	ROLE_KIOSK,		/* API tokens of wall screens only, never a user's */
	ROLE_COUNT
};

/* One bit each; a route names exactly one permission (daemon/api/routes.c). */
enum perm {
	PERM_PUBLIC,		/* no login at all: health, login itself */
	PERM_SELF,		/* any logged-in user: own session, password, MFA */
	PERM_DEVICE_READ,	/* devices, links, signals, capture, live stream */
	PERM_DEVICE_CONTROL,	/* lifecycle changes of devices */
	PERM_USER_READ,
	PERM_USER_ADMIN,	/* users, sessions of others, tokens */
	PERM_AUDIT_READ,
	PERM_SETTINGS_READ,
	PERM_SETTINGS_WRITE,
	PERM_ALERT_READ,	/* alerts, their evidence, the rule table */
	PERM_ALERT_ACK,		/* acknowledge, shelve, unshelve, comment */
	PERM_METRICS_READ,	/* /metrics: counters, no plant data */
	PERM_ENFORCE,		/* XDP blocks and the enforcement switch */
	PERM_DASH_READ,		/* dashboards one may see (api/h_dash.c) */
	PERM_DASH_EDIT,		/* one's own dashboards */
	PERM_DASH_SHARE,	/* the dashboards shared with a role, their defaults */
	PERM_COUNT
};

const char *role_name(enum role r);
/* -1 when unknown */
int role_parse(const char *s);
/* a role an account may have (kiosk is for API tokens only) */
int role_for_users(enum role r);
/* deny by default: only pairs listed in perm.c are allowed */
int role_has(enum role r, enum perm p);
const char *perm_name(enum perm p);

/* Fill buf with n cryptographically random bytes; 0 or -1. */
int auth_random(void *buf, size_t n);
void auth_hex(const uint8_t *in, size_t n, char *out);	/* out: 2n+1 */
int64_t auth_now_ms(void);
/* CLOCK_MONOTONIC ms: what ages in memory only (sessions), whatever the wall clock does */
int64_t auth_mono_ms(void);

#endif
