/*
 * iiotd subsystem "eval": the self-evaluation (evaluate.c) on schedule,
 *
 *	[evaluate]
 *	interval = 24h		(0: only when asked, POST /api/v1/evaluation/runs)
 *	delay = 10m		the first run after start, when none is due sooner
 *
 * on a thread of its own (the audit chain and the newest backup are read
 * in full), each run stored in eval.db with its nonconformities
 * (evaldb.c); a nonconformity opened or reopened raises
 * eval.nonconformity.  The TLS certificate and the backup key are read at
 * start, while iiotd is still root, as the backup subsystem does; a new
 * [evaluate] or [backup] takes a restart.
 */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <sqlite3.h>

#include "alerts/alerts.h"
#include "auth/authdb.h"
#include "backup/backup.h"
#include "core/bgwork.h"
#include "core/conf.h"
#include "core/daemon.h"
#include "core/iiotd.h"
#include "core/log.h"
#include "core/subsys.h"
#include "eval/eval.h"
#include "eval/evaldb.h"
#include "eval/evaluate.h"

static struct {
	struct iiotd *d;
	uint64_t interval_ms, delay_ms;
	struct bak_conf bc;
	struct bak_secret sec;
	bool have_sec;
	bool unavailable;	/* eval.db could not be opened at start */
	char sec_why[512];
	X509 *cert;
	char cert_path[4200];
	sqlite3 *db;		/* the thread's */
	sqlite3 *api_db;	/* the event loop's */
	struct bgwork w;
	/* under mu */
	char demand[64];	/* who asked for a run, "" none */
	int64_t start_ms, last_ms, next_ms;
	int last_score;
	uint64_t runs, failures;
	char last_error[512];
} sys = { .w = BGWORK_INIT };

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int eval_conf(const struct conf *c, uint64_t *interval, uint64_t *delay, char *err,
		     size_t errlen)
{
	static const char *const keys[] = { "interval", "delay", NULL };

	return conf_check_keys(c, "evaluate", keys, err, errlen) ||
	       conf_get_ms(c, "evaluate", "interval", EVAL_DEFAULT_INTERVAL_MS, 0,
			   366ULL * 86400 * 1000, interval, err, errlen) ||
	       conf_get_ms(c, "evaluate", "delay", EVAL_DEFAULT_DELAY_MS, 0, 7ULL * 86400 * 1000,
			   delay, err, errlen) ? -1 : 0;
}

static int eval_check_conf(const struct conf *c, char *err, size_t errlen)
{
	uint64_t i, d;

	return eval_conf(c, &i, &d, err, errlen);
}

uint64_t eval_alert_key(const char *check)
{
	return alert_name_key(check, strlen(check));
}

static void alert(const json_t *nc)
{
	const char *check = json_string_value(json_object_get(nc, "check"));
	char detail[ALERT_DETAIL_MAX];
	struct alert_ev ev;

	if (!check || !sys.d->alerts)
		return;
	snprintf(detail, sizeof(detail), "%s%s (nonconformity %lld)",
		 json_integer_value(json_object_get(nc, "reopened")) ? "reopened: " : "",
		 json_string_value(json_object_get(nc, "evidence")),
		 (long long)json_integer_value(json_object_get(nc, "id")));
	memset(&ev, 0, sizeof(ev));
	ev.rule = ALERT_R_EVAL_NONCONFORMITY;
	ev.ts_ns = (uint64_t)now_ms() * 1000000ULL;
	ev.key = eval_alert_key(check);
	ev.label = check;
	ev.detail = detail;
	alerts_raise(sys.d->alerts, &ev);
}

