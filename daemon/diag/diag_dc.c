/*
 * Distributed clocks: the system time difference (0x092C) a master reads
 * from a slave is the slave's local copy of system time minus the time
 * the reference clock distributed (bit 31 set: the local copy is
 * smaller).  Its magnitude is the sync quality; above dc_limit_ns the
 * slave's SYNC signals are off by that much.  A robust trend of it
 * predicts when a slowly drifting clock will cross the limit.
 *
 * Masters read it while the control loop converges at start-up; only a
 * slave seen within the limit once (converged) is judged.
 */
#include <stdio.h>
#include <stdlib.h>

#include "alerts/alerts.h"
#include "diag/diag_int.h"

static void dc_predict(struct diag *dg, struct dslave *s, uint64_t mag)
{
	char detail[ALERT_DETAIL_MAX], ev[DIAG_EVIDENCE_MAX];
	struct trend_pred p;
	struct diag_fit fit;

	/* masters read it up to every cycle: the trend takes a minute's
	 * mean, so its 16 samples span a quarter hour, not 16 cycles */
	if (!s->dc_t0 || dg->ts < s->dc_t0) {
		s->dc_t0 = dg->ts ? dg->ts : 1;
		s->dc_sum = 0;
		s->dc_n = 0;
	}
	s->dc_sum += (double)mag;
	s->dc_n++;
	if (dg->ts - s->dc_t0 < DIAG_RATE_NS)
		return;
	trend_add(&s->dc, dg->ts, s->dc_sum / s->dc_n);
	s->dc_t0 = dg->ts;
	s->dc_sum = 0;
	s->dc_n = 0;
	if (!trend_predict(&s->dc, dg->o.dc_limit_ns, dg->o.horizon_ns, &p))
		return;
	diag_fmt(detail, sizeof(detail), "DC time difference reaches %u ns "
		 "in %.0f s (%.0f-%.0f)", dg->o.dc_limit_ns, p.eta, p.eta_lo,
		 p.eta_hi);
	diag_fmt(ev, sizeof(ev), "Theil-Sen fit of |0x092C| over %u means of "
		 "a minute (%.0f s): now %.0f ns, drifting %.2f ns/s (quartiles "
		 "%.2f-%.2f)", p.f.n, (double)p.f.span_ns / 1e9, p.f.last,
		 p.f.slope, p.f.slope_lo, p.f.slope_hi);
	trend_fit_out(&p, 1, dg->o.dc_limit_ns, "dc_diff_ns", "ns", &fit, ev,
		      sizeof(ev));
	diag_emit_fit(dg, &fit);
	diag_emit(dg, ALERT_R_DIAG_PREDICTED, s, -1, false, detail, ev);
}

void diag_dc(struct diag *dg, const struct decode_ecat_dgram *g)
{
	char detail[ALERT_DETAIL_MAX], ev[DIAG_EVIDENCE_MAX];
	const uint8_t *p;
	struct dslave *s;
	uint32_t raw;
	uint64_t mag;

	if (!dg->returned || g->cmd != ECAT_FPRD || !g->wkc)
		return;
	p = diag_reg(g, ESC_DC_DIFF, 4);
	if (!p)
		return;
	s = diag_slave(dg, dg->cur_ms, g->adp, true);
	if (!s)
		return;
	dg->ctr.dc_reads++;
	s->reads++;
	raw = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	      (uint32_t)p[3] << 24;
	mag = raw & 0x7FFFFFFFU;
	s->dc_diff = raw & 0x80000000U ? -(int64_t)mag : (int64_t)mag;
	if (mag <= dg->o.dc_limit_ns) {
		s->dc_known = 1;	/* converged */
		if (s->dc_bad && mag <= dg->o.dc_limit_ns / 2) {
			s->dc_bad = 0;
			diag_fmt(detail, sizeof(detail), "back within %u ns "
				 "(%lld ns)", dg->o.dc_limit_ns,
				 (long long)s->dc_diff);
			diag_emit(dg, ALERT_R_ECAT_DC_DRIFT, s, -1, true,
				  detail, NULL);
		}
		dc_predict(dg, s, mag);
		return;
	}
	if (!s->dc_known || s->dc_bad)
		return;
	s->dc_bad = 1;
	diag_fmt(detail, sizeof(detail), "system time difference %lld ns "
		 "(limit %u ns)", (long long)s->dc_diff, dg->o.dc_limit_ns);
	diag_fmt(ev, sizeof(ev), "register 0x092C of station 0x%04x read "
		 "0x%08x after it was within the limit", s->station, raw);
	diag_emit(dg, ALERT_R_ECAT_DC_DRIFT, s, -1, false, detail, ev);
}
