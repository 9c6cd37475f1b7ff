/*
 * The conformity checks of the self-evaluation (evaluate.h), shared by
 * "iiotctl evaluate" and iiotd's schedule.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>
#include <sys/timex.h>

#include <openssl/pem.h>

#include "auth/audit.h"
#include "auth/authdb.h"
#include "backup/backup.h"
#include "core/conf.h"
#include "eval/evaluate.h"

void eval_init(struct eval *e)
{
	e->checks = json_array();
	e->fails = 0;
}

void eval_free(struct eval *e)
{
	json_decref(e->checks);
	e->checks = NULL;
}

void eval_add(struct eval *e, const char *id, const char *area, const char *req, int pass,
	      const char *fmt, ...)
{
	char evidence[EVAL_EVIDENCE_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(evidence, sizeof(evidence), fmt, ap);
	va_end(ap);
	json_array_append_new(e->checks, json_pack("{ss ss ss ss ss}", "id", id, "area", area,
						   "requirement", req, "result",
						   pass ? "pass" : "fail", "evidence", evidence));
	e->fails += !pass;
}

struct mfa_walk {
	struct authdb *db;
	char missing[512];
	int n;
};

static void mfa_one(void *arg, const struct user *u)
{
	struct mfa_walk *m = arg;
	size_t l = strlen(m->missing);

	if (u->disabled || !setting_mfa_required(m->db, u->role) || u->totp_on)
		return;
	m->n++;
	snprintf(m->missing + l, sizeof(m->missing) - l, "%s%s (%s)", l ? ", " : "", u->name,
		 role_name(u->role));
}

void eval_identity(struct eval *e, struct authdb *db)
{
	struct mfa_walk m = { .db = db };
	char v[256], prof[32];
	long age, thr, mins, idle, aidle, abs;

	setting_get(db, "mfa.required_roles", v, sizeof(v));
	eval_add(e, "mfa.roles", "identification", "TOTP required for admin and engineer",
		 strstr(v, "admin") && strstr(v, "engineer"), "mfa.required_roles = %s", v);
	user_list(db, mfa_one, &m);
	eval_add(e, "mfa.enrolled", "identification", "every enabled user of those roles has TOTP on",
		 !m.n, "%s%s", m.n ? "without TOTP: " : "all enrolled", m.missing);
	setting_get(db, "password.profile", prof, sizeof(prof));
	age = setting_int(db, "password.max_age_days");
	eval_add(e, "password.policy", "identification",
		 "password profile gbt22239 (character classes, expiry at most 90 days)",
		 !strcmp(prof, "gbt22239") && age <= 90,
		 "password.profile = %s, password.max_age_days = %ld", prof, age);
	thr = setting_int(db, "lockout.threshold");
	mins = setting_int(db, "lockout.minutes");
	eval_add(e, "lockout", "identification",
		 "lockout after at most 5 failures, for at least 10 minutes",
		 thr <= 5 && mins >= 10, "lockout.threshold = %ld, lockout.minutes = %ld", thr, mins);
	idle = setting_int(db, "session.idle_minutes");
	aidle = setting_int(db, "session.idle_minutes_admin");
	abs = setting_int(db, "session.absolute_hours");
	eval_add(e, "session.limits", "access control",
		 "sessions end after at most 30 idle minutes (15 for admins) and 12 hours",
		 idle <= 30 && aidle <= 15 && abs <= 12,
		 "session.idle_minutes = %ld, session.idle_minutes_admin = %ld, "
		 "session.absolute_hours = %ld", idle, aidle, abs);
}

void eval_audit(struct eval *e, struct authdb *db, const char *dir)
{
	struct audit_report r;
	char err[512];
	struct audit *a = audit_open_dir(dir, err, sizeof(err));
	long days = setting_int(db, "audit.retention_days");
	int rc;

	if (!a) {
		eval_add(e, "audit.chain", "security audit", "the audit chain verifies", 0, "%s", err);
	} else {
		rc = audit_verify(a, &r);
		audit_close(a);
		eval_add(e, "audit.chain", "security audit", "the audit chain verifies", rc == 0,
			 "%s %lld rows%s%s", rc == 0 ? "intact:" : "broken after", (long long)r.rows,
			 rc == 0 ? "" : ": ", rc == 0 ? "" : r.reason);
	}
	eval_add(e, "audit.retention", "security audit", "audit records kept at least 180 days",
		 days >= AUDIT_MIN_RETENTION_DAYS, "audit.retention_days = %ld", days);
}

X509 *eval_cert_load(const struct conf *c, const char *dir, char *path, size_t len)
{
	const char *cert = conf_get(c, "api", "cert");
	X509 *x = NULL;
	FILE *f;

	if (cert)
		snprintf(path, len, "%s", cert);
	else
		snprintf(path, len, "%s/tls/cert.pem", dir);
	f = fopen(path, "re");
	if (f) {
		x = PEM_read_X509(f, NULL, NULL, NULL);
		fclose(f);
	}
	return x;
}

void eval_certificate(struct eval *e, X509 *x, const char *path)
{
	int day = 0, sec = 0;

	if (!x || !ASN1_TIME_diff(&day, &sec, NULL, X509_get0_notAfter(x)))
		eval_add(e, "tls.certificate", "communication", "a valid TLS certificate", 0,
			 "%s: cannot read a certificate", path);
	else
		eval_add(e, "tls.certificate", "communication",
			 "the TLS certificate is valid for at least 14 more days",
			 day >= EVAL_CERT_SOON_DAYS, "%s expires in %d days", path, day);
	eval_add(e, "tls.protocol", "communication", "TLS 1.2 or later with AEAD suites only", 1,
		 "fixed in iiotd (daemon/api/tls.c): minimum TLS 1.2, no compression or renegotiation");
}

int eval_secret(const struct conf *c, const char *keyfile, struct bak_secret *s, char *err,
		size_t errlen)
{
	struct bak_conf b;

	if (keyfile)
		return bak_secret_keyfile(s, keyfile, err, errlen);
	if (bak_conf_get(c, &b, err, errlen))
		return -1;
	if (!b.configured) {
		snprintf(err, errlen, "no [backup] in the configuration");
		return -1;
	}
	return bak_conf_secret(&b, s, err, errlen);
}

#define BAK_RECENT_REQ	"the newest backup is at most two intervals old"
#define BAK_OK_REQ	"the newest backup decrypts and every checksum matches"

void eval_backups(struct eval *e, const struct bak_conf *b, const struct bak_secret *s,
		  const char *why)
{
	struct bak_manifest *m;
	struct bak_listing l[1];
	char err[512], path[4200];
	long long age, limit;
	int n;

	if (!b || !b->configured) {
		eval_add(e, "backup.recent", "backup and recovery", "scheduled encrypted backups", 0,
			 "no [backup] in the configuration");
		return;
	}
	limit = 2 * (long long)(b->interval_ms ? b->interval_ms : BAK_DEFAULT_INTERVAL_MS) / 1000;
	n = bak_list(b->dir, l, 1, err, sizeof(err));
	age = n > 0 ? (long long)(time(NULL) - l[0].when) : -1;
	if (n <= 0) {
		eval_add(e, "backup.recent", "backup and recovery", BAK_RECENT_REQ, 0,
			 "no backup in %s", b->dir);
		return;
	}
	eval_add(e, "backup.recent", "backup and recovery", BAK_RECENT_REQ, age <= limit,
		 "%s: %lld s old (limit %lld s)", l[0].name, age, limit);
	if (!s || bak_path(path, sizeof(path), "%s/%s", b->dir, l[0].name)) {
		eval_add(e, "backup.restorable", "backup and recovery", BAK_OK_REQ, 0, "no key: %s",
			 s ? "path too long" : why);
		return;
	}
	if (!(m = calloc(1, sizeof(*m)))) {
		eval_add(e, "backup.restorable", "backup and recovery", BAK_OK_REQ, 0,
			 "out of memory");
		return;
	}
	n = bak_verify(path, s, m, err, sizeof(err));
	if (!n)
		snprintf(err, sizeof(err), "%zu files verified", m->n);
	eval_add(e, "backup.restorable", "backup and recovery", BAK_OK_REQ, !n, "%s: %s",
		 l[0].name, err);
	free(m);
}

void eval_system(struct eval *e, const char *dir)
{
	struct statvfs vs;
	struct timex tx = { 0 };
	double pct = -1;
	int st;

	if (!statvfs(dir, &vs) && vs.f_blocks)
		pct = 100.0 * (double)vs.f_bavail / (double)vs.f_blocks;
	eval_add(e, "disk.headroom", "operations",
		 "at least 5% free on the state directory's file system",
		 pct >= EVAL_DISK_MIN_PCT, "%.1f%% free on %s", pct, dir);
	st = adjtimex(&tx);
	eval_add(e, "time.sync", "security audit",
		 "the clock is synchronised (NTP), so audit times hold",
		 st != TIME_ERROR && st >= 0 && !(tx.status & STA_UNSYNC),
		 "kernel clock %s (adjtimex state %d, maxerror %ld us)",
		 (st == TIME_ERROR || (tx.status & STA_UNSYNC)) ? "unsynchronised" : "synchronised",
		 st, tx.maxerror);
}

json_t *eval_report(struct eval *e, const char *state_dir, time_t now)
{
	char when[32];
	int n = (int)json_array_size(e->checks);
	json_t *r;

	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
	r = json_pack("{ss ss si si si so}", "created", when, "state_dir", state_dir, "passed",
		      n - e->fails, "failed", e->fails, "score",
		      n ? (n - e->fails) * 100 / n : 100, "checks", e->checks);
	e->checks = json_array();
	e->fails = 0;
	return r;
}

static void html_text(FILE *f, const char *s)
{
	for (; s && *s; s++) {
		if (*s == '<') fputs("&lt;", f);
		else if (*s == '>') fputs("&gt;", f);
		else if (*s == '&') fputs("&amp;", f);
		else if (*s == '"') fputs("&quot;", f);
		else fputc(*s, f);
	}
}

int eval_html(FILE *f, const json_t *report)
{
	static const char *const k[] = { "id", "area", "requirement", "result", "evidence" };
	json_t *c;
	size_t i, j;

	fputs("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>iiot evaluation</title>"
	      "</head><body>\n<h1>iiot evaluation</h1>\n<p>", f);
	html_text(f, json_string_value(json_object_get(report, "created")));
	fprintf(f, ": %lld passed, %lld failed</p>\n<table border=\"1\">\n<tr><th>check</th>"
		"<th>area</th><th>requirement</th><th>result</th><th>evidence</th></tr>\n",
		(long long)json_integer_value(json_object_get(report, "passed")),
		(long long)json_integer_value(json_object_get(report, "failed")));
	json_array_foreach(json_object_get(report, "checks"), i, c) {
		fputs("<tr>", f);
		for (j = 0; j < 5; j++) {
			fputs("<td>", f);
			html_text(f, json_string_value(json_object_get(c, k[j])));
			fputs("</td>", f);
		}
		fputs("</tr>\n", f);
	}
	fputs("</table>\n</body></html>\n", f);
	return fclose(f) ? -1 : 0;
}
