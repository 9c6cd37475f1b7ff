/* Control-socket request parser: strict, bounded, printable ASCII only. */
#include <stdio.h>
#include <string.h>

#include "core/conf.h"
#include "core/ctlproto.h"

static const struct {
	const char *name;
	enum ctl_verb verb;
	int min_args, max_args;
	int rest;		/* the last argument is the rest of the line */
} verbs[] = {
	{ "status", CTL_STATUS, 0, 0, 0 },
	{ "devices", CTL_DEVICES, 0, 0, 0 },
	{ "device", CTL_DEVICE, 1, 1, 0 },
	{ "links", CTL_LINKS, 0, 0, 0 },
	{ "signals", CTL_SIGNALS, 0, 0, 0 },
	{ "stats", CTL_STATS, 0, 0, 0 },
	{ "history", CTL_HISTORY, 0, 2, 0 },
	{ "monitor", CTL_MONITOR, 0, 1, 0 },
	{ "export-pcap", CTL_EXPORT_PCAP, 1, 2, 0 },
	{ "lifecycle", CTL_LIFECYCLE, 2, 3, 1 },
	{ "alerts", CTL_ALERTS, 0, 1, 0 },
	{ "alert-ack", CTL_ALERT_ACK, 1, 2, 1 },
	{ "alert-shelve", CTL_ALERT_SHELVE, 3, 3, 1 },
	{ "alert-unshelve", CTL_ALERT_UNSHELVE, 1, 2, 1 },
	{ "health", CTL_HEALTH, 0, 1, 0 },
	{ "rule", CTL_RULE, 1, 3, 1 },
	{ "blocks", CTL_BLOCKS, 0, 0, 0 },
	{ "unblock", CTL_UNBLOCK, 1, 1, 0 },
	{ "alert-comment", CTL_ALERT_COMMENT, 2, 2, 1 },
	{ "baseline", CTL_BASELINE, 0, 0, 0 },
	{ "baseline-learn", CTL_BASELINE_LEARN, 1, 2, 0 },
	{ "baseline-add", CTL_BASELINE_ADD, 1, 1, 1 },
	{ "baseline-remove", CTL_BASELINE_REMOVE, 1, 1, 1 },
	{ "baseline-import", CTL_BASELINE_IMPORT, 1, 1, 0 },
	{ "report", CTL_REPORT, 1, 3, 0 },
	{ "modbus", CTL_MODBUS, 0, 1, 0 },
	{ "description", CTL_DESCRIPTION, 1, 2, 0 },
	{ "description-import", CTL_DESCRIPTION_IMPORT, 2, 2, 0 },
	{ "control", CTL_CONTROL, 3, 3, 1 },
	{ "alias", CTL_ALIAS, 1, 2, 0 },
	{ "mqtt", CTL_MQTT, 1, 3, 1 },
};

#define N_VERBS	(sizeof(verbs) / sizeof(verbs[0]))
#define MAX_TOK 4

/* The line as a whole: not empty, bounded, printable ASCII. */
static int check_line(const char *line, size_t len, char *err, size_t errlen)
{
	size_t i;

	if (len == 0) {
		snprintf(err, errlen, "empty request");
		return -1;
	}
	if (len > CTL_MAX_REQ) {
		snprintf(err, errlen, "request too long (more than %d "
			 "bytes)", CTL_MAX_REQ);
		return -1;
	}
	for (i = 0; i < len; i++)
		if ((unsigned char)line[i] < 0x20 ||
		    (unsigned char)line[i] > 0x7e) {
			snprintf(err, errlen, "non-printable byte 0x%02x at "
				 "offset %zu", (unsigned char)line[i], i);
			return -1;
		}
	return 0;
}

/*
 * The next space-separated word of *p, or with whole the rest of the line
 * without its outer spaces, ended in place; NULL at the end.
 */
static char *next_arg(char **p, int whole)
{
	char *w = *p + strspn(*p, " ");
	size_t n;

	if (!*w)
		return NULL;
	n = whole ? strlen(w) : strcspn(w, " ");
	*p = w + n;
	if (**p)
		*(*p)++ = '\0';
	while (w[n - 1] == ' ')		/* w[0] is not a space */
		w[--n] = '\0';
	return w;
}

static int bad_count(size_t i, char *err, size_t errlen)
{
	snprintf(err, errlen, "%s takes %d to %d arguments", verbs[i].name,
		 verbs[i].min_args, verbs[i].max_args);
	return -1;
}

