/* Control socket: accept, check the peer, answer one request. */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pthread.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/listener.h>
#include <jansson.h>

#include "api/jobs.h"
#include "capture/capture.h"
#include "core/ctlcmds.h"
#include "core/ctlproto.h"
#include "core/ctlsock.h"
#include "core/iiotd.h"
#include "core/log.h"
#include "core/pimutex.h"
#include "decode/decode.h"
#include "iiot/ring_abi.h"
#include "store/readpool.h"

#define CTL_MAX_CONNS		64
#define CTL_MONITOR_BACKLOG	(1U << 20)	/* bytes queued per monitor */
#define CTL_EXPORTS_MAX		2		/* pcap exports at once */

struct export;

struct conn {
	struct ctlsock *cs;
	struct bufferevent *bev;
	struct conn *next;		/* all connections */
	int monitor;			/* streaming frames */
	int proto;			/* monitor filter, -1 any */
	int closing;
	uid_t uid;			/* the peer's, for audit */
	struct readpool_job *job;	/* its answer on a reader thread */
	struct ctl_req *upload;		/* waiting for its payload */
	struct export *exp;		/* an export running for it */
};

/*
 * export-pcap sorts and writes up to flight_size bytes per ring: on a
 * job thread (api/jobs.c), never on the loop.  The frames are copied on
 * the capture thread as before (capture_export_pcap); the reply is sent
 * from the loop when the job ends, unless the client left meanwhile.
 */
struct export {
	struct conn *c;			/* NULL once the client is gone */
	struct capture *cap;
	uint64_t seconds;
	char ring[CTL_MAX_ARG + 1];
	struct evbuffer *buf;		/* the job thread's until it ends */
	long frames;
};

struct ctlsock {
	struct iiotd *d;
	struct evconnlistener *lis;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	gid_t gid;
	struct conn *conns;
	size_t nconns, nmonitors;
	struct ctlsock_counters ctr;
	struct jobs *jobs;		/* pcap exports */
	/*
	 * Monitor lines come from the capture thread: it queues them here
	 * (mon_mu is held for one append) and ev_mon hands them to the
	 * monitors on the event loop.  Each line starts with its protocol
	 * as one printable byte ('A' + enum decode_proto).
	 */
	pthread_mutex_t mon_mu;
	struct evbuffer *mon_q;
	uint64_t mon_q_drops;		/* queue full */
	struct event *ev_mon;
};

static void conn_free(struct conn *c)
{
	struct ctlsock *cs = c->cs;
	struct conn **pp;

	for (pp = &cs->conns; *pp; pp = &(*pp)->next)
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	if (c->monitor && --cs->nmonitors == 0 && cs->d->capture)
		capture_set_tap(cs->d->capture, NULL, NULL);
	if (c->job)
		readpool_cancel(c->job);
	free(c->upload);
	if (c->exp)
		c->exp->c = NULL;	/* the export finishes unheard */
	bufferevent_free(c->bev);
	cs->nconns--;
	free(c);
}

static void on_drained(struct bufferevent *bev, void *arg)
{
	(void)bev;
	conn_free(arg);
}

static void on_event(struct bufferevent *bev, short what, void *arg)
{
	(void)bev;
	if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR))
		conn_free(arg);
}

/* Send the rest, then close. */
static void finish(struct conn *c)
{
	c->closing = 1;
	bufferevent_disable(c->bev, EV_READ);
	bufferevent_setcb(c->bev, NULL, on_drained, on_event, c);
	if (!evbuffer_get_length(bufferevent_get_output(c->bev)))
		conn_free(c);
}

static void reply_json(struct conn *c, json_t *o)
{
	char *s = o ? json_dumps(o, JSON_COMPACT) : NULL;

	if (s) {
		bufferevent_write(c->bev, s, strlen(s));
		free(s);
	} else {
		static const char oom[] =
			"{\"ok\":false,\"error\":\"out of memory\"}";

		bufferevent_write(c->bev, oom, sizeof(oom) - 1);
	}
	bufferevent_write(c->bev, "\n", 1);
	json_decref(o);
}

