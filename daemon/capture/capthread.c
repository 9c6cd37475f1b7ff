/*
 * The capture thread: runs capture's own event loop (ring wakeups, the
 * one-second tick, snapshots), and runs other threads' changes between two
 * drain turns (capture_call).  Nothing else ever runs on it, so nothing a
 * request does can delay a drain turn; the probe (probe.h) checks that.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "capture/capture_int.h"
#include "core/log.h"

/* the calling thread to nice v, if it may: higher values need no privilege */
static void renice_self(int v, const char *who)
{
	errno = 0;
	if (getpriority(PRIO_PROCESS, 0) == v && !errno)
		return;
	if (setpriority(PRIO_PROCESS, 0, v))
		log_info("capture: %s keeps nice %d, not %d (%s)", who,
			 getpriority(PRIO_PROCESS, 0), v, strerror(errno));
}

static void *capture_main(void *arg)
{
	struct capture *cap = arg;

	pthread_setname_np(pthread_self(), "iiotd-capture");
	/* created at the lower of nice and loop_nice: its own, if higher */
	errno = 0;
	if (getpriority(PRIO_PROCESS, 0) < cap->nice && !errno)
		renice_self(cap->nice, "the capture thread");
	event_base_loop(cap->base, EVLOOP_NO_EXIT_ON_EMPTY);
	return NULL;
}

/*
 * Real-time scheduling: a loaded machine's scheduler, not capture's own
 * work, makes the longest gaps between drain turns (docs/iiotd.md).  A
 * SCHED_FIFO thread runs as soon as its ring wakes it; it sleeps between
 * wakeups, and the kernel keeps 5% of every CPU for the rest
 * (sched_rt_runtime_us) should it ever spin.
 */
static void boost_rt(struct capture *cap)
{
	struct sched_param sp = { .sched_priority = cap->rt_priority };
	int rc;

	if (!cap->rt_priority)
		return;
	rc = pthread_setschedparam(pthread_self(), SCHED_FIFO, &sp);
	if (rc) {
		log_warnx("capture: the capture thread cannot have real-time "
			  "scheduling (SCHED_FIFO %d: %s); it runs at nice %d, "
			  "and API load may delay its drain turns (start iiotd "
			  "as root or with CAP_SYS_NICE, or set [capture] "
			  "rt_priority = 0 to silence this)", cap->rt_priority,
			  strerror(rc), cap->boosted ? cap->nice : cap->main_nice);
		return;
	}
	cap->rt = true;
}

/* the autogroup's nice value: -100 without autogroups */
static int group_nice_now(void)
{
	char buf[128], *p;
	ssize_t n;
	int fd;

	if ((fd = open("/proc/self/autogroup", O_RDONLY | O_CLOEXEC)) < 0)
		return -100;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -100;
	buf[n] = '\0';
	/* "/autogroup-42 nice -10" */
	if (!(p = strstr(buf, " nice ")))
		return -100;
	return atoi(p + 6);
}

static int group_nice_set(int v)
{
	char buf[16];
	int fd, len, rc = 0;

	if ((fd = open("/proc/self/autogroup", O_WRONLY | O_CLOEXEC)) < 0)
		return -1;
	len = snprintf(buf, sizeof(buf), "%d", v);
	if (write(fd, buf, (size_t)len) != len)
		rc = -1;
	close(fd);
	return rc;
}

/*
 * The scheduling group.  With autogroups the kernel shares the CPUs
 * between sessions (their groups) first and by the threads' nice values
 * only inside a group: loop_nice puts the main loop ahead of iiotd's own
 * threads and of nothing else.  Measured under a capture flood, the
 * main loop's longest wait for a CPU (wakeup to run, perf sched) was 50-
 * 150 ms while its group had used its share (docs/soak.md "Floods").
 * The group is the session's: only a session of iiotd's own is iiotd's to
 * change (daemon mode, a systemd service); in another (iiotd -d from a
 * shell) it would raise the shell and all it starts.  Under a cgroup with
 * the CPU controller (systemd's CPUWeight=) the group is not used and
 * the unit's weight decides.
 */
static void group_renice(struct capture *cap)
{
	int now = group_nice_now(), tries;

	if (!cap->group_nice)
		return;
	/* asked first: a session that never called setsid() (init's, a
	 * container's) has no autogroup and reads empty, and is still not
	 * iiotd's to change */
	if (getsid(0) != getpid()) {
		log_info("capture: iiotd shares the scheduling group of the "
			 "session that started it; [capture] group_nice "
			 "applies to a session of its own (daemon mode, a "
			 "systemd service, setsid)");
		return;
	}
	if (now == -100 || now == cap->group_nice)
		return;
	/* EAGAIN: without CAP_SYS_ADMIN one change per 100 ms, machine
	 * wide */
	for (tries = 0; tries < 3; tries++) {
		if (!group_nice_set(cap->group_nice)) {
			log_info("capture: iiotd's scheduling group runs at "
				 "nice %d", cap->group_nice);
			return;
		}
		if (errno != EAGAIN)
			break;
		nanosleep(&(struct timespec){ 0, 110 * 1000000L }, NULL);
	}
	log_warnx("capture: iiotd's scheduling group keeps nice %d, not %d "
		  "(%s); under load the API waits for the other sessions' "
		  "work (start iiotd as root or with CAP_SYS_NICE, or set "
		  "[capture] group_nice = 0 to silence this)", now,
		  cap->group_nice, strerror(errno));
}

