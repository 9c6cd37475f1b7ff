/*
 * The fleet inventory and the edges' sessions (inv.h).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "core/hash.h"
#include "core/idxtab.h"
#include "north/north.h"
#include "north/spb.h"
#include "fleet/inv.h"

struct imetric {
	uint64_t alias;
	int32_t dev;			/* -1: the node's */
	uint32_t type;			/* DataType from the birth */
	char name[SPB_NAME_MAX];
};

struct idev {
	char name[SPB_NAME_MAX];
	bool online;
	uint64_t birth_ms, last_ms;
	char kind[24], station[SPB_NAME_MAX], lifecycle[24], al_state[16];
	uint64_t frames, errors, metrics;
};

struct inode {
	char group[NORTH_ID_MAX], edge[NORTH_ID_MAX];
	bool online;
	int seq;			/* the last message's, -1: none yet */
	uint64_t bdseq, birth_ms, last_ms, rebirth_ms;
	uint64_t messages, seq_gaps, rebirths, births;
	uint64_t devices, online_devices, alerts, frames;
	struct idev *dev;
	size_t ndev, capdev;
	struct idxtab dh;		/* the devices by name */
	struct imetric *m;
	size_t nm, capm;
	struct idxtab ah;		/* the metrics by alias */
};

struct inv {
	pthread_mutex_t mu;
	uint64_t rebirth_ms;
	struct inode **nodes;
	size_t nnodes, capnodes;
	struct inv_counters ctr;
};

struct inv *inv_new(uint64_t rebirth_ms)
{
	struct inv *v = calloc(1, sizeof(*v));

	if (!v)
		return NULL;
	pthread_mutex_init(&v->mu, NULL);
	v->rebirth_ms = rebirth_ms;
	return v;
}

static void node_free(struct inode *n)
{
	free(n->dev);
	idxtab_free(&n->dh);
	free(n->m);
	idxtab_free(&n->ah);
	free(n);
}

void inv_free(struct inv *v)
{
	size_t i;

	if (!v)
		return;
	for (i = 0; i < v->nnodes; i++)
		node_free(v->nodes[i]);
	free(v->nodes);
	pthread_mutex_destroy(&v->mu);
	free(v);
}

static int grow(void **p, size_t *cap, size_t need, size_t size)
{
	size_t c = *cap ? *cap : 8;
	void *q;

	if (need <= *cap)
		return 0;
	while (c < need)
		c *= 2;
	q = realloc(*p, c * size);
	if (!q)
		return -1;
	*p = q;
	*cap = c;
	return 0;
}

/* ---- lookups ------------------------------------------------------------- */

static struct inode *node_find(struct inv *v, const char *group,
			       const char *edge)
{
	size_t i;

	for (i = 0; i < v->nnodes; i++)
		if (!strcmp(v->nodes[i]->edge, edge) &&
		    !strcmp(v->nodes[i]->group, group))
			return v->nodes[i];
	return NULL;
}

static struct inode *node_get(struct inv *v, const char *group,
			      const char *edge)
{
	struct inode *n = node_find(v, group, edge);

	if (n)
		return n;
	if (v->nnodes == INV_NODES_MAX ||
	    grow((void **)&v->nodes, &v->capnodes, v->nnodes + 1,
		 sizeof(*v->nodes)) || !(n = calloc(1, sizeof(*n)))) {
		v->ctr.full++;
		return NULL;
	}
	snprintf(n->group, sizeof(n->group), "%s", group);
	snprintf(n->edge, sizeof(n->edge), "%s", edge);
	n->seq = -1;
	v->nodes[v->nnodes++] = n;
	return n;
}

static uint64_t dev_hash(void *n, uint32_t i)
{
	return fnv1a64_str(((struct inode *)n)->dev[i].name);
}

static bool dev_named(const void *n, uint32_t i, const void *name)
{
	return !strcmp(((const struct inode *)n)->dev[i].name, name);
}

/* a DDATA names its device: a node of a large line has a thousand, a
 * hash finds it without comparing the names of all before it */
