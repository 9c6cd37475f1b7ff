/*
 * iiotd subsystem "backup": scheduled backups ([backup] interval, 15
 * minutes by default) with retention, on a thread of their own so a
 * snapshot never stalls the event loop.  The key and the plain files
 * (sealing key, TLS material, configuration) are read at start, while
 * iiotd is still root; the thread begins once the event loop runs, that
 * is after the privilege drop, so every backup is written as iiotd's user.
 * Not reloaded: a new [backup] takes a restart.
 */
#include <errno.h>
#include <jansson.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>


#include "backup/backup.h"
#include "core/bgwork.h"
#include "core/conf.h"
#include "core/daemon.h"
#include "core/iiotd.h"
#include "core/log.h"
#include "core/subsys.h"

static struct {
	struct bak_conf bc;
	struct bak_secret sec;
	struct bak_plan plan;
	struct bgwork w;
	/* under mu */
	uint64_t ok, failed, pruned;
	time_t last_ok;
	char last_file[4096], last_error[512];
} sys = { .w = BGWORK_INIT };

static int backup_check_conf(const struct conf *c, char *err, size_t errlen)
{
	struct bak_conf b;

	return bak_conf_get(c, &b, err, errlen);
}

static void run_once(void)
{
	char out[4096], err[512];
	int rc, gone;

	rc = bak_create(&sys.plan, sys.bc.dir, &sys.sec, out, sizeof(out), err, sizeof(err));
	gone = rc ? 0 : bak_prune(sys.bc.dir, (int)sys.bc.keep,
				  (int64_t)(sys.bc.max_age_ms / 1000), err, sizeof(err));
	pthread_mutex_lock(&sys.w.mu);
	if (rc) {
		sys.failed++;
		snprintf(sys.last_error, sizeof(sys.last_error), "%s", err);
	} else {
		sys.ok++;
		sys.last_ok = time(NULL);
		snprintf(sys.last_file, sizeof(sys.last_file), "%s", out);
		sys.pruned += gone > 0 ? (uint64_t)gone : 0;
	}
	pthread_mutex_unlock(&sys.w.mu);
	if (rc)
		log_warnx("backup: %s", err);
	else
		log_info("backup: wrote %s%s", out, gone < 0 ? " (pruning failed)" : "");
}

/* seconds until the next backup is due, from the newest one in dir */
static time_t due_in(void)
{
	time_t newest = bak_newest(sys.bc.dir), now = time(NULL);
	time_t iv = (time_t)(sys.bc.interval_ms / 1000);

	if (newest <= 0 || newest > now || now - newest >= iv)
		return 0;
	return iv - (now - newest);
}

static void *loop(void *arg)
{
	struct timespec ts;

	(void)arg;
	pthread_mutex_lock(&sys.w.mu);
	bgwork_wait_go(&sys.w);
	while (!sys.w.stop) {
		pthread_mutex_unlock(&sys.w.mu);
		if (!due_in())
			run_once();
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += due_in() ? due_in() : (time_t)(sys.bc.interval_ms / 1000);
		pthread_mutex_lock(&sys.w.mu);
		while (!sys.w.stop && pthread_cond_timedwait(&sys.w.cv, &sys.w.mu, &ts) != ETIMEDOUT)
			;
	}
	pthread_mutex_unlock(&sys.w.mu);
	return NULL;
}

/* the directory is iiotd's user's, so the thread may write it after the drop */
static int make_dir(struct iiotd *d, char *err, size_t errlen)
{
	if (mkdir(sys.bc.dir, 0700) && errno != EEXIST) {
		snprintf(err, errlen, "cannot make the backup directory: %s", strerror(errno));
		return -1;
	}
	if (d->drop && chown(sys.bc.dir, d->run_uid, d->run_gid)) {
		snprintf(err, errlen, "cannot hand the backup directory to %s: %s", d->run_user,
			 strerror(errno));
		return -1;
	}
	return 0;
}

static int backup_start(struct iiotd *d)
{
	char err[512];
	int rc;

	if (bak_conf_get(d->conf, &sys.bc, err, sizeof(err)))
		return log_warnx("%s", err), -1;
	/* a backup killed with iiotd leaves its snapshots (as secret as
	 * the databases) and its temporary file: gone before anything else */
	rc = bak_clean_stale(d->state_dir, sys.bc.configured ? sys.bc.dir : NULL);
	if (rc)
		log_info("backup: removed %d staging file%s left by a killed backup", rc,
			 rc == 1 ? "" : "s");
	if (!sys.bc.configured || !sys.bc.interval_ms)
		return 0;
	/* the key, TLS material and configuration are root's; the rest the user's */
	iiotd_fs_user(d, false);
	rc = bak_conf_secret(&sys.bc, &sys.sec, err, sizeof(err)) ||
	     bak_plan_make(&sys.plan, d->conf, d->conf_path, d->state_dir, err, sizeof(err)) ||
	     bak_plan_read(&sys.plan, BAK_READ_OTHERS, err, sizeof(err)) ? -1 : make_dir(d, err, sizeof(err));
	iiotd_fs_user(d, true);
	if (!rc)
		rc = bak_plan_read(&sys.plan, BAK_READ_STATE, err, sizeof(err));
	if (rc) {
		log_warnx("backup: %s", err);
		bak_plan_free(&sys.plan);
		bak_secret_wipe(&sys.sec);
		return -1;
	}
	if (bgwork_start(&sys.w, d->base, loop)) {
		log_warnx("backup: cannot start its thread");
		return -1;
	}
	log_info("backup: every %llus into %s, keeping %llu", (unsigned long long)(sys.bc.interval_ms / 1000),
		 sys.bc.dir, (unsigned long long)sys.bc.keep);
	return 0;
}

static void backup_stop(struct iiotd *d)
{
	(void)d;
	if (!sys.w.running)
		return;
	bgwork_stop(&sys.w);
	bak_plan_free(&sys.plan);
	bak_secret_wipe(&sys.sec);
}

static json_t *backup_stats(struct iiotd *d)
{
	json_t *j;

	(void)d;
	if (!sys.w.running)
		return NULL;
	pthread_mutex_lock(&sys.w.mu);
	j = json_pack("{ss sI sI sI sI ss ss}", "dir", sys.bc.dir, "interval_s",
		      (json_int_t)(sys.bc.interval_ms / 1000), "backups_total", (json_int_t)sys.ok,
		      "failures_total", (json_int_t)sys.failed, "last_ok_unix",
		      (json_int_t)sys.last_ok, "last_file", sys.last_file, "last_error",
		      sys.last_error);
	pthread_mutex_unlock(&sys.w.mu);
	return j;
}

const struct iiotd_subsys subsys_backup = {
	.name = "backup",
	.check_conf = backup_check_conf,
	.start = backup_start,
	.stop = backup_stop,
	.stats = backup_stats,
};
