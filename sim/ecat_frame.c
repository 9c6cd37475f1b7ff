/* EtherCAT frames (ETG.1000.4): Ethernet header, frame header, datagrams. */
#include <stdlib.h>
#include <string.h>

#include "frames.h"

#define ECAT_HDR	2U	/* length:11, reserved:1, type:4 */
#define DG_HDR		10U	/* cmd, idx, address:4, len:2, irq:2 */
#define DG_WKC		2U
#define ECAT_PAYLOAD	1498U	/* 1500-byte MTU minus the frame header */
#define DG_MORE		0x8000U

static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

void ecat_begin(struct ecat_frame *f, uint8_t *buf, const uint8_t src[6])
{
	f->buf = buf;
	memcpy(buf, bcast, 6);
	memcpy(buf + 6, src, 6);
	put_be16(buf + 12, ETHERTYPE_ECAT);
	f->len = 14 + ECAT_HDR;
	f->ndg = 0;
}

int ecat_fits(const struct ecat_frame *f, uint32_t len)
{
	return f->ndg < ECAT_MAX_DGRAMS &&
	       f->len - 14 - ECAT_HDR + DG_HDR + len + DG_WKC <= ECAT_PAYLOAD;
}

static uint8_t *add_dgram(struct ecat_frame *f, uint8_t cmd, uint8_t idx,
			  const uint8_t addr[4], uint16_t len)
{
	uint8_t *d = f->buf + f->len;

	/* callers size their frames; overrunning one would be a bug here */
	if (!ecat_fits(f, len))
		abort();

	if (f->ndg) {
		uint8_t *prev = f->buf + f->dg_off[f->ndg - 1];

		put_le16(prev + 6, get_le16(prev + 6) | DG_MORE);
	}
	f->dg_off[f->ndg++] = f->len;
	d[0] = cmd;
	d[1] = idx;
	memcpy(d + 2, addr, 4);
	put_le16(d + 6, len & 0x7ff);
	put_le16(d + 8, 0);
	memset(d + DG_HDR, 0, len + DG_WKC);
	f->len += DG_HDR + len + DG_WKC;
	return d + DG_HDR;
}

uint8_t *ecat_dgram(struct ecat_frame *f, uint8_t cmd, uint8_t idx,
		    uint16_t adp, uint16_t ado, uint16_t len)
{
	uint8_t addr[4];

	put_le16(addr, adp);
	put_le16(addr + 2, ado);
	return add_dgram(f, cmd, idx, addr, len);
}

uint8_t *ecat_dgram_logical(struct ecat_frame *f, uint8_t cmd, uint8_t idx,
			    uint32_t laddr, uint16_t len)
{
	uint8_t addr[4];

	put_le32(addr, laddr);
	return add_dgram(f, cmd, idx, addr, len);
}

uint32_t ecat_end(struct ecat_frame *f)
{
	uint32_t body = f->len - 14 - ECAT_HDR;

	put_le16(f->buf + 14, (uint16_t)(0x1000 | (body & 0x7ff)));
	if (f->len < ETH_MIN_LEN) {
		memset(f->buf + f->len, 0, ETH_MIN_LEN - f->len);
		f->len = ETH_MIN_LEN;
	}
	return f->len;
}

void ecat_as_return(struct ecat_frame *ret, uint8_t *buf,
		    const struct ecat_frame *req)
{
	memcpy(buf, req->buf, req->len);
	*ret = *req;
	ret->buf = buf;
	buf[6] |= 0x02;
}

uint8_t *ecat_data(const struct ecat_frame *f, uint32_t i)
{
	return f->buf + f->dg_off[i] + DG_HDR;
}

void ecat_set_wkc(const struct ecat_frame *f, uint32_t i, uint16_t wkc)
{
	const uint8_t *d = f->buf + f->dg_off[i];
	uint16_t len = get_le16(d + 6) & 0x7ff;

	put_le16(f->buf + f->dg_off[i] + DG_HDR + len, wkc);
}
