/*
 * The Sparkplug B edge node's MQTT session (session.h), one thread that
 * owns the libmosquitto client, the edge's metrics and the queue: every
 * libmosquitto callback runs inside mosquitto_loop on this thread.
 *
 * States: DOWN (no connection; the next attempt after link.c's back-off),
 * CONNECTING (CONNECT sent), WAITING (connected, the primary host not
 * online yet: no births, data go to the queue), ONLINE (births sent, data
 * published).
 * Each connection attempt takes the next bdSeq (0-255, kept in
 * <state_dir>/north.bdseq) and carries it in its Will, the NDEATH.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <mosquitto.h>

#include "alerts/alerts.h"
#include "api/api.h"
#include "auth/audit.h"
#include "capture/capture.h"
#include "core/hist.h"
#include "core/iiotd.h"
#include "core/log.h"
#include "model/model.h"
#include "model/sigfeed.h"
#include "north/edge.h"
#include "north/link.h"
#include "north/saf.h"
#include "north/session.h"
#include "north/spb.h"
#include "south/modbus.h"

#define LOOP_MS		50	/* mosquitto_loop's wait */
#define REPLAY_BATCH	256	/* queued messages sent before a look back */
#define REPLAY_TURN	16	/* batches at most a turn of the loop */
/* no session this long: ops.north.down (a refusal raises it at once) */
#define DOWN_ALERT_MS	10000
/* queued data of a device not born yet wait this long after the births
 * for its DBIRTH before they are dropped as stale */
#define REPLAY_GRACE_MS	10000
/*
 * The signals' change set (docs/north.md "Latency"): while online, the
 * signals that changed go out FEED_DELAY_MS after the first of them is
 * seen, or at once when FEED_BATCH wait, instead of at the next scan; the
 * loop looks every FEED_POLL_MS (libmosquitto's wait) meanwhile.  The
 * delay gathers a burst into one DDATA a device.
 */
#ifndef FEED_DELAY_MS		/* a build may set others, to compare */
#define FEED_DELAY_MS	5
#endif
#define FEED_BATCH	1024
#ifndef FEED_POLL_MS
#define FEED_POLL_MS	5
#endif

enum { N_DOWN, N_CONNECTING, N_WAITING, N_ONLINE };
static const char *const state_names[] = {
	"down", "connecting", "waiting", "online",
};

/*
 * The edge node's latency of live NDATA and DDATA, read from a sample's
 * time to the payload handed to libmosquitto: all (per metric), sample
 * (the metric's sample time to the scan that picks it, per metric), walk
 * (the scan's start to this payload packed: the model walk and the
 * payloads packed before it, per message) and send (packed to
 * mosquitto_publish returning, per message).
 */
enum { NLAT_ALL, NLAT_SAMPLE, NLAT_WALK, NLAT_SEND, NLAT_N };
static const char *const nlat_names[NLAT_N] = {
	"all", "sample", "walk", "send",
};

struct north {
	struct iiotd *d;
	struct north_conf nc;
	struct edge *edge;
	struct saf *saf;
	struct mosquitto *mosq;
	pthread_t th;
	int stop;			/* atomic */
	int state;			/* atomic for stats */
	struct north_link link;		/* the brokers, the back-off */
	char bdseq_path[PATH_MAX];
	int bdseq;			/* -1: none used yet */
	unsigned int seq;
	uint64_t next_scan;		/* CLOCK_MONOTONIC ms */
	struct sigfeed *feed;		/* NULL: the scan reports signals */
	bool feed_on;			/* feed set in the model */
	uint64_t feed_since;		/* a change waiting since, 0: none */
	int64_t host_ts;		/* newest STATE timestamp */
	bool live;			/* emit publishes (else queues) */
	bool rebirth;			/* a Rebirth command to answer */
	bool host_left;			/* STATE offline: end the session */
	bool next_server;		/* Node Control/Next Server */
	uint64_t down_ms;		/* not online since, CLOCK_MONOTONIC */
	bool alerted;			/* ops.north.down raised */
	uint64_t bad_log_ms;		/* last bad command logged */
	/* replay of the queue */
	uint64_t online_ms;		/* births sent, CLOCK_MONOTONIC */
	bool replay_wait;		/* a batch written, its end unconfirmed */
	int replay_mid;
	int written_mid;		/* the last on_publish */
	int64_t replay_id;
	double credit;
	uint64_t credit_ms;
	char t_ncmd[SPB_TOPIC_MAX], t_dcmd[SPB_TOPIC_MAX], t_state[SPB_TOPIC_MAX];
	struct north_counters ctr;	/* written here, read atomically */
	/* the latency of live data, by stage (docs/north.md) */
	uint64_t scan_wall;		/* the scan's start, wall ms */
	struct hist_lat lat[NLAT_N];
	/* a whole scan's time, walk and publishes: the change set waits */
	struct hist scan_time;
	uint64_t scan_us_max;		/* atomic for stats */
	/* device writes under way on the Modbus pollers (struct pending) */
	pthread_mutex_t cmd_mu;
	pthread_cond_t cmd_cv;		/* inflight fell */
	unsigned int inflight;		/* queued, not answered yet */
	struct pending *done;		/* answered, for this thread */
};

#define INC(n, f, by) __atomic_add_fetch(&(n)->ctr.f, (by), __ATOMIC_RELAXED)

static uint64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000 + (uint64_t)ts.tv_nsec;
}

static uint64_t wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void set_state(struct north *n, int st)
{
	__atomic_store_n(&n->state, st, __ATOMIC_RELAXED);
}

/* ---- bdSeq ------------------------------------------------------------ */

