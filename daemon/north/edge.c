/*
 * The edge node's metrics (edge.h): values refreshed from a model
 * snapshot each scan, compared with what was last reported.
 */
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/model.h"
#include "model/sigfeed.h"
#include "north/edge.h"

#define EDGE_DEVS_MAX	MODEL_MAX_DEVICES
#define EDGE_METRICS_MAX 4096	/* per device; more are not published */

struct emetric {
	char name[SPB_NAME_MAX];
	uint64_t alias;
	uint64_t ts_ms;			/* when cur was taken */
	/* a signal's: its index + 1 (0: not a signal), and its sample
	 * count when cur was taken, so that an older snapshot's value never
	 * replaces a newer one from the change set */
	uint32_t sig;
	uint64_t nsamp;
	struct spb_value cur, sent;
	bool seen, have_sent;
	bool checked, writable;		/* a command may write it */
	/* written by a command at this time: older samples do not undo
	 * the value read back from the device */
	uint64_t hold_ms;
};

struct edev {
	uint32_t id;			/* model device id; 0: the node */
	char name[SPB_NAME_MAX];	/* topic level */
	struct emetric *m;
	size_t n, cap, cursor;
	bool seen, born, rebirth;
	bool reported;			/* DDATA sent during this walk */
	bool touched;			/* changed by edge_feed */
};

/* what hangs on each device this update: one pass over the signals and
 * links instead of one per device (1,040 devices x 10,000 signals would
 * be ten million looks a scan) */
#define EDGE_NONE	UINT32_MAX
struct edge_index {
	uint32_t head[MODEL_MAX_DEVICES + 1];	/* by device id */
	uint32_t *next;				/* by signal or link index */
	size_t cap;
};

struct edge {
	const struct north_conf *nc;
	int (*writable)(const char *signal);
	struct edge_index sigs, links;
	uint64_t next_alias;
	uint64_t bdseq;			/* of the session's NBIRTH */
	struct edev node;
	struct edev *devs;
	size_t ndevs, cap;
	/* edge_scan: where a born device's DDATA goes as soon as its walk
	 * ends, not after the walk of every device */
	const struct edge_emit *early;
	/* devs index + 1 by model device id: no search a device a scan */
	uint32_t devix[MODEL_MAX_DEVICES + 1];
	/* edge_feed: the metric of each signal index, rebuilt after a scan
	 * (devs and their metrics move as they come and go) */
	struct sigref { uint32_t dev, met; } *bysig;	/* dev: index + 1 */
	size_t nbysig, capbysig;
	bool bysig_stale;
	uint64_t sig_gen;		/* the model's signal table */
	bool sigs_moved;		/* a new one this scan: match by name */
	uint32_t *touched;		/* devs indices edge_feed changed */
	size_t ntouched, captouched;
};

static const char *const msg_names[] = {
	"NBIRTH", "DBIRTH", "NDATA", "DDATA", "DDEATH",
};

const char *edge_msg_name(unsigned int msg)
{
	return msg < sizeof(msg_names) / sizeof(msg_names[0]) ?
	       msg_names[msg] : "?";
}

struct edge *edge_new(const struct north_conf *nc)
{
	struct edge *e = calloc(1, sizeof(*e));

	if (!e)
		return NULL;
	e->nc = nc;
	e->next_alias = 1;
	return e;
}

static void edev_clear(struct edev *d)
{
	free(d->m);
	memset(d, 0, sizeof(*d));
}

void edge_free(struct edge *e)
{
	size_t i;

	if (!e)
		return;
	for (i = 0; i < e->ndevs; i++)
		edev_clear(&e->devs[i]);
	edev_clear(&e->node);
	free(e->devs);
	free(e->sigs.next);
	free(e->links.next);
	free(e->bysig);
	free(e->touched);
	free(e);
}

/* ---- values ---------------------------------------------------------- */

static struct emetric *find(struct edev *d, const char *name)
{
	size_t i;

	/* the metrics come in the same order each scan */
	if (d->cursor < d->n && !strcmp(d->m[d->cursor].name, name))
		return &d->m[d->cursor++];
	for (i = 0; i < d->n; i++)
		if (!strcmp(d->m[i].name, name)) {
			d->cursor = i + 1;
			return &d->m[i];
		}
	return NULL;
}