/* Split buf into tok[]: the verb's index, or -1 with err. */
static int split(char *buf, char *tok[MAX_TOK], int *n, char *err,
		 size_t errlen)
{
	char *p = buf, *w;
	size_t i;

	*n = 0;
	if (!(tok[0] = next_arg(&p, 0))) {
		snprintf(err, errlen, "empty request");
		return -1;
	}
	for (i = 0; i < N_VERBS; i++)
		if (!strcmp(tok[0], verbs[i].name))
			break;
	if (i == N_VERBS) {
		snprintf(err, errlen, "unknown request '%.32s'", tok[0]);
		return -1;
	}
	/* max_args < MAX_TOK: tok[] never overflows */
	for (*n = 1; (w = next_arg(&p, verbs[i].rest &&
				   *n == verbs[i].max_args)); (*n)++) {
		if (*n > verbs[i].max_args)
			return bad_count(i, err, errlen);
		tok[*n] = w;
	}
	return *n - 1 < verbs[i].min_args ? bad_count(i, err, errlen) : (int)i;
}

static int copy_arg(char *dst, size_t size, const char *src, char *err,
		    size_t errlen)
{
	if (strlen(src) >= size) {
		snprintf(err, errlen, "argument too long");
		return -1;
	}
	strcpy(dst, src);
	return 0;
}

/* VERB SUB [NAME [BODY]] (rule, mqtt): SUB, NAME and BODY as there are */
static int sub_name_body(struct ctl_req *req, char *const *tok, int n,
			 char *err, size_t errlen)
{
	return copy_arg(req->arg2, sizeof(req->arg2), tok[1], err, errlen) ||
	       (n > 2 && copy_arg(req->arg, sizeof(req->arg), tok[2], err,
				  errlen)) ||
	       (n > 3 && copy_arg(req->body, sizeof(req->body), tok[3], err,
				  errlen)) ? -1 : 0;
}