static int bdseq_load(const char *path)
{
	char buf[16];
	ssize_t r;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW), v;

	if (fd < 0)
		return -1;
	r = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (r <= 0)
		return -1;
	buf[r] = 0;
	if (sscanf(buf, "%d", &v) != 1 || v < 0 || v > 255)
		return -1;
	return v;
}

static void bdseq_save(struct north *n)
{
	char tmp[PATH_MAX + 8], buf[16];
	int fd, len = snprintf(buf, sizeof(buf), "%d\n", n->bdseq);

	snprintf(tmp, sizeof(tmp), "%s.tmp", n->bdseq_path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW,
		  0600);
	if (fd < 0 || write(fd, buf, (size_t)len) != len || fsync(fd) ||
	    close(fd) || rename(tmp, n->bdseq_path)) {
		log_warn("north: %s", n->bdseq_path);
		if (fd >= 0)
			close(fd);
	}
}

static void lost(struct north *n);
static void leave(struct north *n);

/* ---- publishing ---------------------------------------------------------- */

static const char *msg_type(unsigned int msg)
{
	return edge_msg_name(msg);
}

static void publish(struct north *n, const char *topic, const void *buf,
		    size_t len, int qos, int *mid)
{
	int rc = mosquitto_publish(n->mosq, mid, topic, (int)len, buf, qos,
				   false);

	if (rc == MOSQ_ERR_SUCCESS) {
		INC(n, published, 1);
		INC(n, published_bytes, len);
		return;
	}
	INC(n, publish_errors, 1);
	log_debug("north: publish %s: %s", topic, mosquitto_strerror(rc));
}

static void latency(struct north *n, const struct spb_buf *b)
{
	uint64_t sent = wall_ms();
	size_t i;

	hist_lat_add(&n->lat[NLAT_WALK], n->scan_wall, b->p.timestamp);
	hist_lat_add(&n->lat[NLAT_SEND], b->p.timestamp, sent);
	for (i = 0; i < b->n; i++) {
		hist_lat_add(&n->lat[NLAT_ALL], b->m[i].timestamp, sent);
		hist_lat_add(&n->lat[NLAT_SAMPLE], b->m[i].timestamp,
			     n->scan_wall);
	}
}

static void on_emit(void *arg, unsigned int msg, const char *device,
		    struct spb_buf *b)
{
	struct north *n = arg;
	char topic[SPB_TOPIC_MAX];
	uint8_t *buf;
	size_t len;
	int r;

	/* the specification: the payload's timestamp is when it was made
	 * (the metrics keep their samples' times), not the scan's start */
	b->p.timestamp = wall_ms();
	if (!n->live) {
		/* the queue keeps data only: births are made afresh */
		if (msg != EDGE_NDATA && msg != EDGE_DDATA)
			return;
		len = spb_pack(b, false, 0, &buf);
		r = buf ? saf_put(n->saf, device ? device : "", b->p.timestamp,
				  buf, len) : -1;
		free(buf);
		if (r > 0)
			INC(n, stored, 1);
		else if (r < 0)
			INC(n, queue_errors, 1);
		if (r >= 0 && saf_dropped(n->saf) > n->ctr.queue_dropped)
			__atomic_store_n(&n->ctr.queue_dropped,
					 saf_dropped(n->saf), __ATOMIC_RELAXED);
		return;
	}
	if (msg == EDGE_NBIRTH)
		n->seq = 0;
	len = spb_pack(b, true, n->seq, &buf);
	n->seq = (n->seq + 1) & 0xff;
	if (!buf ||
	    spb_topic(topic, sizeof(topic), n->nc.group, msg_type(msg),
		      n->nc.edge, device)) {
		free(buf);
		INC(n, publish_errors, 1);
		return;
	}
	publish(n, topic, buf, len, 0, NULL);
	if (msg == EDGE_NDATA || msg == EDGE_DDATA)
		latency(n, b);
	if (msg == EDGE_NBIRTH)
		INC(n, births, 1);
	free(buf);
}

static void feed(struct north *n, uint64_t now);

/* during a scan's walk: the change set's turn, when one is due */
static void between(void *arg)
{
	struct north *n = arg;
	uint64_t scan_wall = n->scan_wall;

	feed(n, mono_ms());
	n->scan_wall = scan_wall;
}

static void scan(struct north *n, bool births)
{
	struct edge_emit out = { on_emit, n, between };
	struct capsnap *snap = n->d->capture ?
			       capture_snapshot(n->d->capture) : NULL;
	struct edge_node_info info = { 0, 0 };
	uint64_t now = wall_ms();

	n->scan_wall = now;
	if (snap)
		info.frames = snap->ctr.frames;
	if (n->d->alerts)
		info.active_alerts = alerts_open_count(n->d->alerts);
	/* the state changes on this thread only (the callbacks) */
	n->live = __atomic_load_n(&n->state, __ATOMIC_RELAXED) == N_ONLINE;
	if (n->live && !births) {
		edge_scan(n->edge, snap ? snap->model : NULL, &info, now, &out);
		capsnap_put(snap);
		return;
	}
	edge_update(n->edge, snap ? snap->model : NULL, &info, now);
	capsnap_put(snap);
	if (births && n->live) {
		edge_births(n->edge, (uint64_t)n->bdseq, now, &out);
		return;
	}
	if (!n->live && saf_begin(n->saf))
		INC(n, queue_errors, 1);
	edge_report(n->edge, n->live, now, &out);
	if (!n->live && saf_commit(n->saf))
		INC(n, queue_errors, 1);
}

