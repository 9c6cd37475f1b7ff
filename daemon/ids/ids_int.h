/* Inside the IDS: station tables and the rule files' entry points. */
#ifndef IIOTD_IDS_INT_H
#define IIOTD_IDS_INT_H

#include <string.h>

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

/*
 * A station: the first cache line holds what a probe of the table and a
 * cyclic frame touch (ids_station, ids_pair, ids_pn); the rest is read
 * on DCP, ARP and the AR watch only.  The table is aligned to cache
 * lines, so a probe costs one line per slot.
 */
struct station {
	/* hot */
	uint8_t mac[6];
	uint8_t peer[6];		/* AR partner: cyclic RT to/from it */
	bool used;
	bool dead;			/* evicted for room elsewhere: probes
					 * pass it, the next path through takes
					 * it */
	bool pn;			/* answered DCP or runs cyclic RT */
	bool ar;			/* in ids->ars: it watches an AR */
	bool multi;			/* RT with several peers: a controller,
					 * its devices watch their ARs */
	uint64_t seen_ns;		/* last frame from or to it */
	uint64_t peer_ns;
	uint64_t rt_ns;			/* its AR's last cyclic RT frame */
	/* cold */
	uint32_t ip, prev_ip;		/* claimed addresses, host order */
	uint64_t ip_ns;			/* when ip was last claimed */
	uint64_t name_hash;		/* DCP NameOfStation, 0 none */
	uint64_t name_ns;
	char name[48];
	uint64_t attack_ns;		/* last DCP Set from a stranger or
					 * address takeover aimed at it */
	struct rate ident, hello, arp_reply, reset;
	struct rate dcp_bl, arp_bl;	/* against the baseline */
	/* the last DCP Set sent to this station, for its answer */
	uint32_t set_xid;
	uint32_t set_ip;
	uint64_t set_alert;
	uint64_t set_prev_attack;	/* attack_ns before it: a refused Set
					 * attacked nothing */
} __attribute__((aligned(64)));

/*
 * The pair cache: a unicast pair's two stations by their MACs, so a
 * cyclic frame costs one probe, not two.  An entry holds while
 * ids->st_gen is the one it was filled at: every eviction bumps it, so
 * an entry never leads to a slot another MAC took.
 */
#define IDS_PAIRS	512	/* power of two */

struct pair {
	uint64_t src, dst;		/* ids_mac_key */
	uint64_t gen;			/* ids->st_gen; 0 never filled */
	uint16_t a, b;			/* slots in ids->st */
	/* the baseline passed this pair's cyclic frames of frame_id and
	 * ethertype on line (ids_baseline.c check_pair): while its gen is
	 * bl_gen - 1, they need no look-up */
	uint16_t frame_id, ethertype;
	uint32_t bl_gen;		/* 0: none passed */
	uint8_t line;
};

/* an address (IP or name hash) → the station that claimed it */
struct addr {
	uint64_t key;			/* 0 free */
	uint16_t station;
};

struct master {
	uint8_t mac[6];			/* U/L bit cleared */
	uint64_t key;			/* ids_mac_key(mac) */
	bool used;
	bool seen_out;			/* frames as sent, not only returned */
	bool rogue;			/* appeared while another ran cyclic */
	uint64_t op_since;		/* first logical datagram of this run */
	uint64_t last_logical;
	uint64_t last_ns;
	uint64_t sent[4];		/* datagram indexes awaiting return */
};

struct ids {
	/* hot: what every frame reads, one cache line */
	const struct decoded *d;	/* the frame being inspected */
	uint64_t ts, frame_no;
	struct ids_policy *pending;	/* from ids_set_policy, not yet taken */
	struct station *st;		/* IDS_STATIONS, cache line aligned */
	uint64_t st_gen;		/* bumped by every eviction */
	uint64_t scan_ns;
	struct baseline *bl;		/* never NULL */
	struct pair *pair;		/* the frame's pair, when cached */
	/* cold */
	struct ids_counters ctr;
	struct alerts *al;
	struct model *m;
	const struct oui *oui;
	struct ids_policy p;
	struct rate new_macs;
	void *st_mem;			/* what was allocated for st */
	struct pair pairs[IDS_PAIRS];
	size_t nst;			/* used slots, dead ones too */
	unsigned int evict_hand;
	struct addr addr[IDS_ADDRS];
	struct master ms[IDS_MASTERS];
	struct master *last_master;	/* the last frame's */
	uint16_t ars[IDS_MAX_ARS];	/* stations with a running AR */
	size_t nars;
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
};

