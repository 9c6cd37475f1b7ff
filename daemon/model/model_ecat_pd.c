/*
 * What a slave exchanges in the cycle, from the configuration its master
 * writes (ESC datasheet section II): sync managers at 0x0800 + 8n
 * (physical start, length, control, status, activate, PDI control) and
 * FMMUs at 0x0600 + 16n (logical start, length, bits, physical start,
 * type: 1 read, 2 write; activate).  Buffered sync managers (control bits
 * 0-1 = 00) are process data: direction bits 2-3 00 (the master reads)
 * are the inputs, 01 the outputs; mailboxes are not counted.  Only
 * writes the slave confirmed (its return counted them) are taken.
 */
#include <string.h>

#include "model/model_int.h"

#define ESC_FMMU	0x0600
#define ESC_FMMU_END	0x0700
#define ESC_SM		0x0800
#define ESC_SM_END	0x0840	/* 8 sync managers */

static uint16_t le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

/* the whole unit [reg, reg + size) in g, or NULL: a partial write of one
 * is not read */
static const uint8_t *unit(const struct decode_ecat_dgram *g,
			   unsigned int reg, unsigned int size)
{
	if (reg < g->ado || reg + size > (unsigned int)g->ado + g->len)
		return NULL;
	return g->data + (reg - g->ado);
}

static void sums(struct model_device *s, const struct mdev_priv *p)
{
	unsigned int n;

	s->pd_in = s->pd_out = 0;
	for (n = 0; n < 8; n++) {
		uint8_t c = p->sm_ctl[n];

		if (!(c & 0x80) || (c & 0x03) != 0)
			continue;
		if ((c & 0x0C) == 0x00)
			s->pd_in = (uint16_t)(s->pd_in + p->sm_len[n]);
		else if ((c & 0x0C) == 0x04)
			s->pd_out = (uint16_t)(s->pd_out + p->sm_len[n]);
	}
	s->has |= MODEL_HAS_PD;
}

void mecat_pd_config(struct model *m, struct model_device *s,
		     const struct decode_ecat_dgram *g)
{
	struct mdev_priv *p;
	const uint8_t *u;
	unsigned int n, reg;
	bool sm = false;

	if ((g->cmd != ECAT_FPWR && g->cmd != ECAT_APWR) || !g->wkc ||
	    g->ado >= ESC_SM_END || (unsigned int)g->ado + g->len <= ESC_FMMU)
		return;
	p = mdev_priv(m, s);
	for (reg = ESC_SM, n = 0; reg < ESC_SM_END; reg += 8, n++) {
		if (!(u = unit(g, reg, 8)))
			continue;
		p->sm_len[n] = le16(u + 2);
		p->sm_ctl[n] = (uint8_t)((u[4] & 0x7F) | (u[6] & 1 ? 0x80 : 0));
		sm = true;
	}
	if (sm)
		sums(s, p);
	for (reg = ESC_FMMU; reg < ESC_FMMU_END; reg += 16) {
		if (!(u = unit(g, reg, 16)) || !(u[12] & 1))
			continue;
		if (u[11] == 1) {
			s->pd_in_lad = le32(u);
			s->has |= MODEL_HAS_PD_IN_LAD;
		} else if (u[11] == 2) {
			s->pd_out_lad = le32(u);
			s->has |= MODEL_HAS_PD_OUT_LAD;
		}
	}
}
