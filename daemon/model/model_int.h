/* Model internals shared by model*.c and sigmap.c; not for other users. */
#ifndef IIOTD_MODEL_INT_H
#define IIOTD_MODEL_INT_H

#include <string.h>

#include "core/mac48.h"
#include "decode/decode.h"
#include "iiot/ring_abi.h"
#include "model/model.h"
#include "model/sigfeed.h"

/* hash keys: the top byte says which table the rest indexes */
#define MKEY_MAC	(1ULL << 56)	/* | mac48 */
#define MKEY_POS	(2ULL << 56)	/* | master << 16 | position */
#define MKEY_STATION	(3ULL << 56)	/* | master << 16 | station addr */
#define MKEY_PNLINK	(4ULL << 56)	/* | dev << 16 | frame id */
#define MKEY_ECLINK	(5ULL << 56)	/* | master << 32 | lad */
#define MKEY_RETMAC	(6ULL << 56)	/* | mac48: a master's returning frames */
#define MKEY_LINK	(1ULL << 63)	/* set in every link's key */
#define MODEL_MAX_MASTERS 64

/*
 * EtherCAT direction and pairing.  A master's frame is seen twice on a
 * mirror port: going out and coming back.  Loss takes either copy, so an
 * outgoing frame is kept by the index of its first datagram (the only
 * index every master makes unique per frame) and a returning frame is
 * paired with it only when everything agrees and it came back in time.
 */
#define MECAT_PAIR_NS	5000000ULL	/* a ring returns a frame within */
#define MECAT_DG	16		/* datagrams kept per outgoing frame */
#define MECAT_SURE	2		/* votes that make a ring fact known */
#define MECAT_MAX_POS	4096		/* positions beyond: not a slave */
#define MECAT_CAND	8		/* unknown LA MACs under watch */

struct mecat_out {
	uint64_t ts;
	uint16_t ado0;
	uint8_t n;			/* datagrams in the frame */
	uint8_t pending;		/* not yet paired with its return */
	uint8_t cmd[MECAT_DG];
	uint16_t adp[MECAT_DG];
};

/* What a master's traffic has shown about its ring. */
struct mmaster {
	struct mecat_out out[256];	/* by the first datagram's index */
	uint64_t seen_ts[256];		/* last frame, either copy, by index */
	uint16_t shift;			/* ADP added on the way round */
	int16_t shift_votes;
	uint16_t ring_len;		/* slaves in the ring, when known: */
	int16_t len_votes;		/* >= MECAT_SURE */
	uint16_t bcast_max;		/* most slaves a broadcast reached */
	uint8_t bcast_n;		/* broadcasts seen back (capped) */
	uint8_t la_mac;			/* its own MAC has the 0x02 bit */
	uint8_t off_ok;			/* ring order gives off (cached) */
	int32_t off;			/* station address - position */
	uint32_t off_gen;		/* slave_gen + 1 when off was found */
	uint32_t n_pos_only;		/* slaves known by position only */
	uint32_t n_st_only;		/* slaves known by station only */
};

/* An unknown MAC with the 0x02 bit: a master of its own, if the same MAC
 * sends a frame and then its answered copy. */
struct mecat_cand {
	uint64_t mac;			/* mac48 | 1 << 48; 0 free */
	uint64_t ts;
	uint8_t idx;
	uint8_t n;
	uint8_t cmd0;
	uint8_t armed;			/* ts/idx: a frame awaiting its copy */
	uint8_t pairs;			/* copies seen back */
};

/*
 * The key table holds a device's MAC, position and station keys and a
 * link's: at most MHASH_SLOTS / 2 keys.  It starts at MHASH_MIN slots and
 * doubles at a quarter full, so a line of a few dozen devices keeps its keys in
 * a few cache lines and one page; a full-size table spread them over a
 * megabyte, a page and a cache line each, and every frame's lookups
 * missed in the TLB and the cache on a busy machine.
 */
#define MHASH_SLOTS	(4 * (MODEL_MAX_DEVICES + MODEL_MAX_LINKS))
#define MHASH_MIN	64

struct mhash_slot {
	uint64_t key;		/* 0: empty */
	uint32_t val;
};