static struct idev *dev_get(struct inv *v, struct inode *n, const char *name,
			    bool create)
{
	uint64_t h = fnv1a64_str(name);
	int64_t i = idxtab_find(&n->dh, h, dev_named, n, name);
	struct idev *d;

	if (i >= 0)
		return &n->dev[i];
	if (!create)
		return NULL;
	if (n->ndev == INV_DEVICES_MAX ||
	    grow((void **)&n->dev, &n->capdev, n->ndev + 1, sizeof(*n->dev)) ||
	    idxtab_reserve(&n->dh, n->ndev + 1, 64, n->ndev, dev_hash, n)) {
		v->ctr.full++;
		return NULL;
	}
	d = &n->dev[n->ndev];
	memset(d, 0, sizeof(*d));
	snprintf(d->name, sizeof(d->name), "%s", name);
	idxtab_add(&n->dh, fnv1a64_str(d->name), n->ndev++);
	return d;
}

static uint64_t mix(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	return x;
}

static uint64_t alias_hash(void *n, uint32_t i)
{
	return mix(((struct inode *)n)->m[i].alias);
}

static bool alias_is(const void *n, uint32_t i, const void *alias)
{
	return ((const struct inode *)n)->m[i].alias == *(const uint64_t *)alias;
}

static struct imetric *alias_find(struct inode *n, uint64_t alias)
{
	int64_t i = idxtab_find(&n->ah, mix(alias), alias_is, n, &alias);

	return i >= 0 ? &n->m[i] : NULL;
}

/* a birth's metric with an alias: the alias names it from now on */
static void alias_put(struct inv *v, struct inode *n, uint64_t alias,
		      int32_t dev, uint32_t type, const char *name)
{
	struct imetric *m = alias_find(n, alias);

	if (!m) {
		if (n->nm == INV_METRICS_MAX ||
		    grow((void **)&n->m, &n->capm, n->nm + 1, sizeof(*n->m)) ||
		    idxtab_reserve(&n->ah, n->nm + 1, 64, n->nm, alias_hash, n)) {
			v->ctr.full++;
			return;
		}
		/* the table has room (grown above): the new alias alone is
		 * linked in, a birth of many aliases stays linear */
		m = &n->m[n->nm];
		m->alias = alias;
		idxtab_add(&n->ah, mix(alias), n->nm++);
	}
	m->dev = dev;
	m->type = type;
	snprintf(m->name, sizeof(m->name), "%s", name);
}

/* ---- values -------------------------------------------------------------- */

static bool signed_type(uint32_t t)
{
	return t == SPB__DATA_TYPE__Int8 || t == SPB__DATA_TYPE__Int16 ||
	       t == SPB__DATA_TYPE__Int32 || t == SPB__DATA_TYPE__Int64;
}

/* the value as a row: a number, a text, or neither (null, unsupported) */
static void value(const Spb__Payload__Metric *m, uint32_t type,
		  struct inv_row *r)
{
	r->has_num = true;
	switch (m->value_case) {
	case SPB__PAYLOAD__METRIC__VALUE_INT_VALUE:
		r->num = signed_type(type) ? (double)(int32_t)m->int_value :
			 (double)m->int_value;
		break;
	case SPB__PAYLOAD__METRIC__VALUE_LONG_VALUE:
		r->num = signed_type(type) ? (double)(int64_t)m->long_value :
			 (double)m->long_value;
		break;
	case SPB__PAYLOAD__METRIC__VALUE_FLOAT_VALUE:
		r->num = m->float_value;
		break;
	case SPB__PAYLOAD__METRIC__VALUE_DOUBLE_VALUE:
		r->num = m->double_value;
		break;
	case SPB__PAYLOAD__METRIC__VALUE_BOOLEAN_VALUE:
		r->num = m->boolean_value ? 1 : 0;
		break;
	case SPB__PAYLOAD__METRIC__VALUE_STRING_VALUE:
		r->has_num = false;
		r->text = m->string_value;
		break;
	default:
		r->has_num = false;
		break;
	}
	if (m->has_is_null && m->is_null) {
		r->has_num = false;
		r->text = NULL;
	}
}

