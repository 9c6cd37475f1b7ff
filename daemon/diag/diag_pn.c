/*
 * PROFINET: what a device's cyclic frames and alarms say about it.
 *
 * Data status of every cyclic frame: ProviderState STOP, DataValid
 * cleared and the StationProblemIndicator are conditions that start and
 * end with the frames that show them.
 *
 * Cycle counter: each IOCR's frames advance it by SendClockFactor x
 * ReductionRatio (31.25 us units).  The connect request gives that step
 * and the WatchdogFactor; its response the FrameID the device chose (an
 * IOCR seen in a request waits in a small table for it).  Without a
 * connect on the wire the step is learnt from 8 equal advances.  A
 * larger advance that is a multiple of the step is that many frames
 * lost, counted per IOCR and raised as pn.cycle.lost (later gaps within
 * a minute only count in the open alert).
 *
 * A device whose cyclic frames stop for longer than WatchdogFactor update
 * times (the connect's, else 3 times the interval learnt from its frames)
 * has lost its AR, as its controller's watchdog sees it (checked on the
 * capture's own clock, at most every 10 ms of it; the IDS's
 * pn.ar.lost_after_attack says when an attack preceded it).
 *
 * Alarms: diagnosis appears (with the channel error type of a channel
 * diagnosis as text) and disappears, pull and plug.  An alarm whose
 * block length does not fit its PDU is counted as an anomaly and says
 * nothing.
 */
#include <stdio.h>
#include <string.h>

#include "alerts/alerts.h"
#include "diag/diag_int.h"

#define PN_WATCHDOG	3		/* update times of silence: AR lost */
#define PN_SCAN_NS	10000000ULL	/* silence checked this often */
#define PN_MIN_FRAMES	8		/* frames before the interval counts */
#define PN_CC_NS	31250ULL	/* cycle counter unit */
/* beyond this silence the 16-bit cycle counter may have wrapped */
#define PN_CC_WRAP_NS	(65536ULL * PN_CC_NS)
#define PN_GAP_QUIET_NS	60000000000ULL	/* pn.cycle.lost clears after */

static uint16_t be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static struct dpn *pn_get(struct diag *dg, const uint8_t mac[6],
			  uint16_t frame_id)
{
	uint64_t key = mac48(mac) << 16 | frame_id | 1ULL << 63;
	uint64_t h = key * 0x9E3779B97F4A7C15ULL;
	unsigned int i = (unsigned int)(h >> 40) & (DIAG_PN - 1), n, v;
	struct dpn *p;

	for (n = 0; n < DIAG_PN; n++, i = (i + 1) & (DIAG_PN - 1)) {
		v = dg->pn_slot[i];
		if (!v)
			break;
		if (dg->pn[v - 1].key == key)
			return &dg->pn[v - 1];
	}
	/* the index is at most 3/4 full: a free slot ends every probe */
	if (n == DIAG_PN || dg->npn >= DIAG_PN * 3 / 4) {
		dg->ctr.pn_full++;
		return NULL;
	}
	p = &dg->pn[dg->npn++];
	p->key = key;
	memcpy(p->mac, mac, 6);
	p->frame_id = frame_id;
	dg->pn_slot[i] = (uint16_t)dg->npn;
	return p;
}

/* one data-status bit's condition: on when (ds & bit) == on_when */
static void status_bit(struct diag *dg, struct dpn *p, uint8_t was,
		       uint8_t now, uint8_t bit, bool bad_when_set,
		       unsigned int rule, const char *on, const char *off)
{
	char detail[ALERT_DETAIL_MAX], ev[DIAG_EVIDENCE_MAX];
	bool bad_was = !!(was & bit) == bad_when_set;
	bool bad_now = !!(now & bit) == bad_when_set;

	if (bad_was == bad_now && p->have_ds)
		return;
	if (!bad_now && !p->have_ds)
		return;
	diag_fmt(detail, sizeof(detail), "%s (frame ID 0x%04x, cycle "
		 "counter %u)", bad_now ? on : off, p->frame_id,
		 dg->d->pn.cycle_counter);
	diag_fmt(ev, sizeof(ev), "APDU data status 0x%02x, was 0x%02x", now,
		 was);
	diag_emit_dev(dg, rule, p->mac, p->frame_id, !bad_now, detail,
		      bad_now ? ev : NULL);
}

