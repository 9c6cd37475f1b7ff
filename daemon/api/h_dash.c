/*
 * Dashboards (docs/web.md, "Dashboards"): each user's own, and those
 * shared with a role (or all), each role's default among them; a kiosk
 * token reads the shared ones.  One sees one's own and those shared with
 * one's role; with dashboard.share, every shared one, and only then may
 * one change them.  Another's dashboard answers 404, as if it were not
 * there.  Documents are checked by api/dashdoc.c; routes.c audits every
 * change.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "api/dashdoc.h"
#include "auth/dashdb.h"

static int sees_all_shared(const struct rq *r)
{
	return role_has(r->role, PERM_DASH_SHARE) || r->role == ROLE_KIOSK;
}

static int can_see(const struct rq *r, const struct dash_row *d)
{
	if (!d->share[0])
		return !strcmp(d->owner, r->who);
	return sees_all_shared(r) || !strcmp(d->share, "all") ||
	       !strcmp(d->share, role_name(r->role));
}

static int can_edit(const struct rq *r, const struct dash_row *d)
{
	return d->share[0] ? role_has(r->role, PERM_DASH_SHARE) : !strcmp(d->owner, r->who);
}

static json_t *row_json(const struct rq *r, const struct dash_row *d)
{
	return json_pack("{sI ss ss so so sb sb sI ss}", "id", (json_int_t)d->id,
			 "name", d->name, "scope", d->share[0] ? "shared" : "personal",
			 "owner", d->owner[0] ? json_string(d->owner) : json_null(),
			 "shared", d->share[0] ? json_string(d->share) : json_null(),
			 "default", d->is_default, "editable", can_edit(r, d),
			 "updated", (json_int_t)d->updated, "updated_by", d->updated_by);
}

struct list_ctx {
	struct rq *r;
	json_t *list;
	int64_t mine, all;	/* the defaults for the role and for all */
};

static void list_row(void *arg, const struct dash_row *d)
{
	struct list_ctx *c = arg;

	if (!can_see(c->r, d))
		return;
	json_array_append_new(c->list, row_json(c->r, d));
	if (d->is_default && !strcmp(d->share, role_name(c->r->role)))
		c->mine = d->id;
	else if (d->is_default && !strcmp(d->share, "all"))
		c->all = d->id;
}

void h_dashboards(struct rq *r)
{
	struct list_ctx c = { .r = r, .list = json_array() };
	int64_t def;

	if (dash_list(r->api->db, r->who, sees_all_shared(r) ? NULL : role_name(r->role),
		      list_row, &c)) {
		json_decref(c.list);
		api_error(r, 500, "cannot read dashboards");
		return;
	}
	def = c.mine ? c.mine : c.all;
	api_reply(r, 200, json_pack("{so so}", "dashboards", c.list,
				    "default", def ? json_integer(def) : json_null()));
}

/* The dashboard of the route's {id} that r may see: 0, or answered. */
static int load(struct rq *r, struct dash_row *d)
{
	char *end;
	long long id = strtoll(r->param[0], &end, 10);
	int rc;

	snprintf(r->target, sizeof(r->target), "dashboard %.40s", r->param[0]);
	if (*end || id <= 0) {
		api_error(r, 400, "dashboard id must be a positive integer");
		return -1;
	}
	rc = dash_get(r->api->db, id, d);
	if (rc < 0) {
		api_error(r, 500, "cannot read dashboards");
		return -1;
	}
	if (rc || !can_see(r, d)) {
		if (!rc)
			free(d->doc);
		api_error(r, 404, "no such dashboard");
		return -1;
	}
	return 0;
}

/* d's row with its widgets */
static json_t *full_json(struct rq *r, const struct dash_row *d)
{
	json_t *o = row_json(r, d), *doc = json_loads(d->doc, 0, NULL);
	json_t *w = json_object_get(doc, "widgets");

	json_object_set_new(o, "widgets", w ? json_incref(w) : json_array());
	json_decref(doc);
	return o;
}

void h_dashboard(struct rq *r)
{
	struct dash_row d;

	if (load(r, &d))
		return;
	api_reply(r, 200, full_json(r, &d));
	free(d.doc);
}

void h_dashboard_export(struct rq *r)
{
	struct dash_row d;
	json_t *doc, *o;
	char fname[48];

	if (load(r, &d))
		return;
	doc = json_loads(d.doc, 0, NULL);
	free(d.doc);
	o = json_pack("{ss si ss sO}", "format", DASH_FORMAT, "version", DASH_VERSION,
		      "name", d.name, "widgets", json_object_get(doc, "widgets"));
	snprintf(fname, sizeof(fname), "dashboard-%lld.json", (long long)d.id);
	api_reply_download(r, o, fname);
	json_decref(o);
	json_decref(doc);
}

/* body checked into a document string (malloc'd) and its name; NULL answered */
static char *checked(struct rq *r, int envelope, json_t **doc)
{
	char why[160];
	char *s;

	*doc = dash_doc_check(r->body, envelope, why, sizeof(why));
	if (!*doc) {
		api_error(r, 400, why);
		return NULL;
	}
	s = json_dumps(*doc, JSON_COMPACT);
	if (!s) {
		json_decref(*doc);
		api_error(r, 500, "out of memory");
	}
	return s;
}

