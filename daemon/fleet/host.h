/*
 * The host application's MQTT session on its own thread (host.c): the
 * broker list with failover, our STATE (retained, online after each
 * connection, offline as the Will and before a clean disconnect), the
 * subscription to the edges' topics, each message into the inventory
 * and its rows to the PostgreSQL writer, Rebirth requests.
 */
#ifndef IIOT_FLEET_HOST_H
#define IIOT_FLEET_HOST_H

#include "fleet/fleet.h"

struct iiotd;
struct json_t;

/* Start the thread and the writer; NULL with err set.  fc is copied. */
struct fleet *fleet_start(struct iiotd *d, const struct fleet_conf *fc,
			  char *err, size_t errlen);
/* STATE offline, disconnect, join, write what is pending. */
void fleet_stop(struct fleet *f);
struct json_t *fleet_stats(struct fleet *f);

#endif
