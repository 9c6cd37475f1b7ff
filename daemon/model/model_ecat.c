/*
 * EtherCAT: masters by source MAC, slaves by ring position and configured
 * station address, identity from SII reads, AL state, the cyclic link.
 *
 * A mirror port sees each frame twice: as the master sent it and as it
 * came back through the ring.  The first ESC sets the locally administered
 * bit (0x02) of the source MAC on the way back, so that bit tells
 * direction; for a master whose own MAC has the bit, working counters do
 * (a master sends 0s).  Every ESC increments the ADP of auto-increment and
 * broadcast datagrams as the frame passes, so a returning ADP is the
 * outgoing one plus the ring's shift.
 *
 * Loss takes either copy of any frame and a capture starts anywhere, so
 * one frame proves little and nothing is inferred beyond the evidence:
 * - a returning frame belongs to the master whose MAC it carries (with
 *   the bit), or whose pending outgoing frame it matches; else it is
 *   counted (ecat_unmatched), never a device;
 * - a slave exists where an answered datagram (wkc > 0) proves one: at a
 *   station address, or at the position the paired outgoing copy or the
 *   ring's learnt shift gives; else it is counted (ecat_unplaced);
 * - a slave known by position and one known by station address are one
 *   when the station address register (0x0010) is read or written at that
 *   position, or when the ring's length (BRD working counter) leaves no
 *   other way and ring order pairs them (ecat_merged).
 */
#include <stdlib.h>
#include <string.h>

#include "model/model_int.h"

static bool cmd_is_auto(unsigned int c)
{
	return c == ECAT_APRD || c == ECAT_APWR || c == ECAT_APRW ||
	       c == ECAT_ARMW;
}

static bool cmd_is_fixed(unsigned int c)
{
	return c == ECAT_FPRD || c == ECAT_FPWR || c == ECAT_FPRW ||
	       c == ECAT_FRMW;
}

static bool cmd_is_bcast(unsigned int c)
{
	return c == ECAT_BRD || c == ECAT_BWR || c == ECAT_BRW;
}

static inline struct mmaster *mst(struct model *m,
				  const struct model_device *master)
{
	return &m->mst[mdev_priv(m, master)->mslot - 1];
}

/* A value holds until other evidence outweighs it. */
static void vote16(uint16_t *val, int16_t *votes, uint16_t v, int w)
{
	if (*val == v && *votes > 0) {
		if (*votes < 64)
			*votes = (int16_t)(*votes + w);
		return;
	}
	*votes = (int16_t)(*votes - w);
	if (*votes <= 0) {
		*val = v;
		*votes = (int16_t)w;
	}
}

static uint64_t pos_key(const struct model_device *master, uint16_t pos)
{
	return MKEY_POS | (uint64_t)master->id << 16 | pos;
}

static uint64_t station_key(const struct model_device *master, uint16_t addr)
{
	return MKEY_STATION | (uint64_t)master->id << 16 | addr;
}

static struct model_device *slave_get(struct model *m, uint64_t key)
{
	uint32_t v = mhash_get(m, key);

	return v ? &m->devs[v - 1] : NULL;
}

/* Which of its addresses a slave is known by: 1 position, 2 station. */
static unsigned int known_by(const struct model_device *s)
{
	return (s->ring_pos != 0xffff) | (s->has & MODEL_HAS_STATION ? 2 : 0);
}

/* Keep the master's count of slaves known one way only. */
static void count_known(struct mmaster *ms, unsigned int was, unsigned int is)
{
	if (was == 1)
		ms->n_pos_only--;
	else if (was == 2)
		ms->n_st_only--;
	if (is == 1)
		ms->n_pos_only++;
	else if (is == 2)
		ms->n_st_only++;
}

static void set_station(struct model *m, struct model_device *master,
			struct model_device *s, uint16_t addr)
{
	unsigned int was = known_by(s);

	if ((s->has & MODEL_HAS_STATION) && s->station_addr == addr)
		return;
	s->station_addr = addr;
	s->has |= MODEL_HAS_STATION;
	mhash_put(m, station_key(master, addr), s->id);
	count_known(mst(m, master), was, known_by(s));
	m->slave_gen++;
}

static void set_pos(struct model *m, struct model_device *master,
		    struct model_device *s, uint16_t pos)
{
	unsigned int was = known_by(s);

	s->ring_pos = pos;
	mhash_put(m, pos_key(master, pos), s->id);
	count_known(mst(m, master), was, known_by(s));
	m->slave_gen++;
}

static void ring_order(struct model *m, struct model_device *master,
		       uint64_t ts) __attribute__((cold));
static bool ring_offset(struct model *m, const struct model_device *master,
			struct mmaster *ms, int32_t *off)
	__attribute__((cold));