static void reply_error(struct conn *c, const char *why)
{
	reply_json(c, json_pack("{s:b, s:s}", "ok", 0, "error", why));
	finish(c);
}

/* On the capture thread: queue the line, never touch a connection. */
static void tap(void *arg, const char *ring, const struct iiot_ring_rec *rec,
		const uint8_t *frame, const struct decoded *d)
{
	struct ctlsock *cs = arg;
	char line[1024];
	size_t n;
	bool wake = false;

	(void)frame;
	line[0] = (char)('A' + d->proto);
	n = 1 + capture_frame_line(line + 1, sizeof(line) - 2, ring,
				   rec->ts_ns, rec->wire_len, d);
	line[n++] = '\n';
	pthread_mutex_lock(&cs->mon_mu);
	if (evbuffer_get_length(cs->mon_q) > CTL_MONITOR_BACKLOG) {
		cs->mon_q_drops++;
	} else {
		wake = evbuffer_get_length(cs->mon_q) == 0;
		evbuffer_add(cs->mon_q, line, n);
	}
	pthread_mutex_unlock(&cs->mon_mu);
	if (wake)
		event_active(cs->ev_mon, EV_READ, 0);
}

/* On the event loop: the queued lines to every monitor that wants them. */
static void on_mon(evutil_socket_t fd, short what, void *arg)
{
	struct ctlsock *cs = arg;
	struct evbuffer *q = evbuffer_new();
	struct conn *c;
	size_t len;
	char *line;

	(void)fd;
	(void)what;
	if (!q)
		return;
	pthread_mutex_lock(&cs->mon_mu);
	evbuffer_add_buffer(q, cs->mon_q);
	cs->ctr.monitor_drops += cs->mon_q_drops;
	cs->mon_q_drops = 0;
	pthread_mutex_unlock(&cs->mon_mu);
	while ((line = evbuffer_readln(q, &len, EVBUFFER_EOL_LF))) {
		int proto = line[0] - 'A';

		line[len] = '\n';
		for (c = cs->conns; c; c = c->next) {
			struct evbuffer *out;

			if (!c->monitor || c->closing ||
			    (c->proto >= 0 && c->proto != proto))
				continue;
			out = bufferevent_get_output(c->bev);
			if (evbuffer_get_length(out) > CTL_MONITOR_BACKLOG) {
				cs->ctr.monitor_drops++;
				continue;
			}
			evbuffer_add(out, line + 1, len);
		}
		free(line);
	}
	evbuffer_free(q);
}

static int pcap_out(void *arg, const void *buf, size_t len)
{
	return evbuffer_add(arg, buf, len);
}

/* On the loop, from the reader thread that answered. */
static void on_answer(void *arg, json_t *o)
{
	struct conn *c = arg;

	c->job = NULL;
	reply_json(c, o);
	finish(c);
}

/* A request whose payload follows its line: answered once all is here. */
static void upload(struct conn *c)
{
	struct evbuffer *in = bufferevent_get_input(c->bev);
	struct ctl_req *req = c->upload;

	if (evbuffer_get_length(in) < req->num)
		return;
	req->payload = (const char *)evbuffer_pullup(in, (ev_ssize_t)req->num);
	req->payload_len = req->num;
	c->upload = NULL;
	reply_json(c, req->payload ? ctlcmd_answer(c->cs->d, req, c->uid) :
		   json_pack("{s:b, s:s}", "ok", 0, "error", "out of memory"));
	free(req);
	finish(c);
}

static json_t *export_run(struct job *j, void *arg, char *why, size_t len)
{
	struct export *x = arg;

	(void)j;
	x->frames = capture_export_pcap(x->cap, x->seconds, x->ring[0] ? x->ring : NULL,
					pcap_out, x->buf);
	if (x->frames < 0) {
		snprintf(why, len, "export failed: out of memory");
		return NULL;
	}
	return json_pack("{sI}", "frames", (json_int_t)x->frames);
}

