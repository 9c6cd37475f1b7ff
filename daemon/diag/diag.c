/*
 * diag core: the master and slave tables (open addressing, never shrink
 * while iiotd runs; full is counted), naming slaves through the model,
 * raising findings and the per-frame dispatch to the rule files.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alerts/alerts.h"
#include "diag/diag_int.h"
#include "model/model.h"

void diag_fmt(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, len, fmt, ap);
	va_end(ap);
}

void diag_set_opts(struct diag *dg, const struct diag_opts *o)
{
	memset(&dg->o, 0, sizeof(dg->o));
	if (o)
		dg->o = *o;
	if (!dg->o.wkc_learn)
		dg->o.wkc_learn = 8;
	if (!dg->o.dc_limit_ns)
		dg->o.dc_limit_ns = 1000;
	if (dg->o.rate_limit <= 0)
		dg->o.rate_limit = 10;
	if (!dg->o.horizon_ns)
		dg->o.horizon_ns = 3600ULL * 1000000000ULL;
	if (dg->o.wkc_limit <= 0)
		dg->o.wkc_limit = 10;
	if (dg->o.lost_limit <= 0)
		dg->o.lost_limit = 10;
	if (!dg->o.jitter_pct)
		dg->o.jitter_pct = 50;
	if (!dg->o.port_mbps)
		dg->o.port_mbps = 100;
	diag_load_speed(dg);
}

struct diag *diag_new(struct alerts *al, struct model *m,
		      const struct diag_opts *o)
{
	struct diag *dg = calloc(1, sizeof(*dg));

	if (!dg)
		return NULL;
	dg->al = al;
	dg->m = m;
	diag_set_opts(dg, o);
	return dg;
}

void diag_free(struct diag *dg)
{
	if (dg) {
		free(dg->seeds);
		free(dg->exp);
	}
	free(dg);
}

void diag_set_sink(struct diag *dg, diag_sink_fn fn, void *arg)
{
	dg->sink = fn;
	dg->sink_arg = arg;
}

void diag_get_counters(const struct diag *dg, struct diag_counters *out)
{
	*out = dg->ctr;
}

static unsigned int mix(uint32_t k)
{
	k ^= k >> 16;
	k *= 0x7FEB352DU;
	k ^= k >> 15;
	return k & (DIAG_SLAVES - 1);
}

struct dslave *diag_slave(struct diag *dg, unsigned int ms, uint16_t station,
			  bool add)
{
	uint32_t key = (uint32_t)(ms + 1) << 16 | station;
	unsigned int i = mix(key), n;
	struct dslave *s;

	for (n = 0; n < DIAG_SLAVES; n++, i = (i + 1) & (DIAG_SLAVES - 1)) {
		s = &dg->sl[i];
		if (s->key == key)
			return s;
		if (!s->key)
			break;
	}
	if (!add)
		return NULL;
	if (n == DIAG_SLAVES || dg->nsl >= DIAG_SLAVES * 3 / 4) {
		dg->ctr.slaves_full++;
		return NULL;
	}
	s->key = key;
	s->station = station;
	s->ms = (uint8_t)ms;
	dg->nsl++;
	dg->ms[ms].nslaves_seen++;
	if (dg->nseeds)
		diag_seed_slave(dg, s);
	return s;
}

/*
 * A master by its MAC with the U/L bit cleared (returns set it), compared
 * as one integer: a MAC copied to the stack, its first byte changed and
 * read back with wider loads stalled every EtherCAT frame on the store.
 */
static int master_slot(struct diag *dg, const uint8_t src[6])
{
	uint64_t key = (mac48(src) & ~(0x02ULL << 40)) | 1ULL << 48;
	uint8_t mac[6];
	int i, free_i = -1;

	for (i = 0; i < DIAG_MASTERS; i++) {
		if (dg->ms[i].key == key)
			return i;
		if (!dg->ms[i].used && free_i < 0)
			free_i = i;
	}
	if (free_i < 0) {
		dg->ctr.masters_full++;
		return -1;
	}
	memcpy(mac, src, 6);
	mac[0] &= (uint8_t)~0x02;
	dg->ms[free_i].key = key;
	memcpy(dg->ms[free_i].mac, mac, 6);
	dg->ms[free_i].used = 1;
	return free_i;
}

