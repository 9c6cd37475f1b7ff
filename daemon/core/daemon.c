/*
 * Core start-up order: state directory, store (opens the database), model
 * (+ signal map), capture (rings), control socket, subsystems, then drop
 * root.  Stop runs the other way round and flushes the store last.
 *
 * [iiotd]  state_dir, user, socket, socket_group, log_level
 *          (keep_ring_access: obsolete, only "no" is accepted)
 * [store]  path, flush, batch_rows, raw_retention, sec_retention,
 *          min_retention, max_size, min_free, queue, synchronous
 * [model]  offline_timeout, signals, sample_interval
 * (docs/iiotd.md describes each key)
 */
#include <errno.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <event2/event.h>
#include <jansson.h>

#include "analytics/analytics.h"
#include "capture/capture.h"
#include "core/conf.h"
#include "core/ctlsock.h"
#include "core/daemon.h"
#include "core/devalias.h"
#include "core/iiotd.h"
#include "core/log.h"
#include "core/subsys.h"
#include "desc/desc_db.h"
#include "desc/pnar.h"
#include "diag/diagsys.h"
#include "ids/ids.h"
#include "libshm.h"
#include "model/model.h"
#include "store/readpool.h"
#include "south/modbus.h"
#include "south/mqtt.h"
#include "store/store.h"

static const struct iiotd_subsys *const subsystems[] = {
#define SUBSYS(n) &subsys_##n,
#include "subsys_list.h"
#undef SUBSYS
	NULL
};

static const char *const iiotd_keys[] = {
	"state_dir", "user", "socket", "socket_group", "log_level",
	"keep_ring_access", NULL
};
static const char *const store_keys[] = {
	"path", "flush", "batch_rows", "raw_retention", "sec_retention",
	"min_retention", "max_size", "queue", "synchronous", "readers",
	"min_free", NULL
};
static const char *const model_keys[] = {
	"offline_timeout", "signals", "sample_interval", NULL
};

static int store_conf(const struct conf *c, const char *state_dir,
		      struct store_opts *o, char *path, size_t pathlen,
		      char *err, size_t errlen)
{
	const struct conf_entry *e;
	const char *p = conf_get(c, "store", "path");

	store_opts_default(o);
	if (conf_get_ms(c, "store", "flush", STORE_FLUSH_MS, 1, 10000,
			&o->flush_ms, err, errlen) ||
	    conf_get_u64(c, "store", "batch_rows", STORE_BATCH_ROWS, 1,
			 1 << 24, &o->batch_rows, err, errlen) ||
	    conf_get_ms(c, "store", "raw_retention", 86400000ULL, 1000,
			3650ULL * 86400000ULL, &o->raw_retention_ms, err,
			errlen) ||
	    conf_get_ms(c, "store", "sec_retention", 7ULL * 86400000ULL, 1000,
			3650ULL * 86400000ULL, &o->sec_retention_ms, err,
			errlen) ||
	    conf_get_ms(c, "store", "min_retention", 365ULL * 86400000ULL,
			1000, 36500ULL * 86400000ULL, &o->min_retention_ms,
			err, errlen) ||
	    conf_get_size(c, "store", "max_size", 1ULL << 30, 1 << 20,
			  1ULL << 44, &o->max_bytes, err, errlen) ||
	    conf_get_size(c, "store", "min_free", 32ULL << 20, 0,
			  1ULL << 44, &o->min_free, err, errlen) ||
	    conf_get_u64(c, "store", "queue", 1 << 18, 1024, 1 << 26,
			 &o->queue_len, err, errlen) ||
	    conf_get_u64(c, "store", "readers", READPOOL_THREADS, 1,
			 READPOOL_THREADS_MAX, &o->readers, err, errlen))
		return -1;
	e = conf_find(c, "store", "synchronous");
	if (e) {
		if (!strcmp(e->value, "normal"))
			o->sync_normal = true;
		else if (!strcmp(e->value, "full"))
			o->sync_normal = false;
		else {
			conf_errf(c, e, err, errlen, "store.synchronous: '%s' "
				  "is not normal or full", e->value);
			return -1;
		}
	}
	if (p && *p)
		snprintf(path, pathlen, "%s", p);
	else if (snprintf(path, pathlen, "%s/%s", state_dir, IIOTD_DB_NAME) >=
		 (int)pathlen) {
		snprintf(err, errlen, "state_dir too long");
		return -1;
	}
	o->path = path;
	return 0;
}

