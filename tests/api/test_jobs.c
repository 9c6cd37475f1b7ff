/*
 * Unit tests of daemon/api/jobs.c on a real event loop: a job's progress
 * and result, the bound on jobs at once, cancel of a running job and
 * removal of a finished one, failure, the end callback, the visibility
 * filter, and teardown with a job still running (ASan: nothing leaks).
 * A job that must stay running spins on job_progress until told to stop,
 * so nothing here depends on how fast the machine is.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>
#include <event2/event.h>

#include "api/jobs.h"

struct ends {
	int n;
	enum job_state last;
	char why[64];
};

static void on_end(void *arg, const struct job_end *e)
{
	struct ends *x = arg;

	x->n++;
	x->last = e->state;
	snprintf(x->why, sizeof(x->why), "%s", e->why ? e->why : "");
}

/* Counts to 1000 in steps, then answers {"sum": 1000}. */
static json_t *count_run(struct job *j, void *arg, char *why, size_t len)
{
	int i;

	(void)arg;
	(void)why;
	(void)len;
	for (i = 0; i <= 1000; i += 100)
		if (job_progress(j, i, 1000))
			return NULL;
	return json_pack("{si}", "sum", 1000);
}

/* Runs until cancelled; reports progress 1 of 2 meanwhile. */
static json_t *spin_run(struct job *j, void *arg, char *why, size_t len)
{
	struct timespec ms = { 0, 1000000 };

	(void)arg;
	(void)why;
	(void)len;
	while (!job_progress(j, 1, 2))
		nanosleep(&ms, NULL);
	return json_pack("{}");
}

static json_t *fail_run(struct job *j, void *arg, char *why, size_t len)
{
	(void)j;
	(void)arg;
	snprintf(why, len, "disk on fire");
	return NULL;
}

static int freed;

static void arg_free(void *arg)
{
	freed++;
	free(arg);
}

static void loop_until(struct event_base *base, const int *n, int want)
{
	time_t end = time(NULL) + 30;

	while (*n < want && time(NULL) < end)
		event_base_loop(base, EVLOOP_ONCE);
	assert_int_equal(*n, want);
}

static struct jobs *table(struct event_base *base, int max, struct ends *x)
{
	char err[128];
	struct jobs *t = jobs_new(base, max, on_end, x, err, sizeof(err));

	assert_non_null(t);
	return t;
}

static const char *state_of(struct jobs *t, const char *id, json_t **keep)
{
	char owner[64];
	int perm;

	*keep = jobs_get(t, id, owner, &perm);
	assert_non_null(*keep);
	return json_string_value(json_object_get(*keep, "state"));
}

static void test_result_and_progress(void **state)
{
	struct event_base *base = event_base_new();
	struct ends x = { 0 };
	struct jobs *t = table(base, 2, &x);
	struct jobs_counters c;
	struct job *j;
	char owner[64], id[JOB_ID_LEN + 1];
	json_t *o;
	int perm;

	(void)state;
	freed = 0;
	j = jobs_start(t, "count", "alice", 7, count_run, malloc(1), arg_free);
	assert_non_null(j);
	snprintf(id, sizeof(id), "%s", job_id(j));
	assert_int_equal(strlen(id), JOB_ID_LEN);
	loop_until(base, &x.n, 1);
	assert_int_equal(x.last, JOB_DONE);
	assert_int_equal(freed, 1);
	o = jobs_get(t, id, owner, &perm);
	assert_non_null(o);
	assert_string_equal(owner, "alice");
	assert_int_equal(perm, 7);
	assert_string_equal(json_string_value(json_object_get(o, "state")), "done");
	assert_int_equal(json_integer_value(json_object_get(json_object_get(o, "result"), "sum")), 1000);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(o, "progress"), "done")), 1000);
	assert_non_null(json_object_get(o, "finished"));
	json_decref(o);
	assert_null(jobs_get(t, "0000000000000000", owner, &perm));
	jobs_get_counters(t, &c);
	assert_int_equal(c.started, 1);
	assert_int_equal(c.done, 1);
	assert_int_equal(c.running, 0);
	jobs_free(t);
	event_base_free(base);
}