static void report(struct north *n, bool births)
{
	uint64_t t0 = mono_ns(), ns;

	scan(n, births);
	ns = mono_ns() - t0;
	hist_add(&n->scan_time, ns);
	if (ns / 1000 > n->scan_us_max)
		__atomic_store_n(&n->scan_us_max, ns / 1000, __ATOMIC_RELAXED);
}

/* Between scans, online: the signals' changes, once due. */
static void feed(struct north *n, uint64_t now)
{
	struct edge_emit out = { on_emit, n };
	size_t k;

	if (!n->feed || !(k = sigfeed_pending(n->feed)))
		return;
	if (!n->feed_since)
		n->feed_since = now;
	if (k < FEED_BATCH && now - n->feed_since < FEED_DELAY_MS)
		return;
	n->feed_since = 0;
	n->live = true;
	n->scan_wall = wall_ms();
	edge_feed(n->edge, n->feed, n->scan_wall, &out);
}

/* On the capture thread: the model marks changes in n->feed, or stops. */
static void feed_set(void *arg)
{
	struct north *n = arg;

	model_set_feed(n->d->model, n->feed_on ? n->feed : NULL);
}

/* ---- the outage alert ---------------------------------------------------- */

static void alert_down(struct north *n, const char *why)
{
	char detail[ALERT_DETAIL_MAX];
	struct alert_ev ev;

	if (n->alerted || !n->d->alerts)
		return;
	snprintf(detail, sizeof(detail), "%s; %llu messages queued", why,
		 (unsigned long long)saf_depth(n->saf));
	memset(&ev, 0, sizeof(ev));
	ev.rule = ALERT_R_OPS_NORTH_DOWN;
	ev.ts_ns = wall_ms() * 1000000ULL;
	ev.label = n->nc.edge;
	ev.detail = detail;
	alerts_raise(n->d->alerts, &ev);
	n->alerted = true;
}

/* every turn: raise when the outage has lasted */
static void watch_down(struct north *n)
{
	int st = __atomic_load_n(&n->state, __ATOMIC_RELAXED);
	char why[sizeof(n->link.last_err) + sizeof(n->nc.link.brokers[0].url) +
		 NORTH_ID_MAX + 32];

	if (st == N_ONLINE || n->alerted ||
	    mono_ms() - n->down_ms < DOWN_ALERT_MS)
		return;
	if (st == N_WAITING)
		snprintf(why, sizeof(why), "%s: primary host %s is not online",
			 north_link_broker(&n->link)->url, n->nc.host_id);
	else
		snprintf(why, sizeof(why), "%s", n->link.last_err[0] ?
			 n->link.last_err :
			 "no broker answers");
	alert_down(n, why);
}

static void go_online(struct north *n)
{
	set_state(n, N_ONLINE);
	if (n->alerted && n->d->alerts)
		alerts_clear(n->d->alerts, ALERT_R_OPS_NORTH_DOWN, 0, 0, 0);
	n->alerted = false;
	/* the back-off ends with a session the host took, not with any
	 * CONNACK: walking brokers whose host is away slows down too */
	north_link_ok(&n->link);
	n->online_ms = mono_ms();
	n->replay_wait = false;
	n->credit = 0;
	n->credit_ms = mono_ms();
	log_info("north: %s: births as edge node %s/%s (bdSeq %d)",
		 north_link_broker(&n->link)->url, n->nc.group, n->nc.edge,
		 n->bdseq);
	report(n, true);
}

/* ---- store-and-forward replay ------------------------------------------ */

struct replay {
	struct north *n;
	long left;
	int64_t last_id;
	int last_mid;
	bool sent;
};

static int replay_one(void *arg, int64_t id, const char *device,
		      const void *buf, size_t len)
{
	struct replay *r = arg;
	struct north *n = r->n;
	char topic[SPB_TOPIC_MAX];
	uint8_t *out;
	int mid = 0;

	if (device[0] && !edge_device_born(n->edge, device)) {
		/* iiotd restarted: the inventory fills in the first seconds */
		if (mono_ms() - n->online_ms < REPLAY_GRACE_MS)
			return 1;
		/* its DDATA would come after no DBIRTH */
		INC(n, replay_stale, 1);
		r->last_id = id;
		return 0;
	}
	r->last_id = id;
	if (spb_topic(topic, sizeof(topic), n->nc.group, device[0] ?
		      "DDATA" : "NDATA", n->nc.edge, device[0] ? device : NULL))
		return 0;
	out = malloc(len + 3);
	if (!out)
		return 1;
	len = spb_with_seq(out, buf, len, n->seq);
	n->seq = (n->seq + 1) & 0xff;
	publish(n, topic, out, len, 0, &mid);
	free(out);
	INC(n, replayed, 1);
	r->last_mid = mid;
	r->sent = true;
	return 0;
}

/* a batch of the queue; the rows go when libmosquitto has written the
 * batch's last message (on_publish).  0: another may follow now */
static int replay_batch(struct north *n)
{
	struct replay r = { n, 0, 0, 0, false };
	long got;

	if (n->replay_wait || !saf_depth(n->saf) || n->credit < 1)
		return -1;
	r.left = (long)n->credit < REPLAY_BATCH ? (long)n->credit :
		 REPLAY_BATCH;
	got = saf_peek(n->saf, 0, (size_t)r.left, replay_one, &r);
	if (got < 0) {
		INC(n, queue_errors, 1);
		return -1;
	}
	n->credit -= (double)got;
	if (!got)
		return -1;
	if (r.sent && n->written_mid != r.last_mid) {
		n->replay_wait = true;
		n->replay_mid = r.last_mid;
		n->replay_id = r.last_id;
		return -1;
	}
	if (r.last_id && saf_done(n->saf, r.last_id)) {
		INC(n, queue_errors, 1);
		return -1;
	}
	if (!saf_depth(n->saf)) {
		log_info("north: the queue is replayed");
		return -1;
	}
	/* stopped early: a device waits for its birth */
	return r.last_id ? 0 : -1;
}

