/*
 * iiotctl unblock MAC: remove a source MAC from the XDP blocklist through
 * the running iiotd, under your Unix user name, audited.
 */
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "core/ctlclient.h"
#include "ctl.h"

static int run_unblock(int argc, char **argv)
{
	const char *sock = NULL, *mac = NULL;
	char req[64];
	json_t *o;
	int i;

	for (i = 1; i < argc; i++) {
		if (ctl_opt_socket(argc, argv, &i, &sock))
			continue;
		if (mac || strlen(argv[i]) > 17 || strchr(argv[i], ' ')) {
			fprintf(stderr, "usage: iiotctl unblock [-s SOCK] "
				"MAC\n");
			return 2;
		}
		mac = argv[i];
	}
	if (!mac) {
		fprintf(stderr, "usage: iiotctl unblock [-s SOCK] MAC\n");
		return 2;
	}
	snprintf(req, sizeof(req), "unblock %s\n", mac);
	o = ctl_query(ctl_socket_path(sock), req);
	if (!o)
		return 1;
	printf("%s unblocked\n", mac);
	json_decref(o);
	return 0;
}

const struct ctl_cmd cmd_unblock = {
	.name = "unblock",
	.args = "[-s SOCK] MAC",
	.help = "remove a source MAC from the XDP blocklist (audited)",
	.run = run_unblock,
};
