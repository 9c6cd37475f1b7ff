/* The engine's timeline: event heap, ordered output queue, faults. */
#include <stdlib.h>
#include <string.h>

#include "engine.h"

/* Start-up of PROFINET devices: after the controller's Identify. */
#define PN_CYCLIC_START_NS	20000000ULL

static bool ev_before(const struct sim_event *a, const struct sim_event *b)
{
	if (a->t != b->t)
		return a->t < b->t;
	if (a->kind != b->kind)
		return a->kind < b->kind;
	return a->idx < b->idx;
}

void engine_schedule(struct sim_engine *e, uint64_t t, enum ev_kind kind,
		     uint32_t idx)
{
	struct sim_event v = { .t = t, .kind = kind, .idx = idx }, tmp;
	uint32_t i, parent;

	if (e->nev == e->cap_ev) {
		/* sized in engine_new: one event per entity at most */
		return;
	}
	i = e->nev++;
	e->ev[i] = v;
	while (i && ev_before(&e->ev[i], &e->ev[parent = (i - 1) / 2])) {
		tmp = e->ev[i];
		e->ev[i] = e->ev[parent];
		e->ev[parent] = tmp;
		i = parent;
	}
}

static struct sim_event ev_pop(struct sim_engine *e)
{
	struct sim_event top = e->ev[0], tmp;
	uint32_t i = 0, l, m;

	e->ev[0] = e->ev[--e->nev];
	for (;;) {
		l = 2 * i + 1;
		m = i;
		if (l < e->nev && ev_before(&e->ev[l], &e->ev[m]))
			m = l;
		if (l + 1 < e->nev && ev_before(&e->ev[l + 1], &e->ev[m]))
			m = l + 1;
		if (m == i)
			break;
		tmp = e->ev[i];
		e->ev[i] = e->ev[m];
		e->ev[m] = tmp;
		i = m;
	}
	return top;
}

/*
 * 802.1Q priority of a PROFINET frame as IO controllers and devices tag
 * them: RT and high alarms 6, low alarms 5, DCP 0.
 */
static uint8_t pn_priority(uint16_t frame_id)
{
	if (frame_id == PN_FRAME_ALARM_LOW)
		return 5;
	if (frame_id >= PN_FRAME_DCP_HELLO)
		return 0;
	return 6;
}

uint32_t frame_tag_tpid(uint8_t *buf, uint32_t len, uint16_t tpid,
			uint16_t vid, uint8_t pcp)
{
	memmove(buf + 16, buf + 12, len - 12);
	put_be16(buf + 12, tpid);
	put_be16(buf + 14, (uint16_t)(pcp << 13 | (vid & 0x0fff)));
	return len + 4;
}

uint32_t frame_tag(uint8_t *buf, uint32_t len, uint16_t vid, uint8_t pcp)
{
	return frame_tag_tpid(buf, len, 0x8100, vid, pcp);
}

/*
 * --vlan, --qinq: tags added as the frame leaves, after every builder
 * (an EtherCAT return is built from a copy of its request's bytes).
 * A frame already tagged (profinet_vlan, an attacker's own VID) keeps
 * its 802.1Q tag; the service tag goes outside whatever is there.
 */
static uint32_t wire_tags(const struct sim_scenario *sc, uint8_t *b,
			  uint32_t len)
{
	uint16_t type = get_be16(b + 12);
	uint8_t pcp;

	if (sc->all_tagged && type != 0x8100 && type != 0x88a8)
		len = frame_tag(b, len, sc->all_vlan, type == ETHERTYPE_PN ?
				pn_priority(get_be16(b + 14)) : 0);
	if (sc->qinq && get_be16(b + 12) != 0x88a8) {
		pcp = get_be16(b + 12) == 0x8100 ? b[14] >> 5 : 0;
		len = frame_tag_tpid(b, len, 0x88a8, sc->s_vlan, pcp);
	}
	return len;
}

static void attack_seen(struct sim_engine *e, const struct sim_qframe *f)
{
	struct attack_state *as = &e->as[f->attack];

	if (!as->frames++) {
		as->first_ts = e->t0_ns + f->ts;
		as->first_no = e->frame_base + e->frames;
	}
	as->last_ts = e->t0_ns + f->ts;
}

static bool q_before(const struct sim_qframe *a, const struct sim_qframe *b)
{
	return a->ts != b->ts ? a->ts < b->ts : a->seq < b->seq;
}

struct sim_qframe *engine_frame(struct sim_engine *e, uint64_t ts)
{
	struct sim_qframe *f;