/* a metric's value from this scan, unless a newer one is there */
static struct emetric *refresh(struct emetric *m, const struct spb_value *v,
			       uint64_t ts_ms, uint64_t nsamp)
{
	m->seen = true;
	if (m->hold_ms && ts_ms < m->hold_ms)
		return m;
	if (nsamp && nsamp < m->nsamp)
		return m;	/* edge_feed had a newer sample */
	m->hold_ms = 0;
	if (v->type == SPB_STRING) {
		m->cur = *v;
	} else {
		/* not the string's room: most metrics are numbers */
		m->cur.type = v->type;
		m->cur.u = v->u;
		m->cur.d = v->d;
		m->cur.s[0] = 0;
	}
	m->ts_ms = ts_ms;
	m->nsamp = nsamp;
	return m;
}

static struct emetric *put(struct edge *e, struct edev *d, const char *name,
			   const struct spb_value *v, uint64_t ts_ms,
			   uint64_t nsamp)
{
	struct emetric *m = find(d, name);

	if (!m) {
		if (d->n == d->cap) {
			size_t cap = d->cap ? d->cap * 2 : 32;
			void *p;

			if (cap > EDGE_METRICS_MAX)
				return NULL;
			p = realloc(d->m, cap * sizeof(*d->m));
			if (!p)
				return NULL;
			d->m = p;
			d->cap = cap;
		}
		m = &d->m[d->n++];
		memset(m, 0, sizeof(*m));
		snprintf(m->name, sizeof(m->name), "%s", name);
		m->alias = e->next_alias++;
		d->cursor = d->n;
		if (d->born)
			d->rebirth = true;
	}
	return refresh(m, v, ts_ms, nsamp);
}

static struct emetric *put_u(struct edge *e, struct edev *d,
			     const char *name, uint32_t type, uint64_t u,
			     uint64_t ts)
{
	struct spb_value v;

	v.type = type;
	v.u = u;
	v.d = 0;
	v.s[0] = 0;
	return put(e, d, name, &v, ts, 0);
}

static struct emetric *put_d(struct edge *e, struct edev *d,
			     const char *name, double x, uint64_t ts,
			     uint64_t nsamp)
{
	struct spb_value v;

	v.type = SPB_DOUBLE;
	v.u = 0;
	v.d = x;
	v.s[0] = 0;
	return put(e, d, name, &v, ts, nsamp);
}

static void put_s(struct edge *e, struct edev *d, const char *name,
		  const char *s, uint64_t ts)
{
	struct spb_value v;
	size_t n = strlen(s);

	if (n >= sizeof(v.s))
		n = sizeof(v.s) - 1;
	v.type = SPB_STRING;
	v.u = 0;
	v.d = 0;
	/* a copy, not a format: several of each device's every scan */
	memcpy(v.s, s, n);
	v.s[n] = 0;
	put(e, d, name, &v, ts, 0);
}

static bool differs(const struct spb_value *a, const struct spb_value *b,
		    double deadband)
{
	if (a->type != b->type)
		return true;
	switch (a->type) {
	case SPB_DOUBLE:
		if (isnan(a->d) || isnan(b->d))
			return isnan(a->d) != isnan(b->d);
		if (deadband > 0)
			return fabs(a->d - b->d) >= deadband;
		return a->d != b->d;
	case SPB_STRING:
		return strcmp(a->s, b->s) != 0;
	default:
		return a->u != b->u;
	}
}

/* ---- the inventory ---------------------------------------------------- */

static bool selected(const struct north_conf *nc, const struct model_device *d)
{
	if (!d->online)
		return false;
	switch (nc->devices) {
	case NORTH_DEV_ALL:
		return true;
	case NORTH_DEV_NONE:
		return false;
	default:
		return d->lifecycle >= MODEL_LC_COMMISSIONED &&
		       d->lifecycle <= MODEL_LC_MAINTENANCE;
	}
}

static struct edev *dev_get(struct edge *e, uint32_t id, const char *name)
{
	struct edev *d;
	uint32_t i = id <= MODEL_MAX_DEVICES ? e->devix[id] : 0;

