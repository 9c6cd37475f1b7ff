/*
 * Industrial intrusion detection: the rules of docs/security.md run on
 * every decoded frame and raise into the alert model (daemon/alerts/).
 *
 * ids_frame() is on the capture thread's per-frame path: O(1), no
 * allocation; its state (stations by MAC, addresses by IP and name,
 * EtherCAT masters) lives in fixed tables sized at ids_new().  The same
 * code runs in iiotd and in "iiotctl alerts FILE.pcap".
 *
 * Policy ([ids] in iiotd.conf, or the file given to --policy):
 *   engineering = MAC         repeat: stations allowed to send DCP Set,
 *                             write ESC registers or run a second master
 *   identify_limit = 100      DCP Identify requests per source per 10 s
 *   hello_limit = 20          DCP Hello per source per 10 s
 *   arp_reply_limit = 50      ARP replies per source per 10 s
 *   new_mac_limit = 1000      new source MACs per 10 s (inventory flood)
 *   ar_timeout = 1s           PROFINET: cyclic RT of an AR silent this
 *                             long is an AR lost
 *   startup = 2s              EtherCAT: cyclic operation this long ends
 *                             start-up (register writes become alerts)
 *   disable = RULE            repeat: a rule id not to raise
 *   action = RULE alert|block repeat: a rule's action (alert, the
 *                             default; block: its source MAC into the
 *                             XDP blocklist, daemon/enforce/enforce.h)
 *   block = RULE              repeat: the same as "action = RULE block"
 *   learn = 1h                the learning window of a fresh baseline
 *                             (0: none; docs/security.md "Baseline")
 */
#ifndef IIOTD_IDS_H
#define IIOTD_IDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "alerts/rules.h"

#define IDS_MAX_ENGINEERING	32

struct ids_policy {
	uint8_t engineering[IDS_MAX_ENGINEERING][6];
	size_t nengineering;
	/* by IPv4 (host order): the station that claimed it (ARP, DCP) */
	uint32_t engineering_ip[IDS_MAX_ENGINEERING];
	size_t nengineering_ip;
	uint32_t identify_limit, hello_limit, arp_reply_limit, new_mac_limit;
	uint32_t reset_limit;
	uint64_t startup_ns;
	uint64_t ar_timeout_ns;
	uint64_t learn_ns;
	bool disabled[ALERT_RULE_COUNT];
	bool block[ALERT_RULE_COUNT];
};

#define IDS_COUNTERS(X) \
	X(frames,	"frames inspected")			\
	X(arp,		"ARP frames")				\
	X(arp_bad,	"ARP frames that were not IPv4 over Ethernet") \
	X(dcp_sets,	"DCP Set requests")			\
	X(ecat_writes,	"EtherCAT register writes checked")	\
	X(raised,	"occurrences raised")			\
	X(stations_full,"stations not tracked: table full")	\
	X(stations_evicted, "idle unadmitted stations evicted: table full")

struct ids_counters {
#define IDS_X_FIELD(n, d) uint64_t n;
	IDS_COUNTERS(IDS_X_FIELD)
#undef IDS_X_FIELD
};

struct ids;
struct alerts;
struct model;
struct decoded;
struct conf;

/* m may be NULL (then alerts name devices by MAC only). */
struct ids *ids_new(struct alerts *al, struct model *m);
void ids_free(struct ids *ids);
void ids_set_policy(struct ids *ids, const struct ids_policy *p);
void ids_policy_default(struct ids_policy *p);
/* Read [ids] of c into p; 0, or -1 with "FILE:LINE: key: why" in err. */
int ids_policy_conf(const struct conf *c, struct ids_policy *p, char *err,
		    size_t errlen);

/* One decoded frame (frame_no: 1-based in a file, 0 live). */
void ids_frame(struct ids *ids, const struct decoded *d, uint64_t ts_ns,
	       uint64_t frame_no);

void ids_get_counters(const struct ids *ids, struct ids_counters *out);

/*
 * Enforcement: each occurrence of a rule whose action is block, with a
 * source MAC, calls fn(arg, src, rule, alert id) on the capture thread;
 * fn only queues.  Set it through capture_call (fn NULL: none).
 */
typedef void (*ids_block_fn)(void *arg, const uint8_t src[6],
			     unsigned int rule, uint64_t alert);
void ids_set_blocker(struct ids *ids, ids_block_fn fn, void *arg);
/*
 * Raise what rate rules still hold back (floods are raised in batches,
 * ids_int.h): at the end of a capture file.  O(stations).
 */
void ids_flush(struct ids *ids);

/*
 * Admission (ids_admit.c): a device the model discovered (ev
 * MODEL_EV_DISCOVERED) raises device.new with its vendor from o (may be
 * NULL); a lifecycle move to commissioned or active clears it.  Called
 * from the model's event sink, on the model's thread.
 */
/*
 * The baseline (ids_baseline.c, baseline.h).  learn: learn for ns of
 * capture time from the next frame on, adding to what is there (fresh:
 * forget it first); ns 0 stops learning.  ids_baseline: the IDS's own, for
 * callers on the IDS's thread.  ids_set_line: the line the next frames
 * come from (a ring's name; NULL "capture").
 */
struct baseline;
void ids_baseline_learn(struct ids *ids, uint64_t ns, bool fresh);
struct baseline *ids_baseline(struct ids *ids);
void ids_set_line(struct ids *ids, const char *name);

struct oui;
struct model_device;
void ids_set_oui(struct ids *ids, struct oui *o);
void ids_device_event(struct ids *ids, const struct model_device *dev,
		      unsigned int ev, uint64_t ts_ns);

#endif
