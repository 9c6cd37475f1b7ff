/*
 * The self-evaluation (docs/operations.md, "Evaluation"): the installation
 * checked clause by clause against the requirements iiot implements, each
 * check with pass or fail and the evidence read from the system itself.
 * One library for "iiotctl evaluate" and iiotd's schedule (subsys_eval.c),
 * so both find the same nonconformities.
 *
 * Each eval_* step appends its checks; the caller orders them by what it
 * may read when (root's TLS key and backup key first, then the state as
 * its owner).  Read only: nothing here writes.
 */
#ifndef IIOT_EVALUATE_H
#define IIOT_EVALUATE_H

#include <stdio.h>
#include <time.h>

#include <jansson.h>
#include <openssl/x509.h>

struct authdb;
struct bak_conf;
struct bak_secret;
struct conf;

#define EVAL_CERT_SOON_DAYS	14
#define EVAL_DISK_MIN_PCT	5
#define EVAL_EVIDENCE_MAX	1024

struct eval {
	json_t *checks;		/* [{id, area, requirement, result, evidence}] */
	int fails;
};

void eval_init(struct eval *e);
void eval_free(struct eval *e);
/* one check; evidence is cut at EVAL_EVIDENCE_MAX */
void eval_add(struct eval *e, const char *id, const char *area, const char *req, int pass,
	      const char *fmt, ...) __attribute__((format(printf, 6, 7)));

/* [api] cert or <state_dir>/tls/cert.pem into path; its certificate or NULL */
X509 *eval_cert_load(const struct conf *c, const char *state_dir, char *path, size_t len);
/* tls.certificate, tls.protocol; x may be NULL (cannot be read) */
void eval_certificate(struct eval *e, X509 *x, const char *path);
/*
 * The backup key: keyfile when given, else [backup]'s; 0, or -1 with the
 * reason in err (the backups check then says it).
 */
int eval_secret(const struct conf *c, const char *keyfile, struct bak_secret *s, char *err,
		size_t errlen);
/*
 * backup.recent, backup.restorable; b NULL or not configured: no [backup];
 * s NULL: no key, for the reason in why
 */
void eval_backups(struct eval *e, const struct bak_conf *b, const struct bak_secret *s,
		  const char *why);
/* mfa.roles, mfa.enrolled, password.policy, lockout, session.limits */
void eval_identity(struct eval *e, struct authdb *db);
/* audit.chain, audit.retention */
void eval_audit(struct eval *e, struct authdb *db, const char *state_dir);
/* disk.headroom, time.sync */
void eval_system(struct eval *e, const char *state_dir);

/*
 * The report: {created, state_dir, passed, failed, score, checks}; takes
 * e's checks (e is empty afterwards).  score: the percentage passing.
 */
json_t *eval_report(struct eval *e, const char *state_dir, time_t now);
/* the report as an HTML table into f, which it closes; 0 or -1 */
int eval_html(FILE *f, const json_t *report);

#endif
