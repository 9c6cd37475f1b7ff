/*
 * EtherCAT: masters by source MAC, slaves by ring position and configured
 * station address, identity from SII reads, AL state, the cyclic link.
 *
 * A mirror port sees each frame twice: as the master sent it and as it
 * came back through the ring.  Every ESC sets the locally administered bit
 * (0x02) of the source MAC on the way back, so that bit tells direction.
 * Reads carry data and the working counter only on the way back; the
 * outgoing copy gives the original ADP of auto-increment commands, which
 * each slave increments as the frame passes.
 */
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

static struct model_device *slave_new(struct model *m,
				      struct model_device *master,
				      uint64_t ts)
{
	struct model_device *s = mdev_new(m, MODEL_DEV_ECAT_SLAVE, ts);

	if (!s)
		return NULL;
	s->parent = master->id;
	master->nslaves++;
	return s;
}

static struct model_device *slave_by_pos(struct model *m,
					 struct model_device *master,
					 uint16_t pos, uint64_t ts)
{
	uint64_t key = MKEY_POS | (uint64_t)master->id << 16 | pos;
	uint32_t v = mhash_get(m, key);
	struct model_device *s;
	char label[80];

	if (v)
		return &m->devs[v - 1];
	s = slave_new(m, master, ts);
	if (!s)
		return NULL;
	s->ring_pos = pos;
	mhash_put(m, key, s->id);
	model_device_label(m, s, label, sizeof(label));
	mdev_event(m, s, MODEL_EV_DISCOVERED, ts, "ecat-slave %s", label);
	return s;
}

static uint64_t station_key(const struct model_device *master, uint16_t addr)
{
	return MKEY_STATION | (uint64_t)master->id << 16 | addr;
}

static void set_station(struct model *m, struct model_device *master,
			struct model_device *s, uint16_t addr)
{
	if ((s->has & MODEL_HAS_STATION) && s->station_addr == addr)
		return;
	s->station_addr = addr;
	s->has |= MODEL_HAS_STATION;
	mhash_put(m, station_key(master, addr), s->id);
}

