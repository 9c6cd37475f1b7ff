/*
 * GET /api/v1/health, public: "ok", "degraded" or "failed", and the
 * checks behind it, each with its reason.  Rings are read from the
 * capture snapshot through capsnap_rings_json(), as "iiotctl stats" does.  200 unless failed (503),
 * so a load balancer or probe may use the status code alone.  The backup
 * check reads the newest backup's time from its name in [backup] dir; the
 * evaluation check the last scheduled self-evaluation's time (daemon/eval).
 * The network load check: a capture port graded "reduce" (over 50 % of
 * its speed, docs/diagnostics.md) degrades.  The upgrade check: the
 * marker the package's upgrade check leaves when an upgraded iiotd failed
 * and its databases were put back (pkg/iiot-upgrade-check) degrades,
 * with the marker's first line, until an upgrade passes.
 */
#include <stdio.h>
#include <sys/statvfs.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "api/api.h"
#include "backup/backup.h"
#include "capture/capture.h"
#include "core/iiotd.h"
#include "diag/diagsys.h"
#include "eval/eval.h"
#include "store/store.h"

#define RING_STALE_NS (5ULL * 1000000000ULL)	/* producers commit each second */
#define DISK_LOW_PCT 5		/* below: degraded */
#define DISK_OUT_PCT 1		/* below: failed */
#define CERT_SOON_S (14 * 86400)
#define CLOCK_FLOOR 1735689600	/* 2025-01-01: earlier is a clock never set */

enum { H_OK, H_DEGRADED, H_FAILED };
static const char *const hname[] = { "ok", "degraded", "failed" };

static int check(json_t *checks, const char *name, int st, const char *reason)
{
	json_array_append_new(checks, json_pack("{ss ss ss}", "name", name,
						"status", hname[st], "reason", reason));
	return st;
}

static int rings(struct api *a, json_t *checks)
{
	struct capsnap *snap;
	char why[160];
	json_t *arr, *r;
	size_t i;
	int worst = H_OK;

	if (!a->d->capture)
		return H_OK;
	/* a snapshot at most CAPTURE_SNAP_MS old, as "iiotctl stats" reads */
	snap = capture_snapshot(a->d->capture);
	if (!snap)
		return check(checks, "ring", H_DEGRADED, "no capture snapshot (out of memory)");
	arr = capsnap_rings_json(snap);
	capsnap_put(snap);
	json_array_foreach(arr, i, r) {
		const char *name = json_string_value(json_object_get(r, "ring"));
		json_t *age = json_object_get(r, "heartbeat_age_ns");
		const char *state = json_string_value(json_object_get(r, "state"));
		int st = H_OK;

		if (!json_is_true(json_object_get(r, "open"))) {
			snprintf(why, sizeof(why), "ring %s: not open", name);
			st = H_DEGRADED;
		} else if (state && !strcmp(state, "closed")) {
			snprintf(why, sizeof(why), "ring %s: producer closed it", name);
			st = H_DEGRADED;
		} else if (!age || (uint64_t)json_integer_value(age) > RING_STALE_NS) {
			snprintf(why, sizeof(why), "ring %s: producer silent for %llds", name,
				 age ? (long long)(json_integer_value(age) / 1000000000) : -1LL);
			st = H_DEGRADED;
		} else {
			snprintf(why, sizeof(why), "ring %s: producer alive", name);
		}
		check(checks, "ring", st, why);
		worst = st > worst ? st : worst;
	}
	json_decref(arr);
	return worst;
}

/* writable, and not shedding raw samples for want of disk (store.h) */
static int store_check(struct api *a, json_t *checks)
{
	struct store_disk dk;
	char why[256];

	if (!a->d->store)
		return check(checks, "store", H_OK, "state directory writable");
	store_get_disk(a->d->store, &dk);
	if (!dk.degraded)
		return check(checks, "store", H_OK, "state directory writable, disk space above min_free");
	snprintf(why, sizeof(why), "raw samples not stored (rollups, users and audit are): %s",
		 dk.reason);
	return check(checks, "store", H_DEGRADED, why);
}

