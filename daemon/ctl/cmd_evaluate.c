/*
 * iiotctl evaluate [-f CONF] [--state DIR] [--key FILE] [--json] [--html FILE]:
 * the installation checked clause by clause against the requirements iiot
 * implements (docs/operations.md), each with pass or fail and the
 * evidence read from the running system's state: settings, users, the
 * audit chain, the TLS certificate, backups, disk and clock.  Read only;
 * safe while iiotd runs.  Exit 0 when everything passes, 3 when not.
 */
#include <getopt.h>
#include <stdarg.h>
#include <jansson.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>
#include <sys/timex.h>
#include <time.h>
#include <unistd.h>

#include "auth/audit.h"
#include "auth/authdb.h"
#include "backup/backup.h"
#include "core/conf.h"
#include "core/iiotd.h"
#include "ctl.h"

#define CONF_DEFAULT	"/etc/iiot/iiotd.conf"
#define CERT_SOON_DAYS	14
#define DISK_MIN_PCT	5

struct ev {
	json_t *checks;
	int fails;
};

static void add(struct ev *e, const char *id, const char *area, const char *req, int pass,
		const char *fmt, ...) __attribute__((format(printf, 6, 7)));
static void add(struct ev *e, const char *id, const char *area, const char *req, int pass,
		const char *fmt, ...)
{
	char evidence[1024];
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

static void identity(struct ev *e, struct authdb *db)
{
	struct mfa_walk m = { .db = db };
	char v[256], prof[32];
	long age, thr, mins, idle, aidle, abs;

	setting_get(db, "mfa.required_roles", v, sizeof(v));
	add(e, "mfa.roles", "identification", "TOTP required for admin and engineer",
	    strstr(v, "admin") && strstr(v, "engineer"), "mfa.required_roles = %s", v);
	user_list(db, mfa_one, &m);
	add(e, "mfa.enrolled", "identification", "every enabled user of those roles has TOTP on",
	    !m.n, "%s%s", m.n ? "without TOTP: " : "all enrolled", m.missing);
	setting_get(db, "password.profile", prof, sizeof(prof));
	age = setting_int(db, "password.max_age_days");
	add(e, "password.policy", "identification",
	    "password profile gbt22239 (character classes, expiry at most 90 days)",
	    !strcmp(prof, "gbt22239") && age <= 90, "password.profile = %s, password.max_age_days = %ld",
	    prof, age);
	thr = setting_int(db, "lockout.threshold");
	mins = setting_int(db, "lockout.minutes");
	add(e, "lockout", "identification", "lockout after at most 5 failures, for at least 10 minutes",
	    thr <= 5 && mins >= 10, "lockout.threshold = %ld, lockout.minutes = %ld", thr, mins);
	idle = setting_int(db, "session.idle_minutes");
	aidle = setting_int(db, "session.idle_minutes_admin");
	abs = setting_int(db, "session.absolute_hours");
	add(e, "session.limits", "access control",
	    "sessions end after at most 30 idle minutes (15 for admins) and 12 hours",
	    idle <= 30 && aidle <= 15 && abs <= 12,
	    "session.idle_minutes = %ld, session.idle_minutes_admin = %ld, session.absolute_hours = %ld",
	    idle, aidle, abs);
}

static void audit(struct ev *e, struct authdb *db, const char *dir)
{
	struct audit_report r;
	char err[512];
	struct audit *a = audit_open_dir(dir, err, sizeof(err));
	long days = setting_int(db, "audit.retention_days");
	int rc;

	if (!a) {
		add(e, "audit.chain", "security audit", "the audit chain verifies", 0, "%s", err);
	} else {
		rc = audit_verify(a, &r);
		audit_close(a);
		add(e, "audit.chain", "security audit", "the audit chain verifies", rc == 0,
		    "%s %lld rows%s%s", rc == 0 ? "intact:" : "broken after", (long long)r.rows,
		    rc == 0 ? "" : ": ", rc == 0 ? "" : r.reason);
	}
	add(e, "audit.retention", "security audit", "audit records kept at least 180 days",
	    days >= AUDIT_MIN_RETENTION_DAYS, "audit.retention_days = %ld", days);
}

static void certificate(struct ev *e, const struct conf *c, const char *dir)
{
	const char *cert = conf_get(c, "api", "cert");
	char path[4200];
	X509 *x = NULL;
	FILE *f;
	int day = 0, sec = 0;

	snprintf(path, sizeof(path), "%s", cert ? cert : "");
	if (!cert)
		snprintf(path, sizeof(path), "%s/tls/cert.pem", dir);
	f = fopen(path, "re");
	if (f) {
		x = PEM_read_X509(f, NULL, NULL, NULL);
		fclose(f);
	}
	if (!x || !ASN1_TIME_diff(&day, &sec, NULL, X509_get0_notAfter(x)))
		add(e, "tls.certificate", "communication", "a valid TLS certificate", 0,
		    "%s: cannot read a certificate", path);
	else
		add(e, "tls.certificate", "communication",
		    "the TLS certificate is valid for at least 14 more days",
		    day >= CERT_SOON_DAYS, "%s expires in %d days", path, day);
	X509_free(x);
	add(e, "tls.protocol", "communication", "TLS 1.2 or later with AEAD suites only", 1,
	    "fixed in iiotd (daemon/api/tls.c): minimum TLS 1.2, no compression or renegotiation");
}

static void backups(struct ev *e, const struct conf *c, const char *keyfile)
{
	struct bak_manifest *m = calloc(1, sizeof(*m));
	struct bak_listing l[1];
	struct bak_conf b;
	struct bak_secret s;
	char err[512], path[4200];
	long long age, limit;
	int n;

	if (!m || bak_conf_get(c, &b, err, sizeof(err)) || !b.configured) {
		add(e, "backup.recent", "backup and recovery", "scheduled encrypted backups", 0,
		    "no [backup] in the configuration");
		free(m);
		return;
	}
	limit = 2 * (long long)(b.interval_ms ? b.interval_ms : BAK_DEFAULT_INTERVAL_MS) / 1000;
	n = bak_list(b.dir, l, 1, err, sizeof(err));
	age = n > 0 ? (long long)(time(NULL) - l[0].when) : -1;
	if (n > 0)
		add(e, "backup.recent", "backup and recovery",
		    "the newest backup is at most two intervals old", age <= limit,
		    "%s: %lld s old (limit %lld s)", l[0].name, age, limit);
	else
		add(e, "backup.recent", "backup and recovery",
		    "the newest backup is at most two intervals old", 0, "no backup in %s", b.dir);
	if (n <= 0) {
		free(m);
		return;
	}
	if (bak_path(path, sizeof(path), "%s/%s", b.dir, l[0].name) ||
	    (keyfile ? bak_secret_keyfile(&s, keyfile, err, sizeof(err)) :
	     bak_conf_secret(&b, &s, err, sizeof(err)))) {
		add(e, "backup.restorable", "backup and recovery",
		    "the newest backup decrypts and every checksum matches", 0, "no key: %s", err);
	} else {
		n = bak_verify(path, &s, m, err, sizeof(err));
		if (!n)
			snprintf(err, sizeof(err), "%zu files verified", m->n);
		add(e, "backup.restorable", "backup and recovery",
		    "the newest backup decrypts and every checksum matches", !n, "%s: %s",
		    l[0].name, err);
		bak_secret_wipe(&s);
	}
	free(m);
}

static void system_state(struct ev *e, const char *dir)
{
	struct statvfs vs;
	struct timex tx = { 0 };
	double pct = -1;
	int st;

	if (!statvfs(dir, &vs) && vs.f_blocks)
		pct = 100.0 * (double)vs.f_bavail / (double)vs.f_blocks;
	add(e, "disk.headroom", "operations", "at least 5% free on the state directory's file system",
	    pct >= DISK_MIN_PCT, "%.1f%% free on %s", pct, dir);
	st = adjtimex(&tx);
	add(e, "time.sync", "security audit", "the clock is synchronised (NTP), so audit times hold",
	    st != TIME_ERROR && st >= 0 && !(tx.status & STA_UNSYNC),
	    "kernel clock %s (adjtimex state %d, maxerror %ld us)",
	    (st == TIME_ERROR || (tx.status & STA_UNSYNC)) ? "unsynchronised" : "synchronised", st,
	    tx.maxerror);
}

static void html_text(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (*s == '<') fputs("&lt;", f);
		else if (*s == '>') fputs("&gt;", f);
		else if (*s == '&') fputs("&amp;", f);
		else if (*s == '"') fputs("&quot;", f);
		else fputc(*s, f);
	}
}

