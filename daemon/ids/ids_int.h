/* Inside the IDS: station tables and the rule files' entry points. */
#ifndef IIOTD_IDS_INT_H
#define IIOTD_IDS_INT_H

#include "alerts/alerts.h"
#include "decode/decode.h"
#include "ids/baseline.h"
#include "ids/ids.h"

#define IDS_STATIONS	4096	/* power of two */
#define IDS_ADDRS	4096	/* IP and name index, power of two */
#define IDS_MASTERS	8
#define IDS_EVICT_PROBE	64	/* slots of a full probe path compared */
#define IDS_EVICT_SCAN	256	/* slots looked at for room elsewhere */
#define IDS_WINDOW_NS	10000000000ULL	/* rate windows: 10 s */
#define IDS_BINDING_NS	300000000000ULL	/* an address claim holds 5 min */
#define IDS_AR_NS	3000000000ULL	/* cyclic RT this recent: AR active */
#define IDS_NO_IP	0
#define IDS_MAX_ARS	1024
#define IDS_SCAN_NS	100000000ULL	/* AR watch: every 100 ms of frames */
#define IDS_ATTACK_NS	10000000000ULL	/* an attack this long before a loss
					 * explains it */

struct rate {
	uint64_t start;
	uint32_t n;
	uint32_t pending;		/* past the limit, not yet raised */
	uint32_t limit;			/* the last one applied */
	uint64_t raised;		/* when they were last raised */
};

/* past a rate limit, occurrences are raised together this often */
#define IDS_FLOOD_BATCH_NS	100000000ULL
#define IDS_FLOOD_BATCH		1024

struct station {
	uint8_t mac[6];
	bool used;
	bool dead;			/* evicted for room elsewhere: probes
					 * pass it, the next path through takes
					 * it */
	bool pn;			/* answered DCP or runs cyclic RT */
	uint32_t ip, prev_ip;		/* claimed addresses, host order */
	uint64_t ip_ns;			/* when ip was last claimed */
	uint64_t name_hash;		/* DCP NameOfStation, 0 none */
	uint64_t name_ns;
	char name[48];
	uint8_t peer[6];		/* AR partner: cyclic RT to/from it */
	uint64_t peer_ns;
	uint64_t rt_ns;			/* its AR's last cyclic RT frame */
	uint64_t attack_ns;		/* last DCP Set from a stranger or
					 * address takeover aimed at it */
	bool ar;			/* in ids->ars: it watches an AR */
	bool multi;			/* RT with several peers: a controller,
					 * its devices watch their ARs */
	struct rate ident, hello, arp_reply, reset;
	struct rate dcp_bl, arp_bl;	/* against the baseline */
	/* the last DCP Set sent to this station, for its answer */
	uint32_t set_xid;
	uint32_t set_ip;
	uint64_t set_alert;
	uint64_t seen_ns;		/* last frame from or to it */
	uint64_t set_prev_attack;	/* attack_ns before it: a refused Set
					 * attacked nothing */
};

/* an address (IP or name hash) → the station that claimed it */
struct addr {
	uint64_t key;			/* 0 free */
	uint16_t station;
};

struct master {
	uint8_t mac[6];			/* U/L bit cleared */
	bool used;
	bool seen_out;			/* frames as sent, not only returned */
	bool rogue;			/* appeared while another ran cyclic */
	uint64_t op_since;		/* first logical datagram of this run */
	uint64_t last_logical;
	uint64_t last_ns;
	uint64_t sent[4];		/* datagram indexes awaiting return */
};

struct ids {
	struct alerts *al;
	struct model *m;
	const struct oui *oui;
	struct ids_policy p;
	struct ids_policy *pending;	/* from ids_set_policy, not yet taken */
	struct ids_counters ctr;
	struct rate new_macs;
	struct station st[IDS_STATIONS];
	size_t nst;			/* used slots, dead ones too */
	unsigned int evict_hand;
	struct addr addr[IDS_ADDRS];
	struct master ms[IDS_MASTERS];
	struct master *last_master;	/* the last frame's */
	uint16_t ars[IDS_MAX_ARS];	/* stations with a running AR */
	size_t nars;
	uint64_t scan_ns;
	struct baseline *bl;		/* never NULL */
	uint8_t line;			/* the frame's, in bl->lines */
	char old_masters[64];		/* ids_baseline.c: the line's masters */
	uint32_t old_masters_gen;	/* bl->gen + 1 they were read at */
	uint8_t old_masters_line;
	struct rate link[BL_LINES];	/* frames per line */
	uint32_t link_limit[BL_LINES], link_gen;
	uint32_t count;			/* occurrences the next raise stands
					 * for (0: 1) */
	ids_block_fn block_fn;		/* ids_set_blocker */
	void *block_arg;
	/* the frame being inspected */
	const struct decoded *d;
	uint64_t ts, frame_no;
};

/* ids.c */
struct station *ids_station(struct ids *ids, const uint8_t mac[6], bool add);
struct station *ids_addr_get(struct ids *ids, uint64_t key);
void ids_addr_set(struct ids *ids, uint64_t key, const struct station *s);
bool ids_engineering(struct ids *ids, const uint8_t mac[6]);
/*
 * Count one event of src in r's 10 s window; past limit, raise rule
 * ("more than LIMIT WHAT within 10 s"), batched: at most once per
 * IDS_FLOOD_BATCH_NS or IDS_FLOOD_BATCH events, the count saying how many,
 * so a flood at line rate costs the alert table little.
 */
void ids_flood(struct ids *ids, struct rate *r, uint32_t limit,
	       unsigned int rule, const uint8_t *src, const char *what);
/* raise rule on the current frame */
uint64_t ids_raise(struct ids *ids, unsigned int rule, unsigned int sev,
		   const uint8_t *src, const uint8_t *dst, const uint8_t *dev_mac,
		   const char *label, uint64_t key, const char *detail);
uint64_t ids_mac_key(const uint8_t mac[6]);

#define ADDR_IP(ip)	((1ULL << 62) | (ip))
#define ADDR_NAME(h)	((2ULL << 62) | ((h) >> 2))

/* ids_pn.c, ids_arp.c, ids_ecat.c */
void ids_pn(struct ids *ids);
void ids_dcp(struct ids *ids);
void ids_arp(struct ids *ids);
void ids_ar_scan(struct ids *ids);
/*
 * The frame is an IO controller looking up, by NameOfStation, a device
 * it had an AR with: after a connection loss controllers poll each lost
 * device's name (Siemens about once a second, until it answers), which is
 * no scan however many devices a line lost.
 */
bool ids_dcp_polling(struct ids *ids);
void ids_ecat(struct ids *ids);
/* ids_baseline.c */
void ids_baseline_frame(struct ids *ids);

#endif
