/*
 * Background jobs over the API: POST /api/v1/audit/verify starts one (202
 * with its id), GET /api/v1/jobs[/{id}] follows them, DELETE cancels a
 * running one or forgets a finished one.  A job is read with the
 * permission of the route that started it, by its owner (or a user admin).
 */
#include <errno.h>
#include <event2/http.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "api/jobs.h"
#include "core/iiotd.h"

#define JOBS_RETRY_S "5"	/* Retry-After when too many jobs run */

static int visible(const struct rq *r, const char *owner, int perm)
{
	return role_has(r->role, (enum perm)perm) &&
	       (!strcmp(owner, r->who) || role_has(r->role, PERM_USER_ADMIN));
}

static void started(struct rq *r, struct job *j, const char *kind)
{
	char loc[64];

	if (!j) {
		if (errno == EAGAIN) {
			char why[96];

			snprintf(why, sizeof(why), "%d jobs are running, the most at once;"
				 " retry when one finishes", jobs_running_max(r->api->jobs));
			evhttp_add_header(evhttp_request_get_output_headers(r->req),
					  "Retry-After", JOBS_RETRY_S);
			api_error(r, 429, why);
		} else {
			api_error(r, 503, "cannot start a job thread");
		}
		return;
	}
	snprintf(loc, sizeof(loc), "/api/v1/jobs/%s", job_id(j));
	evhttp_add_header(evhttp_request_get_output_headers(r->req), "Location", loc);
	snprintf(r->target, sizeof(r->target), "job:%s", job_id(j));
	api_reply(r, 202, json_pack("{ss ss ss ss}", "id", job_id(j), "kind", kind,
				    "state", "running", "href", loc));
}

/* The chain walked on the job's own read-only connection. */
static int verify_progress(void *arg, int64_t done, int64_t total)
{
	return job_progress(arg, done, total);
}

static json_t *verify_run(struct job *j, void *arg, char *why, size_t whylen)
{
	struct audit_report rep;
	struct audit *a = audit_open_ro(arg, why, whylen);
	int rc;

	if (!a)
		return NULL;
	rc = audit_verify_progress(a, &rep, verify_progress, j);
	audit_close(a);
	if (rc == -2)
		return NULL;	/* cancelled */
	if (rc < 0) {
		snprintf(why, whylen, "%s", rep.reason);
		return NULL;
	}
	job_progress(j, rep.rows, rep.rows);
	return json_pack("{sb sI sI ss}", "intact", rc == 0, "rows", (json_int_t)rep.rows,
			 "bad_seq", (json_int_t)rep.bad_seq, "reason", rep.reason);
}

void h_audit_verify(struct rq *r)
{
	char path[4200];
	char *arg;

	snprintf(path, sizeof(path), "%s/audit.db", r->api->d->state_dir);
	arg = strdup(path);
	if (!arg) {
		api_error(r, 500, "out of memory");
		return;
	}
	started(r, jobs_start(r->api->jobs, "audit.verify", r->who, PERM_AUDIT_READ,
			      verify_run, arg, free), "audit.verify");
}

static int visible_cb(void *arg, const char *owner, int perm)
{
	return visible(arg, owner, perm);
}

void h_jobs(struct rq *r)
{
	api_reply(r, 200, json_pack("{so}", "jobs", jobs_list(r->api->jobs, visible_cb, r)));
}

void h_job(struct rq *r)
{
	char owner[64];
	int perm;
	json_t *j = jobs_get(r->api->jobs, r->param[0], owner, &perm);

	/* someone else's job is not there, as far as this user can tell */
	if (!j || !visible(r, owner, perm)) {
		json_decref(j);
		api_error(r, 404, "no such job");
		return;
	}
	api_reply(r, 200, j);
}

void h_job_del(struct rq *r)
{
	char owner[64];
	int perm, rc;
	json_t *j = jobs_get(r->api->jobs, r->param[0], owner, &perm);

	snprintf(r->target, sizeof(r->target), "job:%.60s", r->param[0]);
	if (!j || !visible(r, owner, perm)) {
		json_decref(j);
		api_error(r, 404, "no such job");
		return;
	}
	json_decref(j);
	rc = jobs_cancel(r->api->jobs, r->param[0]);
	if (rc == 1) {
		api_reply(r, 200, json_pack("{ss ss}", "id", r->param[0], "state", "removed"));
		return;
	}
	/* the thread stops at its next progress report; GET shows "cancelled" */
	api_reply(r, 202, jobs_get(r->api->jobs, r->param[0], owner, &perm));
}

/* A job's end is audited like the request that started it. */
void api_job_ended(void *arg, const struct job_end *e)
{
	struct api *a = arg;
	char action[48], target[32];
	json_t *d = json_object();

	snprintf(action, sizeof(action), "job.%s", e->kind);
	snprintf(target, sizeof(target), "job:%s", e->id);
	if (e->state == JOB_DONE && e->result)
		json_object_set(d, "result", (json_t *)e->result);
	if (e->state == JOB_FAILED)
		json_object_set_new(d, "error", json_string(e->why));
	api_audit(a, e->owner, "local", action, target,
		  e->state == JOB_DONE ? AUDIT_OK : e->state == JOB_CANCELLED ? AUDIT_CANCELLED : AUDIT_FAIL,
		  d);
}
