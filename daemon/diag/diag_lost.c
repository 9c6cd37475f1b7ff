/*
 * Lost EtherCAT frames (docs/diagnostics.md, "Lost frames"): a frame the
 * master sent that never came back through the ring.  Where the mirror
 * sees both directions, each outgoing frame waits under its datagram
 * index; the ring keeps order, so when a later frame comes back while an
 * earlier one still waits, the earlier one was lost on the line.  A
 * frame whose index is sent again while it still waits is lost too.
 *
 * Only a master seen coming back is judged (a mirror of one direction
 * says nothing), and the frames in flight when a capture ends are not
 * lost.  Later losses while the finding's alert is open only count in
 * it.  O(1) per frame: a FIFO of the indices in flight.
 */
#include <string.h>

#include "alerts/alerts.h"
#include "diag/diag_int.h"

static void lost(struct diag *dg, struct dmaster *m, uint8_t idx)
{
	const struct dlost *o = &m->out[idx];
	char detail[ALERT_DETAIL_MAX], ev[DIAG_EVIDENCE_MAX], what[48];
	char at[32] = "";

	m->lost++;
	dg->ctr.ecat_lost++;
	if (diag_again(dg, &m->lost_ns, ALERT_R_ECAT_FRAME_LOST, NULL, -1))
		return;
	if (ecat_cmd_is_logical(o->cmd))
		diag_fmt(what, sizeof(what), "%s 0x%08x", ecat_cmd_name(o->cmd),
			 (uint32_t)o->ado << 16 | o->adp);
	else
		diag_fmt(what, sizeof(what), "%s 0x%04x:0x%04x",
			 ecat_cmd_name(o->cmd), o->adp, o->ado);
	if (o->frame_no)	/* offline: where to look in the capture */
		diag_fmt(at, sizeof(at), " sent at frame %llu",
			 (unsigned long long)o->frame_no);
	diag_fmt(detail, sizeof(detail), "frame index 0x%02x (%s%s)%s never "
		 "came back", idx, what, o->n > 1 ? ", ..." : "", at);
	diag_fmt(ev, sizeof(ev), "a later frame of the master came back "
		 "first or its index was sent again; the ring keeps order, so "
		 "this one was lost on the line (%llu lost, %llu back since "
		 "first seen)", (unsigned long long)m->lost,
		 (unsigned long long)m->back);
	diag_emit(dg, ALERT_R_ECAT_FRAME_LOST, NULL, -1, false, detail, ev);
}

/* the master's frame going out */
static void out(struct diag *dg, struct dmaster *m,
		const struct decode_ecat *e)
{
	uint8_t idx = e->dgram[0].idx;
	struct dlost *o = &m->out[idx];

	/* the same frame seen twice on the mirror is one */
	if (o->waiting && o->seq == m->seq)
		return;
	if (o->waiting && m->back) {
		o->waiting = 0;
		lost(dg, m, idx);
	}
	o->waiting = 1;
	o->seq = ++m->seq;
	o->frame_no = dg->frame_no;
	o->cmd = e->dgram[0].cmd;
	o->adp = e->dgram[0].adp;
	o->ado = e->dgram[0].ado;
	o->n = (uint8_t)e->ndgram;
	/* full (nothing comes back): the oldest is forgotten, not lost */
	if (m->nfifo == DIAG_INFLIGHT) {
		m->fifo_head = (m->fifo_head + 1) % DIAG_INFLIGHT;
		m->nfifo--;
	}
	m->fifo[(m->fifo_head + m->nfifo) % DIAG_INFLIGHT] =
		(struct dfifo){ idx, o->seq };
	m->nfifo++;
}

/* the master's frame back: every earlier one still waiting was lost */
static void back(struct diag *dg, struct dmaster *m,
		 const struct decode_ecat *e)
{
	uint8_t idx = e->dgram[0].idx;
	struct dlost *o = &m->out[idx];
	struct dfifo h;

	if (!o->waiting)
		return;		/* sent before the capture, or seen twice */
	m->back++;
	o->waiting = 0;
	while (m->nfifo) {
		h = m->fifo[m->fifo_head];
		m->fifo_head = (m->fifo_head + 1) % DIAG_INFLIGHT;
		m->nfifo--;
		if (h.idx == idx && h.seq == o->seq)
			break;
		/* stale when its index was sent again since */
		if (m->out[h.idx].waiting && m->out[h.idx].seq == h.seq &&
		    m->back > 1) {
			m->out[h.idx].waiting = 0;
			lost(dg, m, h.idx);
		}
	}
}

void diag_lost(struct diag *dg)
{
	struct dmaster *m = &dg->ms[dg->cur_ms];

	if (dg->returned)
		back(dg, m, &dg->d->ecat);
	else
		out(dg, m, &dg->d->ecat);
}