static void export_free(void *arg)
{
	struct export *x = arg;

	if (x->buf)
		evbuffer_free(x->buf);
	free(x);
}

/* On the loop: the job ended; answer the client if it is still there. */
static void export_ended(void *arg, const struct job_end *e)
{
	struct ctlsock *cs = arg;
	struct export *x = e->arg;
	struct conn *c = x->c;

	if (!c)
		return;
	c->exp = NULL;
	if (e->state != JOB_DONE) {
		reply_error(c, e->why && *e->why ? e->why : "export cancelled");
		return;
	}
	cs->ctr.exports++;
	reply_json(c, json_pack("{s:b, s:I, s:I}", "ok", 1, "frames", (json_int_t)x->frames,
				"bytes", (json_int_t)evbuffer_get_length(x->buf)));
	bufferevent_write_buffer(c->bev, x->buf);
	finish(c);
}

static void export_start(struct conn *c, const struct ctl_req *req)
{
	struct ctlsock *cs = c->cs;
	struct export *x;
	char who[32];

	if (!cs->d->capture) {
		reply_error(c, "capture is not running");
		return;
	}
	x = calloc(1, sizeof(*x));
	if (x)
		x->buf = evbuffer_new();
	if (!x || !x->buf) {
		if (x)
			export_free(x);
		reply_error(c, "export failed: out of memory");
		return;
	}
	x->c = c;
	x->cap = cs->d->capture;
	x->seconds = req->num;
	snprintf(x->ring, sizeof(x->ring), "%s", req->arg);
	snprintf(who, sizeof(who), "uid:%u", (unsigned)c->uid);
	/* one request per connection: nothing more is read from it */
	bufferevent_disable(c->bev, EV_READ);
	c->exp = x;
	if (!jobs_start(cs->jobs, "export-pcap", who, 0, export_run, x, export_free)) {
		c->exp = NULL;	/* x is freed already */
		if (errno == EAGAIN) {
			cs->ctr.exports_busy++;
			reply_error(c, "2 pcap exports are running, the most at once;"
				    " retry when one finishes");
		} else {
			reply_error(c, "export failed: cannot start a thread");
		}
	}
}

static void handle(struct conn *c, const struct ctl_req *req)
{
	struct ctlsock *cs = c->cs;
	unsigned int i;

	cs->ctr.requests++;
	switch (req->verb) {
	case CTL_MONITOR:
		c->proto = -1;
		if (req->arg[0]) {
			for (i = 0; i < DECODE_PROTO_COUNT; i++)
				if (!strcmp(req->arg, decode_proto_name(i)))
					break;
			if (i == DECODE_PROTO_COUNT) {
				reply_error(c, "monitor: unknown protocol");
				return;
			}
			c->proto = (int)i;
		}
		if (!cs->d->capture) {
			reply_error(c, "capture is not running");
			return;
		}
		c->monitor = 1;
		cs->ctr.monitors++;
		if (cs->nmonitors++ == 0)
			capture_set_tap(cs->d->capture, tap, cs);
		reply_json(c, json_pack("{s:b}", "ok", 1));
		return;
	case CTL_EXPORT_PCAP:
		export_start(c, req);
		return;
	case CTL_BASELINE_IMPORT:
	case CTL_DESCRIPTION_IMPORT:
		c->upload = malloc(sizeof(*req));
		if (!c->upload) {
			reply_error(c, "out of memory");
			return;
		}
		*c->upload = *req;
		/* the payload may exceed the request's read limit */
		bufferevent_setwatermark(c->bev, EV_READ, 0, 0);
		upload(c);
		return;
	default:
		if (ctlcmd_reads_store(req)) {
			c->job = ctlcmd_submit(cs->d, req, c->uid, on_answer,
					       c);
			if (!c->job)
				reply_error(c, errno == EAGAIN ?
					    "busy: too many store queries; "
					    "retry shortly" : "cannot queue the query");
			return;
		}
		reply_json(c, ctlcmd_answer(cs->d, req, c->uid));
		finish(c);
		return;
	}
}