/* The broadcast count says every slave of the ring is known. */
static bool ring_full(const struct mmaster *ms,
		      const struct model_device *master)
{
	return ms->len_votes >= MECAT_SURE && ms->ring_len &&
	       master->nslaves >= ms->ring_len;
}

static struct model_device *slave_new(struct model *m,
				      struct model_device *master,
				      uint64_t ts)
{
	struct model_device *s = mdev_new(m, MODEL_DEV_ECAT_SLAVE, ts);

	if (!s)
		return NULL;
	s->parent = master->id;
	master->nslaves++;
	m->slave_gen++;
	return s;
}

/* A slave the evidence puts at pos (out of line: first sight). */
static struct model_device *slave_at_pos(struct model *m,
					 struct model_device *master,
					 uint16_t pos, uint64_t ts)
	__attribute__((cold));
static struct model_device *slave_at_pos(struct model *m,
					 struct model_device *master,
					 uint16_t pos, uint64_t ts)
{
	struct mmaster *ms = mst(m, master);
	struct model_device *s;
	char label[80];
	int32_t off;

	/* ring order: the slave known by the address of this position */
	if (ms->n_st_only && ring_offset(m, master, ms, &off)) {
		s = slave_get(m, station_key(master, (uint16_t)(pos + off)));
		if (s && s->ring_pos == 0xffff &&
		    s->station_addr == (uint16_t)(pos + off)) {
			set_pos(m, master, s, pos);
			return s;
		}
	}
	/* every slave of the ring is known: this position is one of them,
	 * only which is not proven */
	if (ring_full(ms, master)) {
		m->ctr.ecat_unplaced++;
		return NULL;
	}
	s = slave_new(m, master, ts);
	if (!s)
		return NULL;
	set_pos(m, master, s, pos);
	model_device_label(m, s, label, sizeof(label));
	mdev_event(m, s, MODEL_EV_DISCOVERED, ts, "ecat-slave %s", label);
	ring_order(m, master, ts);
	return (struct model_device *)model_device_get(m, s->id);
}

static struct model_device *slave_at_station(struct model *m,
					     struct model_device *master,
					     uint16_t addr, uint64_t ts)
	__attribute__((cold));
static struct model_device *slave_at_station(struct model *m,
					     struct model_device *master,
					     uint16_t addr, uint64_t ts)
{
	struct mmaster *ms = mst(m, master);
	struct model_device *s;
	int32_t off;

	/* ring order: the slave known by the position of this address */
	if (ms->n_pos_only && ring_offset(m, master, ms, &off)) {
		uint16_t pos = (uint16_t)(addr - off);

		s = slave_get(m, pos_key(master, pos));
		if (s && !(s->has & MODEL_HAS_STATION) && s->ring_pos == pos) {
			set_station(m, master, s, addr);
			return s;
		}
	}
	/*
	 * Even in a full ring a new address is kept: the slaves known by
	 * position only are anonymous, and once every address is in, ring
	 * order pairs them (ring_order).
	 */
	s = slave_new(m, master, ts);
	if (!s)
		return NULL;
	set_station(m, master, s, addr);
	mdev_event(m, s, MODEL_EV_DISCOVERED, ts,
		   "ecat-slave station 0x%04x", addr);
	ring_order(m, master, ts);
	return (struct model_device *)model_device_get(m, s->id);
}

/*
 * a and b are one slave: the older keeps its id and takes what only the
 * other knew; the younger leaves the list.  Returns the one kept.
 */
static struct model_device *merge(struct model *m,
				  struct model_device *master,
				  struct model_device *a,
				  struct model_device *b, uint64_t ts)
{
	struct model_device *keep = a->id < b->id ? a : b;
	struct model_device *gone = keep == a ? b : a;
	static const uint32_t bits[] = { MODEL_HAS_VENDOR, MODEL_HAS_PRODUCT,
		MODEL_HAS_REVISION, MODEL_HAS_SERIAL, MODEL_HAS_AL,
		MODEL_HAS_ALIAS };
	char label[80];
	size_t i;