/*
 * System redundancy: the State bit says whether this AR is the primary
 * or the backup of its AR set; a change is a switchover, an event.  A
 * backup AR with the Redundancy bit set says no AR of its set is
 * primary: nobody controls the outputs.  A device without redundancy
 * sends State primary, Redundancy 0, and says nothing here.
 */
static void redundancy(struct diag *dg, struct dpn *p, uint8_t ds)
{
	char detail[ALERT_DETAIL_MAX], ev[DIAG_EVIDENCE_MAX];
	bool no_primary = !(ds & PN_DS_STATE) && (ds & PN_DS_REDUNDANCY);
	bool switched = p->have_ds && (ds ^ p->ds) & PN_DS_STATE;

	/* every cyclic frame comes here: format only on a change */
	if (!switched && no_primary == p->no_primary)
		return;
	diag_fmt(ev, sizeof(ev), "APDU data status 0x%02x, was 0x%02x", ds,
		 p->ds);
	if (switched) {
		diag_fmt(detail, sizeof(detail), "frame ID 0x%04x now %s, was "
			 "%s (cycle counter %u)", p->frame_id,
			 ds & PN_DS_STATE ? "primary" : "backup",
			 ds & PN_DS_STATE ? "backup" : "primary",
			 dg->d->pn.cycle_counter);
		diag_emit_dev(dg, ALERT_R_PN_REDUNDANCY_SWITCH, p->mac,
			      p->frame_id, false, detail, ev);
	}
	if (no_primary == p->no_primary)
		return;
	p->no_primary = no_primary;
	diag_fmt(detail, sizeof(detail), "%s (frame ID 0x%04x, a backup AR)",
		 no_primary ? "the Redundancy bit says no AR of the set is "
		 "primary" : "a primary AR again", p->frame_id);
	diag_emit_dev(dg, ALERT_R_PN_REDUNDANCY_NO_PRIMARY, p->mac,
		      p->frame_id, !no_primary, detail,
		      no_primary ? ev : NULL);
}

static const char *const bad_by[4] = {
	"BAD_BY_SUBSLOT", "BAD_BY_SLOT", "BAD_BY_DEVICE", "BAD_BY_CONTROLLER",
};

/* each submodule's IOPS / IOCS where the connect placed it */
static void submodules(struct diag *dg, struct dpn *p)
{
	const struct decode_pn *pn = &dg->d->pn;
	struct dlayout *L = &dg->lay[p->layout - 1];
	char detail[ALERT_DETAIL_MAX], ev[DIAG_EVIDENCE_MAX];
	unsigned int i;

	if (L->owner != p->key) {	/* taken by a newer connect */
		p->layout = 0;
		return;
	}
	for (i = 0; i < L->n; i++) {
		struct dsub *s = &L->s[i];
		const char *what = s->iocs ? "IOCS" : "IOPS";
		uint64_t key = (uint64_t)p->frame_id << 33 |
			       (uint64_t)s->iocs << 32 |
			       (uint64_t)s->slot << 16 | s->subslot;
		uint8_t b;
		bool bad;

		if (s->pos >= pn->payload_len)
			continue;
		b = pn->payload[s->pos];
		bad = !(b & 0x80);
		if (s->known ? bad == s->bad : !bad) {
			s->known = 1;
			continue;
		}
		s->known = 1;
		s->bad = bad;
		if (bad)
			diag_fmt(detail, sizeof(detail), "slot %u subslot "
				 "0x%04x: %s %s (%s 0x%02x)", s->slot,
				 s->subslot, s->iocs ? "consumer status" :
				 "provider status", bad_by[b >> 5 & 3], what,
				 b);
		else
			diag_fmt(detail, sizeof(detail), "slot %u subslot "
				 "0x%04x: %s GOOD again", s->slot, s->subslot,
				 what);
		diag_fmt(ev, sizeof(ev), "%s at C_SDU byte %u of frame ID "
			 "0x%04x from %02x:%02x:%02x:%02x:%02x:%02x, placed "
			 "by the connect request's IOCR", what, s->pos,
			 p->frame_id, p->mac[0], p->mac[1], p->mac[2],
			 p->mac[3], p->mac[4], p->mac[5]);
		diag_emit_dev(dg, ALERT_R_PN_SUBMODULE_BAD, L->dev, key, !bad,
			      detail, bad ? ev : NULL);
	}
}

