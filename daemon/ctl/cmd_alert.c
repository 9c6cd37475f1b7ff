/*
 * iiotctl alert ack|unshelve ID [--comment TEXT], iiotctl alert shelve
 * ID --minutes N --comment TEXT and iiotctl alert comment ID TEXT: answer
 * an alert through the control socket, under your Unix user name,
 * audited.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "core/ctlclient.h"
#include "ctl.h"

static int usage(void)
{
	fprintf(stderr, "usage: iiotctl alert [-s SOCK] ack|unshelve ID "
		"[--comment TEXT]\n"
		"       iiotctl alert [-s SOCK] shelve ID --minutes N "
		"--comment TEXT\n"
		"       iiotctl alert [-s SOCK] comment ID TEXT\n");
	return 2;
}

static int run_alert(int argc, char **argv)
{
	const char *sock = NULL, *verb = NULL, *id = NULL, *comment = "";
	long minutes = 0;
	char req[1024];
	json_t *o;
	int i, rc;

	for (i = 1; i < argc; i++) {
		if (ctl_opt_socket(argc, argv, &i, &sock))
			continue;
		if (!strcmp(argv[i], "--comment") && i + 1 < argc)
			comment = argv[++i];
		else if (!strcmp(argv[i], "--minutes") && i + 1 < argc)
			minutes = atol(argv[++i]);
		else if (!verb)
			verb = argv[i];
		else if (!id)
			id = argv[i];
		else if (!strcmp(verb, "comment") && !*comment)
			comment = argv[i];
		else
			return usage();
	}
	if (!verb || !id || strchr(comment, '\n'))
		return usage();
	if (!strcmp(verb, "shelve")) {
		if (minutes <= 0 || !*comment)
			return usage();
		snprintf(req, sizeof(req), "alert-shelve %s %ld %s\n", id,
			 minutes, comment);
	} else if (!strcmp(verb, "comment")) {
		if (!*comment)
			return usage();
		snprintf(req, sizeof(req), "alert-comment %s %s\n", id, comment);
	} else if (!strcmp(verb, "ack") || !strcmp(verb, "unshelve")) {
		snprintf(req, sizeof(req), "alert-%s %s %s\n", verb, id,
			 comment);
	} else {
		return usage();
	}
	o = ctl_query(ctl_socket_path(sock), req);
	if (!o)
		return 1;
	rc = json_is_true(json_object_get(o, "ok")) ? 0 : 1;
	if (rc)
		fprintf(stderr, "iiotctl: %s\n",
			json_string_value(json_object_get(o, "error")));
	else
		printf("alert %s: %s\n", id, json_string_value(json_object_get(
			json_object_get(o, "alert"), "state")));
	json_decref(o);
	return rc;
}

const struct ctl_cmd cmd_alert = {
	.name = "alert",
	.args = "[-s SOCK] ack|shelve|unshelve ID [--minutes N] [--comment TEXT] "
		"| comment ID TEXT",
	.help = "acknowledge, shelve, unshelve or comment one of iiotd's alerts",
	.run = run_alert,
};