static int state_dir(struct api *a, json_t *checks)
{
	const char *dir = a->d->state_dir;
	struct statvfs vs;
	char why[160];
	double pct;
	int st, w;

	w = access(dir, W_OK) ? check(checks, "store", H_FAILED, "state directory not writable") :
	    store_check(a, checks);
	if (statvfs(dir, &vs) || !vs.f_blocks)
		return check(checks, "disk", H_DEGRADED, "cannot read the state directory's file system");
	pct = 100.0 * (double)vs.f_bavail / (double)vs.f_blocks;
	st = pct < DISK_OUT_PCT ? H_FAILED : pct < DISK_LOW_PCT ? H_DEGRADED : H_OK;
	snprintf(why, sizeof(why), "%.1f%% free (%llu MiB) on the state directory", pct,
		 (unsigned long long)((double)vs.f_bavail * vs.f_frsize / 1048576));
	check(checks, "disk", st, why);
	return st > w ? st : w;
}

static int clock_sane(json_t *checks)
{
	if (time(NULL) < CLOCK_FLOOR)
		return check(checks, "clock", H_DEGRADED, "wall clock before 2025: never set");
	return check(checks, "clock", H_OK, "wall clock set");
}

static int cert(struct api *a, json_t *checks)
{
	X509 *x = a->ssl ? SSL_CTX_get0_certificate(a->ssl) : NULL;
	char why[160];
	int day, sec, st;

	if (!x)
		return H_OK;
	if (!ASN1_TIME_diff(&day, &sec, NULL, X509_get0_notAfter(x)))
		return check(checks, "certificate", H_DEGRADED, "cannot read the certificate's expiry");
	st = day < 0 || (day == 0 && sec <= 0) ? H_FAILED :
	     (long)day * 86400 + sec < CERT_SOON_S ? H_DEGRADED : H_OK;
	snprintf(why, sizeof(why), st == H_FAILED ? "TLS certificate expired %d days ago" :
		 "TLS certificate expires in %d days", st == H_FAILED ? -day : day);
	return check(checks, "certificate", st, why);
}

/* stale after two intervals (two default ones when another tool schedules them) */
static int backup_age(struct api *a, json_t *checks)
{
	struct bak_conf b;
	char why[4400], err[256];
	time_t t, now = time(NULL);
	long long limit, age;

	if (bak_conf_get(a->d->conf, &b, err, sizeof(err)) || !b.configured)
		return check(checks, "backup", H_OK, "no [backup] configured");
	limit = 2 * (long long)(b.interval_ms ? b.interval_ms : BAK_DEFAULT_INTERVAL_MS) / 1000;
	t = bak_newest(b.dir);
	if (t < 0) {
		snprintf(why, sizeof(why), "cannot read the backup directory %s", b.dir);
		return check(checks, "backup", H_DEGRADED, why);
	}
	if (!t) {
		snprintf(why, sizeof(why), "no backup in %s yet", b.dir);
		return check(checks, "backup", H_DEGRADED, why);
	}
	age = (long long)(now - t);
	snprintf(why, sizeof(why), "newest backup %llds old (limit %llds)", age > 0 ? age : 0,
		 limit);
	return check(checks, "backup", age > limit ? H_DEGRADED : H_OK, why);
}

