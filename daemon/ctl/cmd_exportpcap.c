/*
 * iiotctl export-pcap --seconds N -o FILE [--ring NAME]: the flight
 * recorder's last N seconds as a pcap (nanosecond timestamps) that
 * Wireshark and tshark open.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "core/ctlclient.h"
#include "core/ctlproto.h"
#include "ctl.h"

static int usage(void)
{
	fprintf(stderr, "usage: iiotctl export-pcap [-s SOCK] --seconds N "
		"-o FILE [--ring NAME]\n");
	return 2;
}

static int run_export(int argc, char **argv)
{
	const char *sock = NULL, *out = NULL, *ring = NULL;
	char req[CTL_MAX_REQ], buf[65536];
	long long secs = 0, want, got = 0;
	int i, fd, ofd;
	json_t *o;

	for (i = 1; i < argc; i++) {
		if (ctl_opt_socket(argc, argv, &i, &sock))
			continue;
		if (!strcmp(argv[i], "--seconds") && i + 1 < argc)
			secs = atoll(argv[++i]);
		else if (!strcmp(argv[i], "-o") && i + 1 < argc)
			out = argv[++i];
		else if (!strcmp(argv[i], "--ring") && i + 1 < argc)
			ring = argv[++i];
		else
			return usage();
	}
	if (secs <= 0 || secs > 86400 || !out ||
	    (ring && (strchr(ring, ' ') || strlen(ring) >= CTL_MAX_ARG)))
		return usage();
	snprintf(req, sizeof(req), "export-pcap %lld%s%s\n", secs,
		 ring ? " " : "", ring ? ring : "");
	fd = ctl_open_stream(ctl_socket_path(sock), req, &o);
	if (fd < 0)
		return 1;
	want = json_integer_value(json_object_get(o, "bytes"));
	ofd = strcmp(out, "-") ? open(out, O_WRONLY | O_CREAT | O_TRUNC |
				      O_CLOEXEC, 0644) : 1;
	if (ofd < 0) {
		fprintf(stderr, "iiotctl: %s: %s\n", out, strerror(errno));
		json_decref(o);
		close(fd);
		return 1;
	}
	while (got < want) {
		ssize_t n = read(fd, buf, sizeof(buf)), w, off = 0;

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		while (off < n) {
			w = write(ofd, buf + off, (size_t)(n - off));
			if (w <= 0) {
				fprintf(stderr, "iiotctl: %s: %s\n", out,
					strerror(errno));
				return 1;
			}
			off += w;
		}
		got += n;
	}
	close(fd);
	if (ofd != 1 && close(ofd)) {
		fprintf(stderr, "iiotctl: %s: %s\n", out, strerror(errno));
		return 1;
	}
	if (got != want) {
		fprintf(stderr, "iiotctl: short export: %lld of %lld bytes\n",
			got, want);
		json_decref(o);
		return 1;
	}
	fprintf(stderr, "%lld frames, %lld bytes -> %s\n",
		json_integer_value(json_object_get(o, "frames")), got, out);
	json_decref(o);
	return 0;
}

const struct ctl_cmd cmd_exportpcap = {
	.name = "export-pcap",
	.args = "--seconds N -o FILE",
	.help = "flight recorder's last N seconds as a pcap",
	.run = run_export,
};
