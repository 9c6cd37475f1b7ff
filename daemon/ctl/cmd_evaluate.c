/*
 * iiotctl evaluate [-f CONF] [--state DIR] [--key FILE] [--json] [--html FILE]:
 * the installation checked clause by clause against the requirements iiot
 * implements (docs/operations.md), each with pass or fail and the
 * evidence read from the running system's state: settings, users, the
 * audit chain, the TLS certificate, backups, disk and clock.  Read only;
 * safe while iiotd runs.  Exit 0 when everything passes, 3 when not.
 * The checks are daemon/eval/evaluate.c's, which iiotd also runs on its
 * schedule ([evaluate] interval).
 */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "auth/authdb.h"
#include "backup/backup.h"
#include "core/conf.h"
#include "core/iiotd.h"
#include "ctl.h"
#include "eval/evaluate.h"

#define CONF_DEFAULT	"/etc/iiot/iiotd.conf"

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
	struct eval e;
	struct bak_secret sec;
	struct bak_conf bc;
	char err[512] = "", why[512], cpath[4200];
	struct authdb *db;
	struct conf *c;
	json_t *report, *x;
	FILE *hf = NULL;
	X509 *cert;
	int ch, as_json = 0, fails;
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
	eval_init(&e);
	cert = eval_cert_load(c, state, cpath, sizeof(cpath));
	eval_certificate(&e, cert, cpath);
	X509_free(cert);
	if (bak_conf_get(c, &bc, why, sizeof(why)))
		bc.configured = false;
	if (eval_secret(c, key, &sec, why, sizeof(why))) {
		eval_backups(&e, &bc, NULL, why);
	} else {
		eval_backups(&e, &bc, &sec, NULL);
		bak_secret_wipe(&sec);
	}
	db = ctl_as_state_owner(state) ? NULL : authdb_open(state, err, sizeof(err));
	if (!db) {
		if (*err)
			fprintf(stderr, "iiotctl: %s\n", err);
		if (hf)
			fclose(hf);
		conf_free(c);
		eval_free(&e);
		return 1;
	}
	eval_identity(&e, db);
	eval_audit(&e, db, state);
	authdb_close(db);
	eval_system(&e, state);

	fails = e.fails;
	report = eval_report(&e, state, time(NULL));
	eval_free(&e);
	conf_free(c);
	if (hf && eval_html(hf, report))
		fprintf(stderr, "iiotctl: %s: cannot write the report\n", html);
	if (as_json) {
		json_dumpf(report, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		putchar('\n');
	} else {
		json_array_foreach(json_object_get(report, "checks"), i, x)
			printf("%-4s %-18s %s\n     %s\n",
			       strcmp(json_string_value(json_object_get(x, "result")), "pass") ? "FAIL" : "pass",
			       json_string_value(json_object_get(x, "id")),
			       json_string_value(json_object_get(x, "requirement")),
			       json_string_value(json_object_get(x, "evidence")));
		printf("%lld of %zu checks pass\n",
		       (long long)json_integer_value(json_object_get(report, "passed")),
		       json_array_size(json_object_get(report, "checks")));
	}
	json_decref(report);
	return fails ? 3 : 0;
}

const struct ctl_cmd cmd_evaluate = {
	.name = "evaluate",
	.args = "[-f CONF] [--state DIR] [--key FILE] [--json] [--html FILE]",
	.help = "check the installation against the security requirements, with evidence",
	.run = run_evaluate,
};