void capture_boost(struct capture *cap)
{
	/* the lower of the two: the main loop's is set from it later */
	int want = cap->nice < cap->loop_nice ? cap->nice : cap->loop_nice;

	errno = 0;
	cap->main_nice = getpriority(PRIO_PROCESS, 0);
	if (!errno && want < cap->main_nice) {
		if (setpriority(PRIO_PROCESS, 0, want))
			log_info("capture: the capture thread and the main loop "
				 "keep nice %d (%s)", cap->main_nice,
				 strerror(errno));
		else
			cap->boosted = true;
	}
	boost_rt(cap);
	group_renice(cap);
}

struct ccall {
	void (*fn)(void *arg);
	void *arg;
	bool publish;		/* fn changed something readers see */
	struct capsnap *snap;	/* made after fn, for the caller to swap in */
	bool done;
	struct ccall *next;	/* under call_mu: the queue */
};

static void taking_calls(struct capture *cap, bool on)
{
	pthread_mutex_lock(&cap->call_mu);
	cap->taking_calls = on;
	pthread_mutex_unlock(&cap->call_mu);
}

static struct ccall *take_calls(struct capture *cap)
{
	struct ccall *c;

	pthread_mutex_lock(&cap->call_mu);
	c = cap->calls;
	cap->calls = NULL;
	cap->calls_tail = &cap->calls;
	pthread_mutex_unlock(&cap->call_mu);
	return c;
}

/* on the capture thread, or on the one that halted it */
static void run_calls(struct capture *cap, struct ccall *c, bool on_thread)
{
	struct ccall *next;
	uint64_t t0;

	for (; c; c = next) {
		/* c is the caller's: gone once done is seen */
		next = c->next;
		t0 = capture_now_ns();
		c->fn(c->arg);
		if (c->publish && on_thread)
			c->snap = capsnap_make(cap);
		else if (c->publish)
			capsnap_publish(cap);
		if (on_thread)
			capture_busy(cap, PROBE_BUSY_CALL, t0);
		pthread_mutex_lock(&cap->call_mu);
		c->done = true;
		pthread_cond_broadcast(&cap->call_cv);
		pthread_mutex_unlock(&cap->call_mu);
	}
}

static void on_calls(evutil_socket_t fd, short what, void *arg)
{
	struct capture *cap = arg;

	(void)fd;
	(void)what;
	run_calls(cap, take_calls(cap), true);
}

/*
 * The main loop's real-time safety net.  RLIMIT_RTTIME counts, per
 * thread, CPU time on a real-time policy since the thread last slept; at
 * the soft limit the kernel sends the process SIGXCPU (it cannot say
 * which thread: the capture thread under an overload it cannot drain
 * counts too).  The handler puts the main loop back to SCHED_OTHER, which
 * needs no privilege; a loop spinning on a bug cannot hold a core from
 * the store writer and the rest.  The capture thread's tick logs it.
 */
static pid_t loop_tid;
static volatile sig_atomic_t loop_demoted;

static void on_xcpu(int sig)
{
	struct sched_param sp = { .sched_priority = 0 };
	int e = errno;

	(void)sig;
	/* the flag cannot be cleared without privilege: kept */
	if (loop_tid && !syscall(SYS_sched_setscheduler, loop_tid,
				 SCHED_OTHER | SCHED_RESET_ON_FORK, &sp))
		loop_demoted = 1;
	errno = e;
}

void capture_rt_watch(struct capture *cap)
{
	if (!loop_demoted || cap->loop_demote_told)
		return;
	cap->loop_demote_told = true;
	log_warnx("capture: a real-time thread of iiotd ran %d ms without "
		  "sleeping (the main loop, or capture under a flood it cannot "
		  "drain): the main loop runs SCHED_OTHER at nice %d from now "
		  "on", CAPTURE_LOOP_RTTIME_US / 1000, cap->loop_nice);
}

/*
 * On the main loop, once the capture thread runs at rt_priority: the
 * loop's own real-time priority, below it ([capture] loop_rt_priority).
 * A lower priority of the same policy needs no privilege, so this works
 * after the drop; SCHED_RESET_ON_FORK keeps the threads the loop starts
 * later (jobs, pollers) from inheriting it.
 */