static void on_read(struct bufferevent *bev, void *arg)
{
	struct conn *c = arg;
	struct evbuffer *in = bufferevent_get_input(bev);
	struct ctl_req req;
	char err[160], *line;
	size_t len;

	if (c->upload) {
		upload(c);
		return;
	}
	if (c->monitor || c->job) {
		/* a monitor only listens, one request at a time: discard */
		evbuffer_drain(in, evbuffer_get_length(in));
		return;
	}
	line = evbuffer_readln(in, &len, EVBUFFER_EOL_LF);
	if (!line) {
		if (evbuffer_get_length(in) > CTL_MAX_REQ) {
			snprintf(err, sizeof(err), "request too long (more "
				 "than %d bytes)", CTL_MAX_REQ);
			c->cs->ctr.bad_requests++;
			reply_error(c, err);
		}
		return;
	}
	if (ctl_parse_request(line, len, &req, err, sizeof(err))) {
		free(line);
		c->cs->ctr.bad_requests++;
		reply_error(c, err);
		return;
	}
	free(line);
	handle(c, &req);
}

static bool in_group(uid_t uid, gid_t gid)
{
	struct passwd pw, *res = NULL;
	char buf[4096];
	gid_t groups[256];
	int n = 256, i;

	if (getpwuid_r(uid, &pw, buf, sizeof(buf), &res) || !res)
		return false;
	if (pw.pw_gid == gid)
		return true;
	if (getgrouplist(pw.pw_name, pw.pw_gid, groups, &n) < 0)
		return false;
	for (i = 0; i < n; i++)
		if (groups[i] == gid)
			return true;
	return false;
}

/* Check the peer's credentials and keep its uid in c. */
static bool peer_allowed(struct conn *c, int fd)
{
	struct ucred cr;
	socklen_t l = sizeof(cr);

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &l))
		return false;
	c->uid = cr.uid;
	if (cr.uid == 0 || cr.uid == geteuid() || cr.gid == c->cs->gid)
		return true;
	return in_group(cr.uid, c->cs->gid);
}

static void on_accept(struct evconnlistener *lis, evutil_socket_t fd,
		      struct sockaddr *sa, int salen, void *arg)
{
	struct ctlsock *cs = arg;
	struct conn *c;

	(void)lis;
	(void)sa;
	(void)salen;
	if (cs->nconns >= CTL_MAX_CONNS) {
		log_warnx("ctl: more than %d connections; refusing",
			  CTL_MAX_CONNS);
		close(fd);
		return;
	}
	c = calloc(1, sizeof(*c));
	if (!c) {
		close(fd);
		return;
	}
	c->cs = cs;
	c->bev = bufferevent_socket_new(cs->d->base, fd,
					BEV_OPT_CLOSE_ON_FREE);
	if (!c->bev) {
		close(fd);
		free(c);
		return;
	}
	c->next = cs->conns;
	cs->conns = c;
	cs->nconns++;
	cs->ctr.connections++;
	bufferevent_setcb(c->bev, on_read, NULL, on_event, c);
	bufferevent_setwatermark(c->bev, EV_READ, 0, CTL_MAX_REQ * 2);
	if (!peer_allowed(c, fd)) {
		cs->ctr.denied++;
		log_warnx("ctl: refused a client without permission");
		reply_error(c, "permission denied");
		return;
	}
	bufferevent_enable(c->bev, EV_READ);
}

/*
 * Someone answers on sun: a running daemon (the state lock covers one
 * state_dir; this covers a socket path shared by two of them).
 */
static bool socket_live(const struct sockaddr_un *sun)
{
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	bool live;

	if (fd < 0)
		return false;
	live = connect(fd, (const struct sockaddr *)sun, sizeof(*sun)) == 0;
	close(fd);
	return live;
}

