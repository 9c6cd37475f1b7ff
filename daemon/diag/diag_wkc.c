/*
 * The working counter of each cyclic (logical) datagram.  Every slave the
 * datagram addresses adds to it as it passes: +1 for a read of its
 * inputs, +1 for a write of its outputs, +3 for both in an LRW (ETG.1000.4
 * §5.4.2); a slave out of OP stops adding its write share (+2), a slave
 * that does not answer adds nothing.  The expected value is learnt per
 * datagram (cmd, logical address, length) from wkc_learn equal returns;
 * a return below it names what is missing and the slaves the AL status
 * reads on the wire show lost or out of OP.  A higher value that holds
 * as long is the line coming up (slaves reaching OP): it is learnt.  The
 * master's own AL control writes restart learning.
 */
#include <stdio.h>
#include <string.h>

#include "alerts/alerts.h"
#include "diag/diag_int.h"

#define WKC_RECOVER	1000	/* right returns that end a mismatch */

static unsigned int cyc_mix(uint64_t k)
{
	k ^= k >> 33;
	k *= 0xFF51AFD7ED558CCDULL;
	k ^= k >> 33;
	return (unsigned int)k & (DIAG_CYCLIC - 1);
}

static struct dcyc *cyc_get(struct diag *dg, const struct decode_ecat_dgram *g)
{
	struct dmaster *m = &dg->ms[dg->cur_ms];
	uint64_t key = (uint64_t)g->cmd << 56 | (uint64_t)g->len << 40 |
		       g->lad;
	unsigned int i = cyc_mix(key), n;

	for (n = 0; n < DIAG_CYCLIC; n++, i = (i + 1) & (DIAG_CYCLIC - 1)) {
		if (m->cyc[i].key == key)
			return &m->cyc[i];
		if (!m->cyc[i].key) {
			m->cyc[i].key = key;
			return &m->cyc[i];
		}
	}
	dg->ctr.cyclic_full++;
	return NULL;
}

void diag_wkc_reset(struct diag *dg, unsigned int ms)
{
	struct dmaster *m = &dg->ms[ms];
	unsigned int i;

	for (i = 0; i < DIAG_CYCLIC; i++) {
		m->cyc[i].learned = 0;
		m->cyc[i].votes = 0;
		m->cyc[i].up_votes = 0;
	}
}

/* what the missing share means for this command */
static void explain(unsigned int cmd, unsigned int missing, char *buf,
		    size_t len)
{
	if (cmd == ECAT_LRW && missing % 3 == 0)
		diag_fmt(buf, len, "%u slave%s did not read and write",
			 missing / 3, missing == 3 ? "" : "s");
	else if (cmd == ECAT_LRW && missing == 2)
		diag_fmt(buf, len, "a slave's outputs were not written "
			 "(out of OP?)");
	else if (cmd == ECAT_LRW && missing == 1)
		diag_fmt(buf, len, "a slave's inputs were not read");
	else
		diag_fmt(buf, len, "%u slave share%s missing", missing,
			 missing == 1 ? "" : "s");
}

/* the slaves of the current master the wire shows lost or not in OP */
static void suspects(struct diag *dg, char *buf, size_t len)
{
	size_t i, off = 0;
	int n = 0;

	buf[0] = 0;
	for (i = 0; i < DIAG_SLAVES && off + 40 < len; i++) {
		const struct dslave *s = &dg->sl[i];
		char name[40];

		if (!s->key || s->ms != dg->cur_ms)
			continue;
		if (!s->lost && !(s->al_known &&
				  (s->al & AL_STATE_MASK) != AL_STATE_OP))
			continue;
		diag_slave_name(dg, s, name, sizeof(name));
		diag_fmt(buf + off, len - off, "%s%s %s", n++ ? ", " : "",
			 name, s->lost ? "lost" : "not in OP");
		off += strlen(buf + off);
	}
}

static void mismatch(struct diag *dg, const struct decode_ecat_dgram *g,
		     struct dcyc *c)
{
	char why[64], who[160], detail[ALERT_DETAIL_MAX], ev[DIAG_EVIDENCE_MAX];

	dg->ctr.wkc_errors++;
	c->errors++;
	c->good_run = 0;
	if (c->bad) {
		/* the open alert counts it; no new finding */
		diag_repeat(dg, ALERT_R_ECAT_WKC_MISMATCH, NULL, -1);
		return;
	}
	c->bad = 1;
	if (g->wkc < c->expected)
		explain(g->cmd, c->expected - g->wkc, why, sizeof(why));
	else
		diag_fmt(why, sizeof(why), "more slaves answered than "
			 "configured");
	suspects(dg, who, sizeof(who));
	diag_fmt(detail, sizeof(detail), "%s 0x%08x: %u, expected %u (%s)%s%s",
		 ecat_cmd_name(g->cmd), g->lad, g->wkc, c->expected, why,
		 who[0] ? ": " : "", who);
	diag_fmt(ev, sizeof(ev), "expected %u learnt from %u equal returns; "
		 "%llu of %llu returns of this datagram wrong", c->expected,
		 dg->o.wkc_learn, (unsigned long long)c->errors,
		 (unsigned long long)c->checked);
	diag_emit(dg, ALERT_R_ECAT_WKC_MISMATCH, NULL, -1, false, detail, ev);
}

void diag_wkc(struct diag *dg, const struct decode_ecat_dgram *g)
{
	struct dcyc *c = cyc_get(dg, g);

	if (!c)
		return;
	if (!c->learned) {
		if (c->votes && g->wkc == c->cand) {
			if (++c->votes >= dg->o.wkc_learn) {
				c->learned = 1;
				c->expected = c->cand;
			}
		} else {
			c->cand = g->wkc;
			c->votes = 1;
		}
		return;
	}
	dg->ctr.wkc_checked++;
	c->checked++;
	if (g->wkc == c->expected) {
		c->up_votes = 0;
		if (c->bad && ++c->good_run >= WKC_RECOVER) {
			char detail[ALERT_DETAIL_MAX];

			c->bad = 0;
			diag_fmt(detail, sizeof(detail), "%s 0x%08x: back to "
				 "%u", ecat_cmd_name(g->cmd), g->lad,
				 c->expected);
			diag_emit(dg, ALERT_R_ECAT_WKC_MISMATCH, NULL, -1,
				  true, detail, NULL);
		}
		return;
	}
	if (g->wkc > c->expected && !c->bad) {
		/* the line coming up: learn the higher value */
		if (c->up_votes && g->wkc == c->up) {
			if (++c->up_votes >= dg->o.wkc_learn) {
				c->expected = c->up;
				c->up_votes = 0;
			}
		} else {
			c->up = g->wkc;
			c->up_votes = 1;
		}
		return;
	}
	mismatch(dg, g, c);
}
