/*
 * iiotctl audit verify|export: check or dump the hash-chained audit log.
 * verify walks the chain in this process, on a connection of its own, so
 * iiotd's API goes on meanwhile; a 5 M-row log takes tens of seconds, so
 * it shows its progress on stderr (rewritten in place on a terminal,
 * every tenth otherwise) and waits for the result.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "auth/audit.h"
#include "ctl.h"

struct progress {
	int tty, last;		/* last: percent shown, -1 none */
};

static int show_progress(void *arg, int64_t done, int64_t total)
{
	struct progress *p = arg;
	int pct = total > 0 ? (int)(100 * (done < total ? done : total) / total) : 0;

	if (p->tty && pct != p->last)
		fprintf(stderr, "\rverifying: %lld of %lld rows (%d%%)", (long long)done,
			(long long)total, pct);
	else if (!p->tty && pct / 10 != p->last / 10 && done > 0)
		fprintf(stderr, "verifying: %lld of %lld rows (%d%%)\n", (long long)done,
			(long long)total, pct);
	else
		return 0;
	p->last = pct;
	return 0;
}

static int run_audit(int argc, char **argv)
{
	const char *dir = ctl_state_dir(&argc, &argv);
	struct progress prog = { .tty = isatty(STDERR_FILENO), .last = -1 };
	struct audit_report r;
	char path[4096], err[512];
	struct audit *a;
	int rc;

	if (argc != 2 || (strcmp(argv[1], "verify") && strcmp(argv[1], "export"))) {
		fprintf(stderr, "usage: iiotctl audit [--state DIR] verify|export\n");
		return 2;
	}
	if (ctl_as_state_owner(dir))
		return 1;
	snprintf(path, sizeof(path), "%s/audit.db", dir);
	a = audit_open(path, err, sizeof(err));
	if (!a) {
		fprintf(stderr, "iiotctl: %s\n", err);
		return 1;
	}
	if (!strcmp(argv[1], "export")) {
		rc = audit_export(a, stdout) ? 1 : 0;
		audit_close(a);
		return rc;
	}
	rc = audit_verify_progress(a, &r, show_progress, &prog);
	audit_close(a);
	if (prog.tty && prog.last >= 0)
		fputc('\n', stderr);
	if (rc < 0) {
		fprintf(stderr, "iiotctl: %s: %s\n", path, r.reason);
		return 1;
	}
	if (rc) {
		printf("audit chain BROKEN after %lld rows: %s\n", (long long)r.rows, r.reason);
		return 3;
	}
	printf("audit chain intact: %lld rows\n", (long long)r.rows);
	return 0;
}

const struct ctl_cmd cmd_audit = {
	.name = "audit",
	.args = "[--state DIR] verify|export",
	.help = "verify the audit hash chain, or export it as JSON lines",
	.run = run_audit,
};