static int model_conf(const struct conf *c, struct model_opts *mo,
		      uint64_t *sample_ms, char *err, size_t errlen)
{
	uint64_t ms;

	memset(mo, 0, sizeof(*mo));
	if (conf_get_ms(c, "model", "offline_timeout", 3000, 10, 86400000,
			&ms, err, errlen) ||
	    conf_get_ms(c, "model", "sample_interval", 100, 0, 3600000,
			sample_ms, err, errlen))
		return -1;
	mo->offline_ns = ms * 1000000ULL;
	return 0;
}

static int core_paths(const struct conf *c, char *state, size_t slen,
		      char *sock, size_t socklen, char *err, size_t errlen)
{
	const char *sd = conf_get(c, "iiotd", "state_dir");
	const char *sp = conf_get(c, "iiotd", "socket");

	if (snprintf(state, slen, "%s", sd && *sd ? sd :
		     IIOTD_DEFAULT_STATE_DIR) >= (int)slen ||
	    (sp && *sp ? snprintf(sock, socklen, "%s", sp) :
	     snprintf(sock, socklen, "%s/%s", state, IIOTD_CTL_NAME)) >=
	    (int)socklen) {
		snprintf(err, errlen, "%s: state_dir or socket path too long",
			 conf_name(c));
		return -1;
	}
	return 0;
}

/* iiotd used to keep CAP_DAC_OVERRIDE for rings; it keeps nothing now and
 * says so rather than start without what the file asks for. */
static int check_keep_ring_access(const struct conf *c, char *err,
				  size_t errlen)
{
	const struct conf_entry *e = conf_find(c, "iiotd", "keep_ring_access");
	bool keep;

	if (!e || conf_get_bool(c, "iiotd", "keep_ring_access", false, &keep,
				err, errlen))
		return e ? -1 : 0;
	if (keep) {
		conf_errf(c, e, err, errlen, "iiotd.keep_ring_access = yes is "
			  "no longer supported: iiotd keeps no capability; "
			  "rings are group %s mode 0660 and iiotd's user is in "
			  "group %s (docs/iiotd.md): remove this line",
			  SHM_GROUP, SHM_GROUP);
		return -1;
	}
	return 0;
}

int iiotd_check_conf(const struct conf *c, char *err, size_t errlen)
{
	char state[PATH_MAX], sock[PATH_MAX], db[PATH_MAX];
	const struct conf_entry *e;
	struct store_opts so;
	struct model_opts mo;
	uint64_t sms;
	size_t i;

	if (conf_check_keys(c, "iiotd", iiotd_keys, err, errlen) ||
	    conf_check_keys(c, "store", store_keys, err, errlen) ||
	    conf_check_keys(c, "model", model_keys, err, errlen) ||
	    check_keep_ring_access(c, err, errlen) ||
	    core_paths(c, state, sizeof(state), sock, sizeof(sock), err,
		       errlen) ||
	    store_conf(c, state, &so, db, sizeof(db), err, errlen) ||
	    model_conf(c, &mo, &sms, err, errlen) ||
	    capture_check_conf(c, err, errlen))
		return -1;
	e = conf_find(c, "iiotd", "log_level");
	if (e && strcmp(e->value, "info") && strcmp(e->value, "debug")) {
		conf_errf(c, e, err, errlen, "iiotd.log_level: '%s' is not "
			  "info or debug", e->value);
		return -1;
	}
	e = conf_find(c, "iiotd", "socket_group");
	if (e && !getgrnam(e->value)) {
		conf_errf(c, e, err, errlen, "iiotd.socket_group: no group "
			  "'%s'", e->value);
		return -1;
	}
	e = conf_find(c, "model", "signals");
	if (e) {
		/* parse it now: a bad mapping names its own line */
		struct model *m = model_new(NULL);
		int rc;

		if (!m) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		rc = model_load_signals(m, e->value, err, errlen);
		model_free(m);
		if (rc)
			return -1;
	}
	for (i = 0; subsystems[i]; i++)
		if (subsystems[i]->check_conf &&
		    subsystems[i]->check_conf(c, err, errlen))
			return -1;
	return 0;
}

