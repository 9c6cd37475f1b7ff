/*
 * Control socket protocol (iiotd ⇄ iiotctl), one request per connection:
 *
 *	request:  VERB [ARG...] '\n'      (at most CTL_MAX_REQ bytes,
 *	                                  64 KiB; more: an error, counted)
 *	reply:    one JSON object '\n'    {"ok":true,...} or
 *	                                  {"ok":false,"error":"why"}
 *
 * Verbs: status | devices | device KEY | links | signals | stats |
 * history [LABEL [LIMIT]] | monitor [PROTO] (then one text line per
 * frame until the client hangs up) | export-pcap SECONDS [RING] (then
 * exactly "bytes" bytes of pcap) | lifecycle KEY STATE [REASON...] (the
 * reason is the rest of the line; the move is audited under the peer's
 * user name) | alerts [all] (open alerts, or the newest 1000 of any state)
 * | alert-ack ID [COMMENT...] | alert-unshelve ID [COMMENT...] |
 * alert-shelve ID MINUTES COMMENT... (audited as lifecycle is) |
 * health [KEY] (health scores of every device and link, or of one device) |
 * rule list | rule show|history|delete NAME | rule rollback NAME VERSION |
 * rule put|check NAME JSON... (analytics rules; changes audited) |
 * blocks (the XDP blocklist and enforcement status) | unblock MAC
 * (audited) | alert-comment ID COMMENT... | baseline | baseline-learn
 * SECONDS [fresh] | baseline-add JSON... | baseline-remove JSON... |
 * baseline-import BYTES (then exactly BYTES of JSON, at most
 * CTL_MAX_PAYLOAD); baseline changes audited. | report list [KIND] |
 * report show|html ID | report make KIND [LINE] (shift and daily reports,
 * docs/analytics.md; making one is audited). | description list |
 * description show|remove ID | description-import BYTES NAME (then
 * exactly BYTES of the file, at most CTL_MAX_PAYLOAD; device descriptions,
 * docs/descriptions.md; imports and removals audited). |
 * control KIND TARGET JSON... (a control action of the local operator,
 * api/localctl.c: KIND dcp-identify|dcp-signal|dcp-set-name|dcp-set-ip|
 * dcp-reset|modbus-write, TARGET a device key, "-" for dcp-identify, a
 * Modbus device's name for modbus-write; JSON the API's request body;
 * the gate minus MFA, audited under the peer's user name and uid). |
 * alias KEY [HEX] (the device's alias as hex of its UTF-8, none: clear
 * it; audited). | mqtt list | mqtt show NAME | mqtt add NAME JSON... (the
 * API's POST body; the answer has the generated password, shown once) |
 * mqtt remove NAME (MQTT devices, south/mqctl.c; add and remove audited
 * under the peer's user name and uid).
 */
#ifndef IIOTD_CTLPROTO_H
#define IIOTD_CTLPROTO_H

#include <stddef.h>
#include <stdint.h>

/*
 * A request line, the '\n' not counted: as the API's JSON bodies
 * (API_MAX_BODY), so what the API takes in one request (an MQTT device
 * with its 256 signals, a rule) iiotctl can send too.
 */
#define CTL_MAX_REQ	(64 * 1024)
#define CTL_MAX_ARG	256
#define CTL_MAX_PAYLOAD	(8U << 20)

enum ctl_verb {
	CTL_STATUS = 1,
	CTL_DEVICES,
	CTL_DEVICE,
	CTL_LINKS,
	CTL_SIGNALS,
	CTL_STATS,
	CTL_HISTORY,
	CTL_MONITOR,
	CTL_EXPORT_PCAP,
	CTL_LIFECYCLE,
	CTL_ALERTS,
	CTL_ALERT_ACK,
	CTL_ALERT_SHELVE,
	CTL_ALERT_UNSHELVE,
	CTL_HEALTH,
	CTL_RULE,
	CTL_BLOCKS,
	CTL_UNBLOCK,
	CTL_ALERT_COMMENT,
	CTL_BASELINE,
	CTL_BASELINE_LEARN,
	CTL_BASELINE_ADD,
	CTL_BASELINE_REMOVE,
	CTL_BASELINE_IMPORT,
	CTL_REPORT,
	CTL_MODBUS,
	CTL_DESCRIPTION,
	CTL_DESCRIPTION_IMPORT,
	CTL_CONTROL,
	CTL_ALIAS,
	CTL_MQTT,
};

struct ctl_req {
	enum ctl_verb verb;
	char arg[CTL_MAX_ARG];		/* KEY, LABEL, PROTO, RING or MAC */
	char arg2[32];			/* lifecycle: STATE */
	char text[CTL_MAX_ARG];		/* lifecycle: REASON; alert-*:
					 * COMMENT; may be "" */
	uint64_t num;			/* SECONDS, LIMIT or alert ID */
	uint64_t num2;			/* alert-shelve: MINUTES */
	char body[CTL_MAX_REQ];		/* rule put|check, baseline-add|remove:
					 * the JSON; alias: the HEX */
	const char *payload;		/* baseline-import: the bytes after
					 * the line (the socket's, not parsed) */
	size_t payload_len;
};

/*
 * Parse one request line (without or with its '\n').  Returns 0, or -1
 * with a reason in err.
 */
int ctl_parse_request(const char *line, size_t len, struct ctl_req *req,
		      char *err, size_t errlen);

#endif
