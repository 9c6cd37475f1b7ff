/*
 * PROFINET DCP (IEC 61158-6-10 §4.3): identify, hello, get and set with
 * their option/suboption blocks.  Which blocks carry a BlockInfo (answers,
 * hello) or a BlockQualifier (set requests) depends on the service, so the
 * block decoder is told which prefix to expect.
 */
#include "decode_int.h"

#define DCP_HLEN	10
#define DCP_BLK_HLEN	4
#define DCP_NAME_MAX	240

#define TYPE_REQUEST	0
#define TYPE_SUCCESS	1

enum prefix { PFX_NONE, PFX_INFO, PFX_QUALIFIER };

/*
 * NameOfStation: DNS-like labels of [a-z0-9-] separated by dots.  A name
 * with other bytes (format strings, NULs in the middle) is an attack or a
 * broken device either way.
 */
static int name_ok(const uint8_t *s, uint32_t len)
{
	uint32_t i;

	if (len == 0 || len > DCP_NAME_MAX)
		return 0;
	for (i = 0; i < len; i++) {
		uint8_t c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '-' || c == '.'))
			return 0;
	}
	return 1;
}

/* Strings stop at the first NUL, as DCP senders pad with zeros. */
static uint16_t str_len(const uint8_t *s, uint32_t len)
{
	uint32_t i;

	for (i = 0; i < len && s[i]; i++)
		;
	return (uint16_t)i;
}

static void set_name(struct decoded *d, const uint8_t *s, uint32_t len)
{
	d->dcp.name_of_station = s;
	d->dcp.name_len = str_len(s, len);
	d->dcp.fields |= DCP_F_NAME;
	if (!name_ok(s, len))
		anomaly(d, DECODE_A_DCP_BAD_NAME);
}

static int need(struct decoded *d, uint32_t len, uint32_t n)
{
	return len < n ? anomaly(d, DECODE_A_DCP_BLOCK_TRUNCATED) : 0;
}

static int decode_ip_block(struct decoded *d, unsigned int sub,
			   const uint8_t *p, uint32_t len)
{
	struct decode_dcp *c = &d->dcp;

	switch (sub) {
	case 1:
		if (need(d, len, 6))
			return -1;
		for (int i = 0; i < 6; i++)
			c->mac[i] = p[i];
		c->fields |= DCP_F_MAC;
		return 0;
	case 2:
	case 3:	/* full suite: IP parameter followed by DNS servers */
		if (need(d, len, 12))
			return -1;
		c->ip = rd32be(p);
		c->mask = rd32be(p + 4);
		c->gw = rd32be(p + 8);
		c->fields |= DCP_F_IP;
		return 0;
	default:
		return 0;
	}
}

static int decode_dev_block(struct decoded *d, unsigned int sub,
			    const uint8_t *p, uint32_t len)
{
	struct decode_dcp *c = &d->dcp;

	switch (sub) {
	case 1:
		c->type_of_station = p;
		c->type_len = str_len(p, len);
		c->fields |= DCP_F_TYPE;
		return 0;
	case 2:
		set_name(d, p, len);
		return 0;
	case 3:
		if (need(d, len, 4))
			return -1;
		c->vendor_id = rd16be(p);
		c->device_id = rd16be(p + 2);
		c->fields |= DCP_F_VENDOR;
		return 0;
	case 4:
		if (need(d, len, 1))
			return -1;
		c->role = p[0];
		c->fields |= DCP_F_ROLE;
		return 0;
	case 5:
		c->fields |= DCP_F_OPTIONS;
		return 0;
	case 6:
		c->alias = p;
		c->alias_len = str_len(p, len);
		c->fields |= DCP_F_ALIAS;
		return 0;
	case 7:
		if (need(d, len, 2))
			return -1;
		c->instance = rd16be(p);
		c->fields |= DCP_F_INSTANCE;
		return 0;
	case 8:
		if (need(d, len, 4))
			return -1;
		c->oem_vendor_id = rd16be(p);
		c->oem_device_id = rd16be(p + 2);
		c->fields |= DCP_F_OEM;
		return 0;
	default:
		return 0;
	}
}

static int decode_ctrl_block(struct decoded *d, unsigned int sub,
			     const uint8_t *p, uint32_t len,
			     struct decode_dcp_block *b)
{
	struct decode_dcp *c = &d->dcp;

	switch (sub) {
	case 3:	/* signal: after the qualifier, the signal value */
		if (need(d, len, 2))
			return -1;
		c->signal = rd16be(p);
		c->fields |= DCP_F_SIGNAL;
		return 0;
	case 4:	/* response to a set: which option, and the error */
		if (need(d, len, 3))
			return -1;
		c->resp_option = p[0];
		c->resp_suboption = p[1];
		c->resp_error = p[2];
		b->error = p[2];
		c->fields |= DCP_F_RESPONSE;
		return 0;
	case 5:
	case 6:	/* factory reset / reset to factory: mode in the qualifier */
		c->reset_qualifier = b->info;
		c->fields |= DCP_F_RESET;
		return 0;
	default:
		return 0;
	}
}

