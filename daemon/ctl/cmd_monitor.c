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
#include "decode/decode.h"
#include "ctl.h"

/*
 * One line as printable text: the daemon escapes what frames carry, and
 * this holds even for one that does not (no terminal controls, no line
 * breaks that forge lines, valid UTF-8).
 */
static void print_line(const char *line, size_t len)
{
	static char *safe;
	static size_t cap;

	if (cap < 4 * len + 1) {
		free(safe);
		cap = 4 * len + 1;
		safe = malloc(cap);
		if (!safe) {
			cap = 0;
			return;
		}
	}
	wire_str(safe, cap, line, len);
	puts(safe);
}

static int run_monitor(int argc, char **argv)
{
	const char *sock = NULL, *proto = NULL;
	char req[CTL_MAX_REQ], *line = NULL;
	long long count = -1;
	size_t cap = 0;
	ssize_t n;
	FILE *in;
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
	in = fdopen(fd, "r");
	if (!in) {
		close(fd);
		return 1;
	}
	while (count != 0 && (n = getline(&line, &cap, in)) > 0) {
		if (line[n - 1] == '\n')
			line[--n] = '\0';
		print_line(line, (size_t)n);
		if (count > 0)
			count--;
	}
	free(line);
	fclose(in);
	return 0;
}

const struct ctl_cmd cmd_monitor = {
	.name = "monitor",
	.args = "[-s SOCK] [-c N] [PROTO]",
	.help = "live decoded frames, one line each (Ctrl-C stops)",
	.run = run_monitor,
};
