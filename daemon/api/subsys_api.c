/*
 * iiotd subsystem "api": the HTTPS server, its databases under the state
 * directory (auth.db, audit.db, secret.key, tls/), and the first-run admin.
 *
 *	[api]
 *	enabled = yes
 *	listen = 0.0.0.0:8443
 *	cert = /etc/iiot/cert.pem	; both or neither: self-signed otherwise
 *	key = /etc/iiot/key.pem
 *	webroot = /usr/share/iiot/web
 *	session_idle = 15m		; pins the idle timeout for every role
 *	hash_threads = 1		; Argon2id threads (1-4), off the event loop
 *	hash_queue = 16			; password checks waiting beyond those; then 503
 *	jobs = 2			; background jobs (audit verify) at once; then 429
 */
#include <event2/event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alerts/alertsys.h"
#include "api/api.h"
#include "api/jobs.h"
#include "api/syshealth.h"
#include "capture/capture.h"
#include "core/conf.h"
#include "core/daemon.h"
#include "core/iiotd.h"
#include "core/log.h"
#include "core/subsys.h"
#include "store/readpool.h"

#ifndef IIOT_WEBROOT
#define IIOT_WEBROOT "/usr/share/iiot/web"
#endif
#define DEFAULT_LISTEN "0.0.0.0:8443"

static struct api api;

static const char *const keys[] = {
	"enabled", "listen", "cert", "key", "webroot", "session_idle", "hash_threads",
	"hash_queue", "jobs", NULL,
};

static int hash_conf(const struct conf *c, uint64_t *threads, uint64_t *queue,
		     char *err, size_t errlen)
{
	return conf_get_u64(c, "api", "hash_threads", API_HASH_THREADS, 1, HASH_THREADS_MAX,
			    threads, err, errlen) ||
	       conf_get_u64(c, "api", "hash_queue", API_HASH_QUEUE, 0, 1024, queue, err, errlen);
}

static int jobs_conf(const struct conf *c, uint64_t *n, char *err, size_t errlen)
{
	return conf_get_u64(c, "api", "jobs", JOBS_RUNNING_MAX, 1, JOBS_LIMIT, n, err, errlen);
}

static int api_check_conf(const struct conf *c, char *err, size_t errlen)
{
	const char *l = conf_get(c, "api", "listen");
	uint64_t ms, threads, queue, njobs;
	bool on;

	if (conf_check_keys(c, "api", keys, err, errlen) ||
	    conf_get_bool(c, "api", "enabled", true, &on, err, errlen) ||
	    conf_get_ms(c, "api", "session_idle", 0, 0, 12 * 3600 * 1000ull, &ms, err, errlen) ||
	    hash_conf(c, &threads, &queue, err, errlen) || jobs_conf(c, &njobs, err, errlen))
		return -1;
	if (l && (!strrchr(l, ':') || atoi(strrchr(l, ':') + 1) <= 0 ||
		  atoi(strrchr(l, ':') + 1) > 65535)) {
		conf_errf(c, conf_find(c, "api", "listen"), err, errlen,
			  "api.listen: want ADDRESS:PORT");
		return -1;
	}
	if (!conf_get(c, "api", "cert") != !conf_get(c, "api", "key")) {
		conf_errf(c, conf_find(c, "api", conf_get(c, "api", "cert") ? "cert" : "key"),
			  err, errlen, "api.cert and api.key go together");
		return -1;
	}
	return 0;
}

static void tick(evutil_socket_t fd, short ev, void *arg)
{
	(void)fd;
	(void)ev;
	sse_tick(arg);
}

/* audit appends and auth commits reach the disk on the writer thread */
static int writer_start(struct iiotd *d, char *err, size_t errlen)
{
	char path[4096 + 16];

	snprintf(path, sizeof(path), "%s/audit.db", d->state_dir);
	api.dbw = dbwriter_new(d->base, path, err, errlen);
	if (!api.dbw)
		return -1;
	snprintf(path, sizeof(path), "%s/auth.db", d->state_dir);
	api.auth_dbw = dbwriter_add_db(api.dbw, path);
	if (api.auth_dbw < 0 || authdb_defer_sync(api.db)) {
		snprintf(err, errlen, "%.400s: cannot hand its commits to the writer", path);
		return -1;
	}
	return 0;
}