static void ctlsock_free(struct ctlsock *cs)
{
	jobs_free(cs->jobs);
	if (cs->ev_mon)
		event_free(cs->ev_mon);
	if (cs->mon_q)
		evbuffer_free(cs->mon_q);
	pthread_mutex_destroy(&cs->mon_mu);
	free(cs);
}

struct ctlsock *ctlsock_open(struct iiotd *d, const char *path, char *err,
			     size_t errlen)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct ctlsock *cs;
	struct stat st;
	mode_t old;

	if (strlen(path) >= sizeof(sun.sun_path)) {
		snprintf(err, errlen, "control socket path '%s' too long "
			 "(at most %zu bytes)", path, sizeof(sun.sun_path) - 1);
		return NULL;
	}
	strcpy(sun.sun_path, path);
	if (!lstat(path, &st)) {
		if (!S_ISSOCK(st.st_mode)) {
			snprintf(err, errlen, "%s exists and is not a socket",
				 path);
			return NULL;
		}
		if (socket_live(&sun)) {
			snprintf(err, errlen, "control socket %s is in use by "
				 "another iiotd; not taking it over", path);
			return NULL;
		}
		unlink(path);		/* stale, from an earlier run */
	}
	cs = calloc(1, sizeof(*cs));
	if (!cs) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	cs->d = d;
	cs->gid = getegid();
	strcpy(cs->path, path);
	pimutex_init(&cs->mon_mu);
	cs->mon_q = evbuffer_new();
	cs->ev_mon = event_new(d->base, -1, 0, on_mon, cs);
	if (!cs->mon_q || !cs->ev_mon) {
		snprintf(err, errlen, "out of memory");
		ctlsock_free(cs);
		return NULL;
	}
	cs->jobs = jobs_new(d->base, CTL_EXPORTS_MAX, export_ended, cs, err, errlen);
	if (!cs->jobs) {
		ctlsock_free(cs);
		return NULL;
	}
	/* 0660 from the start: no window where others may connect */
	old = umask(0117);
	cs->lis = evconnlistener_new_bind(d->base, on_accept, cs,
		LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC, 16,
		(struct sockaddr *)&sun, sizeof(sun));
	umask(old);
	if (!cs->lis) {
		snprintf(err, errlen, "control socket %s: %s", path,
			 strerror(errno));
		ctlsock_free(cs);
		return NULL;
	}
	chmod(path, 0660);
	return cs;
}

int ctlsock_set_group(struct ctlsock *cs, uid_t owner, gid_t gid)
{
	struct stat st;
	int fd, rc = -1;

	cs->gid = gid;
	fd = open(cs->path, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) || !S_ISSOCK(st.st_mode) || st.st_uid != owner ||
	    st.st_nlink != 1)
		errno = EPERM;
	else if (st.st_gid == gid ||
		 !fchownat(fd, "", (uid_t)-1, gid, AT_EMPTY_PATH))
		rc = 0;
	close(fd);
	return rc;
}

void ctlsock_quiesce(struct ctlsock *cs)
{
	struct conn *c;

	if (!cs)
		return;
	/* exports in flight end now, while the capture thread still answers;
	 * their clients get no reply (they are closed next) */
	for (c = cs->conns; c; c = c->next)
		if (c->exp) {
			c->exp->c = NULL;
			c->exp = NULL;
		}
	jobs_free(cs->jobs);
	cs->jobs = NULL;
}

void ctlsock_close(struct ctlsock *cs)
{
	if (!cs)
		return;
	while (cs->conns)
		conn_free(cs->conns);
	evconnlistener_free(cs->lis);
	unlink(cs->path);
	ctlsock_free(cs);
}

void ctlsock_get_counters(const struct ctlsock *cs,
			  struct ctlsock_counters *out)
{
	*out = cs->ctr;
}
