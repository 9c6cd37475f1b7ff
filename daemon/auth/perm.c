/*
 * The role × permission matrix.  Deny by default: a permission a role
 * does not list here is refused, and a route must name a permission.
 * metrics.read is every account role's: counters carry no plant data, and a
 * viewer token is the least a Prometheus scraper needs.  Dashboards:
 * everyone with plant data keeps their own; engineers and admins share
 * them with a role.  A kiosk token (a wall screen) reads dashboards and
 * what their widgets show, nothing else, and changes nothing.
 */
#include <string.h>

#include "auth/auth.h"

#define B(p) (1u << (p))
#define DASH_OWN (B(PERM_DASH_READ) | B(PERM_DASH_EDIT))
#define DASH_ALL (DASH_OWN | B(PERM_DASH_SHARE))

static const struct {
	const char *name;
	unsigned int perms;
} roles[ROLE_COUNT] = {
	[ROLE_ADMIN] = { "admin",
		B(PERM_PUBLIC) | B(PERM_SELF) | B(PERM_DEVICE_READ) |
		B(PERM_DEVICE_CONTROL) | B(PERM_USER_READ) | B(PERM_USER_ADMIN) |
		B(PERM_AUDIT_READ) | B(PERM_SETTINGS_READ) | B(PERM_SETTINGS_WRITE) |
		B(PERM_ALERT_READ) | B(PERM_ALERT_ACK) | B(PERM_METRICS_READ) |
		B(PERM_ENFORCE) | DASH_ALL },
	[ROLE_ENGINEER] = { "engineer",
		B(PERM_PUBLIC) | B(PERM_SELF) | B(PERM_DEVICE_READ) |
		B(PERM_DEVICE_CONTROL) | B(PERM_SETTINGS_READ) |
		B(PERM_ALERT_READ) | B(PERM_ALERT_ACK) | B(PERM_METRICS_READ) | DASH_ALL },
	/* ISA-18.2: the operator answers alarms */
	[ROLE_OPERATOR] = { "operator",
		B(PERM_PUBLIC) | B(PERM_SELF) | B(PERM_DEVICE_READ) |
		B(PERM_ALERT_READ) | B(PERM_ALERT_ACK) | B(PERM_METRICS_READ) | DASH_OWN },
	[ROLE_VIEWER] = { "viewer",
		B(PERM_PUBLIC) | B(PERM_SELF) | B(PERM_DEVICE_READ) |
		B(PERM_ALERT_READ) | B(PERM_METRICS_READ) | DASH_OWN },
	/* auditors see who did what, not the plant or the people admin */
	[ROLE_AUDITOR] = { "auditor",
		B(PERM_PUBLIC) | B(PERM_SELF) | B(PERM_AUDIT_READ) |
		B(PERM_USER_READ) | B(PERM_SETTINGS_READ) | B(PERM_METRICS_READ) },
	[ROLE_KIOSK] = { "kiosk",
		B(PERM_PUBLIC) | B(PERM_DEVICE_READ) | B(PERM_ALERT_READ) | B(PERM_DASH_READ) },
};

static const char *const perm_names[PERM_COUNT] = {
	"public", "self", "device.read", "device.control", "user.read",
	"user.admin", "audit.read", "settings.read", "settings.write",
	"alert.read", "alert.ack", "metrics.read", "enforce.admin",
	"dashboard.read", "dashboard.edit", "dashboard.share",
};

const char *role_name(enum role r)
{
	return (unsigned int)r < ROLE_COUNT ? roles[r].name : "?";
}

int role_parse(const char *s)
{
	int i;

	for (i = 0; s && i < ROLE_COUNT; i++)
		if (!strcmp(s, roles[i].name))
			return i;
	return -1;
}

int role_for_users(enum role r)
{
	return (unsigned int)r < ROLE_COUNT && r != ROLE_KIOSK;
}

int role_has(enum role r, enum perm p)
{
	if ((unsigned int)r >= ROLE_COUNT || (unsigned int)p >= PERM_COUNT)
		return 0;
	return !!(roles[r].perms & B(p));
}

const char *perm_name(enum perm p)
{
	return (unsigned int)p < PERM_COUNT ? perm_names[p] : "?";
}
