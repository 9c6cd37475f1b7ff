/*
 * daemon/eval: the checks on a real auth.db and audit.db in a scratch
 * state directory, the report and its HTML, and eval.db's tracking of
 * nonconformities from open to closed to verified, reopened when a check
 * fails again.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include <sqlite3.h>

#include "auth/authdb.h"
#include "core/conf.h"
#include "eval/evaldb.h"
#include "eval/evaluate.h"

static char dir[64];

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/iiot-test-eval.XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd);
}

static const json_t *find(const json_t *rep, const char *id)
{
	const json_t *c;
	size_t i;

	json_array_foreach(json_object_get(rep, "checks"), i, c)
		if (!strcmp(json_string_value(json_object_get(c, "id")), id))
			return c;
	return NULL;
}

static const char *result(const json_t *rep, const char *id)
{
	const json_t *c = find(rep, id);

	return c ? json_string_value(json_object_get(c, "result")) : "missing";
}

static json_t *evaluate(struct authdb *db)
{
	struct eval e;
	json_t *r;

	eval_init(&e);
	eval_identity(&e, db);
	eval_audit(&e, db, dir);
	eval_system(&e, dir);
	r = eval_report(&e, dir, 1767225600);
	eval_free(&e);
	return r;
}

/* a weakened setting fails exactly its check, with the setting as evidence */
static void test_weakened_lockout_is_the_one_nonconformity(void **state)
{
	char err[256];
	const char *why;
	struct authdb *db = authdb_open(dir, err, sizeof(err));
	json_t *before, *after;
	const json_t *c;
	size_t i;

	(void)state;
	assert_non_null(db);
	before = evaluate(db);
	assert_string_equal(result(before, "lockout"), "pass");
	assert_string_equal(result(before, "session.limits"), "pass");
	assert_string_equal(result(before, "audit.retention"), "pass");
	assert_string_equal(result(before, "disk.headroom"), "pass");
	assert_int_equal(setting_set(db, "lockout.threshold", "50", &why), 0);
	after = evaluate(db);
	json_array_foreach(json_object_get(after, "checks"), i, c) {
		const char *id = json_string_value(json_object_get(c, "id"));

		if (!strcmp(id, "lockout"))
			assert_string_equal(json_string_value(json_object_get(c, "result")), "fail");
		else
			assert_string_equal(json_string_value(json_object_get(c, "result")),
					    result(before, id));
	}
	assert_string_equal(json_string_value(json_object_get(find(after, "lockout"), "evidence")),
			    "lockout.threshold = 50, lockout.minutes = 30");
	assert_int_equal(json_integer_value(json_object_get(after, "failed")),
			 json_integer_value(json_object_get(before, "failed")) + 1);
	json_decref(before);
	json_decref(after);
	authdb_close(db);
}

/* no certificate, no [backup]: failures with a reason, never a crash */
static void test_missing_certificate_and_backup_fail_with_evidence(void **state)
{
	struct conf *c = conf_empty();
	char path[256];
	struct eval e;
	json_t *r;
	X509 *x;

	(void)state;
	eval_init(&e);
	x = eval_cert_load(c, dir, path, sizeof(path));
	assert_null(x);
	eval_certificate(&e, x, path);
	eval_backups(&e, NULL, NULL, "no key");
	r = eval_report(&e, dir, 0);
	assert_string_equal(result(r, "tls.certificate"), "fail");
	assert_non_null(strstr(json_string_value(json_object_get(find(r, "tls.certificate"),
								 "evidence")), "tls/cert.pem"));
	assert_string_equal(result(r, "tls.protocol"), "pass");
	assert_string_equal(result(r, "backup.recent"), "fail");
	assert_int_equal(json_integer_value(json_object_get(r, "score")), 33);
	json_decref(r);
	eval_free(&e);
	conf_free(c);
}

static void test_html_report_escapes_evidence(void **state)
{
	struct eval e;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	json_t *r;

	(void)state;
	eval_init(&e);
	eval_add(&e, "x", "area", "req", 0, "<script>&\"");
	eval_add(&e, "y", "area", "req", 1, "fine");
	r = eval_report(&e, dir, 0);
	assert_int_equal(eval_html(f, r), 0);
	assert_non_null(strstr(buf, "&lt;script&gt;&amp;&quot;"));
	assert_null(strstr(buf, "<script>"));
	assert_non_null(strstr(buf, "1 passed, 1 failed"));
	free(buf);
	json_decref(r);
	eval_free(&e);
}

static json_t *report(int lockout_pass, int mfa_pass)
{
	struct eval e;
	json_t *r;

	eval_init(&e);
	eval_add(&e, "lockout", "identification", "lockout", lockout_pass, "threshold %d",
		 lockout_pass ? 5 : 50);
	eval_add(&e, "mfa.enrolled", "identification", "mfa", mfa_pass, "mfa");
	r = eval_report(&e, dir, 0);
	eval_free(&e);
	return r;
}

