/*
 * Requests held while their password job runs on the hash worker
 * (auth/hash_worker.h), so Argon2id never runs on the event loop, or
 * while their store query runs on the reader pool (store/readpool.h, the
 * api_job of api_defer), so SQL never does either.
 *
 * A handler's struct rq lives on routes_dispatch's stack: a held one is
 * copied to the heap with the handler's context, answered by the
 * handler's continuation when the job is done (on the loop thread), then
 * audited and freed like any other request (rq_end).
 *
 * evhttp stops reading a connection once its request is in, so it would
 * not notice the client leaving; a watcher on the socket does (EV_CLOSED
 * for a FIN; EV_READ and a peek for a reset, which epoll reports as an
 * error, not as EV_CLOSED).  The job is then cancelled (its queue slot
 * freed at once) and the connection closed.  The connection's close
 * callback covers closes that evhttp starts itself (shutdown, errors).
 */
#include <errno.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/http.h>
#include <openssl/crypto.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "api/api.h"
#include "core/iiotd.h"
#include "core/log.h"
#include "store/readpool.h"

struct held {
	struct rq r;
	struct hash_job *job;
	struct readpool_job *rjob;	/* api_defer's, instead of job */
	struct api_job *aj;
	struct evhttp_connection *conn;
	struct event *gone;
	held_fn resume;
	void *ctx;
	size_t ctx_len;
};

/* A flood of refusals makes one line per API_BUSY_LOG_MS, with its count. */
static void busy_log(struct api *a)
{
	int64_t now = auth_now_ms();
	struct hash_worker_counters c;

	a->busy_unlogged++;
	if (now < a->busy_log_next)
		return;
	hash_worker_get_counters(a->hw, &c);
	log_warnx("api: password checks busy (%llu waiting): %llu request(s) refused with 503"
		  " since the last report", (unsigned long long)c.pending,
		  (unsigned long long)a->busy_unlogged);
	a->busy_unlogged = 0;
	a->busy_log_next = now + API_BUSY_LOG_MS;
}

static void reply_busy(struct rq *r)
{
	evhttp_add_header(evhttp_request_get_output_headers(r->req), "Retry-After",
			  API_BUSY_RETRY_S);
	api_error(r, 503, "too many password checks in progress; retry shortly");
	busy_log(r->api);
}

static void unwatch(struct held *h)
{
	evhttp_connection_set_closecb(h->conn, NULL, NULL);
	if (h->gone)
		event_free(h->gone);
	h->gone = NULL;
}

/* contexts carry one-time passwords and user rows */
static void held_free(struct held *h)
{
	if (h && h->ctx) {
		OPENSSL_cleanse(h->ctx, h->ctx_len);
		free(h->ctx);
	}
	free(h);
}

static void finish(struct held *h)
{
	rq_end(&h->r);
	h->r.api->held--;
	held_free(h);
}

static void job_done(void *arg, const struct hash_result *res)
{
	struct held *h = arg;

	h->job = NULL;
	unwatch(h);
	h->resume(&h->r, res, h->ctx);
	finish(h);
}

/* The client is gone: no reply; 499 (nginx's "client closed") for the audit. */
static void abandon(struct held *h)
{
	unwatch(h);
	h->r.status = 499;
	if (h->rjob) {
		/* the job's own memory goes with its cancelled delivery */
		h->aj->held = NULL;
		readpool_cancel(h->rjob);
		h->rjob = NULL;
	} else {
		hash_cancel(h->job);
		h->job = NULL;
		h->resume(&h->r, NULL, h->ctx);
	}
	finish(h);
}

static void api_job_free(struct api_job *j)
{
	free(j->body);
	free(j);
}

/* On a reader thread. */
static void rjob_work(void *arg, struct sqlite3 *db, const char *err)
{
	struct api_job *j = arg;

	j->work(j, db, err);
}

/* On the loop: the answer the reader made, unless the client left. */
static void rjob_done(void *arg, bool cancelled)
{
	struct api_job *j = arg;
	struct held *h = j->held;

	if (cancelled || !h) {
		api_job_free(j);
		return;
	}
	h->rjob = NULL;
	unwatch(h);
	if (j->reply)
		j->reply(j, &h->r);
	else if (j->body)
		api_reply_bytes(&h->r, j->status, j->body, j->len);
	else
		api_error(&h->r, j->status ? j->status : 500,
			  j->why ? j->why : "cannot render the answer");
	finish(h);
	api_job_free(j);
}

