/*
 * iiotd subsystem "enforce": blocks in the inline XDP blocklist.
 *
 * Privileges: iiotd runs without any capability once started
 * (core/privdrop.c), and a pinned BPF map can only be opened with them.
 * So the map named by [enforce] map is opened here, at start, while iiotd
 * is still root (file-system identity root for the moment: the pin
 * directory is root's, mode 0700), and the descriptor is kept: the kernel
 * checks capabilities when a map is created, not on updates through a
 * descriptor already open (Linux 6.5+).  docs/security.md says why this
 * beats a privileged helper.  Changing map needs a restart.
 *
 * The IDS queues block requests on the capture thread (on_request); the
 * timer takes them on the event loop every ENFORCE_TICK_MS, checks the
 * guards on the newest model snapshot, updates the map, writes the audit
 * row and records the outcome on the alert.  The same timer removes
 * expired blocks.  Everything but on_request runs on the loop thread.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>
#include <jansson.h>

#include "alerts/alerts.h"
#include "auth/audit.h"
#include "blocklist.h"
#include "capture/capture.h"
#include "core/conf.h"
#include "core/daemon.h"
#include "core/iiotd.h"
#include "core/log.h"
#include "core/subsys.h"
#include "enforce/enforce.h"
#include "ids/ids.h"
#include "iiot_xdp.h"
#include "libshm.h"
#include "model/model.h"

#define ENFORCE_TICK_MS		100
#define ENFORCE_QUEUE		64
#define ENFORCE_SEEN		64
#define ENFORCE_QUIET_NS	60000000000ULL	/* one outcome a minute per
						 * MAC for repeated requests */
#define STATE_FILE		"enforce.json"

#define ENFORCE_COUNTERS(X) \
	X(requests,	"block requests from the IDS")			\
	X(queue_full,	"block requests lost: queue full")		\
	X(blocked,	"blocks placed")				\
	X(refused,	"blocks refused by a guard")			\
	X(not_possible,	"requests not carried out: off or tap mode")	\
	X(expired,	"blocks removed at the end of their time")	\
	X(removed,	"blocks removed by hand")			\
	X(map_errors,	"blocklist map updates that failed")

struct enforce_counters {
#define X(n, d) uint64_t n;
	ENFORCE_COUNTERS(X)
#undef X
};

struct request {
	uint8_t mac[6];
	uint16_t rule;
	uint64_t alert;
};

struct seen {
	uint8_t mac[6];
	uint64_t ns;
};

static struct {
	struct iiotd *d;
	int fd;				/* the map; -1: cannot block */
	char map[256];
	char why[256];			/* why fd < 0 */
	bool checked;			/* map use tried after the drop */
	uint64_t ttl_s;
	bool enabled;
	char changed_by[ENFORCE_WHO_MAX];
	uint64_t changed_ns;
	struct enforce_tab tab;
	struct event *tick;
	pthread_mutex_t mu;		/* q, nq: the capture thread's way in */
	struct request q[ENFORCE_QUEUE];
	size_t nq;
	uint64_t q_lost;
	struct seen seen[ENFORCE_SEEN];
	struct enforce_counters ctr;
} sys = { .fd = -1, .mu = PTHREAD_MUTEX_INITIALIZER };

static const char *const keys[] = { "map", "ttl", NULL };

static int read_conf(const struct conf *c, const char **map, uint64_t *ttl,
		     char *err, size_t errlen)
{
	const struct conf_entry *e;

	if (conf_check_keys(c, "enforce", keys, err, errlen) ||
	    conf_get_ms(c, "enforce", "ttl", 3600000, 1000,
			ENFORCE_TTL_MAX_S * 1000, ttl, err, errlen))
		return -1;
	*ttl /= 1000;
	*map = conf_get(c, "enforce", "map");
	e = conf_find(c, "enforce", "map");
	if (*map && (strncmp(*map, "/sys/fs/bpf/", 12) ||
		     strlen(*map) >= sizeof(sys.map) || strstr(*map, "/../"))) {
		conf_errf(c, e, err, errlen, "enforce.map: '%s' is not a pin "
			  "path below /sys/fs/bpf/ (e.g. /sys/fs/bpf/iiot/eth1/"
			  "blocklist)", *map);
		return -1;
	}
	return 0;
}

