/*
 * GET /api/v1/topology: the line as nodes and cables for the drawn
 * topology (docs/web.md, Topology).  Nodes are the inventory's devices
 * plus the LLDP stations not in it (switches, PCs); cables are EtherCAT
 * chains in ring order (the master to the first slave, each slave's port
 * 1 to the next one's port 0) and PROFINET cables from the neighbour
 * table.  Each node carries its health and open alerts; a cable carries
 * the port diagnoses (RX errors, lost link, a predicted rise) of the
 * slave at its far end, which is where the ESC diagnosis places them.
 * The imported ENIs' slaves (diag's expected topology) name the nodes
 * they are; one the line lacks is a node of its own, marked missing, in
 * its chain.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alerts/alerts.h"
#include "api/api.h"
#include "capture/capture.h"
#include "core/iiotd.h"
#include "diag/diagsys.h"
#include "diag/health.h"
#include "model/model.h"

#define TOPO_MAX_SLAVES	4096	/* per master, as the model keeps */

struct topo {
	struct model *m;
	const struct alert *al;
	size_t nal;
	json_t *nodes, *links;
};

static void node_key(char *buf, size_t size, uint32_t dev, const char *lldp)
{
	if (dev || !lldp)
		snprintf(buf, size, "d%u", dev);
	else
		snprintf(buf, size, "lldp:%s", lldp);
}

static json_t *open_alerts_of(const struct topo *t, uint32_t dev)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; i < t->nal; i++)
		if (t->al[i].device == dev)
			json_array_append_new(a, json_integer((json_int_t)t->al[i].id));
	return a;
}

static void add_device(struct topo *t, const struct model_device *d)
{
	char key[64], label[MODEL_LABEL_MAX];
	const char *alias;
	struct health h;
	json_t *n;

	node_key(key, sizeof(key), d->id, NULL);
	model_device_label(t->m, d, label, sizeof(label));
	health_device(t->m, d, t->al, t->nal, &h);
	n = json_pack("{ss sI ss ss sb si ss so}", "key", key, "device",
		      (json_int_t)d->id, "label", label, "kind",
		      model_kind_name(d->kind), "online", d->online, "health",
		      h.score, "health_grade", health_grade(h.score), "alerts",
		      open_alerts_of(t, d->id));
	if ((alias = model_alias_get(t->m, label)))
		json_object_set_new(n, "alias", json_string(alias));
	if (d->parent)
		json_object_set_new(n, "parent", json_integer(d->parent));
	if (d->kind == MODEL_DEV_ECAT_SLAVE && d->ring_pos != 0xffff)
		json_object_set_new(n, "ring_pos", json_integer(d->ring_pos));
	json_array_append_new(t->nodes, n);
}

/* The port diagnoses of slave dev, which mark the cable into it. */
static json_t *cable_alerts(const struct topo *t, uint32_t dev)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; i < t->nal; i++) {
		const struct alert *x = &t->al[i];

		if (x->device == dev &&
		    (x->rule == ALERT_R_ECAT_ESC_RX_ERRORS ||
		     x->rule == ALERT_R_ECAT_ESC_LOST_LINK ||
		     x->rule == ALERT_R_DIAG_PREDICTED))
			json_array_append_new(a, json_pack("{sI ss}", "id",
				(json_int_t)x->id, "rule", alert_rule(x->rule)->id));
	}
	return a;
}

static void add_link(struct topo *t, const char *kind, const char *a,
		     const char *pa, const char *b, const char *pb,
		     const char *state, json_t *alerts)
{
	if (json_array_size(alerts) && !strcmp(state, "up"))
		state = "fault";
	json_array_append_new(t->links, json_pack("{ss ss ss ss ss ss so}",
		"kind", kind, "a", a, "a_port", pa, "b", b, "b_port", pb,
		"state", state, "alerts", alerts));
}

static int by_ring_pos(const void *x, const void *y)
{
	const struct model_device *a = *(const struct model_device *const *)x;
	const struct model_device *b = *(const struct model_device *const *)y;

	return (a->ring_pos > b->ring_pos) - (a->ring_pos < b->ring_pos);
}

