/*
 * Fleet (platform) mode (docs/north.md): iiotd as a Sparkplug B host
 * application.  [fleet] configuration (fleet_conf.c), the inventory of
 * sites (Sparkplug groups), IPCs (edge nodes) and their devices with each
 * edge's session (inv.c), the metrics' store in PostgreSQL (pg.c), the
 * MQTT session on its own thread (host.c).
 */
#ifndef IIOT_FLEET_H
#define IIOT_FLEET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "north/north.h"

#define FLEET_GROUPS_MAX	32	/* group filter entries */
#define FLEET_PG_MAX		1024	/* connection string */

struct conf;
struct json_t;

struct fleet_conf {
	bool enabled;			/* a broker is configured */
	struct north_link_conf link;	/* MQTT 3.1.1 */
	char host_id[NORTH_ID_MAX];	/* our STATE topic */
	char groups[FLEET_GROUPS_MAX][NORTH_ID_MAX];	/* none: every group */
	size_t ngroups;
	char postgres[FLEET_PG_MAX];	/* libpq connection string */
	uint64_t batch;			/* rows a COPY at most */
	uint64_t flush_ms;		/* a batch waits at most this long */
	uint64_t pending_max;		/* rows held while PostgreSQL is away */
	uint64_t ahead_days;		/* daily partitions made in advance */
	uint64_t rebirth_ms;		/* between Rebirth requests to a node */
};

/* 0, or -1 with "FILE:LINE: why" in err; reads the password file */
int fleet_conf_read(const struct conf *c, struct fleet_conf *fc, char *err,
		    size_t errlen);

/*
 * The running fleet (subsys_fleet.c), NULL when fleet mode is off.  The
 * API reads it from the event loop; every call takes the inventory's
 * lock for the time of a copy into JSON.
 */
struct fleet;
struct fleet *fleet_current(void);
/* [{group, nodes, online, devices, alerts, health}] */
struct json_t *fleet_sites_json(struct fleet *f);
/* the nodes of group, NULL when it is not known */
struct json_t *fleet_nodes_json(struct fleet *f, const char *group);
/* the devices of an edge node, NULL when it is not known */
struct json_t *fleet_devices_json(struct fleet *f, const char *group,
				  const char *edge);
/*
 * A metric's rows from PostgreSQL, oldest first: at most limit rows with
 * from_ms <= ts < to_ms.  NULL with why set (no such node, PostgreSQL
 * unreachable).
 */
struct json_t *fleet_history_json(struct fleet *f, const char *group,
				  const char *edge, const char *device, const char *metric,
				  int64_t from_ms, int64_t to_ms,
				  unsigned int limit, char *why, size_t whylen);

#endif