static int enforce_check_conf(const struct conf *c, char *err, size_t errlen)
{
	const char *map;
	uint64_t ttl;

	return read_conf(c, &map, &ttl, err, errlen);
}

static void mac_str(const uint8_t mac[6], char out[18])
{
	alert_mac_str(mac, out);
}

/* ---- audit ---------------------------------------------------------- */

static void audit(const char *who, const char *addr, const char *action,
		  const uint8_t mac[6], const char *result, json_t *detail)
{
	char err[256], target[32], ms[18], *det;
	struct audit *a = audit_open_dir(sys.d->state_dir, err, sizeof(err));

	mac_str(mac, ms);
	snprintf(target, sizeof(target), "mac %.17s", ms);
	det = detail ? json_dumps(detail, JSON_COMPACT) : NULL;
	json_decref(detail);
	if (!a || audit_append(a, who, addr, action, target, result, det))
		log_warnx("enforce: AUDIT WRITE FAILED: %s %s %s %s: %s", who,
			  action, target, result, a ? "append" : err);
	free(det);
	audit_close(a);
}

/* ---- enforce.json: the switch and the blocks, across restarts ------- */

static json_t *block_json(const struct enforce_block *b)
{
	char ms[18];

	mac_str(b->mac, ms);
	return json_pack("{s:s, s:s?, s:I, s:I, s:I, s:s, s:s}", "mac", ms,
			 "rule", b->rule >= 0 ? alert_rule((unsigned)b->rule)->id
			 : NULL, "alert", (json_int_t)b->alert, "added_ns",
			 (json_int_t)b->added_ns, "expires_ns",
			 (json_int_t)b->expires_ns, "who", b->who, "reason",
			 b->reason);
}

static void save_state(void)
{
	char path[PATH_MAX + 32], tmp[PATH_MAX + 40];
	json_t *o, *a = json_array();
	size_t i;
	bool bad;
	int fd;

	for (i = 0; i < sys.tab.n; i++)
		json_array_append_new(a, block_json(&sys.tab.b[i]));
	o = json_pack("{s:b, s:s, s:I, s:o}", "enabled", sys.enabled,
		      "changed_by", sys.changed_by, "changed_ns",
		      (json_int_t)sys.changed_ns, "blocks", a);
	snprintf(path, sizeof(path), "%s/%s", sys.d->state_dir, STATE_FILE);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	/* 0600 like every file in the state directory; whole or not at all */
	unlink(tmp);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
		  0600);
	bad = fd < 0 || !o || json_dumpfd(o, fd, JSON_COMPACT) || fsync(fd);
	if (fd >= 0 && close(fd))
		bad = true;
	if (bad || rename(tmp, path)) {
		log_warn("enforce: cannot write %s", path);
		unlink(tmp);
	}
	json_decref(o);
}

static void load_block(json_t *j)
{
	const char *mac = json_string_value(json_object_get(j, "mac"));
	const char *rule = json_string_value(json_object_get(j, "rule"));
	struct enforce_block *b;
	uint8_t m[6];

	if (!mac || model_parse_mac(mac, m) || !(b = enforce_tab_add(&sys.tab,
								      m)))
		return;
	b->ours = true;
	b->rule = rule ? alert_rule_parse(rule) : -1;
	b->alert = (uint64_t)json_integer_value(json_object_get(j, "alert"));
	b->added_ns = (uint64_t)json_integer_value(json_object_get(j,
								   "added_ns"));
	b->expires_ns = (uint64_t)json_integer_value(json_object_get(j,
								     "expires_ns"));
	snprintf(b->who, sizeof(b->who), "%s",
		 json_string_value(json_object_get(j, "who")) ?: "");
	snprintf(b->reason, sizeof(b->reason), "%s",
		 json_string_value(json_object_get(j, "reason")) ?: "");
}

