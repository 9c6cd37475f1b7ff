/*
 * Background jobs: work too long for the event loop (verifying a 5 M-row
 * audit chain takes seconds) runs on a thread of its own, with a database
 * connection of its own, and reports progress; the API answers 202 with
 * the job's id and GET /api/v1/jobs/{id} follows it.
 *
 * At most running_max jobs run at once; more are refused (EAGAIN), so a
 * client cannot start unbounded threads.  Finished jobs are kept for
 * JOBS_KEEP_MS (at most JOBS_KEPT, the oldest finished go first) for their
 * result to be read.  Everything here runs on the loop thread except the
 * run function, which talks back only through job_progress().  Used by
 * the API (daemon/api/h_jobs.c) and the control socket's pcap exports.
 */
#ifndef IIOT_JOBS_H
#define IIOT_JOBS_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#define JOBS_RUNNING_MAX	2	/* [api] jobs: default */
#define JOBS_LIMIT		8	/* [api] jobs: most */
#define JOBS_KEPT		32
#define JOBS_KEEP_MS		(3600 * 1000)
#define JOB_ID_LEN		16	/* hex digits */
#define JOBS_NICE		10	/* job threads' nice value: capture and the loop first */

struct event_base;
struct jobs;
struct job;

enum job_state { JOB_RUNNING, JOB_DONE, JOB_FAILED, JOB_CANCELLED };

/*
 * On the job's thread.  Returns the result (JSON, taken) or NULL with why
 * set; when job_progress() said stop, the return is ignored (cancelled).
 */
typedef json_t *(*job_run_fn)(struct job *j, void *arg, char *why, size_t whylen);

/* What the loop learns when a job ends (for its audit row). */
struct job_end {
	const char *id, *kind, *owner;
	enum job_state state;
	const json_t *result;	/* JOB_DONE only */
	const char *why;	/* JOB_FAILED */
	void *arg;		/* the job's, freed after this */
};
typedef void (*job_end_fn)(void *arg, const struct job_end *e);

#define JOBS_COUNTERS(X) \
	X(started,	"jobs started")				\
	X(refused,	"jobs refused: too many running")	\
	X(done,		"jobs finished with a result")		\
	X(failed,	"jobs failed")				\
	X(cancelled,	"jobs cancelled")			\
	X(running,	"jobs running now")

struct jobs_counters {
#define JOBS_X_FIELD(n, d) uint64_t n;
	JOBS_COUNTERS(JOBS_X_FIELD)
#undef JOBS_X_FIELD
};

struct jobs *jobs_new(struct event_base *base, int running_max, job_end_fn end,
		      void *end_arg, char *err, size_t errlen);
/* Cancels the running jobs and waits for their threads. */
void jobs_free(struct jobs *t);

/*
 * Start run(j, arg) on a new thread; arg_free(arg) after it ends.  The job
 * belongs to owner and is readable with perm (the caller checks).  NULL
 * with errno EAGAIN when running_max run already (counted), else ENOMEM
 * or what pthread_create said; arg_free(arg) is called then too.
 */
struct job *jobs_start(struct jobs *t, const char *kind, const char *owner, int perm,
		       job_run_fn run, void *arg, void (*arg_free)(void *));
const char *job_id(const struct job *j);

/* Job thread: done of total so far.  1 when the job is to stop. */
int job_progress(struct job *j, int64_t done, int64_t total);

/*
 * The job's state as JSON (id, kind, owner, state, progress, result or
 * error, times); owner and perm for the caller's check.  NULL: no such job.
 */
json_t *jobs_get(struct jobs *t, const char *id, char owner[64], int *perm);
/* Ask a running job to stop (0), forget a finished one (1), -1: no such job. */
int jobs_cancel(struct jobs *t, const char *id);
/* The jobs for which visible(arg, owner, perm) says 1, newest first. */
json_t *jobs_list(struct jobs *t, int (*visible)(void *arg, const char *owner, int perm),
		  void *arg);

void jobs_get_counters(struct jobs *t, struct jobs_counters *out);
int jobs_running_max(const struct jobs *t);

#endif