	model_device_label(m, gone, label, sizeof(label));
	if (keep->ring_pos == 0xffff && gone->ring_pos != 0xffff)
		set_pos(m, master, keep, gone->ring_pos);
	if (gone->has & MODEL_HAS_STATION) {
		if (!(keep->has & MODEL_HAS_STATION))
			set_station(m, master, keep, gone->station_addr);
		else
			mhash_put(m, station_key(master, gone->station_addr),
				  keep->id);
	}
	for (i = 0; i < sizeof(bits) / sizeof(bits[0]); i++) {
		if ((keep->has & bits[i]) || !(gone->has & bits[i]))
			continue;
		keep->has |= bits[i];
		switch (bits[i]) {
		case MODEL_HAS_VENDOR: keep->vendor_id = gone->vendor_id; break;
		case MODEL_HAS_PRODUCT:
			keep->product_code = gone->product_code; break;
		case MODEL_HAS_REVISION: keep->revision = gone->revision; break;
		case MODEL_HAS_SERIAL: keep->serial = gone->serial; break;
		case MODEL_HAS_AL:
			keep->al_state = gone->al_state;
			keep->al_status_code = gone->al_status_code;
			break;
		case MODEL_HAS_ALIAS: keep->alias = gone->alias; break;
		}
	}
	keep->frames += gone->frames;
	keep->errors += gone->errors;
	if (gone->first_seen_ns < keep->first_seen_ns)
		keep->first_seen_ns = gone->first_seen_ns;
	if (gone->last_seen_ns > keep->last_seen_ns)
		keep->last_seen_ns = gone->last_seen_ns;
	if (mdev_priv(m, gone)->last_rx_ns > mdev_priv(m, keep)->last_rx_ns)
		mdev_priv(m, keep)->last_rx_ns = mdev_priv(m, gone)->last_rx_ns;
	master->nslaves--;
	count_known(mst(m, master), known_by(gone), 0);
	m->slave_gen++;
	m->ctr.ecat_merged++;
	mdev_hide(m, gone, keep->id);
	mdev_event(m, keep, MODEL_EV_IDENTITY, ts, "same slave as %s", label);
	return keep;
}

/*
 * The station address register of the slave at s's position holds addr:
 * a slave known only by that address is s.
 */
static struct model_device *link_station(struct model *m,
					 struct model_device *master,
					 struct model_device *s, uint16_t addr,
					 uint64_t ts)
{
	struct model_device *o;

	if ((s->has & MODEL_HAS_STATION) && s->station_addr == addr)
		return s;
	o = slave_get(m, station_key(master, addr));
	if (o && o != s && o->station_addr == addr &&
	    (o->ring_pos == 0xffff || o->ring_pos == s->ring_pos) &&
	    !(s->has & MODEL_HAS_STATION))
		s = merge(m, master, s, o, ts);
	set_station(m, master, s, addr);
	return s;
}

#define RING_ORDER_MAX 512

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * More slaves than the ring holds: some known by position only and some
 * by station address only are the same.  Station addresses follow ring
 * order (every master assigns them so); pair them by the offset the
 * linked slaves show, or, when every position is accounted for, by rank.
 */
struct ring_view {
	uint64_t up[RING_ORDER_MAX];	/* position << 32 | id: no address */
	uint64_t us[RING_ORDER_MAX];	/* address << 32 | id: no position */
	size_t nup, nus, nlinked;
	int32_t off;			/* address - position, if one_off */
	bool one_off;
};

/*
 * The master's slaves known only by position, only by address, and the
 * offset the linked ones share.  With none linked, addresses that span
 * exactly the ring's length are its positions in order.
 */
static void ring_view(struct model *m, const struct model_device *master,
		      const struct mmaster *ms, struct ring_view *v)
{
	size_t i;

	v->nup = v->nus = v->nlinked = 0;
	v->off = 0;
	v->one_off = true;
	for (i = 0; i < m->nvis; i++) {
		const struct model_device *s = &m->devs[m->vis[i]];
		bool st = s->has & MODEL_HAS_STATION;

		if (s->kind != MODEL_DEV_ECAT_SLAVE || s->parent != master->id)
			continue;
		if (st && s->ring_pos != 0xffff) {
			int32_t o = (int32_t)s->station_addr - s->ring_pos;

			if (v->nlinked++ && o != v->off)
				v->one_off = false;
			v->off = o;
		} else if (st && v->nus < RING_ORDER_MAX) {
			v->us[v->nus++] = (uint64_t)s->station_addr << 32 |
					  s->id;
		} else if (!st && v->nup < RING_ORDER_MAX) {
			v->up[v->nup++] = (uint64_t)s->ring_pos << 32 | s->id;
		}
	}
	qsort(v->up, v->nup, sizeof(v->up[0]), cmp_u64);
	qsort(v->us, v->nus, sizeof(v->us[0]), cmp_u64);
	if (!v->nlinked && v->nus >= 2 && ms->ring_len &&
	    (v->us[v->nus - 1] >> 32) - (v->us[0] >> 32) ==
	    ms->ring_len - 1u) {
		v->nlinked = 1;
		v->off = (int32_t)(v->us[0] >> 32);
	}
}

/* The offset from position to address ring order proves, cached until
 * the master's slaves change. */
static bool ring_offset(struct model *m, const struct model_device *master,
			struct mmaster *ms, int32_t *off)
{
	struct ring_view v;

	if (ms->off_gen != m->slave_gen + 1) {
		ring_view(m, master, ms, &v);
		ms->off_gen = m->slave_gen + 1;
		ms->off_ok = v.nlinked && v.one_off;
		ms->off = v.off;
	}
	*off = ms->off;
	return ms->off_ok;
}