/* model → analytics (rules, anomalies: docs/analytics.md) and store */
static bool sink_sample(void *arg, const struct model_sample *s)
{
	struct iiotd *d = arg;

	if (d->analytics)
		analytics_sample(d->analytics, s->signal, s->ts_ns, s->value);
	return d->store ? store_put_sample(d->store, s->signal, s->ts_ns,
					   s->value) : true;
}

static void sink_event(void *arg, const struct model_device *dev,
		       unsigned int ev, const char *detail, uint64_t ts_ns)
{
	struct iiotd *d = arg;
	char label[80];

	model_device_label(d->model, dev, label, sizeof(label));
	if (ev == MODEL_EV_DISCOVERED || ev == MODEL_EV_OFFLINE ||
	    ev == MODEL_EV_ONLINE)
		log_info("device %u %s: %s", dev->id, model_event_name(ev),
			 detail);
	else
		log_debug("device %u %s: %s", dev->id, model_event_name(ev),
			  detail);
	if (d->store)
		store_device_event(d->store, dev, label,
				   model_kind_name(dev->kind), ev,
				   model_event_name(ev), detail, ts_ns);
	/* admission: device.new until commissioned (docs/security.md) */
	if (d->ids)
		ids_device_event(d->ids, dev, ev, ts_ns);
}

/*
 * The imported descriptions' signals: the ENIs', then those the GSDMLs
 * give the PROFINET stations whose connect requests were seen (the
 * mapping file's own station and offset left to it).  NULL: none.
 */
static char *imported_sigmap(struct iiotd *d, const char *path)
{
	char *eni = desc_store_sigmap(d->state_dir), *pn, *all;
	size_t l1, l2;

	pn = d->pnar ? pnar_sigmap(d->pnar, d->model, d->state_dir, path) :
	     NULL;
	if (!pn)
		return eni;
	if (!eni)
		return pn;
	l1 = strlen(eni);
	l2 = strlen(pn);
	all = realloc(eni, l1 + l2 + 1);
	if (all) {
		memcpy(all + l1, pn, l2 + 1);
		eni = all;
	}
	free(pn);
	return eni;
}

/*
 * The mapping file's signals and after them those of imported ENIs
 * (docs/descriptions.md); when the two do not load together (an import
 * never stores such a pair, but the file may change), the file's alone.
 */
static int load_signals(struct iiotd *d, const struct conf *c, char *err,
			size_t errlen)
{
	const char *path = conf_get(c, "model", "signals");
	char *extra = imported_sigmap(d, path);
	size_t i;

	if (!path && !extra) {
		/* the mapping was dropped: no signals of its any more */
		if (model_signal_count(d->model))
			model_parse_signals(d->model, "", 0, "(none)", err,
					    errlen);
		return 0;
	}
	if (extra && model_load_signals_with(d->model, path, extra, err,
					     errlen)) {
		log_warnx("model: %s; the imported descriptions' signals left "
			  "out", err);
		free(extra);
		extra = NULL;
	}
	if (!extra && (path ? model_load_signals(d->model, path, err, errlen) :
		       model_parse_signals(d->model, "", 0, "(none)", err,
					   errlen))) {
		return -1;
	}
	free(extra);
	for (i = 0; d->store && i < model_signal_count(d->model); i++) {
		struct model_signal tmp;
		const struct model_signal *s = model_signal_at(d->model, i,
							       &tmp);

		store_signal_def(d->store, s->id, s->name, s->device, s->unit);
	}
	log_info("model: %zu signals from %s", model_signal_count(d->model),
		 path ? path : "imported descriptions");
	return 0;
}