static void load_state(void)
{
	char path[PATH_MAX + 32];
	json_error_t je;
	json_t *o, *a, *v;
	size_t i;

	snprintf(path, sizeof(path), "%s/%s", sys.d->state_dir, STATE_FILE);
	if (access(path, F_OK))
		return;
	o = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
	if (!json_is_object(o)) {
		log_warnx("enforce: %s:%d: %s; enforcement stays off", path,
			  je.line, je.text);
		json_decref(o);
		return;
	}
	sys.enabled = json_is_true(json_object_get(o, "enabled"));
	snprintf(sys.changed_by, sizeof(sys.changed_by), "%s",
		 json_string_value(json_object_get(o, "changed_by")) ?: "");
	sys.changed_ns = (uint64_t)json_integer_value(json_object_get(o,
							"changed_ns"));
	a = json_object_get(o, "blocks");
	json_array_foreach(a, i, v)
		load_block(v);
	json_decref(o);
}

/* ---- the map ------------------------------------------------------- */

static bool can_block(void)
{
	return sys.fd >= 0;
}

/* After the drop: the first use tells whether the kernel lets the
 * descriptor be used without capabilities. */
static void check_map(void)
{
	int n;

	if (sys.checked || sys.fd < 0)
		return;
	sys.checked = true;
	n = iiot_bl_list(sys.fd, NULL, 0);
	if (n >= 0)
		return;
	snprintf(sys.why, sizeof(sys.why), "the kernel refuses the blocklist "
		 "to iiotd without capabilities (%s): Linux 6.5 or later "
		 "is needed", strerror(-n));
	log_warnx("enforce: %s", sys.why);
	close(sys.fd);
	sys.fd = -1;
}

/* Blocks iiotd placed that the map lost (a reboot made a new one). */
static void resync(void)
{
	uint64_t now = shm_now_ns();
	size_t i;

	for (i = 0; sys.fd >= 0 && i < sys.tab.n; i++) {
		struct enforce_block *b = &sys.tab.b[i];

		if (b->expires_ns && b->expires_ns <= now)
			continue;	/* the timer removes it */
		if (iiot_bl_add(sys.fd, b->mac))
			log_warnx("enforce: %s", iiot_bl_error());
	}
}

static int place(const uint8_t mac[6], uint64_t ttl_s, int rule,
		 uint64_t alert, const char *who, const char *reason,
		 char *why, size_t whylen)
{
	struct enforce_block *b = enforce_tab_find(&sys.tab, mac);
	uint64_t now = shm_now_ns();

	if (!b && sys.tab.n == ENFORCE_MAX) {
		snprintf(why, whylen, "iiotd holds %d blocks already: remove "
			 "some first", ENFORCE_MAX);
		return ENFORCE_R_FAILED;
	}
	if (iiot_bl_add(sys.fd, mac)) {
		sys.ctr.map_errors++;
		snprintf(why, whylen, "%s", iiot_bl_error());
		return ENFORCE_R_FAILED;
	}
	b = enforce_tab_add(&sys.tab, mac);
	b->ours = true;
	b->rule = rule;
	b->alert = alert;
	b->added_ns = now;
	b->expires_ns = now + (ttl_s ? ttl_s : sys.ttl_s) * 1000000000ULL;
	snprintf(b->who, sizeof(b->who), "%s", who);
	snprintf(b->reason, sizeof(b->reason), "%s", reason);
	sys.ctr.blocked++;
	save_state();
	return ENFORCE_R_OK;
}

/* A guard said no: alerted, whoever asked. */
static void raise_refused(const uint8_t mac[6], const char *why)
{
	struct alert_ev ev;

	if (!sys.d->alerts)
		return;
	memset(&ev, 0, sizeof(ev));
	ev.rule = ALERT_R_ENFORCE_REFUSED;
	ev.ts_ns = shm_now_ns();
	ev.src = mac;
	ev.key = (uint64_t)mac[0] << 40 | (uint64_t)mac[1] << 32 |
		 (uint64_t)mac[2] << 24 | (uint64_t)mac[3] << 16 |
		 (uint64_t)mac[4] << 8 | mac[5];
	ev.detail = why;
	alerts_raise(sys.d->alerts, &ev);
	sys.ctr.refused++;
}

