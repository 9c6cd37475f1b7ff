/*
 * AL status (0x0130) and AL status code (0x0134) as the master reads them,
 * and the slave count from the broadcast read of AL status (its working
 * counter is the number of slaves that answered).
 *
 * A slave that was seen in OP and reads otherwise has left OP (unless its
 * master asked for it: an AL control write below OP); the error flag with
 * its code is an AL error, named with the ETG text.  A slave whose
 * addressed read goes unanswered after it answered before is lost.  A
 * broadcast answered by fewer slaves than the count learnt from
 * wkc_learn equal returns is a slave vanishing from the chain.  An AL
 * status code that no conforming slave reports is counted as an anomaly,
 * and named as such, never given a made-up meaning.
 */
#include <stdio.h>
#include <string.h>

#include "alerts/alerts.h"
#include "diag/diag_int.h"
#include "model/model.h"

static void code_text(struct diag *dg, const struct dslave *s, char *buf,
		      size_t len)
{
	const char *t;

	if (!s->code_known) {
		diag_fmt(buf, len, "AL status code not read");
		return;
	}
	t = diag_al_code_text(s->al_code);
	if (!t) {
		dg->ctr.bad_al_code++;
		diag_fmt(buf, len, "AL status code 0x%04x (not in the ETG "
			 "table)", s->al_code);
		return;
	}
	diag_fmt(buf, len, "AL status code 0x%04x: %s", s->al_code, t);
}

static void lost(struct diag *dg, struct dslave *s, bool answered)
{
	char detail[ALERT_DETAIL_MAX];

	if (answered) {
		s->answered = 1;
		if (s->lost) {
			s->lost = 0;
			dg->topo_tick = 0;	/* compare with the ENI now */
			diag_fmt(detail, sizeof(detail), "answers again");
			diag_emit(dg, ALERT_R_ECAT_SLAVE_LOST, s, -1, true,
				  detail, NULL);
		}
		return;
	}
	if (!s->answered || s->lost)
		return;
	s->lost = 1;
	dg->topo_tick = 0;
	diag_fmt(detail, sizeof(detail), "no longer answers its AL status "
		 "read (%s)", model_al_state_name(s->al));
	diag_emit(dg, ALERT_R_ECAT_SLAVE_LOST, s, -1, false, detail,
		  "an addressed read of 0x0130 came back with working "
		  "counter 0 after earlier reads were answered");
}

static void status(struct diag *dg, struct dslave *s, uint16_t al,
		   const uint8_t *code)
{
	char detail[ALERT_DETAIL_MAX], ct[96], ev[DIAG_EVIDENCE_MAX];
	unsigned int was = s->al_known ? s->al : 0;

	dg->ctr.al_reads++;
	if (code) {
		s->al_code = (uint16_t)(code[0] | code[1] << 8);
		s->code_known = 1;
	}
	s->al = al;
	s->al_known = 1;
	if ((al & AL_ERROR) && !(was & AL_ERROR)) {
		code_text(dg, s, ct, sizeof(ct));
		diag_fmt(detail, sizeof(detail), "%s, %s",
			 model_al_state_name(al), ct);
		diag_fmt(ev, sizeof(ev), "AL status 0x%04x (error flag set) "
			 "read from station 0x%04x", al, s->station);
		diag_emit(dg, ALERT_R_ECAT_AL_ERROR, s, -1, false, detail, ev);
	} else if (!(al & AL_ERROR) && (was & AL_ERROR)) {
		diag_fmt(detail, sizeof(detail), "error flag cleared (%s)",
			 model_al_state_name(al));
		diag_emit(dg, ALERT_R_ECAT_AL_ERROR, s, -1, true, detail, NULL);
	}
	if ((al & AL_STATE_MASK) == AL_STATE_OP) {
		if (s->not_op) {
			s->not_op = 0;
			diag_emit(dg, ALERT_R_ECAT_AL_NOT_OP, s, -1, true,
				  "back in OP", NULL);
		}
		s->was_op = 1;
		return;
	}
	if (!s->was_op || s->not_op || s->op_left_by_master)
		return;
	s->not_op = 1;
	code_text(dg, s, ct, sizeof(ct));
	diag_fmt(detail, sizeof(detail), "OP -> %s, %s",
		 model_al_state_name(al), ct);
	diag_fmt(ev, sizeof(ev), "AL status 0x%04x read from station 0x%04x "
		 "after it read OP; the master asked for no state below OP",
		 al, s->station);
	diag_emit(dg, ALERT_R_ECAT_AL_NOT_OP, s, -1, false, detail, ev);
}

