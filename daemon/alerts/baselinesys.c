/*
 * The baseline inside iiotd: it lives in the IDS on the capture thread
 * (daemon/ids/baseline.h); here, on the event loop, it is loaded from
 * baseline.db at start (or learning starts: [ids] learn), copied out for
 * readers, replaced by imports, edited entry by entry and saved whenever
 * its generation moved.  The end of a learning window is logged and
 * audited (user "iiotd"); the API and the control socket audit the rest.
 *
 * The once-a-second save runs on a thread of its own, not on the event
 * loop: while learning, the baseline moves every second, and each save
 * waited twice for the capture thread and synced baseline.db and its
 * journal (three fdatasyncs) -- 20 to 130 ms of a stalled API each second
 * under a capture flood, when the store keeps the disk busy.  An import
 * or an edit saves before its answer, as before; save_mu keeps one save
 * (and one change) at a time.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <sqlite3.h>

#include "alerts/alertsys.h"
#include "alerts/baseline_db.h"
#include "auth/audit.h"
#include "capture/capture.h"
#include "core/bgwork.h"
#include "core/iiotd.h"
#include "core/log.h"
#include "ids/baseline.h"
#include "ids/ids.h"
#include "libshm.h"

#define BASELINE_DB_NAME	"baseline.db"

static struct {
	sqlite3 *db;
	uint32_t saved_gen;
	unsigned int saved_state;
	struct iiotd *d;
	struct bgwork w;	/* the periodic save */
	bool due;		/* under w.mu: a second went by */
} bs = { .w = BGWORK_INIT };

/* the saves and the changes through this file, one at a time */
static pthread_mutex_t save_mu = PTHREAD_MUTEX_INITIALIZER;

struct bl_call {
	struct ids *ids;
	struct baseline *copy;
	const json_t *entry;
	bool add, fresh;
	uint64_t ns;
	uint32_t gen;
	int rc;
	char err[256];
};

/* the capture thread's side of each call */
static void do_snap(void *arg)
{
	struct bl_call *c = arg;

	c->rc = baseline_copy(c->copy, ids_baseline(c->ids));
}

static void do_gen(void *arg)
{
	struct bl_call *c = arg;

	c->gen = ids_baseline(c->ids)->gen;
}

static void do_set(void *arg)
{
	struct bl_call *c = arg;

	c->rc = baseline_copy(ids_baseline(c->ids), c->copy);
}

static void do_learn(void *arg)
{
	struct bl_call *c = arg;

	ids_baseline_learn(c->ids, c->ns, c->fresh);
}

static void do_edit(void *arg)
{
	struct bl_call *c = arg;
	struct baseline *bl = ids_baseline(c->ids);
	struct bl_entry e;

	c->rc = -1;
	if (baseline_entry_from_json(bl, c->entry, &e, c->err, sizeof(c->err)))
		return;
	if (c->add) {
		if (baseline_find(bl, &e)) {
			snprintf(c->err, sizeof(c->err), "the entry is already "
				 "in the baseline");
			c->rc = 1;
		} else if (!baseline_add(bl, &e)) {
			snprintf(c->err, sizeof(c->err), "the baseline is full");
		} else {
			c->rc = 0;
		}
	} else if (baseline_remove(bl, &e)) {
		snprintf(c->err, sizeof(c->err), "no such entry in the "
			 "baseline");
		c->rc = 2;
	} else {
		c->rc = 0;
	}
}

static void call(struct iiotd *d, void (*fn)(void *), struct bl_call *c,
		 bool changes)
{
	c->ids = d->ids;
	if (!d->capture)
		fn(c);
	else if (changes)
		capture_call(d->capture, fn, c);
	else
		capture_read(d->capture, fn, c);
}

/* A copy of the live baseline (NULL: out of memory or not running). */
static struct baseline *snapshot(struct iiotd *d)
{
	struct bl_call c = { 0 };

	if (!d->ids || !(c.copy = baseline_new()))
		return NULL;
	call(d, do_snap, &c, false);
	if (c.rc) {
		baseline_free(c.copy);
		return NULL;
	}
	return c.copy;
}

json_t *baselinesys_json(struct iiotd *d)
{
	struct baseline *bl = snapshot(d);
	json_t *j;

	if (!bl)
		return NULL;
	j = baseline_json(bl);
	if (bl->state == BL_LEARNING)
		json_object_set_new(j, "learning_for_ns", json_integer(
			(json_int_t)bl->learn_ns));
	baseline_free(bl);
	return j;
}

static void audit_system(struct iiotd *d, const char *action, json_t *det)
{
	struct audit *a;
	char err[256], *s = det ? json_dumps(det, JSON_COMPACT) : NULL;

	a = audit_open_dir(d->state_dir, err, sizeof(err));
	if (!a || audit_append(a, "iiotd", "system", action, "baseline", AUDIT_OK,
			       s ? s : "{}"))
		log_warnx("baseline: AUDIT WRITE FAILED: %s", action);
	audit_close(a);
	free(s);
	json_decref(det);
}