static int api_start(struct iiotd *d)
{
	const struct conf *c = d->conf;
	const char *listen = conf_get(c, "api", "listen");
	const char *root = conf_get(c, "api", "webroot");
	char err[512];
	struct timeval one = { 1, 0 };
	uint64_t idle = 0, threads = API_HASH_THREADS, queue = API_HASH_QUEUE;
	uint64_t njobs = JOBS_RUNNING_MAX;
	bool on = true;

	conf_get_bool(c, "api", "enabled", true, &on, err, sizeof(err));
	if (!on)
		return 0;
	memset(&api, 0, sizeof(api));
	api.d = d;
	api.base = d->base;
	conf_get_ms(c, "api", "session_idle", 0, 0, 12 * 3600 * 1000ull, &idle, err, sizeof(err));
	api.idle_override_ms = (int64_t)idle;
	if (!realpath(root ? root : IIOT_WEBROOT, api.webroot)) {
		log_warnx("api: web root %s not found; only the API is served",
			  root ? root : IIOT_WEBROOT);
		snprintf(api.webroot, sizeof(api.webroot), "/nonexistent");
	}
	api.db = authdb_open(d->state_dir, err, sizeof(err));
	if (!api.db)
		goto fail;
	api.audit = audit_open_dir(d->state_dir, err, sizeof(err));
	if (!api.audit)
		goto fail;
	if (writer_start(d, err, sizeof(err)))
		goto fail;
	api_settings_load(&api);
	hash_conf(c, &threads, &queue, err, sizeof(err));
	api.hw = hash_worker_new(d->base, (int)threads, (int)queue, err, sizeof(err));
	if (!api.hw)
		goto fail;
	/* the device and link lists, rendered beside the store's readers so
	 * that a slow query never holds them up */
	api.render = readpool_new(d->base, NULL, 1, READPOOL_QUEUE, READPOOL_NICE, err,
				  sizeof(err));
	if (!api.render)
		goto fail;
	jobs_conf(c, &njobs, err, sizeof(err));
	api.jobs = jobs_new(d->base, (int)njobs, api_job_ended, &api, err, sizeof(err));
	if (!api.jobs)
		goto fail;
	/* TLS material is root's: a configured key may be root's only, and
	 * what is made in <state_dir>/tls/ must not be the daemon's to replace */
	iiotd_fs_user(d, false);
	api.ssl = tls_ctx(conf_get(c, "api", "cert"), conf_get(c, "api", "key"), d->state_dir,
			  d->drop ? d->run_gid : (gid_t)-1, err, sizeof(err));
	iiotd_fs_user(d, true);
	if (!api.ssl)
		goto fail;
	if (http_start(&api, listen ? listen : DEFAULT_LISTEN, err, sizeof(err)))
		goto fail;
	if (firstrun_admin(&api)) {
		snprintf(err, sizeof(err), "cannot create the first admin");
		goto fail;
	}
	api.tick = event_new(d->base, -1, EV_PERSIST, tick, &api);
	if (!api.tick || event_add(api.tick, &one)) {
		snprintf(err, sizeof(err), "cannot start the live-stream timer");
		goto fail;
	}
	audit_prune(api.audit, (int)setting_int(api.db, "audit.retention_days"));
	alertsys_listen(d, api_alert_changed, &api);
	log_info("api: web UI and API at %s (%d password-check thread%s, %d waiting at most)",
		 api.url, (int)threads, threads == 1 ? "" : "s", (int)queue);
	return 0;
fail:
	log_warnx("api: %s", err);
	http_stop(&api);
	jobs_free(api.jobs);
	dbwriter_free(api.dbw);
	hash_worker_free(api.hw);
	readpool_free(api.render);
	SSL_CTX_free(api.ssl);
	audit_close(api.audit);
	authdb_close(api.db);
	memset(&api, 0, sizeof(api));
	return -1;
}

static int api_reload(struct iiotd *d)
{
	(void)d;
	if (api.db)
		api_settings_load(&api);
	return 0;
}

static void api_stop(struct iiotd *d)
{
	if (!api.db)
		return;
	alertsys_listen(d, NULL, NULL);
	sse_close_all(&api);
	if (api.tick)
		event_free(api.tick);
	/* held requests are abandoned (and audited) as their connections close */
	http_stop(&api);
	if (api.held)
		log_warnx("api: %llu held request(s) left at stop", (unsigned long long)api.held);
	/* running jobs stop at their next progress report */
	jobs_free(api.jobs);
	/* after the connections: the audit rows of abandoned requests are queued */
	dbwriter_free(api.dbw);
	hash_worker_free(api.hw);
	readpool_free(api.render);
	SSL_CTX_free(api.ssl);
	audit_close(api.audit);
	authdb_close(api.db);
	capsnap_put(api.snap);
	session_clear();
	memset(&api, 0, sizeof(api));
}

/* "iiotctl stats": requests, and the password checks behind login */
static json_t *api_stats(struct iiotd *d)
{
	struct hash_worker_counters c;
	struct dbwriter_counters w;
	struct jobs_counters jc;
	json_t *o;

	(void)d;
	if (!api.db)
		return NULL;
	o = json_pack("{sI sI sI si}", "requests", (json_int_t)api.requests,
		      "errors", (json_int_t)api.errors, "held", (json_int_t)api.held,
		      "hash_threads", hash_worker_threads(api.hw));
	hash_worker_get_counters(api.hw, &c);
#define HASH_X_JSON(n, dsc) \
	json_object_set_new(o, "hash_" #n, json_integer((json_int_t)c.n));
	HASH_WORKER_COUNTERS(HASH_X_JSON)
#undef HASH_X_JSON
	json_object_set_new(o, "request_seconds", api_latency_json());
	dbwriter_get_counters(api.dbw, &w);
#define DBW_X_JSON(n, dsc) \
	json_object_set_new(o, "writer_" #n, json_integer((json_int_t)w.n));
	DBWRITER_COUNTERS(DBW_X_JSON)
#undef DBW_X_JSON
	jobs_get_counters(api.jobs, &jc);
#define JOBS_X_JSON(n, dsc) \
	json_object_set_new(o, "jobs_" #n, json_integer((json_int_t)jc.n));
	JOBS_COUNTERS(JOBS_X_JSON)
#undef JOBS_X_JSON
	return o;
}

/*
 * The running API's verdict; with the API off, the same checks on the
 * daemon alone (no certificate to check).
 */
json_t *api_system_health(struct iiotd *d)
{
	static struct api off;

	if (api.db)
		return health_verdict(&api, NULL);
	off.d = d;
	return health_verdict(&off, NULL);
}

const struct iiotd_subsys subsys_api = {
	.name = "api",
	.check_conf = api_check_conf,
	.start = api_start,
	.reload = api_reload,
	.stop = api_stop,
	.stats = api_stats,
};