const uint8_t *diag_reg(const struct decode_ecat_dgram *g, unsigned int reg,
			unsigned int size)
{
	if (reg < g->ado || reg + size > (unsigned int)g->ado + g->len)
		return NULL;
	return g->data + (reg - g->ado);
}

static const struct model_device *model_master(struct diag *dg,
					       unsigned int ms);

/*
 * Slave lookups through the model are a scan of its devices: they happen
 * only when a finding is raised, never per frame.  By station address
 * (station >= 0) or else by ring position.
 */
static const struct model_device *model_find(struct diag *dg, unsigned int ms,
					     int station, int pos)
{
	const struct model_device *mst = model_master(dg, ms), *d;
	size_t i, n;

	if (!mst)
		return NULL;
	n = model_device_count(dg->m);
	for (i = 0; i < n; i++) {
		d = model_device_at(dg->m, i);
		if (d->kind != MODEL_DEV_ECAT_SLAVE || d->parent != mst->id)
			continue;
		if (station >= 0 ? (d->has & MODEL_HAS_STATION) &&
				   d->station_addr == station :
				   d->ring_pos == pos)
			return d;
	}
	return NULL;
}

static const struct model_device *model_slave(struct diag *dg,
					      const struct dslave *s)
{
	return model_find(dg, s->ms, s->station, -1);
}

const struct model_device *diag_model_station(struct diag *dg,
					      unsigned int ms,
					      uint16_t station)
{
	return model_find(dg, ms, station, -1);
}

const struct model_device *diag_model_at(struct diag *dg, unsigned int ms,
					 int pos)
{
	return model_find(dg, ms, -1, pos);
}

int diag_slave_pos(struct diag *dg, const struct dslave *s)
{
	const struct model_device *d = model_slave(dg, s);

	return d ? d->ring_pos : -1;
}

void diag_slave_name(struct diag *dg, const struct dslave *s, char *buf,
		     size_t len)
{
	int pos = diag_slave_pos(dg, s);

	if (pos >= 0)
		diag_fmt(buf, len, "slave %d (0x%04x)", pos, s->station);
	else
		diag_fmt(buf, len, "slave 0x%04x", s->station);
}

static const struct model_device *model_master(struct diag *dg,
					       unsigned int ms)
{
	uint8_t mac[6];
	const struct model_device *d;

	if (!dg->m)
		return NULL;
	memcpy(mac, dg->ms[ms].mac, 6);
	d = model_device_by_mac(dg->m, mac);
	if (!d) {
		mac[0] |= 0x02;
		d = model_device_by_mac(dg->m, mac);
	}
	return d;
}

static void deliver(struct diag *dg, struct diag_finding *f,
		    const struct model_device *md, uint64_t key, bool quiet,
		    const char *detail, const char *evidence);

static void finding_init(struct diag *dg, struct diag_finding *f,
			 unsigned int rule, bool cleared, const uint8_t mac[6],
			 int station, int port)
{
	memset(f, 0, sizeof(*f));
	f->rule = (uint16_t)rule;
	f->severity = alert_rule(rule)->severity;
	f->cleared = cleared;
	f->ts_ns = dg->ts;
	f->frame_no = dg->frame_no;
	memcpy(f->master, mac, 6);
	f->station = station;
	f->position = -1;
	f->port = (int8_t)port;
	/* a prediction's line goes with the one finding it was made for */
	if (dg->fit)
		f->fit = *dg->fit;
	dg->fit = NULL;
}

void diag_emit_fit(struct diag *dg, const struct diag_fit *fit)
{
	dg->fit = fit;
}

