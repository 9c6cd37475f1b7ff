/* iiotctl audit verify|export: check or dump the hash-chained audit log. */
#include <stdio.h>
#include <string.h>

#include "auth/audit.h"
#include "ctl.h"

static int run_audit(int argc, char **argv)
{
	const char *dir = ctl_state_dir(&argc, &argv);
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
	rc = audit_verify(a, &r);
	audit_close(a);
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