/* per-device state the read API does not show; what frames touch first */
struct mdev_priv {
	uint64_t last_rx_ns;		/* host clock at the last frame */
	uint32_t sig_head;		/* first signal on this device (idx+1) */
	uint8_t linked;			/* a link's sender or receiver: kept
					 * (mdev_evict) */
	uint8_t mslot;			/* master: its m->mst slot + 1 */
	uint8_t sii_pending;		/* an address awaits its data read */
	uint8_t sii_busy;		/* the last status read said busy */
	uint32_t n_ecat_sigs;
	uint16_t sii_word;		/* ECAT: pending SII word address */
	uint8_t sii_idx;		/* frame (first index) of the address */
	uint64_t lrw_ok_rx, lrw_ok_ts;	/* master: last full-wkc cycle */
	uint32_t *ecat_sigs;		/* master: signal idx sorted by lad */
	uint64_t rt_dst;		/* PN: MAC of its first cyclic peer | 1<<63 */
	uint64_t sii_ts;
	uint32_t merged_into;		/* slave found to be another: its id */
	uint16_t sm_len[8];		/* ECAT: sync managers as written */
	uint8_t sm_ctl[8];		/* control byte | 0x80 enabled */
};

/* model_ext.c: append the external signals after the mapping's */
int msig_add_ext(struct model *m);

/* model_ecat_pd.c: sync manager and FMMU writes the slave confirmed */
void mecat_pd_config(struct model *m, struct model_device *s,
		     const struct decode_ecat_dgram *g);

struct mlink_priv {
	uint32_t *win;			/* intervals in ns (capped) */
	uint32_t win_n, win_pos;
	uint64_t last_out_ns;
	uint64_t stats_at;		/* frames when stats were computed */
	uint16_t cc_step;		/* PN: usual cycle-counter delta */
	int16_t cc_votes;
	int16_t wkc_votes;
	uint8_t pending;		/* ECAT: sent, not yet returned */
	uint8_t have_cc;
};

struct msig_priv {
	uint32_t next;			/* next signal on the same device, idx+1 */
	uint64_t last_sample_ns;
	uint8_t ecat;			/* selector "ecat[:MAC]" */
	uint8_t any_master;
	uint8_t mac[6];
	uint8_t has_mac;
	uint16_t frame_id;		/* PN: 0 any */
	uint16_t name_len;		/* PN: station name in device+3 */
};

/*
 * The signal table (sigmap.c): one reference-counted block that the model
 * works in and every snapshot of the same mapping shares (model_snap.c),
 * freed with its last holder.  The definition fields never change while
 * the block lives; the live ones (dev_id, samples, last_ns, last) are
 * written by the model's thread alone, and a snapshot reads its own copy
 * of them, never the block's.
 */
struct model_sigdefs {
	unsigned int refs;		/* __atomic: readers drop snapshots */
	size_t n;
	struct model_signal sig[];
};

struct model_sigstate {
	uint32_t dev_id;
	uint64_t samples;
	uint64_t last_ns;
	double last;
};

void model_sigdefs_drop(struct model_sigdefs *d);
struct model_aliases;
void model_aliases_drop(struct model_aliases *t);
/* s (a snapshot) takes m's alias table */
void model_aliases_share(struct model *s, const struct model *m);
struct model_sigdefs *msig_block(size_t n);
void msig_install(struct model *m, struct model_sigdefs *d);

/* model_pn.c: a cyclic flow's sender and link (ids), by its key */
#define MPN_FLOWS	256	/* power of two */
struct mpn_flow {
	uint64_t key;			/* mac48 << 16 | frame id */
	uint32_t dev, link;		/* 0: free */
};

