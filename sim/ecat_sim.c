/*
 * A simulated EtherCAT master and its slaves as a mirror port sees them:
 * each exchange is the master's frame and, a few microseconds later, the
 * frame returning from the end of the chain with data and working
 * counters filled in by the slaves.
 */
#include <string.h>

#include "engine.h"

#define STEP_NS		25000ULL	/* start-up: one exchange per step */
#define HOP_NS		1000ULL		/* return delay per slave */
#define RET_BASE_NS	4000ULL
#define DGRAMS_PER_FRAME 60U
#define LOGICAL_BASE	0x00010000U
/*
 * Process image bytes per datagram: one frame holds the chunk's datagram
 * (two with LRD + LWR, 12 bytes of header and counter each) and the BRD of
 * AL status (14 bytes) within the 1,498 bytes of an EtherCAT frame.
 */
#define CHUNK_MAX(split)	((split) ? 730U : 1024U)

/* SII words of the identity: vendor, product, revision, serial */
static const uint16_t sii_words[4] = { 0x0008, 0x000a, 0x000c, 0x000e };

static const struct sim_slave *slave_of(const struct sim_engine *e,
					uint32_t m, uint32_t i)
{
	return &e->sc->slaves[e->sc->masters[m].first_slave + i];
}

static uint64_t ret_delay(const struct sim_master *m)
{
	return RET_BASE_NS + HOP_NS * m->nslaves;
}

/* Commit the master's frame and return a slot for the returning one. */
static struct sim_qframe *exchange(struct sim_engine *e, uint32_t m,
				   struct sim_qframe *req,
				   struct ecat_frame *rf, struct ecat_frame *ret,
				   uint64_t t)
{
	struct sim_qframe *back;
	uint32_t len = ecat_end(rf);

	engine_queue_commit(e, req, len);
	back = engine_frame(e, t + ret_delay(&e->sc->masters[m]));
	ecat_as_return(ret, back->data, rf);
	return back;
}

static void finish_return(struct sim_engine *e, uint32_t m,
			  struct sim_qframe *back, uint32_t len, bool cyclic)
{
	/* a lost frame: the master's frame went out, none came back */
	if (cyclic && engine_fault(e, FAULT_LOST_FRAMES, TGT_MASTER, m, true)) {
		e->free_q[e->nfree++] = back;
		return;
	}
	engine_queue_commit(e, back, len);
}

/* One register datagram per slave, chunked into frames. */
static uint32_t per_slave_frame(struct sim_engine *e, uint32_t m,
				uint32_t from, uint8_t cmd, uint16_t ado,
				uint16_t len, uint16_t value, bool cyclic,
				uint64_t t)
{
	const struct sim_master *mp = &e->sc->masters[m];
	struct sim_qframe *req = engine_frame(e, t), *back;
	struct ecat_frame rf, ret;
	uint32_t i, n = 0;
	uint8_t *d;

	ecat_begin(&rf, req->data, mp->mac);
	for (i = from; i < mp->nslaves && n < DGRAMS_PER_FRAME; i++, n++) {
		const struct sim_slave *s = slave_of(e, m, i);
		/* auto-increment addressing: -position reaches the slave */
		uint16_t adp = cmd == ECAT_APRD || cmd == ECAT_APWR ?
			       (uint16_t)(0U - s->position) : s->station;

		d = ecat_dgram(&rf, cmd, e->ms[m].dg_idx++, adp, ado, len);
		if (cmd == ECAT_FPWR || cmd == ECAT_APWR)
			put_le16(d, cmd == ECAT_APWR ? s->station : value);
	}
	back = exchange(e, m, req, &rf, &ret, t);
	for (i = 0; i < n; i++) {
		uint32_t sl = mp->first_slave + from + i;
		const struct sim_fault *ae = engine_al_error(e, sl);

		if (!engine_slave_alive(e, sl))
			continue;
		d = ecat_data(&ret, i);
		if ((cmd == ECAT_FPRD || cmd == ECAT_APRD) &&
		    ado == ESC_AL_STATUS && ae) {
			put_le16(d, 0x0014);	/* SAFEOP + error */
			if (len >= 6)
				put_le16(d + 4, ae->al_code);
		} else if ((cmd == ECAT_FPRD || cmd == ECAT_APRD) &&
			   ado == ESC_AL_STATUS && e->al_forced[sl]) {
			put_le16(d, e->al_forced[sl]);
			if (len >= 6)
				put_le16(d + 4, e->al_forced_code[sl]);
		} else if (cmd == ECAT_FPRD || cmd == ECAT_APRD) {
			put_le16(d, value);
		}
		ecat_set_wkc(&ret, i, 1);
	}
	finish_return(e, m, back, ret.len, cyclic);
	return from + n;
}