static bool loop_rt(struct capture *cap)
{
	struct sched_param sp = { .sched_priority = cap->loop_rt_priority };
	struct rlimit rl;
	struct sigaction sa;

	if (!cap->loop_rt_priority || cap->loop_rt_priority >= cap->rt_priority)
		return false;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_xcpu;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	loop_tid = (pid_t)syscall(SYS_gettid);
	if (getrlimit(RLIMIT_RTTIME, &rl) || sigaction(SIGXCPU, &sa, NULL)) {
		log_warn("capture: the main loop stays SCHED_OTHER");
		return false;
	}
	if (rl.rlim_cur == RLIM_INFINITY ||
	    rl.rlim_cur > CAPTURE_LOOP_RTTIME_US) {
		rl.rlim_cur = CAPTURE_LOOP_RTTIME_US;
		if (rl.rlim_max != RLIM_INFINITY &&
		    rl.rlim_max < rl.rlim_cur)
			rl.rlim_cur = rl.rlim_max;
		if (setrlimit(RLIMIT_RTTIME, &rl)) {
			log_warn("capture: RLIMIT_RTTIME; the main loop stays "
				 "SCHED_OTHER");
			return false;
		}
	}
	if (sched_setscheduler(0, SCHED_FIFO | SCHED_RESET_ON_FORK, &sp)) {
		log_warn("capture: the main loop cannot have SCHED_FIFO %d",
			 cap->loop_rt_priority);
		return false;
	}
	log_info("capture: the main loop (API, SSE, control socket) runs "
		 "SCHED_FIFO at priority %d, below the capture thread's; "
		 "back to SCHED_OTHER after %d ms on a CPU without sleeping",
		 cap->loop_rt_priority, CAPTURE_LOOP_RTTIME_US / 1000);
	return true;
}

int capture_run(struct capture *cap, char *err, size_t errlen)
{
	sigset_t all, old;
	int rc;

	if (cap->running)
		return 0;
	if (!cap->ev_call &&
	    !(cap->ev_call = event_new(cap->base, -1, 0, on_calls, cap))) {
		snprintf(err, errlen, "capture: out of memory");
		return -1;
	}
	/* signals belong to the main loop */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	/* the thread reads it from its first snapshot on */
	cap->running = true;
	taking_calls(cap, true);
	rc = pthread_create(&cap->thread, NULL, capture_main, cap);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	/* SCHED_OTHER and a higher nice value need no privilege: the
	 * caller's go back */
	if (cap->rt) {
		struct sched_param sp = { .sched_priority = 0 };

		if (!(!rc && loop_rt(cap)) &&
		    pthread_setschedparam(pthread_self(), SCHED_OTHER, &sp))
			log_warnx("capture: cannot leave SCHED_FIFO");
		cap->rt = false;
		if (!rc)
			log_info("capture: the capture thread runs SCHED_FIFO "
				 "at priority %d", cap->rt_priority);
	}
	if (cap->boosted) {
		if (!rc)
			log_info("capture: the capture thread runs at nice %d",
				 cap->nice);
	}
	/* without the boost only a higher value than iiotd's own is ours */
	if (cap->boosted || cap->loop_nice >= cap->main_nice) {
		renice_self(cap->loop_nice, "the main loop");
		log_info("capture: the main loop (API, SSE, control socket) "
			 "runs at nice %d", getpriority(PRIO_PROCESS, 0));
	}
	cap->boosted = false;
	if (rc) {
		taking_calls(cap, false);
		cap->running = false;
		snprintf(err, errlen, "capture: cannot start its thread: %s",
			 strerror(rc));
		return -1;
	}
	return 0;
}

/*
 * A call made just as capture stops must not wait for a loop that is
 * gone: once capture_halt began, calls run on the caller (which owns
 * capture again), and the ones queued before, which the loop left, run
 * on the halting thread after the join.  Before, a thread that saw the
 * capture thread up and queued its call as the loop broke waited for
 * ever, and so did whoever joined it (the baseline saver at shutdown).
 */
void capture_halt(struct capture *cap)
{
	if (!cap->running)
		return;
	taking_calls(cap, false);
	event_base_loopbreak(cap->base);
	pthread_join(cap->thread, NULL);
	cap->running = false;
	run_calls(cap, take_calls(cap), false);
}

/*
 * The caller waits; the capture thread never does: it runs the call when
 * its loop gets to it, between two drain turns.
 */
static void call(struct capture *cap, void (*fn)(void *arg), void *arg,
		 bool publish)
{
	struct ccall c = { fn, arg, publish, NULL, false, NULL };

	pthread_mutex_lock(&cap->call_mu);
	if (!cap->taking_calls || pthread_equal(pthread_self(), cap->thread)) {
		pthread_mutex_unlock(&cap->call_mu);
		fn(arg);
		if (publish)
			capsnap_publish(cap);
		return;
	}
	*cap->calls_tail = &c;
	cap->calls_tail = &c.next;
	event_active(cap->ev_call, EV_TIMEOUT, 0);
	while (!c.done)
		pthread_cond_wait(&cap->call_cv, &cap->call_mu);
	pthread_mutex_unlock(&cap->call_mu);
	/* the caller, not the capture thread, may wait for readers */
	capsnap_swap(cap, c.snap);
}

void capture_call(struct capture *cap, void (*fn)(void *arg), void *arg)
{
	call(cap, fn, arg, true);
}

void capture_read(struct capture *cap, void (*fn)(void *arg), void *arg)
{
	call(cap, fn, arg, false);
}
