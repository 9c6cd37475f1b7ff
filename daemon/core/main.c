/*
 * iiotd: the iiot daemon.
 *
 *	iiotd [-dnv] [-f FILE]
 *
 * -d stays in the foreground and logs to stderr; -n checks the
 * configuration (naming the bad line) and exits; -v logs debug lines.
 * Without -f, /etc/iiot/iiotd.conf is read when it exists, else the
 * embedded defaults apply.
 *
 * Without -d the parent waits until the child has started (or failed), so
 * the exit status says whether iiotd runs, and what the start prints to
 * the console (the first run's one-time admin password, a start error)
 * reaches the terminal before the shell prompt returns.
 */
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>
#include <event2/thread.h>
#include <sqlite3.h>

#include "core/conf.h"
#include "core/daemon.h"
#include "core/iiotd.h"
#include "core/log.h"
#include "core/sdnotify.h"

#define IIOTD_CONF_DEFAULT	"/etc/iiot/iiotd.conf"

static void usage(void)
{
	fprintf(stderr, "usage: iiotd [-dnv] [-f FILE]\n");
	exit(2);
}

/*
 * Fork; the parent exits with the child's verdict, read from a pipe: one
 * byte once it runs, EOF if it died first.  The child keeps the terminal
 * as stderr until daemon_ready().
 */
static int daemon_begin(void)
{
	int p[2];
	pid_t pid;
	char c = 0;

	if (pipe2(p, O_CLOEXEC))
		fatal("pipe");
	pid = fork();
	if (pid < 0)
		fatal("fork");
	if (pid > 0) {
		close(p[1]);
		while (read(p[0], &c, 1) < 0 && errno == EINTR)
			;
		_exit(c == 'R' ? 0 : 1);
	}
	close(p[0]);
	if (setsid() < 0)
		fatal("setsid");
	return p[1];
}

/*
 * Started: release the parent and let go of the terminal.  The working
 * directory stays where relative paths (state_dir, socket, -f) point.
 */
static void daemon_ready(int fd, const struct iiotd *d)
{
	int null;

	if (fd < 0)
		return;
	fflush(stderr);
	null = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (null >= 0) {
		dup2(null, STDIN_FILENO);
		dup2(null, STDOUT_FILENO);
		dup2(null, STDERR_FILENO);
		close(null);
	}
	if (d->state_dir[0] == '/' && d->ctl_path[0] == '/' &&
	    (!d->conf_path || d->conf_path[0] == '/') && chdir("/"))
		log_warn("chdir /");
	if (write(fd, "R", 1) != 1)
		log_warn("cannot tell the parent iiotd started");
	close(fd);
}

static void on_term(evutil_socket_t sig, short what, void *arg)
{
	struct iiotd *d = arg;

	(void)what;
	sdnotify("STOPPING=1");
	log_info("%s: flushing and exiting", strsignal((int)sig));
	event_base_loopexit(d->base, NULL);
}

static void on_hup(evutil_socket_t sig, short what, void *arg)
{
	(void)sig;
	(void)what;
	sdnotify("RELOADING=1");
	iiotd_reload(arg);
	sdnotify("READY=1");
}

/* pinged from the event loop itself: a stuck loop stops the pings and
 * systemd restarts iiotd (WatchdogSec) */
static void on_watchdog(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	(void)arg;
	sdnotify("WATCHDOG=1");
}

static struct event *watchdog_start(struct event_base *base)
{
	uint64_t us = sdnotify_watchdog_usec();
	struct timeval tv = { (time_t)(us / 2 / 1000000), (suseconds_t)(us / 2 % 1000000) };
	struct event *ev;

	if (!us)
		return NULL;
	ev = event_new(base, -1, EV_PERSIST, on_watchdog, NULL);
	if (!ev || event_add(ev, &tv))
		fatalx("cannot arm the watchdog timer");
	sdnotify("WATCHDOG=1");
	return ev;
}

int main(int argc, char **argv)
{
	struct event *ev_term, *ev_int, *ev_hup, *ev_wd;
	struct iiotd d;
	const char *path = NULL;
	char err[1024];
	int ch, foreground = 0, check = 0, verbose = 0, ready = -1;

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
	/*
	 * SQLite's memory statistics put one process-wide mutex around
	 * every allocation of every connection: under a capture flood the
	 * store writer allocated all the time and the event loop waited on
	 * it in each request's token check (most of its futex waits).  iiotd
	 * never reads those statistics.  Before any connection is opened.
	 */
	if (sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0) != SQLITE_OK)
		log_warnx("sqlite: memory statistics stay on");
	if (!foreground)
		ready = daemon_begin();
	sdnotify_open();
	signal(SIGPIPE, SIG_IGN);
	/* few threads: one arena each would keep every burst's peak */
	mallopt(M_ARENA_MAX, 2);
	/*
	 * A fixed threshold turns glibc's sliding one off: freeing an mmapped
	 * block (the signal map's parse arrays, a burst's store queue) would
	 * raise it up to 32 MiB, and every later large array (store queues,
	 * snapshot copies) would come from the heap, whose pages stay
	 * resident after the burst.  Mapped, they go back when freed.
	 */
	mallopt(M_MMAP_THRESHOLD, 128 * 1024);
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
		if (!foreground)
			fprintf(stderr, "iiotd: %s\n", err);
		iiotd_stop(&d);
		return 1;
	}
	log_info("started (%s)", path ? path : "embedded defaults");
	daemon_ready(ready, &d);
	snprintf(err, sizeof(err), "READY=1\nMAINPID=%ld\nSTATUS=running", (long)getpid());
	sdnotify(err);
	ev_wd = watchdog_start(d.base);
	event_base_dispatch(d.base);
	if (ev_wd)
		event_free(ev_wd);
	iiotd_stop(&d);
	event_free(ev_term);
	event_free(ev_int);
	event_free(ev_hup);
	event_base_free(d.base);
	conf_free(d.conf);
	log_info("exited cleanly");
	return 0;
}
