/*
 * iiotctl description [-s SOCK] [--json] list | show ID | remove ID |
 * import FILE: iiotd's device descriptions (docs/descriptions.md) through
 * the control socket; imports and removals are audited under your Unix
 * user name.  import reads the file here first, so a bad one is refused
 * with its line before anything is sent.
 */
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "core/ctlclient.h"
#include "core/ctlproto.h"
#include "ctl.h"
#include "desc/desc.h"

static int usage(void)
{
	fprintf(stderr, "usage: iiotctl description [-s SOCK] [--json] list\n"
		"       iiotctl description [-s SOCK] [--json] show ID\n"
		"       iiotctl description [-s SOCK] remove ID\n"
		"       iiotctl description [-s SOCK] import FILE\n");
	return 2;
}

static void print_row(json_t *r)
{
	printf("%-4lld %-6s %-24s %-28s %4lld  %s\n", ctl_jnum(r, "id"),
	       ctl_jstr(r, "kind"), ctl_jstr(r, "name"), ctl_jstr(r, "vendor"),
	       ctl_jnum(r, "devices"), ctl_jstr(r, "file"));
}

static void print_head(void)
{
	printf("%-4s %-6s %-24s %-28s %4s  %s\n", "ID", "KIND", "NAME",
	       "VENDOR", "DEVS", "FILE");
}

static void print_list(json_t *a)
{
	size_t i;

	print_head();
	for (i = 0; i < json_array_size(a); i++)
		print_row(json_array_get(a, i));
}

/* devices, their PDOs or submodules, and the entries with bit offsets */
static void print_one(json_t *r)
{
	json_t *d = json_object_get(r, "description"), *devs, *g, *e;
	size_t i, j, k;

	print_head();
	print_row(r);
	printf("imported by %s, %lld bytes\n", ctl_jstr(r, "imported_by"),
	       ctl_jnum(r, "size"));
	devs = json_object_get(d, "devices");
	for (i = 0; i < json_array_size(devs); i++) {
		json_t *v = json_array_get(devs, i);

		printf("%s %s (%s, product 0x%08llx rev 0x%08llx)\n",
		       ctl_jstr(v, "role"), ctl_jstr(v, "name"), ctl_jstr(v, "type"),
		       ctl_jnum(v, "product"), ctl_jnum(v, "revision"));
		g = json_object_get(v, "groups");
		for (j = 0; j < json_array_size(g); j++) {
			json_t *gr = json_array_get(g, j);

			printf("  %-3s 0x%04llx %s%s\n", ctl_jstr(gr, "dir"),
			       ctl_jnum(gr, "index"), ctl_jstr(gr, "name"),
			       json_is_true(json_object_get(gr, "assigned")) ?
			       "" : " (not assigned)");
			e = json_object_get(gr, "entries");
			for (k = 0; k < json_array_size(e); k++) {
				json_t *x = json_array_get(e, k);

				printf("      bit %-5lld %-4lld %-10s %s\n",
				       ctl_jnum(x, "bit"), ctl_jnum(x, "bits"),
				       ctl_jstr(x, "type"), ctl_jstr(x, "name"));
			}
		}
	}
}

static int import(const char *sock, const char *file)
{
	char err[512], req[CTL_MAX_REQ], name[200], *path, *p;
	size_t len, off = 0;
	char *buf = ctl_slurp(file, CTL_MAX_PAYLOAD, &len);
	struct desc *d;
	json_t *o = NULL;
	ssize_t n;
	int fd, rc = 1;

	if (!buf) {
		fprintf(stderr, "iiotctl: %s: cannot read it (at most %u "
			"bytes)\n", file, CTL_MAX_PAYLOAD);
		return 1;
	}
	d = desc_parse(buf, len, err, sizeof(err));
	if (!d) {
		fprintf(stderr, "iiotctl: %s: %s\n", file, err);
		goto out;
	}
	desc_free(d);
	path = strdup(file);
	snprintf(name, sizeof(name), "%s", path ? basename(path) : "file");
	free(path);
	for (p = name; *p; p++)		/* one word on the request line */
		if (*p <= ' ' || *p > '~')
			*p = '_';
	snprintf(req, sizeof(req), "description-import %zu %s\n", len, name);
	fd = ctl_send(sock, req, err, sizeof(err));
	if (fd < 0) {
		fprintf(stderr, "iiotctl: %s\n", err);
		goto out;
	}
	while (off < len && (n = write(fd, buf + off, len - off)) > 0)
		off += (size_t)n;
	o = ctl_read_reply(fd, err, sizeof(err));
	close(fd);
	if (!o) {
		fprintf(stderr, "iiotctl: %s\n", err);
	} else if (!json_is_true(json_object_get(o, "ok"))) {
		fprintf(stderr, "iiotctl: %s: %s\n", file,
			ctl_jstr(o, "error"));
	} else {
		print_head();
		print_row(json_object_get(o, "description"));
		rc = 0;
	}
out:
	json_decref(o);
	free(buf);
	return rc;
}

static int query(const char *sock, const char *req, const char *key,
		 int as_json, void (*print)(json_t *))
{
	json_t *o = ctl_query(sock, req);

	if (!o)
		return 1;
	if (as_json)
		ctl_dump_json(json_object_get(o, key));
	else if (print)
		print(json_object_get(o, key));
	json_decref(o);
	return 0;
}

static int run_description(int argc, char **argv)
{
	const char *sock = NULL, *args[2] = { NULL };
	char req[CTL_MAX_REQ];
	int n, as_json = 0;
	const struct ctl_opt opts[] = { { "--json", &as_json, NULL }, { NULL } };

	if (ctl_opts(argc, argv, &sock, opts, args, 2, &n))
		return usage();
	sock = ctl_socket_path(sock);
	if (n == 1 && !strcmp(args[0], "list"))
		return query(sock, "description list\n", "descriptions",
			     as_json, print_list);
	if (n != 2)
		return usage();
	if (!strcmp(args[0], "import"))
		return import(sock, args[1]);
	if (strspn(args[1], "0123456789") != strlen(args[1]))
		return usage();
	if (!strcmp(args[0], "show")) {
		snprintf(req, sizeof(req), "description show %s\n", args[1]);
		return query(sock, req, "description", as_json, print_one);
	}
	if (!strcmp(args[0], "remove")) {
		snprintf(req, sizeof(req), "description remove %s\n", args[1]);
		return query(sock, req, "removed", 0, NULL);
	}
	return usage();
}

const struct ctl_cmd cmd_description = {
	.name = "description",
	.args = "[-s SOCK] [--json] list | show ID | remove ID | import FILE",
	.help = "device descriptions (GSDML, ESI, ENI): list, show, remove, "
		"import",
	.run = run_description,
};