/* the checks as iiotctl evaluate makes them, with what was read at start */
static json_t *evaluate(void)
{
	struct eval e;
	struct authdb *db;
	char err[512];
	json_t *r;

	eval_init(&e);
	eval_certificate(&e, sys.cert, sys.cert_path);
	eval_backups(&e, &sys.bc, sys.have_sec ? &sys.sec : NULL, sys.sec_why);
	db = authdb_open(sys.d->state_dir, err, sizeof(err));
	if (db) {
		eval_identity(&e, db);
		eval_audit(&e, db, sys.d->state_dir);
		authdb_close(db);
	} else {
		eval_add(&e, "auth.db", "identification", "the user database reads", 0, "%s", err);
	}
	eval_system(&e, sys.d->state_dir);
	r = eval_report(&e, sys.d->state_dir, time(NULL));
	eval_free(&e);
	return r;
}

static void run_once(const char *trigger)
{
	json_t *rep = evaluate(), *changed = NULL, *nc;
	int64_t t = now_ms(), run;
	size_t i;

	run = evaldb_record(sys.db, rep, trigger, t, &changed);
	pthread_mutex_lock(&sys.w.mu);
	if (run < 0) {
		sys.failures++;
		snprintf(sys.last_error, sizeof(sys.last_error), "eval.db: %s",
			 sqlite3_errmsg(sys.db));
	} else {
		sys.runs++;
		sys.last_ms = t;
		sys.last_score = (int)json_integer_value(json_object_get(rep, "score"));
	}
	pthread_mutex_unlock(&sys.w.mu);
	if (run < 0)
		log_warnx("eval: cannot store the evaluation: %s", sqlite3_errmsg(sys.db));
	else
		log_info("eval: run %lld (%s): %lld of %zu checks pass, %zu nonconformities new",
			 (long long)run, trigger,
			 (long long)json_integer_value(json_object_get(rep, "passed")),
			 json_array_size(json_object_get(rep, "checks")), json_array_size(changed));
	json_array_foreach(changed, i, nc)
		alert(nc);
	json_decref(changed);
	json_decref(rep);
}

/* under mu: when the next scheduled run is due (ms), INT64_MAX for none */
static int64_t next_due(void)
{
	int64_t first = sys.start_ms + (int64_t)sys.delay_ms;

	if (!sys.interval_ms)
		return INT64_MAX;
	if (!sys.last_ms)
		return first;
	return sys.last_ms + (int64_t)sys.interval_ms > first ?
	       sys.last_ms + (int64_t)sys.interval_ms : first;
}

static void *loop(void *arg)
{
	char trigger[96];
	struct timespec ts;
	int64_t due;

	(void)arg;
	pthread_mutex_lock(&sys.w.mu);
	bgwork_wait_go(&sys.w);
	while (!sys.w.stop) {
		due = sys.next_ms = next_due();
		if (sys.demand[0] || now_ms() >= due) {
			if (sys.demand[0])
				snprintf(trigger, sizeof(trigger), "demand by %s", sys.demand);
			else
				snprintf(trigger, sizeof(trigger), "schedule");
			sys.demand[0] = 0;
			pthread_mutex_unlock(&sys.w.mu);
			run_once(trigger);
			pthread_mutex_lock(&sys.w.mu);
			continue;
		}
		if (due == INT64_MAX) {
			pthread_cond_wait(&sys.w.cv, &sys.w.mu);
			continue;
		}
		ts.tv_sec = (time_t)(due / 1000);
		ts.tv_nsec = (long)(due % 1000) * 1000000;
		while (!sys.w.stop && !sys.demand[0] &&
		       pthread_cond_timedwait(&sys.w.cv, &sys.w.mu, &ts) != ETIMEDOUT)
			;
	}
	pthread_mutex_unlock(&sys.w.mu);
	return NULL;
}

/* root's files: the certificate and the backup key */
static void read_root_files(struct iiotd *d)
{
	char err[512];

	iiotd_fs_user(d, false);
	sys.cert = eval_cert_load(d->conf, d->state_dir, sys.cert_path, sizeof(sys.cert_path));
	if (bak_conf_get(d->conf, &sys.bc, err, sizeof(err)))
		sys.bc.configured = false;
	if (!sys.bc.configured)
		snprintf(sys.sec_why, sizeof(sys.sec_why), "no [backup] in the configuration");
	else
		sys.have_sec = !bak_conf_secret(&sys.bc, &sys.sec, sys.sec_why,
						sizeof(sys.sec_why));
	iiotd_fs_user(d, true);
}