static void emit(struct diag *dg, unsigned int rule, const struct dslave *s,
		 int port, bool cleared, bool quiet, const char *detail,
		 const char *evidence)
{
	const struct model_device *md;
	struct diag_finding f;
	unsigned int ms = s ? s->ms : dg->cur_ms;

	if (dg->o.disabled[rule])
		return;
	finding_init(dg, &f, rule, cleared, dg->ms[ms].mac,
		     s ? s->station : -1, port);
	md = s ? model_slave(dg, s) : model_master(dg, ms);
	if (md) {
		if (s)
			f.position = md->ring_pos;
		model_device_label(dg->m, md, f.label, sizeof(f.label));
		model_ecat_product_name(md, f.name, sizeof(f.name));
	} else if (s) {
		char mac[18];

		alert_mac_str(dg->ms[ms].mac, mac);
		diag_fmt(f.label, sizeof(f.label), "ecat:%s@0x%04x", mac,
			 s->station);
	} else {
		alert_mac_str(dg->ms[ms].mac, f.label);
	}
	deliver(dg, &f, md, (uint64_t)f.station << 8 | (uint8_t)port, quiet,
		detail, evidence);
}

/* a prediction's line as the alert keeps it: per second, for the chart */
static void alert_fit(const struct diag_fit *x, struct alert_fit *out)
{
	memset(out, 0, sizeof(*out));
	out->has = true;
	diag_fmt(out->metric, sizeof(out->metric), "%s", x->metric);
	diag_fmt(out->unit, sizeof(out->unit), "%s", x->unit);
	out->t0_ns = x->t0_ns;
	out->last_ns = x->last_ns;
	out->v0 = x->intercept;
	out->slope_per_s = x->slope_per_min / 60.0;
	out->threshold = x->limit;
	out->cross_ns = x->cross_ns;
	out->cross_lo_ns = x->cross_lo_ns;
	out->cross_hi_ns = x->cross_hi_ns;
	out->samples = x->samples;
}

/* the finding to the sink, the alert table */
static void deliver(struct diag *dg, struct diag_finding *fp,
		    const struct model_device *md, uint64_t key, bool quiet,
		    const char *detail, const char *evidence)
{
	struct alert_ev ev;
	struct alert_fit fit;
	unsigned int rule = fp->rule;

	diag_fmt(fp->detail, sizeof(fp->detail), "%s", detail);
	diag_fmt(fp->evidence, sizeof(fp->evidence), "%s",
		 evidence ? evidence : "");
	if (!quiet) {
		dg->ctr.findings++;
		if (dg->sink)
			dg->sink(dg->sink_arg, fp);
	}
	if (!dg->al)
		return;
	if (fp->cleared) {
		alerts_clear(dg->al, rule, md ? md->id : 0, 0, key);
		return;
	}
	memset(&ev, 0, sizeof(ev));
	ev.rule = (uint16_t)rule;
	ev.ts_ns = dg->ts;
	ev.frame_no = dg->frame_no;
	ev.src = dg->d ? dg->d->src : NULL;
	ev.dst = dg->d ? dg->d->dst : NULL;
	ev.device = md ? md->id : 0;
	ev.key = key;
	ev.label = fp->label;
	ev.detail = quiet ? NULL : fp->detail;
	if (fp->fit.has) {
		alert_fit(&fp->fit, &fit);
		ev.fit = &fit;
	}
	alerts_raise(dg->al, &ev);
}

void diag_emit(struct diag *dg, unsigned int rule, const struct dslave *s,
	       int port, bool cleared, const char *detail,
	       const char *evidence)
{
	emit(dg, rule, s, port, cleared, false, detail, evidence);
}

static void emit_dev(struct diag *dg, unsigned int rule, const uint8_t mac[6],
		     uint64_t key, bool cleared, bool quiet,
		     const char *detail, const char *evidence)
{
	const struct model_device *md;
	struct diag_finding f;

	if (dg->o.disabled[rule])
		return;
	finding_init(dg, &f, rule, cleared, mac, -1, -1);
	md = dg->m ? model_device_by_mac(dg->m, mac) : NULL;
	if (md)
		model_device_label(dg->m, md, f.label, sizeof(f.label));
	else
		alert_mac_str(mac, f.label);
	deliver(dg, &f, md, key, quiet, detail, evidence);
}