static void copy_text(char *dst, size_t len, const struct inv_row *r)
{
	if (r->text)
		snprintf(dst, len, "%s", r->text);
}

/* what the inventory shows: the few metrics docs/north.md names */
static void keep(struct inode *n, struct idev *d, const struct inv_row *r)
{
	/* counters: a value no uint64_t holds (or NaN) shows as 0 */
	uint64_t u = r->has_num && r->num > 0 && r->num < 1.8e19 ?
		     (uint64_t)r->num : 0;

	if (!d) {
		if (!strcmp(r->metric, "Inventory/Devices"))
			n->devices = u;
		else if (!strcmp(r->metric, "Inventory/Online"))
			n->online_devices = u;
		else if (!strcmp(r->metric, "Alerts/Open"))
			n->alerts = u;
		else if (!strcmp(r->metric, "Capture/Frames"))
			n->frames = u;
		return;
	}
	if (!strcmp(r->metric, "Identity/Kind"))
		copy_text(d->kind, sizeof(d->kind), r);
	else if (!strcmp(r->metric, "Identity/Station Name"))
		copy_text(d->station, sizeof(d->station), r);
	else if (!strcmp(r->metric, "Lifecycle"))
		copy_text(d->lifecycle, sizeof(d->lifecycle), r);
	else if (!strcmp(r->metric, "EtherCAT/AL State"))
		copy_text(d->al_state, sizeof(d->al_state), r);
	else if (!strcmp(r->metric, "Frames"))
		d->frames = u;
	else if (!strcmp(r->metric, "Errors"))
		d->errors = u;
}

/* ---- messages ------------------------------------------------------------ */

enum { T_NBIRTH, T_NDEATH, T_DBIRTH, T_DDEATH, T_NDATA, T_DDATA, T_CMD };

struct msg {
	struct inv *v;
	struct inode *n;
	const char *group, *edge, *device;	/* device NULL: the node's */
	int type;
	const Spb__Payload *p;
	uint64_t now;
	const struct inv_sink *s;
};

static int topic_split(char *t, char **lv, int max)
{
	int n = 0;
	char *p = t;

	for (;;) {
		if (n == max)
			return -1;
		lv[n++] = p;
		p = strchr(p, '/');
		if (!p)
			return n;
		*p++ = 0;
	}
}

static int msg_type(const char *s)
{
	static const char *const names[] = { "NBIRTH", "NDEATH", "DBIRTH",
		"DDEATH", "NDATA", "DDATA", "NCMD", "DCMD" };
	int i;

	for (i = 0; i < 8; i++)
		if (!strcmp(s, names[i]))
			return i < T_CMD ? i : T_CMD;
	return -1;
}

static void ask_rebirth(struct msg *g)
{
	struct inode *n = g->n;

	if (!n || (n->rebirth_ms && g->now < n->rebirth_ms + g->v->rebirth_ms))
		return;
	n->rebirth_ms = g->now;
	n->rebirths++;
	g->v->ctr.rebirths++;
	if (g->s->rebirth)
		g->s->rebirth(g->s->arg, n->group, n->edge);
}

static void seq_check(struct msg *g)
{
	struct inode *n = g->n;
	int seq = g->p->has_seq ? (int)(g->p->seq & 0xff) : -1;

	if (g->type == T_NBIRTH) {
		n->seq = seq;
		return;
	}
	if (!n->online) {
		g->v->ctr.unborn++;
		ask_rebirth(g);
		return;
	}
	if (seq < 0 || n->seq < 0 || seq != ((n->seq + 1) & 0xff)) {
		n->seq_gaps++;
		g->v->ctr.seq_gaps++;
		ask_rebirth(g);
	}
	n->seq = seq;
}