struct model {
	struct model_opts opts;
	struct model_sink sink;
	struct sigfeed *feed;		/* the owner's only, never copied */
	struct model_counters ctr;
	struct model_device *devs;
	struct mdev_priv *dpriv;
	size_t ndevs, capdevs;
	struct model_link *links;
	struct mlink_priv *lpriv;
	size_t nlinks, caplinks;
	struct model_signal *sigs;	/* live: defs->sig */
	struct msig_priv *spriv;
	size_t nsigs;
	size_t nfile;			/* of them from the mapping file; the
					 * external ones follow (model_ext.c) */
	struct model_signal *ext;	/* external signal definitions */
	size_t next;
	uint64_t sig_gen;		/* bumped when the table is replaced */
	struct model_sigdefs *defs;	/* the signal table; snapshots hold
					 * a reference */
	struct model_sigstate *sst;	/* snapshots only: per signal */
	size_t capsigs;			/* snapshots: sst allocated */
	uint64_t sample_interval_ns;	/* per signal, 0: every frame */
	uint32_t masters[MODEL_MAX_MASTERS];	/* EtherCAT master ids */
	size_t nmasters;
	struct mmaster *mst;		/* [MODEL_MAX_MASTERS], by mslot - 1 */
	struct mecat_cand cand[MECAT_CAND];
	unsigned int cand_next;
	uint32_t slave_gen;		/* bumped when any slave changes */
	uint32_t *vis;			/* device indexes the read API shows */
	size_t nvis;
	uint32_t *ecat_any_sigs;	/* "ecat" signals sorted by lad */
	uint32_t n_ecat_any;
	struct mhash_slot *hash;
	struct mpn_flow flows[MPN_FLOWS];
	size_t hmask;			/* slots - 1 */
	size_t nhash;			/* keys held */
	size_t evict_hand;		/* mdev_evict's clock hand */
	uint64_t rx_now;		/* host clock of the current batch */
	uint64_t last_ts;		/* newest frame timestamp */
	struct model_aliases *aliases;	/* model_alias.c; snapshots share */
	struct model_nbr *nbrs;		/* LLDP neighbour table */
	size_t nnbrs, capnbrs;
	struct decoded scratch;		/* model_frame_raw */
};

void model_lldp_frame(struct model *m, const struct decoded *d,
		      uint64_t ts_ns);
int model_nbr_copy(struct model *s, const struct model *m);

/*
 * The per-frame helpers below are inline: every frame makes several of
 * these lookups, and as out-of-line functions of a -fPIC build each would
 * cost a call the compiler may not inline.  What happens rarely (a new
 * device or link, a device back online) stays out of line.
 */

static inline uint64_t mhash_mix(uint64_t k)
{
	k ^= k >> 33;
	k *= 0xff51afd7ed558ccdULL;
	k ^= k >> 33;
	return k;
}

static inline uint32_t mhash_get(const struct model *m, uint64_t key)
{
	size_t mask = m->hmask, i = mhash_mix(key) & mask;

	while (m->hash[i].key) {
		if (m->hash[i].key == key)
			return m->hash[i].val;
		i = (i + 1) & mask;
	}
	return 0;
}

/*
 * Signal i's new sample; a new value is marked in the feed (a sample that
 * repeats the value costs one comparison).
 */
static inline void msig_sample(struct model *m, size_t i, double v,
			       uint64_t ts)
{
	struct model_signal *s = &m->sigs[i];
	bool changed = !s->samples || memcmp(&s->last, &v, sizeof(v)) != 0;

	s->last = v;
	s->last_ns = ts;
	s->samples++;
	m->ctr.samples++;
	if (changed && m->feed)
		sigfeed_mark(m->feed, i, m->sig_gen, s->samples, ts, v);
}

void mhash_put(struct model *m, uint64_t key, uint32_t val);
void mhash_del(struct model *m, uint64_t key);


/* Ids are index + 1 (mdev_new, mlink_new), cheaper than pointer math. */
static inline struct mdev_priv *mdev_priv(struct model *m,
					  const struct model_device *d)
{
	return &m->dpriv[d->id - 1];
}
static inline struct mlink_priv *mlink_priv(struct model *m,
					    const struct model_link *l)
{
	return &m->lpriv[l->id - 1];
}

struct model_device *mdev_new(struct model *m, unsigned int kind,
			      uint64_t ts);
/* First sight of a station: adds it and reports it (out of line). */
struct model_device *mdev_discover(struct model *m, const uint8_t mac[6],
				   uint64_t key, unsigned int kind,
				   uint64_t ts) __attribute__((cold));