	if (i && i <= e->ndevs && e->devs[i - 1].id == id &&
	    !strcmp(e->devs[i - 1].name, name))
		return &e->devs[i - 1];
	/* a new device, or renamed: the old name's is swept as gone */
	if (e->ndevs >= EDGE_DEVS_MAX || id > MODEL_MAX_DEVICES)
		return NULL;
	if (e->ndevs == e->cap) {
		size_t cap = e->cap ? e->cap * 2 : 16;
		void *p = realloc(e->devs, cap * sizeof(*e->devs));

		if (!p)
			return NULL;
		e->devs = p;
		e->cap = cap;
	}
	d = &e->devs[e->ndevs++];
	memset(d, 0, sizeof(*d));
	d->id = id;
	e->devix[id] = (uint32_t)e->ndevs;
	snprintf(d->name, sizeof(d->name), "%s", name);
	return d;
}

static void dev_identity(struct edge *e, struct edev *x,
			 const struct model_device *d, uint64_t ts)
{
	char buf[64];

	put_s(e, x, "Identity/Kind", model_kind_name(d->kind), ts);
	if (d->has & MODEL_HAS_MAC) {
		snprintf(buf, sizeof(buf), "%02x:%02x:%02x:%02x:%02x:%02x",
			 d->mac[0], d->mac[1], d->mac[2], d->mac[3], d->mac[4],
			 d->mac[5]);
		put_s(e, x, "Identity/MAC", buf, ts);
	}
	if (d->has & MODEL_HAS_VENDOR)
		put_u(e, x, "Identity/Vendor ID", SPB_UINT32, d->vendor_id, ts);
	if (d->has & MODEL_HAS_PRODUCT)
		put_u(e, x, "Identity/Product Code", SPB_UINT32,
		      d->product_code, ts);
	if (d->has & MODEL_HAS_REVISION)
		put_u(e, x, "Identity/Revision", SPB_UINT32, d->revision, ts);
	if (d->has & MODEL_HAS_SERIAL)
		put_u(e, x, "Identity/Serial", SPB_UINT32, d->serial, ts);
	if (d->has & MODEL_HAS_NAME)
		put_s(e, x, "Identity/Station Name", d->station_name, ts);
	if (d->has & MODEL_HAS_IP) {
		snprintf(buf, sizeof(buf), "%u.%u.%u.%u", d->ip >> 24,
			 (d->ip >> 16) & 0xff, (d->ip >> 8) & 0xff,
			 d->ip & 0xff);
		put_s(e, x, "Identity/IP", buf, ts);
	}
	if (d->kind == MODEL_DEV_ECAT_SLAVE)
		put_u(e, x, "Identity/Position", SPB_UINT32, d->ring_pos, ts);
	if (model_ecat_product_name(d, buf, sizeof(buf)))
		put_s(e, x, "Identity/Product", buf, ts);
}

static void dev_health(struct edge *e, struct edev *x,
		       const struct model_device *d, uint64_t ts)
{
	put_s(e, x, "Lifecycle", model_lifecycle_name(d->lifecycle), ts);
	put_u(e, x, "Frames", SPB_UINT64, d->frames, ts);
	put_u(e, x, "Errors", SPB_UINT64, d->errors, ts);
	if (d->has & MODEL_HAS_AL)
		put_s(e, x, "EtherCAT/AL State",
		      model_al_state_name(d->al_state), ts);
}

/*
 * "base/leaf" in name, whose first blen (< 64) bytes are base: a copy,
 * not a format for each leaf of every link each scan (formatting was a
 * fifth of the north thread's time)
 */
static const char *leaf_name(char name[SPB_NAME_MAX], size_t blen,
			     const char *leaf)
{
	size_t llen = strlen(leaf);

	if (blen + 1 + llen >= SPB_NAME_MAX)
		llen = SPB_NAME_MAX - 2 - blen;
	name[blen] = '/';
	memcpy(name + blen + 1, leaf, llen);
	name[blen + 1 + llen] = 0;
	return name;
}

/* link statistics of the cyclic links the device sends */
static void dev_links(struct edge *e, struct edev *x, struct model *m,
		      uint32_t id, uint64_t ts)
{
	char name[SPB_NAME_MAX];
	size_t blen;
	uint32_t i;

	for (i = e->links.head[id]; i != EDGE_NONE; i = e->links.next[i]) {
		const struct model_link *l = model_link_at(m, i);

		if (!l)
			continue;
		if (l->kind == MODEL_LINK_PN_RT)
			snprintf(name, 64, "Links/FrameID 0x%04x", l->frame_id);
		else
			snprintf(name, 64, "Links/LAD 0x%08x", l->lad);
		blen = strlen(name);
#define LINK_PUT_U(leaf, v) \
	put_u(e, x, leaf_name(name, blen, leaf), SPB_UINT64, (v), ts)
#define LINK_PUT_D(leaf, v) \
	put_d(e, x, leaf_name(name, blen, leaf), (v), ts, 0)
		LINK_PUT_U("Frames", l->frames);
		LINK_PUT_D("Period us", (double)l->period_ns / 1e3);
		LINK_PUT_D("Jitter p99 us", (double)l->jitter_p99_ns / 1e3);
		LINK_PUT_U("Lost", l->lost);
		if (l->kind == MODEL_LINK_ECAT)
			LINK_PUT_U("WKC Errors", l->wkc_errors);
#undef LINK_PUT_U
#undef LINK_PUT_D
	}
}

