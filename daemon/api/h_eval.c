/*
 * The self-evaluation (docs/operations.md, "Evaluation"; daemon/eval): its
 * runs with their checks, a run now, and the nonconformities, closed by
 * an admin with the corrective action (audited by routes.c, and the
 * nonconformity's alert cleared).
 */
#include <event2/buffer.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alerts/alerts.h"
#include "api/api.h"
#include "api/parse.h"
#include "auth/auth.h"
#include "core/iiotd.h"
#include "eval/eval.h"
#include "eval/evaldb.h"
#include "eval/evaluate.h"

static struct sqlite3 *eval_db(struct rq *r)
{
	struct sqlite3 *db = eval_db_handle();

	if (!db)
		api_error(r, 503, "the evaluation is not running");
	return db;
}

static int64_t id_param(struct rq *r)
{
	char *end;
	long long id = strtoll(r->param[0], &end, 10);

	return *end || id <= 0 ? -1 : (int64_t)id;
}

/* ?limit=N: the newest runs first, and the schedule */
void h_eval_runs(struct rq *r)
{
	struct sqlite3 *db = eval_db(r);
	json_t *runs;
	int64_t lim;

	if (!db)
		return;
	if (query_int(r->query, "limit", 1, 1000, 30, &lim)) {
		api_error(r, 400, "limit: 1..1000");
		return;
	}
	runs = evaldb_runs(db, (int)lim);
	if (!runs) {
		api_error(r, 500, "eval.db cannot be read");
		return;
	}
	api_reply(r, 200, json_pack("{so so*}", "runs", runs, "schedule", eval_schedule_json()));
}

/* a run now, on the evaluation's thread: 202, then GET .../runs */
void h_eval_run_now(struct rq *r)
{
	if (!eval_db(r))
		return;
	snprintf(r->target, sizeof(r->target), "evaluation");
	if (eval_request(r->who)) {
		api_error(r, 409, "a run is already waiting");
		return;
	}
	api_reply(r, 202, json_pack("{sb}", "queued", 1));
}

/* ?format=json|html&download=1 */
void h_eval_run(struct rq *r)
{
	struct sqlite3 *db = eval_db(r);
	char fmt[8] = "json", fname[64];
	int64_t id, dl;
	json_t *rep;

	if (!db)
		return;
	id = id_param(r);
	if (id < 0 || query_get(r->query, "format", fmt, sizeof(fmt)) < 0 ||
	    (strcmp(fmt, "json") && strcmp(fmt, "html")) ||
	    query_int(r->query, "download", 0, 1, 0, &dl)) {
		api_error(r, 400, "a run id is a positive integer; format: json or html; "
			  "download: 0 or 1");
		return;
	}
	if (!(rep = evaldb_run(db, id))) {
		api_error(r, 404, "no such run");
		return;
	}
	if (!strcmp(fmt, "html")) {
		struct evbuffer *b = evbuffer_new();
		char *page = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&page, &len);

		if (!b || !f || eval_html(f, rep)) {
			if (b)
				evbuffer_free(b);
			free(page);
			json_decref(rep);
			api_error(r, 500, "out of memory");
			return;
		}
		evbuffer_add(b, page, len);
		free(page);
		json_decref(rep);
		snprintf(fname, sizeof(fname), "iiot-evaluation-%lld.html", (long long)id);
		api_reply_text(r, "text/html; charset=utf-8", dl ? fname : NULL, b);
		return;
	}
	api_reply(r, 200, rep);
}

/* ?state=open|closed|verified|all&limit=N */
void h_eval_ncs(struct rq *r)
{
	struct sqlite3 *db = eval_db(r);
	char st[16] = "all";
	int64_t lim;
	json_t *a;

	if (!db)
		return;
	if (query_get(r->query, "state", st, sizeof(st)) < 0 ||
	    (strcmp(st, "open") && strcmp(st, "closed") && strcmp(st, "verified") &&
	     strcmp(st, "all")) || query_int(r->query, "limit", 1, 1000, 100, &lim)) {
		api_error(r, 400, "state: open, closed, verified or all; limit: 1..1000");
		return;
	}
	a = evaldb_ncs(db, strcmp(st, "all") ? st : NULL, (int)lim);
	if (!a) {
		api_error(r, 500, "eval.db cannot be read");
		return;
	}
	api_reply(r, 200, json_pack("{so}", "nonconformities", a));
}

/* {"action": "what was done about it"} */
void h_eval_nc_close(struct rq *r)
{
	struct sqlite3 *db = eval_db(r);
	const char *action = body_str(r->body, "action", EVAL_ACTION_MAX);
	char err[256];
	int64_t id;
	int code;
	json_t *nc;

	if (!db)
		return;
	id = id_param(r);
	if (id < 0 || !action) {
		api_error(r, 400, "a nonconformity id is a positive integer; action: the corrective "
			  "action, 1..1000 bytes on one line");
		return;
	}
	snprintf(r->target, sizeof(r->target), "nonconformity %lld", (long long)id);
	r->detail = json_pack("{ss}", "action", action);
	if (evaldb_close_nc(db, id, r->who, action, auth_now_ms(), &code, err, sizeof(err))) {
		api_error(r, code, err);
		return;
	}
	nc = evaldb_nc(db, id);
	if (r->api->d->alerts && nc)
		alerts_clear(r->api->d->alerts, ALERT_R_EVAL_NONCONFORMITY, 0, 0,
			     eval_alert_key(json_string_value(json_object_get(nc, "check"))));
	api_reply(r, 200, nc ? nc : json_object());
}
