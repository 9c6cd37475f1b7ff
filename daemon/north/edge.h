/*
 * The edge node's metrics: the node's own and one Sparkplug device per
 * inventory device ([north] devices), refreshed from a model snapshot on
 * each scan and reported by exception (edge_report).  Aliases are unique
 * across the node and stable while iiotd runs, so a rebirth repeats them.
 * Owned by the north thread.
 */
#ifndef IIOT_NORTH_EDGE_H
#define IIOT_NORTH_EDGE_H

#include <stdbool.h>
#include <stdint.h>

#include "north/north.h"
#include "north/spb.h"

struct model;
struct edge;

/* the device metrics of the signals: "Signals/<name>" */
#define EDGE_SIGNALS	"Signals/"


enum edge_msg {
	EDGE_NBIRTH = 0,
	EDGE_DBIRTH,
	EDGE_NDATA,
	EDGE_DDATA,
	EDGE_DDEATH,
};

/* "NBIRTH", ... */
const char *edge_msg_name(unsigned int msg);

struct edge_emit {
	/* device: NULL for the node's messages; b is freed by the caller */
	void (*emit)(void *arg, unsigned int msg, const char *device,
		     struct spb_buf *b);
	void *arg;
	/* edge_scan, after each device's walk (NULL: none): the change set
	 * may go out (edge_feed) instead of waiting for the whole scan */
	void (*between)(void *arg);
};

/* what the node reports about itself beside the inventory */
struct edge_node_info {
	uint64_t frames;		/* drained from the rings */
	uint64_t active_alerts;
};

struct edge *edge_new(const struct north_conf *nc);
void edge_free(struct edge *e);
/*
 * Refresh every metric from m (a finished snapshot, or NULL: no devices)
 * at now_ms.  Devices that left the selection or went offline are marked
 * gone; new metrics mark their device for a rebirth.
 */
void edge_update(struct edge *e, struct model *m,
		 const struct edge_node_info *info, uint64_t now_ms);
/* NBIRTH (with bdseq) and a DBIRTH per device: every metric, its alias
 * and value; everything counts as reported */
void edge_births(struct edge *e, uint64_t bdseq, uint64_t now_ms,
		 const struct edge_emit *out);
/*
 * The changes since the last report.  live: DDEATH for gone devices,
 * DBIRTH for new ones and rebirths, then NDATA/DDATA by alias.  Not live
 * (store-and-forward): NDATA/DDATA only, by name, is_historical set.
 */
void edge_report(struct edge *e, bool live, uint64_t now_ms,
		 const struct edge_emit *out);
/*
 * Live, edge_update and edge_report in one walk: a born device's DDATA is
 * packed and emitted as soon as its metrics are refreshed, so it does not
 * wait for the walk over every other device (docs/north.md).
 */
void edge_scan(struct edge *e, struct model *m,
	       const struct edge_node_info *info, uint64_t now_ms,
	       const struct edge_emit *out);
struct sigfeed;
/*
 * Live, between scans: the signals f marked as changed since the last
 * call, each one's metric refreshed (a sample older than the metric's is
 * left) and every device with a change past its deadband sent in a DDATA;
 * a signal no scan has made a metric of waits for the next scan.  Returns
 * the signals taken.
 */
size_t edge_feed(struct edge *e, struct sigfeed *f, uint64_t now_ms,
		 const struct edge_emit *out);
/* The session ended: no device is born any more. */
void edge_lost(struct edge *e);
/*
 * Whether the signal of a metric Signals/<signal> may be written by a
 * command (asked once per metric; births carry readOnly).  NULL: none.
 */
void edge_set_writable(struct edge *e, int (*writable)(const char *signal));

/* What a command's metric names. */
struct edge_target {
	uint32_t dev_id;		/* model device id; 0: the node */
	char metric[SPB_NAME_MAX];	/* its name, also when sent by alias */
	uint64_t alias;
	bool writable;
};
/*
 * The metric of command metric c (by name, else alias) on device (a topic
 * level; NULL: the node), born now: 0, or -1 when there is none.
 */
int edge_find(struct edge *e, const char *device, const struct spb_cmd *c,
	      struct edge_target *t);
/*
 * A command wrote value (read back from the device) to a Double metric at
 * now_ms: it is reported by exception like any change, and samples older
 * than now_ms do not undo it.  0, or -1 when there is no such metric.
 */
int edge_written(struct edge *e, const char *device, const char *metric,
		 double value, uint64_t now_ms);
/* The alias of the node's metric name, 0 when none. */
uint64_t edge_node_alias(const struct edge *e, const char *name);
/* Whether device (a topic level) is born now. */
bool edge_device_born(const struct edge *e, const char *device);
size_t edge_device_count(const struct edge *e);
size_t edge_metric_count(const struct edge *e);

#endif
