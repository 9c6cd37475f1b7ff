/*
 * Static files of the web UI from the web root: GET/HEAD only, a cleaned
 * path (no "..", no hidden files, a fixed character set), an allowlist of
 * types, no symlinks out, and of web/node_modules only the chart library.
 */
#include <event2/buffer.h>
#include <event2/http.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "api/api.h"
#include "api/parse.h"

#define STATIC_MAX_FILE (8 << 20)

static const struct {
	const char *ext, *type;
} types[] = {
	{ ".html", "text/html; charset=utf-8" },
	{ ".js", "text/javascript; charset=utf-8" },
	{ ".mjs", "text/javascript; charset=utf-8" },
	{ ".css", "text/css; charset=utf-8" },
	{ ".json", "application/json" },
	{ ".svg", "image/svg+xml" },
	{ ".png", "image/png" },
	{ ".ico", "image/x-icon" },
	{ ".woff2", "font/woff2" },
};

static const char *type_of(const char *p)
{
	const char *dot = strrchr(p, '.');
	size_t i;

	for (i = 0; dot && i < sizeof(types) / sizeof(types[0]); i++)
		if (!strcmp(dot, types[i].ext))
			return types[i].type;
	return NULL;
}

static void fail(struct api *a, struct evhttp_request *req, int code, const char *why)
{
	struct rq r;

	memset(&r, 0, sizeof(r));
	r.api = a;
	r.req = req;
	api_error(&r, code, why);
}

void static_serve(struct api *a, struct evhttp_request *req, const char *raw)
{
	char p[512], full[4096 + 512], real[PATH_MAX];
	int m = evhttp_request_get_command(req), fd;
	const char *type;
	struct evbuffer *b;
	size_t rl;
	struct stat st;

	if (m != EVHTTP_REQ_GET && m != EVHTTP_REQ_HEAD) {
		fail(a, req, 405, "static files are read-only");
		return;
	}
	if (path_clean(raw, p, sizeof(p))) {
		fail(a, req, 400, "malformed path");
		return;
	}
	if (!strcmp(p, "/"))
		snprintf(p, sizeof(p), "/index.html");
	type = type_of(p);
	if (!type || (!strncmp(p, "/node_modules/", 14) &&
		      strncmp(p, "/node_modules/uplot/dist/", 25))) {
		fail(a, req, 404, "no such file");
		return;
	}
	snprintf(full, sizeof(full), "%s%s", a->webroot, p);
	fd = open(full, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) || !S_ISREG(st.st_mode) || st.st_size > STATIC_MAX_FILE ||
	    !realpath(full, real)) {
		if (fd >= 0)
			close(fd);
		fail(a, req, 404, "no such file");
		return;
	}
	/* belt and braces: whatever the checks above missed stays inside the root */
	rl = strlen(a->webroot);
	if (strncmp(real, a->webroot, rl) || real[rl] != '/') {
		close(fd);
		fail(a, req, 404, "no such file");
		return;
	}
	b = evbuffer_new();
	if (!b) {
		close(fd);
		fail(a, req, 500, "out of memory");
		return;
	}
	http_headers(req, type);
	evhttp_add_header(evhttp_request_get_output_headers(req), "Cache-Control", "no-cache");
	if (st.st_size)
		evbuffer_add_file(b, fd, 0, st.st_size);	/* takes fd */
	else
		close(fd);
	evhttp_send_reply(req, 200, "OK", b);
	evbuffer_free(b);
}
