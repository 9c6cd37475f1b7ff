/* Control socket client and table printing for iiotctl. */
#include <ctype.h>
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <jansson.h>

#include "core/ctlclient.h"
#include "core/iiotd.h"
#include "decode/decode.h"

const char *ctl_socket_path(const char *opt)
{
	static char buf[PATH_MAX];
	char exe[PATH_MAX];
	const char *e = getenv("IIOTD_SOCK");
	ssize_t n;

	if (opt)
		return opt;
	if (e && *e)
		return e;
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		exe[n] = '\0';
		/* <top>/build/bin/iiotctl → <top>/var/iiotd.sock */
		snprintf(buf, sizeof(buf), "%s/../../var/%s", dirname(exe),
			 IIOTD_CTL_NAME);
		if (access(buf, F_OK) == 0)
			return buf;
	}
	return IIOTD_DEFAULT_STATE_DIR "/" IIOTD_CTL_NAME;
}

int ctl_opt_socket(int argc, char **argv, int *i, const char **sock)
{
	if ((!strcmp(argv[*i], "-s") || !strcmp(argv[*i], "--socket")) &&
	    *i + 1 < argc) {
		*sock = argv[++*i];
		return 1;
	}
	return 0;
}

int ctl_opts(int argc, char **argv, const char **sock,
	     const struct ctl_opt *opts, const char **args, int max, int *n)
{
	const struct ctl_opt *o;
	int i;

	*n = 0;
	for (i = 1; i < argc; i++) {
		if (ctl_opt_socket(argc, argv, &i, sock))
			continue;
		for (o = opts; o && o->name; o++)
			if (!strcmp(argv[i], o->name))
				break;
		if (o && o->name && o->val) {
			if (i + 1 >= argc)
				return -1;
			*o->val = argv[++i];
		} else if (o && o->name) {
			*o->flag = 1;
		} else if (argv[i][0] == '-' && argv[i][1] &&
			   !isdigit((unsigned char)argv[i][1])) {
			return -1;	/* an option we do not know */
		} else if (*n < max) {
			args[(*n)++] = argv[i];
		} else {
			return -1;
		}
	}
	return 0;
}

int ctl_query_opts(int argc, char **argv, const char **sock, int *as_json)
{
	int i;

	for (i = 1; i < argc; i++) {
		if (ctl_opt_socket(argc, argv, &i, sock))
			continue;
		if (strcmp(argv[i], "--json")) {
			fprintf(stderr, "usage: iiotctl %s [-s SOCK] [--json]\n",
				argv[0]);
			return 2;
		}
		*as_json = 1;
	}
	return 0;
}

struct json_t *ctl_query(const char *sock, const char *req)
{
	char err[512];
	json_t *o = ctl_call(sock, req, err, sizeof(err));

	if (!o)
		fprintf(stderr, "iiotctl: %s\n", err);
	return o;
}

int ctl_open_stream(const char *sock, const char *req, struct json_t **reply)
{
	char err[512];
	json_t *o;
	int fd;

	fd = ctl_send(sock, req, err, sizeof(err));
	if (fd < 0) {
		fprintf(stderr, "iiotctl: %s\n", err);
		return -1;
	}
	o = ctl_read_reply(fd, err, sizeof(err));
	if (!o || !json_is_true(json_object_get(o, "ok"))) {
		fprintf(stderr, "iiotctl: %s\n", o ? json_string_value(
			json_object_get(o, "error")) : err);
		json_decref(o);
		close(fd);
		return -1;
	}
	*reply = o;
	return fd;
}

void ctl_dump_json(struct json_t *o)
{
	json_dumpf(o, stdout, JSON_INDENT(2));
	putchar('\n');
}

int ctl_send(const char *sock, const char *req, char *err, size_t errlen)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	size_t len = strlen(req), off = 0;
	int fd;

	if (strlen(sock) >= sizeof(sun.sun_path)) {
		snprintf(err, errlen, "socket path too long: %s", sock);
		return -1;
	}
	strcpy(sun.sun_path, sock);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sun, sizeof(sun))) {
		snprintf(err, errlen, "cannot connect to iiotd at %s: %s "
			 "(is iiotd running? -s PATH or IIOTD_SOCK picks "
			 "another socket)", sock, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	while (off < len) {
		ssize_t w = send(fd, req + off, len - off, MSG_NOSIGNAL);

		if (w < 0 && errno == EINTR)
			continue;
		/* iiotd may refuse and hang up before reading: its answer
		 * is still there to read */
		if (w < 0 && errno == EPIPE)
			break;
		if (w <= 0) {
			snprintf(err, errlen, "write: %s", strerror(errno));
			close(fd);
			return -1;
		}
		off += (size_t)w;
	}
	return fd;
}

json_t *ctl_read_reply(int fd, char *err, size_t errlen)
{
	size_t cap = 65536, len = 0;
	char *buf = malloc(cap), *nl = NULL;
	json_error_t je;
	json_t *o;

	if (!buf) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	/* byte by byte after the line is near: what follows (pcap bytes)
	 * must stay in the socket for the caller */
	for (;;) {
		ssize_t r;

		if (len + 1 >= cap) {
			char *nb = cap < (256U << 20) ? realloc(buf, cap * 2) :
				NULL;

			if (!nb) {
				free(buf);
				snprintf(err, errlen, "reply too large");
				return NULL;
			}
			buf = nb;
			cap *= 2;
		}
		r = read(fd, buf + len, 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		len++;
		if (buf[len - 1] == '\n') {
			nl = buf + len - 1;
			break;
		}
	}
	if (!nl) {
		free(buf);
		snprintf(err, errlen, "iiotd closed the connection without "
			 "an answer");
		return NULL;
	}
	*nl = '\0';
	o = json_loads(buf, 0, &je);
	free(buf);
	if (!o)
		snprintf(err, errlen, "bad reply from iiotd: %s", je.text);
	return o;
}

json_t *ctl_call(const char *sock, const char *req, char *err, size_t errlen)
{
	int fd = ctl_send(sock, req, err, errlen);
	json_t *o;

	if (fd < 0)
		return NULL;
	o = ctl_read_reply(fd, err, errlen);
	close(fd);
	if (o && !json_is_true(json_object_get(o, "ok"))) {
		snprintf(err, errlen, "iiotd: %s", json_string_value(
			json_object_get(o, "error")) ?: "error");
		json_decref(o);
		return NULL;
	}
	return o;
}

const char *ctl_safe(const char *s, char *buf, size_t len)
{
	wire_str(buf, len, s ? s : "", s ? strlen(s) : 0);
	return buf;
}

static const char *jstr(json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));

	return s ? s : "";
}

