/*
 * Live DCP: answer Identify, Get and Set (NameOfStation, IP, Signal)
 * requests received on the interface as the simulated devices would.
 * Every field is bounds-checked; a malformed request is counted and
 * dropped.
 */
#include <stdio.h>
#include <string.h>

#include "engine.h"

#define DCP_HDR		10U	/* service, type, xid, delay, length */
#define DCP_MAX_BLOCKS	32U

struct dcp_req {
	const uint8_t *src;	/* requester MAC */
	const uint8_t *dst;
	uint16_t frame_id;
	uint8_t service, type;
	uint32_t xid;
	const uint8_t *data;	/* blocks */
	uint16_t len;
	const uint8_t *tags;	/* its VLAN tags, outer first */
	uint32_t tags_len;	/* 0, 4 or 8 bytes */
};

#define DCP_MAX_TAGS	2	/* 802.1Q, or 802.1ad outside it */

static bool vlan_tpid(uint16_t t)
{
	return t == 0x8100 || t == 0x88a8 || t == 0x9100;
}

/*
 * Ethernet (untagged, 802.1Q or QinQ tagged) → DCP header; -1 malformed,
 * 0 not DCP
 */
static int parse_dcp(const uint8_t *f, uint32_t len, struct dcp_req *r)
{
	uint32_t off = 12, n = 0;
	uint16_t type;

	if (len < 14)
		return -1;
	r->tags = f + off;
	type = get_be16(f + off);
	while (vlan_tpid(type)) {
		if (++n > DCP_MAX_TAGS)
			return 0;
		off += 4;
		if (len < off + 2)
			return -1;
		type = get_be16(f + off);
	}
	r->tags_len = off - 12;
	if (type != ETHERTYPE_PN)
		return 0;
	off += 2;
	if (len < off + 2)
		return -1;
	r->frame_id = get_be16(f + off);
	if (r->frame_id != PN_FRAME_DCP_IDENT_REQ &&
	    r->frame_id != PN_FRAME_DCP_GETSET)
		return 0;
	off += 2;
	if (len < off + DCP_HDR)
		return -1;
	r->dst = f;
	r->src = f + 6;
	r->service = f[off];
	r->type = f[off + 1];
	r->xid = (uint32_t)get_be16(f + off + 2) << 16 | get_be16(f + off + 4);
	r->len = get_be16(f + off + 8);
	r->data = f + off + DCP_HDR;
	if (r->len > len - off - DCP_HDR)
		return -1;
	return r->type == DCP_REQUEST ? 1 : 0;
}

/*
 * An answer goes back in the request's VLAN, with its tags (a device
 * answers where it was asked; a tagged frame is not tagged again by the
 * scenario's profinet_vlan).
 */
static void answer_commit(struct sim_engine *e, struct sim_qframe *f,
			  uint32_t len, const struct dcp_req *r)
{
	if (r->tags_len && len >= 12) {
		memmove(f->data + 12 + r->tags_len, f->data + 12, len - 12);
		memcpy(f->data + 12, r->tags, r->tags_len);
		len += r->tags_len;
	}
	engine_queue_commit(e, f, len);
}

/* Walk the blocks: fn gets option, suboption, body, body length. */
static int each_block(const struct dcp_req *r,
		      int (*fn)(void *ctx, uint8_t opt, uint8_t sub,
				const uint8_t *body, uint16_t blen),
		      void *ctx)
{
	uint32_t off = 0, n = 0;
	uint16_t blen;
	int rc;

	while (off < r->len) {
		if (r->len - off < 4 || ++n > DCP_MAX_BLOCKS)
			return -1;
		blen = get_be16(r->data + off + 2);
		if (blen > r->len - off - 4)
			return -1;
		rc = fn(ctx, r->data[off], r->data[off + 1], r->data + off + 4,
			blen);
		if (rc)
			return rc;
		off += 4U + blen + (blen & 1);
	}
	return 0;
}

struct match_ctx {
	const struct sim_device *d;
	bool match;
};

static int match_filter(void *ctx, uint8_t opt, uint8_t sub,
			const uint8_t *b, uint16_t blen)
{
	struct match_ctx *m = ctx;
	const struct sim_device *d = m->d;
	uint16_t which = (uint16_t)(opt << 8 | sub);

	switch (which) {
	case 0xffff:
		break;
	case 0x0202:
		m->match &= blen == strlen(d->name) &&
			    !memcmp(b, d->name, blen);
		break;
	case 0x0201:
		m->match &= blen == strlen(d->type) &&
			    !memcmp(b, d->type, blen);
		break;
	case 0x0203:
		m->match &= blen == 4 && get_be16(b) == d->vendor_id &&
			    get_be16(b + 2) == d->device_id;
		break;
	case 0x0102:
		m->match &= blen >= 4 && !memcmp(b, &d->ip, 4);
		break;
	default:	/* a filter we do not hold never matches */
		m->match = false;
	}
	return 0;
}

static int answer_identify(struct sim_engine *e, uint64_t now,
			   const struct dcp_req *r)
{
	uint32_t i, n = 0;
	struct sim_qframe *f;

	if (r->service != DCP_IDENTIFY)
		return 0;
	for (i = 0; i < e->sc->ndevices; i++) {
		struct match_ctx m = { .d = &e->dev[i], .match = true };

		if (!engine_device_present(e, i))
			continue;
		if (each_block(r, match_filter, &m) < 0)
			return -1;
		if (!m.match)
			continue;
		f = engine_frame(e, now);
		answer_commit(e, f, pn_dcp_identity(f->data, &e->dev[i],
						    r->src, r->xid,
						    DCP_IDENTIFY), r);
		n++;
	}
	return (int)n;
}

struct set_ctx {
	struct sim_device *d;
	uint8_t res[DCP_MAX_BLOCKS][3];
	uint32_t n;
};

