/*
 * API request latency per route class, from the request's arrival to its
 * reply written out (evhttp's completion callback), so a request held for
 * a password check or answered from another thread counts whole.  The
 * start time and class ride in the callback's argument: nothing to free
 * when a client leaves before its reply.  Event streams are not timed.
 */
#include <stdint.h>
#include <string.h>
#include <time.h>

#include <event2/http.h>
#include <jansson.h>

#include "api/api.h"
#include "core/hist.h"

enum { C_AUTH, C_ADMIN, C_DATA, C_ALERTS, C_OPS, C_STATIC, C_OTHER, C_N };
static const char *const class_name[C_N] = {
	"auth", "admin", "data", "alerts", "ops", "static", "other",
};

/* the first segment after /api/v1/ */
static const struct {
	const char *seg;
	int cls;
} segs[] = {
	{ "login", C_AUTH }, { "logout", C_AUTH }, { "session", C_AUTH },
	{ "password", C_AUTH }, { "mfa", C_AUTH },
	{ "users", C_ADMIN }, { "sessions", C_ADMIN }, { "tokens", C_ADMIN },
	{ "audit", C_ADMIN }, { "settings", C_ADMIN }, { "roles", C_ADMIN },
	{ "overview", C_DATA }, { "devices", C_DATA }, { "links", C_DATA },
	{ "diag", C_DATA }, { "signals", C_DATA }, { "capture", C_DATA },
	{ "alerts", C_ALERTS }, { "analytics", C_ALERTS },
	{ "health", C_OPS },
};

static struct hist hist[C_N];	/* the event loop's only */

static uint64_t mono_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

/* -1: not timed */
static int classify(const char *path)
{
	size_t i, n;

	if (!path)
		return C_OTHER;
	if (!strcmp(path, "/metrics"))
		return C_OPS;
	if (strncmp(path, "/api/", 5))
		return C_STATIC;
	if (strncmp(path, "/api/v1/", 8))
		return C_OTHER;
	path += 8;
	n = strcspn(path, "/?");
	if (n == 6 && !strncmp(path, "events", 6))
		return -1;
	for (i = 0; i < sizeof(segs) / sizeof(segs[0]); i++)
		if (strlen(segs[i].seg) == n && !strncmp(path, segs[i].seg, n))
			return segs[i].cls;
	return C_OTHER;
}

static void done(struct evhttp_request *req, void *arg)
{
	uintptr_t v = (uintptr_t)arg;
	uint64_t start = (uint64_t)(v >> 3), now = mono_us();

	(void)req;
	hist_add(&hist[v & 7], now > start ? (now - start) * 1000 : 0);
}

void api_latency_begin(struct evhttp_request *req)
{
	const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(req);
	int c = classify(uri ? evhttp_uri_get_path(uri) : NULL);

	if (c < 0)
		return;
	evhttp_request_set_on_complete_cb(req, done,
					  (void *)(uintptr_t)(mono_us() << 3 | (uint64_t)c));
}

json_t *api_latency_json(void)
{
	json_t *a = json_array(), *h;
	int i;

	for (i = 0; i < C_N; i++) {
		h = hist_json(&hist[i]);
		json_object_set_new(h, "route", json_string(class_name[i]));
		json_array_append_new(a, h);
	}
	return a;
}
