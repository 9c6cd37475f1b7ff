/*
 * iiotctl rule list | show NAME | history NAME | put NAME FILE|- |
 * check NAME FILE|- | delete NAME | rollback NAME VERSION: the running
 * iiotd's API rules (docs/analytics.md) through the control socket,
 * under your Unix user name, changes audited.  A rule is the JSON the
 * API takes: {"kind": "threshold", "signal": "temp", "above": 80}.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "core/ctlclient.h"
#include "core/ctlproto.h"
#include "ctl.h"

static int usage(void)
{
	fprintf(stderr, "usage: iiotctl rule [-s SOCK] list\n"
		"       iiotctl rule [-s SOCK] show|history|delete NAME\n"
		"       iiotctl rule [-s SOCK] put|check NAME FILE|-\n"
		"       iiotctl rule [-s SOCK] rollback NAME VERSION\n");
	return 2;
}

/* The rule's JSON from path ("-": stdin), compact on one line. */
static char *rule_text(const char *path)
{
	json_error_t je;
	json_t *o = strcmp(path, "-") ? json_load_file(path, 0, &je) :
		    json_loadf(stdin, 0, &je);
	char *s;

	if (!json_is_object(o)) {
		fprintf(stderr, "iiotctl: %s: %s\n", path, o ? "not a JSON "
			"object" : je.text);
		json_decref(o);
		return NULL;
	}
	s = json_dumps(o, JSON_COMPACT | JSON_ENSURE_ASCII);
	json_decref(o);
	return s;
}

static int run_rule(int argc, char **argv)
{
	const char *sock = NULL, *a[3] = { NULL, NULL, NULL };
	char req[CTL_MAX_REQ + 2], *body = NULL;
	int i, n = 0, rc;
	json_t *o;

	for (i = 1; i < argc; i++) {
		if (ctl_opt_socket(argc, argv, &i, &sock))
			continue;
		if (n == 3)
			return usage();
		a[n++] = argv[i];
	}
	if (!n || strchr(a[0], ' ') || (a[1] && strchr(a[1], ' ')))
		return usage();
	if (!strcmp(a[0], "put") || !strcmp(a[0], "check")) {
		if (n != 3 || !(body = rule_text(a[2])))
			return body ? usage() : 1;
		rc = snprintf(req, sizeof(req), "rule %s %s %s\n", a[0], a[1],
			      body);
	} else if (!strcmp(a[0], "rollback")) {
		if (n != 3)
			return usage();
		rc = snprintf(req, sizeof(req), "rule rollback %s %s\n", a[1],
			      a[2]);
	} else {
		if (n != (strcmp(a[0], "list") ? 2 : 1))
			return usage();
		rc = snprintf(req, sizeof(req), "rule %s %s\n", a[0],
			      a[1] ? a[1] : "");
	}
	free(body);
	if (rc < 0 || rc > CTL_MAX_REQ) {
		fprintf(stderr, "iiotctl: the rule is longer than the control "
			"socket takes (%d bytes); use the API\n", CTL_MAX_REQ);
		return 1;
	}
	/* a refusal is said on stderr by ctl_query */
	o = ctl_query(ctl_socket_path(sock), req);
	if (!o)
		return 1;
	json_object_del(o, "ok");
	json_dumpf(o, stdout, JSON_INDENT(2) | JSON_SORT_KEYS);
	putchar('\n');
	json_decref(o);
	return 0;
}

const struct ctl_cmd cmd_rule = {
	.name = "rule",
	.args = "[-s SOCK] list|show|history|put|check|delete|rollback ...",
	.help = "list, make, change, check, delete or roll back iiotd's "
		"analytics rules",
	.run = run_rule,
};
