/*
 * One MQTT client's way to a list of brokers, shared by the Sparkplug
 * edge node (session.c) and the fleet host (fleet/host.c): the client
 * set up with credentials and TLS (the broker's certificate verified),
 * the connection attempt, fail over to the next broker with an
 * exponential back-off, and a failure said once until it changes.  A
 * broker that refuses the credentials is told apart (north_link_refused)
 * so that its caller raises an alert at once instead of waiting out an
 * outage: waiting does not mend it, and the retries, backed off, are not
 * logged again.  Not thread-safe: one thread owns
 * the link, as it owns the libmosquitto client.
 */
#ifndef IIOT_NORTH_LINK_H
#define IIOT_NORTH_LINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "north/north.h"

#define NORTH_BACKOFF_MAX_MS	30000	/* refused or failing: wait at most */

struct mosquitto;

struct north_link {
	const char *who;		/* "north", "fleet": the log's prefix */
	const struct north_link_conf *c;	/* the owner's, kept */
	void *arg;			/* the owner, for its callbacks */
	size_t broker;			/* brokers[] index now */
	unsigned int fails;		/* attempts failed in a row */
	uint64_t next_try;		/* CLOCK_MONOTONIC ms */
	char last_err[256];		/* logged once until it changes */
	char tls_err[160];		/* libmosquitto's TLS error, this try */
};

void north_link_init(struct north_link *l, const char *who,
		     const struct north_link_conf *c, void *arg);
const struct north_broker *north_link_broker(const struct north_link *l);
/* time for the next attempt */
bool north_link_due(const struct north_link *l);
/* a client for the broker now, or NULL (said).  Its callbacks' obj is
 * the link: north_link_arg(obj) is the owner */
struct mosquitto *north_link_client(struct north_link *l);
void *north_link_arg(void *obj);
/* CONNECT to the broker now: 0, or -1 (said once) */
int north_link_connect(struct north_link *l, struct mosquitto *m);
/* a CONNACK's refusal (rc: its code), said once: credentials, an id
 * refused, a server unavailable do not mend by retrying, so the caller
 * raises its alert at once */
void north_link_refused(struct north_link *l, int rc);
/* the connection failed (rc, the loop's) before the CONNACK: a TLS
 * handshake refused (the broker's certificate not signed by the CA)
 * says why */
void north_link_closed(struct north_link *l, int rc);
/* a failure, logged when it differs from the last one */
void north_link_fail(struct north_link *l, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* a CONNACK accepted: the next failure is said again */
void north_link_up(struct north_link *l);
/* a session its peer took: the back-off starts afresh */
void north_link_ok(struct north_link *l);
/* the connection is gone or failed: the next broker, after the back-off */
void north_link_lost(struct north_link *l);
/* a clean end: what is queued goes out first (the last words: NDEATH,
 * STATE offline; at most 200 ms), then a DISCONNECT, which withholds the
 * Will, and the loop lets it out */
void north_link_close(struct mosquitto *m);

#endif
