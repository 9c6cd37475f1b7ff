/*
 * Replies that wait for the disk.  A state-changing request is answered
 * only once its audit row and the auth database's commits are durable;
 * the writer thread (auth/dbwriter.c) makes them so in batches, and the
 * reply waits here for its batch without blocking the loop.
 *
 * The request itself stays with evhttp: only the kept-back reply and the
 * request's pointer wait.  A connection that closes meanwhile (shutdown,
 * an error evhttp notices) cancels the wait, like held.c does.
 */
#include <event2/buffer.h>
#include <event2/http.h>
#include <stdlib.h>

#include "api/api.h"

struct durable {
	struct evhttp_request *req;
	struct evhttp_connection *conn;
	struct evbuffer *out;
	int code;
	struct dbwait *wait;
};

static void durable_free(struct durable *p)
{
	if (p->out)
		evbuffer_free(p->out);
	free(p);
}

static void committed(void *arg, int ok)
{
	struct durable *p = arg;

	/* a failed batch was logged loudly; the change itself was made */
	(void)ok;
	p->wait = NULL;
	evhttp_connection_set_closecb(p->conn, NULL, NULL);
	api_send_deferred(p->req, p->code, p->out);
	p->out = NULL;
	durable_free(p);
}

static void closed(struct evhttp_connection *conn, void *arg)
{
	struct durable *p = arg;
	struct evhttp_request *req = p->req;
	/* evhttp hands a request it detached from a failed connection to us */
	int ours = evhttp_request_get_connection(req) == NULL;

	(void)conn;
	if (p->wait)
		dbwriter_wait_cancel(p->wait);
	durable_free(p);
	if (ours)
		evhttp_request_free(req);
}

void api_reply_durable(struct rq *r)
{
	struct api *a = r->api;
	struct durable *p;

	if (!r->out)
		return;
	r->defer = 0;
	if (a->dbw && !dbwriter_durable(a->dbw, dbwriter_ticket(a->dbw)) &&
	    (p = calloc(1, sizeof(*p)))) {
		p->req = r->req;
		p->conn = evhttp_request_get_connection(r->req);
		p->out = r->out;
		p->code = r->out_code;
		p->wait = dbwriter_wait(a->dbw, dbwriter_ticket(a->dbw), committed, p);
		if (p->wait && p->conn) {
			r->out = NULL;
			evhttp_connection_set_closecb(p->conn, closed, p);
			return;
		}
		if (p->wait)
			dbwriter_wait_cancel(p->wait);
		free(p);
	}
	/* nothing pending (or no memory to wait): now */
	api_send_deferred(r->req, r->out_code, r->out);
	r->out = NULL;
}