static struct model_device *slave_by_station(struct model *m,
					     struct model_device *master,
					     uint16_t addr, uint64_t ts)
{
	uint32_t v = mhash_get(m, station_key(master, addr));
	struct model_device *s;

	if (v)
		return &m->devs[v - 1];
	s = slave_new(m, master, ts);
	if (!s)
		return NULL;
	set_station(m, master, s, addr);
	mdev_event(m, s, MODEL_EV_DISCOVERED, ts,
		   "ecat-slave station 0x%04x", addr);
	return s;
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

static void apply_reg(struct model *m, struct model_device *master,
		      struct model_device *s, const struct decode_ecat_reg *r,
		      const struct decode_ecat_dgram *g, uint64_t ts)
{
	struct mdev_priv *sp = mdev_priv(m, s);
	uint16_t v16 = (uint16_t)r->value;

	switch (r->kind) {
	case ECAT_REG_STATION_ADDR:
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
	case ECAT_REG_SII_ADDR:
		if (r->write) {
			sp->sii_word = v16;
			sp->sii_pending = 1;
		}
		break;
	case ECAT_REG_SII_DATA:
		if (r->write || !sp->sii_pending)
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

static void outgoing(struct model *m, struct model_device *master,
		     const struct decoded *d, uint64_t ts, uint16_t flags)
{
	struct mdev_priv *mp = mdev_priv(m, master);
	struct model_link *l;
	struct mlink_priv *lp;
	unsigned int i;

	for (i = 0; i < d->ecat.ndgram; i++) {
		const struct decode_ecat_dgram *g = &d->ecat.dgram[i];

		mp->out_adp[g->idx] = g->adp;
		mp->out_cmd[g->idx] = g->cmd;
		mp->out_valid[g->idx >> 3] |= (uint8_t)(1U << (g->idx & 7));
	}
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

static void returned(struct model *m, struct model_device *master,
		     const struct decoded *d, uint64_t ts)
{
	struct mdev_priv *mp = mdev_priv(m, master);
	struct model_device *slave[DECODE_MAX_DGRAM];
	bool first_logical = true;
	unsigned int i;

	for (i = 0; i < d->ecat.ndgram; i++) {
		const struct decode_ecat_dgram *g = &d->ecat.dgram[i];
		bool known = mp->out_valid[g->idx >> 3] &
			     (1U << (g->idx & 7));

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
			/* each slave increments ADP: the ring's length */
			uint16_t n = (uint16_t)(g->adp -
				(known ? mp->out_adp[g->idx] : 0));
			uint16_t p;

			if (known && n <= 1024)
				for (p = 0; p < n; p++)
					slave_by_pos(m, master, p, ts);
		} else if (cmd_is_auto(g->cmd) && known) {
			uint16_t pos = (uint16_t)(0 - mp->out_adp[g->idx]);

			if (pos < 4096)
				slave[i] = slave_by_pos(m, master, pos, ts);
		} else if (cmd_is_fixed(g->cmd)) {
			slave[i] = slave_by_station(m, master, g->adp, ts);
		}
		if (slave[i])
			mdev_seen(m, slave[i], ts);
	}
	for (i = 0; i < d->ecat.nreg; i++) {
		const struct decode_ecat_reg *r = &d->ecat.reg[i];

		if (r->dgram < d->ecat.ndgram && slave[r->dgram])
			apply_reg(m, master, slave[r->dgram], r,
				  &d->ecat.dgram[r->dgram], ts);
	}
}

/*
 * A frame from a MAC that is no master: the copy of a master's frame
 * coming back when slaves answered it and its first datagram matches one
 * the master sent.
 */
static struct model_device *returning_master(struct model *m,
					     const struct decoded *d)
{
	const struct decode_ecat_dgram *g;
	size_t i;

	bool answered = false;

	/* a master sends working counters of 0: a copy with a non-zero
	 * one has been through slaves */
	for (i = 0; i < d->ecat.ndgram; i++)
		answered |= d->ecat.dgram[i].wkc != 0;
	if (!answered)
		return NULL;
	g = &d->ecat.dgram[0];
	for (i = 0; i < m->nmasters; i++) {
		struct model_device *ms = &m->devs[m->masters[i] - 1];
		struct mdev_priv *mp = mdev_priv(m, ms);

		if ((mp->out_valid[g->idx >> 3] & (1U << (g->idx & 7))) &&
		    mp->out_cmd[g->idx] == g->cmd)
			return ms;
	}
	return NULL;
}

/*
 * The master whose frame this is on its way back, from a MAC that is no
 * master's own; once learnt, the MAC is remembered as such.
 */
static struct model_device *returning(struct model *m,
				      const struct decoded *d)
{
	uint64_t key = MKEY_RETMAC | mac48(d->src);
	uint32_t v = mhash_get(m, key);
	struct model_device *master = NULL;
	uint8_t mac[6];

	if (v)
		return &m->devs[v - 1];
	if (d->src[0] & 0x02) {
		memcpy(mac, d->src, 6);
		mac[0] &= (uint8_t)~0x02;
		master = mdev_by_mac(m, mac, MODEL_DEV_ECAT_MASTER, 0, false);
	}
	if (!master)
		master = returning_master(m, d);
	if (master)
		mhash_put(m, key, master->id);
	return master;
}

/*
 * Direction: a real ESC sets the locally administered bit (0x02) of the
 * source MAC on the way back; other gear rewrites it otherwise, so a
 * frame from an unknown MAC that answers a master's outstanding datagram
 * is that master's frame coming back, and its MAC is remembered as such.
 */
void model_ecat_frame(struct model *m, const struct decoded *d, uint64_t ts,
		      uint16_t flags)
{
	struct model_device *master;
	bool back = false;

	master = mdev_by_mac(m, d->src, MODEL_DEV_ECAT_MASTER, ts, false);
	if (!master) {
		master = returning(m, d);
		back = master != NULL;
	}
	if (!master) {
		master = mdev_by_mac(m, d->src, MODEL_DEV_ECAT_MASTER, ts,
				     true);
		if (!master)
			return;
		if (m->nmasters < MODEL_MAX_MASTERS)
			m->masters[m->nmasters++] = master->id;
		msig_bind(m, master);
	}
	if (master->kind != MODEL_DEV_ECAT_MASTER)
		return;
	mdev_seen(m, master, ts);
	if (d->anomalies)
		master->errors++;
	if (!back)
		outgoing(m, master, d, ts, flags);
	else
		returned(m, master, d, ts);
}