static void created(struct rq *r, int64_t id)
{
	struct dash_row d;

	if (dash_get(r->api->db, id, &d)) {
		api_error(r, 500, "cannot read dashboards");
		return;
	}
	snprintf(r->target, sizeof(r->target), "dashboard %lld", (long long)id);
	api_reply(r, 201, full_json(r, &d));
	free(d.doc);
}

/* shared: NULL (personal), a role's name or "all"; 0 or answered */
static int add(struct rq *r, const char *share, int envelope)
{
	const char *owner = share ? NULL : r->who;
	json_t *def = json_object_get(r->body, "default"), *doc;
	int64_t id;
	char *s;

	if (def && (!json_is_boolean(def) || (json_is_true(def) && !share))) {
		api_error(r, 400, "default: a boolean, and only a shared dashboard is a role's default");
		return -1;
	}
	if (dash_count(r->api->db, owner, share) >= DASH_MAX_PER_OWNER) {
		api_error(r, 409, share ? "at most 50 dashboards shared with a role" :
			  "at most 50 dashboards of one's own");
		return -1;
	}
	s = checked(r, envelope, &doc);
	if (!s)
		return -1;
	r->detail = json_pack("{ss ss? sb}", "name", json_string_value(json_object_get(doc, "name")),
			      "shared", share, "import", envelope);
	if (dash_create(r->api->db, owner, share, json_string_value(json_object_get(doc, "name")),
			s, r->who, &id) || (json_is_true(def) && dash_set_default(r->api->db, id, 1))) {
		free(s);
		json_decref(doc);
		api_error(r, 500, "cannot store the dashboard");
		return -1;
	}
	free(s);
	json_decref(doc);
	created(r, id);
	return 0;
}

void h_dashboard_add(struct rq *r)
{
	json_t *sh = json_object_get(r->body, "shared");
	const char *share = NULL;
	char why[96];

	if (sh && !json_is_null(sh)) {
		share = json_string_value(sh);
		if (!share || (strcmp(share, "all") && role_parse(share) < 0)) {
			api_error(r, 400, "shared: a role's name or \"all\"");
			return;
		}
		if (!role_has(r->role, PERM_DASH_SHARE)) {
			snprintf(why, sizeof(why), "role %s lacks permission %s", role_name(r->role),
				 perm_name(PERM_DASH_SHARE));
			api_error(r, 403, why);
			return;
		}
	}
	add(r, share, 0);
}

void h_dashboard_import(struct rq *r)
{
	if (json_object_get(r->body, "shared") || json_object_get(r->body, "default")) {
		api_error(r, 400, "an import makes one's own dashboard: no shared, no default");
		return;
	}
	add(r, NULL, 1);
}

static int editable(struct rq *r, const struct dash_row *d)
{
	char why[96];

	if (can_edit(r, d))
		return 1;
	snprintf(why, sizeof(why), "role %s lacks permission %s", role_name(r->role),
		 perm_name(PERM_DASH_SHARE));
	api_error(r, 403, why);
	return 0;
}

void h_dashboard_put(struct rq *r)
{
	json_t *def = json_object_get(r->body, "default"), *doc;
	struct dash_row d;
	char *s;

	if (load(r, &d))
		return;
	free(d.doc);
	if (!editable(r, &d))
		return;
	if (json_object_get(r->body, "shared")) {
		api_error(r, 400, "shared is set when a dashboard is made; make a new one to share");
		return;
	}
	if (def && (!json_is_boolean(def) || !d.share[0])) {
		api_error(r, 400, "default: a boolean, and only a shared dashboard is a role's default");
		return;
	}
	s = checked(r, 0, &doc);
	if (!s)
		return;
	r->detail = json_pack("{ss si}", "name", json_string_value(json_object_get(doc, "name")),
			      "widgets", (int)json_array_size(json_object_get(doc, "widgets")));
	if (def)
		json_object_set(r->detail, "default", def);
	if (dash_update(r->api->db, d.id, json_string_value(json_object_get(doc, "name")), s,
			r->who) || (def && dash_set_default(r->api->db, d.id, json_is_true(def)))) {
		free(s);
		json_decref(doc);
		api_error(r, 500, "cannot store the dashboard");
		return;
	}
	free(s);
	json_decref(doc);
	if (dash_get(r->api->db, d.id, &d)) {
		api_error(r, 500, "cannot read dashboards");
		return;
	}
	api_reply(r, 200, full_json(r, &d));
	free(d.doc);
}

void h_dashboard_del(struct rq *r)
{
	struct dash_row d;

	if (load(r, &d))
		return;
	free(d.doc);
	if (!editable(r, &d))
		return;
	r->detail = json_pack("{ss}", "name", d.name);
	if (dash_delete(r->api->db, d.id)) {
		api_error(r, 500, "cannot delete the dashboard");
		return;
	}
	api_reply(r, 200, json_pack("{sI}", "deleted", (json_int_t)d.id));
}
