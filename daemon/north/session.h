/*
 * The edge node's MQTT session on its own thread (session.c): connection
 * and failover over the broker list, bdSeq, NDEATH as the Will, births,
 * report by exception every scan, the primary host's STATE, commands,
 * store-and-forward and its replay.  Nothing of it runs on the capture
 * thread: it reads the newest capture snapshot.
 */
#ifndef IIOT_NORTH_SESSION_H
#define IIOT_NORTH_SESSION_H

#include "north/north.h"

struct iiotd;
struct north;
struct json_t;

/* X(name, "what") */
#define NORTH_COUNTERS(X) \
	X(connects,		"sessions established")			\
	X(connect_errors,	"connection attempts that failed or were refused")\
	X(disconnects,		"sessions lost")			\
	X(births,		"NBIRTH published")			\
	X(rebirths,		"Node Control/Rebirth commands answered")	\
	X(published,		"messages published live")		\
	X(published_bytes,	"payload bytes of those messages")	\
	X(publish_errors,	"messages libmosquitto refused")	\
	X(stored,		"messages put in the store-and-forward queue")\
	X(queue_dropped,	"messages the full queue dropped")	\
	X(queue_errors,		"queue writes or reads that failed")	\
	X(replayed,		"queued messages published (is_historical)")\
	X(replay_stale,		"queued messages of devices not born any more")\
	X(commands,		"NCMD and DCMD messages")		\
	X(commands_done,	"command metrics carried out (audited)")	\
	X(commands_refused,	"command metrics refused or failed (audited)")\
	X(commands_queued,	"device writes handed to the Modbus poller")\
	X(commands_bad,		"command payloads that were not valid")	\
	X(host_offline,		"primary host STATE offline seen")

struct north_counters {
#define NORTH_X_FIELD(n, d) uint64_t n;
	NORTH_COUNTERS(NORTH_X_FIELD)
#undef NORTH_X_FIELD
};

/* Start the session's thread; NULL with err set. nc is copied. */
struct north *north_start(struct iiotd *d, const struct north_conf *nc,
			  char *err, size_t errlen);
/* NDEATH, disconnect, join the thread. */
void north_stop(struct north *n);
struct json_t *north_stats(struct north *n);

#endif