/* n frames lost before cycle counter cc: a finding, or a repeat of the
 * open one */
static void __attribute__((noinline)) cc_lost(struct diag *dg, struct dpn *p,
					      uint16_t cc, uint64_t n)
{
	char detail[ALERT_DETAIL_MAX], ev[DIAG_EVIDENCE_MAX];

	p->lost_frames += n;
	dg->ctr.pn_lost += n;
	if (p->gap_ts && dg->ts - p->gap_ts < PN_GAP_QUIET_NS) {
		diag_repeat_dev(dg, ALERT_R_PN_CYCLE_LOST, p->mac, p->frame_id);
		p->gap_ts = dg->ts;
		return;
	}
	p->gap_ts = dg->ts;
	diag_fmt(detail, sizeof(detail), "%llu frame%s 0x%04x lost (cycle "
		 "counter %u after %u, step %u)", (unsigned long long)n,
		 n == 1 ? "" : "s", p->frame_id, cc, p->cc, p->cc_step);
	diag_fmt(ev, sizeof(ev), "step %u x 31.25 us %s; lost since first "
		 "seen: %llu", p->cc_step, p->from_cr & 2 ?
		 "(SendClockFactor x ReductionRatio of the connect request)" :
		 "(learnt from 8 equal advances)",
		 (unsigned long long)p->lost_frames);
	diag_emit_dev(dg, ALERT_R_PN_CYCLE_LOST, p->mac, p->frame_id, false,
		      detail, ev);
}

/* frames lost between two of an IOCR's frames, from the cycle counter */
static void cc_gap(struct diag *dg, struct dpn *p, uint16_t cc)
{
	uint16_t delta = (uint16_t)(cc - p->cc);

	if (p->cc_step && delta == p->cc_step) {
		p->cc_votes = 0;
		return;
	}
	if (!p->cc_step || !delta || delta % p->cc_step) {
		/* not the step nor a multiple: learn a new one from 8
		 * equal advances (a connect's step that the device does
		 * not follow is given up the same way) */
		if (delta && delta == p->cc_cand) {
			if (++p->cc_votes >= PN_MIN_FRAMES) {
				p->cc_step = delta;
				p->from_cr &= (uint8_t)~2;
				p->cc_votes = 0;
			}
		} else {
			p->cc_cand = delta;
			p->cc_votes = 1;
		}
		return;
	}
	p->cc_votes = 0;
	cc_lost(dg, p, cc, delta / p->cc_step - 1);
}

/* p's frames again after its AR was reported lost */
static void __attribute__((noinline)) resumed(struct diag *dg, struct dpn *p)
{
	char detail[ALERT_DETAIL_MAX];

	p->lost = 0;
	diag_fmt(detail, sizeof(detail), "frames 0x%04x resumed", p->frame_id);
	diag_emit_dev(dg, ALERT_R_PN_AR_LOST, p->mac, p->frame_id, true,
		      detail, NULL);
}

/* a data status unlike the last one: its bits' conditions and events */
static void __attribute__((noinline)) data_status(struct diag *dg,
						  struct dpn *p, uint8_t ds)
{
	status_bit(dg, p, p->ds, ds, PN_DS_RUN, false, ALERT_R_PN_PROVIDER_STOP,
		   "provider state STOP", "provider state RUN again");
	status_bit(dg, p, p->ds, ds, PN_DS_VALID, false,
		   ALERT_R_PN_DATA_INVALID, "DataValid cleared",
		   "data valid again");
	status_bit(dg, p, p->ds, ds, PN_DS_STATION_OK, false,
		   ALERT_R_PN_STATION_PROBLEM, "StationProblemIndicator set "
		   "(a diagnosis is pending)", "station problem gone");
	redundancy(dg, p, ds);
	p->ds = ds;
	p->have_ds = 1;
}

/*
 * The silence after which p's AR is lost (WatchdogFactor x update time,
 * ns); 0 while neither a connect nor PN_MIN_FRAMES intervals gave it.
 */
static uint64_t silence_limit(const struct dpn *p)
{
	if (p->from_cr & 1)
		return p->watchdog * p->cr_period;
	if (p->frames >= PN_MIN_FRAMES)
		return PN_WATCHDOG * p->period;
	return 0;
}