/* One master's chain: master -> slave 0 port 0, slave i port 1 -> i+1. */
static void ecat_chain(struct topo *t, const struct model_device *ms)
{
	size_t i, n = model_device_count(t->m), k = 0;
	const struct model_device **sl = calloc(TOPO_MAX_SLAVES, sizeof(*sl));
	char a[32], b[32];

	if (!sl)
		return;
	for (i = 0; i < n && k < TOPO_MAX_SLAVES; i++) {
		const struct model_device *d = model_device_at(t->m, i);

		if (d->kind == MODEL_DEV_ECAT_SLAVE && d->parent == ms->id &&
		    d->ring_pos != 0xffff)
			sl[k++] = d;
	}
	qsort(sl, k, sizeof(*sl), by_ring_pos);
	for (i = 0; i < k; i++) {
		const struct model_device *from = i ? sl[i - 1] : ms;

		node_key(a, sizeof(a), from->id, NULL);
		node_key(b, sizeof(b), sl[i]->id, NULL);
		add_link(t, "ecat", a, i ? "1" : "0", b, "0",
			 sl[i]->online ? "up" : "down",
			 cable_alerts(t, sl[i]->id));
	}
	free(sl);
}

/* The device an LLDP station is: by NameOfStation, else by MAC. */
static uint32_t station_device(struct model *m, const char *station,
			       const uint8_t mac[6])
{
	size_t i, n = model_device_count(m);
	const struct model_device *d;

	for (i = 0; i < n; i++) {
		d = model_device_at(m, i);
		if (d->kind == MODEL_DEV_PN_DEVICE &&
		    !strcmp(d->station_name, station))
			return d->id;
	}
	d = model_device_by_mac(m, mac);
	return d ? d->id : 0;
}

static json_t *node_of(json_t *nodes, const char *key)
{
	size_t i;
	json_t *n;

	json_array_foreach(nodes, i, n)
		if (!strcmp(json_string_value(json_object_get(n, "key")), key))
			return n;
	return NULL;
}

static bool have_node(json_t *nodes, const char *key)
{
	return node_of(nodes, key) != NULL;
}

static void lldp_station_node(struct topo *t, const struct model_nbr *nb,
			      char *key, size_t size)
{
	uint32_t dev = station_device(t->m, nb->station, nb->mac);

	node_key(key, size, dev, nb->station);
	if (dev || have_node(t->nodes, key))
		return;
	json_array_append_new(t->nodes, json_pack("{ss ss ss sb so}",
		"key", key, "label", nb->station, "kind",
		nb->bridge ? "switch" : "station", "online",
		!model_nbr_expired(t->m, nb), "alerts", json_array()));
}

/* Each cable once: from the end whose (station, port) sorts first. */
static void pn_cables(struct topo *t)
{
	size_t i, j, n = model_nbr_count(t->m);
	char a[300], b[300];

	for (i = 0; i < n; i++)
		lldp_station_node(t, model_nbr_at(t->m, i), a, sizeof(a));
	for (i = 0; i < n; i++) {
		const struct model_nbr *x = model_nbr_at(t->m, i), *y = NULL;
		int c;

		if (!x->peer_station[0])
			continue;
		c = strcmp(x->station, x->peer_station);
		if (c > 0 || (c == 0 && strcmp(x->port, x->peer_port) > 0))
			continue;
		for (j = 0; j < n && !y; j++) {
			const struct model_nbr *z = model_nbr_at(t->m, j);

			if (!strcmp(z->station, x->peer_station) &&
			    !strcmp(z->port, x->peer_port))
				y = z;
		}
		lldp_station_node(t, x, a, sizeof(a));
		if (y)
			lldp_station_node(t, y, b, sizeof(b));
		else
			node_key(b, sizeof(b), 0, x->peer_station);
		add_link(t, "lldp", a, x->port, b, x->peer_port,
			 model_nbr_expired(t->m, x) ||
			 (y && model_nbr_expired(t->m, y)) ? "down" : "up",
			 json_array());
	}
}

/* The chain's node before expected slave x (the previous expected one as
 * drawn, else its master): "" when the master is not in the inventory. */
