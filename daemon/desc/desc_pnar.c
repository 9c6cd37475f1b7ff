/*
 * PROFINET stations' layouts from their connect requests (pnar.h).  A
 * connect request to a device (PNIO-CM, opnum 0) lists, in its
 * ExpectedSubmoduleBlockReq, the module and submodule ident numbers of
 * each slot and subslot, and in its input IOCRBlockReq where each
 * submodule's IODataObject starts in the cyclic frame.  It is kept by
 * its activity UUID until the device answers: PNIO status OK makes it
 * the station's layout, on the input IOCR's FrameID (the response's
 * IOCRBlockRes, which assigns it, else the request's).  A refused or
 * unanswered connect changes nothing.
 */
#include <stdlib.h>
#include <string.h>

#include "decode/decode.h"
#include "desc/pnar_int.h"

#define CM_CONNECT_OP	0
#define RPC_REQ		0
#define RPC_RES		2
#define IOCR_INPUT	1

struct pnar *pnar_new(void)
{
	return calloc(1, sizeof(struct pnar));
}

void pnar_free(struct pnar *p)
{
	free(p);
}

void pnar_get_counters(const struct pnar *p, struct pnar_counters *out)
{
	*out = p->ctr;
}

/* the input IOCR's data objects joined with the expected submodules */
static void request(struct pnar *p, const struct decoded *d)
{
	const struct decode_cm *c = &d->cm;
	const struct decode_iocr *r = NULL;
	struct pending *q = &p->pend[0];
	unsigned int i, k;

	for (i = 0; i < c->niocr && i < DECODE_CM_IOCR; i++)
		if (!c->iocr[i].res && c->iocr[i].type == IOCR_INPUT) {
			r = &c->iocr[i];
			break;
		}
	if (!r || !c->nsub)
		return;
	p->ctr.connects++;
	for (i = 0; i < PNAR_PENDING; i++) {
		if (!memcmp(p->pend[i].activity, c->activity, 16)) {
			q = &p->pend[i];
			break;
		}
		if (p->pend[i].seq < q->seq)
			q = &p->pend[i];
	}
	if (i == PNAR_PENDING && q->seq)
		p->ctr.pending_full++;
	memset(q, 0, sizeof(*q));
	memcpy(q->activity, c->activity, 16);
	q->seq = ++p->seq;
	memcpy(q->l.mac, d->dst, 6);
	q->l.frame_id = r->frame_id;
	q->l.ref = r->ref;
	for (i = 0; i < r->nio && i < DECODE_CM_IO; i++) {
		const struct decode_iocr_io *io = &r->io[i];

		if (io->iocs || q->l.nsub >= PNAR_SUBS)
			continue;
		for (k = 0; k < c->nsub && k < DECODE_CM_SUB; k++) {
			const struct decode_cm_sub *s = &c->sub[k];
			struct desc_pn_sub *o;

			if (s->slot != io->slot || s->subslot != io->subslot ||
			    !s->in_len)
				continue;
			o = &q->l.sub[q->l.nsub++];
			o->slot = s->slot;
			o->subslot = s->subslot;
			o->module = s->module;
			o->submodule = s->submodule;
			o->offset = io->offset;
			break;
		}
	}
}

/* an OK response: the pending connect becomes its device's layout */
static bool response(struct pnar *p, const struct decoded *d)
{
	const struct decode_cm *c = &d->cm;
	struct layout *to = NULL, *free_l = NULL;
	struct pending *q = NULL;
	unsigned int i;
	bool changed;

	for (i = 0; i < PNAR_PENDING && !q; i++)
		if (p->pend[i].seq &&
		    !memcmp(p->pend[i].activity, c->activity, 16))
			q = &p->pend[i];
	if (!q)
		return false;
	if (!c->has_status || c->pnio_status) {
		memset(q, 0, sizeof(*q));
		return false;
	}
	for (i = 0; i < c->niocr && i < DECODE_CM_IOCR; i++)
		if (c->iocr[i].res && c->iocr[i].type == IOCR_INPUT &&
		    c->iocr[i].ref == q->l.ref)
			q->l.frame_id = c->iocr[i].frame_id;
	q->l.used = 1;
	for (i = 0; i < PNAR_DEVICES && !to; i++) {
		if (p->dev[i].used && !memcmp(p->dev[i].mac, q->l.mac, 6))
			to = &p->dev[i];
		else if (!p->dev[i].used && !free_l)
			free_l = &p->dev[i];
	}
	if (!to)
		to = free_l;
	if (!to) {
		p->ctr.devices_full++;
		memset(q, 0, sizeof(*q));
		return false;
	}
	changed = memcmp(to, &q->l, sizeof(*to)) != 0;
	*to = q->l;
	memset(q, 0, sizeof(*q));
	if (changed)
		p->ctr.layouts++;
	return changed;
}

bool pnar_frame(struct pnar *p, const struct decoded *d)
{
	const struct decode_cm *c = &d->cm;

	if (d->proto != DECODE_PNIO_CM || c->opnum != CM_CONNECT_OP ||
	    !c->iface)
		return false;
	if (c->rpc_type == RPC_REQ)
		request(p, d);
	else if (c->rpc_type == RPC_RES)
		return response(p, d);
	return false;
}