static void cyclic(struct diag *dg)
{
	const struct decode_pn *pn = &dg->d->pn;
	struct dpn *p;
	uint64_t wd;
	uint8_t ds;

	if (!pn->has_status)
		return;
	p = pn_get(dg, dg->d->src, pn->frame_id);
	if (!p)
		return;
	dg->ctr.pn_frames++;
	if (p->last_ts && dg->ts > p->last_ts) {
		uint64_t iv = dg->ts - p->last_ts;

		/* the update time: a slow average of the intervals near
		 * it; a late frame's long and short intervals, and the
		 * gaps of lost frames, fall outside and are left out */
		if (!p->period)
			p->period = iv;
		else if (iv > p->period / 2 && iv < p->period * 2)
			p->period = p->period - p->period / 16 + iv / 16;
		if (p->frames < PN_MIN_FRAMES)
			p->frames++;
	}
	if (p->have_cc && !p->lost && dg->ts >= p->last_ts &&
	    dg->ts - p->last_ts < PN_CC_WRAP_NS)
		cc_gap(dg, p, pn->cycle_counter);
	p->cc = pn->cycle_counter;
	p->have_cc = 1;
	if (p->lost)
		resumed(dg, p);
	p->last_ts = dg->ts;
	wd = silence_limit(p);
	if (wd && p->last_ts + wd < dg->pn_due)
		dg->pn_due = p->last_ts + wd;
	ds = pn->data_status;
	if (ds & PN_DS_IGNORE)
		return;
	/* nearly every frame repeats the last data status: nothing new */
	if (!p->have_ds || ds != p->ds)
		data_status(dg, p, ds);
	/* a stopped provider's or invalid data's status bytes say nothing
	 * more than its data status already did */
	if (p->layout && pn->payload && (ds & PN_DS_RUN) && (ds & PN_DS_VALID))
		submodules(dg, p);
}

/*
 * Devices silent for WatchdogFactor update times: their AR is lost.
 * Every cyclic frame moves its sender's deadline and lowers pn_due to it
 * when earlier, so the used senders are only scanned once the earliest
 * deadline has passed (and at most every PN_SCAN_NS), not per frame.
 */
static void silence_scan(struct diag *dg)
{
	char detail[ALERT_DETAIL_MAX], ev[DIAG_EVIDENCE_MAX];
	uint64_t due = UINT64_MAX, wd;
	size_t i;

	dg->pn_scan_ts = dg->ts;
	for (i = 0; i < dg->npn; i++) {
		struct dpn *p = &dg->pn[i];

		if (p->lost || !p->last_ts)
			continue;
		wd = silence_limit(p);
		if (!wd)
			continue;
		if (dg->ts < p->last_ts || dg->ts - p->last_ts <= wd) {
			if (p->last_ts + wd < due)
				due = p->last_ts + wd;
			continue;
		}
		p->lost = 1;
		diag_fmt(detail, sizeof(detail), "no frame 0x%04x for %llu ms "
			 "(more than %llu x its %llu us update time)",
			 p->frame_id,
			 (unsigned long long)((dg->ts - p->last_ts) / 1000000),
			 (unsigned long long)(p->from_cr & 1 ? p->watchdog :
					      PN_WATCHDOG),
			 (unsigned long long)((p->from_cr & 1 ? p->cr_period :
					       p->period) / 1000));
		diag_fmt(ev, sizeof(ev), "last cyclic frame at %llu ns; %s",
			 (unsigned long long)p->last_ts, p->from_cr & 1 ?
			 "WatchdogFactor and update time (SendClockFactor x "
			 "ReductionRatio x 31.25 us) of the connect request" :
			 "WatchdogFactor 3 (the default) times the update "
			 "time learnt from its frames");
		diag_emit_dev(dg, ALERT_R_PN_AR_LOST, p->mac, p->frame_id,
			      false, detail, ev);
	}
	dg->pn_due = due;
}

static void silence(struct diag *dg)
{
	if (dg->ts > dg->pn_due && dg->ts >= dg->pn_scan_ts + PN_SCAN_NS)
		silence_scan(dg);
}