static void expected_prev(struct topo *t, json_t *prev, const char *master,
			  char *key, size_t size)
{
	const struct model_device *d;
	uint8_t mac[6];
	unsigned int b[6];
	json_t *seen = json_object_get(prev, "seen");
	int i;

	key[0] = '\0';
	if (prev && json_is_object(seen)) {
		node_key(key, size, (uint32_t)json_integer_value(
			 json_object_get(seen, "device")), NULL);
		return;
	}
	if (prev) {
		snprintf(key, size, "eni:%s:%d", master ? master : "",
			 (int)json_integer_value(json_object_get(prev,
							       "position")));
		return;
	}
	if (!master || sscanf(master, "%2x:%2x:%2x:%2x:%2x:%2x", &b[0], &b[1],
			      &b[2], &b[3], &b[4], &b[5]) != 6)
		return;
	for (i = 0; i < 6; i++)
		mac[i] = (uint8_t)b[i];
	d = model_device_by_mac(t->m, mac);
	if (!d) {
		mac[0] |= 0x02;
		d = model_device_by_mac(t->m, mac);
	}
	if (d)
		node_key(key, size, d->id, NULL);
}

/* Each expected slave: its name on the node it is; a missing one the
 * line never showed, a node of its own after the one before it. */
static void expected(struct topo *t, json_t *exp)
{
	json_t *x, *prev = NULL, *n, *seen;
	const char *master, *name, *state;
	char key[64], pkey[64];
	size_t i;

	json_array_foreach(exp, i, x) {
		master = json_string_value(json_object_get(x, "master"));
		name = json_string_value(json_object_get(x, "name"));
		state = json_string_value(json_object_get(x, "state"));
		seen = json_object_get(x, "seen");
		if (!json_integer_value(json_object_get(x, "position")))
			prev = NULL;
		if (json_is_object(seen)) {
			node_key(key, sizeof(key), (uint32_t)json_integer_value(
				 json_object_get(seen, "device")), NULL);
			n = node_of(t->nodes, key);
			if (n) {
				json_object_set_new(n, "expected",
						    json_string(name));
				json_object_set_new(n, "missing", json_boolean(
					!strcmp(state, "missing")));
			}
		} else if (!strcmp(state, "missing")) {
			expected_prev(t, prev, master, pkey, sizeof(pkey));
			snprintf(key, sizeof(key), "eni:%s:%d",
				 master ? master : "",
				 (int)json_integer_value(json_object_get(x,
								"position")));
			json_array_append_new(t->nodes, json_pack(
				"{ss ss ss sb ss sb sO so}", "key", key,
				"label", name, "kind", "ecat-slave", "online",
				0, "expected", name, "missing", 1, "ring_pos",
				json_object_get(x, "position"), "alerts",
				json_array()));
			if (pkey[0])
				add_link(t, "ecat", pkey, prev ? "1" : "0",
					 key, "0", "down", json_array());
		}
		prev = x;
	}
}

json_t *data_topology(struct api *a)
{
	struct model *m = a->snap ? a->snap->model : NULL;
	struct topo t = { .m = m };
	struct alert *al;
	json_t *exp;
	size_t i, n;

	t.nodes = json_array();
	t.links = json_array();
	if (!m)
		return json_pack("{so so}", "nodes", t.nodes, "links", t.links);
	al = health_open_alerts(a->d->alerts, &t.nal);
	t.al = al;
	n = model_device_count(m);
	for (i = 0; i < n; i++)
		add_device(&t, model_device_at(m, i));
	for (i = 0; i < n; i++) {
		const struct model_device *d = model_device_at(m, i);

		if (d->kind == MODEL_DEV_ECAT_MASTER)
			ecat_chain(&t, d);
	}
	pn_cables(&t);
	exp = diagsys_expected(a->d);
	if (exp)
		expected(&t, exp);
	json_decref(exp);
	free(al);
	return json_pack("{so so}", "nodes", t.nodes, "links", t.links);
}

void h_topology(struct rq *r)
{
	api_reply(r, 200, data_topology(r->api));
}
