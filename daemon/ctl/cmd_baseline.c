/*
 * iiotctl baseline [show] | export [FILE] | import FILE | learn SECONDS
 * [--fresh] | stop | add JSON | remove JSON: iiotd's baseline (docs/
 * security.md "Baseline") through the control socket; changes are audited
 * under your Unix user name.  import checks the file here first, so a bad
 * one is refused with its place before anything is sent.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "core/ctlclient.h"
#include "core/ctlproto.h"
#include "ctl.h"
#include "ids/baseline.h"

static int usage(void)
{
	fprintf(stderr, "usage: iiotctl baseline [-s SOCK] [show]\n"
		"       iiotctl baseline [-s SOCK] export [FILE]\n"
		"       iiotctl baseline [-s SOCK] import FILE\n"
		"       iiotctl baseline [-s SOCK] learn SECONDS [--fresh]\n"
		"       iiotctl baseline [-s SOCK] stop\n"
		"       iiotctl baseline [-s SOCK] add|remove JSON\n");
	return 2;
}

static void show(json_t *b)
{
	static const char *const arrays[] = {
		"devices", "pairs", "masters", "wkc", "ars", "rates", NULL
	};
	int i;

	printf("state      %s\n", json_string_value(json_object_get(b, "state")));
	if (json_is_integer(json_object_get(b, "learning_for_ns")))
		printf("learning   %lld s\n", (long long)(json_integer_value(
			json_object_get(b, "learning_for_ns")) / 1000000000LL));
	printf("entries    %lld (not stored: %lld)\n",
	       (long long)json_integer_value(json_object_get(b, "entries")),
	       (long long)json_integer_value(json_object_get(b, "not_stored")));
	for (i = 0; arrays[i]; i++)
		printf("%-10s %zu\n", arrays[i], json_array_size(
			json_object_get(b, arrays[i])));
}

static json_t *baseline_of(json_t *o)
{
	return json_object_get(o, "baseline");
}

static int export(const char *sock, const char *file)
{
	json_t *o = ctl_query(sock, "baseline\n");
	int rc = 0;

	if (!o)
		return 1;
	if (file)
		rc = json_dump_file(baseline_of(o), file, JSON_INDENT(1)) ? 1 : 0;
	else
		ctl_dump_json(baseline_of(o));
	if (rc)
		fprintf(stderr, "iiotctl: cannot write %s\n", file);
	json_decref(o);
	return rc;
}

static int import(const char *sock, const char *file)
{
	struct baseline *bl = baseline_new();
	char err[256], req[64];
	json_error_t je;
	json_t *j = json_load_file(file, JSON_REJECT_DUPLICATES, &je), *o;
	char *s = NULL;
	size_t len, off = 0;
	ssize_t n;
	int fd, rc = 1;

	if (!j) {
		fprintf(stderr, "iiotctl: %s:%d: %s\n", file, je.line, je.text);
		goto out;
	}
	if (!bl || baseline_from_json(bl, j, err, sizeof(err))) {
		fprintf(stderr, "iiotctl: %s: %s\n", file, bl ? err :
			"out of memory");
		goto out;
	}
	s = json_dumps(j, JSON_COMPACT);
	len = s ? strlen(s) : 0;
	if (!s || len > CTL_MAX_PAYLOAD) {
		fprintf(stderr, "iiotctl: %s: too large\n", file);
		goto out;
	}
	snprintf(req, sizeof(req), "baseline-import %zu\n", len);
	fd = ctl_send(sock, req, err, sizeof(err));
	if (fd < 0) {
		fprintf(stderr, "iiotctl: %s\n", err);
		goto out;
	}
	while (off < len && (n = write(fd, s + off, len - off)) > 0)
		off += (size_t)n;
	o = ctl_read_reply(fd, err, sizeof(err));
	close(fd);
	if (!o) {
		fprintf(stderr, "iiotctl: %s\n", err);
	} else if (!json_is_true(json_object_get(o, "ok"))) {
		fprintf(stderr, "iiotctl: %s\n", json_string_value(
			json_object_get(o, "error")));
	} else {
		show(baseline_of(o));
		rc = 0;
	}
	json_decref(o);
out:
	free(s);
	json_decref(j);
	baseline_free(bl);
	return rc;
}

static int simple(const char *sock, const char *req)
{
	json_t *o = ctl_query(sock, req);

	if (!o)
		return 1;
	show(baseline_of(o));
	json_decref(o);
	return 0;
}

static int run_baseline(int argc, char **argv)
{
	const char *sock = NULL, *args[3] = { NULL };
	char req[CTL_MAX_REQ];
	int n, fresh = 0;
	const struct ctl_opt opts[] = { { "--fresh", &fresh, NULL }, { NULL } };

	if (ctl_opts(argc, argv, &sock, opts, args, 3, &n))
		return usage();
	sock = ctl_socket_path(sock);
	if (!n || !strcmp(args[0], "show"))
		return n > 1 ? usage() : simple(sock, "baseline\n");
	if (!strcmp(args[0], "export") && n <= 2)
		return export(sock, args[1]);
	if (!strcmp(args[0], "import") && n == 2)
		return import(sock, args[1]);
	if (!strcmp(args[0], "stop") && n == 1)
		return simple(sock, "baseline-learn 0\n");
	if (!strcmp(args[0], "learn") && n == 2) {
		snprintf(req, sizeof(req), "baseline-learn %s%s\n", args[1],
			 fresh ? " fresh" : "");
		return simple(sock, req);
	}
	if ((!strcmp(args[0], "add") || !strcmp(args[0], "remove")) &&
	    n == 2 && !strchr(args[1], '\n') &&
	    strlen(args[1]) < sizeof(req) - 24) {
		snprintf(req, sizeof(req), "baseline-%s %s\n", args[0],
			 args[1]);
		return simple(sock, req);
	}
	return usage();
}

const struct ctl_cmd cmd_baseline = {
	.name = "baseline",
	.args = "[-s SOCK] [show] | export [FILE] | import FILE | "
		"learn SECONDS [--fresh] | stop | add|remove JSON",
	.help = "iiotd's baseline: show, export, import, learn, edit",
	.run = run_baseline,
};
