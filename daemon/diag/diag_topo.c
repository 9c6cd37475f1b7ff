/*
 * The expected EtherCAT topology of the imported ENIs against the wire
 * (docs/diagnostics.md "Expected slaves").  Once a second of frame time,
 * for each ENI whose master is on the line:
 *
 *  - missing: the station address the ENI gives the slave stopped
 *    answering its master's addressed reads (the evidence of
 *    ecat.slave.lost), or it never answered while the broadcast AL
 *    status read counts fewer slaves than the ENI has and its position
 *    lies beyond that count (the chain ends before it);
 *  - unexpected: the slave the master's SII reads found at its position
 *    has another vendor, product or revision than the ENI's; or a slave
 *    sits at a position beyond the ENI's last.
 *
 * Both clear when the wire agrees again.  Silence is no evidence: a
 * slave never read and not beyond the chain's count stays "unknown".
 * One pass over the model's devices per comparison, never per frame.
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "alerts/alerts.h"
#include "diag/diag_int.h"
#include "model/model.h"

#define TOPO_GROUPS	64	/* ENIs compared */

/* one ENI's slaves dg->exp[base, base + n) on master slot ms */
struct tgroup {
	int ms;
	uint32_t master_id;
	size_t base, n;
};

int diag_set_expected(struct diag *dg, const struct diag_expect *e, size_t n)
{
	struct dexp *x = NULL;
	size_t i;

	if (n > DIAG_EXPECT_MAX)
		return -1;
	if (n && !(x = calloc(n, sizeof(*x))))
		return -1;
	for (i = 0; i < n; i++) {
		x[i].e = e[i];
		x[i].e.master[0] &= (uint8_t)~0x02;	/* as masters are kept */
		x[i].e.name[sizeof(x[i].e.name) - 1] = '\0';
	}
	/* what was reported of the old list stays in the alert table until
	 * the wire clears it; a new list starts unreported */
	free(dg->exp);
	dg->exp = x;
	dg->nexp = n;
	dg->topo_tick = 0;
	return 0;
}

/* the master slot an ENI's slaves are compared on, or -1 */
static int group_master(struct diag *dg, const struct diag_expect *e)
{
	int i, found = -1, used = 0;

	for (i = 0; i < DIAG_MASTERS; i++) {
		if (!dg->ms[i].used)
			continue;
		used++;
		if (!e->any_master && !memcmp(dg->ms[i].mac, e->master, 6))
			return i;
		found = i;
	}
	/* an ENI without its master's MAC: only on a line of one master */
	return e->any_master && used == 1 ? found : -1;
}

static size_t groups(struct diag *dg, struct tgroup *g)
{
	size_t i, n = 0;

	for (i = 0; i < dg->nexp && n < TOPO_GROUPS; i++) {
		if (i && dg->exp[i].e.pos) {
			g[n - 1].n++;
			continue;
		}
		g[n].ms = group_master(dg, &dg->exp[i].e);
		g[n].base = i;
		g[n].n = 1;
		g[n].master_id = 0;
		n++;
	}
	return n;
}

static void ident(char *buf, size_t len, uint32_t v, uint32_t p, uint32_t r)
{
	diag_fmt(buf, len, "0x%x:0x%08x rev 0x%08x", v, p, r);
}

static void missing(struct diag *dg, const struct tgroup *g, struct dexp *x,
		    bool now)
{
	const struct dmaster *m = &dg->ms[g->ms];
	char detail[ALERT_DETAIL_MAX], ev[DIAG_EVIDENCE_MAX];
	struct dslave *s;

	if (now == (bool)x->missing)
		return;
	s = diag_slave(dg, (unsigned int)g->ms, x->e.station, true);
	if (!s)
		return;
	x->missing = now;
	if (!now) {
		diag_fmt(detail, sizeof(detail), "%s answers again",
			 x->e.name);
		diag_emit(dg, ALERT_R_ECAT_SLAVE_MISSING, s, -1, true, detail,
			  NULL);
		return;
	}
	if (s->answered) {
		diag_fmt(detail, sizeof(detail), "%s (position %u, station "
			 "0x%04x in the ENI) no longer answers", x->e.name,
			 x->e.pos, x->e.station);
		diag_fmt(ev, sizeof(ev), "the ENI's slave %u, %s, station "
			 "0x%04x: its AL status read came back with working "
			 "counter 0 after earlier reads were answered",
			 x->e.pos, x->e.name, x->e.station);
	} else {
		diag_fmt(detail, sizeof(detail), "%s (position %u, station "
			 "0x%04x in the ENI) is not on the line: %u of %zu "
			 "slaves answer", x->e.name, x->e.pos, x->e.station,
			 m->wire_n, g->n);
		diag_fmt(ev, sizeof(ev), "the ENI lists %zu slaves; the "
			 "broadcast AL status read (BRD 0x0130) is answered "
			 "by %u; station 0x%04x never answered", g->n,
			 m->wire_n, x->e.station);
	}
	diag_emit(dg, ALERT_R_ECAT_SLAVE_MISSING, s, -1, false, detail, ev);
}

