/*
 * The evhttp server: TLS bufferevents, size limits and timeouts, security
 * headers on every reply, JSON replies and errors.
 */
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/http_struct.h>
#include <event2/keyvalq_struct.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <sys/socket.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"

/* 'self' only: no inline script or style anywhere in web/ */
#define CSP "default-src 'self'; script-src 'self'; style-src 'self'; " \
	"img-src 'self' data:; connect-src 'self'; font-src 'self'; " \
	"object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

/* evhttp_send_error below has no argument to reach it by; one server a process */
static struct api *server;

static struct bufferevent *bev_new(struct event_base *base, void *arg)
{
	struct api *a = arg;
	struct bufferevent *bev;
	SSL *ssl = SSL_new(a->ssl);

	if (!ssl)
		return NULL;
	bev = bufferevent_openssl_socket_new(base, -1, ssl, BUFFEREVENT_SSL_ACCEPTING,
					     BEV_OPT_CLOSE_ON_FREE | BEV_OPT_DEFER_CALLBACKS);
	/* browsers often close without close_notify; that is not an error here */
	if (bev) {
		bufferevent_openssl_set_allow_dirty_shutdown(bev, 1);
		/* a device list is ~360 KiB: not 16 KiB per loop iteration */
		bufferevent_set_max_single_write(bev, 512 * 1024);
	}
	return bev;
}

static void gencb(struct evhttp_request *req, void *arg)
{
	api_latency_begin(req);
	routes_dispatch(arg, req);
}