/* the queue paced at [north] replay_rate: batches while the socket takes
 * them at once, a few per turn of the loop */
static void replay(struct north *n)
{
	uint64_t now = mono_ms();
	int i;

	n->credit += (double)(now - n->credit_ms) * (double)n->nc.replay_rate /
		     1000.0;
	n->credit_ms = now;
	if (n->credit > (double)n->nc.replay_rate)
		n->credit = (double)n->nc.replay_rate;
	for (i = 0; i < REPLAY_TURN && !replay_batch(n); i++)
		;
}

static void on_publish(struct mosquitto *m, void *arg, int mid)
{
	struct north *n = north_link_arg(arg);

	(void)m;
	/* QoS 0 on this thread: often called inside mosquitto_publish */
	n->written_mid = mid;
	if (!n->replay_wait || mid != n->replay_mid)
		return;
	n->replay_wait = false;
	if (saf_done(n->saf, n->replay_id))
		INC(n, queue_errors, 1);
	else if (!saf_depth(n->saf))
		log_info("north: the queue is replayed");
}

/* ---- commands ---------------------------------------------------------- */

/* the Sparkplug host as an audit row's user, and a rate limit's key */
static void host_who(const struct north *n, char *who, size_t len)
{
	snprintf(who, len, "sparkplug:%s", n->nc.host_id[0] ? n->nc.host_id :
		 "host");
}

struct cmd_result {
	const char *result;		/* AUDIT_OK, AUDIT_DENIED, AUDIT_FAIL */
	char why[256];
	double value;
	bool has_value;
	json_t *sent;			/* what went to the device */
	bool has_readback;
	double readback;
};

/* one audit row per command metric, allowed or not */
static void audit_cmd(struct north *n, const char *topic, const char *target,
		      const struct cmd_result *res)
{
	char err[256], who[NORTH_ID_MAX + 16], *det;
	struct audit *a = audit_open_dir(n->d->state_dir, err, sizeof(err));
	json_t *j = json_pack("{s:s, s:s}", "topic", topic,
			      !strcmp(res->result, AUDIT_OK) ? "result" : "reason",
			      res->why);

	if (j && res->has_value)
		json_object_set_new(j, "value", json_real(res->value));
	if (j && res->sent)
		json_object_set(j, "sent", res->sent);
	if (j && res->has_readback)
		json_object_set_new(j, "read_back", json_real(res->readback));
	det = j ? json_dumps(j, JSON_COMPACT) : NULL;
	json_decref(j);
	host_who(n, who, sizeof(who));
	if (!a || audit_append(a, who, north_link_broker(&n->link)->url,
			       "north.command", target, res->result, det))
		log_warnx("north: AUDIT WRITE FAILED: command %s %s: %s",
			  target, res->result, a ? "append" : err);
	free(det);
	audit_close(a);
}

struct cmd_ctx {
	struct north *n;
	const char *topic;
	const char *device;		/* topic level; NULL for NCMD */
};

