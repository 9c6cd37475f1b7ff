/*
 * iiotd: the iiot daemon.
 *
 *	iiotd [-dnv] [-f FILE]
 *
 * -d stays in the foreground and logs to stderr; -n checks the
 * configuration (naming the bad line) and exits; -v logs debug lines.
 * Without -f, /etc/iiot/iiotd.conf is read when it exists, else the
 * embedded defaults apply.
 */
#include <errno.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>
#include <event2/thread.h>

#include "core/conf.h"
#include "core/daemon.h"
#include "core/iiotd.h"
#include "core/log.h"

#define IIOTD_CONF_DEFAULT	"/etc/iiot/iiotd.conf"

static void usage(void)
{
	fprintf(stderr, "usage: iiotd [-dnv] [-f FILE]\n");
	exit(2);
}

static void on_term(evutil_socket_t sig, short what, void *arg)
{
	struct iiotd *d = arg;

	(void)what;
	log_info("%s: flushing and exiting", strsignal((int)sig));
	event_base_loopexit(d->base, NULL);
}

static void on_hup(evutil_socket_t sig, short what, void *arg)
{
	(void)sig;
	(void)what;
	iiotd_reload(arg);
}

int main(int argc, char **argv)
{
	struct event *ev_term, *ev_int, *ev_hup;
	struct iiotd d;
	const char *path = NULL;
	char err[1024];
	int ch, foreground = 0, check = 0, verbose = 0;

	memset(&d, 0, sizeof(d));
	while ((ch = getopt(argc, argv, "df:nv")) != -1) {
		switch (ch) {
		case 'd': foreground = 1; break;
		case 'f': path = optarg; break;
		case 'n': check = 1; break;
		case 'v': verbose = 1; break;
		default: usage();
		}
	}
	if (optind != argc)
		usage();
	if (!path && access(IIOTD_CONF_DEFAULT, F_OK) == 0)
		path = IIOTD_CONF_DEFAULT;
	d.conf = path ? conf_load(path, err, sizeof(err)) : conf_empty();
	if (!d.conf) {
		fprintf(stderr, "iiotd: %s\n", err);
		return 1;
	}
	d.conf_path = path;
	if (check) {
		if (iiotd_check_conf(d.conf, err, sizeof(err))) {
			fprintf(stderr, "iiotd: %s\n", err);
			return 1;
		}
		printf("%s: configuration OK\n", path ? path :
		       "(embedded defaults)");
		conf_free(d.conf);
		return 0;
	}
	log_init("iiotd", foreground, verbose);
	if (!foreground && daemon(0, 0))
		fatal("daemon");
	signal(SIGPIPE, SIG_IGN);
	/* few threads: one arena each would keep every burst's peak */
	mallopt(M_ARENA_MAX, 2);
	evthread_use_pthreads();
	d.foreground = foreground;
	d.base = event_base_new();
	if (!d.base)
		fatalx("cannot create the event loop");
	ev_term = evsignal_new(d.base, SIGTERM, on_term, &d);
	ev_int = evsignal_new(d.base, SIGINT, on_term, &d);
	ev_hup = evsignal_new(d.base, SIGHUP, on_hup, &d);
	if (!ev_term || !ev_int || !ev_hup || evsignal_add(ev_term, NULL) ||
	    evsignal_add(ev_int, NULL) || evsignal_add(ev_hup, NULL))
		fatalx("cannot watch signals");
	if (iiotd_start(&d, err, sizeof(err))) {
		log_warnx("%s", err);
		iiotd_stop(&d);
		return 1;
	}
	log_info("started (%s)", path ? path : "embedded defaults");
	event_base_dispatch(d.base);
	iiotd_stop(&d);
	event_free(ev_term);
	event_free(ev_int);
	event_free(ev_hup);
	event_base_free(d.base);
	conf_free(d.conf);
	log_info("exited cleanly");
	return 0;
}
