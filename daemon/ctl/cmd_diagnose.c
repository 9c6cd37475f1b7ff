/*
 * iiotctl diagnose FILE...: offline, the fieldbus diagnoses a capture
 * gives through the same decoder, model and diagnostics iiotd runs, one
 * JSON object per finding on stdout (docs/diagnostics.md).  Frame
 * numbers are 1-based as in Wireshark.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "ctl.h"
#include "diagrun.h"

static void print(void *arg, const struct diag_finding *f)
{
	json_t *j = diag_finding_json(f);

	(void)arg;
	if (j)
		json_dumpf(j, stdout, JSON_COMPACT);
	putchar('\n');
	json_decref(j);
}

static int run_diagnose(int argc, char **argv)
{
	struct diagrun *r;
	int i, rc;

	if (argc < 2) {
		fprintf(stderr, "usage: iiotctl diagnose FILE...\n");
		return 2;
	}
	for (i = 1; i < argc; i++)
		if (argv[i][0] == '-') {
			fprintf(stderr, "usage: iiotctl diagnose FILE...\n");
			return 2;
		}
	r = diagrun_new();
	if (!r)
		return 1;
	diag_set_sink(r->dg, print, r);
	rc = diagrun_files(r, argc, argv, 1);
	fflush(stdout);
	diagrun_free(r);
	return rc;
}

const struct ctl_cmd cmd_diagnose = {
	.name = "diagnose",
	.args = "FILE...",
	.help = "fieldbus diagnoses of a capture, as JSON lines",
	.run = run_diagnose,
};