static void ring_order(struct model *m, struct model_device *master,
		       uint64_t ts)
{
	const struct mmaster *ms = mst(m, master);
	struct ring_view v;
	size_t i, j;

	if (ms->len_votes < MECAT_SURE || !ms->ring_len ||
	    master->nslaves <= ms->ring_len ||
	    ms->ring_len > RING_ORDER_MAX || !ms->n_pos_only ||
	    !ms->n_st_only)
		return;
	ring_view(m, master, ms, &v);
	if (!v.nup || !v.nus)
		return;
	if (v.nlinked && v.one_off) {
		for (i = 0, j = 0; i < v.nus && j < v.nup; ) {
			int64_t p = (int64_t)(v.us[i] >> 32) - v.off;

			if ((int64_t)(v.up[j] >> 32) < p) {
				j++;
			} else if ((int64_t)(v.up[j] >> 32) > p) {
				i++;
			} else {
				merge(m, master,
				      &m->devs[(uint32_t)v.up[j] - 1],
				      &m->devs[(uint32_t)v.us[i] - 1], ts);
				i++;
				j++;
			}
		}
		return;
	}
	if (v.nup == v.nus && v.nlinked + v.nup == ms->ring_len)
		for (i = 0; i < v.nup; i++)
			merge(m, master, &m->devs[(uint32_t)v.up[i] - 1],
			      &m->devs[(uint32_t)v.us[i] - 1], ts);
}
static void sii_word(struct model *m, struct model_device *s, uint16_t word,
		     uint32_t value, uint64_t ts)
{
	uint32_t *field;
	uint32_t bit;
	const char *what;

	switch (word) {
	case SII_WORD_VENDOR:
		field = &s->vendor_id; bit = MODEL_HAS_VENDOR; what = "vendor";
		break;
	case SII_WORD_PRODUCT:
		field = &s->product_code; bit = MODEL_HAS_PRODUCT;
		what = "product";
		break;
	case SII_WORD_REVISION:
		field = &s->revision; bit = MODEL_HAS_REVISION;
		what = "revision";
		break;
	case SII_WORD_SERIAL:
		field = &s->serial; bit = MODEL_HAS_SERIAL; what = "serial";
		break;
	default:
		return;
	}
	m->ctr.sii_identities++;
	if ((s->has & bit) && *field == value)
		return;
	*field = value;
	s->has |= bit;
	mdev_event(m, s, MODEL_EV_IDENTITY, ts, "%s 0x%08x", what, value);
}

static void wkc_vote(struct model *m, struct model_device *master,
		     struct model_link *l, uint16_t wkc, uint64_t ts)
{
	struct mlink_priv *lp = mlink_priv(m, l);
	struct mdev_priv *mp = mdev_priv(m, master);

	l->wkc_last = wkc;
	if (wkc == l->wkc_expected) {
		if (lp->wkc_votes < 1000)
			lp->wkc_votes++;
	} else if (--lp->wkc_votes <= 0) {
		l->wkc_expected = wkc;
		lp->wkc_votes = 1;
	}
	if (wkc != l->wkc_expected) {
		l->wkc_errors++;
		master->errors++;
		m->ctr.wkc_errors++;
	} else if (wkc) {
		mp->lrw_ok_rx = m->rx_now ? m->rx_now : ts;
		mp->lrw_ok_ts = ts;
	}
}

/*
 * A register of slave s in an answered datagram g.  Returns s, or the
 * slave s turned out to be.
 */
/* The SII word address of slave s is addr, from frame idx0 at ts. */
static void sii_addr(struct model *m, struct model_device *s, uint16_t addr,
		     uint8_t idx0, uint64_t ts)
{
	struct mdev_priv *sp = mdev_priv(m, s);

	/* the same write seen going out and coming back */
	if (sp->sii_pending && sp->sii_word == addr && sp->sii_idx == idx0)
		return;
	sp->sii_word = addr;
	sp->sii_pending = 1;
	sp->sii_idx = idx0;
	sp->sii_ts = ts;
}

/*
 * Masters number their frames in sequence.  The data read in frame idx0
 * is the answer to the pending address only if every frame in between
 * was seen: a lost one may have set another address, or read this one's
 * data and left the next word's to pass for it.
 */
#define SII_GAP_MAX 32

static bool sii_unbroken(const struct mmaster *ms,
			 const struct mdev_priv *sp, uint8_t idx0)
{
	unsigned int k, gap = (uint8_t)(idx0 - sp->sii_idx);

	if (gap > SII_GAP_MAX)
		return false;
	for (k = 1; k < gap; k++)
		if (ms->seen_ts[(uint8_t)(sp->sii_idx + k)] < sp->sii_ts)
			return false;
	return true;
}