/* Save the baseline if it changed since the last save; save_mu held. */
static void save(struct iiotd *d)
{
	struct bl_call c = { 0 };
	struct baseline *bl;
	json_t *j;

	if (!bs.db || !d->ids)
		return;
	call(d, do_gen, &c, false);
	if (c.gen == bs.saved_gen)
		return;
	if (!(bl = snapshot(d)))
		return;
	j = baseline_json(bl);
	if (!j || baseline_db_save(bs.db, j, shm_now_ns()))
		log_warnx("baseline: cannot save %s", BASELINE_DB_NAME);
	else
		bs.saved_gen = bl->gen;
	if (bs.saved_state == BL_LEARNING && bl->state == BL_PROTECTING) {
		log_info("baseline: learned %zu entries; protecting",
			 bl->n);
		audit_system(d, "baseline.learned", json_pack(
			"{s:I, s:I, s:I}", "entries", (json_int_t)bl->n,
			"not_stored", (json_int_t)bl->full, "learned_for_ns",
			(json_int_t)(bl->until_ns - bl->from_ns)));
	}
	bs.saved_state = bl->state;
	json_decref(j);
	baseline_free(bl);
}

void baselinesys_tick(struct iiotd *d)
{
	pthread_mutex_lock(&save_mu);
	save(d);
	pthread_mutex_unlock(&save_mu);
}

static void *saver(void *arg)
{
	(void)arg;
	pthread_setname_np(pthread_self(), "iiotd-baseline");
	pthread_mutex_lock(&bs.w.mu);
	bgwork_wait_go(&bs.w);
	while (!bs.w.stop) {
		if (!bs.due) {
			pthread_cond_wait(&bs.w.cv, &bs.w.mu);
			continue;
		}
		bs.due = false;
		pthread_mutex_unlock(&bs.w.mu);
		baselinesys_tick(bs.d);
		pthread_mutex_lock(&bs.w.mu);
	}
	pthread_mutex_unlock(&bs.w.mu);
	return NULL;
}

void baselinesys_kick(struct iiotd *d)
{
	if (!bs.w.running) {
		baselinesys_tick(d);
		return;
	}
	pthread_mutex_lock(&bs.w.mu);
	bs.due = true;
	pthread_cond_signal(&bs.w.cv);
	pthread_mutex_unlock(&bs.w.mu);
}

int baselinesys_import(struct iiotd *d, const json_t *doc, char *err,
		       size_t errlen)
{
	struct bl_call c = { 0 };

	if (!d->ids) {
		snprintf(err, errlen, "alerts are not running");
		return -1;
	}
	if (!(c.copy = baseline_new())) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (baseline_from_json(c.copy, doc, err, errlen)) {
		baseline_free(c.copy);
		return -1;
	}
	pthread_mutex_lock(&save_mu);
	call(d, do_set, &c, true);
	baseline_free(c.copy);
	if (!c.rc)
		save(d);
	pthread_mutex_unlock(&save_mu);
	if (c.rc) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	return 0;
}

int baselinesys_learn(struct iiotd *d, uint64_t ns, bool fresh)
{
	struct bl_call c = { .ns = ns, .fresh = fresh };

	if (!d->ids)
		return -1;
	pthread_mutex_lock(&save_mu);
	call(d, do_learn, &c, true);
	save(d);
	pthread_mutex_unlock(&save_mu);
	return 0;
}

int baselinesys_edit(struct iiotd *d, const json_t *entry, bool add,
		     char *err, size_t errlen)
{
	struct bl_call c = { .entry = entry, .add = add };

	if (!d->ids) {
		snprintf(err, errlen, "alerts are not running");
		return -1;
	}
	pthread_mutex_lock(&save_mu);
	call(d, do_edit, &c, true);
	if (!c.rc)
		save(d);
	pthread_mutex_unlock(&save_mu);
	snprintf(err, errlen, "%s", c.err);
	return c.rc;
}

int baselinesys_start(struct iiotd *d, uint64_t learn_ns)
{
	char path[PATH_MAX + 16], err[512];
	json_t *j;

	snprintf(path, sizeof(path), "%s/%s", d->state_dir, BASELINE_DB_NAME);
	bs.db = baseline_db_open(path, err, sizeof(err));
	if (!bs.db) {
		log_warnx("baseline: %s", err);
		return -1;
	}
	j = baseline_db_load(bs.db, err, sizeof(err));
	if (j && !baselinesys_import(d, j, err, sizeof(err))) {
		/* stopped while learning: learn on, adding to what was kept */
		if (learn_ns && !strcmp(json_string_value(json_object_get(
				j, "state")) ?: "", "learning")) {
			baselinesys_learn(d, learn_ns, false);
			log_info("baseline: learning on for %llu s",
				 (unsigned long long)(learn_ns / 1000000000ULL));
		} else {
			log_info("baseline: protecting the one in %s", path);
		}
	} else {
		if (err[0])
			log_warnx("baseline: %s: %s; learning a new one", path,
				  err);
		if (learn_ns) {
			baselinesys_learn(d, learn_ns, true);
			log_info("baseline: learning for %llu s",
				 (unsigned long long)(learn_ns / 1000000000ULL));
		}
	}
	json_decref(j);
	bs.d = d;
	if (bgwork_start(&bs.w, d->base, saver))
		log_warnx("baseline: no thread to save it on; the event loop "
			  "does");
	return 0;
}

/*
 * Shutdown ends the saver before capture halts: a save it started
 * afterwards would read the live baseline on its own thread while the main
 * thread drains the last frames into it.
 */
void baselinesys_quiesce(struct iiotd *d)
{
	(void)d;
	bgwork_stop(&bs.w);
}

void baselinesys_stop(struct iiotd *d)
{
	baselinesys_quiesce(d);
	baselinesys_tick(d);
	sqlite3_close(bs.db);
	bs.db = NULL;
	bs.saved_gen = 0;
	bs.saved_state = 0;
	bs.d = NULL;
	bs.due = false;
}