static void brd_type(struct sim_engine *e, uint32_t m, uint64_t t)
{
	const struct sim_master *mp = &e->sc->masters[m];
	struct sim_qframe *req = engine_frame(e, t), *back;
	struct ecat_frame rf, ret;
	uint16_t alive = 0;
	uint32_t i;
	uint8_t *d;

	ecat_begin(&rf, req->data, mp->mac);
	ecat_dgram(&rf, ECAT_BRD, e->ms[m].dg_idx++, 0, ESC_TYPE, 2);
	back = exchange(e, m, req, &rf, &ret, t);
	for (i = 0; i < mp->nslaves; i++)
		alive += engine_slave_alive(e, mp->first_slave + i);
	d = ecat_data(&ret, 0);
	d[0] = 0x11;	/* ESC type: ET1100 */
	d[1] = 0x02;
	ecat_set_wkc(&ret, 0, alive);
	finish_return(e, m, back, ret.len, false);
}

/* SII read of one identity word: write the address, then read data. */
static void sii_step(struct sim_engine *e, uint32_t m, uint32_t step,
		     uint64_t t)
{
	const struct sim_slave *s = slave_of(e, m, step / 8);
	const uint32_t ident[4] = { s->vendor, s->product, s->revision,
				    s->serial };
	uint32_t item = (step / 2) % 4;
	struct sim_qframe *req = engine_frame(e, t), *back;
	struct ecat_frame rf, ret;
	bool alive = engine_slave_alive(e, (uint32_t)(s - e->sc->slaves));
	uint8_t *d;

	ecat_begin(&rf, req->data, e->sc->masters[m].mac);
	if (step % 2 == 0) {
		d = ecat_dgram(&rf, ECAT_FPWR, e->ms[m].dg_idx++, s->station,
			       ESC_SII_CTRL, 6);
		d[1] = 0x01;			/* read command */
		put_le16(d + 2, sii_words[item]);
	} else {
		ecat_dgram(&rf, ECAT_FPRD, e->ms[m].dg_idx++, s->station,
			   ESC_SII_DATA, 4);
	}
	back = exchange(e, m, req, &rf, &ret, t);
	if (alive) {
		if (step % 2)
			put_le32(ecat_data(&ret, 0), ident[item]);
		ecat_set_wkc(&ret, 0, 1);
	}
	finish_return(e, m, back, ret.len, false);
}