static int guard(const uint8_t mac[6], char *why, size_t whylen)
{
	struct capsnap *s = sys.d->capture ?
			    capture_snapshot(sys.d->capture) : NULL;
	int g = enforce_guard(s ? s->model : NULL, mac, why, whylen);

	capsnap_put(s);
	return g;
}

/* Why iiot cannot block now, or NULL. */
static const char *cannot(void)
{
	if (!can_block())
		return sys.map[0] ? sys.why : "iiot is not inline (tap mode: "
		       "no [enforce] map), so it cannot block";
	if (!sys.enabled)
		return "enforcement is off (an admin turns it on with MFA)";
	return NULL;
}

/* ---- the IDS's requests --------------------------------------------- */

/* On the capture thread: queue only. */
static void on_request(void *arg, const uint8_t src[6], unsigned int rule,
		       uint64_t alert)
{
	size_t i;

	(void)arg;
	pthread_mutex_lock(&sys.mu);
	for (i = 0; i < sys.nq; i++)
		if (!memcmp(sys.q[i].mac, src, 6))
			break;
	if (i == sys.nq) {
		if (sys.nq < ENFORCE_QUEUE) {
			memcpy(sys.q[sys.nq].mac, src, 6);
			sys.q[sys.nq].rule = (uint16_t)rule;
			sys.q[sys.nq].alert = alert;
			sys.nq++;
		} else {
			sys.q_lost++;
		}
	}
	pthread_mutex_unlock(&sys.mu);
}

/* A repeated request for a MAC within ENFORCE_QUIET_NS of its outcome
 * changes nothing: one audit row and one note, not one per frame. */
static bool recently(const uint8_t mac[6], uint64_t now)
{
	size_t i, old = 0;

	for (i = 0; i < ENFORCE_SEEN; i++) {
		if (!memcmp(sys.seen[i].mac, mac, 6) &&
		    now - sys.seen[i].ns < ENFORCE_QUIET_NS)
			return true;
		if (sys.seen[i].ns < sys.seen[old].ns)
			old = i;
	}
	memcpy(sys.seen[old].mac, mac, 6);
	sys.seen[old].ns = now;
	return false;
}

static void note(uint64_t alert, const char *text)
{
	if (alert && sys.d->alerts)
		alerts_comment(sys.d->alerts, alert, "iiotd", text);
}

static void handle(const struct request *r)
{
	const char *rid = alert_rule(r->rule)->id, *no;
	char why[256], text[ALERT_COMMENT_MAX], reason[ENFORCE_REASON_MAX];
	char ttl[16];
	int rc;

	sys.ctr.requests++;
	if (enforce_tab_find(&sys.tab, r->mac) || recently(r->mac,
							   shm_now_ns()))
		return;
	if ((no = cannot())) {
		snprintf(text, sizeof(text), "not blocked: %.140s", no);
		note(r->alert, text);
		sys.ctr.not_possible++;
		return;
	}
	if (guard(r->mac, why, sizeof(why))) {
		snprintf(text, sizeof(text), "not blocked: %.140s", why);
		note(r->alert, text);
		raise_refused(r->mac, why);
		/* fail, as the API's block by hand the guard refuses (409) */
		audit("iiotd", "ids", "enforce.block", r->mac, AUDIT_FAIL,
		      json_pack("{s:s, s:I, s:s}", "rule", rid, "alert",
				(json_int_t)r->alert, "error", why));
		return;
	}
	snprintf(reason, sizeof(reason), "rule %s (alert %llu)", rid,
		 (unsigned long long)r->alert);
	rc = place(r->mac, 0, r->rule, r->alert, "iiotd", reason, why,
		   sizeof(why));
	enforce_ttl_str(sys.ttl_s, ttl, sizeof(ttl));
	if (rc == ENFORCE_R_OK)
		snprintf(text, sizeof(text), "source blocked in the XDP "
			 "blocklist for %s", ttl);
	else
		snprintf(text, sizeof(text), "not blocked: %.140s", why);
	note(r->alert, text);
	audit("iiotd", "ids", "enforce.block", r->mac, rc ? AUDIT_FAIL : AUDIT_OK,
	      json_pack("{s:s, s:I, s:I, s:s}", "rule", rid, "alert",
			(json_int_t)r->alert, "ttl_s", (json_int_t)sys.ttl_s,
			rc ? "error" : "reason", rc ? why : reason));
}