/* the master asks for a state: below OP, leaving OP is no fault */
static void control(struct diag *dg, const struct decode_ecat_dgram *g,
		    uint16_t req)
{
	bool down = (req & AL_STATE_MASK) != AL_STATE_OP;
	struct dslave *s;
	size_t i;

	diag_wkc_reset(dg, dg->cur_ms);
	if (g->cmd == ECAT_FPWR) {
		s = diag_slave(dg, dg->cur_ms, g->adp, true);
		if (s)
			s->op_left_by_master = down;
		return;
	}
	for (i = 0; i < DIAG_SLAVES; i++)
		if (dg->sl[i].key && dg->sl[i].ms == dg->cur_ms)
			dg->sl[i].op_left_by_master = down;
}

/* BRD of AL status: its working counter is the slaves that answered */
static void count(struct diag *dg, const struct decode_ecat_dgram *g)
{
	struct dmaster *m = &dg->ms[dg->cur_ms];
	char detail[ALERT_DETAIL_MAX], ev[DIAG_EVIDENCE_MAX];

	m->wire_n = g->wkc;
	m->wire_known = 1;
	if (!m->n_known) {
		if (m->n_votes && g->wkc == m->cand_n) {
			if (++m->n_votes >= dg->o.wkc_learn) {
				m->n_known = 1;
				m->nslaves = m->cand_n;
			}
		} else {
			m->cand_n = g->wkc;
			m->n_votes = g->wkc ? 1 : 0;
		}
		return;
	}
	if (g->wkc >= m->nslaves) {
		if (m->short_n) {
			m->short_n = 0;
			diag_fmt(detail, sizeof(detail), "all %u slaves answer "
				 "again", m->nslaves);
			diag_emit(dg, ALERT_R_ECAT_SLAVE_LOST, NULL, -1, true,
				  detail, NULL);
		}
		if (g->wkc > m->nslaves)	/* a slave added */
			m->nslaves = g->wkc;
		return;
	}
	if (m->short_n) {
		diag_repeat(dg, ALERT_R_ECAT_SLAVE_LOST, NULL, -1);
		return;
	}
	m->short_n = 1;
	diag_fmt(detail, sizeof(detail), "behind the master: %u of %u slaves "
		 "answer (%u missing from the chain)", g->wkc, m->nslaves,
		 m->nslaves - g->wkc);
	diag_fmt(ev, sizeof(ev), "working counter of the broadcast AL status "
		 "read (BRD 0x0130): %u, %u in %u earlier returns", g->wkc,
		 m->nslaves, dg->o.wkc_learn);
	diag_emit(dg, ALERT_R_ECAT_SLAVE_LOST, NULL, -1, false, detail, ev);
}

void diag_al(struct diag *dg, const struct decode_ecat_dgram *g)
{
	const uint8_t *p;
	struct dslave *s;

	if (g->cmd == ECAT_FPWR || g->cmd == ECAT_BWR || g->cmd == ECAT_APWR) {
		p = diag_reg(g, ESC_AL_CONTROL, 2);
		if (p)
			control(dg, g, (uint16_t)(p[0] | p[1] << 8));
		return;
	}
	if (!dg->returned)
		return;
	if (g->cmd == ECAT_BRD && diag_reg(g, ESC_AL_STATUS, 2)) {
		count(dg, g);
		return;
	}
	if (g->cmd != ECAT_FPRD)
		return;
	p = diag_reg(g, ESC_AL_STATUS, 2);
	if (!p && !diag_reg(g, ESC_AL_CODE, 2))
		return;
	s = diag_slave(dg, dg->cur_ms, g->adp, g->wkc != 0);
	if (!s)
		return;
	lost(dg, s, g->wkc != 0);
	if (!g->wkc)
		return;
	if (p) {
		status(dg, s, (uint16_t)(p[0] | p[1] << 8),
		       diag_reg(g, ESC_AL_CODE, 2));
	} else {
		p = diag_reg(g, ESC_AL_CODE, 2);
		s->al_code = (uint16_t)(p[0] | p[1] << 8);
		s->code_known = 1;
	}
}