/* ids.c */
struct station *ids_station(struct ids *ids, const uint8_t mac[6], bool add);
struct station *ids_addr_get(struct ids *ids, uint64_t key);
void ids_addr_set(struct ids *ids, uint64_t key, const struct station *s);
bool ids_engineering_listed(struct ids *ids, const uint8_t mac[6]);

/* an engineering station (the policy's engineering = MAC or IPv4) */
static inline bool ids_engineering(struct ids *ids, const uint8_t mac[6])
{
	return (ids->p.nengineering || ids->p.nengineering_ip) &&
	       ids_engineering_listed(ids, mac);
}
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
/* a MAC as a number, 00:11:.. → 0x0011..: alert keys and hashing */
static inline uint64_t ids_mac_key(const uint8_t m[6])
{
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	/* two loads into registers: six bytes copied into a stack word
	 * and read back as one stall the store forwarding */
	uint32_t lo;
	uint16_t hi;

	memcpy(&lo, m, 4);
	memcpy(&hi, m + 4, 2);
	return __builtin_bswap64((uint64_t)hi << 32 | lo) >> 16;
#else
	return (uint64_t)m[0] << 40 | (uint64_t)m[1] << 32 |
	       (uint64_t)m[2] << 24 | (uint64_t)m[3] << 16 |
	       (uint64_t)m[4] << 8 | m[5];
#endif
}

#define ADDR_IP(ip)	((1ULL << 62) | (ip))
#define ADDR_NAME(h)	((2ULL << 62) | ((h) >> 2))

/* ids_pn.c, ids_arp.c, ids_ecat.c */
void ids_watch_ar(struct ids *ids, struct station *a, struct station *b);
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

static inline unsigned int ids_mix(uint64_t k, unsigned int mask)
{
	k ^= k >> 33;
	k *= 0xFF51AFD7ED558CCDULL;
	k ^= k >> 33;
	return (unsigned int)k & mask;
}

struct station *ids_pair_miss(struct ids *ids, struct pair *p,
			      const uint8_t src[6], const uint8_t dst[6],
			      struct station **b);

/*
 * The stations of a unicast pair (ks, kd: their ids_mac_key), src's
 * returned and dst's in *b (either NULL: not tracked, table full), as
 * ids_station(src, true) then ids_station(dst, true) would; from the
 * pair cache without a probe, and the entry left in ids->pair.
 */
static inline struct station *ids_pair(struct ids *ids, const uint8_t src[6],
				       const uint8_t dst[6], uint64_t ks,
				       uint64_t kd, struct station **b)
{
	struct pair *p = &ids->pairs[ids_mix(ks * 31 ^ kd, IDS_PAIRS - 1)];
	struct station *a;

	if (__builtin_expect(p->gen != ids->st_gen || p->src != ks ||
			     p->dst != kd, 0))
		return ids_pair_miss(ids, p, src, dst, b);
	a = &ids->st[p->a];
	*b = &ids->st[p->b];
	a->seen_ns = (*b)->seen_ns = ids->ts;
	ids->pair = p;
	return a;
}

/*
 * Cyclic RT and CM between two unicast stations: they share an AR.  This
 * runs on every cyclic frame, so it is inline in ids_frame, finds both
 * stations through the pair cache and only tests what rarely changes (a
 * station with several peers stays so; an AR watched stays watched).
 */
static inline void ids_pn(struct ids *ids)
{
	const struct decoded *d = ids->d;
	struct station *a, *b, *bb;
	uint64_t ts = ids->ts, ks, kd;

	if ((d->dst[0] | d->src[0]) & 1)
		return;			/* multicast */
	if (d->proto == DECODE_PN_RT && d->pn.class != PN_CLASS_RT1 &&
	    d->pn.class != PN_CLASS_RT2 && d->pn.class != PN_CLASS_RT3 &&
	    d->pn.class != PN_CLASS_UDP)
		return;
	ks = ids_mac_key(d->src);
	kd = ids_mac_key(d->dst);
	a = ids_pair(ids, d->src, d->dst, ks, kd, &bb);
	b = bb;
	if (!a || !b)
		return;
	if (!a->multi && a->peer_ns && ids_mac_key(a->peer) != kd)
		a->multi = true;
	if (!b->multi && b->peer_ns && ids_mac_key(b->peer) != ks)
		b->multi = true;
	memcpy(a->peer, d->dst, 6);
	memcpy(b->peer, d->src, 6);
	a->peer_ns = b->peer_ns = ts;
	a->pn = b->pn = true;
	if (d->proto == DECODE_PN_RT) {
		a->rt_ns = b->rt_ns = ts;
		/* one that watches its own AR: ids_watch_ar would find so */
		if (!(a->ar && !a->multi) && !(b->ar && !b->multi))
			ids_watch_ar(ids, a, b);
	}
}

#endif