static int write_html(FILE *f, json_t *report)
{
	json_t *c;
	size_t i;

	fputs("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>iiot evaluation</title>"
	      "</head><body>\n<h1>iiot evaluation</h1>\n<p>", f);
	html_text(f, json_string_value(json_object_get(report, "created")));
	fprintf(f, ": %lld passed, %lld failed</p>\n<table border=\"1\">\n<tr><th>check</th>"
		"<th>area</th><th>requirement</th><th>result</th><th>evidence</th></tr>\n",
		(long long)json_integer_value(json_object_get(report, "passed")),
		(long long)json_integer_value(json_object_get(report, "failed")));
	json_array_foreach(json_object_get(report, "checks"), i, c) {
		static const char *const k[] = { "id", "area", "requirement", "result", "evidence" };
		size_t j;

		fputs("<tr>", f);
		for (j = 0; j < 5; j++) {
			fputs("<td>", f);
			html_text(f, json_string_value(json_object_get(c, k[j])));
			fputs("</td>", f);
		}
		fputs("</tr>\n", f);
	}
	fputs("</table>\n</body></html>\n", f);
	return fclose(f);
}

static int run_evaluate(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "state", required_argument, NULL, 's' },
		{ "key", required_argument, NULL, 'k' },
		{ "json", no_argument, NULL, 'j' },
		{ "html", required_argument, NULL, 'H' },
		{ NULL, 0, NULL, 0 },
	};
	const char *conf_path = NULL, *state = NULL, *key = NULL, *html = NULL;
	struct ev e = { .checks = json_array() };
	char err[512] = "", when[32];
	struct authdb *db;
	struct conf *c;
	json_t *report, *x;
	FILE *hf = NULL;
	time_t now = time(NULL);
	int ch, as_json = 0;
	size_t i;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "f:", lo, NULL)) != -1) {
		switch (ch) {
		case 'f': conf_path = optarg; break;
		case 's': state = optarg; break;
		case 'k': key = optarg; break;
		case 'j': as_json = 1; break;
		case 'H': html = optarg; break;
		default:
			fprintf(stderr, "usage: iiotctl evaluate [-f CONF] [--state DIR] [--key FILE] "
				"[--json] [--html FILE]\n");
			return 2;
		}
	}
	if (!conf_path && !access(CONF_DEFAULT, F_OK))
		conf_path = CONF_DEFAULT;
	c = conf_path ? conf_load(conf_path, err, sizeof(err)) : conf_empty();
	if (!c) {
		fprintf(stderr, "iiotctl: %s\n", err);
		return 1;
	}
	if (!state && !(state = getenv("IIOT_STATE_DIR")))
		state = conf_get(c, "iiotd", "state_dir");
	if (!state)
		state = IIOTD_DEFAULT_STATE_DIR;
	/* the report where the caller may write; root's files first (TLS, the
	 * backup key), then the state as its owner */
	if (html && !(hf = fopen(html, "we"))) {
		fprintf(stderr, "iiotctl: %s: %m\n", html);
		conf_free(c);
		return 1;
	}
	certificate(&e, c, state);
	backups(&e, c, key);
	db = ctl_as_state_owner(state) ? NULL : authdb_open(state, err, sizeof(err));
	if (!db) {
		if (*err)
			fprintf(stderr, "iiotctl: %s\n", err);
		if (hf)
			fclose(hf);
		conf_free(c);
		json_decref(e.checks);
		return 1;
	}
	identity(&e, db);
	audit(&e, db, state);
	authdb_close(db);
	system_state(&e, state);

	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
	report = json_pack("{ss ss si si so}", "created", when, "state_dir", state, "passed",
			   (int)json_array_size(e.checks) - e.fails, "failed", e.fails, "checks",
			   e.checks);
	conf_free(c);
	if (hf && write_html(hf, report))
		fprintf(stderr, "iiotctl: %s: cannot write the report\n", html);
	if (as_json) {
		json_dumpf(report, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		putchar('\n');
	} else {
		json_array_foreach(e.checks, i, x)
			printf("%-4s %-18s %s\n     %s\n",
			       strcmp(json_string_value(json_object_get(x, "result")), "pass") ? "FAIL" : "pass",
			       json_string_value(json_object_get(x, "id")),
			       json_string_value(json_object_get(x, "requirement")),
			       json_string_value(json_object_get(x, "evidence")));
		printf("%d of %zu checks pass\n", (int)json_array_size(e.checks) - e.fails,
		       json_array_size(e.checks));
	}
	json_decref(report);
	return e.fails ? 3 : 0;
}

const struct ctl_cmd cmd_evaluate = {
	.name = "evaluate",
	.args = "[-f CONF] [--state DIR] [--key FILE] [--json] [--html FILE]",
	.help = "check the installation against the security requirements, with evidence",
	.run = run_evaluate,
};