	f = e->nfree ? e->free_q[--e->nfree] : malloc(sizeof(*f));
	if (!f)
		abort();	/* a few hundred KiB at most: OOM is fatal */
	f->ts = ts;
	f->seq = e->seq++;
	f->attack = -1;
	return f;
}

static void q_grow(struct sim_engine *e)
{
	uint32_t cap = e->cap_q ? 2 * e->cap_q : 256;

	e->q = realloc(e->q, cap * sizeof(*e->q));
	e->free_q = realloc(e->free_q, cap * sizeof(*e->free_q));
	if (!e->q || !e->free_q)
		abort();
	e->cap_q = cap;
}

void engine_queue_commit(struct sim_engine *e, struct sim_qframe *f,
			 uint32_t len)
{
	struct sim_qframe *tmp;
	uint32_t i, parent;

	if (e->sc->pn_tagged && len >= 14 &&
	    get_be16(f->data + 12) == ETHERTYPE_PN)
		len = frame_tag(f->data, len, e->sc->pn_vlan,
				pn_priority(get_be16(f->data + 14)));
	f->len = len;
	if (e->nq == e->cap_q)
		q_grow(e);
	i = e->nq++;
	e->q[i] = f;
	while (i && q_before(e->q[i], e->q[parent = (i - 1) / 2])) {
		tmp = e->q[i];
		e->q[i] = e->q[parent];
		e->q[parent] = tmp;
		i = parent;
	}
}

static struct sim_qframe *q_pop(struct sim_engine *e)
{
	struct sim_qframe *top = e->q[0], *tmp;
	uint32_t i = 0, l, m;

	e->q[0] = e->q[--e->nq];
	for (;;) {
		l = 2 * i + 1;
		m = i;
		if (l < e->nq && q_before(e->q[l], e->q[m]))
			m = l;
		if (l + 1 < e->nq && q_before(e->q[l + 1], e->q[m]))
			m = l + 1;
		if (m == i)
			break;
		tmp = e->q[i];
		e->q[i] = e->q[m];
		e->q[m] = tmp;
		i = m;
	}
	return top;
}

int engine_flush(struct sim_engine *e, uint64_t t,
		 const struct sim_sink *sink)
{
	struct sim_qframe *f;
	int rc = 0;

	while (e->nq && e->q[0]->ts <= t) {
		f = q_pop(e);
		e->frames++;
		if (f->attack >= 0)
			attack_seen(e, f);
		if (e->sc->all_tagged || e->sc->qinq)
			f->len = wire_tags(e->sc, f->data, f->len);
		e->bytes += f->len;
		if (sink->emit(sink->ctx, e->t0_ns + f->ts, f->data, f->len))
			rc = -1;
		/* free_q has room: it grows with q */
		e->free_q[e->nfree++] = f;
	}
	return rc;
}

uint64_t engine_next(const struct sim_engine *e)
{
	return e->nev ? e->ev[0].t : UINT64_MAX;
}

int engine_step(struct sim_engine *e, const struct sim_sink *sink)
{
	struct sim_event v;
	int rc;

	if (!e->nev)
		return engine_flush(e, UINT64_MAX, sink);
	rc = engine_flush(e, e->ev[0].t, sink);
	v = ev_pop(e);
	e->now = v.t;
	switch (v.kind) {
	case EV_MASTER: ecat_master_step(e, v.idx); break;
	case EV_DEVICE: pn_device_step(e, v.idx); break;
	case EV_CTRL: pn_ctrl_step(e, v.idx); break;
	case EV_FAULT: pn_fault_step(e, v.idx); break;
	case EV_ATTACK: attack_step(e, v.idx); break;
	case EV_LLDP: pn_lldp_step(e, v.idx); break;
	}
	return rc;
}

/* xorshift64*: fast, and the same sequence for the same --seed */
double engine_rand(struct sim_engine *e)
{
	e->rng ^= e->rng >> 12;
	e->rng ^= e->rng << 25;
	e->rng ^= e->rng >> 27;
	return (double)((e->rng * 0x2545f4914f6cdd1dULL) >> 11) /
	       (double)(1ULL << 53);
}

static bool fault_active(const struct sim_fault *f, uint64_t t)
{
	return t >= f->at_ns && (!f->duration_ns ||
				 t < f->at_ns + f->duration_ns);
}