static void release(void)
{
	if (sys.db)
		evaldb_close(sys.db);
	if (sys.api_db)
		evaldb_close(sys.api_db);
	sys.db = sys.api_db = NULL;
	X509_free(sys.cert);
	sys.cert = NULL;
	if (sys.have_sec)
		bak_secret_wipe(&sys.sec);
	sys.have_sec = false;
}

static int eval_start(struct iiotd *d)
{
	char err[512];

	sys.d = d;
	if (eval_conf(d->conf, &sys.interval_ms, &sys.delay_ms, err, sizeof(err)))
		return log_warnx("%s", err), -1;
	read_root_files(d);
	sys.db = evaldb_open(d->state_dir, err, sizeof(err));
	sys.api_db = sys.db ? evaldb_open(d->state_dir, err, sizeof(err)) : NULL;
	/* iiotd runs on without it (a full disk at start, a damaged file);
	 * the health check says so */
	if (!sys.api_db) {
		log_warnx("eval: %s: no evaluation", err);
		snprintf(sys.last_error, sizeof(sys.last_error), "%s", err);
		sys.unavailable = true;
		release();
		return 0;
	}
	sys.unavailable = false;
	sys.start_ms = now_ms();
	sys.last_ms = evaldb_last_ms(sys.db);
	sys.last_ms = sys.last_ms > 0 ? sys.last_ms : 0;
	sys.demand[0] = 0;
	if (bgwork_start(&sys.w, d->base, loop)) {
		log_warnx("eval: cannot start its thread");
		release();
		return -1;
	}
	if (sys.interval_ms)
		log_info("eval: every %llus", (unsigned long long)(sys.interval_ms / 1000));
	return 0;
}

static void eval_stop(struct iiotd *d)
{
	(void)d;
	if (!sys.w.running)
		return;
	bgwork_stop(&sys.w);
	release();
}

sqlite3 *eval_db_handle(void)
{
	return sys.w.running ? sys.api_db : NULL;
}

int eval_request(const char *who)
{
	int rc = -1;

	pthread_mutex_lock(&sys.w.mu);
	if (sys.w.running && !sys.demand[0]) {
		snprintf(sys.demand, sizeof(sys.demand), "%s", who && *who ? who : "?");
		pthread_cond_signal(&sys.w.cv);
		rc = 0;
	}
	pthread_mutex_unlock(&sys.w.mu);
	return rc;
}

json_t *eval_schedule_json(void)
{
	json_t *j;

	if (!sys.w.running)
		return sys.unavailable ? json_pack("{ss}", "unavailable", sys.last_error) : NULL;
	pthread_mutex_lock(&sys.w.mu);
	j = json_pack("{sI sI sI si sb sI sI sI ss}", "interval_s",
		      (json_int_t)(sys.interval_ms / 1000), "start_ms", (json_int_t)sys.start_ms,
		      "last_ms", (json_int_t)sys.last_ms, "last_score", sys.last_score,
		      "pending", sys.demand[0] != 0, "next_ms",
		      (json_int_t)(next_due() == INT64_MAX ? 0 : next_due()), "runs_total",
		      (json_int_t)sys.runs, "failures_total", (json_int_t)sys.failures,
		      "last_error", sys.last_error);
	pthread_mutex_unlock(&sys.w.mu);
	return j;
}

/* levels and counters only: /metrics reads this (api/prom.c) */
static json_t *eval_stats(struct iiotd *d)
{
	json_t *j = eval_schedule_json();

	(void)d;
	if (!sys.w.running)
		return j;
	json_object_del(j, "start_ms");
	json_object_del(j, "next_ms");
	return j;
}

const struct iiotd_subsys subsys_eval = {
	.name = "eval",
	.check_conf = eval_check_conf,
	.start = eval_start,
	.stop = eval_stop,
	.stats = eval_stats,
};