static int refuse(struct cmd_result *res, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static int refuse(struct cmd_result *res, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(res->why, sizeof(res->why), fmt, ap);
	va_end(ap);
	res->result = AUDIT_FAIL;
	return -1;
}

/* the node's own controls: the session, not a device */
static int node_control(struct north *n, const struct spb_cmd *c,
			const struct edge_target *t, struct cmd_result *res)
{
	if (!strcmp(t->metric, SPB_NEXT_SERVER)) {
		if (!c->is_bool || !c->bval)
			return refuse(res, "%s takes true", SPB_NEXT_SERVER);
		n->next_server = true;	/* run() ends the session */
		snprintf(res->why, sizeof(res->why), "moving to the next "
			 "broker of the list");
		return 0;
	}
	if (!strcmp(t->metric, SPB_SCAN_RATE)) {
		if (!c->has_num || !(c->num >= NORTH_SCAN_MIN_MS) ||
		    c->num > NORTH_SCAN_MAX_MS)
			return refuse(res, "%s takes milliseconds, %d to %d",
				      SPB_SCAN_RATE, NORTH_SCAN_MIN_MS,
				      NORTH_SCAN_MAX_MS);
		n->nc.scan_ms = (uint64_t)c->num;
		n->next_scan = 0;	/* the new rate goes out in NDATA */
		res->value = c->num;
		res->has_value = true;
		snprintf(res->why, sizeof(res->why), "scan every %llu ms",
			 (unsigned long long)n->nc.scan_ms);
		return 0;
	}
	return refuse(res, "%s is not writable", t->metric);
}

/*
 * A device write handed to its Modbus poller: the command's audit row,
 * counters and DDATA wait for its answer, which the poller's thread puts
 * on n->done for the session's thread (cmd_finish).
 */
struct pending {
	struct north *n;
	struct pending *next;
	char topic[SPB_TOPIC_MAX];
	char target[SPB_NAME_MAX + 32];
	char device[SPB_TOPIC_MAX];	/* a topic level; "" the node */
	char metric[SPB_NAME_MAX];
	struct cmd_result res;
};

/* on the device's poller thread: the answer, for the session's thread */
static void write_done(void *arg, int result, double readback,
		       const char *why)
{
	struct pending *p = arg;
	struct north *n = p->n;

	snprintf(p->res.why, sizeof(p->res.why), "%s", why);
	if (result == MODBUS_W_OK) {
		p->res.result = AUDIT_OK;
		p->res.has_readback = true;
		p->res.readback = readback;
	} else {
		p->res.result = AUDIT_FAIL;
	}
	pthread_mutex_lock(&n->cmd_mu);
	p->next = n->done;
	n->done = p;
	n->inflight--;
	pthread_cond_broadcast(&n->cmd_cv);
	pthread_mutex_unlock(&n->cmd_mu);
}

/*
 * A write of a device's metric, through the control gate: the metric is
 * a writable point, remote commands are on, the device is in
 * maintenance, within the rate limits; then the Modbus write with its
 * read-back, queued to the device's poller: a device slow to answer, or
 * not answering until its timeout, never holds this thread, which keeps
 * publishing.  1 queued (p is the poller's until write_done), 0 done, -1
 * refused or failed.
 */
static int device_write(struct north *n, struct pending *p,
			const struct spb_cmd *c, const struct edge_target *t)
{
	const char *sig = t->metric + strlen(EDGE_SIGNALS);
	struct cmd_result *res = &p->res;
	char mdev[64], point[64], who[NORTH_ID_MAX + 16];
	struct capsnap *snap;
	int rc;

	if (!t->writable || strncmp(t->metric, EDGE_SIGNALS,
				    strlen(EDGE_SIGNALS)) ||
	    modbus_signal_point(sig, mdev, sizeof(mdev), point,
				sizeof(point)) != 1)
		return refuse(res, "%s is not writable", t->metric);
	if (!n->nc.remote_commands)
		return refuse(res, "remote commands are off ([north] "
			      "remote_commands = no)");
	if (!c->has_num || !isfinite(c->num))
		return refuse(res, "the value is not a number or a boolean");
	res->value = c->num;
	res->has_value = true;
	snap = n->d->capture ? capture_snapshot(n->d->capture) : NULL;
	rc = control_lifecycle(snap ? snap->model : NULL, t->dev_id,
			       "a Sparkplug write", 1u << MODEL_LC_MAINTENANCE,
			       res->why, sizeof(res->why));
	capsnap_put(snap);
	if (rc) {
		res->result = AUDIT_DENIED;	/* the gate, as the API's */
		return -1;
	}
	host_who(n, who, sizeof(who));
	if (control_rate_check(who, t->dev_id, (unsigned int)n->nc.per_device,
			       (unsigned int)n->nc.per_host, res->why,
			       sizeof(res->why))) {
		res->result = AUDIT_DENIED;
		return -1;
	}
	/* counted before the poller may answer */
	pthread_mutex_lock(&n->cmd_mu);
	n->inflight++;
	pthread_mutex_unlock(&n->cmd_mu);
	rc = modbus_write_async(mdev, point, c->num, write_done, p, &res->sent,
				res->why, sizeof(res->why));
	if (rc == MODBUS_W_QUEUED) {
		INC(n, commands_queued, 1);
		return 1;
	}
	pthread_mutex_lock(&n->cmd_mu);
	n->inflight--;
	pthread_mutex_unlock(&n->cmd_mu);
	/* not done: a bad value or iiotd stopping (the API's 400, 503),
	 * or tried on the wire; the detail says which */
	res->result = AUDIT_FAIL;
	return -1;
}

/* a command metric's end: counted, logged, audited; p freed */
static void cmd_finish(struct north *n, struct pending *p, int rc)
{
	if (!rc) {
		p->res.result = AUDIT_OK;
		INC(n, commands_done, 1);
		log_info("north: %s: %s: %s", p->topic, p->metric, p->res.why);
	} else {
		INC(n, commands_refused, 1);
		log_info("north: %s: %s %s: %s", p->topic, p->target,
			 p->res.result, p->res.why);
	}
	audit_cmd(n, p->topic, p->target, &p->res);
	json_decref(p->res.sent);
	free(p);
}

/*
 * The answers of device writes, on the session's thread: the value read
 * back goes out in DDATA at once (with_edge; not once the thread ended).
 */
static void cmds_answered(struct north *n, bool with_edge)
{
	struct pending *p, *rev = NULL, *next;

	pthread_mutex_lock(&n->cmd_mu);
	p = n->done;
	n->done = NULL;
	pthread_mutex_unlock(&n->cmd_mu);
	for (; p; p = next) {		/* oldest first */
		next = p->next;
		p->next = rev;
		rev = p;
	}
	for (p = rev; p; p = next) {
		next = p->next;
		if (with_edge && p->res.has_readback &&
		    !edge_written(n->edge, p->device, p->metric,
				  p->res.readback, wall_ms()))
			n->next_scan = 0;
		cmd_finish(n, p, p->res.result[0] == 'o' ? 0 : -1);
	}
}

static int on_cmd_metric(void *arg, const struct spb_cmd *c)
{
	struct cmd_ctx *x = arg;
	struct north *n = x->n;
	struct pending *p;
	struct edge_target t;
	int rc;

	if (!x->device && !strcmp(c->name, SPB_REBIRTH)) {
		if (c->is_bool && c->bval)
			n->rebirth = true;	/* not audited: no effect */
		return 0;
	}
	p = calloc(1, sizeof(*p));
	if (!p) {
		log_warnx("north: %s: out of memory", x->topic);
		return 0;
	}
	p->n = n;
	snprintf(p->topic, sizeof(p->topic), "%s", x->topic);
	if (c->name[0])
		snprintf(p->target, sizeof(p->target), "metric %s", c->name);
	else
		snprintf(p->target, sizeof(p->target), "alias %llu",
			 (unsigned long long)c->alias);
	if (edge_find(n->edge, x->device, c, &t)) {
		rc = refuse(&p->res, "no such metric born%s%s", x->device ?
			    " on " : "", x->device ? x->device : "");
	} else {
		snprintf(p->target, sizeof(p->target), "%s%s%s", x->device ?
			 x->device : "", x->device ? " " : "", t.metric);
		snprintf(p->metric, sizeof(p->metric), "%s", t.metric);
		snprintf(p->device, sizeof(p->device), "%s", x->device ?
			 x->device : "");
		if (!x->device && !strcmp(t.metric, SPB_REBIRTH)) {
			if (c->is_bool && c->bval)
				n->rebirth = true;	/* not audited */
			free(p);
			return 0;
		}
		rc = x->device ? device_write(n, p, c, &t) :
		     node_control(n, c, &t, &p->res);
	}
	if (rc <= 0)
		cmd_finish(n, p, rc);
	return 0;
}

static void on_command(struct north *n, const struct mosquitto_message *msg,
		       bool node)
{
	struct cmd_ctx x = { n, msg->topic, NULL };
	char why[160];
	uint64_t now;

	if (!node)
		x.device = msg->topic + strlen(n->t_dcmd) - 1;	/* the '+' */
	INC(n, commands, 1);
	if (!spb_cmd_parse(msg->payload, (size_t)msg->payloadlen,
			   on_cmd_metric, &x, why, sizeof(why)))
		return;
	INC(n, commands_bad, 1);
	now = mono_ms();
	/* one line, and at most one a second under a flood */
	if (now - n->bad_log_ms >= 1000 || !n->bad_log_ms) {
		log_warnx("north: %s: ignored: %s (%llu bad so far)",
			  msg->topic, why, (unsigned long long)
			  __atomic_load_n(&n->ctr.commands_bad,
					  __ATOMIC_RELAXED));
		n->bad_log_ms = now;
	}
}

/* spBv1.0/STATE/<host>: {"online": true|false, "timestamp": ms} */
static void on_host_state(struct north *n, const struct mosquitto_message *m)
{
	json_error_t jerr;
	json_t *j = json_loadb(m->payload, (size_t)m->payloadlen, 0, &jerr);
	json_t *on = json_object_get(j, "online");
	json_t *ts = json_object_get(j, "timestamp");
	int st = __atomic_load_n(&n->state, __ATOMIC_RELAXED);

	if (!json_is_boolean(on) || !json_is_integer(ts)) {
		log_warnx("north: %s: not a Sparkplug STATE message", m->topic);
		json_decref(j);
		return;
	}
	/* an older STATE than one seen is stale (specification 3.0) */
	if (json_integer_value(ts) < n->host_ts) {
		json_decref(j);
		return;
	}
	n->host_ts = json_integer_value(ts);
	if (json_is_true(on)) {
		if (st == N_WAITING)
			go_online(n);
	} else {
		INC(n, host_offline, 1);
		log_info("north: primary host %s is offline", n->nc.host_id);
		/* the host lost this server: another one may have it */
		if (st == N_ONLINE || n->nc.link.nbrokers > 1)
			n->host_left = true;	/* run() ends the session */
	}
	json_decref(j);
}

static void on_message(struct mosquitto *m, void *arg,
		       const struct mosquitto_message *msg)
{
	struct north *n = north_link_arg(arg);
	size_t dl = strlen(n->t_dcmd) - 1;	/* without the '+' */

	(void)m;
	if (n->nc.host_id[0] && !strcmp(msg->topic, n->t_state))
		on_host_state(n, msg);
	else if (!strcmp(msg->topic, n->t_ncmd))
		on_command(n, msg, true);
	else if (!strncmp(msg->topic, n->t_dcmd, dl))
		on_command(n, msg, false);
}

/* ---- connection ------------------------------------------------------- */

static void on_connect(struct mosquitto *m, void *arg, int rc)
{
	struct north *n = north_link_arg(arg);

	(void)m;
	if (rc) {
		INC(n, connect_errors, 1);
		north_link_refused(&n->link, rc);
		/* refused credentials do not mend by waiting: say so now */
		alert_down(n, n->link.last_err);
		mosquitto_disconnect(n->mosq);
		lost(n);
		return;
	}
	INC(n, connects, 1);
	north_link_up(&n->link);
	n->host_ts = 0;
	log_info("north: connected to %s (bdSeq %d)",
		 north_link_broker(&n->link)->url, n->bdseq);
	mosquitto_subscribe(n->mosq, NULL, n->t_ncmd, 1);
	mosquitto_subscribe(n->mosq, NULL, n->t_dcmd, 1);
	if (n->nc.host_id[0]) {
		set_state(n, N_WAITING);
		mosquitto_subscribe(n->mosq, NULL, n->t_state, 1);
		return;
	}
	go_online(n);
}

static void lost(struct north *n)
{
	int st = __atomic_load_n(&n->state, __ATOMIC_RELAXED);

	if (st == N_ONLINE)
		n->down_ms = mono_ms();
	if (st == N_ONLINE || st == N_WAITING) {
		INC(n, disconnects, 1);
		log_warnx("north: disconnected from %s; data go to the queue",
			  north_link_broker(&n->link)->url);
	}
	set_state(n, N_DOWN);
	edge_lost(n->edge);
	n->replay_wait = false;
	n->rebirth = false;
	n->host_left = false;
	n->next_server = false;
	/* fail over: the next broker of the list */
	north_link_lost(&n->link);
}

static int ndeath(struct north *n, uint8_t **buf, size_t *len)
{
	struct spb_buf b;
	struct spb_value v;
	uint64_t now = wall_ms();

	memset(&v, 0, sizeof(v));
	v.type = SPB_INT64;
	v.u = (uint64_t)n->bdseq;
	spb_init(&b, now);
	spb_add(&b, "bdSeq", false, 0, now, &v, false);
	*len = spb_pack(&b, false, 0, buf);
	spb_free(&b);
	return *buf ? 0 : -1;
}

static struct mosquitto *client(struct north *n)
{
	struct mosquitto *m = north_link_client(&n->link);

	if (!m)
		return NULL;
	mosquitto_connect_callback_set(m, on_connect);
	mosquitto_message_callback_set(m, on_message);
	mosquitto_publish_callback_set(m, on_publish);
	return m;
}

static void try_connect(struct north *n)
{
	char topic[SPB_TOPIC_MAX];
	uint8_t *will = NULL;
	size_t len = 0;
	int rc, prev;

	if (n->mosq)
		mosquitto_destroy(n->mosq);
	n->mosq = client(n);
	if (!n->mosq) {
		INC(n, connect_errors, 1);
		set_state(n, N_CONNECTING);
		lost(n);
		return;
	}
	/* each CONNECT packet the next bdSeq, in its Will; an attempt that
	 * sends none (no TCP connection) leaves it as it was */
	prev = n->bdseq;
	n->bdseq = (n->bdseq + 1) & 0xff;
	if (ndeath(n, &will, &len) ||
	    spb_topic(topic, sizeof(topic), n->nc.group, "NDEATH", n->nc.edge,
		      NULL) ||
	    mosquitto_will_set(n->mosq, topic, (int)len, will, 1, false)) {
		free(will);
		n->bdseq = prev;
		INC(n, connect_errors, 1);
		lost(n);
		return;
	}
	free(will);
	set_state(n, N_CONNECTING);
	rc = north_link_connect(&n->link, n->mosq);
	if (!rc)
		bdseq_save(n);
	else
		n->bdseq = prev;
	if (rc) {
		INC(n, connect_errors, 1);
		lost(n);
	}
}

/* a clean end: NDEATH (a DISCONNECT withholds the Will), then go */
static void leave(struct north *n)
{
	char topic[SPB_TOPIC_MAX];
	uint8_t *buf = NULL;
	size_t len;
	int st = __atomic_load_n(&n->state, __ATOMIC_RELAXED);

	if (!n->mosq || st == N_DOWN)
		return;
	if (st != N_CONNECTING && !ndeath(n, &buf, &len) &&
	    !spb_topic(topic, sizeof(topic), n->nc.group, "NDEATH",
		       n->nc.edge, NULL))
		mosquitto_publish(n->mosq, NULL, topic, (int)len, buf, 1, false);
	free(buf);
	north_link_close(n->mosq);	/* the NDEATH out before the DISCONNECT */
}

static void *run(void *arg)
{
	struct north *n = arg;
	struct timespec nap = { 0, LOOP_MS * 1000000L };
	uint64_t now;
	int rc, st;

	while (!__atomic_load_n(&n->stop, __ATOMIC_ACQUIRE)) {
		now = mono_ms();
		st = __atomic_load_n(&n->state, __ATOMIC_RELAXED);
		if (st == N_DOWN && north_link_due(&n->link))
			try_connect(n);
		st = __atomic_load_n(&n->state, __ATOMIC_RELAXED);
		if (st != N_DOWN) {
			rc = mosquitto_loop(n->mosq, n->feed && st == N_ONLINE ?
					    FEED_POLL_MS : LOOP_MS, 1);
			/* a callback may have ended the session already */
			if (rc != MOSQ_ERR_SUCCESS &&
			    __atomic_load_n(&n->state, __ATOMIC_RELAXED) !=
			    N_DOWN) {
				/* a TLS handshake refused ends here too */
				if (st == N_CONNECTING) {
					north_link_closed(&n->link, rc);
					INC(n, connect_errors, 1);
				}
				lost(n);
			}
		} else {
			nanosleep(&nap, NULL);
		}
		/* not from inside a callback: leave() runs the loop itself */
		if (n->host_left || n->next_server) {
			if (n->next_server)
				log_info("north: the host asked for the next "
					 "server");
			n->host_left = n->next_server = false;
			leave(n);
			lost(n);
		}
		st = __atomic_load_n(&n->state, __ATOMIC_RELAXED);
		if (n->rebirth && st == N_ONLINE) {
			n->rebirth = false;
			INC(n, rebirths, 1);
			log_info("north: rebirth asked by the host");
			report(n, true);
		}
		cmds_answered(n, true);
		now = mono_ms();
		if (now >= n->next_scan) {
			n->next_scan = now + n->nc.scan_ms;
			report(n, false);
		} else if (st == N_ONLINE) {
			feed(n, now);
		}
		if (st == N_ONLINE)
			replay(n);
		watch_down(n);
	}
	leave(n);
	return NULL;
}

/* a signal is writable when it is a Modbus holding register or coil */
static int writable_signal(const char *signal)
{
	char dev[64], point[64];

	return modbus_signal_point(signal, dev, sizeof(dev), point,
				   sizeof(point)) == 1;
}

struct north *north_start(struct iiotd *d, const struct north_conf *nc,
			  char *err, size_t errlen)
{
	struct north *n = calloc(1, sizeof(*n));
	char path[PATH_MAX];

	if (!n) {
		snprintf(err, errlen, "north: out of memory");
		return NULL;
	}
	n->d = d;
	n->nc = *nc;
	north_link_init(&n->link, "north", &n->nc.link, n);
	if (snprintf(n->bdseq_path, sizeof(n->bdseq_path), "%s/north.bdseq",
		     d->state_dir) >= (int)sizeof(n->bdseq_path) ||
	    snprintf(path, sizeof(path), "%s/north.db", d->state_dir) >=
	    (int)sizeof(path)) {
		snprintf(err, errlen, "north: the state directory's path is "
			 "too long");
		free(n);
		return NULL;
	}
	n->bdseq = bdseq_load(n->bdseq_path);	/* the next is this + 1 */
	n->edge = edge_new(&n->nc);
	if (n->edge)
		edge_set_writable(n->edge, writable_signal);
	n->saf = n->edge ? saf_open(path, nc->queue_max, nc->drop_oldest,
				    err, errlen) : NULL;
	if (!n->saf) {
		edge_free(n->edge);
		free(n);
		return NULL;
	}
	spb_topic(n->t_ncmd, sizeof(n->t_ncmd), nc->group, "NCMD", nc->edge,
		  NULL);
	spb_topic(n->t_dcmd, sizeof(n->t_dcmd), nc->group, "DCMD", nc->edge,
		  "+");
	snprintf(n->t_state, sizeof(n->t_state), SPB_NAMESPACE "/STATE/%s",
		 nc->host_id);
	n->next_scan = mono_ms() + nc->scan_ms;
	n->down_ms = mono_ms();
	pthread_mutex_init(&n->cmd_mu, NULL);
	pthread_cond_init(&n->cmd_cv, NULL);
	/* without it (no memory, no capture) the scan reports the signals */
	if (d->capture && d->model)
		n->feed = sigfeed_new();
	if (pthread_create(&n->th, NULL, run, n)) {
		snprintf(err, errlen, "north: cannot start its thread");
		sigfeed_free(n->feed);
		pthread_cond_destroy(&n->cmd_cv);
		pthread_mutex_destroy(&n->cmd_mu);
		saf_close(n->saf);
		edge_free(n->edge);
		free(n);
		return NULL;
	}
	pthread_setname_np(n->th, "iiotd-north");
	if (n->feed) {
		n->feed_on = true;
		capture_call(d->capture, feed_set, n);
	}
	log_info("north: edge node %s/%s, %zu broker%s, queue %s/north.db "
		 "(%llu messages now)", nc->group, nc->edge, nc->link.nbrokers,
		 nc->link.nbrokers == 1 ? "" : "s", d->state_dir,
		 (unsigned long long)saf_depth(n->saf));
	return n;
}

void north_stop(struct north *n)
{
	if (!n)
		return;
	__atomic_store_n(&n->stop, 1, __ATOMIC_RELEASE);
	pthread_join(n->th, NULL);
	if (n->feed_on) {
		n->feed_on = false;
		capture_call(n->d->capture, feed_set, n);
	}
	sigfeed_free(n->feed);
	/*
	 * Writes still on a poller are answered within the device's timeout
	 * (the Modbus subsystem stops after this one): each gets its audit
	 * row, and nothing is left pointing at n.
	 */
	pthread_mutex_lock(&n->cmd_mu);
	if (n->inflight)
		log_info("north: waiting for %u device write%s", n->inflight,
			 n->inflight == 1 ? "" : "s");
	while (n->inflight)
		pthread_cond_wait(&n->cmd_cv, &n->cmd_mu);
	pthread_mutex_unlock(&n->cmd_mu);
	cmds_answered(n, false);
	pthread_cond_destroy(&n->cmd_cv);
	pthread_mutex_destroy(&n->cmd_mu);
	if (n->mosq)
		mosquitto_destroy(n->mosq);
	saf_close(n->saf);
	edge_free(n->edge);
	memset(n->nc.link.password, 0, sizeof(n->nc.link.password));
	free(n);
}

json_t *north_stats(struct north *n)
{
	json_t *o = json_object(), *stages;
	int st = __atomic_load_n(&n->state, __ATOMIC_RELAXED);
	size_t i;

	if (!o)
		return NULL;
#define NORTH_X_JSON(f, dsc) json_object_set_new(o, #f, json_integer( \
	(json_int_t)__atomic_load_n(&n->ctr.f, __ATOMIC_RELAXED)));
	NORTH_COUNTERS(NORTH_X_JSON)