/* the channel diagnosis after the AlarmNotification, or "" */
static int channel(struct diag *dg, char *buf, size_t len)
{
	const struct decoded *d = dg->d;
	const struct decode_alarm *a = &d->alarm;
	const uint8_t *blk;
	uint32_t end, blen;
	const char *t;
	uint16_t cet;

	buf[0] = 0;
	/* FrameID, RTA header (12), then the block */
	if (d->l3_len < 2 + 12 + 4)
		return 0;
	blk = d->l3 + 14;
	blen = be16(blk + 2);
	if (4 + blen > a->var_len || a->var_len > d->l3_len - 14) {
		dg->ctr.bad_alarm++;
		return -1;
	}
	end = 4 + blen;
	/* block header 6, notification 20, USI 2, channel 2 + 2 + 2 */
	if (end < 26 + 2 || be16(blk + 26) != 0x8000)
		return 0;
	if (end < 26 + 2 + 6) {
		dg->ctr.bad_alarm++;
		return -1;
	}
	cet = be16(blk + 32);
	t = diag_channel_error_text(cet);
	if (t)
		diag_fmt(buf, len, ", channel %u: %s", be16(blk + 28), t);
	else
		diag_fmt(buf, len, ", channel %u: error type 0x%04x",
			 be16(blk + 28), cet);
	return 0;
}

static void alarm(struct diag *dg)
{
	const struct decode_alarm *a = &dg->d->alarm;
	char detail[ALERT_DETAIL_MAX], ev[DIAG_EVIDENCE_MAX], ch[80];
	uint64_t key = (uint64_t)a->slot << 16 | a->subslot;
	const char *t;

	if (!a->has_notification || dg->d->anomalies)
		return;
	dg->ctr.pn_alarms++;
	if (channel(dg, ch, sizeof(ch)))
		return;
	t = diag_alarm_type_text(a->alarm_type);
	diag_fmt(detail, sizeof(detail), "slot %u subslot 0x%04x%s", a->slot,
		 a->subslot, ch);
	diag_fmt(ev, sizeof(ev), "%s alarm (type 0x%04x), %s priority, "
		 "module 0x%08x, submodule 0x%08x, specifier 0x%04x",
		 t ? t : "unknown", a->alarm_type,
		 a->block_type == 1 ? "high" : "low", a->module_ident,
		 a->submodule_ident, a->alarm_specifier);
	switch (a->alarm_type) {
	case 0x0001:
		diag_emit_dev(dg, ALERT_R_PN_ALARM_DIAG, dg->d->src, key, false,
			      detail, ev);
		break;
	case 0x000C:
		diag_emit_dev(dg, ALERT_R_PN_ALARM_DIAG, dg->d->src, key, true,
			      detail, ev);
		break;
	case 0x0003:
	case 0x0017:
		diag_emit_dev(dg, ALERT_R_PN_ALARM_PULL, dg->d->src, key, false,
			      detail, ev);
		break;
	case 0x0004:
	case 0x000B:
		diag_emit_dev(dg, ALERT_R_PN_ALARM_PULL, dg->d->src, key, true,
			      detail, ev);
		break;
	default:
		break;
	}
}

/* the cycle of an IOCR whose FrameID is known, to its sender */
static void cr_apply(struct diag *dg, const struct dcr *e)
{
	const uint8_t *sender;
	struct dpn *p;

	/* input and multicast provider CRs: the device sends; output:
	 * the controller; a multicast consumer's provider is elsewhere */
	if (e->type == 1 || e->type == 3)
		sender = e->dev;
	else if (e->type == 2)
		sender = e->ctrl;
	else
		return;
	if (e->frame_id < 0x0100 || e->frame_id >= 0xFC00 || !e->step)
		return;
	p = pn_get(dg, sender, e->frame_id);
	if (!p)
		return;
	dg->ctr.pn_connects++;
	/* a new AR: its cycle counter starts anew */
	p->cc_step = e->step;
	p->cc_votes = 0;
	p->have_cc = 0;
	p->from_cr = 3;
	p->watchdog = e->watchdog ? e->watchdog : PN_WATCHDOG;
	p->cr_period = e->step * PN_CC_NS;
	if (p->last_ts && p->last_ts + silence_limit(p) < dg->pn_due)
		dg->pn_due = p->last_ts + silence_limit(p);
	if (e->lay.n) {
		struct dlayout *L;

		if (!p->layout || dg->lay[p->layout - 1].owner != p->key) {
			/* the oldest layout goes to the new IOCR */
			p->layout = (uint16_t)(dg->lay_next + 1);
			dg->lay_next = (dg->lay_next + 1) % DIAG_LAYOUT;
		}
		L = &dg->lay[p->layout - 1];
		*L = e->lay;
		L->owner = p->key;
		dg->ctr.pn_layouts++;
	}
}

