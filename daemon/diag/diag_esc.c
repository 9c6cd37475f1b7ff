/*
 * ESC error counters as the master reads them (ESC datasheet section I,
 * registers 0x0300-0x0313 and 0x0442/0x0443), turned into deltas:
 *
 *   0x0300+2p  invalid frames received on port p (CRC, framing)
 *   0x0301+2p  physical-layer RX errors on port p
 *   0x0308+p   forwarded RX errors: a frame already marked bad upstream
 *   0x030C     ECAT processing-unit errors, 0x030D PDI errors
 *   0x0310+p   lost link on port p
 *   0x0442/3   watchdog expiries (process data, PDI)
 *
 * Each counter is 8 bits and stops at 0xFF: a read at 0xFF gives "at
 * least" the delta, a second one nothing more (reported once).  Writing
 * any of 0x0300-0x030C clears all of them, 0x0310-0x0313 likewise, and
 * 0x0442/0x0443 each: the master's clearing writes reset the baseline.  A
 * counter lower than before without a clearing write (a reset slave, a
 * clear the mirror missed) is an anomaly: counted, baseline reset, never
 * a diagnosis.
 *
 * Localisation: a slave counts its own RX errors only for frames that
 * arrived damaged at its port; slaves further on count the same frame as
 * forwarded.  So the first slave whose own counters rise holds the end
 * of the faulty cable: at port 0 the cable from the slave before it.
 */
#include <stdio.h>
#include <string.h>

#include "alerts/alerts.h"
#include "diag/diag_int.h"
#include "model/model.h"

#define WHOLE_CLEAR_END	0x030D	/* a write below this clears 0x300-0x30C */

static bool is_write(unsigned int cmd)
{
	return cmd == ECAT_APWR || cmd == ECAT_FPWR || cmd == ECAT_BWR;
}

static bool covers(const struct decode_ecat_dgram *g, unsigned int lo,
		   unsigned int hi)
{
	return g->ado < hi && (unsigned int)g->ado + g->len > lo;
}

/*
 * A clearing write the slave confirmed (its return counted it) zeroes the
 * range: known from now on.  One not confirmed (the mirror saw only the
 * master's copy, or a slave missed it) leaves it unknown: the next read
 * is a new baseline, never a delta.
 */
static void clear_slave(struct dslave *s, bool errs, bool lost, bool wd,
			bool done)
{
	unsigned int i;

	for (i = 0; i < ESC_ERR_BYTES; i++) {
		bool in_errs = ESC_ERR_FIRST + i < WHOLE_CLEAR_END;
		bool in_lost = ESC_ERR_FIRST + i >= ESC_ERR_LOST;

		if (!(errs && in_errs) && !(lost && in_lost))
			continue;
		s->esc[i] = 0;
		s->esc_sat &= ~(1U << i);
		if (done)
			s->esc_have |= 1U << i;
		else
			s->esc_have &= ~(1U << i);
	}
	if (wd) {
		s->wd[0] = s->wd[1] = 0;
		s->wd_have = done ? 3 : 0;
	}
}

static void clearing_write(struct diag *dg, const struct decode_ecat_dgram *g)
{
	const struct dmaster *m = &dg->ms[dg->cur_ms];
	bool errs = covers(g, ESC_ERR_FIRST, WHOLE_CLEAR_END);
	bool lost = covers(g, ESC_ERR_LOST, ESC_ERR_END);
	bool wd = covers(g, ESC_WD_PD, ESC_WD_PDI + 1);
	bool done = dg->returned && g->wkc > 0;
	struct dslave *s;
	size_t i;

	if (!errs && !lost && !wd)
		return;
	dg->ctr.esc_clears++;
	if (g->cmd == ECAT_FPWR) {
		s = diag_slave(dg, dg->cur_ms, g->adp, false);
		if (s)
			clear_slave(s, errs, lost, wd, done);
		return;
	}
	/* a broadcast reached them all only if all counted it */
	if (g->cmd == ECAT_BWR && m->n_known && g->wkc < m->nslaves)
		done = false;
	for (i = 0; i < DIAG_SLAVES; i++) {
		s = &dg->sl[i];
		if (!s->key || s->ms != dg->cur_ms)
			continue;
		/* by position (APWR): which slave is not known here */
		clear_slave(s, errs, lost, wd,
			    done && g->cmd == ECAT_BWR);
	}
}