/*
 * The metric next in the device's order if it is signal i's from an
 * earlier scan of this signal table (its name then is the same): no name
 * to make and look up again, the common case.
 */
static struct emetric *sig_metric(struct edge *e, struct edev *x, uint32_t i)
{
	if (e->sigs_moved || x->cursor >= x->n || x->m[x->cursor].sig != i + 1)
		return NULL;
	return &x->m[x->cursor++];
}

static void dev_signals(struct edge *e, struct edev *x, struct model *m,
			uint32_t id)
{
	char name[SPB_NAME_MAX];
	struct model_sigval s;
	struct spb_value v;
	struct emetric *em;
	uint32_t i;

	for (i = e->sigs.head[id]; i != EDGE_NONE; i = e->sigs.next[i]) {
		if (model_signal_val(m, i, &s) || !s.samples)
			continue;
		memset(&v, 0, offsetof(struct spb_value, s) + 1);
		v.type = SPB_DOUBLE;
		v.d = s.last;
		em = sig_metric(e, x, i);
		if (em) {
			refresh(em, &v, s.last_ns / 1000000ULL, s.samples);
			continue;
		}
		snprintf(name, sizeof(name), "Signals/%s",
			 model_signal_name(m, i));
		em = put(e, x, name, &v, s.last_ns / 1000000ULL, s.samples);
		if (em)
			em->sig = i + 1;
		/* asked once, when the metric appears */
		if (em && !em->checked) {
			em->writable = e->writable &&
				       e->writable(model_signal_name(m, i));
			em->checked = true;
		}
	}
}

/* lists of signal (links: false) or link indices by device id, in order */
static void index_build(struct edge_index *x, struct model *m, bool signals)
{
	size_t i, n = signals ? model_signal_count(m) : model_link_count(m);
	uint32_t id;

	memset(x->head, 0xff, sizeof(x->head));
	if (n > x->cap) {
		void *p = realloc(x->next, n * sizeof(*x->next));

		if (!p)
			return;		/* heads empty: nothing this scan */
		x->next = p;
		x->cap = n;
	}
	for (i = n; i-- > 0;) {
		if (signals) {
			struct model_sigval s;

			id = model_signal_val(m, i, &s) ? 0 : s.dev_id;
		} else {
			const struct model_link *l = model_link_at(m, i);

			id = l ? l->src : 0;
		}
		if (!id || id > MODEL_MAX_DEVICES)
			continue;
		x->next[i] = x->head[id];
		x->head[id] = (uint32_t)i;
	}
}

static void begin(struct edev *d)
{
	size_t i;

	d->seen = false;
	d->cursor = 0;
	for (i = 0; i < d->n; i++)
		d->m[i].seen = false;
}

/* metrics that were not refreshed are gone: the device is born again */
static void end(struct edev *d)
{
	size_t i, j;

	for (i = j = 0; i < d->n; i++) {
		if (d->m[i].seen) {
			if (i != j)	/* a metric is big: move only after a gap */
				d->m[j] = d->m[i];
			j++;
		} else if (d->born)
			d->rebirth = true;
	}
	d->n = j;
}

/* the node's commands: the metrics a host writes */
static void node_control(struct edge *e, const char *name, uint32_t type,
			 uint64_t u, uint64_t ts)
{
	struct emetric *m = put_u(e, &e->node, name, type, u, ts);

	if (m)
		m->writable = m->checked = true;
}

static void changes(const struct north_conf *nc, struct edev *d,
		    unsigned int msg, bool live, uint64_t now_ms,
		    const struct edge_emit *out);

/* a new signal table: its sample counts start again */
static void sig_gen_set(struct edge *e, uint64_t gen)
{
	size_t i, j;

	for (i = 0; i < e->ndevs; i++)
		for (j = 0; j < e->devs[i].n; j++)
			e->devs[i].m[j].nsamp = 0;
	e->sig_gen = gen;
}