/* the submodule's input (or output) data length, -1 when not listed */
static int sub_len(const struct decode_cm *c, uint16_t slot, uint16_t subslot,
		   bool output)
{
	unsigned int i;

	for (i = 0; i < c->nsub && i < DECODE_CM_SUB; i++)
		if (c->sub[i].slot == slot && c->sub[i].subslot == subslot)
			return output ? c->sub[i].out_len : c->sub[i].in_len;
	return -1;
}

/*
 * The status byte of each submodule: an IOCS at its FrameOffset; an
 * IOPS right after the data object's data, whose length the request's
 * ExpectedSubmoduleBlockReq gives (input data in an input CR, output
 * data in an output CR).  A submodule it does not list stays unplaced.
 */
static void cr_layout(struct diag *dg, struct dcr *e,
		      const struct decode_cm *c, const struct decode_iocr *r)
{
	struct dlayout *L = &e->lay;
	unsigned int i;
	int len;

	memset(L, 0, sizeof(*L));
	if (r->io_cut) {
		dg->ctr.pn_layout_full++;
		return;
	}
	memcpy(L->dev, e->dev, 6);
	for (i = 0; i < r->nio && i < DECODE_CM_IO; i++) {
		struct dsub *s = &L->s[L->n];
		uint32_t pos;

		s->slot = r->io[i].slot;
		s->subslot = r->io[i].subslot;
		s->iocs = r->io[i].iocs;
		pos = r->io[i].offset;
		if (!s->iocs) {
			len = sub_len(c, s->slot, s->subslot, r->type == 2 ||
				      r->type == 4);
			pos = len < 0 ? 0xFFFF : pos + (uint32_t)len;
		}
		s->pos = pos < r->data_len ? (uint16_t)pos : 0xFFFF;
		L->n++;
	}
}

static struct dcr *cr_find(struct diag *dg, const uint8_t ctrl[6],
			   const uint8_t dev[6], uint16_t ref, bool add)
{
	struct dcr *e;
	unsigned int i;

	for (i = 0; i < DIAG_CR; i++) {
		e = &dg->cr[i];
		if (e->used && e->ref == ref && !memcmp(e->ctrl, ctrl, 6) &&
		    !memcmp(e->dev, dev, 6))
			return e;
	}
	if (!add)
		return NULL;
	/* the oldest goes: a connect is answered within a second */
	e = &dg->cr[dg->cr_next];
	dg->cr_next = (dg->cr_next + 1) % DIAG_CR;
	memset(e, 0, sizeof(*e));
	e->used = 1;
	memcpy(e->ctrl, ctrl, 6);
	memcpy(e->dev, dev, 6);
	e->ref = ref;
	return e;
}

/* PNIO-CM connect: request (controller to device) and its response */
static void connect(struct diag *dg)
{
	const struct decoded *d = dg->d;
	const struct decode_cm *c = &d->cm;
	unsigned int i;

	if (c->opnum != CM_CONNECT || c->iface != 1 || d->anomalies)
		return;
	for (i = 0; i < c->niocr && i < DECODE_CM_IOCR; i++) {
		const struct decode_iocr *r = &c->iocr[i];
		struct dcr *e;

		if (c->rpc_type == 0 && !r->res) {
			e = cr_find(dg, d->src, d->dst, r->ref, true);
			e->type = r->type;
			e->frame_id = r->frame_id;
			e->step = (uint16_t)(r->send_clock * r->reduction);
			if (r->send_clock && e->step / r->send_clock !=
			    r->reduction)
				e->step = 0;	/* beyond the counter */
			e->watchdog = r->watchdog;
			cr_layout(dg, e, c, r);
		} else if (c->rpc_type == 2 && r->res) {
			e = cr_find(dg, d->dst, d->src, r->ref, false);
			if (!e)
				continue;
			e->frame_id = r->frame_id;
		} else {
			continue;
		}
		cr_apply(dg, e);
	}
}

void diag_pn(struct diag *dg)
{
	if (dg->d->proto == DECODE_PN_RT)
		cyclic(dg);
	else if (dg->d->proto == DECODE_PN_ALARM)
		alarm(dg);
	else if (dg->d->proto == DECODE_PNIO_CM)
		connect(dg);
	silence(dg);
}
