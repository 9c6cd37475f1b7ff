/* iiotctl monitor [PROTO]: live decoded frames, one line each. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "core/ctlclient.h"
#include "core/ctlproto.h"
#include "ctl.h"

static int run_monitor(int argc, char **argv)
{
	const char *sock = NULL, *proto = NULL;
	char req[CTL_MAX_REQ], buf[65536];
	long long count = -1;
	int i, fd;
	json_t *o;

	for (i = 1; i < argc; i++) {
		if (ctl_opt_socket(argc, argv, &i, &sock))
			continue;
		if (!strcmp(argv[i], "-c") && i + 1 < argc)
			count = atoll(argv[++i]);
		else if (!proto && argv[i][0] != '-' &&
			 strlen(argv[i]) < CTL_MAX_ARG && !strchr(argv[i], ' '))
			proto = argv[i];
		else {
			fprintf(stderr, "usage: iiotctl monitor [-s SOCK] "
				"[-c COUNT] [ecat|pn_rt|pn_dcp|pn_alarm|"
				"pn_ptcp|pnio_cm|other]\n");
			return 2;
		}
	}
	snprintf(req, sizeof(req), "monitor%s%s\n", proto ? " " : "",
		 proto ? proto : "");
	fd = ctl_open_stream(ctl_socket_path(sock), req, &o);
	if (fd < 0)
		return 1;
	json_decref(o);
	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGPIPE, SIG_DFL);
	for (;;) {
		ssize_t n = read(fd, buf, sizeof(buf));
		ssize_t k;

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (count < 0) {
			fwrite(buf, 1, (size_t)n, stdout);
			continue;
		}
		for (k = 0; k < n && count > 0; k++) {
			putchar(buf[k]);
			if (buf[k] == '\n')
				count--;
		}
		if (count == 0)
			break;
	}
	close(fd);
	return 0;
}

const struct ctl_cmd cmd_monitor = {
	.name = "monitor",
	.args = "[-s SOCK] [-c N] [PROTO]",
	.help = "live decoded frames, one line each (Ctrl-C stops)",
	.run = run_monitor,
};