const struct sim_fault *engine_fault(struct sim_engine *e,
				     enum sim_fault_kind kind,
				     enum sim_target_kind tk, uint32_t idx,
				     bool roll)
{
	const struct sim_scenario *sc = e->sc;
	uint32_t i;

	for (i = 0; i < sc->nfaults; i++) {
		const struct sim_fault *f = &sc->faults[i];

		if (f->kind != kind || f->target_kind != tk ||
		    f->target != idx || !fault_active(f, e->now))
			continue;
		if (roll && engine_rand(e) >= f->rate)
			continue;
		e->faults_applied[kind]++;
		return f;
	}
	return NULL;
}

bool engine_slave_alive(struct sim_engine *e, uint32_t slave)
{
	const struct sim_scenario *sc = e->sc;
	uint32_t i;

	/* not counted as applied: asked for every datagram */
	for (i = 0; i < sc->nfaults; i++) {
		const struct sim_fault *f = &sc->faults[i];

		if (f->kind == FAULT_SLAVE_DROP && f->target == slave &&
		    fault_active(f, e->now))
			return false;
	}
	return true;
}

const struct sim_fault *engine_al_error(struct sim_engine *e, uint32_t slave)
{
	const struct sim_scenario *sc = e->sc;
	uint32_t i;

	for (i = 0; i < sc->nfaults; i++) {
		const struct sim_fault *f = &sc->faults[i];

		if (f->kind == FAULT_AL_ERROR && f->target == slave &&
		    fault_active(f, e->now))
			return f;
	}
	return NULL;
}

void engine_al_write(struct sim_engine *e, uint32_t sl, uint16_t state)
{
	state &= 0x0f;
	if (state == 0x0008) {
		e->al_forced[sl] = 0;
	} else if (state == 0x0003) {
		e->al_forced[sl] = 0x0014;
		e->al_forced_code[sl] = 0x0011;
	} else if (state == 0x0001 || state == 0x0002 || state == 0x0004) {
		e->al_forced[sl] = state;
		e->al_forced_code[sl] = 0;
	}
}

uint16_t engine_al_status(const struct sim_engine *e, uint32_t sl)
{
	return e->al_forced[sl] ? e->al_forced[sl] : 0x0008;
}

bool engine_device_present(const struct sim_engine *e, uint32_t dev)
{
	const struct sim_scenario *sc = e->sc;
	uint32_t i;

	if (!e->dev[dev].unknown)
		return true;
	for (i = 0; i < sc->nfaults; i++)
		if (sc->faults[i].kind == FAULT_UNKNOWN_DEVICE &&
		    sc->faults[i].device == dev &&
		    fault_active(&sc->faults[i], e->now))
			return true;
	return false;
}

static int link_signals(struct sim_engine *e)
{
	const struct sim_scenario *sc = e->sc;
	uint32_t i;
	int32_t *head;

	e->sig_next = calloc(sc->nsignals + 1, sizeof(*e->sig_next));
	if (!e->sig_next)
		return -1;
	for (i = 0; i < sc->nsignals; i++) {
		const struct sim_signal *g = &sc->signals[i];

		head = g->target_kind == TGT_SLAVE ?
		       &e->ms[sc->slaves[g->target].master].sig_head :
		       &e->ds[g->target].sig_head;
		e->sig_next[i] = *head;
		*head = (int32_t)i;
	}
	return 0;
}