/* every metric of the message as a row; births register the aliases */
static void rows(struct msg *g, struct idev *d)
{
	struct inv *v = g->v;
	struct inode *n = g->n;
	bool birth = g->type == T_NBIRTH || g->type == T_DBIRTH;
	bool hist = false;
	size_t i;

	for (i = 0; i < g->p->n_metrics; i++) {
		const Spb__Payload__Metric *m = g->p->metrics[i];
		struct imetric *im = NULL;
		struct inv_row r = { 0 };
		const char *name = m->name;
		uint32_t type = m->has_datatype ? m->datatype : 0;

		if (birth && name && m->has_alias)
			alias_put(v, n, m->alias, d ? (int32_t)(d - n->dev) : -1,
				  type, name);
		if (!name && m->has_alias && (im = alias_find(n, m->alias))) {
			name = im->name;
			if (!m->has_datatype)
				type = im->type;
			/* an alias names a metric of one device */
			if ((im->dev < 0) != !d)
				im = NULL, name = NULL;
		}
		if (!name || !name[0] || strlen(name) >= SPB_NAME_MAX) {
			v->ctr.unknown_alias++;
			ask_rebirth(g);
			continue;
		}
		r.group = n->group;
		r.edge = n->edge;
		r.device = d ? d->name : "";
		r.metric = name;
		r.ts_ms = (int64_t)(m->has_timestamp ? m->timestamp :
				    g->p->timestamp);
		r.historical = m->has_is_historical && m->is_historical;
		hist |= r.historical;
		value(m, type, &r);
		if (!r.historical)
			keep(n, d, &r);
		v->ctr.rows++;
		if (g->s->row)
			g->s->row(g->s->arg, &r);
	}
	if (hist)
		v->ctr.historical++;
	if (g->s->msg)
		g->s->msg(g->s->arg, g->p->timestamp, hist);
}

static uint64_t bdseq_of(const Spb__Payload *p, bool *found)
{
	size_t i;

	*found = false;
	for (i = 0; i < p->n_metrics; i++) {
		const Spb__Payload__Metric *m = p->metrics[i];

		if (m->name && !strcmp(m->name, "bdSeq") &&
		    (m->value_case == SPB__PAYLOAD__METRIC__VALUE_LONG_VALUE ||
		     m->value_case == SPB__PAYLOAD__METRIC__VALUE_INT_VALUE)) {
			*found = true;
			return m->value_case ==
			       SPB__PAYLOAD__METRIC__VALUE_LONG_VALUE ?
			       m->long_value : m->int_value;
		}
	}
	return 0;
}

static void node_birth(struct msg *g)
{
	struct inode *n = g->n;
	bool found;
	size_t i;

	n->bdseq = bdseq_of(g->p, &found);
	n->online = true;
	n->birth_ms = g->now;
	n->births++;
	n->rebirth_ms = 0;
	g->v->ctr.births++;
	/* the devices are born again after it, each with its DBIRTH */
	for (i = 0; i < n->ndev; i++)
		n->dev[i].online = false;
	seq_check(g);
	rows(g, NULL);
}

static void node_death(struct msg *g)
{
	struct inode *n = g->n;
	bool found;
	uint64_t bd = bdseq_of(g->p, &found);
	size_t i;

	/* a Will of an older connection arrives after the new NBIRTH */
	if (!n->online || (found && bd != n->bdseq)) {
		g->v->ctr.deaths_stale++;
		return;
	}
	n->online = false;
	n->seq = -1;
	g->v->ctr.deaths++;
	for (i = 0; i < n->ndev; i++)
		n->dev[i].online = false;
}

static int dispatch(struct msg *g)
{
	struct idev *d = NULL;

	switch (g->type) {
	case T_NBIRTH:
		node_birth(g);
		return 0;
	case T_NDEATH:
		node_death(g);
		return 0;
	case T_CMD:
		return 0;	/* another host's commands */
	default:
		break;
	}
	seq_check(g);
	if (g->device && !(d = dev_get(g->v, g->n, g->device, true)))
		return 0;
	if (d)
		d->last_ms = g->now;
	switch (g->type) {
	case T_DBIRTH:
		g->v->ctr.dbirths++;
		d->online = true;
		d->birth_ms = g->now;
		d->metrics = g->p->n_metrics;
		break;
	case T_DDEATH:
		g->v->ctr.ddeaths++;
		d->online = false;
		return 0;
	default:
		g->v->ctr.data++;
		break;
	}
	rows(g, d);
	return 0;
}

