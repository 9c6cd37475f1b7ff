/*
 * iiotctl diagnose FILE...: offline, the fieldbus diagnoses a capture
 * gives through the same decoder, model and diagnostics iiotd runs, one
 * JSON object per finding on stdout (docs/diagnostics.md).  Frame
 * numbers are 1-based as in Wireshark.  With -l, after the findings, one
 * object per file (a port) with its network load (diag_port_json); -s
 * the port's speed in Mbit/s (100); -e an ENI whose slaves are the
 * expected topology (ecat.slave.missing, ecat.slave.unexpected).
 */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "ctl.h"
#include "desc/desc.h"
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

static int usage(void)
{
	fprintf(stderr, "usage: iiotctl diagnose [-l] [-s MBPS] [-e ENI] "
		"FILE...\n");
	return 2;
}

static void print_ports(const struct diag *dg)
{
	struct diag_port_stat ports[16];
	size_t k, n = diag_port_stats(dg, ports, 16);

	for (k = 0; k < n; k++) {
		json_t *j = diag_port_json(&ports[k]);

		json_dumpf(j, stdout, JSON_COMPACT);
		putchar('\n');
		json_decref(j);
	}
}

/* the ENI's slaves as diag's expected topology */
static int expect(struct diag *dg, const char *file)
{
	struct diag_expect *e = calloc(DIAG_EXPECT_MAX, sizeof(*e));
	char err[512], *buf;
	struct desc *x = NULL;
	size_t len, n;
	int rc = -1;

	buf = ctl_slurp(file, DESC_MAX_FILE, &len);
	if (!buf)
		fprintf(stderr, "iiotctl diagnose: %s: cannot read it (at "
			"most %u bytes)\n", file, DESC_MAX_FILE);
	else if (!(x = desc_parse(buf, len, err, sizeof(err))))
		fprintf(stderr, "iiotctl diagnose: %s: %s\n", file, err);
	else if (x->kind != DESC_ENI)
		fprintf(stderr, "iiotctl diagnose: %s: not an ENI (%s)\n",
			file, desc_kind_name(x->kind));
	else if (e) {
		n = diag_expect_desc(x, e, DIAG_EXPECT_MAX);
		rc = diag_set_expected(dg, e, n);
	}
	desc_free(x);
	free(buf);
	free(e);
	return rc;
}

static int run_diagnose(int argc, char **argv)
{
	struct diag_opts o = { .port_mbps = 0 };
	struct diagrun *r;
	const char *eni = NULL;
	bool load = false;
	unsigned long v;
	char *end;
	int c, rc;

	optind = 1;
	while ((c = getopt(argc, argv, "e:ls:")) != -1) {
		switch (c) {
		case 'e':
			eni = optarg;
			break;
		case 'l':
			load = true;
			break;
		case 's':
			v = strtoul(optarg, &end, 10);
			if (*end || !v || v > 400000) {
				fprintf(stderr, "iiotctl diagnose: -s: port "
					"speed in Mbit/s, 1-400000\n");
				return 2;
			}
			o.port_mbps = (uint32_t)v;
			break;
		default:
			return usage();
		}
	}
	if (optind >= argc)
		return usage();
	r = diagrun_new();
	if (!r)
		return 1;
	/* the capture's port: the file does not say how fast it was */
	diag_set_opts(r->dg, &o);
	diag_set_sink(r->dg, print, r);
	if (eni && expect(r->dg, eni)) {
		diagrun_free(r);
		return 1;
	}
	rc = diagrun_files(r, argc, argv, optind);
	if (load)
		print_ports(r->dg);
	fflush(stdout);
	diagrun_free(r);
	return rc;
}

const struct ctl_cmd cmd_diagnose = {
	.name = "diagnose",
	.args = "[-l] [-s MBPS] [-e ENI] FILE...",
	.help = "fieldbus diagnoses of a capture, as JSON lines",
	.run = run_diagnose,
};
