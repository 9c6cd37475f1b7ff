/*
 * Meaning of the ESC registers the model follows (ETG.1000.4 / ESC
 * datasheets): a datagram whose address range covers one of them yields a
 * decode_ecat_reg.  Plain reads (APRD, FPRD, BRD) count only once a slave
 * answered (wkc > 0): the master's outgoing copy of a read carries no data.
 * Writes, read-writes and read-multiple-writes always count, as Wireshark
 * counts them; their data is what was written or what came back.
 */
#include "decode_int.h"

struct esc_reg_def {
	uint16_t reg;
	uint16_t end;	/* past the last byte of the last port's copy */
	uint8_t size;
	uint8_t kind;
	uint8_t ports;	/* consecutive per-port copies */
	uint8_t stride;
};

#define ESC_REG(reg, size, kind, ports, stride) \
	{ reg, (reg) + ((ports) - 1) * (stride) + (size), size, kind, ports, \
	  stride }

static const struct esc_reg_def esc_regs[] = {
	ESC_REG(0x0000, 1, ECAT_REG_TYPE, 1, 0),
	ESC_REG(0x0010, 2, ECAT_REG_STATION_ADDR, 1, 0),
	ESC_REG(0x0012, 2, ECAT_REG_STATION_ALIAS, 1, 0),
	ESC_REG(0x0110, 1, ECAT_REG_DL_STATUS, 1, 0),
	ESC_REG(0x0111, 1, ECAT_REG_DL_LOOP, 1, 0),
	ESC_REG(0x0120, 2, ECAT_REG_AL_CONTROL, 1, 0),
	ESC_REG(0x0130, 2, ECAT_REG_AL_STATUS, 1, 0),
	ESC_REG(0x0134, 2, ECAT_REG_AL_STATUS_CODE, 1, 0),
	ESC_REG(0x0300, 2, ECAT_REG_RX_ERR, 4, 2),
	ESC_REG(0x0308, 1, ECAT_REG_FWD_RX_ERR, 4, 1),
	ESC_REG(0x0310, 1, ECAT_REG_LOST_LINK, 4, 1),
	ESC_REG(0x0502, 2, ECAT_REG_SII_CONTROL, 1, 0),
	ESC_REG(0x0504, 4, ECAT_REG_SII_ADDR, 1, 0),
	ESC_REG(0x0508, 4, ECAT_REG_SII_DATA, 1, 0),
};

#define ESC_NREGS	(sizeof(esc_regs) / sizeof(esc_regs[0]))
#define ESC_REGS_END	0x050C	/* end of SII data, the last one above */

static int is_write(unsigned int cmd)
{
	return cmd == ECAT_APWR || cmd == ECAT_FPWR || cmd == ECAT_BWR;
}

static int is_plain_read(unsigned int cmd)
{
	return cmd == ECAT_APRD || cmd == ECAT_FPRD || cmd == ECAT_BRD;
}

static uint32_t rd_le(const uint8_t *p, unsigned int size)
{
	switch (size) {
	case 1: return p[0];
	case 2: return rd16le(p);
	default: return rd32le(p);
	}
}

static int add_reg(struct decoded *d, unsigned int dgram,
		   const struct esc_reg_def *r, unsigned int port)
{
	const struct decode_ecat_dgram *g = &d->ecat.dgram[dgram];
	uint32_t addr = r->reg + port * r->stride;
	struct decode_ecat_reg *e;

	/* covered entirely by the datagram's range? */
	if (addr < g->ado || addr + r->size > (uint32_t)g->ado + g->len)
		return 0;
	if (d->ecat.nreg >= DECODE_MAX_REG)
		return anomaly(d, DECODE_A_ECAT_TOO_MANY_REGS);
	e = &d->ecat.reg[d->ecat.nreg++];
	e->dgram = (uint8_t)dgram;
	e->kind = r->kind;
	e->write = (uint8_t)is_write(g->cmd);
	e->port = (uint8_t)port;
	e->reg = (uint16_t)addr;
	e->value = rd_le(g->data + (addr - g->ado), r->size);
	return 0;
}

void decode_ecat_esc(struct decoded *d, unsigned int dgram)
{
	const struct decode_ecat_dgram *g = &d->ecat.dgram[dgram];
	const struct esc_reg_def *r = esc_regs;
	const struct esc_reg_def *last = esc_regs + ESC_NREGS - 1;
	uint32_t lo = g->ado, hi = lo + g->len;
	unsigned int port;

	if ((is_plain_read(g->cmd) && g->wkc == 0) || g->len == 0)
		return;
	/* process data and mailboxes live above the registers we follow */
	if (lo >= ESC_REGS_END)
		return;
	/* the table is sorted by address: skip what ends below lo */
	while (r < last && r->end <= lo)
		r++;
	for (; r <= last && r->reg < hi; r++)
		for (port = 0; port < r->ports; port++)
			if (add_reg(d, dgram, r, port))
				return;
}