static void expire(void)
{
	uint64_t now = shm_now_ns();
	struct enforce_block *b;
	bool changed = false;

	while ((b = enforce_tab_expired(&sys.tab, now))) {
		int rc = can_block() ? iiot_bl_del(sys.fd, b->mac) : 0;

		if (rc && rc != -ENOENT) {
			/* tried again next tick */
			sys.ctr.map_errors++;
			log_warnx("enforce: %s", iiot_bl_error());
			return;
		}
		audit("iiotd", "timer", "enforce.expire", b->mac, AUDIT_OK,
		      json_pack("{s:s}", "reason", b->reason));
		sys.ctr.expired++;
		enforce_tab_del(&sys.tab, b);
		changed = true;
	}
	if (changed)
		save_state();
}

static void on_tick(evutil_socket_t fd, short what, void *arg)
{
	struct request r[ENFORCE_QUEUE];
	size_t i, n;

	(void)fd;
	(void)what;
	(void)arg;
	check_map();
	pthread_mutex_lock(&sys.mu);
	n = sys.nq;
	memcpy(r, sys.q, n * sizeof(r[0]));
	sys.nq = 0;
	sys.ctr.queue_full += sys.q_lost;
	sys.q_lost = 0;
	pthread_mutex_unlock(&sys.mu);
	for (i = 0; i < n; i++)
		handle(&r[i]);
	expire();
}

/* ---- what the API and the control socket call ----------------------- */

int enforce_block(struct iiotd *d, const uint8_t mac[6], uint64_t ttl_s,
		  const char *reason, const char *who, char *why,
		  size_t whylen)
{
	const char *no;

	(void)d;
	if (!sys.d) {
		snprintf(why, whylen, "enforcement is not running");
		return ENFORCE_R_FAILED;
	}
	if (ttl_s > ENFORCE_TTL_MAX_S) {
		snprintf(why, whylen, "ttl must be 1 s to 30 days");
		return ENFORCE_R_BAD;
	}
	if ((no = cannot())) {
		snprintf(why, whylen, "%s", no);
		return ENFORCE_R_REFUSED;
	}
	if (enforce_guard(NULL, mac, why, whylen))
		return ENFORCE_R_BAD;
	if (guard(mac, why, whylen)) {
		raise_refused(mac, why);
		return ENFORCE_R_REFUSED;
	}
	return place(mac, ttl_s, -1, 0, who, reason, why, whylen);
}

int enforce_unblock(struct iiotd *d, const uint8_t mac[6], char *why,
		    size_t whylen)
{
	struct enforce_block *b = enforce_tab_find(&sys.tab, mac);
	char ms[18];
	int rc;

	(void)d;
	mac_str(mac, ms);
	if (!can_block()) {
		if (!b) {
			snprintf(why, whylen, "%s is not blocked", ms);
			return ENFORCE_R_NOT_FOUND;
		}
		/* no map to remove it from: forget it */
		enforce_tab_del(&sys.tab, b);
		save_state();
		sys.ctr.removed++;
		return ENFORCE_R_OK;
	}
	rc = iiot_bl_del(sys.fd, mac);
	if (rc && rc != -ENOENT) {
		sys.ctr.map_errors++;
		snprintf(why, whylen, "%s", iiot_bl_error());
		return ENFORCE_R_FAILED;
	}
	if (rc && !b) {
		snprintf(why, whylen, "%s is not blocked", ms);
		return ENFORCE_R_NOT_FOUND;
	}
	if (b) {
		enforce_tab_del(&sys.tab, b);
		save_state();
	}
	sys.ctr.removed++;
	return ENFORCE_R_OK;
}