void edge_update(struct edge *e, struct model *m,
		 const struct edge_node_info *info, uint64_t now_ms)
{
	size_t i, n = m ? model_device_count(m) : 0;
	uint64_t online = 0;

	begin(&e->node);
	for (i = 0; i < e->ndevs; i++)
		begin(&e->devs[i]);
	if (m) {
		index_build(&e->sigs, m, true);
		index_build(&e->links, m, false);
		e->sigs_moved = model_signal_gen(m) != e->sig_gen;
		if (e->sigs_moved)
			sig_gen_set(e, model_signal_gen(m));
	}
	e->bysig_stale = true;
	for (i = 0; i < n; i++) {
		const struct model_device *d = model_device_at(m, i);
		char label[SPB_NAME_MAX], level[SPB_NAME_MAX];
		struct edev *x;

		if (!d)
			continue;
		online += d->online;
		if (!selected(e->nc, d))
			continue;
		model_device_label(m, d, label, sizeof(label));
		spb_level(level, sizeof(level), label);
		x = dev_get(e, d->id, level);
		if (!x)
			continue;
		x->seen = true;
		dev_identity(e, x, d, now_ms);
		dev_health(e, x, d, now_ms);
		dev_links(e, x, m, d->id, now_ms);
		dev_signals(e, x, m, d->id);
		end(x);
		if (e->early && x->born && !x->rebirth) {
			changes(e->nc, x, EDGE_DDATA, true, now_ms, e->early);
			x->reported = true;
		}
		/* not with a new signal table: the devices not walked yet
		 * still hold the old one's indices */
		if (e->early && e->early->between && !e->sigs_moved) {
			/* this device's metrics may have moved */
			e->bysig_stale = true;
			e->early->between(e->early->arg);
		}
	}
	e->node.seen = true;
	node_control(e, SPB_REBIRTH, SPB_BOOL, 0, now_ms);
	node_control(e, SPB_NEXT_SERVER, SPB_BOOL, 0, now_ms);
	node_control(e, SPB_SCAN_RATE, SPB_INT64, e->nc->scan_ms, now_ms);
	put_s(e, &e->node, "Properties/Software", "iiotd", now_ms);
	put_u(e, &e->node, "Inventory/Devices", SPB_UINT32, n, now_ms);
	put_u(e, &e->node, "Inventory/Online", SPB_UINT32, online, now_ms);
	put_u(e, &e->node, "Capture/Frames", SPB_UINT64,
	      info ? info->frames : 0, now_ms);
	put_u(e, &e->node, "Alerts/Open", SPB_UINT32,
	      info ? info->active_alerts : 0, now_ms);
	end(&e->node);
	e->bysig_stale = true;
}

/* ---- reports ----------------------------------------------------------- */

static void emit(const struct edge_emit *out, unsigned int msg,
		 const char *device, struct spb_buf *b)
{
	out->emit(out->arg, msg, device, b);
	spb_free(b);
}

static void birth(struct edev *d, unsigned int msg, uint64_t now_ms,
		  const struct edge_emit *out, const struct spb_value *bdseq)
{
	struct spb_buf b;
	size_t i;

	spb_init(&b, now_ms);
	if (bdseq)
		spb_add(&b, "bdSeq", false, 0, now_ms, bdseq, false);
	for (i = 0; i < d->n; i++) {
		struct emetric *m = &d->m[i];

		/* the specification: no alias for Node Control/Rebirth, so a
		 * host can always ask for one by name */
		spb_add(&b, m->name, strcmp(m->name, SPB_REBIRTH) != 0,
			m->alias, m->ts_ms, &m->cur, false);
		spb_readonly(&b, !m->writable);
		m->sent = m->cur;
		m->have_sent = true;
	}
	d->born = true;
	d->rebirth = false;
	emit(out, msg, msg == EDGE_NBIRTH ? NULL : d->name, &b);
}