int inv_message(struct inv *v, const char *topic, const void *buf,
		size_t len, uint64_t now_ms, const struct inv_sink *s,
		char *why, size_t whylen)
{
	char t[SPB_TOPIC_MAX], *lv[6];
	Spb__Payload *p = NULL;
	struct msg g = { .v = v, .now = now_ms, .s = s };
	int nl, rc = -1;

	pthread_mutex_lock(&v->mu);
	v->ctr.messages++;
	if (strlen(topic) >= sizeof(t)) {
		snprintf(why, whylen, "topic too long");
		goto out;
	}
	strcpy(t, topic);
	nl = topic_split(t, lv, 6);
	if (nl >= 2 && !strcmp(lv[0], SPB_NAMESPACE) && !strcmp(lv[1], "STATE")) {
		rc = 0;		/* host applications' STATE, ours too */
		goto out;
	}
	if (nl < 4 || nl > 5 || strcmp(lv[0], SPB_NAMESPACE) ||
	    (g.type = msg_type(lv[2])) < 0 || !lv[1][0] || !lv[3][0] ||
	    strlen(lv[1]) >= NORTH_ID_MAX || strlen(lv[3]) >= NORTH_ID_MAX ||
	    (nl == 5 && (!lv[4][0] || strlen(lv[4]) >= SPB_NAME_MAX)) ||
	    (nl == 5) != (g.type == T_DBIRTH || g.type == T_DDEATH ||
			  g.type == T_DDATA || (g.type == T_CMD &&
						!strcmp(lv[2], "DCMD")))) {
		snprintf(why, whylen, "not a Sparkplug B topic");
		goto out;
	}
	if (len > INV_PAYLOAD_MAX ||
	    !(p = spb__payload__unpack(NULL, len, buf))) {
		snprintf(why, whylen, "not a Sparkplug B payload");
		goto out;
	}
	g.group = lv[1];
	g.edge = lv[3];
	g.device = nl == 5 ? lv[4] : NULL;
	g.p = p;
	if (!(g.n = node_get(v, g.group, g.edge))) {
		snprintf(why, whylen, "more than %d edge nodes", INV_NODES_MAX);
		goto out;
	}
	g.n->messages++;
	g.n->last_ms = now_ms;
	rc = dispatch(&g);
out:
	if (rc)
		v->ctr.bad++;
	pthread_mutex_unlock(&v->mu);
	if (p)
		spb__payload__free_unpacked(p, NULL);
	return rc;
}

void inv_lost(struct inv *v)
{
	size_t i, j;

	pthread_mutex_lock(&v->mu);
	for (i = 0; i < v->nnodes; i++) {
		v->nodes[i]->online = false;
		v->nodes[i]->seq = -1;
		for (j = 0; j < v->nodes[i]->ndev; j++)
			v->nodes[i]->dev[j].online = false;
	}
	pthread_mutex_unlock(&v->mu);
}

void inv_counters(struct inv *v, struct inv_counters *out)
{
	pthread_mutex_lock(&v->mu);
	*out = v->ctr;
	pthread_mutex_unlock(&v->mu);
}

/* ---- JSON ---------------------------------------------------------------- */

static const char *node_health(const struct inode *n)
{
	return !n->online ? "offline" : n->alerts ? "warning" : "ok";
}

static size_t devs_online(const struct inode *n)
{
	size_t i, k = 0;

	for (i = 0; i < n->ndev; i++)
		k += n->dev[i].online;
	return k;
}

static int health_rank(const char *h)
{
	return !strcmp(h, "ok") ? 0 : !strcmp(h, "warning") ? 1 : 2;
}