/* on the capture thread, which owns the model */
static void signals_reload(void *arg)
{
	struct iiotd *d = arg;
	char err[512];

	if (load_signals(d, d->conf, err, sizeof(err)))
		log_warnx("signals: %s; keeping the running signals", err);
	/* the same imports name diag's expected slaves */
	diagsys_expect(d);
}

static void signals_here(struct iiotd *d)
{
	signals_reload(d);
}

void iiotd_reload_signals(struct iiotd *d)
{
	if (d->capture)
		capture_call(d->capture, signals_reload, d);
}

int iiotd_start(struct iiotd *d, char *err, size_t errlen)
{
	const struct conf *c = d->conf;
	char db[PATH_MAX];
	struct store_opts so;
	struct model_opts mo;
	struct model_sink sink = { sink_sample, sink_event, d };
	const char *grp, *lvl;
	struct group *g;
	uint64_t sms;
	size_t i;

	if (iiotd_check_conf(c, err, errlen) ||
	    core_paths(c, d->state_dir, sizeof(d->state_dir), d->ctl_path,
		       sizeof(d->ctl_path), err, errlen) ||
	    iiotd_priv_prepare(d, conf_get(c, "iiotd", "user"), err, errlen))
		return -1;
	lvl = conf_get(c, "iiotd", "log_level");
	if (lvl && !strcmp(lvl, "debug"))
		log_setverbose(1);
	d->start_ns = shm_now_ns();
	if (iiotd_state_dir(d, err, errlen))
		return -1;
	/* the state directory is the user's: what root opens there would
	 * follow the user's links (TLS material, root's, is the exception) */
	iiotd_fs_user(d, true);
	d->lock_fd = statelock_take(d->state_dir, err, errlen);
	if (d->lock_fd < 0) {
		d->lock_fd = 0;
		return -1;
	}
	if (store_conf(c, d->state_dir, &so, db, sizeof(db), err, errlen))
		return -1;
	d->store = store_open(&so, err, errlen);
	if (!d->store)
		return -1;
	/* their connections open at the first query, as iiotd's user */
	d->readers = readpool_new(d->base, db, (int)so.readers, READPOOL_QUEUE,
				  READPOOL_NICE, err, errlen);
	if (!d->readers)
		return -1;
	log_info("store: %s (%d reader thread%s)", db, (int)so.readers,
		 so.readers == 1 ? "" : "s");
	if (model_conf(c, &mo, &sms, err, errlen))
		return -1;
	d->model = model_new(&mo);
	if (!d->model) {
		snprintf(err, errlen, "model: out of memory");
		return -1;
	}
	model_set_sample_interval(d->model, sms * 1000000ULL);
	model_set_sink(d->model, &sink);
	if (load_signals(d, c, err, errlen) ||
	    modbus_model_setup(d, c, err, errlen) ||
	    mqtt_model_setup(d, c, err, errlen))
		return -1;
	devalias_load(d);
	d->pnar = pnar_new();
	d->signals_here = signals_here;
	if (!d->pnar) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	d->capture = capture_new(d);
	if (!d->capture || capture_start(d->capture, c, err, errlen))
		return -1;
	d->ctl = ctlsock_open(d, d->ctl_path, err, errlen);
	if (!d->ctl)
		return -1;
	log_info("control socket %s", d->ctl_path);
	for (i = 0; subsystems[i]; i++)
		if (subsystems[i]->start && subsystems[i]->start(d)) {
			snprintf(err, errlen, "subsystem %s failed to start",
				 subsystems[i]->name);
			return -1;
		}
	iiotd_fs_user(d, false);
	grp = conf_get(c, "iiotd", "socket_group");
	g = grp ? getgrnam(grp) : NULL;
	if (ctlsock_set_group(d->ctl, d->run_uid, g ? g->gr_gid : d->run_gid))
		log_warn("control socket %s: group", d->ctl_path);
	/* while privileged: the capture thread's priority (capture_run) */
	capture_boost(d->capture);
	if (iiotd_privdrop(d, err, errlen))
		return -1;
	/* from here on the capture thread owns capture and the model */
	return capture_run(d->capture, err, errlen);
}