/* drop the devices marked gone, sending DDEATH for the born ones */
static void sweep(struct edge *e, bool live, uint64_t now_ms,
		  const struct edge_emit *out)
{
	size_t i, j;

	for (i = j = 0; i < e->ndevs; i++) {
		struct edev *d = &e->devs[i];

		if (d->seen) {
			if (i != j)
				e->devs[j] = *d;
			j++;
			continue;
		}
		if (live && d->born) {
			struct spb_buf b;

			spb_init(&b, now_ms);
			emit(out, EDGE_DDEATH, d->name, &b);
		}
		free(d->m);
	}
	e->ndevs = j;
	memset(e->devix, 0, sizeof(e->devix));
	for (i = 0; i < e->ndevs; i++)
		e->devix[e->devs[i].id] = (uint32_t)(i + 1);
	e->bysig_stale = true;
}

static void changes(const struct north_conf *nc, struct edev *d,
		    unsigned int msg, bool live, uint64_t now_ms,
		    const struct edge_emit *out)
{
	struct spb_buf b;
	size_t i;

	spb_init(&b, now_ms);
	for (i = 0; i < d->n; i++) {
		struct emetric *m = &d->m[i];

		if (m->have_sent && !differs(&m->cur, &m->sent, nc->deadband))
			continue;
		if (live)
			spb_add(&b, NULL, true, m->alias, m->ts_ms, &m->cur,
				false);
		else
			spb_add(&b, m->name, false, 0, m->ts_ms, &m->cur, true);
		m->sent = m->cur;
		m->have_sent = true;
	}
	if (b.n)
		emit(out, msg, msg == EDGE_NDATA ? NULL : d->name, &b);
	else
		spb_free(&b);
}

void edge_births(struct edge *e, uint64_t bdseq, uint64_t now_ms,
		 const struct edge_emit *out)
{
	struct spb_value v;
	size_t i;

	e->bdseq = bdseq;
	memset(&v, 0, sizeof(v));
	v.type = SPB_INT64;
	v.u = bdseq;
	sweep(e, false, now_ms, out);
	birth(&e->node, EDGE_NBIRTH, now_ms, out, &v);
	for (i = 0; i < e->ndevs; i++)
		birth(&e->devs[i], EDGE_DBIRTH, now_ms, out, NULL);
}

void edge_report(struct edge *e, bool live, uint64_t now_ms,
		 const struct edge_emit *out)
{
	size_t i;

	sweep(e, live, now_ms, out);
	if (live && e->node.rebirth) {
		/* a new node metric: the whole node is born again */
		edge_births(e, e->bdseq, now_ms, out);
		return;
	}
	changes(e->nc, &e->node, EDGE_NDATA, live, now_ms, out);
	for (i = 0; i < e->ndevs; i++) {
		struct edev *d = &e->devs[i];

		if (d->reported)
			d->reported = false;
		else if (live && (!d->born || d->rebirth))
			birth(d, EDGE_DBIRTH, now_ms, out, NULL);
		else
			changes(e->nc, d, EDGE_DDATA, live, now_ms, out);
	}
}

void edge_scan(struct edge *e, struct model *m,
	       const struct edge_node_info *info, uint64_t now_ms,
	       const struct edge_emit *out)
{
	e->early = out;
	edge_update(e, m, info, now_ms);
	e->early = NULL;
	edge_report(e, true, now_ms, out);
}

/* ---- the change set ------------------------------------------------------ */

/* where each signal's metric is now (after a scan moved them) */
static int bysig_build(struct edge *e)
{
	size_t i, j, n = 0;

	for (i = 0; i < e->ndevs; i++)
		for (j = 0; j < e->devs[i].n; j++)
			if (e->devs[i].m[j].sig > n)
				n = e->devs[i].m[j].sig;
	if (n > e->capbysig) {
		void *p = realloc(e->bysig, n * sizeof(*e->bysig));

		if (!p)
			return -1;
		e->bysig = p;
		e->capbysig = n;
	}
	if (e->ndevs > e->captouched) {
		void *p = realloc(e->touched, e->ndevs * sizeof(*e->touched));

		if (!p)
			return -1;
		e->touched = p;
		e->captouched = e->ndevs;
	}
	memset(e->bysig, 0, n * sizeof(*e->bysig));
	e->nbysig = n;
	for (i = 0; i < e->ndevs; i++)
		for (j = 0; j < e->devs[i].n; j++) {
			uint32_t sig = e->devs[i].m[j].sig;

			if (sig) {
				e->bysig[sig - 1].dev = (uint32_t)(i + 1);
				e->bysig[sig - 1].met = (uint32_t)j;
			}
		}
	e->bysig_stale = false;
	return 0;
}