int ctl_parse_request(const char *line, size_t len, struct ctl_req *req,
		      char *err, size_t errlen)
{
	char buf[CTL_MAX_REQ + 1], *tok[MAX_TOK];
	int n, v;

	memset(req, 0, sizeof(*req));
	if (len && line[len - 1] == '\n')
		len--;
	if (len && line[len - 1] == '\r')
		len--;
	if (check_line(line, len, err, errlen))
		return -1;
	memcpy(buf, line, len);
	buf[len] = '\0';
	v = split(buf, tok, &n, err, errlen);
	if (v < 0)
		return -1;
	req->verb = verbs[v].verb;
	switch (req->verb) {
	case CTL_EXPORT_PCAP:
		if (conf_parse_u64(tok[1], &req->num) || req->num == 0 ||
		    req->num > 86400) {
			snprintf(err, errlen, "export-pcap: SECONDS must be "
				 "1..86400");
			return -1;
		}
		return n == 3 ? copy_arg(req->arg, sizeof(req->arg), tok[2],
					 err, errlen) : 0;
	case CTL_HISTORY:
		req->num = 50;
		if (n == 3 && (conf_parse_u64(tok[2], &req->num) ||
			       !req->num || req->num > 100000)) {
			snprintf(err, errlen, "history: LIMIT must be "
				 "1..100000");
			return -1;
		}
		/* fall through */
	case CTL_DEVICE:
	case CTL_MONITOR:
	case CTL_HEALTH:
	case CTL_UNBLOCK:
	case CTL_MODBUS:
		return n >= 2 ? copy_arg(req->arg, sizeof(req->arg), tok[1],
					 err, errlen) : 0;
	case CTL_ALERTS:
		if (n == 2 && strcmp(tok[1], "all")) {
			snprintf(err, errlen, "alerts: the argument can only "
				 "be 'all'");
			return -1;
		}
		req->num = n == 2;
		return 0;
	case CTL_ALERT_SHELVE:
		if (conf_parse_u64(tok[2], &req->num2) || !req->num2 ||
		    req->num2 > 10080) {
			snprintf(err, errlen, "alert-shelve: MINUTES must be "
				 "1..10080");
			return -1;
		}
		/* fall through */
	case CTL_ALERT_ACK:
	case CTL_ALERT_UNSHELVE:
	case CTL_ALERT_COMMENT:
		if (conf_parse_u64(tok[1], &req->num) || !req->num) {
			snprintf(err, errlen, "%s: ID must be a positive "
				 "integer", tok[0]);
			return -1;
		}
		return n > 2 ? copy_arg(req->text, sizeof(req->text),
					tok[n - 1], err, errlen) : 0;
	case CTL_BASELINE_LEARN:
		if (conf_parse_u64(tok[1], &req->num) ||
		    req->num > 366ULL * 86400ULL ||
		    (n == 3 && strcmp(tok[2], "fresh"))) {
			snprintf(err, errlen, "baseline-learn SECONDS [fresh]: "
				 "SECONDS must be 0..31622400");
			return -1;
		}
		req->num2 = n == 3;
		return 0;
	case CTL_BASELINE_ADD:
	case CTL_BASELINE_REMOVE:
		return copy_arg(req->body, sizeof(req->body), tok[1], err,
				errlen);
	case CTL_BASELINE_IMPORT:
		if (conf_parse_u64(tok[1], &req->num) || !req->num ||
		    req->num > CTL_MAX_PAYLOAD) {
			snprintf(err, errlen, "baseline-import: BYTES must be "
				 "1..%u", CTL_MAX_PAYLOAD);
			return -1;
		}
		return 0;
	case CTL_DESCRIPTION:
		if (copy_arg(req->arg2, sizeof(req->arg2), tok[1], err,
			     errlen))
			return -1;
		if (!strcmp(tok[1], "list") && n == 2)
			return 0;
		if ((!strcmp(tok[1], "show") || !strcmp(tok[1], "remove")) &&
		    n == 3 && !conf_parse_u64(tok[2], &req->num) && req->num &&
		    req->num <= INT64_MAX)
			return 0;
		snprintf(err, errlen, "description list | show|remove ID (a "
			 "positive integer)");
		return -1;
	case CTL_DESCRIPTION_IMPORT:
		if (conf_parse_u64(tok[1], &req->num) || !req->num ||
		    req->num > CTL_MAX_PAYLOAD) {
			snprintf(err, errlen, "description-import: BYTES must "
				 "be 1..%u", CTL_MAX_PAYLOAD);
			return -1;
		}
		return copy_arg(req->arg, sizeof(req->arg), tok[2], err,
				errlen);
	case CTL_ALIAS:
		/* UTF-8 as hex: the line itself is printable ASCII */
		if (n == 3 && (strlen(tok[2]) % 2 ||
			       strspn(tok[2], "0123456789abcdefABCDEF") !=
			       strlen(tok[2]))) {
			snprintf(err, errlen, "alias KEY [HEX]: HEX is the "
				 "alias's bytes in hex");
			return -1;
		}
		return copy_arg(req->arg, sizeof(req->arg), tok[1], err,
				errlen) ||
		       (n == 3 && copy_arg(req->body, sizeof(req->body),
					   tok[2], err, errlen)) ? -1 : 0;
	case CTL_REPORT:
		if (copy_arg(req->arg2, sizeof(req->arg2), tok[1], err,
			     errlen))
			return -1;
		if (!strcmp(tok[1], "show") || !strcmp(tok[1], "html")) {
			if (n != 3 || conf_parse_u64(tok[2], &req->num) ||
			    !req->num) {
				snprintf(err, errlen, "report show|html ID: ID "
					 "must be a positive integer");
				return -1;
			}
			return 0;
		}
		if (!strcmp(tok[1], "make") ? n < 3 : strcmp(tok[1], "list") ||
		    n > 3) {
			snprintf(err, errlen, "report list [KIND] | show|html "
				 "ID | make KIND [LINE]");
			return -1;
		}
		return (n > 2 && copy_arg(req->arg, sizeof(req->arg), tok[2],
					  err, errlen)) ||
		       (n > 3 && copy_arg(req->text, sizeof(req->text),
					  tok[3], err, errlen)) ? -1 : 0;
	case CTL_RULE:
		if (sub_name_body(req, tok, n, err, errlen))
			return -1;
		if (!strcmp(tok[1], "rollback") && (n < 4 ||
		    conf_parse_u64(tok[3], &req->num) || !req->num ||
		    req->num > 1000000)) {
			snprintf(err, errlen, "rule rollback NAME VERSION: "
				 "VERSION must be a positive integer");
			return -1;
		}
		return 0;
	case CTL_MQTT:
		if (sub_name_body(req, tok, n, err, errlen))
			return -1;
		if ((!strcmp(tok[1], "list") && n == 2) ||
		    ((!strcmp(tok[1], "show") || !strcmp(tok[1], "remove")) &&
		     n == 3) || (!strcmp(tok[1], "add") && n == 4))
			return 0;
		snprintf(err, errlen, "mqtt list | show|remove NAME | add NAME "
			 "JSON");
		return -1;
	case CTL_CONTROL:
		return copy_arg(req->arg2, sizeof(req->arg2), tok[1], err,
				errlen) ||
		       copy_arg(req->arg, sizeof(req->arg), tok[2], err,
				errlen) ||
		       copy_arg(req->body, sizeof(req->body), tok[3], err,
				errlen) ? -1 : 0;
	case CTL_LIFECYCLE:
		return copy_arg(req->arg, sizeof(req->arg), tok[1], err,
				errlen) ||
		       copy_arg(req->arg2, sizeof(req->arg2), tok[2], err,
				errlen) ||
		       (n == 4 && copy_arg(req->text, sizeof(req->text),
					   tok[3], err, errlen)) ? -1 : 0;
	default:
		return 0;
	}
}
