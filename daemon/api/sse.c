/*
 * Server-sent events: one JSON snapshot of live state a second (device
 * online/frames/errors, latest signal values, link timing, counters) to
 * each subscriber.  A stream ends when its session or token does.  A
 * kiosk token's stream carries only what its dashboard shows (kiosk.c)
 * and ends when the dashboard is gone or no longer shared.
 */
#include <event2/buffer.h>
#include <event2/http.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"

struct sse_client {
	struct sse_client *next;
	struct api *api;
	struct evhttp_request *req;
	struct evhttp_connection *conn;
	char sid[SESSION_ID_HEX + 1];
	char token[TOKEN_LEN + 1];
	enum role role;
	int64_t kiosk_dash;		/* a kiosk token's dashboard, else 0 */
};

static void unlink_client(struct sse_client *c)
{
	struct sse_client **pp;

	for (pp = &c->api->sse; *pp; pp = &(*pp)->next)
		if (*pp == c) {
			*pp = c->next;
			c->api->nsse--;
			break;
		}
	free(c);
}

static void closecb(struct evhttp_connection *conn, void *arg)
{
	(void)conn;
	unlink_client(arg);
}

static void end_stream(struct sse_client *c)
{
	evhttp_connection_set_closecb(c->conn, NULL, NULL);
	evhttp_send_reply_end(c->req);
	unlink_client(c);
}

static void send_named(struct sse_client *c, const char *event, const char *data)
{
	struct evbuffer *b = evbuffer_new();

	if (!b)
		return;
	evbuffer_add_printf(b, "event: %s\ndata: %s\n\n", event, data);
	evhttp_send_reply_chunk(c->req, b);
	evbuffer_free(b);
}

static void send_event(struct sse_client *c, const char *data)
{
	send_named(c, "live", data);
}

/*
 * The snapshot (its text in *all, made once a tick for every client but
 * the kiosks) to c: 0, or -1 when c may no longer read it.
 */
static int send_live(struct sse_client *c, json_t *live, char **all)
{
	json_t *k;
	char *s;

	if (!live)
		return 0;
	if (!c->kiosk_dash) {
		if (!*all)
			*all = json_dumps(live, JSON_COMPACT);
		if (*all)
			send_event(c, *all);
		return 0;
	}
	if (!(k = kiosk_live(c->api, c->kiosk_dash, live)))
		return -1;
	s = json_dumps(k, JSON_COMPACT);
	json_decref(k);
	if (s)
		send_event(c, s);
	free(s);
	return 0;
}

void sse_event(struct api *a, const char *event, const char *data, enum perm perm)
{
	struct sse_client *c;

	for (c = a->sse; c; c = c->next)
		if (role_has(c->role, perm) &&
		    (!c->kiosk_dash || kiosk_event(a, c->kiosk_dash, event)))
			send_named(c, event, data);
}

void sse_open(struct rq *r)
{
	struct api *a = r->api;
	struct sse_client *c;
	const char *auth;
	struct evbuffer *b;
	json_t *live;
	char *s;

	if (a->nsse >= API_MAX_SSE) {
		api_error(r, 503, "too many live streams");
		return;
	}
	c = calloc(1, sizeof(*c));
	if (!c) {
		api_error(r, 500, "out of memory");
		return;
	}
	c->api = a;
	c->req = r->req;
	c->conn = evhttp_request_get_connection(r->req);
	c->role = r->role;
	if (r->role == ROLE_KIOSK)
		c->kiosk_dash = r->kiosk_dash;
	if (r->sess)
		snprintf(c->sid, sizeof(c->sid), "%s", r->sess->id);
	auth = evhttp_find_header(evhttp_request_get_input_headers(r->req), "Authorization");
	if (r->via_token && auth)
		snprintf(c->token, sizeof(c->token), "%s", auth + 7);
	c->next = a->sse;
	a->sse = c;
	a->nsse++;
	r->status = 200;
	http_headers(r->req, "text/event-stream");
	evhttp_add_header(evhttp_request_get_output_headers(r->req), "Cache-Control", "no-store");
	evhttp_send_reply_start(r->req, 200, "OK");
	evhttp_connection_set_closecb(c->conn, closecb, c);
	b = evbuffer_new();
	if (b) {
		evbuffer_add_printf(b, "retry: 3000\n\n");
		evhttp_send_reply_chunk(r->req, b);
		evbuffer_free(b);
	}
	live = data_live(a);
	s = NULL;
	send_live(c, live, &s);	/* kiosk_gate found the dashboard */
	json_decref(live);
	free(s);
}

static int still_allowed(struct sse_client *c)
{
	struct api_settings *s = &c->api->set;
	struct token t;

	if (c->token[0])
		return token_check(c->api->db, c->token, &t) == 0;
	return session_find(c->sid, auth_mono_ms(),
			    c->role == ROLE_ADMIN ? s->idle_admin_ms : s->idle_ms, s->abs_ms) != NULL;
}

void sse_tick(struct api *a)
{
	struct sse_client *c, *next;
	json_t *live;
	char *s;

	if (!a->sse)
		return;
	api_snap_refresh(a);
	live = data_live(a);
	s = NULL;
	for (c = a->sse; c; c = next) {
		next = c->next;
		if (!still_allowed(c) || send_live(c, live, &s))
			end_stream(c);
	}
	json_decref(live);
	free(s);
}

void sse_close_all(struct api *a)
{
	while (a->sse)
		end_stream(a->sse);
}