/* The rise of one 8-bit counter; -1 when it went backwards. */
static int delta8(struct diag *dg, uint8_t old, uint8_t now)
{
	if (now < old) {
		dg->ctr.backwards++;
		return -1;
	}
	return now - old;
}

struct esc_delta {
	unsigned int own[DIAG_PORTS], inval[DIAG_PORTS], rx[DIAG_PORTS];
	unsigned int fwd[DIAG_PORTS], lost[DIAG_PORTS], pu, pdi;
	bool sat[DIAG_PORTS];		/* own counters reached 0xFF */
	bool any_fwd;
};

/* new values of the bytes g covers into s, their deltas into dd */
static void take(struct diag *dg, struct dslave *s,
		 const struct decode_ecat_dgram *g, struct esc_delta *dd)
{
	unsigned int i, reg;
	int dl;

	memset(dd, 0, sizeof(*dd));
	for (i = 0; i < ESC_ERR_BYTES; i++) {
		const uint8_t *p;
		unsigned int *slot = NULL, port;

		reg = ESC_ERR_FIRST + i;
		p = diag_reg(g, reg, 1);
		if (!p)
			continue;
		if (!(s->esc_have & 1U << i)) {
			s->esc_have |= 1U << i;
			s->esc[i] = *p;
			if (*p == 0xFF)
				s->esc_sat |= 1U << i;
			continue;
		}
		dl = delta8(dg, s->esc[i], *p);
		s->esc[i] = *p;
		if (dl < 0) {
			s->esc_sat &= ~(1U << i);
			continue;
		}
		if (reg < ESC_ERR_FWD) {
			port = i / 2;
			slot = i % 2 ? &dd->rx[port] : &dd->inval[port];
			/* at 0xFF the count stopped: "at least", and a
			 * counter stuck there is said once */
			if (*p == 0xFF && !(s->esc_sat & 1U << i)) {
				s->esc_sat |= 1U << i;
				dd->sat[port] = true;
			}
			if (*p != 0xFF)
				s->esc_sat &= ~(1U << i);
		} else if (reg < ESC_ERR_PU) {
			slot = &dd->fwd[reg - ESC_ERR_FWD];
		} else if (reg == ESC_ERR_PU) {
			slot = &dd->pu;
		} else if (reg == ESC_ERR_PDI) {
			slot = &dd->pdi;
		} else if (reg >= ESC_ERR_LOST) {
			slot = &dd->lost[reg - ESC_ERR_LOST];
		}
		if (slot)
			*slot += (unsigned int)dl;
	}
	for (i = 0; i < DIAG_PORTS; i++) {
		dd->own[i] = dd->inval[i] + dd->rx[i];
		dd->any_fwd |= dd->fwd[i] != 0;
	}
}

/* the ring neighbour of s at position pos + step, named; 0 or -1 */
static int neighbour(struct diag *dg, const struct dslave *s, int step,
		     char *buf, size_t len)
{
	int pos = diag_slave_pos(dg, s);
	const struct model_device *md;

	if (pos < 0 || pos + step < 0)
		return -1;
	md = diag_model_at(dg, s->ms, pos + step);
	if (md && (md->has & MODEL_HAS_STATION))
		diag_fmt(buf, len, "slave %d (0x%04x)", pos + step,
			 md->station_addr);
	else
		diag_fmt(buf, len, "slave %d", pos + step);
	return 0;
}

/* the port of the slave before s that leads on to s: after port 0, the
 * first with a link in its DL status (bits 4-7), 1 when never read */
static unsigned int out_port(struct diag *dg, const struct dslave *s)
{
	const struct model_device *md;
	const struct dslave *o;
	unsigned int p;
	int pos = diag_slave_pos(dg, s);

	if (pos <= 0)
		return 1;
	md = diag_model_at(dg, s->ms, pos - 1);
	if (!md || !(md->has & MODEL_HAS_STATION))
		return 1;
	o = diag_slave(dg, s->ms, md->station_addr, false);
	if (!o || !o->dl_known)
		return 1;
	for (p = 1; p < DIAG_PORTS; p++)
		if (o->dl_status & (0x10 << p))
			return p;
	return 1;
}