void diag_emit_line(struct diag *dg, unsigned int rule, const char *line,
		    unsigned int idx, bool cleared, const char *detail,
		    const char *evidence)
{
	static const uint8_t none[6];
	struct diag_finding f;

	if (dg->o.disabled[rule])
		return;
	finding_init(dg, &f, rule, cleared, none, -1, -1);
	diag_fmt(f.label, sizeof(f.label), "port %s", line);
	/* apart from every device's keys: bit 61 and the port's slot */
	deliver(dg, &f, NULL, 1ULL << 61 | idx, false, detail, evidence);
}

void diag_emit_dev(struct diag *dg, unsigned int rule, const uint8_t mac[6],
		   uint64_t key, bool cleared, const char *detail,
		   const char *evidence)
{
	emit_dev(dg, rule, mac, key, cleared, false, detail, evidence);
}

void diag_repeat_dev(struct diag *dg, unsigned int rule, const uint8_t mac[6],
		     uint64_t key)
{
	emit_dev(dg, rule, mac, key, false, true, "", NULL);
}

/* the alert keeps the onset's detail: a repeat only counts */
void diag_repeat(struct diag *dg, unsigned int rule, const struct dslave *s,
		 int port)
{
	emit(dg, rule, s, port, false, true, "", NULL);
}

/* a failing cable read every 100 ms is one finding, not ten a second */
bool diag_again(struct diag *dg, uint64_t *last, unsigned int rule,
		const struct dslave *s, int port)
{
	uint64_t quiet = (uint64_t)alert_rule(rule)->clear_s * 1000000000ULL;
	bool open = *last && dg->ts >= *last && dg->ts - *last < quiet;

	*last = dg->ts ? dg->ts : 1;
	if (open)
		diag_repeat(dg, rule, s, port);
	return open;
}

static void ecat_frame(struct diag *dg)
{
	const struct decode_ecat *e = &dg->d->ecat;
	unsigned int i;
	int ms;

	if (!e->ndgram)
		return;
	ms = master_slot(dg, dg->d->src);
	if (ms < 0)
		return;
	dg->cur_ms = (unsigned int)ms;
	dg->returned = dg->d->src[0] & 0x02;
	if (dg->returned)
		dg->ctr.ecat_returns++;
	diag_lost(dg);
	for (i = 0; i < e->ndgram; i++) {
		const struct decode_ecat_dgram *g = &e->dgram[i];

		if (g->cmd >= ECAT_CMD_COUNT || g->cmd == ECAT_NOP)
			continue;
		if (ecat_cmd_is_logical(g->cmd)) {
			if (dg->returned)
				diag_wkc(dg, g);
			continue;
		}
		if (g->ado >= 0x1000)	/* mailboxes and process data */
			continue;
		diag_al(dg, g);
		diag_esc(dg, g);
		diag_dc(dg, g);
	}
}

void diag_frame(struct diag *dg, const struct decoded *d, uint64_t ts_ns,
		uint64_t frame_no)
{
	dg->ts = ts_ns;
	dg->frame_no = frame_no;
	dg->ctr.frames++;
	/* a link's prediction rests on a minute, not on this frame; the
	 * minute's test is here, the call only when it is due */
	if (!dg->link_tick || ts_ns < dg->link_tick ||
	    ts_ns - dg->link_tick >= DIAG_RATE_NS) {
		dg->d = NULL;
		diag_links(dg);
	}
	if (dg->nexp && (ts_ns < dg->topo_tick ||
			 ts_ns - dg->topo_tick >= DIAG_TOPO_NS)) {
		dg->d = NULL;
		diag_topo(dg);
	}
	dg->d = d;
	if (d->proto == DECODE_ECAT)
		ecat_frame(dg);
	else
		diag_pn(dg);
}