/* stale after two intervals; before the first, once it is an interval late */
static int evaluation(json_t *checks)
{
	json_t *s = eval_schedule_json();
	long long iv, last, next, now = (long long)time(NULL) * 1000;
	char why[160];
	int st = H_OK;

	if (!s)
		return check(checks, "evaluation", H_OK, "the evaluation is not running");
	if (json_object_get(s, "unavailable")) {
		snprintf(why, sizeof(why), "no evaluation: %s",
			 json_string_value(json_object_get(s, "unavailable")));
		json_decref(s);
		return check(checks, "evaluation", H_DEGRADED, why);
	}
	iv = (long long)json_integer_value(json_object_get(s, "interval_s")) * 1000;
	last = (long long)json_integer_value(json_object_get(s, "last_ms"));
	next = (long long)json_integer_value(json_object_get(s, "next_ms"));
	if (!iv && !last) {
		snprintf(why, sizeof(why), "no evaluation scheduled ([evaluate] interval = 0)");
	} else if (!last) {
		st = now > next + iv ? H_DEGRADED : H_OK;
		snprintf(why, sizeof(why), st ? "no evaluation yet, due %llds ago" :
			 "first evaluation due in %llds", (st ? now - next : next - now) / 1000);
	} else {
		st = iv && now - last > 2 * iv ? H_DEGRADED : H_OK;
		snprintf(why, sizeof(why), "last evaluation %llds ago (limit %llds), score %lld%%",
			 (now > last ? now - last : 0) / 1000, 2 * iv / 1000,
			 (long long)json_integer_value(json_object_get(s, "last_score")));
	}
	json_decref(s);
	return check(checks, "evaluation", st, why);
}

static int upgrade(struct api *a, json_t *checks)
{
	char path[4200], why[320], line[200];
	FILE *f;

	snprintf(path, sizeof(path), "%s/upgrade/check-failed", a->d->state_dir);
	f = fopen(path, "re");
	if (!f)
		return check(checks, "upgrade", H_OK, "no failed upgrade");
	if (!fgets(line, sizeof(line), f))
		line[0] = 0;
	fclose(f);
	line[strcspn(line, "\n")] = 0;
	snprintf(why, sizeof(why), "%s (upgrade/check-failed, iiotctl upgrade status)",
		 line[0] ? line : "an upgrade failed its check");
	return check(checks, "upgrade", H_DEGRADED, why);
}

/* every capture port's load as diag grades it (diag_load.c) */
static int network_load(struct api *a, json_t *checks)
{
	json_t *ports = diagsys_ports(a->d), *p;
	char why[256] = "", one[96];
	size_t i, over = 0, watch = 0, n;

	if (!ports)
		return check(checks, "network_load", H_OK,
			     "diagnostics not running");
	n = json_array_size(ports);
	json_array_foreach(ports, i, p) {
		const char *g = json_string_value(json_object_get(p, "grade"));
		json_t *pct = json_object_get(p, "load_pct");

		if (!g || !json_is_number(pct) || !strcmp(g, "fine"))
			continue;
		if (!strcmp(g, "reduce"))
			over++;
		else
			watch++;
		snprintf(one, sizeof(one), "%s%s %.1f %% (%s)", why[0] ? ", " :
			 "", json_string_value(json_object_get(p, "port")),
			 json_number_value(pct), g);
		if (strlen(why) + strlen(one) < sizeof(why))
			strcat(why, one);
	}
	json_decref(ports);
	if (!n)
		return check(checks, "network_load", H_OK,
			     "no capture port measured yet");
	if (!over && !watch)
		return check(checks, "network_load", H_OK,
			     "every capture port under 20 % load");
	return check(checks, "network_load", over ? H_DEGRADED : H_OK, why);
}

/*
 * The verdict and its checks, {"status", "checks"}: GET /api/v1/health
 * answers it, and the control socket's "status" carries it for the
 * package's upgrade check (api_system_health, subsys_api.c).
 */
json_t *health_verdict(struct api *a, bool *failed)
{
	json_t *checks = json_array();
	int st = H_OK, s;

	s = rings(a, checks);
	st = s > st ? s : st;
	s = state_dir(a, checks);
	st = s > st ? s : st;
	s = clock_sane(checks);
	st = s > st ? s : st;
	s = cert(a, checks);
	st = s > st ? s : st;
	s = backup_age(a, checks);
	st = s > st ? s : st;
	s = evaluation(checks);
	st = s > st ? s : st;
	s = network_load(a, checks);
	st = s > st ? s : st;
	s = upgrade(a, checks);
	st = s > st ? s : st;
	if (failed)
		*failed = st == H_FAILED;
	return json_pack("{ss so}", "status", hname[st], "checks", checks);
}

void h_health(struct rq *r)
{
	bool failed;
	json_t *v = health_verdict(r->api, &failed);

	api_reply(r, failed ? 503 : 200, v);
}