/* CoE SDO upload of index:sub: mailbox write, then mailbox read. */
static void sdo_exchange(struct sim_engine *e, uint32_t m, uint32_t slave,
			 uint16_t index, uint8_t sub, uint64_t t)
{
	const struct sim_slave *s = slave_of(e, m, slave);
	const uint32_t ident[4] = { s->vendor, s->product, s->revision,
				    s->serial };
	struct master_state *st = &e->ms[m];
	bool alive = engine_slave_alive(e, (uint32_t)(s - e->sc->slaves));
	struct sim_qframe *req, *back;
	struct ecat_frame rf, ret;
	uint8_t *d;
	int pass;

	for (pass = 0; pass < 2; pass++, t += STEP_NS / 2) {
		req = engine_frame(e, t);
		ecat_begin(&rf, req->data, e->sc->masters[m].mac);
		d = ecat_dgram(&rf, pass ? ECAT_FPRD : ECAT_FPWR,
			       st->dg_idx++, s->station,
			       pass ? ESC_MBOX_IN : ESC_MBOX_OUT,
			       ESC_MBOX_LEN);
		if (!pass) {
			put_le16(d, 10);		/* mailbox length */
			d[5] = (uint8_t)(st->mbox_cnt << 4 | 3);	/* CoE */
			put_le16(d + 6, 0x2000);	/* SDO request */
			d[8] = 0x40;			/* upload request */
			put_le16(d + 9, index);
			d[11] = sub;
		}
		back = exchange(e, m, req, &rf, &ret, t);
		if (alive) {
			d = ecat_data(&ret, 0);
			if (pass) {
				put_le16(d, 10);
				put_le16(d + 2, s->station);
				d[5] = (uint8_t)(st->mbox_cnt << 4 | 3);
				put_le16(d + 6, 0x3000);	/* SDO response */
				d[8] = 0x43;	/* expedited upload, 4 bytes */
				put_le16(d + 9, index);
				d[11] = sub;
				put_le32(d + 12, sub >= 1 && sub <= 4 ?
					 ident[sub - 1] : 0);
			}
			ecat_set_wkc(&ret, 0, 1);
		}
		finish_return(e, m, back, ret.len, false);
	}
	st->mbox_cnt = st->mbox_cnt % 7 + 1;
}

/* Fill output bytes the way a PLC program would: they change each cycle */
static void fill_outputs(struct sim_engine *e, uint32_t m)
{
	const struct sim_master *mp = &e->sc->masters[m];
	struct master_state *st = &e->ms[m];
	uint32_t i, k;

	for (i = 0; i < mp->nslaves; i++) {
		const struct sim_slave *s = slave_of(e, m, i);

		for (k = 0; k < s->out_len; k++)
			st->image[s->image_off + k] =
				(uint8_t)((st->cycles >> (k & 7)) + i);
	}
}

/* Slaves [from, to) whose image fits one datagram. */
static uint32_t chunk_end(const struct sim_engine *e, uint32_t m,
			  uint32_t from)
{
	const struct sim_master *mp = &e->sc->masters[m];
	uint32_t to = from, len = 0, sl;

	while (to < mp->nslaves) {
		const struct sim_slave *s = slave_of(e, m, to);

		sl = s->in_len + s->out_len;
		if (to > from && len + sl > CHUNK_MAX(mp->split))
			break;
		len += sl;
		to++;
	}
	return to;
}

/* Working counter of one datagram over slaves [from, to). */
static uint16_t chunk_wkc(struct sim_engine *e, uint32_t m, uint32_t from,
			  uint32_t to, uint8_t cmd)
{
	uint32_t base = e->sc->masters[m].first_slave, i;
	uint16_t wkc = 0, al;

	for (i = from; i < to; i++) {
		const struct sim_slave *s = &e->sc->slaves[base + i];

		if (!engine_slave_alive(e, base + i))
			continue;
		if (engine_fault(e, FAULT_WKC_ERROR, TGT_SLAVE, base + i, true))
			continue;
		/* below SAFEOP no process data; in SAFEOP inputs only */
		al = engine_al_status(e, base + i) & 0x0f;
		if (cmd != ECAT_LWR && s->in_len && al >= 0x0004)
			wkc += 1;
		if (cmd != ECAT_LRD && s->out_len && al == 0x0008 &&
		    !engine_al_error(e, base + i))
			wkc += cmd == ECAT_LRW ? 2 : 1;
	}
	return wkc;
}

/* The master sends its outputs; input bytes stay zero until slaves fill them */
static void copy_outputs(struct sim_engine *e, uint32_t m, uint32_t from,
			 uint32_t to, uint8_t *data, uint32_t off0)
{
	uint32_t base = e->sc->masters[m].first_slave, i;

	for (i = from; i < to; i++) {
		const struct sim_slave *s = &e->sc->slaves[base + i];

		memcpy(data + s->image_off - off0, e->ms[m].image + s->image_off,
		       s->out_len);
	}
}