static bool station_name_ok(const uint8_t *b, uint16_t len)
{
	uint16_t i;

	if (!len || len >= SIM_NAME_MAX)
		return false;
	for (i = 0; i < len; i++)
		if (!((b[i] >= 'a' && b[i] <= 'z') ||
		      (b[i] >= '0' && b[i] <= '9') || b[i] == '-' ||
		      b[i] == '.'))
			return false;
	return true;
}

/* Set blocks carry a 2-byte BlockQualifier before the value. */
static int apply_set(void *ctx, uint8_t opt, uint8_t sub, const uint8_t *b,
		     uint16_t blen)
{
	struct set_ctx *s = ctx;
	uint16_t which = (uint16_t)(opt << 8 | sub);
	uint8_t err = 0;

	if (blen < 2)
		return -1;
	b += 2;
	blen -= 2;
	switch (which) {
	case 0x0202:
		if (!station_name_ok(b, blen)) {
			err = 5;	/* not possible: bad name */
			break;
		}
		memcpy(s->d->name, b, blen);
		s->d->name[blen] = '\0';
		break;
	case 0x0102:
		if (blen != 12) {
			err = 5;
			break;
		}
		memcpy(&s->d->ip, b, 4);
		memcpy(&s->d->mask, b + 4, 4);
		memcpy(&s->d->gateway, b + 8, 4);
		break;
	case 0x0503:	/* Signal: flash the LED */
		fprintf(stderr, "iiot-sim: device %s: DCP Signal (flash)\n",
			s->d->name);
		break;
	case 0x0505:	/* FactoryReset, and its successor ResetToFactory */
	case 0x0506:	/* mode 2 (communication parameters) and up: */
		if (which == 0x0506 && (get_be16(b - 2) >> 1) < 2)
			break;	/* mode 1: application data, none here */
		fprintf(stderr, "iiot-sim: device %s: DCP reset to factory\n",
			s->d->name);
		s->d->name[0] = '\0';
		memset(&s->d->ip, 0, 4);
		memset(&s->d->mask, 0, 4);
		memset(&s->d->gateway, 0, 4);
		break;
	case 0x0501:
	case 0x0502:
		break;
	default:
		err = 1;	/* option not supported */
	}
	if (s->n < DCP_MAX_BLOCKS) {
		s->res[s->n][0] = opt;
		s->res[s->n][1] = sub;
		s->res[s->n][2] = err;
		s->n++;
	}
	return 0;
}

static int answer_set(struct sim_engine *e, uint64_t now, uint32_t d,
		      const struct dcp_req *r)
{
	struct set_ctx s = { .d = &e->dev[d] };
	struct sim_device before = e->dev[d];
	struct sim_qframe *f;

	if (each_block(r, apply_set, &s) < 0) {
		e->dev[d] = before;	/* all or nothing */
		return -1;
	}
	f = engine_frame(e, now);
	answer_commit(e, f, pn_dcp_set_rsp(f->data, &e->dev[d], r->src,
					   r->xid,
					   (const uint8_t (*)[3])s.res, s.n),
		      r);
	return 1;
}

static int answer_get(struct sim_engine *e, uint64_t now, uint32_t d,
		      const struct dcp_req *r)
{
	uint8_t opts[DCP_MAX_BLOCKS][2];
	uint32_t n = r->len / 2, i;
	struct sim_qframe *f;

	if (r->len % 2 || n > DCP_MAX_BLOCKS)
		return -1;
	for (i = 0; i < n; i++) {
		opts[i][0] = r->data[2 * i];
		opts[i][1] = r->data[2 * i + 1];
	}
	f = engine_frame(e, now);
	answer_commit(e, f, pn_dcp_get_rsp(f->data, &e->dev[d], r->src,
					   r->xid,
					   (const uint8_t (*)[2])opts, n), r);
	return 1;
}

static bool from_us(const struct sim_engine *e, const uint8_t *mac)
{
	const struct sim_scenario *sc = e->sc;
	uint32_t i;

	for (i = 0; i < sc->nctrls; i++)
		if (!memcmp(sc->ctrls[i].mac, mac, 6))
			return true;
	for (i = 0; i < sc->ndevices; i++)
		if (!memcmp(e->dev[i].mac, mac, 6))
			return true;
	for (i = 0; i < sc->nfaults; i++)
		if (sc->faults[i].kind == FAULT_DCP_SET &&
		    !memcmp(sc->faults[i].mac, mac, 6))
			return true;
	return false;
}

static int dispatch(struct sim_engine *e, uint64_t now,
		    const struct dcp_req *r)
{
	uint32_t i;

	if (r->frame_id == PN_FRAME_DCP_IDENT_REQ)
		return answer_identify(e, now, r);
	for (i = 0; i < e->sc->ndevices; i++) {
		if (memcmp(e->dev[i].mac, r->dst, 6) ||
		    !engine_device_present(e, i))
			continue;
		if (r->service == DCP_SET)
			return answer_set(e, now, i, r);
		if (r->service == DCP_GET)
			return answer_get(e, now, i, r);
		return 0;
	}
	return 0;
}

int engine_receive(struct sim_engine *e, uint64_t now, const uint8_t *frame,
		   uint32_t len)
{
	struct dcp_req r;
	int rc = parse_dcp(frame, len, &r);

	if (rc > 0 && from_us(e, r.src))
		rc = 0;		/* our own traffic, looped back */
	if (rc > 0) {
		e->now = now > e->now ? now : e->now;
		rc = dispatch(e, e->now, &r);
	}
	if (rc < 0)
		e->dcp_bad++;
	else if (rc > 0)
		e->dcp_answered += (uint64_t)rc;
	else
		e->dcp_ignored++;
	return rc;
}