/* Find or create; NULL when the table is full (counted). */
static inline struct model_device *mdev_by_mac(struct model *m,
					       const uint8_t mac[6],
					       unsigned int kind, uint64_t ts,
					       bool create)
{
	uint64_t key = MKEY_MAC | mac48(mac);
	uint32_t v = mhash_get(m, key);

	if (v)
		return &m->devs[v - 1];
	return create ? mdev_discover(m, mac, key, kind, ts) : NULL;
}

/* d is the same device as into: d leaves the read API (out of line). */
void mdev_hide(struct model *m, struct model_device *d, uint32_t into)
	__attribute__((cold));

void mdev_event(struct model *m, const struct model_device *d,
		unsigned int ev, uint64_t ts, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
void mdev_back_online(struct model *m, struct model_device *d, uint64_t ts)
	__attribute__((cold));

static inline uint64_t rx_clock(const struct model *m, uint64_t ts)
{
	return m->rx_now ? m->rx_now : ts;
}

static inline void mdev_seen(struct model *m, struct model_device *d,
			     uint64_t ts)
{
	d->frames++;
	if (ts > d->last_seen_ns)
		d->last_seen_ns = ts;
	mdev_priv(m, d)->last_rx_ns = rx_clock(m, ts);
	if (!d->online)
		mdev_back_online(m, d, ts);
}

/* A new link for key (already tagged); NULL when the table is full. */
struct model_link *mlink_new(struct model *m, uint64_t key,
			     unsigned int kind, uint64_t ts)
	__attribute__((cold));

/* Find or create; NULL when the table is full (counted). */
static inline struct model_link *mlink_get(struct model *m, uint64_t key,
					   unsigned int kind, uint64_t ts)
{
	uint32_t v = mhash_get(m, key | MKEY_LINK);

	if (v)
		return &m->links[v - 1];
	return mlink_new(m, key | MKEY_LINK, kind, ts);
}

/* A link's jitter window, allocated on its first interval. */
uint32_t *mlink_window(struct mlink_priv *p) __attribute__((cold));

/* One more cyclic frame on l at ts: record the interval for jitter. */
static inline void mlink_interval(struct model *m, struct model_link *l,
				  uint64_t ts, uint16_t flags)
{
	struct mlink_priv *p = mlink_priv(m, l);
	uint32_t *win = p->win;
	uint64_t iv;

	if (!(flags & IIOT_RECF_TS_HW))
		l->clock_hw = false;
	if (p->last_out_ns && ts > p->last_out_ns &&
	    (win || (win = mlink_window(p)))) {
		iv = ts - p->last_out_ns;
		win[p->win_pos] = iv > UINT32_MAX ? UINT32_MAX : (uint32_t)iv;
		p->win_pos = (p->win_pos + 1) % MODEL_JITTER_WINDOW;
		if (p->win_n < MODEL_JITTER_WINDOW)
			p->win_n++;
	}
	p->last_out_ns = ts;
}

void model_ecat_frame(struct model *m, const struct decoded *d, uint64_t ts,
		      uint16_t flags);
void model_pn_frame(struct model *m, const struct decoded *d, uint64_t ts,
		    uint16_t flags);
/*
 * Signals: sample from a device's PN payload or a master's datagram.  Most
 * devices carry no signal, so the test for one is inline.
 */
void msig_pn_emit(struct model *m, uint32_t head, uint16_t frame_id,
		  const uint8_t *p, uint32_t len, uint64_t ts);
void msig_ecat_emit(struct model *m, struct model_device *master,
		    uint32_t lad, const uint8_t *p, uint32_t len, uint64_t ts);

static inline void msig_pn(struct model *m, struct model_device *dev,
			   uint16_t frame_id, const uint8_t *p, uint32_t len,
			   uint64_t ts)
{
	uint32_t head = mdev_priv(m, dev)->sig_head;

	if (head)
		msig_pn_emit(m, head, frame_id, p, len, ts);
}

static inline void msig_ecat(struct model *m, struct model_device *master,
			     uint32_t lad, const uint8_t *p, uint32_t len,
			     uint64_t ts)
{
	if (p && (mdev_priv(m, master)->n_ecat_sigs || m->n_ecat_any))
		msig_ecat_emit(m, master, lad, p, len, ts);
}
/* (re)bind signals naming this device */
void msig_bind(struct model *m, struct model_device *dev);
void msig_free(struct model *m);

#endif