/* Copy the live slaves' inputs into the returning datagram. */
static void fill_inputs(struct sim_engine *e, uint32_t m, uint32_t from,
			uint32_t to, uint8_t *data, uint32_t off0)
{
	uint32_t base = e->sc->masters[m].first_slave, i;

	for (i = from; i < to; i++) {
		const struct sim_slave *s = &e->sc->slaves[base + i];

		if (engine_slave_alive(e, base + i) &&
		    (engine_al_status(e, base + i) & 0x0f) >= 0x0004)
			memcpy(data + s->image_off - off0 + s->out_len,
			       e->ms[m].image + s->image_off + s->out_len,
			       s->in_len);
	}
}

static void cyclic_chunk(struct sim_engine *e, uint32_t m, uint32_t from,
			 uint32_t to, bool first, uint64_t t)
{
	const struct sim_master *mp = &e->sc->masters[m];
	struct master_state *st = &e->ms[m];
	const struct sim_slave *s0 = slave_of(e, m, from);
	const struct sim_slave *sl = slave_of(e, m, to - 1);
	uint32_t off = s0->image_off, i, nd;
	uint16_t len = (uint16_t)(sl->image_off + sl->in_len + sl->out_len -
				  off), alive = 0;
	const uint8_t cmds[2][2] = { { ECAT_LRW, 0 }, { ECAT_LRD, ECAT_LWR } };
	struct sim_qframe *req = engine_frame(e, t), *back;
	struct ecat_frame rf, ret;
	uint8_t *d;

	ecat_begin(&rf, req->data, mp->mac);
	nd = mp->split ? 2 : 1;
	for (i = 0; i < nd && len; i++) {
		d = ecat_dgram_logical(&rf, cmds[mp->split][i], st->dg_idx++,
				       LOGICAL_BASE + off, len);
		if (cmds[mp->split][i] != ECAT_LRD)
			copy_outputs(e, m, from, to, d, off);
	}
	if (first)	/* TwinCAT-style: AL status of all slaves each cycle */
		ecat_dgram(&rf, ECAT_BRD, st->dg_idx++, 0, ESC_AL_STATUS, 2);
	back = exchange(e, m, req, &rf, &ret, t);
	for (i = 0; i < nd && len; i++) {
		fill_inputs(e, m, from, to, ecat_data(&ret, i), off);
		ecat_set_wkc(&ret, i, chunk_wkc(e, m, from, to,
						cmds[mp->split][i]));
	}
	if (len &&
	    engine_fault(e, FAULT_WKC_ERROR, TGT_MASTER, m, true)) {
		/* one slave missed the datagram */
		d = ecat_data(&ret, 0) + len;
		put_le16(d, (uint16_t)(get_le16(d) ? get_le16(d) - 1 : 0));
	}
	if (first) {
		uint32_t brd = len ? nd : 0, k;

		uint16_t al = 0x0008;	/* OP, ORed by every slave */

		for (k = 0; k < mp->nslaves; k++) {
			alive += engine_slave_alive(e, mp->first_slave + k);
			if (engine_al_error(e, mp->first_slave + k))
				al |= 0x0014;
			al |= engine_al_status(e, mp->first_slave + k);
		}
		put_le16(ecat_data(&ret, brd), al);
		ecat_set_wkc(&ret, brd, alive);
	}
	finish_return(e, m, back, ret.len, true);
}

/*
 * Advance the error counters to now: a rx-errors fault's slave counts its
 * own errors at its port (errors/min, growing by ramp each minute); every
 * slave after it counts them as forwarded at its port 0.
 */
static void advance_counters(struct sim_engine *e, uint32_t m)
{
	const struct sim_scenario *sc = e->sc;
	const struct sim_master *mp = &sc->masters[m];
	struct master_state *st = &e->ms[m];
	uint64_t from = st->counted_ns, to = e->now;
	uint32_t i, k;

	st->counted_ns = to;
	for (i = 0; i < sc->nfaults; i++) {
		const struct sim_fault *f = &sc->faults[i];
		uint64_t a, b;
		double ma, mb, n;

		if (f->kind != FAULT_RX_ERRORS ||
		    sc->slaves[f->target].master != m)
			continue;
		/* the part of (from, to] the fault covers, in minutes since
		 * its start: the integral of errors + ramp * t */
		a = from > f->at_ns ? from : f->at_ns;
		b = to;
		if (f->duration_ns && b > f->at_ns + f->duration_ns)
			b = f->at_ns + f->duration_ns;
		if (b <= a)
			continue;
		ma = (double)(a - f->at_ns) / 60e9;
		mb = (double)(b - f->at_ns) / 60e9;
		n = f->errors * (mb - ma) + f->ramp * (mb * mb - ma * ma) / 2;
		e->rx_err[f->target * 4 + f->port] += n;
		e->faults_applied[FAULT_RX_ERRORS]++;
		for (k = f->target + 1; k < mp->first_slave + mp->nslaves; k++)
			e->fwd_err[k * 4] += n;
	}
}