int enforce_enable(struct iiotd *d, bool on, const char *who, char *why,
		   size_t whylen)
{
	(void)d;
	if (!sys.d) {
		snprintf(why, whylen, "enforcement is not running");
		return ENFORCE_R_FAILED;
	}
	if (on && !can_block()) {
		snprintf(why, whylen, "%s", cannot());
		return ENFORCE_R_REFUSED;
	}
	if (sys.enabled != on) {
		sys.enabled = on;
		snprintf(sys.changed_by, sizeof(sys.changed_by), "%s", who);
		sys.changed_ns = shm_now_ns();
		save_state();
		log_info("enforce: enforcement %s by %s", on ? "on" : "off",
			 who);
	}
	return ENFORCE_R_OK;
}

json_t *enforce_status_json(struct iiotd *d)
{
	const char *no = sys.d ? cannot() : "enforcement is not running";
	char ttl[16];

	(void)d;
	enforce_ttl_str(sys.ttl_s, ttl, sizeof(ttl));
	return json_pack("{s:s, s:s?, s:b, s:b, s:s?, s:I, s:s, s:s?, s:I}",
			 "mode", sys.map[0] && can_block() ? "inline" :
			 "tap", "map", sys.map[0] ? sys.map : NULL,
			 "can_block", sys.d && can_block(), "enabled",
			 sys.enabled, "reason", no, "ttl_s",
			 (json_int_t)sys.ttl_s, "ttl", ttl, "changed_by",
			 sys.changed_by[0] ? sys.changed_by : NULL,
			 "changed_ms", (json_int_t)(sys.changed_ns / 1000000));
}

static json_t *listed(const struct enforce_block *b, const struct iiot_bl_entry *e)
{
	char ms[18];
	json_t *o;

	if (b) {
		o = block_json(b);
		json_object_del(o, "added_ns");
		json_object_del(o, "expires_ns");
		json_object_set_new(o, "source", json_string(b->rule >= 0 ?
					"rule" : "manual"));
		json_object_set_new(o, "added_ms", json_integer(
			(json_int_t)(b->added_ns / 1000000)));
		json_object_set_new(o, "expires_ms", b->expires_ns ?
			json_integer((json_int_t)(b->expires_ns / 1000000)) :
			json_null());
	} else {
		mac_str(e->mac, ms);
		o = json_pack("{s:s, s:s, s:I, s:n, s:s}", "mac", ms, "source",
			      "external", "added_ms",
			      (json_int_t)(e->added_ns / 1000000), "expires_ms",
			      "reason", "added outside iiotd (iiot-xdp block "
			      "add)");
	}
	json_object_set_new(o, "in_map", json_boolean(e != NULL));
	json_object_set_new(o, "hits", json_integer(e ? (json_int_t)e->hits :
						    0));
	json_object_set_new(o, "bytes", json_integer(e ? (json_int_t)e->bytes :
						     0));
	return o;
}

json_t *enforce_blocks_json(struct iiotd *d)
{
	static struct iiot_bl_entry e[IIOT_XDP_BLOCK_MAX];
	json_t *a = json_array(), *o;
	int n = can_block() ? iiot_bl_list(sys.fd, e, IIOT_XDP_BLOCK_MAX)
			    : 0;
	size_t i;
	int j;

	if (n > IIOT_XDP_BLOCK_MAX)
		n = IIOT_XDP_BLOCK_MAX;
	for (j = 0; j < n; j++)
		json_array_append_new(a, listed(enforce_tab_find(&sys.tab,
								 e[j].mac),
						&e[j]));
	/* ours the map does not hold (tap mode, or lost) */
	for (i = 0; i < sys.tab.n; i++) {
		for (j = 0; j < n; j++)
			if (!memcmp(e[j].mac, sys.tab.b[i].mac, 6))
				break;
		if (j == n || n < 0)
			json_array_append_new(a, listed(&sys.tab.b[i], NULL));
	}
	o = enforce_status_json(d);
	json_object_set_new(o, "blocks", a);
	if (n < 0)
		json_object_set_new(o, "map_error", json_string(
			iiot_bl_error()));
	return o;
}

