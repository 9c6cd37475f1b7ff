/*
 * What an alert says: rule table lookups, state and severity names,
 * messages from the rule's templates, and the JSON every interface shows.
 */
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "alerts/alerts.h"
#include "core/json_ns.h"

static const struct alert_rule rules[ALERT_RULE_COUNT] = {
#define ALERT_X_ROW(e, id, sev, tech, clr, en, zh) \
	[ALERT_R_##e] = { id, ALERT_SEV_##sev, tech, clr, en, zh },
	ALERT_RULES(ALERT_X_ROW)
#undef ALERT_X_ROW
};

static const char *const sev_names[] = { "?", "info", "warning", "critical" };
static const char *const state_names[ALERT_ST_COUNT] = {
	"normal", "active-unack", "active-ack", "cleared-unack"
};
static const char *const change_names[] = {
	"?", "raised", "returned", "escalated", "cleared", "normal", "acked",
	"shelved", "unshelved", "comment", "note", "updated"
};

static const struct {
	const char *id, *name;
} techniques[] = {
	{ "T0814", "Denial of Service" },
	{ "T0816", "Device Restart/Shutdown" },
	{ "T0827", "Loss of Control" },
	{ "T0830", "Adversary-in-the-Middle" },
	{ "T0846", "Remote System Discovery" },
	{ "T0848", "Rogue Master" },
	{ "T0855", "Unauthorized Command Message" },
	{ "T0856", "Spoof Reporting Message" },
	{ "T0857", "System Firmware" },
};

const struct alert_rule *alert_rule(unsigned int rule)
{
	return rule < ALERT_RULE_COUNT ? &rules[rule] : &rules[ALERT_R_FLOOD];
}

int alert_rule_parse(const char *s)
{
	int i;

	for (i = 0; s && i < ALERT_RULE_COUNT; i++)
		if (!strcmp(s, rules[i].id))
			return i;
	return -1;
}

const char *alert_severity_name(unsigned int sev)
{
	return sev <= ALERT_SEV_CRITICAL ? sev_names[sev] : "?";
}

int alert_severity_parse(const char *s)
{
	int i;

	for (i = ALERT_SEV_INFO; s && i <= ALERT_SEV_CRITICAL; i++)
		if (!strcmp(s, sev_names[i]))
			return i;
	return -1;
}

const char *alert_state_name(unsigned int st)
{
	return st < ALERT_ST_COUNT ? state_names[st] : "?";
}

int alert_state_parse(const char *s)
{
	int i;

	for (i = 0; s && i < ALERT_ST_COUNT; i++)
		if (!strcmp(s, state_names[i]))
			return i;
	return -1;
}

const char *alert_change_name(unsigned int kind)
{
	return kind < sizeof(change_names) / sizeof(change_names[0]) ?
	       change_names[kind] : "?";
}

const char *alert_technique_name(const char *t)
{
	size_t i;

	for (i = 0; t && i < sizeof(techniques) / sizeof(techniques[0]); i++)
		if (!strcmp(t, techniques[i].id))
			return techniques[i].name;
	return NULL;
}

void alert_mac_str(const uint8_t m[6], char out[18])
{
	snprintf(out, 18, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2],
		 m[3], m[4], m[5]);
}

static bool mac_zero(const uint8_t m[6])
{
	static const uint8_t z[6];

	return !memcmp(m, z, 6);
}

/* {name} → its value; unknown names stay as written */
static const char *field(const struct alert *a, const char *name, size_t n,
			 char mac[18])
{
	if (n == 6 && !strncmp(name, "device", 6)) {
		if (a->label[0])
			return a->label;
		if (!mac_zero(a->dst)) {
			alert_mac_str(a->dst, mac);
			return mac;
		}
		return "-";
	}
	if (n == 3 && (!strncmp(name, "src", 3) || !strncmp(name, "dst", 3))) {
		alert_mac_str(name[0] == 's' ? a->src : a->dst, mac);
		return mac;
	}
	if (n == 6 && !strncmp(name, "detail", 6))
		return a->detail;
	return NULL;
}

size_t alert_message(const struct alert *a, const char *lang, char *buf,
		     size_t len)
{
	const struct alert_rule *r = alert_rule(a->rule);
	const char *t = lang && !strncmp(lang, "zh", 2) ? r->zh : r->en;
	size_t o = 0;
	char mac[18];

	if (!len)
		return 0;
	while (*t && o + 1 < len) {
		const char *e = *t == '{' ? strchr(t, '}') : NULL;
		const char *v = e ? field(a, t + 1, (size_t)(e - t - 1), mac) :
			NULL;

		if (v) {
			while (*v && o + 1 < len)
				buf[o++] = *v++;
			t = e + 1;
		} else {
			buf[o++] = *t++;
		}
	}
	buf[o] = 0;
	return o;
}