/* SIGHUP's changes to the model, run on the capture thread. */
struct model_reload {
	struct iiotd *d;
	const struct conf *c;
	bool have_sms;
	uint64_t sms;
};

static void model_reload(void *arg)
{
	struct model_reload *r = arg;
	struct iiotd *d = r->d;
	char err[512];

	if (r->have_sms)
		model_set_sample_interval(d->model, r->sms * 1000000ULL);
	/* the mapping file may have changed even under the same name */
	if (load_signals(d, r->c, err, sizeof(err)))
		log_warnx("reload: %s; keeping the running signals", err);
}

void iiotd_reload(struct iiotd *d)
{
	char err[512], db[PATH_MAX];
	struct store_opts so;
	struct model_opts mo;
	struct conf *c;
	const char *lvl;
	struct model_reload mr = { d, NULL, false, 0 };
	size_t i;

	if (!d->conf_path) {
		log_info("reload: running on embedded defaults; nothing to do");
		return;
	}
	c = conf_load(d->conf_path, err, sizeof(err));
	if (!c || iiotd_check_conf(c, err, sizeof(err))) {
		log_warnx("reload: %s; keeping the running configuration",
			  err);
		conf_free(c);
		return;
	}
	lvl = conf_get(c, "iiotd", "log_level");
	log_setverbose(lvl && !strcmp(lvl, "debug"));
	if (!store_conf(c, d->state_dir, &so, db, sizeof(db), err,
			sizeof(err)))
		store_reconfigure(d->store, &so);
	mr.c = c;
	mr.have_sms = !model_conf(c, &mo, &mr.sms, err, sizeof(err));
	capture_call(d->capture, model_reload, &mr);
	if (capture_reload(d->capture, c, err, sizeof(err)))
		log_warnx("reload: %s", err);
	conf_free(d->conf);
	d->conf = c;
	for (i = 0; subsystems[i]; i++)
		if (subsystems[i]->reload && subsystems[i]->reload(d))
			log_warnx("reload: subsystem %s failed",
				  subsystems[i]->name);
	log_info("reloaded %s", d->conf_path);
}

void iiotd_subsys_stats(struct iiotd *d, json_t *o)
{
	json_t *s;
	size_t i;

	for (i = 0; subsystems[i]; i++) {
		if (!subsystems[i]->stats)
			continue;
		s = subsystems[i]->stats(d);
		if (s)
			json_object_set_new(o, subsystems[i]->name, s);
	}
}

void iiotd_stop(struct iiotd *d)
{
	size_t n = 0, i;

	while (subsystems[n])
		n++;
	ctlsock_quiesce(d->ctl);
	for (i = n; i--; )
		if (subsystems[i]->quiesce)
			subsystems[i]->quiesce(d);
	/* what producers already committed is part of this run */
	if (d->capture) {
		capture_halt(d->capture);
		capture_drain_all(d->capture);
	}
	while (n--)
		if (subsystems[n]->stop)
			subsystems[n]->stop(d);
	ctlsock_close(d->ctl);
	d->ctl = NULL;
	/* after everyone who queued reads: what is left is cancelled */
	readpool_free(d->readers);
	d->readers = NULL;
	capture_free(d->capture);
	d->capture = NULL;
	pnar_free(d->pnar);
	d->pnar = NULL;
	if (d->store) {
		store_close(d->store);
		d->store = NULL;
	}
	model_free(d->model);
	d->model = NULL;
	if (d->lock_fd > 0)
		close(d->lock_fd);
	d->lock_fd = 0;
}