static void unexpected(struct diag *dg, const struct tgroup *g,
		       struct dexp *x, const struct model_device *md)
{
	char detail[ALERT_DETAIL_MAX], ev[DIAG_EVIDENCE_MAX], want[80],
	     got[80], prod[48];
	struct dslave *s;
	bool now = md != NULL;

	if (now == (bool)x->unexpected)
		return;
	s = diag_slave(dg, (unsigned int)g->ms,
		       md && (md->has & MODEL_HAS_STATION) ?
		       md->station_addr : x->e.station, true);
	if (!s)
		return;
	x->unexpected = now;
	if (!now) {
		diag_fmt(detail, sizeof(detail), "position %u holds %s as the "
			 "ENI expects", x->e.pos, x->e.name);
		diag_emit(dg, ALERT_R_ECAT_SLAVE_UNEXPECTED, s, -1, true,
			  detail, NULL);
		return;
	}
	ident(want, sizeof(want), x->e.vendor, x->e.product, x->e.revision);
	ident(got, sizeof(got), md->vendor_id, md->product_code,
	      md->revision);
	if (!model_ecat_product_name(md, prod, sizeof(prod)))
		prod[0] = '\0';
	diag_fmt(detail, sizeof(detail), "position %u: %s expected (%s), "
		 "found %s%s%s%s", x->e.pos, x->e.name, want,
		 prod[0] ? prod : "", prod[0] ? " (" : "", got,
		 prod[0] ? ")" : "");
	diag_fmt(ev, sizeof(ev), "the SII identity (vendor:product, "
		 "revision) the master read from the slave at auto-increment "
		 "position %u against the ENI's Config/Slave %u Info",
		 x->e.pos, x->e.pos);
	diag_emit(dg, ALERT_R_ECAT_SLAVE_UNEXPECTED, s, -1, false, detail, ev);
}

/* a slave beyond the ENI's last position */
static void extra(struct diag *dg, const struct tgroup *g,
		  const struct model_device *md)
{
	char detail[ALERT_DETAIL_MAX], got[80];
	struct dslave *s;

	if (!(md->has & MODEL_HAS_STATION))
		return;
	s = diag_slave(dg, (unsigned int)g->ms, md->station_addr, true);
	if (!s || s->extra)
		return;
	s->extra = 1;
	ident(got, sizeof(got), md->vendor_id, md->product_code,
	      md->revision);
	diag_fmt(detail, sizeof(detail), "position %u (station 0x%04x, %s) "
		 "is not in the ENI's line of %zu slaves", md->ring_pos,
		 md->station_addr, got, g->n);
	diag_emit(dg, ALERT_R_ECAT_SLAVE_UNEXPECTED, s, -1, false, detail,
		  "the master addresses a slave at an auto-increment position "
		  "after the ENI's last Config/Slave");
}

static bool differs(const struct dexp *x, const struct model_device *md)
{
	if (!md || !(md->has & MODEL_HAS_VENDOR) ||
	    !(md->has & MODEL_HAS_PRODUCT))
		return false;
	return md->vendor_id != x->e.vendor ||
	       md->product_code != x->e.product ||
	       ((md->has & MODEL_HAS_REVISION) && x->e.revision &&
		md->revision != x->e.revision);
}

/* the model's slaves of g's master: at[i] the one at position i */
static void place(struct diag *dg, const struct tgroup *g,
		  const struct model_device **at, bool report_extra)
{
	const struct model_device *d;
	size_t i, n = dg->m ? model_device_count(dg->m) : 0;
	uint16_t pos;

	for (i = 0; i < n; i++) {
		d = model_device_at(dg->m, i);
		if (d->kind != MODEL_DEV_ECAT_SLAVE ||
		    d->parent != g->master_id || d->ring_pos == 0xffff)
			continue;
		pos = d->ring_pos;
		if (pos < g->n)
			at[pos] = d;
		else if (report_extra && d->online)
			extra(dg, g, d);
	}
}