/* 0 when the peer closed or reset the connection */
static int peer_there(evutil_socket_t fd)
{
	char c;
	ssize_t n = recv(fd, &c, 1, MSG_PEEK | MSG_DONTWAIT);

	return n > 0 || (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR));
}

static void gone_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct held *h = arg;
	struct evhttp_connection *conn = h->conn;

	if (!(ev & EV_CLOSED) && peer_there(fd)) {
		/* bytes sent while waiting (a TLS alert, a pipelined request): only a close now */
		event_assign(h->gone, h->r.api->base, fd, EV_CLOSED, gone_cb, h);
		if (event_add(h->gone, NULL) == 0)
			return;
	}
	abandon(h);
	/* frees the request still attached to it */
	evhttp_connection_free(conn);
}

static void closed_cb(struct evhttp_connection *conn, void *arg)
{
	struct held *h = arg;
	struct evhttp_request *req = h->r.req;
	/* evhttp hands a request it detached from a failed connection to us */
	int ours = evhttp_request_get_connection(req) == NULL;

	(void)conn;
	abandon(h);
	if (ours)
		evhttp_request_free(req);
}

static void watch(struct held *h)
{
	struct event_base *base = h->r.api->base;
	struct bufferevent *bev = evhttp_connection_get_bufferevent(h->conn);
	evutil_socket_t fd = bev ? bufferevent_getfd(bev) : -1;

	evhttp_connection_set_closecb(h->conn, closed_cb, h);
	/* without early-close support the reply to a gone client just fails */
	if (fd < 0 || !(event_base_get_features(base) & EV_FEATURE_EARLY_CLOSE))
		return;
	h->gone = event_new(base, fd, EV_CLOSED | EV_READ, gone_cb, h);
	if (h->gone && event_add(h->gone, NULL)) {
		event_free(h->gone);
		h->gone = NULL;
	}
}

/* The copy on the heap: {} parameters point into its own segments. */
static void adopt(struct held *h, struct rq *r)
{
	size_t j;
	int i;

	h->r = *r;
	for (i = 0; i < API_MAX_PARAMS; i++)
		if (r->param[i])
			h->r.param[i] = h->r.segs.buf + (r->param[i] - r->segs.buf);
	for (j = 0; j < r->segs.n; j++)
		h->r.segs.seg[j] = h->r.segs.buf + (r->segs.seg[j] - r->segs.buf);
	/* the session may end while the job runs: continuations find it again */
	h->r.sess = NULL;
	r->held = 1;
	r->body = NULL;
	r->detail = NULL;
}

/* The job is queued: r is held.c's now, watched until it is answered. */
static int held_begin(struct held *h, struct rq *r)
{
	adopt(h, r);
	watch(h);
	r->api->held++;
	return 0;
}

int api_defer(struct rq *r, struct api_job *j)
{
	struct readpool *pool = j->no_db ? r->api->render :
				r->api->d ? r->api->d->readers : NULL;
	struct held *h = pool ? calloc(1, sizeof(*h)) : NULL;

	j->api = r->api;
	if (!h || !(h->conn = evhttp_request_get_connection(r->req)))
		goto fail;
	j->held = h;
	h->aj = j;
	h->rjob = readpool_submit(pool, rjob_work, rjob_done, j);
	if (h->rjob)
		return held_begin(h, r);
	if (errno == EAGAIN) {
		free(h);
		api_job_free(j);
		evhttp_add_header(evhttp_request_get_output_headers(r->req), "Retry-After",
				  API_BUSY_RETRY_S);
		api_error(r, 503, "too many store queries in progress; retry shortly");
		return 1;
	}
fail:
	free(h);
	api_job_free(j);
	api_error(r, 500, "cannot start the query");
	return -1;
}

int api_hold(struct rq *r, const struct hash_req *hr, held_fn resume,
	     const void *ctx, size_t len)
{
	struct held *h = calloc(1, sizeof(*h));

	if (h)
		h->ctx = malloc(len ? len : 1);
	if (!h || !h->ctx || !(h->conn = evhttp_request_get_connection(r->req)))
		goto fail;
	memcpy(h->ctx, ctx, len);
	h->ctx_len = len;
	h->resume = resume;
	h->job = hash_submit(r->api->hw, hr, job_done, h);
	if (h->job)
		return held_begin(h, r);
	if (errno == EAGAIN) {
		held_free(h);
		reply_busy(r);
		return 1;
	}
fail:
	held_free(h);
	api_error(r, 500, "cannot start the password check");
	return -1;
}