static uint8_t cnt8(double v)
{
	return v >= 255 ? 255 : (uint8_t)v;
}

typedef void (*reg_fill)(struct sim_engine *e, uint32_t slave, uint8_t *d);

/* FPRD of one register range of every live slave, 40 to a frame. */
static void fprd_round(struct sim_engine *e, uint32_t m, uint16_t ado,
		       uint16_t len, reg_fill fill, uint64_t t)
{
	const struct sim_master *mp = &e->sc->masters[m];
	uint32_t from = 0, i, n;

	while (from < mp->nslaves) {
		struct sim_qframe *req = engine_frame(e, t), *back;
		struct ecat_frame rf, ret;

		ecat_begin(&rf, req->data, mp->mac);
		for (n = 0; from + n < mp->nslaves && n < 40; n++)
			ecat_dgram(&rf, ECAT_FPRD, e->ms[m].dg_idx++,
				   slave_of(e, m, from + n)->station, ado, len);
		back = exchange(e, m, req, &rf, &ret, t);
		for (i = 0; i < n; i++) {
			uint32_t sl = mp->first_slave + from + i;

			if (!engine_slave_alive(e, sl))
				continue;
			fill(e, sl, ecat_data(&ret, i));
			ecat_set_wkc(&ret, i, 1);
		}
		finish_return(e, m, back, ret.len, false);
		from += n;
		t += 50000;
	}
}

static void fill_counters(struct sim_engine *e, uint32_t sl, uint8_t *d)
{
	uint32_t p;

	for (p = 0; p < 4; p++) {
		d[2 * p + 1] = cnt8(e->rx_err[sl * 4 + p]);
		d[8 + p] = cnt8(e->fwd_err[sl * 4 + p]);
	}
}

/*
 * System time difference (0x092C) of a slave: a converged control loop
 * keeps it within +-40 ns; a dc-drift fault adds ramp ns each minute
 * since it began.  Bit 31 set: the local copy is behind.
 */
static void fill_dc_diff(struct sim_engine *e, uint32_t sl, uint8_t *d)
{
	const struct sim_scenario *sc = e->sc;
	double v = (engine_rand(e) - 0.5) * 80;
	uint32_t i, mag;

	for (i = 0; i < sc->nfaults; i++) {
		const struct sim_fault *f = &sc->faults[i];
		uint64_t b = e->now;

		if (f->kind != FAULT_DC_DRIFT || f->target != sl ||
		    b < f->at_ns)
			continue;
		if (f->duration_ns && b > f->at_ns + f->duration_ns)
			continue;
		v += f->ramp * (double)(b - f->at_ns) / 60e9;
		e->faults_applied[FAULT_DC_DRIFT]++;
	}
	mag = v < 0 ? (uint32_t)-v : (uint32_t)v;
	if (mag > 0x7FFFFFFFU)
		mag = 0x7FFFFFFFU;
	put_le32(d, v < 0 ? mag | 0x80000000U : mag);
}

/* FPRD of 0x0300-0x0313 for every slave, as TwinCAT's diagnosis does */
static void counters_round(struct sim_engine *e, uint32_t m, uint64_t t)
{
	advance_counters(e, m);
	fprd_round(e, m, ESC_ERR_COUNTERS, 20, fill_counters, t);
}