/* "between slave 2 (0x1002) (port 1) and slave 3 (0x1003) (port 0)" */
static void where(struct diag *dg, const struct dslave *s, unsigned int port,
		  char *buf, size_t len)
{
	char me[48], other[48];

	diag_slave_name(dg, s, me, sizeof(me));
	if (port == 0) {
		if (diag_slave_pos(dg, s) == 0)
			diag_fmt(buf, len, "between the master and %s "
				 "(port 0)", me);
		else if (neighbour(dg, s, -1, other, sizeof(other)) == 0)
			diag_fmt(buf, len, "between %s (port %u) and %s "
				 "(port 0)", other, out_port(dg, s), me);
		else
			diag_fmt(buf, len, "between the slave before %s and "
				 "%s (port 0)", me, me);
	} else if (neighbour(dg, s, 1, other, sizeof(other)) == 0) {
		diag_fmt(buf, len, "between %s (port %u) and %s (port 0)",
			 me, port, other);
	} else {
		diag_fmt(buf, len, "on the cable at %s port %u", me, port);
	}
}

static void predict(struct diag *dg, struct dslave *s, unsigned int port,
		    unsigned int own)
{
	struct trend *t = &s->rate[port];
	struct trend_pred p;
	char detail[ALERT_DETAIL_MAX], ev[DIAG_EVIDENCE_MAX], w[160];
	char metric[16];
	double dt, limit = dg->o.rate_limit / 60.0;
	struct diag_fit fit;

	/* error counts are small integers: a rate over a minute or more,
	 * not per read, keeps the count's rounding out of the trend */
	if (!s->rate_t0[port] || dg->ts < s->rate_t0[port]) {
		s->rate_t0[port] = dg->ts ? dg->ts : 1;
		s->rate_acc[port] = 0;
		return;
	}
	s->rate_acc[port] += own;
	if (dg->ts - s->rate_t0[port] < DIAG_RATE_NS)
		return;
	dt = (double)(dg->ts - s->rate_t0[port]) / 1e9;
	trend_add(t, dg->ts, s->rate_acc[port] / dt);
	s->rate_t0[port] = dg->ts;
	s->rate_acc[port] = 0;
	/* a rising rate the quartiles agree on, below the limit yet */
	if (!trend_predict(t, limit, dg->o.horizon_ns, &p))
		return;
	where(dg, s, port, w, sizeof(w));
	diag_fmt(detail, sizeof(detail), "RX errors on port %u reach %.0f/min "
		 "in %.0f min (%.0f-%.0f)", port, dg->o.rate_limit, p.eta / 60,
		 p.eta_lo / 60, p.eta_hi / 60);
	diag_fmt(ev, sizeof(ev), "Theil-Sen fit of the own RX error rate over "
		 "%u samples of a minute (%.0f s): now %.2f/min, rising %.3f/min "
		 "per min (quartiles %.3f-%.3f); %s", p.f.n,
		 (double)p.f.span_ns / 1e9, p.f.last * 60, p.f.slope * 3600,
		 p.f.slope_lo * 3600, p.f.slope_hi * 3600, w);
	diag_fmt(metric, sizeof(metric), "rx_errors_p%u", port);
	trend_fit_out(&p, 60, dg->o.rate_limit, metric, "/min", &fit, ev,
		      sizeof(ev));
	diag_emit_fit(dg, &fit);
	diag_emit(dg, ALERT_R_DIAG_PREDICTED, s, (int)port, false, detail,
		  ev);
}