int http_start(struct api *a, const char *listen, char *err, size_t errlen)
{
	char host[256];
	struct evhttp_bound_socket *bound;
	const char *colon;
	int one = 1;
	long port;

	colon = strrchr(listen, ':');
	if (!colon || (size_t)(colon - listen) >= sizeof(host)) {
		snprintf(err, errlen, "listen '%s': want ADDRESS:PORT", listen);
		return -1;
	}
	memcpy(host, listen, (size_t)(colon - listen));
	host[colon - listen] = 0;
	/* [::1]:8443 */
	if (host[0] == '[' && host[strlen(host) - 1] == ']') {
		memmove(host, host + 1, strlen(host));
		host[strlen(host) - 1] = 0;
	}
	port = strtol(colon + 1, NULL, 10);
	if (port < 1 || port > 65535) {
		snprintf(err, errlen, "listen '%s': bad port", listen);
		return -1;
	}
	a->http = evhttp_new(a->base);
	server = a;
	if (!a->http) {
		snprintf(err, errlen, "evhttp_new failed");
		return -1;
	}
	evhttp_set_bevcb(a->http, bev_new, a);
	evhttp_set_gencb(a->http, gencb, a);
	evhttp_set_max_headers_size(a->http, API_MAX_HEADERS);
	/* libevent answers beyond 1 MiB itself; read_body() refuses past 64 KiB with JSON */
	evhttp_set_max_body_size(a->http, 1 << 20);
	evhttp_set_timeout(a->http, API_TIMEOUT_S);
	evhttp_set_allowed_methods(a->http, EVHTTP_REQ_GET | EVHTTP_REQ_HEAD |
				   EVHTTP_REQ_POST | EVHTTP_REQ_PUT | EVHTTP_REQ_DELETE |
				   EVHTTP_REQ_PATCH);
	evhttp_set_default_content_type(a->http, "application/json");
	bound = evhttp_bind_socket_with_handle(a->http, host, (ev_uint16_t)port);
	if (!bound) {
		snprintf(err, errlen, "cannot listen on %s", listen);
		evhttp_free(a->http);
		a->http = NULL;
		return -1;
	}
	/*
	 * Accepted sockets inherit this: without it, a reply written as two
	 * TLS records waits for the peer's delayed ACK (40 ms) under Nagle.
	 */
	setsockopt(evhttp_bound_socket_get_fd(bound), IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	snprintf(a->url, sizeof(a->url), "https://%s:%ld/",
		 !strcmp(host, "0.0.0.0") || !strcmp(host, "::") ? "localhost" : host, port);
	return 0;
}

void http_stop(struct api *a)
{
	if (a->http)
		evhttp_free(a->http);
	a->http = NULL;
	server = NULL;
}

void http_headers(struct evhttp_request *req, const char *ctype)
{
	struct evkeyvalq *h = evhttp_request_get_output_headers(req);

	if (ctype)
		evhttp_add_header(h, "Content-Type", ctype);
	evhttp_add_header(h, "Strict-Transport-Security", "max-age=31536000");
	evhttp_add_header(h, "Content-Security-Policy", CSP);
	evhttp_add_header(h, "X-Content-Type-Options", "nosniff");
	evhttp_add_header(h, "Referrer-Policy", "no-referrer");
	evhttp_add_header(h, "X-Frame-Options", "DENY");
	evhttp_add_header(h, "Cross-Origin-Opener-Policy", "same-origin");
	evhttp_add_header(h, "Permissions-Policy", "camera=(), microphone=(), geolocation=()");
}

static const char *reason(int code)
{
	switch (code) {
	case 200: return "OK";
	case 201: return "Created";
	case 202: return "Accepted";
	case 204: return "No Content";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 409: return "Conflict";
	case 413: return "Payload Too Large";
	case 415: return "Unsupported Media Type";
	case 417: return "Expectation Failed";
	case 423: return "Locked";
	case 429: return "Too Many Requests";
	case 501: return "Not Implemented";
	case 503: return "Service Unavailable";
	default: return code >= 500 ? "Internal Server Error" : "Error";
	}
}

static int to_evbuffer(const char *buf, size_t n, void *arg)
{
	return evbuffer_add(arg, buf, n);
}

/* Every JSON reply, ours and libevent's own errors: never cached */
static void json_headers(struct evhttp_request *req)
{
	http_headers(req, "application/json");
	evhttp_add_header(evhttp_request_get_output_headers(req), "Cache-Control", "no-store");
}

/* What the client did, for the replies libevent decides on its own */
static const char *libevent_error_why(int code)
{
	switch (code) {
	case 400: return "malformed request line, headers or Content-Length, or headers over 16 KiB";
	case 413: return "request body larger than 1 MiB";
	case 417: return "Expect other than 100-continue";
	case 501: return "method not implemented";
	default: return reason(code);
	}
}

/*
 * libevent 2.1 answers some requests itself, before any callback of ours:
 * a body over max_body_size (413), a broken request line or headers over
 * max_headers_size (400), a method outside the allowed set (501), an Expect
 * other than 100-continue (417).  All of them go through evhttp_send_error,
 * whose own version clears the output headers and writes a bare HTML page;
 * 2.1 has no hook before that.  This definition takes the place of
 * libevent's (an executable's symbol wins over a shared library's, and
 * libevent calls it through its PLT), so those replies carry the security
 * headers and a JSON reason like ours.  tests/api/tls.t checks them on the
 * wire: a libevent built to bind the call internally would fail there.
 */
void evhttp_send_error(struct evhttp_request *req, int code, const char *why)
{
	json_t *body = json_pack("{ss si}", "error", why ? why : libevent_error_why(code),
				 "status", code);
	struct evbuffer *b = evbuffer_new();

	if (!body || !b || json_dump_callback(body, to_evbuffer, b, JSON_COMPACT)) {
		json_decref(body);
		if (b)
			evbuffer_free(b);
		/* as libevent does: no memory for a reply, drop the connection */
		evhttp_connection_free(evhttp_request_get_connection(req));
		return;
	}
	json_decref(body);
	/* a request line libevent could not parse leaves HTTP/0.0 */
	if (req->major != 1) {
		req->major = 1;
		req->minor = 1;
	}
	evhttp_clear_headers(evhttp_request_get_output_headers(req));
	json_headers(req);
	/* after a parse error the stream position is unknown: not kept alive */
	evhttp_add_header(evhttp_request_get_output_headers(req), "Connection", "close");
	evhttp_send_reply(req, code, reason(code), b);
	evbuffer_free(b);
	if (server)
		server->errors++;
}

/*
 * A state change is answered once its audit row (and the auth database's
 * commits) are on disk: the reply waits in r until rq_end (durable.c).
 */
static void reply_send(struct rq *r, int code, struct evbuffer *b)
{
	if (r->defer && !r->out) {
		r->out = b;
		r->out_code = code;
		return;
	}
	evhttp_send_reply(r->req, code, reason(code), b);
	evbuffer_free(b);
}

void api_send_deferred(struct evhttp_request *req, int code, struct evbuffer *b)
{
	evhttp_send_reply(req, code, reason(code), b);
	evbuffer_free(b);
}

void api_reply(struct rq *r, int code, json_t *body)
{
	struct evbuffer *b = evbuffer_new();
	int bad;

	r->status = code;
	/* serialised straight into the reply: no intermediate string to grow and copy */
	bad = !b || (body && json_dump_callback(body, to_evbuffer, b, JSON_COMPACT));
	json_decref(body);
	if (bad) {
		evbuffer_free(b);
		evhttp_send_error(r->req, 500, NULL);
		return;
	}
	json_headers(r->req);
	reply_send(r, code, b);
	if (code >= 400)
		r->api->errors++;
}

/* A text reply (b freed); fname: sent as a download of that name. */
void api_reply_text(struct rq *r, const char *ctype, const char *fname,
		    struct evbuffer *b)
{
	struct evkeyvalq *h = evhttp_request_get_output_headers(r->req);
	char disp[96];

	r->status = 200;
	http_headers(r->req, ctype);
	if (fname) {
		snprintf(disp, sizeof(disp), "attachment; filename=\"%s\"",
			 fname);
		evhttp_add_header(h, "Content-Disposition", disp);
	}
	evhttp_add_header(h, "Cache-Control", "no-store");
	evhttp_send_reply(r->req, 200, "OK", b);
	evbuffer_free(b);
}

void api_reply_download(struct rq *r, const json_t *o, const char *fname)
{
	struct evbuffer *b = evbuffer_new();
	char *s = o ? json_dumps(o, JSON_INDENT(1)) : NULL;

	if (!b || !s) {
		free(s);
		if (b)
			evbuffer_free(b);
		api_error(r, 500, "out of memory");
		return;
	}
	evbuffer_add(b, s, strlen(s));
	free(s);
	api_reply_text(r, "application/json", fname, b);
}

void api_reply_bytes(struct rq *r, int code, const char *json, size_t n)
{
	struct evbuffer *b = evbuffer_new();

	r->status = code;
	if (!b || evbuffer_add(b, json, n)) {
		evbuffer_free(b);
		evhttp_send_error(r->req, 500, NULL);
		return;
	}
	json_headers(r->req);
	reply_send(r, code, b);
}

void api_error(struct rq *r, int code, const char *why)
{
	api_reply(r, code, json_pack("{ss si}", "error", why, "status", code));
}

void api_set_cookie(struct rq *r, const char *sid)
{
	char c[200];

	/* __Host-: Secure, Path=/, no Domain, so no subdomain can plant one */
	if (sid)
		snprintf(c, sizeof(c), API_COOKIE "=%s; Path=/; Secure; HttpOnly; SameSite=Strict", sid);
	else
		snprintf(c, sizeof(c), API_COOKIE "=; Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age=0");
	evhttp_add_header(evhttp_request_get_output_headers(r->req), "Set-Cookie", c);
}
