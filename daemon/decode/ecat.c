/*
 * EtherCAT frame header and datagrams (ETG.1000.4): the same bytes follow
 * ethertype 0x88A4 and UDP port 34980.
 */
#include "decode_int.h"

#define ECAT_FRAME_HLEN		2
#define ECAT_DGRAM_HLEN		10
#define ECAT_WKC_LEN		2
#define ECAT_TYPE_DATAGRAMS	1
#define ECAT_TYPE_NETVARS	4
#define ECAT_TYPE_MAILBOX_GW	5
#define ECAT_MBX_HLEN		6
#define ECAT_MBX_MIN_ADO	0x1000	/* mailbox SyncManagers live here */
#define ECAT_MBX_MAX_LEN	1500

const char *ecat_cmd_name(unsigned int cmd)
{
	static const char *const names[ECAT_CMD_COUNT] = {
		"NOP", "APRD", "APWR", "APRW", "FPRD", "FPWR", "FPRW", "BRD",
		"BWR", "BRW", "LRD", "LWR", "LRW", "ARMW", "FRMW",
	};

	return cmd < ECAT_CMD_COUNT ? names[cmd] : "?";
}

/*
 * A datagram addressed to a mailbox SyncManager starts with a mailbox
 * header.  The test mirrors Wireshark's, so both tools agree on which
 * datagrams are mailboxes: single-slave writes, or single-slave reads that
 * one slave answered, at or above 0x1000, whose header names a known
 * protocol.  An unanswered read holds no mailbox, only what the master sent.
 */
static int looks_like_mailbox(const struct decode_ecat_dgram *g)
{
	unsigned int type;

	if (g->cmd == ECAT_APRD || g->cmd == ECAT_FPRD) {
		if (g->wkc != 1)
			return 0;
	} else if (g->cmd != ECAT_APWR && g->cmd != ECAT_FPWR) {
		return 0;
	}
	if (g->ado < ECAT_MBX_MIN_ADO || g->len < ECAT_MBX_HLEN)
		return 0;
	type = g->data[5] & 0x0F;
	if (type < ECAT_MBX_AOE || type > ECAT_MBX_SOE)
		return 0;
	return rd16le(g->data) <= ECAT_MBX_MAX_LEN;
}

/*
 * One datagram at p (len bytes left in the frame) into g; returns its size
 * or -1.  Command and length stay in locals: stores through g may alias p,
 * so reading them back from either would cost a reload each time.
 */
static int decode_dgram(const uint8_t *p, uint32_t len,
			struct decode_ecat_dgram *g, struct decoded *d)
{
	uint16_t lf, dlen;
	uint8_t cmd;

	if (len < ECAT_DGRAM_HLEN)
		return anomaly(d, DECODE_A_ECAT_DGRAM_TRUNCATED);
	lf = rd16le(p + 6);
	dlen = lf & 0x07FF;
	cmd = p[0];
	g->cmd = cmd;
	g->idx = p[1];
	g->lad = rd32le(p + 2);
	g->adp = (uint16_t)g->lad;
	g->ado = (uint16_t)(g->lad >> 16);
	g->len = dlen;
	g->circulating = (lf >> 14) & 1;
	g->more = (uint8_t)(lf >> 15);
	g->irq = rd16le(p + 8);
	if (len - ECAT_DGRAM_HLEN < (uint32_t)dlen + ECAT_WKC_LEN)
		return anomaly(d, DECODE_A_ECAT_DGRAM_TRUNCATED);
	g->data = p + ECAT_DGRAM_HLEN;
	g->wkc = rd16le(p + ECAT_DGRAM_HLEN + dlen);
	if (cmd >= ECAT_CMD_COUNT)
		anomaly(d, DECODE_A_ECAT_BAD_CMD);
	return ECAT_DGRAM_HLEN + dlen + ECAT_WKC_LEN;
}

static void decode_dgram_payload(struct decoded *d, unsigned int i)
{
	const struct decode_ecat_dgram *g = &d->ecat.dgram[i];

	if (looks_like_mailbox(g)) {
		decode_ecat_mbx(g->data, g->len, d, i);
		return;
	}
	if (g->cmd < ECAT_CMD_COUNT && !ecat_cmd_is_logical(g->cmd) &&
	    g->cmd != ECAT_NOP)
		decode_ecat_esc(d, i);
}

static int decode_dgrams(const uint8_t *p, uint32_t len, struct decoded *d)
{
	struct decode_ecat_dgram *g;
	uint32_t off = 0;
	unsigned int n = 0;
	int size;

	do {
		if (n >= DECODE_MAX_DGRAM)
			return anomaly(d, DECODE_A_ECAT_TOO_MANY_DGRAMS);
		g = &d->ecat.dgram[n];
		size = decode_dgram(p + off, len - off, g, d);
		if (size < 0)
			return -1;
		off += (uint32_t)size;
		d->ecat.ndgram = (uint16_t)++n;
		decode_dgram_payload(d, n - 1);
	} while (g->more);
	return d->anomalies ? -1 : 0;
}

int decode_ecat(const uint8_t *p, uint32_t len, struct decoded *d)
{
	uint16_t h;

	d->ecat.ndgram = d->ecat.nmbx = d->ecat.nreg = 0;
	d->ecat.hdr_len = 0;
	d->ecat.type = 0;
	if (len < ECAT_FRAME_HLEN)
		return anomaly(d, DECODE_A_ECAT_TRUNCATED);
	h = rd16le(p);
	d->ecat.hdr_len = h & 0x07FF;
	d->ecat.type = (uint8_t)(h >> 12);
	p += ECAT_FRAME_HLEN;
	len -= ECAT_FRAME_HLEN;
	if (d->ecat.type == ECAT_TYPE_NETVARS ||
	    d->ecat.type == ECAT_TYPE_MAILBOX_GW)
		return 0;	/* valid, but nothing the model uses */
	if (d->ecat.type != ECAT_TYPE_DATAGRAMS)
		return anomaly(d, DECODE_A_ECAT_BAD_TYPE);
	/* The header length excludes Ethernet padding; trust it when shorter. */
	if (d->ecat.hdr_len > len)
		anomaly(d, DECODE_A_ECAT_BAD_LENGTH);
	else
		len = d->ecat.hdr_len;
	return decode_dgrams(p, len, d);
}
