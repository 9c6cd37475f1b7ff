/*
 * iiotctl dcp identify|signal|set-name|set-ip|reset: PROFINET DCP control
 * from iiotd's [dcp] interface, as the local operator (docs/devices.md
 * "From the command line"): the control socket names the unix user, and
 * iiotd applies the API's gate minus MFA — a reason (--reason), the
 * device's lifecycle state, the rate limits — and audits the request
 * under that user.  --dry-run prints the exact frame and sends nothing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "core/ctlclient.h"
#include "core/ctlproto.h"
#include "ctl.h"

#define USAGE	"usage: iiotctl dcp [-s SOCK] [--json] --reason TEXT [--dry-run]\n" \
	"         identify [NAME] | signal DEVICE | set-name DEVICE NAME |\n" \
	"         set-ip DEVICE IP MASK [GATEWAY] | reset DEVICE [--mode N]\n" \
	"         [--temporary] (set-name, set-ip: not kept over a power cycle)\n"

static int usage(void)
{
	fputs(USAGE, stderr);
	return 2;
}

static void print_answer(json_t *a)
{
	char n[256];

	printf("  %-17s %-24s", ctl_jstr(a, "mac"), ctl_safe(ctl_jstr(a, "name"), n,
							sizeof(n)));
	if (json_object_get(a, "ip"))
		printf(" %s/%s gw %s", ctl_jstr(a, "ip"), ctl_jstr(a, "mask"),
		       ctl_jstr(a, "gateway"));
	if (json_object_get(a, "block_error"))
		printf(" BlockError %lld", (long long)json_integer_value(
			json_object_get(a, "block_error")));
	printf("\n");
}

static void print_result(json_t *o)
{
	json_t *f = json_object_get(o, json_is_true(json_object_get(o,
				    "dry_run")) ? "frame" : "sent"), *a;
	char r[256];
	size_t i;

	printf("%s: %s\n", ctl_jstr(o, "op"), ctl_safe(ctl_jstr(o, "result"), r,
						   sizeof(r)));
	if (f)
		printf("frame %s -> %s, %lld bytes, Xid %lld:\n%s\n",
		       ctl_jstr(f, "src"), ctl_jstr(f, "dst"),
		       (long long)json_integer_value(json_object_get(f, "length")),
		       (long long)json_integer_value(json_object_get(f, "xid")),
		       ctl_jstr(f, "frame"));
	json_array_foreach(json_object_get(o, "devices"), i, a)
		print_answer(a);
	if (json_is_object(a = json_object_get(o, "answer")))
		print_answer(a);
}

/* the operands of op into body; the target (a device key, or "-") */
static const char *operands(const char *op, const char **args, int n,
			    const char *mode, json_t *body)
{
	if (!strcmp(op, "identify")) {
		if (n > 1)
			return NULL;
		if (n == 1)
			json_object_set_new(body, "name", json_string(args[0]));
		return "-";
	}
	if (n < 1)
		return NULL;
	if (!strcmp(op, "signal") && n == 1)
		return args[0];
	if (!strcmp(op, "set-name") && n == 2) {
		json_object_set_new(body, "name", json_string(args[1]));
		return args[0];
	}
	if (!strcmp(op, "set-ip") && (n == 3 || n == 4)) {
		json_object_set_new(body, "ip", json_string(args[1]));
		json_object_set_new(body, "mask", json_string(args[2]));
		if (n == 4)
			json_object_set_new(body, "gateway", json_string(args[3]));
		return args[0];
	}
	if (!strcmp(op, "reset") && n == 1) {
		if (mode)
			json_object_set_new(body, "mode", json_integer(atoi(mode)));
		return args[0];
	}
	return NULL;
}

static int run_dcp(int argc, char **argv)
{
	const char *sock = NULL, *reason = NULL, *mode = NULL, *args[5];
	const char *target;
	int n, as_json = 0, dry = 0, temporary = 0;
	const struct ctl_opt opts[] = {
		{ "--json", &as_json, NULL }, { "--dry-run", &dry, NULL },
		{ "--temporary", &temporary, NULL },
		{ "--reason", NULL, &reason }, { "--mode", NULL, &mode },
		{ NULL },
	};
	json_t *body, *o;
	char *js, req[CTL_MAX_REQ + 2];

	if (ctl_opts(argc, argv, &sock, opts, args, 5, &n) || n < 1)
		return usage();
	if (!reason || !*reason) {
		fprintf(stderr, "iiotctl dcp: give --reason TEXT: every control "
			"action says why (it goes into the audit log)\n");
		return 2;
	}
	body = json_pack("{s:s, s:b}", "reason", reason, "dry_run", dry);
	if (temporary)
		json_object_set_new(body, "permanent", json_false());
	target = operands(args[0], args + 1, n - 1, mode, body);
	if (!target || strpbrk(target, " ") || strlen(target) >= CTL_MAX_ARG) {
		json_decref(body);
		return usage();
	}
	/* escaped to ASCII: the socket takes printable ASCII only */
	js = json_dumps(body, JSON_COMPACT | JSON_ENSURE_ASCII);
	json_decref(body);
	if (!js || snprintf(req, sizeof(req), "control dcp-%s %s %s\n", args[0],
			    target, js) >= CTL_MAX_REQ) {
		free(js);
		fprintf(stderr, "iiotctl dcp: request too long\n");
		return 2;
	}
	free(js);
	o = ctl_query(ctl_socket_path(sock), req);
	if (!o)
		return 1;
	if (as_json)
		ctl_dump_json(o);
	else
		print_result(o);
	json_decref(o);
	return 0;
}

const struct ctl_cmd cmd_dcp = {
	.name = "dcp",
	.args = "[-s SOCK] [--json] --reason TEXT [--dry-run] identify [NAME] | "
		"signal DEV | set-name DEV NAME | set-ip DEV IP MASK [GW] | "
		"reset DEV [--mode N]",
	.help = "PROFINET DCP control as the local operator (gated, audited)",
	.run = run_dcp,
};