/* extras no longer beyond the ENI's last position clear */
static void extras_gone(struct diag *dg, const struct tgroup *g)
{
	const struct model_device *md;
	struct dslave *s;
	size_t i;

	for (i = 0; i < DIAG_SLAVES; i++) {
		s = &dg->sl[i];
		if (!s->key || !s->extra || s->ms != g->ms)
			continue;
		md = diag_model_station(dg, (unsigned int)g->ms, s->station);
		if (md && md->online && md->ring_pos != 0xffff &&
		    md->ring_pos >= g->n)
			continue;
		s->extra = 0;
		diag_emit(dg, ALERT_R_ECAT_SLAVE_UNEXPECTED, s, -1, true,
			  "no longer beyond the ENI's line", NULL);
	}
}

static uint32_t master_id(struct diag *dg, unsigned int ms)
{
	uint8_t mac[6];
	const struct model_device *d;

	if (!dg->m)
		return 0;
	memcpy(mac, dg->ms[ms].mac, 6);
	d = model_device_by_mac(dg->m, mac);
	if (!d) {
		mac[0] |= 0x02;
		d = model_device_by_mac(dg->m, mac);
	}
	return d ? d->id : 0;
}

/* one ENI: what each of its slaves is on the wire */
static const char *judge(struct diag *dg, const struct tgroup *g,
			 const struct dexp *x, const struct model_device *md,
			 bool *miss)
{
	const struct dmaster *m = &dg->ms[g->ms];
	const struct dslave *s = diag_slave(dg, (unsigned int)g->ms,
					    x->e.station, false);

	*miss = false;
	if (s && s->answered)
		*miss = s->lost;
	else if (m->wire_known && m->n_known && m->wire_n < g->n &&
		 x->e.pos >= m->wire_n)
		*miss = true;
	if (*miss)
		return "missing";
	if (differs(x, md))
		return "unexpected";
	if ((s && s->answered) || (md && md->online))
		return "present";
	return "unknown";
}

static void check(struct diag *dg, const struct tgroup *g,
		  const struct model_device **at)
{
	struct dexp *x;
	bool miss;
	size_t i;

	memset(at, 0, g->n * sizeof(*at));
	place(dg, g, at, true);
	for (i = 0; i < g->n; i++) {
		x = &dg->exp[g->base + i];
		judge(dg, g, x, at[i], &miss);
		missing(dg, g, x, miss);
		unexpected(dg, g, x, differs(x, at[i]) ? at[i] : NULL);
	}
	extras_gone(dg, g);
}

void diag_topo(struct diag *dg)
{
	struct tgroup g[TOPO_GROUPS];
	const struct model_device **at;
	size_t i, n;

	dg->topo_tick = dg->ts ? dg->ts : 1;
	n = groups(dg, g);
	at = calloc(dg->nexp, sizeof(*at));
	if (!at)
		return;
	dg->ctr.topo_checks++;
	for (i = 0; i < n; i++) {
		if (g[i].ms < 0)
			continue;
		g[i].master_id = master_id(dg, (unsigned int)g[i].ms);
		check(dg, &g[i], at);
	}
	free(at);
}

static json_t *seen_json(const struct model_device *md)
{
	if (!md)
		return json_null();
	return json_pack("{sI sI sI sI sb}", "device", (json_int_t)md->id,
			 "vendor_id", (json_int_t)md->vendor_id,
			 "product_code", (json_int_t)md->product_code,
			 "revision", (json_int_t)md->revision,
			 "online", md->online);
}

json_t *diag_expected_json(struct diag *dg)
{
	struct tgroup g[TOPO_GROUPS];
	const struct model_device **at = NULL;
	json_t *a = json_array();
	size_t i, k, n = groups(dg, g);
	char mac[18];
	bool miss;

	if (dg->nexp && !(at = calloc(dg->nexp, sizeof(*at))))
		return a;
	for (i = 0; i < n; i++) {
		if (g[i].ms >= 0) {
			g[i].master_id = master_id(dg, (unsigned int)g[i].ms);
			memset(at, 0, g[i].n * sizeof(*at));
			place(dg, &g[i], at, false);
		}
		for (k = 0; k < g[i].n; k++) {
			const struct dexp *x = &dg->exp[g[i].base + k];
			const char *st = "unknown";

			if (g[i].ms >= 0)
				st = judge(dg, &g[i], x, at[k], &miss);
			alert_mac_str(x->e.master, mac);
			json_array_append_new(a, json_pack(
				"{s:s? s:i s:i s:s s:I s:I s:I s:s s:o}",
				"master", x->e.any_master ? NULL : mac,
				"position", x->e.pos, "station", x->e.station,
				"name", x->e.name,
				"vendor_id", (json_int_t)x->e.vendor,
				"product_code", (json_int_t)x->e.product,
				"revision", (json_int_t)x->e.revision,
				"state", st, "seen",
				seen_json(g[i].ms >= 0 ? at[k] : NULL)));
		}
	}
	free(at);
	return a;
}