static struct model_device *apply_reg(struct model *m,
				      struct model_device *master,
				      struct model_device *s,
				      const struct decode_ecat_reg *r,
				      const struct decoded *d, uint64_t ts)
{
	const struct decode_ecat_dgram *g = &d->ecat.dgram[r->dgram];
	struct mdev_priv *sp = mdev_priv(m, s);
	uint16_t v16 = (uint16_t)r->value;

	switch (r->kind) {
	case ECAT_REG_STATION_ADDR:
		/* by position: what links a position to an address */
		if (cmd_is_auto(g->cmd))
			s = link_station(m, master, s, v16, ts);
		else if (!r->write || (s->has & MODEL_HAS_STATION))
			break;
		else
			set_station(m, master, s, v16);
		break;
	case ECAT_REG_STATION_ALIAS:
		s->alias = v16;
		s->has |= MODEL_HAS_ALIAS;
		break;
	case ECAT_REG_AL_STATUS:
		if (r->write)
			break;
		if (!(s->has & MODEL_HAS_AL) || s->al_state != v16) {
			mdev_event(m, s, MODEL_EV_AL_STATE, ts, "%s -> %s%s",
				   (s->has & MODEL_HAS_AL) ?
				   model_al_state_name(s->al_state) : "-",
				   model_al_state_name(v16),
				   (v16 & 0x10) ? " (error)" : "");
			if (v16 & 0x10)
				s->errors++;
		}
		s->al_state = v16;
		s->has |= MODEL_HAS_AL;
		break;
	case ECAT_REG_AL_STATUS_CODE:
		if (!r->write)
			s->al_status_code = v16;
		break;
	case ECAT_REG_SII_CONTROL:
		/* busy (bit 15): the data beside it is the previous word's */
		sp->sii_busy = !r->write && (v16 & 0x8000) ?
			(uint8_t)(r->dgram + 1) : 0;
		break;
	case ECAT_REG_SII_ADDR:
		/* written: the next read's word; read: the data's word */
		sii_addr(m, s, v16, d->ecat.dgram[0].idx, ts);
		if (r->write)
			sp->sii_busy = 0;
		break;
	case ECAT_REG_SII_DATA:
		/*
		 * One read per address: when the write of the next address
		 * is lost, its data must not pass for the previous word's.
		 */
		if (r->write || !sp->sii_pending ||
		    sp->sii_busy == r->dgram + 1)
			break;
		sp->sii_pending = 0;
		if (!sii_unbroken(mst(m, master), sp, d->ecat.dgram[0].idx))
			break;
		sii_word(m, s, sp->sii_word, r->value, ts);
		/* ESCs with 8-byte SII reads: two words in one answer */
		if (g->data && r->reg >= g->ado &&
		    (uint32_t)(r->reg - g->ado) + 8 <= g->len) {
			const uint8_t *p = g->data + (r->reg - g->ado) + 4;

			sii_word(m, s, (uint16_t)(sp->sii_word + 2),
				 (uint32_t)p[0] | (uint32_t)p[1] << 8 |
				 (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24,
				 ts);
		}
		break;
	default:
		break;
	}
	return s;
}

/*
 * An SII address write going out: its return may be lost, and the data
 * read that follows must not then take the previous address.
 */
static void out_sii_addr(struct model *m, struct model_device *master,
			 const struct decoded *d,
			 const struct decode_ecat_reg *r, uint64_t ts)
{
	const struct decode_ecat_dgram *g;
	struct model_device *s = NULL;

	if (r->dgram >= d->ecat.ndgram)
		return;
	g = &d->ecat.dgram[r->dgram];
	if (cmd_is_fixed(g->cmd))
		s = slave_get(m, station_key(master, g->adp));
	else if (cmd_is_auto(g->cmd))
		s = slave_get(m, pos_key(master, (uint16_t)(0 - g->adp)));
	if (s) {
		sii_addr(m, s, (uint16_t)r->value, d->ecat.dgram[0].idx, ts);
		mdev_priv(m, s)->sii_busy = 0;
	}
}

static void outgoing(struct model *m, struct model_device *master,
		     struct mmaster *ms, const struct decoded *d, uint64_t ts,
		     uint16_t flags)
{
	struct mecat_out *o = &ms->out[d->ecat.dgram[0].idx];
	unsigned int i, n = d->ecat.ndgram;
	struct model_link *l;
	struct mlink_priv *lp;

	o->ts = ts;
	o->ado0 = d->ecat.dgram[0].ado;
	o->n = (uint8_t)n;
	o->pending = 1;
	if (n > MECAT_DG)
		n = MECAT_DG;
	for (i = 0; i < n; i++) {
		o->cmd[i] = d->ecat.dgram[i].cmd;
		o->adp[i] = d->ecat.dgram[i].adp;
	}
	for (i = 0; i < d->ecat.nreg; i++)
		if (d->ecat.reg[i].kind == ECAT_REG_SII_ADDR &&
		    d->ecat.reg[i].write)
			out_sii_addr(m, master, d, &d->ecat.reg[i], ts);
	for (i = 0; i < d->ecat.ndgram; i++) {
		const struct decode_ecat_dgram *g = &d->ecat.dgram[i];

		if (!ecat_cmd_is_logical(g->cmd))
			continue;
		l = mlink_get(m, MKEY_ECLINK | (uint64_t)master->id << 32 |
			      g->lad, MODEL_LINK_ECAT, ts);
		if (!l)
			return;
		lp = mlink_priv(m, l);
		l->src = master->id;
		l->lad = g->lad;
		l->frames++;
		l->last_ns = ts;
		mlink_interval(m, l, ts, flags);
		if (lp->pending) {
			l->lost++;
			m->ctr.lost_frames++;
		}
		lp->pending = 1;
		return;
	}
}

/* The pending outgoing frame d is the return of, or NULL. */
static struct mecat_out *pair_of(struct mmaster *ms, const struct decoded *d,
				 uint64_t ts)
{
	const struct decode_ecat_dgram *g = d->ecat.dgram;
	struct mecat_out *o = &ms->out[g[0].idx];
	unsigned int i, n = d->ecat.ndgram < MECAT_DG ? d->ecat.ndgram :
		MECAT_DG;

	if (!o->pending || o->n != d->ecat.ndgram || o->ado0 != g[0].ado ||
	    (ts > o->ts ? ts - o->ts : o->ts - ts) > MECAT_PAIR_NS)
		return NULL;
	for (i = 0; i < n; i++)
		if (o->cmd[i] != g[i].cmd)
			return NULL;
	return o;
}

/* A verified pair: every AP/B datagram moved by the same shift. */
static bool learn_shift(struct mmaster *ms, const struct mecat_out *o,
			const struct decoded *d)
{
	unsigned int i, n = o->n < MECAT_DG ? o->n : MECAT_DG;
	bool have = false;
	uint16_t shift = 0;

	for (i = 0; i < n; i++) {
		const struct decode_ecat_dgram *g = &d->ecat.dgram[i];
		uint16_t s = (uint16_t)(g->adp - o->adp[i]);

		if (!cmd_is_auto(g->cmd) && !cmd_is_bcast(g->cmd))
			continue;
		if (have && s != shift)
			return false;
		shift = s;
		have = true;
	}
	if (have)
		vote16(&ms->shift, &ms->shift_votes, shift, 2);
	return have;
}

/*
 * The ring's length: every ESC adds one to the ADP of a passing AP/B
 * datagram, so the shift is the length.  A broadcast's working counter
 * counts only the slaves that have the register (DC registers are not in
 * every ESC), so it is the length only where ADPs do not move (gear that
 * does not increment them), and then the most it reached.
 */
static void ring_update(struct model *m, struct model_device *master,
			struct mmaster *ms, uint64_t ts)
{
	uint16_t old = ms->len_votes >= MECAT_SURE ? ms->ring_len : 0, n = 0;

	if (ms->shift_votes >= MECAT_SURE)
		n = ms->shift ? ms->shift :
			ms->bcast_n >= MECAT_SURE ? ms->bcast_max : 0;
	if (n >= MECAT_MAX_POS)
		n = 0;
	ms->ring_len = n;
	ms->len_votes = n ? MECAT_SURE : 0;
	if (n && n != old && master->nslaves > n)
		ring_order(m, master, ts);
}

/* A broadcast came back: the ring's shift and what it reached. */
static void ring_bcast(struct model *m, struct model_device *master,
		       struct mmaster *ms, const struct decode_ecat_dgram *g,
		       bool paired, uint64_t ts)
{
	/* masters start broadcasts at ADP 0: the return shows the shift */
	if (!paired)
		vote16(&ms->shift, &ms->shift_votes, g->adp, 1);
	/* BRD and BWR: each slave adds 1 (BRW 3) */
	if (g->cmd != ECAT_BRW) {
		if (g->wkc > ms->bcast_max)
			ms->bcast_max = g->wkc;
		if (ms->bcast_n < 255)
			ms->bcast_n++;
	}
	ring_update(m, master, ms, ts);
}

/* Slave answering datagram i of a returning frame, or NULL. */
static struct model_device *answering(struct model *m,
				      struct model_device *master,
				      const struct mmaster *ms,
				      const struct decoded *d, unsigned int i,
				      const struct mecat_out *o,
				      const uint32_t *st, uint64_t ts)
{
	const struct decode_ecat_dgram *g = &d->ecat.dgram[i];
	struct model_device *s;
	uint16_t pos;

	if (cmd_is_fixed(g->cmd)) {
		s = slave_get(m, station_key(master, g->adp));
		return s ? s : slave_at_station(m, master, g->adp, ts);
	}
	if (!cmd_is_auto(g->cmd))
		return NULL;
	if (o && i < MECAT_DG)
		pos = (uint16_t)(0 - o->adp[i]);
	else if (ms->shift_votes >= MECAT_SURE)
		pos = (uint16_t)(ms->shift - g->adp);
	else
		pos = 0xffff;
	if (pos >= MECAT_MAX_POS) {
		m->ctr.ecat_unplaced++;
		return NULL;
	}
	s = slave_get(m, pos_key(master, pos));
	if (s)
		return s;
	/* the address this datagram sets or reads names a known slave */
	if (st && (st[i] & 0x10000)) {
		s = slave_get(m, station_key(master, (uint16_t)st[i]));
		if (s && s->ring_pos == 0xffff &&
		    s->station_addr == (uint16_t)st[i]) {
			set_pos(m, master, s, pos);
			return s;
		}
	}
	return slave_at_pos(m, master, pos, ts);
}

static void returned(struct model *m, struct model_device *master,
		     struct mmaster *ms, const struct decoded *d, uint64_t ts)
{
	struct model_device *slave[DECODE_MAX_DGRAM];
	uint32_t st_buf[DECODE_MAX_DGRAM], *st = NULL;
	struct mecat_out *o = pair_of(ms, d, ts);
	bool first_logical = true;
	unsigned int i;

	if (o) {
		o->pending = 0;
		if (learn_shift(ms, o, d))
			ring_update(m, master, ms, ts);
	} else {
		m->ctr.ecat_unpaired++;
	}
	/* station addresses set or read by position, by datagram */
	for (i = 0; i < d->ecat.nreg; i++) {
		const struct decode_ecat_reg *r = &d->ecat.reg[i];

		if (r->kind != ECAT_REG_STATION_ADDR ||
		    r->dgram >= d->ecat.ndgram ||
		    !cmd_is_auto(d->ecat.dgram[r->dgram].cmd))
			continue;
		if (!st) {
			st = st_buf;
			memset(st, 0, d->ecat.ndgram * sizeof(*st));
		}
		st[r->dgram] = 0x10000 | (uint16_t)r->value;
	}
	for (i = 0; i < d->ecat.ndgram; i++) {
		const struct decode_ecat_dgram *g = &d->ecat.dgram[i];

		slave[i] = NULL;
		if (ecat_cmd_is_logical(g->cmd)) {
			struct model_link *l;
			uint64_t key = MKEY_ECLINK |
				       (uint64_t)master->id << 32 | g->lad;

			msig_ecat(m, master, g->lad, g->data, g->len, ts);
			if (!first_logical)
				continue;
			first_logical = false;
			l = mlink_get(m, key, MODEL_LINK_ECAT, ts);
			if (!l)
				continue;
			mlink_priv(m, l)->pending = 0;
			l->src = master->id;
			l->lad = g->lad;
			wkc_vote(m, master, l, g->wkc, ts);
			continue;
		}
		if (!g->wkc)
			continue;
		if (cmd_is_bcast(g->cmd)) {
			ring_bcast(m, master, ms, g, o != NULL, ts);
			continue;
		}
		slave[i] = answering(m, master, ms, d, i, o, st, ts);
		if (slave[i])
			mdev_seen(m, slave[i], ts);
	}
	for (i = 0; i < d->ecat.nreg; i++) {
		const struct decode_ecat_reg *r = &d->ecat.reg[i];

		if (r->dgram < d->ecat.ndgram && slave[r->dgram])
			slave[r->dgram] = apply_reg(m, master,
				slave[r->dgram], r, d, ts);
	}
	for (i = 0; i < d->ecat.ndgram; i++)
		if (slave[i])
			mecat_pd_config(m, slave[i], &d->ecat.dgram[i]);
}

static bool answered(const struct decoded *d)
{
	unsigned int i;

	for (i = 0; i < d->ecat.ndgram; i++)
		if (d->ecat.dgram[i].wkc)
			return true;
	return false;
}

static struct model_device *master_new(struct model *m, const uint8_t mac[6],
				       uint64_t ts)
{
	struct model_device *master;

	if (m->nmasters >= MODEL_MAX_MASTERS) {
		m->ctr.devices_full++;
		return NULL;
	}
	master = mdev_by_mac(m, mac, MODEL_DEV_ECAT_MASTER, ts, true);
	if (!master)
		return NULL;
	m->masters[m->nmasters++] = master->id;
	mdev_priv(m, master)->mslot = (uint8_t)m->nmasters;
	mst(m, master)->la_mac = (mac[0] & 0x02) != 0;
	msig_bind(m, master);
	return master;
}

/*
 * An unknown MAC with the 0x02 bit whose frames go out with working
 * counters of 0 and come back answered: a master of its own.  A few such
 * pairs are needed, as one could be two returns of some other master.
 */
#define CAND_PAIRS 3

static struct mecat_cand *cand_find(struct model *m, uint64_t mac)
{
	unsigned int i;

	for (i = 0; i < MECAT_CAND; i++)
		if (m->cand[i].mac == (mac | 1ULL << 48))
			return &m->cand[i];
	return NULL;
}

static void cand_out(struct model *m, const struct decoded *d, uint64_t mac,
		     uint64_t ts)
{
	struct mecat_cand *c = cand_find(m, mac);

	if (!c) {
		c = &m->cand[m->cand_next++ % MECAT_CAND];
		memset(c, 0, sizeof(*c));
		c->mac = mac | 1ULL << 48;
	}
	c->ts = ts;
	c->idx = d->ecat.dgram[0].idx;
	c->n = (uint8_t)d->ecat.ndgram;
	c->cmd0 = d->ecat.dgram[0].cmd;
	c->armed = 1;
}

static bool cand_back(struct model *m, const struct decoded *d, uint64_t mac,
		      uint64_t ts)
{
	struct mecat_cand *c = cand_find(m, mac);

	if (!c || !c->armed || c->idx != d->ecat.dgram[0].idx ||
	    c->n != d->ecat.ndgram || c->cmd0 != d->ecat.dgram[0].cmd ||
	    ts < c->ts || ts - c->ts > MECAT_PAIR_NS)
		return false;
	c->armed = 0;
	if (++c->pairs < CAND_PAIRS)
		return false;
	c->mac = 0;
	return true;
}

/* Exactly one master has an outgoing frame d answers, or NULL. */
static struct model_device *paired_master(struct model *m,
					  const struct decoded *d,
					  uint64_t ts)
{
	struct model_device *found = NULL;
	size_t i;

	for (i = 0; i < m->nmasters; i++) {
		struct model_device *ms = &m->devs[m->masters[i] - 1];

		if (!pair_of(mst(m, ms), d, ts))
			continue;
		if (found)
			return NULL;
		found = ms;
	}
	return found;
}

/* A frame from a MAC no master has shown yet (out of line). */
static struct model_device *ecat_unknown(struct model *m,
					 const struct decoded *d,
					 uint64_t mac, uint64_t ts,
					 bool *back) __attribute__((cold));
static struct model_device *ecat_unknown(struct model *m,
					 const struct decoded *d,
					 uint64_t mac, uint64_t ts,
					 bool *back)
{
	struct model_device *master;

	if (!answered(d)) {
		/* working counters of 0: as a master sends them */
		if (!(d->src[0] & 0x02))
			return master_new(m, d->src, ts);
		cand_out(m, d, mac, ts);
	} else if (d->src[0] & 0x02) {
		if (cand_back(m, d, mac, ts)) {
			master = master_new(m, d->src, ts);
			*back = master != NULL;
			return master;
		}
	} else if ((master = paired_master(m, d, ts))) {
		/* gear that rewrites the source MAC otherwise */
		mhash_put(m, MKEY_RETMAC | mac, master->id);
		*back = true;
		return master;
	}
	m->ctr.ecat_unmatched++;
	return NULL;
}

/* The master of frame d, and whether d is on its way back. */
static struct model_device *ecat_master(struct model *m,
					const struct decoded *d, uint64_t ts,
					bool *back)
{
	uint64_t mac = mac48(d->src);
	uint32_t v = mhash_get(m, MKEY_MAC | mac);
	struct model_device *dev;

	*back = false;
	if (v) {
		dev = &m->devs[v - 1];
		if (dev->kind != MODEL_DEV_ECAT_MASTER)
			return NULL;
		if ((d->src[0] & 0x02) && mst(m, dev)->la_mac)
			*back = answered(d);
		return dev;
	}
	if (d->src[0] & 0x02) {
		v = mhash_get(m, MKEY_MAC | (mac ^ 1ULL << 41));
		if (v && m->devs[v - 1].kind == MODEL_DEV_ECAT_MASTER) {
			*back = true;
			return &m->devs[v - 1];
		}
	}
	v = mhash_get(m, MKEY_RETMAC | mac);
	if (v) {
		*back = true;
		return &m->devs[v - 1];
	}
	return ecat_unknown(m, d, mac, ts, back);
}

void model_ecat_frame(struct model *m, const struct decoded *d, uint64_t ts,
		      uint16_t flags)
{
	struct model_device *master;
	struct mmaster *ms;
	bool back;

	if (!d->ecat.ndgram)
		return;
	master = ecat_master(m, d, ts, &back);
	if (!master)
		return;
	mdev_seen(m, master, ts);
	ms = mst(m, master);
	ms->seen_ts[d->ecat.dgram[0].idx] = ts;
	if (d->anomalies)
		master->errors++;
	if (!back)
		outgoing(m, master, ms, d, ts, flags);
	else
		returned(m, master, ms, d, ts);
}
