/* Model internals shared by model*.c and sigmap.c; not for other users. */
#ifndef IIOTD_MODEL_INT_H
#define IIOTD_MODEL_INT_H

#include "decode/decode.h"
#include "model/model.h"

/* hash keys: the top byte says which table the rest indexes */
#define MKEY_MAC	(1ULL << 56)	/* | mac48 */
#define MKEY_POS	(2ULL << 56)	/* | master << 16 | position */
#define MKEY_STATION	(3ULL << 56)	/* | master << 16 | station addr */
#define MKEY_PNLINK	(4ULL << 56)	/* | dev << 16 | frame id */
#define MKEY_ECLINK	(5ULL << 56)	/* | master << 32 | lad */
#define MKEY_RETMAC	(6ULL << 56)	/* | mac48: a master's returning frames */
#define MODEL_MAX_MASTERS 64

#define MHASH_SLOTS	(4 * (MODEL_MAX_DEVICES + MODEL_MAX_LINKS))

struct mhash_slot {
	uint64_t key;		/* 0: empty */
	uint32_t val;
};

/* per-device state the read API does not show */
struct mdev_priv {
	uint64_t last_rx_ns;		/* host clock at the last frame */
	uint16_t sii_word;		/* ECAT: pending SII word address */
	uint8_t sii_pending;
	uint8_t returned_bit;		/* master: its own MAC has 0x02 set */
	uint16_t out_adp[256];		/* master: adp by datagram index */
	uint8_t out_cmd[256];
	uint8_t out_valid[32];		/* bitmap of out_adp entries */
	uint32_t sig_head;		/* first signal on this device (idx+1) */
	uint64_t lrw_ok_rx, lrw_ok_ts;	/* master: last full-wkc cycle */
	uint32_t *ecat_sigs;		/* master: signal idx sorted by lad */
	uint32_t n_ecat_sigs;
};

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

struct model {
	struct model_opts opts;
	struct model_sink sink;
	struct model_counters ctr;
	struct model_device *devs;
	struct mdev_priv *dpriv;
	size_t ndevs, capdevs;
	struct model_link *links;
	struct mlink_priv *lpriv;
	size_t nlinks, caplinks;
	struct model_signal *sigs;
	struct msig_priv *spriv;
	size_t nsigs;
	uint64_t sample_interval_ns;	/* per signal, 0: every frame */
	uint32_t masters[MODEL_MAX_MASTERS];	/* EtherCAT master ids */
	size_t nmasters;
	uint32_t *ecat_any_sigs;	/* "ecat" signals sorted by lad */
	uint32_t n_ecat_any;
	struct mhash_slot *hash;
	uint64_t rx_now;		/* host clock of the current batch */
	uint64_t last_ts;		/* newest frame timestamp */
	struct decoded scratch;		/* model_frame_raw */
};

uint32_t mhash_get(const struct model *m, uint64_t key);
void mhash_put(struct model *m, uint64_t key, uint32_t val);

/* Find or create; NULL when the table is full (counted). */
struct model_device *mdev_by_mac(struct model *m, const uint8_t mac[6],
				 unsigned int kind, uint64_t ts, bool create);
struct model_device *mdev_new(struct model *m, unsigned int kind,
			      uint64_t ts);
void mdev_seen(struct model *m, struct model_device *d, uint64_t ts);
void mdev_event(struct model *m, const struct model_device *d,
		unsigned int ev, uint64_t ts, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
struct model_link *mlink_get(struct model *m, uint64_t key,
			     unsigned int kind, uint64_t ts);
void mlink_interval(struct model *m, struct model_link *l, uint64_t ts,
		    uint16_t flags);
static inline struct mdev_priv *mdev_priv(struct model *m,
					  const struct model_device *d)
{
	return &m->dpriv[d - m->devs];
}
static inline struct mlink_priv *mlink_priv(struct model *m,
					    const struct model_link *l)
{
	return &m->lpriv[l - m->links];
}

void model_ecat_frame(struct model *m, const struct decoded *d, uint64_t ts,
		      uint16_t flags);
void model_pn_frame(struct model *m, const struct decoded *d, uint64_t ts,
		    uint16_t flags);
/* signals: sample from a device's PN payload or a master's datagram */
void msig_pn(struct model *m, struct model_device *dev, uint16_t frame_id,
	     const uint8_t *p, uint32_t len, uint64_t ts);
void msig_ecat(struct model *m, struct model_device *master, uint32_t lad,
	       const uint8_t *p, uint32_t len, uint64_t ts);
/* (re)bind signals naming this device */
void msig_bind(struct model *m, struct model_device *dev);
void msig_free(struct model *m);

#endif
