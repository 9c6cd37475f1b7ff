/* iiotctl's side of the control socket, and its table printers. */
#ifndef IIOTD_CTLCLIENT_H
#define IIOTD_CTLCLIENT_H

#include <stdio.h>

struct json_t;

/*
 * The socket to talk to: -s PATH, else $IIOTD_SOCK, else var/iiotd.sock of
 * the source tree iiotctl was built in (what "make run" uses), else the
 * packaged default under /var/lib/iiot.
 */
const char *ctl_socket_path(const char *opt);

/* Connect and send one request line; the fd, or -1 with err. */
int ctl_send(const char *sock, const char *req, char *err, size_t errlen);
/* Read the JSON reply line from fd (leaves fd open); NULL with err. */
struct json_t *ctl_read_reply(int fd, char *err, size_t errlen);
/* Both, closing fd; a reply with "ok":false becomes NULL + its error. */
struct json_t *ctl_call(const char *sock, const char *req, char *err,
			size_t errlen);

/* Shared by "devices" and "inventory". */
void ctl_print_devices(FILE *f, struct json_t *devices);
void ctl_print_links(FILE *f, struct json_t *links);

/* Common option: "-s PATH" / "--socket PATH"; returns 1 when consumed. */
int ctl_opt_socket(int argc, char **argv, int *i, const char **sock);

/*
 * A subcommand's options and operands: -s SOCK, the options of opts (a
 * flag sets *flag to 1, an option with a value sets *val to it; the list
 * ends with a NULL name) and at most max operands into args (*n of
 * them).  0, or -1 for usage: an unknown option, a missing value, too
 * many operands.
 */
struct ctl_opt {
	const char *name;	/* "--json" */
	int *flag;		/* or */
	const char **val;
};
int ctl_opts(int argc, char **argv, const char **sock,
	     const struct ctl_opt *opts, const char **args, int max, int *n);

/*
 * Options of the query commands: [-s SOCK] [--json].  Returns 0, or prints
 * "usage: iiotctl <argv[0]> [-s SOCK] [--json]" and returns 2.
 */
int ctl_query_opts(int argc, char **argv, const char **sock, int *as_json);

/* ctl_call that reports its error on stderr; NULL on failure. */
struct json_t *ctl_query(const char *sock, const char *req);

/*
 * Send a request whose "ok" reply is followed by a stream (monitor,
 * export-pcap): the fd positioned after the reply, with the reply in *reply
 * (caller frees), or -1 after reporting the error on stderr.
 */
int ctl_open_stream(const char *sock, const char *req, struct json_t **reply);

/*
 * Text from the daemon made safe for a terminal (wire_str: no controls,
 * printable UTF-8), into buf; returns buf.  Names and history quote
 * frames, and a daemon of another version may not have escaped them.
 */
const char *ctl_safe(const char *s, char *buf, size_t len);

/* Indented JSON and a newline on stdout. */
void ctl_dump_json(struct json_t *o);

#endif