/* running_max at once; the next is refused (EAGAIN), counted, its arg freed. */
static void test_bound_and_cancel(void **state)
{
	struct event_base *base = event_base_new();
	struct ends x = { 0 };
	struct jobs *t = table(base, 1, &x);
	struct jobs_counters c;
	char id[JOB_ID_LEN + 1];
	struct job *j;
	json_t *o;

	(void)state;
	freed = 0;
	j = jobs_start(t, "spin", "bob", 1, spin_run, malloc(1), arg_free);
	assert_non_null(j);
	snprintf(id, sizeof(id), "%s", job_id(j));
	errno = 0;
	assert_null(jobs_start(t, "count", "bob", 1, count_run, malloc(1), arg_free));
	assert_int_equal(errno, EAGAIN);
	assert_int_equal(freed, 1);
	assert_string_equal(state_of(t, id, &o), "running");
	json_decref(o);
	assert_int_equal(jobs_cancel(t, id), 0);	/* asked to stop */
	state_of(t, id, &o);
	assert_true(json_is_true(json_object_get(o, "cancelling")));
	json_decref(o);
	loop_until(base, &x.n, 1);
	assert_int_equal(x.last, JOB_CANCELLED);
	assert_string_equal(state_of(t, id, &o), "cancelled");
	assert_null(json_object_get(o, "result"));
	json_decref(o);
	/* a slot is free again */
	j = jobs_start(t, "count", "bob", 1, count_run, NULL, NULL);
	assert_non_null(j);
	loop_until(base, &x.n, 2);
	/* a finished job is forgotten by a cancel */
	assert_int_equal(jobs_cancel(t, id), 1);
	assert_int_equal(jobs_cancel(t, id), -1);
	jobs_get_counters(t, &c);
	assert_int_equal(c.refused, 1);
	assert_int_equal(c.cancelled, 1);
	assert_int_equal(c.done, 1);
	assert_int_equal(c.started, 2);
	jobs_free(t);
	event_base_free(base);
}

static void test_failure_reason(void **state)
{
	struct event_base *base = event_base_new();
	struct ends x = { 0 };
	struct jobs *t = table(base, 2, &x);
	struct job *j;
	json_t *o;

	(void)state;
	j = jobs_start(t, "fail", "carol", 1, fail_run, NULL, NULL);
	assert_non_null(j);
	loop_until(base, &x.n, 1);
	assert_int_equal(x.last, JOB_FAILED);
	assert_string_equal(x.why, "disk on fire");
	assert_string_equal(state_of(t, job_id(j), &o), "failed");
	assert_string_equal(json_string_value(json_object_get(o, "error")), "disk on fire");
	json_decref(o);
	jobs_free(t);
	event_base_free(base);
}

static int only_alice(void *arg, const char *owner, int perm)
{
	(void)arg;
	return !strcmp(owner, "alice") && perm == 3;
}

static void test_list_filter(void **state)
{
	struct event_base *base = event_base_new();
	struct ends x = { 0 };
	struct jobs *t = table(base, 3, &x);
	json_t *l;

	(void)state;
	assert_non_null(jobs_start(t, "count", "alice", 3, count_run, NULL, NULL));
	assert_non_null(jobs_start(t, "count", "alice", 4, count_run, NULL, NULL));
	assert_non_null(jobs_start(t, "count", "bob", 3, count_run, NULL, NULL));
	loop_until(base, &x.n, 3);
	l = jobs_list(t, only_alice, NULL);
	assert_int_equal(json_array_size(l), 1);
	json_decref(l);
	jobs_free(t);
	event_base_free(base);
}

/* Teardown stops a running job and joins it; no end callback then. */
static void test_free_with_running_job(void **state)
{
	struct event_base *base = event_base_new();
	struct ends x = { 0 };
	struct jobs *t = table(base, 2, &x);
	char err[64];

	(void)state;
	freed = 0;
	assert_non_null(jobs_start(t, "spin", "dave", 1, spin_run, malloc(1), arg_free));
	jobs_free(t);
	assert_int_equal(freed, 1);
	assert_int_equal(x.n, 0);
	assert_null(jobs_new(base, 0, NULL, NULL, err, sizeof(err)));
	assert_null(jobs_new(base, JOBS_LIMIT + 1, NULL, NULL, err, sizeof(err)));
	event_base_free(base);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_result_and_progress),
		cmocka_unit_test(test_bound_and_cancel),
		cmocka_unit_test(test_failure_reason),
		cmocka_unit_test(test_list_filter),
		cmocka_unit_test(test_free_with_running_job),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
