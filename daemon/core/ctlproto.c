/* Control-socket request parser: strict, bounded, printable ASCII only. */
#include <stdio.h>
#include <string.h>

#include "core/conf.h"
#include "core/ctlproto.h"

static const struct {
	const char *name;
	enum ctl_verb verb;
	int min_args, max_args;
} verbs[] = {
	{ "status", CTL_STATUS, 0, 0 },
	{ "devices", CTL_DEVICES, 0, 0 },
	{ "device", CTL_DEVICE, 1, 1 },
	{ "links", CTL_LINKS, 0, 0 },
	{ "signals", CTL_SIGNALS, 0, 0 },
	{ "stats", CTL_STATS, 0, 0 },
	{ "history", CTL_HISTORY, 0, 2 },
	{ "monitor", CTL_MONITOR, 0, 1 },
	{ "export-pcap", CTL_EXPORT_PCAP, 1, 2 },
};

#define MAX_TOK 4

int ctl_parse_request(const char *line, size_t len, struct ctl_req *req,
		      char *err, size_t errlen)
{
	char buf[CTL_MAX_REQ + 1], *tok[MAX_TOK], *p, *save = NULL;
	int n = 0;
	size_t i;

	memset(req, 0, sizeof(*req));
	if (len && line[len - 1] == '\n')
		len--;
	if (len && line[len - 1] == '\r')
		len--;
	if (len == 0) {
		snprintf(err, errlen, "empty request");
		return -1;
	}
	if (len > CTL_MAX_REQ) {
		snprintf(err, errlen, "request longer than %d bytes",
			 CTL_MAX_REQ);
		return -1;
	}
	for (i = 0; i < len; i++)
		if ((unsigned char)line[i] < 0x20 ||
		    (unsigned char)line[i] > 0x7e) {
			snprintf(err, errlen, "non-printable byte 0x%02x at "
				 "offset %zu", (unsigned char)line[i], i);
			return -1;
		}
	memcpy(buf, line, len);
	buf[len] = '\0';
	for (p = strtok_r(buf, " ", &save); p; p = strtok_r(NULL, " ", &save)) {
		if (n == MAX_TOK) {
			snprintf(err, errlen, "too many arguments");
			return -1;
		}
		tok[n++] = p;
	}
	if (n == 0) {
		snprintf(err, errlen, "empty request");
		return -1;
	}
	for (i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
		if (!strcmp(tok[0], verbs[i].name))
			break;
	if (i == sizeof(verbs) / sizeof(verbs[0])) {
		snprintf(err, errlen, "unknown request '%.32s'", tok[0]);
		return -1;
	}
	if (n - 1 < verbs[i].min_args || n - 1 > verbs[i].max_args) {
		snprintf(err, errlen, "%s takes %d to %d arguments",
			 verbs[i].name, verbs[i].min_args, verbs[i].max_args);
		return -1;
	}
	req->verb = verbs[i].verb;
	switch (req->verb) {
	case CTL_EXPORT_PCAP:
		if (conf_parse_u64(tok[1], &req->num) || req->num == 0 ||
		    req->num > 86400) {
			snprintf(err, errlen, "export-pcap: SECONDS must be "
				 "1..86400");
			return -1;
		}
		if (n == 3)
			goto arg2;
		break;
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
		if (n >= 2) {
			if (strlen(tok[1]) >= sizeof(req->arg)) {
				snprintf(err, errlen, "argument too long");
				return -1;
			}
			strcpy(req->arg, tok[1]);
		}
		break;
	default:
		break;
	}
	return 0;
arg2:
	if (strlen(tok[2]) >= sizeof(req->arg)) {
		snprintf(err, errlen, "argument too long");
		return -1;
	}
	strcpy(req->arg, tok[2]);
	return 0;
}