static const char *nc_state(sqlite3 *db, int64_t id)
{
	static char s[16];
	json_t *nc = evaldb_nc(db, id);

	snprintf(s, sizeof(s), "%s", nc ? json_string_value(json_object_get(nc, "state")) : "none");
	json_decref(nc);
	return s;
}

static int64_t record(sqlite3 *db, json_t *rep, int64_t ms, size_t nchanged)
{
	json_t *ch = NULL;
	int64_t run = evaldb_record(db, rep, "test", ms, &ch);

	assert_true(run > 0);
	assert_int_equal(json_array_size(ch), nchanged);
	json_decref(ch);
	json_decref(rep);
	return run;
}

/* open -> (close) closed -> (fails) reopened -> closed -> (passes) verified -> new */
static void test_nonconformity_open_closed_reopened_verified(void **state)
{
	char err[256];
	sqlite3 *db = evaldb_open(dir, err, sizeof(err));
	json_t *ncs, *nc, *runs, *run;
	int64_t id, r1;
	int code;

	(void)state;
	assert_non_null(db);
	r1 = record(db, report(0, 1), 1000, 1);
	ncs = evaldb_ncs(db, "open", 10);
	assert_int_equal(json_array_size(ncs), 1);
	nc = json_array_get(ncs, 0);
	id = json_integer_value(json_object_get(nc, "id"));
	assert_string_equal(json_string_value(json_object_get(nc, "check")), "lockout");
	assert_string_equal(json_string_value(json_object_get(nc, "evidence")), "threshold 50");
	assert_int_equal(json_integer_value(json_object_get(nc, "opened_run")), r1);
	json_decref(ncs);
	record(db, report(0, 1), 2000, 0);	/* still failing: no new one */
	assert_string_equal(nc_state(db, id), "open");
	record(db, report(1, 1), 2500, 0);	/* passing alone does not close it */
	assert_string_equal(nc_state(db, id), "open");

	assert_int_equal(evaldb_close_nc(db, id, "admin", "threshold back to 5", 3000, &code, err,
					 sizeof(err)), 0);
	assert_string_equal(nc_state(db, id), "closed");
	assert_int_equal(evaldb_close_nc(db, id, "admin", "again", 3001, &code, err, sizeof(err)),
			 -1);
	assert_int_equal(code, 409);
	assert_int_equal(evaldb_close_nc(db, 999, "admin", "x", 3001, &code, err, sizeof(err)), -1);
	assert_int_equal(code, 404);

	record(db, report(0, 1), 4000, 1);	/* the fix did not hold: reopened */
	nc = evaldb_nc(db, id);
	assert_string_equal(json_string_value(json_object_get(nc, "state")), "open");
	assert_int_equal(json_integer_value(json_object_get(nc, "reopened")), 1);
	assert_string_equal(json_string_value(json_object_get(nc, "action")), "threshold back to 5");
	json_decref(nc);

	assert_int_equal(evaldb_close_nc(db, id, "admin", "fixed for good", 5000, &code, err,
					 sizeof(err)), 0);
	record(db, report(1, 1), 6000, 0);
	nc = evaldb_nc(db, id);
	assert_string_equal(json_string_value(json_object_get(nc, "state")), "verified");
	assert_int_equal(json_integer_value(json_object_get(nc, "verified_ms")), 6000);
	json_decref(nc);

	record(db, report(0, 0), 7000, 2);	/* a new one, naming the verified one */
	ncs = evaldb_ncs(db, "open", 10);
	assert_int_equal(json_array_size(ncs), 2);
	nc = json_array_get(ncs, 1);
	assert_string_equal(json_string_value(json_object_get(nc, "check")), "lockout");
	assert_int_equal(json_integer_value(json_object_get(nc, "previous")), id);
	json_decref(ncs);

	runs = evaldb_runs(db, 3);
	assert_int_equal(json_array_size(runs), 3);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(runs, 0), "ts_ms")), 7000);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(runs, 0), "score")), 0);
	json_decref(runs);
	run = evaldb_run(db, r1);
	assert_int_equal(json_array_size(json_object_get(run, "checks")), 2);
	assert_string_equal(result(run, "lockout"), "fail");
	json_decref(run);
	assert_null(evaldb_run(db, 999));
	assert_int_equal(evaldb_last_ms(db), 7000);
	evaldb_close(db);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_weakened_lockout_is_the_one_nonconformity),
		cmocka_unit_test(test_missing_certificate_and_backup_fail_with_evidence),
		cmocka_unit_test(test_html_report_escapes_evidence),
		cmocka_unit_test(test_nonconformity_open_closed_reopened_verified),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