static int decode_block(struct decoded *d, const uint8_t *p, uint32_t len,
			enum prefix pfx)
{
	struct decode_dcp *c = &d->dcp;
	struct decode_dcp_block *b;
	unsigned int opt = p[0], sub = p[1];

	if (c->nblock >= DECODE_MAX_DCP_BLOCK)
		return anomaly(d, DECODE_A_DCP_TOO_MANY_BLOCKS);
	b = &c->block[c->nblock++];
	*b = (struct decode_dcp_block){ .option = (uint8_t)opt,
					.suboption = (uint8_t)sub,
					.len = (uint16_t)len };
	p += DCP_BLK_HLEN;
	/* a control response has no prefix: option, suboption, error */
	if (pfx != PFX_NONE && !(opt == 5 && sub == 4)) {
		if (need(d, len, 2))
			return -1;
		b->info = rd16be(p);
		p += 2;
		len -= 2;
	}
	switch (opt) {
	case 1:
		if (sub == 2 || sub == 3)
			c->ip_info = b->info;
		return decode_ip_block(d, sub, p, len);
	case 2:
		return decode_dev_block(d, sub, p, len);
	case 5:
		return decode_ctrl_block(d, sub, p, len, b);
	case 6:
		if (sub == 1 && len >= 2) {
			c->initiative = rd16be(p);
			c->fields |= DCP_F_INITIATIVE;
		}
		return 0;
	default:
		return 0;
	}
}

/* A get request lists the wanted option/suboption pairs, no lengths. */
static int decode_get_request(struct decoded *d, const uint8_t *p,
			      uint32_t len)
{
	struct decode_dcp *c = &d->dcp;
	uint32_t off;

	for (off = 0; off + 2 <= len; off += 2) {
		if (c->nblock >= DECODE_MAX_DCP_BLOCK)
			return anomaly(d, DECODE_A_DCP_TOO_MANY_BLOCKS);
		c->block[c->nblock++] = (struct decode_dcp_block){
			.option = p[off], .suboption = p[off + 1] };
	}
	return off == len ? 0 : anomaly(d, DECODE_A_DCP_BLOCK_TRUNCATED);
}

static enum prefix block_prefix(const struct decode_dcp *c)
{
	if (c->service_type == TYPE_SUCCESS &&
	    (c->service_id == DCP_IDENTIFY || c->service_id == DCP_GET))
		return PFX_INFO;
	if (c->service_id == DCP_HELLO && c->service_type == TYPE_REQUEST)
		return PFX_INFO;
	if (c->service_id == DCP_SET && c->service_type == TYPE_REQUEST)
		return PFX_QUALIFIER;
	return PFX_NONE;
}

static int decode_blocks(struct decoded *d, const uint8_t *p, uint32_t len)
{
	enum prefix pfx = block_prefix(&d->dcp);
	uint32_t off = 0;

	while (off < len) {
		uint32_t blen;

		if (len - off < DCP_BLK_HLEN)
			return anomaly(d, DECODE_A_DCP_BLOCK_TRUNCATED);
		blen = rd16be(p + off + 2);
		if (blen > len - off - DCP_BLK_HLEN)
			return anomaly(d, DECODE_A_DCP_BLOCK_TRUNCATED);
		if (decode_block(d, p + off, blen, pfx))
			return -1;
		/* blocks are padded to an even length */
		off += DCP_BLK_HLEN + blen + (blen & 1);
	}
	return 0;
}

int decode_dcp(const uint8_t *p, uint32_t len, struct decoded *d)
{
	struct decode_dcp *c = &d->dcp;

	c->fields = 0;
	c->nblock = 0;
	c->name_len = c->alias_len = c->type_len = 0;
	c->name_of_station = c->alias = c->type_of_station = NULL;
	if (len < DCP_HLEN)
		return anomaly(d, DECODE_A_DCP_TRUNCATED);
	c->service_id = p[0];
	c->service_type = p[1];
	c->xid = rd32be(p + 2);
	c->response_delay = rd16be(p + 6);
	c->data_len = rd16be(p + 8);
	if (c->service_id < DCP_GET || c->service_id > DCP_HELLO)
		return anomaly(d, DECODE_A_DCP_BAD_SERVICE);
	p += DCP_HLEN;
	len -= DCP_HLEN;
	if (c->data_len > len)
		anomaly(d, DECODE_A_DCP_BAD_LENGTH);
	else
		len = c->data_len;	/* the rest is Ethernet padding */
	if (c->service_id == DCP_GET && c->service_type == TYPE_REQUEST)
		return decode_get_request(d, p, len);
	return decode_blocks(d, p, len) || d->anomalies ? -1 : 0;
}