#undef NORTH_X_JSON
	json_object_set_new(o, "session", json_string(state_names[st]));
	pthread_mutex_lock(&n->cmd_mu);
	json_object_set_new(o, "commands_pending", json_integer(n->inflight));
	pthread_mutex_unlock(&n->cmd_mu);
	json_object_set_new(o, "up", json_integer(st == N_ONLINE));
	json_object_set_new(o, "broker", json_string(
		n->nc.link.brokers[__atomic_load_n(&n->link.broker,
					      __ATOMIC_RELAXED)].url));
	json_object_set_new(o, "bdseq_last", json_integer(
		__atomic_load_n(&n->bdseq, __ATOMIC_RELAXED)));
	json_object_set_new(o, "queue_depth", json_integer((json_int_t)
		saf_depth(n->saf)));
	json_object_set_new(o, "queue_capacity", json_integer((json_int_t)
		n->nc.queue_max));
	json_object_set_new(o, "latency", hist_lat_json(&n->lat[NLAT_ALL]));
	stages = json_object();
	for (i = NLAT_SAMPLE; i < NLAT_N; i++)
		json_object_set_new(stages, nlat_names[i],
				    hist_lat_json(&n->lat[i]));
	json_object_set_new(o, "latency_stages", stages);
	json_object_set_new(o, "scan", hist_json(&n->scan_time));
	json_object_set_new(o, "scan_us_max", json_integer((json_int_t)
		__atomic_load_n(&n->scan_us_max, __ATOMIC_RELAXED)));
	return o;
}