static int alloc_state(struct sim_engine *e)
{
	const struct sim_scenario *sc = e->sc;
	uint32_t i;

	e->dev = calloc(sc->ndevices + 1, sizeof(*e->dev));
	e->ms = calloc(sc->nmasters + 1, sizeof(*e->ms));
	e->ds = calloc(sc->ndevices + 1, sizeof(*e->ds));
	e->as = calloc(sc->nattacks + 1, sizeof(*e->as));
	/* controllers have two: the start-up Identify and LLDP */
	e->cap_ev = sc->nmasters + sc->ndevices + 2 * sc->nctrls +
		    sc->nfaults + sc->nattacks + 1;
	e->ev = calloc(e->cap_ev, sizeof(*e->ev));
	if (!e->dev || !e->ms || !e->ds || !e->ev || !e->as)
		return -1;
	memcpy(e->dev, sc->devices, sc->ndevices * sizeof(*e->dev));
	e->rx_err = calloc(sc->nslaves * 4 + 1, sizeof(*e->rx_err));
	e->fwd_err = calloc(sc->nslaves * 4 + 1, sizeof(*e->fwd_err));
	e->al_forced = calloc(sc->nslaves + 1, sizeof(*e->al_forced));
	e->al_forced_code = calloc(sc->nslaves + 1,
				   sizeof(*e->al_forced_code));
	if (!e->rx_err || !e->fwd_err || !e->al_forced || !e->al_forced_code)
		return -1;
	for (i = 0; i < sc->nfaults; i++) {
		const struct sim_fault *f = &sc->faults[i];

		if (f->kind == FAULT_RX_ERRORS)
			e->ms[sc->slaves[f->target].master].counters = true;
		if (f->kind == FAULT_AL_ERROR)
			e->ms[sc->slaves[f->target].master].al_codes = true;
		if (f->kind == FAULT_DC_DRIFT)
			e->ms[sc->slaves[f->target].master].dc_drift = true;
	}
	for (i = 0; i < sc->nmasters; i++) {
		/* a drift is read even where dc_every does not ask for it */
		e->ms[i].dc_every = sc->masters[i].dc_every;
		if (!e->ms[i].dc_every && e->ms[i].dc_drift)
			e->ms[i].dc_every = sc->masters[i].diag_every ?
					    sc->masters[i].diag_every : 1000;
		e->ms[i].image = calloc(sc->masters[i].image_len + 1, 1);
		e->ms[i].sig_head = -1;
		e->ms[i].mbox_cnt = 1;
		if (!e->ms[i].image)
			return -1;
	}
	for (i = 0; i < sc->ndevices; i++) {
		e->ds[i].in = calloc(e->dev[i].in_len + 1, 1);
		e->ds[i].out = calloc(e->dev[i].out_len + 1, 1);
		e->ds[i].sig_head = -1;
		if (!e->ds[i].in || !e->ds[i].out)
			return -1;
	}
	return link_signals(e);
}

static void schedule_start(struct sim_engine *e)
{
	const struct sim_scenario *sc = e->sc;
	uint32_t i;

	for (i = 0; i < sc->nmasters; i++)
		engine_schedule(e, i * 7000ULL, EV_MASTER, i);
	for (i = 0; i < sc->nctrls; i++)
		engine_schedule(e, 1000000ULL + i * 5000ULL, EV_CTRL, i);
	for (i = 0; i < sc->nctrls; i++)
		engine_schedule(e, 1500000ULL + i * 5000ULL, EV_LLDP, i);
	for (i = 0; i < sc->ndevices; i++)
		if (!e->dev[i].unknown)
			/* spread devices over their cycle, as CRs are */
			engine_schedule(e, PN_CYCLIC_START_NS +
					(i * 9973ULL) % e->dev[i].cycle_ns,
					EV_DEVICE, i);
	for (i = 0; i < sc->nfaults; i++)
		if (sc->faults[i].kind == FAULT_UNKNOWN_DEVICE ||
		    sc->faults[i].kind == FAULT_DCP_SET)
			engine_schedule(e, sc->faults[i].at_ns, EV_FAULT, i);
	for (i = 0; i < sc->nattacks; i++)
		engine_schedule(e, sc->attacks[i].at_ns, EV_ATTACK, i);
}

struct sim_engine *engine_new(const struct sim_scenario *sc, uint64_t seed,
			      uint64_t t0_ns)
{
	struct sim_engine *e = calloc(1, sizeof(*e));

	if (!e)
		return NULL;
	e->sc = sc;
	e->t0_ns = t0_ns;
	e->rng = seed * 0x9e3779b97f4a7c15ULL + 0x2545f4914f6cdd1dULL;
	e->xid = (uint32_t)(seed * 2654435761U) | 1;
	if (alloc_state(e)) {
		engine_free(e);
		return NULL;
	}
	schedule_start(e);
	return e;
}

void engine_free(struct sim_engine *e)
{
	uint32_t i;

	if (!e)
		return;
	for (i = 0; e->ms && i < e->sc->nmasters; i++)
		free(e->ms[i].image);
	for (i = 0; e->ds && i < e->sc->ndevices; i++) {
		free(e->ds[i].in);
		free(e->ds[i].out);
	}
	for (i = 0; i < e->nq; i++)
		free(e->q[i]);
	for (i = 0; i < e->nfree; i++)
		free(e->free_q[i]);
	free(e->q);
	free(e->free_q);
	free(e->ev);
	free(e->sig_next);
	free(e->rx_err);
	free(e->fwd_err);
	free(e->al_forced);
	free(e->al_forced_code);
	free(e->ds);
	free(e->as);
	free(e->ms);
	free(e->dev);
	free(e);
}