static void feed_one(void *arg, const struct sigfeed_val *v)
{
	struct edge *e = arg;
	const struct sigref *r;
	struct emetric *m;
	struct edev *d;
	uint64_t ts_ms = v->ts_ns / 1000000ULL;

	/* another table's, or a signal no scan has made a metric of yet
	 * (the next scan does, and its device is born again) */
	if (v->gen != e->sig_gen || v->idx >= e->nbysig)
		return;
	r = &e->bysig[v->idx];
	if (!r->dev)
		return;
	d = &e->devs[r->dev - 1];
	m = &d->m[r->met];
	if (m->sig != v->idx + 1 || m->cur.type != SPB_DOUBLE ||
	    v->samples < m->nsamp || (m->hold_ms && ts_ms < m->hold_ms))
		return;
	m->hold_ms = 0;
	m->cur.d = v->v;
	m->ts_ms = ts_ms;
	m->nsamp = v->samples;
	if (!d->touched) {
		d->touched = true;
		e->touched[e->ntouched++] = r->dev - 1;
	}
}

size_t edge_feed(struct edge *e, struct sigfeed *f, uint64_t now_ms,
		 const struct edge_emit *out)
{
	size_t i, n;

	if (e->bysig_stale && bysig_build(e))
		return 0;	/* the next scan reports them */
	e->ntouched = 0;
	n = sigfeed_take(f, feed_one, e);
	for (i = 0; i < e->ntouched; i++) {
		struct edev *d = &e->devs[e->touched[i]];

		d->touched = false;
		/* one not born (again) yet: its births carry the values */
		if (d->born && !d->rebirth)
			changes(e->nc, d, EDGE_DDATA, true, now_ms, out);
	}
	e->ntouched = 0;
	return n;
}

void edge_lost(struct edge *e)
{
	size_t i;

	e->node.born = false;
	for (i = 0; i < e->ndevs; i++)
		e->devs[i].born = false;
}

uint64_t edge_node_alias(const struct edge *e, const char *name)
{
	size_t i;

	for (i = 0; i < e->node.n; i++)
		if (!strcmp(e->node.m[i].name, name))
			return e->node.m[i].alias;
	return 0;
}

void edge_set_writable(struct edge *e, int (*writable)(const char *signal))
{
	e->writable = writable;
}

static struct edev *dev_by_name(struct edge *e, const char *device)
{
	size_t i;

	if (!device)
		return &e->node;
	for (i = 0; i < e->ndevs; i++)
		if (!strcmp(e->devs[i].name, device))
			return &e->devs[i];
	return NULL;
}

static struct emetric *metric_of(struct edev *d, const struct spb_cmd *c)
{
	size_t i;

	for (i = 0; i < d->n; i++)
		if (c->name[0] ? !strcmp(d->m[i].name, c->name) :
		    c->has_alias && d->m[i].alias == c->alias)
			return &d->m[i];
	return NULL;
}

int edge_find(struct edge *e, const char *device, const struct spb_cmd *c,
	      struct edge_target *t)
{
	struct edev *d = dev_by_name(e, device);
	struct emetric *m = d && d->born ? metric_of(d, c) : NULL;

	memset(t, 0, sizeof(*t));
	if (!m)
		return -1;
	t->dev_id = d->id;
	snprintf(t->metric, sizeof(t->metric), "%s", m->name);
	t->alias = m->alias;
	t->writable = m->writable;
	return 0;
}

int edge_written(struct edge *e, const char *device, const char *metric,
		 double value, uint64_t now_ms)
{
	struct edev *d = dev_by_name(e, device);
	struct spb_cmd c;
	struct emetric *m;

	memset(&c, 0, sizeof(c));
	snprintf(c.name, sizeof(c.name), "%s", metric);
	m = d ? metric_of(d, &c) : NULL;
	if (!m || m->cur.type != SPB_DOUBLE)
		return -1;
	m->cur.d = value;
	m->ts_ms = now_ms;
	m->hold_ms = now_ms;
	return 0;
}

bool edge_device_born(const struct edge *e, const char *device)
{
	size_t i;

	for (i = 0; i < e->ndevs; i++)
		if (!strcmp(e->devs[i].name, device))
			return e->devs[i].born;
	return false;
}

size_t edge_device_count(const struct edge *e)
{
	return e->ndevs;
}

size_t edge_metric_count(const struct edge *e)
{
	size_t i, n = e->node.n;

	for (i = 0; i < e->ndevs; i++)
		n += e->devs[i].n;
	return n;
}