json_t *inv_sites_json(struct inv *v)
{
	json_t *a = json_array(), *s;
	size_t i, j;

	pthread_mutex_lock(&v->mu);
	for (i = 0; i < v->nnodes; i++) {
		const struct inode *n = v->nodes[i];
		const char *h = node_health(n);

		for (j = 0; j < json_array_size(a); j++)
			if (!strcmp(json_string_value(json_object_get(
				    json_array_get(a, j), "group")), n->group))
				break;
		if (!(s = json_array_get(a, j))) {
			s = json_pack("{s:s, s:i, s:i, s:i, s:i, s:i, s:s}",
				      "group", n->group, "nodes", 0,
				      "nodes_online", 0, "devices", 0,
				      "devices_online", 0, "alerts", 0,
				      "health", "ok");
			json_array_append_new(a, s);
		}
#define ADD(k, by) json_object_set_new(s, k, json_integer( \
		json_integer_value(json_object_get(s, k)) + (json_int_t)(by)))
		ADD("nodes", 1);
		ADD("nodes_online", n->online);
		ADD("devices", n->ndev);
		ADD("devices_online", devs_online(n));
		ADD("alerts", n->online ? n->alerts : 0);
#undef ADD
		if (health_rank(h) > health_rank(json_string_value(
				json_object_get(s, "health"))))
			json_object_set_new(s, "health", json_string(h));
	}
	pthread_mutex_unlock(&v->mu);
	return a;
}

static json_t *node_json(const struct inode *n)
{
	char id[2 * NORTH_ID_MAX];

	snprintf(id, sizeof(id), "%s:%s", n->group, n->edge);
	return json_pack("{s:s, s:s, s:s, s:b, s:s, s:I, s:I, s:I, s:I, s:I,"
			 " s:I, s:I, s:I, s:I, s:I}",
			 "id", id, "group", n->group, "edge", n->edge,
			 "online", n->online, "health", node_health(n),
			 "bdseq", (json_int_t)n->bdseq,
			 "births", (json_int_t)n->births,
			 "messages", (json_int_t)n->messages,
			 "seq_gaps", (json_int_t)n->seq_gaps,
			 "rebirths_asked", (json_int_t)n->rebirths,
			 "devices", (json_int_t)n->ndev,
			 "devices_online", (json_int_t)devs_online(n),
			 "alerts", (json_int_t)n->alerts,
			 "frames", (json_int_t)n->frames,
			 "last_seen", (json_int_t)n->last_ms);
}

json_t *inv_nodes_json(struct inv *v, const char *group)
{
	json_t *a = NULL;
	size_t i;

	pthread_mutex_lock(&v->mu);
	for (i = 0; i < v->nnodes; i++) {
		if (strcmp(v->nodes[i]->group, group))
			continue;
		if (!a)
			a = json_array();
		json_array_append_new(a, node_json(v->nodes[i]));
	}
	pthread_mutex_unlock(&v->mu);
	return a;
}

static json_t *dev_json(const struct inode *n, const struct idev *d)
{
	return json_pack("{s:s, s:b, s:s, s:s, s:s, s:s, s:s, s:I, s:I, s:I,"
			 " s:I}",
			 "device", d->name, "online", n->online && d->online,
			 "health", n->online && d->online ? "ok" : "offline",
			 "kind", d->kind, "station", d->station,
			 "lifecycle", d->lifecycle, "al_state", d->al_state,
			 "frames", (json_int_t)d->frames,
			 "errors", (json_int_t)d->errors,
			 "metrics", (json_int_t)d->metrics,
			 "last_seen", (json_int_t)d->last_ms);
}

json_t *inv_devices_json(struct inv *v, const char *group, const char *edge)
{
	struct inode *n;
	json_t *a = NULL;
	size_t i;

	pthread_mutex_lock(&v->mu);
	if ((n = node_find(v, group, edge))) {
		a = json_array();
		for (i = 0; i < n->ndev; i++)
			json_array_append_new(a, dev_json(n, &n->dev[i]));
	}
	pthread_mutex_unlock(&v->mu);
	return a;
}

bool inv_has_node(struct inv *v, const char *group, const char *edge)
{
	bool r;

	pthread_mutex_lock(&v->mu);
	r = node_find(v, group, edge) != NULL;
	pthread_mutex_unlock(&v->mu);
	return r;
}