/* ---- subsystem hooks ------------------------------------------------ */

struct blocker_call {
	struct ids *ids;
	bool on;
};

static void set_blocker(void *arg)
{
	struct blocker_call *c = arg;

	ids_set_blocker(c->ids, c->on ? on_request : NULL, NULL);
}

static void open_map(struct iiotd *d, const char *map)
{
	snprintf(sys.map, sizeof(sys.map), "%s", map);
	/* the pin directory is root's: root's file-system identity */
	iiotd_fs_user(d, false);
	sys.fd = iiot_bl_open_path(map, true);
	iiotd_fs_user(d, true);
	if (sys.fd < 0) {
		snprintf(sys.why, sizeof(sys.why), "the blocklist %s cannot be "
			 "opened: %s", map, iiot_bl_error());
		log_warnx("enforce: %s; iiot cannot block", sys.why);
		sys.fd = -1;
		return;
	}
	fcntl(sys.fd, F_SETFD, FD_CLOEXEC);
}

static int enforce_start(struct iiotd *d)
{
	struct timeval tv = { 0, ENFORCE_TICK_MS * 1000 };
	struct blocker_call bc;
	const char *map;
	char err[512];

	if (read_conf(d->conf, &map, &sys.ttl_s, err, sizeof(err))) {
		log_warnx("enforce: %s", err);
		return -1;
	}
	sys.d = d;
	sys.checked = false;
	if (map)
		open_map(d, map);
	load_state();
	if (sys.enabled && !can_block()) {
		log_warnx("enforce: enforcement was on, but %s",
			  cannot() ? cannot() : "");
	}
	resync();
	if (d->ids) {
		bc.ids = d->ids;
		bc.on = true;
		capture_call(d->capture, set_blocker, &bc);
	}
	sys.tick = event_new(d->base, -1, EV_PERSIST, on_tick, d);
	if (!sys.tick || event_add(sys.tick, &tv)) {
		log_warnx("enforce: cannot start the timer");
		return -1;
	}
	log_info("enforce: %s, enforcement %s, %zu block(s)",
		 can_block() ? sys.map : "tap mode (cannot block)",
		 sys.enabled ? "on" : "off", sys.tab.n);
	return 0;
}

static int enforce_reload(struct iiotd *d)
{
	const char *map;
	char err[512];
	uint64_t ttl;

	if (read_conf(d->conf, &map, &ttl, err, sizeof(err))) {
		log_warnx("enforce: %s", err);
		return -1;
	}
	sys.ttl_s = ttl;
	if (strcmp(map ? map : "", sys.map))
		log_warnx("enforce: a new [enforce] map takes a restart (it "
			  "is opened before privileges are dropped)");
	return 0;
}

static void enforce_stop(struct iiotd *d)
{
	struct blocker_call bc;

	if (d->ids && d->capture) {
		bc.ids = d->ids;
		bc.on = false;
		capture_call(d->capture, set_blocker, &bc);
	}
	if (sys.tick)
		event_free(sys.tick);
	sys.tick = NULL;
	if (sys.fd >= 0)
		close(sys.fd);
	sys.fd = -1;
	sys.map[0] = 0;
	sys.enabled = false;
	sys.tab.n = 0;
	sys.nq = 0;
	sys.d = NULL;
}

static json_t *enforce_stats(struct iiotd *d)
{
	json_t *o = enforce_status_json(d);

	if (!sys.d) {
		json_decref(o);
		return NULL;
	}
	json_object_set_new(o, "blocks", json_integer((json_int_t)sys.tab.n));
#define X(n, dsc) json_object_set_new(o, #n, json_integer((json_int_t)sys.ctr.n));
	ENFORCE_COUNTERS(X)
#undef X
	return o;
}

const struct iiotd_subsys subsys_enforce = {
	.name = "enforce",
	.check_conf = enforce_check_conf,
	.start = enforce_start,
	.reload = enforce_reload,
	.stop = enforce_stop,
	.stats = enforce_stats,
};