static void cyclic(struct sim_engine *e, uint32_t m, uint64_t t)
{
	const struct sim_master *mp = &e->sc->masters[m];
	struct master_state *st = &e->ms[m];
	const struct sim_fault *j;
	uint32_t from, to, i;
	uint64_t tc = t;

	j = engine_fault(e, FAULT_JITTER, TGT_MASTER, m, true);
	if (j)	/* a late cycle: between half and all of the spike */
		tc += j->jitter_ns / 2 +
		      (uint64_t)(engine_rand(e) * (double)(j->jitter_ns / 2));
	fill_outputs(e, m);
	values_apply(e, st->sig_head, st->image, true);
	for (from = 0, i = 0; from < mp->nslaves; from = to, i++) {
		to = chunk_end(e, m, from);
		cyclic_chunk(e, m, from, to, from == 0,
			     tc + i * (ret_delay(mp) + 2000));
	}
	st->cycles++;
	if (mp->diag_every && st->cycles % mp->diag_every == 0) {
		uint8_t cmd = st->diag_rounds++ % 2 ? ECAT_APRD : ECAT_FPRD;

		for (from = 0, i = 0; from < mp->nslaves; i++)
			from = per_slave_frame(e, m, from, cmd, ESC_AL_STATUS,
					       st->al_codes ? 6 : 2, 0x0008,
					       true,
					       t + mp->cycle_ns / 2 + i * 50000);
		if (st->counters)
			counters_round(e, m, t + mp->cycle_ns * 3 / 4);
	}
	if (st->dc_every && st->cycles % st->dc_every == 0)
		fprd_round(e, m, ESC_DC_DIFF, 4, fill_dc_diff,
			   t + mp->cycle_ns * 5 / 8);
	if (mp->mbox_every && st->cycles % mp->mbox_every == 0) {
		sdo_exchange(e, m, st->mbox_slave, 0x1018, 2,
			     t + mp->cycle_ns / 4);
		st->mbox_slave = (st->mbox_slave + 1) % mp->nslaves;
	}
	engine_schedule(e, t + mp->cycle_ns, EV_MASTER, m);
}

/* AL control write, or AL status read, for every slave (chunked). */
static bool al_step(struct sim_engine *e, uint32_t m, uint16_t state,
		    bool check, uint64_t t)
{
	struct master_state *st = &e->ms[m];

	st->step = per_slave_frame(e, m, st->step,
				   check ? ECAT_FPRD : ECAT_FPWR,
				   check ? ESC_AL_STATUS : ESC_AL_CTRL, 2,
				   state, false, t);
	return st->step >= e->sc->masters[m].nslaves;
}

void ecat_master_step(struct sim_engine *e, uint32_t m)
{
	const struct sim_master *mp = &e->sc->masters[m];
	struct master_state *st = &e->ms[m];
	uint64_t t = e->now;
	bool done = false;

	switch (st->phase) {
	case PH_BRD:
		brd_type(e, m, t);
		done = true;
		break;
	case PH_STATION:
		st->step = per_slave_frame(e, m, st->step, ECAT_APWR,
					   ESC_STATION, 2, 0, false, t);
		done = st->step >= mp->nslaves;
		break;
	case PH_SII:
		sii_step(e, m, st->step++, t);
		done = st->step >= mp->nslaves * 8;
		break;
	case PH_PREOP: done = al_step(e, m, 0x0002, false, t); break;
	case PH_PREOP_CHECK: done = al_step(e, m, 0x0002, true, t); break;
	case PH_SDO:
		sdo_exchange(e, m, st->step++, 0x1018, 1, t);
		done = st->step >= mp->nslaves;
		break;
	case PH_SAFEOP: done = al_step(e, m, 0x0004, false, t); break;
	case PH_SAFEOP_CHECK: done = al_step(e, m, 0x0004, true, t); break;
	case PH_OP: done = al_step(e, m, 0x0008, false, t); break;
	case PH_OP_CHECK: done = al_step(e, m, 0x0008, true, t); break;
	case PH_CYCLIC:
		cyclic(e, m, t);
		return;
	}
	if (done) {
		st->phase++;
		st->step = 0;
	}
	engine_schedule(e, t + STEP_NS, EV_MASTER, m);
}
