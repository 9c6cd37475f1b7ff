/*
 * The fleet inventory (inv.c): sites (Sparkplug groups) → IPCs (edge
 * nodes) → devices, kept from what the edges publish, and each edge's
 * session: NBIRTH/NDEATH with bdSeq, seq 0-255 in order (a gap asks the
 * node for a Rebirth), DBIRTH/DDEATH, aliases from the births, data by
 * alias or by name (store-and-forward's is_historical data).  Every
 * metric value becomes a row handed to the sink (the PostgreSQL writer).
 * No MQTT and no PostgreSQL here: the fuzz target drives it alone.
 */
#ifndef IIOT_FLEET_INV_H
#define IIOT_FLEET_INV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define INV_NODES_MAX		4096
#define INV_DEVICES_MAX		16384	/* a node's */
#define INV_METRICS_MAX		262144	/* a node's aliases */
#define INV_PAYLOAD_MAX		(4 * 1024 * 1024)

struct inv;
struct json_t;

/* One metric value: the strings are valid during the call. */
struct inv_row {
	const char *group, *edge, *device;	/* device "" for the node */
	const char *metric;
	int64_t ts_ms;
	bool has_num;
	double num;
	const char *text;		/* strings; NULL otherwise */
	bool historical;
};

struct inv_sink {
	void (*row)(void *arg, const struct inv_row *r);
	/* after a message's rows: its payload time, for the latency */
	void (*msg)(void *arg, uint64_t ts_ms, bool historical);
	/* ask the node for a Rebirth (NCMD Node Control/Rebirth) */
	void (*rebirth)(void *arg, const char *group, const char *edge);
	void *arg;
};

/* X(name, "what") */
#define INV_COUNTERS(X) \
	X(messages,	"Sparkplug messages received")			\
	X(bad,		"messages ignored: topic or payload not valid")	\
	X(births,	"NBIRTH received")				\
	X(deaths,	"NDEATH that ended a session")			\
	X(deaths_stale,	"NDEATH with another session's bdSeq")		\
	X(dbirths,	"DBIRTH received")				\
	X(ddeaths,	"DDEATH received")				\
	X(data,		"NDATA and DDATA received")			\
	X(historical,	"data messages with is_historical metrics")	\
	X(seq_gaps,	"messages out of seq order")			\
	X(unborn,	"messages of nodes without a session")		\
	X(unknown_alias, "metrics with an alias no birth gave")		\
	X(rebirths,	"Rebirth requests sent")			\
	X(full,		"nodes, devices or aliases over the limits")	\
	X(rows,		"metric values handed to the store")

struct inv_counters {
#define INV_X_FIELD(n, d) uint64_t n;
	INV_COUNTERS(INV_X_FIELD)
#undef INV_X_FIELD
};

struct inv *inv_new(uint64_t rebirth_ms);
void inv_free(struct inv *v);
/*
 * One message from the broker at now_ms: 0, or -1 when it was ignored
 * (counted; why says what for the log).
 */
int inv_message(struct inv *v, const char *topic, const void *buf,
		size_t len, uint64_t now_ms, const struct inv_sink *s,
		char *why, size_t whylen);
/* Every node is offline (our own session ended: births come again). */
void inv_lost(struct inv *v);
void inv_counters(struct inv *v, struct inv_counters *out);

struct json_t *inv_sites_json(struct inv *v);
struct json_t *inv_nodes_json(struct inv *v, const char *group);
struct json_t *inv_devices_json(struct inv *v, const char *group,
				const char *edge);
bool inv_has_node(struct inv *v, const char *group, const char *edge);

#endif