static void report(struct diag *dg, struct dslave *s, const struct esc_delta *dd)
{
	char detail[ALERT_DETAIL_MAX], ev[DIAG_EVIDENCE_MAX], w[160];
	unsigned int p;

	for (p = 0; p < DIAG_PORTS; p++) {
		if (dd->own[p] || dd->sat[p])
			s->own_total[p] += dd->own[p];
		if ((dd->own[p] || dd->sat[p]) &&
		    !diag_again(dg, &s->rx_ns[p], ALERT_R_ECAT_ESC_RX_ERRORS, s,
			       (int)p)) {
			where(dg, s, p, w, sizeof(w));
			diag_fmt(detail, sizeof(detail), "%s%u new on port %u "
				 "(%u invalid frames, %u RX errors)%s: %s",
				 dd->sat[p] ? "at least " : "", dd->own[p], p,
				 dd->inval[p], dd->rx[p],
				 dd->sat[p] ? ", counter saturated at 0xFF"
				 : "", w);
			diag_fmt(ev, sizeof(ev), "own error counters "
				 "0x%04x/0x%04x of station 0x%04x read %u/%u; "
				 "own (not forwarded) errors rise first where "
				 "the damaged frames enter",
				 ESC_ERR_FIRST + 2 * p, ESC_ERR_FIRST + 2 * p + 1,
				 s->station, s->esc[2 * p], s->esc[2 * p + 1]);
			diag_emit(dg, ALERT_R_ECAT_ESC_RX_ERRORS, s, (int)p,
				  false, detail, ev);
		}
		s->lost_total += dd->lost[p];
		if (dd->lost[p] &&
		    !diag_again(dg, &s->lost_ns[p], ALERT_R_ECAT_ESC_LOST_LINK, s,
			       (int)p)) {
			where(dg, s, p, w, sizeof(w));
			diag_fmt(detail, sizeof(detail), "%u new lost link%s on "
				 "port %u: %s", dd->lost[p],
				 dd->lost[p] == 1 ? "" : "s", p, w);
			diag_fmt(ev, sizeof(ev), "lost-link counter 0x%04x of "
				 "station 0x%04x read %u", ESC_ERR_LOST + p,
				 s->station, s->esc[ESC_ERR_LOST - ESC_ERR_FIRST
						    + p]);
			diag_emit(dg, ALERT_R_ECAT_ESC_LOST_LINK, s, (int)p,
				  false, detail, ev);
		}
	}
	if (dd->pu || dd->pdi) {
		diag_fmt(detail, sizeof(detail), "%u processing-unit, %u PDI "
			 "errors", dd->pu, dd->pdi);
		diag_emit(dg, ALERT_R_ECAT_ESC_PU_ERRORS, s, -1, false, detail,
			  "counters 0x030C/0x030D rose: the ESC itself or its "
			  "application interface, not a cable");
	}
}

static void counters(struct diag *dg, const struct decode_ecat_dgram *g)
{
	struct esc_delta dd;
	struct dslave *s;
	unsigned int p;

	s = diag_slave(dg, dg->cur_ms, g->adp, true);
	if (!s)
		return;
	dg->ctr.esc_reads++;
	s->reads++;
	take(dg, s, g, &dd);
	report(dg, s, &dd);
	for (p = 0; p < DIAG_PORTS; p++)
		if (diag_reg(g, ESC_ERR_FIRST + 2 * p, 2))
			predict(dg, s, p, dd.own[p]);
}

static void watchdog(struct diag *dg, const struct decode_ecat_dgram *g)
{
	char detail[ALERT_DETAIL_MAX];
	unsigned int i, d[2] = { 0, 0 };
	struct dslave *s = diag_slave(dg, dg->cur_ms, g->adp, true);
	int dl;

	if (!s)
		return;
	for (i = 0; i < 2; i++) {
		const uint8_t *p = diag_reg(g, ESC_WD_PD + i, 1);

		if (!p)
			continue;
		if (s->wd_have & 1U << i) {
			dl = delta8(dg, s->wd[i], *p);
			d[i] = dl > 0 ? (unsigned int)dl : 0;
		}
		s->wd_have |= (uint8_t)(1U << i);
		s->wd[i] = *p;
	}
	if (!d[0] && !d[1])
		return;
	diag_fmt(detail, sizeof(detail), "%u process-data, %u PDI watchdog "
		 "expiries", d[0], d[1]);
	diag_emit(dg, ALERT_R_ECAT_ESC_WATCHDOG, s, -1, false, detail,
		  "watchdog counters 0x0442/0x0443 rose: outputs were not "
		  "refreshed in time (cycle late or frames lost)");
}

void diag_esc(struct diag *dg, const struct decode_ecat_dgram *g)
{
	const uint8_t *p;

	if (is_write(g->cmd)) {
		clearing_write(dg, g);
		return;
	}
	if (!dg->returned || g->cmd != ECAT_FPRD || !g->wkc)
		return;
	p = diag_reg(g, ESC_DL_STATUS, 1);
	if (p) {
		struct dslave *s = diag_slave(dg, dg->cur_ms, g->adp, true);

		if (s) {
			s->dl_status = *p;
			s->dl_known = 1;
		}
	}
	if (covers(g, ESC_ERR_FIRST, ESC_ERR_END))
		counters(dg, g);
	if (covers(g, ESC_WD_PD, ESC_WD_PDI + 1))
		watchdog(dg, g);
}