static long long jint(json_t *o, const char *k)
{
	return json_integer_value(json_object_get(o, k));
}

void ctl_print_devices(FILE *f, json_t *devices)
{
	size_t i;
	json_t *d;

	fprintf(f, "%4s %-13s %-7s %-10s %-26s %-36s %10s %6s\n", "ID", "KIND",
		"ONLINE", "STATE", "ADDRESS", "IDENTITY", "FRAMES", "ERRORS");
	json_array_foreach(devices, i, d) {
		char ident[160] = "", addr[64], safe[sizeof(ident) * 4];
		const char *kind = jstr(d, "kind");

		if (!strcmp(kind, "ecat-slave")) {
			if (json_object_get(d, "station_addr"))
				snprintf(addr, sizeof(addr), "pos %lld @0x%04llx",
					 json_object_get(d, "ring_pos") ?
					 jint(d, "ring_pos") : -1,
					 jint(d, "station_addr"));
			else
				snprintf(addr, sizeof(addr), "pos %lld",
					 jint(d, "ring_pos"));
			if (json_object_get(d, "vendor_id"))
				snprintf(ident, sizeof(ident),
					 "vendor 0x%08llx product 0x%08llx",
					 jint(d, "vendor_id"),
					 jint(d, "product_code"));
			if (json_object_get(d, "al_state"))
				snprintf(ident + strlen(ident),
					 sizeof(ident) - strlen(ident), "%s%s%s",
					 *ident ? " " : "", jstr(d, "al_state"),
					 json_is_true(json_object_get(d,
						"al_error")) ? "+ERR" : "");
		} else {
			snprintf(addr, sizeof(addr), "%s", jstr(d, "mac"));
			if (json_object_get(d, "station_name"))
				snprintf(ident, sizeof(ident), "%s",
					 jstr(d, "station_name"));
			if (json_object_get(d, "ip"))
				snprintf(ident + strlen(ident),
					 sizeof(ident) - strlen(ident), "%s%s",
					 *ident ? " " : "", jstr(d, "ip"));
			if (json_object_get(d, "vendor_id"))
				snprintf(ident + strlen(ident),
					 sizeof(ident) - strlen(ident),
					 "%s%04llx:%04llx", *ident ? " " : "",
					 jint(d, "vendor_id"),
					 jint(d, "device_id"));
			if (!strcmp(kind, "ecat-master"))
				snprintf(ident, sizeof(ident), "%lld slaves",
					 jint(d, "slaves"));
		}
		fprintf(f, "%4lld %-13s %-7s %-10s %-26s %-36s %10lld %6lld\n",
			jint(d, "id"), kind,
			json_is_true(json_object_get(d, "online")) ? "yes" :
			"no", jstr(d, "lifecycle"), addr,
			ctl_safe(ident, safe, sizeof(safe)),
			jint(d, "frames"), jint(d, "errors"));
	}
}

void ctl_print_links(FILE *f, json_t *links)
{
	size_t i;
	json_t *l;

	if (!json_array_size(links))
		return;
	fprintf(f, "\n%4s %-6s %5s %-12s %10s %10s %9s %9s %9s %-4s %8s %8s\n",
		"LINK", "KIND", "SRC", "ID", "FRAMES", "PERIOD_us", "JIT_p50",
		"JIT_p99", "JIT_max", "CLK", "LOST", "WKC_ERR");
	json_array_foreach(links, i, l) {
		char id[24], wkc[24] = "-";
		bool ecat = !strcmp(jstr(l, "kind"), "ecat");

		if (ecat)
			snprintf(id, sizeof(id), "lad 0x%llx", jint(l, "lad"));
		if (ecat)
			snprintf(wkc, sizeof(wkc), "%lld",
				 jint(l, "wkc_errors"));
		else
			snprintf(id, sizeof(id), "0x%04llx",
				 jint(l, "frame_id"));
		fprintf(f, "%4lld %-6s %5lld %-12s %10lld %10.1f %9.1f %9.1f "
			"%9.1f %-4s %8lld %8s\n", jint(l, "id"),
			jstr(l, "kind"), jint(l, "src"), id, jint(l, "frames"),
			json_real_value(json_object_get(l, "period_us")),
			json_real_value(json_object_get(l, "jitter_p50_us")),
			json_real_value(json_object_get(l, "jitter_p99_us")),
			json_real_value(json_object_get(l, "jitter_max_us")),
			jstr(l, "clock"), jint(l, "lost"), wkc);
	}
}