static json_t *frame_json(const struct alert_frame *f)
{
	return json_pack("{s:I, s:I}", "ts_ns", (json_int_t)f->ts_ns, "frame",
			 (json_int_t)f->frame_no);
}

static json_t *mac_json(const uint8_t m[6])
{
	char s[18];

	if (mac_zero(m))
		return json_null();
	alert_mac_str(m, s);
	return json_string(s);
}

/* a predicted alert's fitted line (struct alert_fit), null for others */
static json_t *fit_json(const struct alert_fit *x)
{
	if (!x->has)
		return json_null();
	return json_pack("{s:s, s:s, s:I, s:I, s:f, s:f, s:f, s:o, s:o, s:o, "
			 "s:i}",
			 "metric", x->metric, "unit", x->unit,
			 "t0_ns", (json_int_t)x->t0_ns,
			 "last_ns", (json_int_t)x->last_ns,
			 "v0", x->v0, "slope_per_s", x->slope_per_s,
			 "threshold", x->threshold,
			 "cross_ns", json_ns_or_null(x->cross_ns),
			 "cross_lo_ns", json_ns_or_null(x->cross_lo_ns),
			 "cross_hi_ns", json_ns_or_null(x->cross_hi_ns),
			 "samples", (int)x->samples);
}

json_t *alert_json(const struct alert *a)
{
	const struct alert_rule *r = alert_rule(a->rule);
	char msg[ALERT_MSG_MAX];
	json_t *o = json_object(), *ev = json_array();
	unsigned int i;

	if (!o || !ev) {
		json_decref(o);
		json_decref(ev);
		return NULL;
	}
	json_object_set_new(o, "id", json_integer((json_int_t)a->id));
	json_object_set_new(o, "rule", json_string(r->id));
	json_object_set_new(o, "severity",
			    json_string(alert_severity_name(a->severity)));
	json_object_set_new(o, "state", json_string(alert_state_name(a->state)));
	json_object_set_new(o, "ts_ns", json_integer((json_int_t)a->first_ns));
	json_object_set_new(o, "last_ns", json_integer((json_int_t)a->last_ns));
	json_object_set_new(o, "src_mac", mac_json(a->src));
	json_object_set_new(o, "dst_mac", mac_json(a->dst));
	json_object_set_new(o, "device", a->label[0] ? json_string(a->label) :
			    json_null());
	json_object_set_new(o, "device_id", json_integer(a->device));
	json_object_set_new(o, "link_id", json_integer(a->link));
	json_object_set_new(o, "technique", r->technique ?
			    json_string(r->technique) : json_null());
	json_object_set_new(o, "technique_name",
			    r->technique ?
			    json_string(alert_technique_name(r->technique)) :
			    json_null());
	alert_message(a, "en", msg, sizeof(msg));
	json_object_set_new(o, "message", json_string(msg));
	alert_message(a, "zh", msg, sizeof(msg));
	json_object_set_new(o, "message_zh", json_string(msg));
	json_object_set_new(o, "detail", json_string(a->detail));
	json_object_set_new(o, "note", a->note[0] ? json_string(a->note) :
			    json_null());
	json_object_set_new(o, "count", json_integer((json_int_t)a->count));
	json_object_set_new(o, "frames", json_pack("[I, I]",
			    (json_int_t)a->first.frame_no,
			    (json_int_t)a->last.frame_no));
	for (i = 0; i < a->nevidence && i < ALERT_EVIDENCE; i++)
		json_array_append_new(ev, frame_json(&a->evidence[i]));
	json_object_set_new(o, "evidence", ev);
	json_object_set_new(o, "fit", fit_json(&a->fit));
	json_object_set_new(o, "shelved_until_ns",
			    a->shelved_until_ns ?
			    json_integer((json_int_t)a->shelved_until_ns) :
			    json_null());
	json_object_set_new(o, "ack_by", a->ack_by[0] ?
			    json_string(a->ack_by) : json_null());
	json_object_set_new(o, "ack_ns", a->ack_ns ?
			    json_integer((json_int_t)a->ack_ns) : json_null());
	return o;
}
