/*
 * Health scores from the open diagnoses and the link statistics
 * (health.h).  The points say how much a condition stops the line, not how
 * loud its alert is: a slave that is gone or an AR that is lost takes most
 * of a score, a counter that rose once takes little.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "alerts/alerts.h"
#include "diag/health.h"
#include "model/model.h"

/* Lost frames or wrong working counters as a share of frames: points. */
#define RATIO_FAULT	1.0	/* % */
#define RATIO_CHECK	0.1
#define LINK_MIN_FRAMES	16	/* before statistics say anything */

static const struct {
	uint16_t rule;
	uint8_t points;
} rule_points[] = {
	{ ALERT_R_ECAT_SLAVE_LOST, 60 },
	{ ALERT_R_ECAT_SLAVE_MISSING, 60 },
	{ ALERT_R_ECAT_SLAVE_UNEXPECTED, 25 },
	{ ALERT_R_PN_AR_LOST, 60 },
	{ ALERT_R_ECAT_AL_ERROR, 40 },
	{ ALERT_R_ECAT_AL_NOT_OP, 25 },
	{ ALERT_R_PN_PROVIDER_STOP, 25 },
	{ ALERT_R_PN_REDUNDANCY_NO_PRIMARY, 25 },
	{ ALERT_R_PN_ALARM_PULL, 25 },
	{ ALERT_R_ECAT_WKC_MISMATCH, 20 },
	{ ALERT_R_ECAT_ESC_LOST_LINK, 20 },
	{ ALERT_R_PN_DATA_INVALID, 20 },
	{ ALERT_R_ECAT_ESC_RX_ERRORS, 15 },
	{ ALERT_R_ECAT_ESC_PU_ERRORS, 15 },
	{ ALERT_R_PN_ALARM_DIAG, 15 },
	{ ALERT_R_PN_SUBMODULE_BAD, 15 },
	{ ALERT_R_ECAT_ESC_WATCHDOG, 10 },
	{ ALERT_R_ECAT_DC_DRIFT, 10 },
	{ ALERT_R_PN_STATION_PROBLEM, 10 },
	{ ALERT_R_DIAG_PREDICTED, 10 },
	/* not here: ecat.frame.lost and pn.cycle.lost, the frames the
	 * link's "lost" ratio counts already (model_ecat.c, model_pn.c) */
};

#define NRULES (sizeof(rule_points) / sizeof(rule_points[0]))

const char *health_grade(int score)
{
	return score >= HEALTH_GOOD ? "good" : score >= HEALTH_CHECK ?
	       "check" : "fault";
}

int health_rule_points(unsigned int rule)
{
	size_t i;

	for (i = 0; i < NRULES; i++)
		if (rule_points[i].rule == rule)
			return rule_points[i].points;
	return 0;
}

static void h_init(struct health *h)
{
	memset(h, 0, sizeof(*h));
	h->score = 100;
}

/* Keep the reasons with most points; the score counts every one. */
static struct health_reason *take(struct health *h, int points,
				  const char *code)
{
	struct health_reason *r;
	unsigned int i;

	h->score = h->score > points ? h->score - points : 0;
	if (h->n == HEALTH_REASONS) {
		if (h->r[h->n - 1].points >= points) {
			h->more++;
			return NULL;
		}
		h->n--;
		h->more++;
	}
	for (i = h->n; i > 0 && h->r[i - 1].points < points; i--)
		h->r[i] = h->r[i - 1];
	r = &h->r[i];
	memset(r, 0, sizeof(*r));
	r->points = points;
	snprintf(r->code, sizeof(r->code), "%s", code);
	h->n++;
	return r;
}

static bool active(const struct alert *a)
{
	return a->state == ALERT_ST_ACTIVE_UNACK ||
	       a->state == ALERT_ST_ACTIVE_ACK;
}

/* A PROFINET sender's condition, keyed by its FrameID (diag_pn.c). */
static bool pn_link_rule(unsigned int rule)
{
	return rule == ALERT_R_PN_AR_LOST || rule == ALERT_R_PN_PROVIDER_STOP ||
	       rule == ALERT_R_PN_DATA_INVALID ||
	       rule == ALERT_R_PN_REDUNDANCY_NO_PRIMARY ||
	       rule == ALERT_R_PN_STATION_PROBLEM;
}

static bool on_link(const struct model_link *l, const struct alert *a)
{
	if (a->link)
		return a->link == l->id;
	if (!l->src || a->device != l->src)
		return false;
	if (l->kind == MODEL_LINK_ECAT)
		return a->rule == ALERT_R_ECAT_WKC_MISMATCH;
	return pn_link_rule(a->rule) && a->key == l->frame_id;
}

/* at most len - 1 bytes of s, never half a character */
static void cut_utf8(char *dst, size_t len, const char *s)
{
	size_t n = strlen(s);

	if (n >= len) {
		n = len - 1;
		while (n && ((unsigned char)s[n] & 0xC0) == 0x80)
			n--;
	}
	memcpy(dst, s, n);
	dst[n] = 0;
}

/*
 * One reason per rule, however many alerts of it are open (ports,
 * channels): the first names it, the count says how many.
 */
static void alert_reasons(struct health *h, const struct alert *al,
			  size_t nal, bool (*match)(const void *, const struct alert *),
			  const void *arg, uint32_t link)
{
	struct health_reason *r;
	const struct alert *first;
	size_t i, k, n;
	char msg[ALERT_MSG_MAX];

	for (k = 0; k < NRULES; k++) {
		first = NULL;
		for (i = n = 0; i < nal; i++) {
			if (al[i].rule != rule_points[k].rule ||
			    !active(&al[i]) || !match(arg, &al[i]))
				continue;
			if (!first)
				first = &al[i];
			n++;
		}
		if (!first)
			continue;
		r = take(h, rule_points[k].points,
			 alert_rule(first->rule)->id);
		if (!r)
			continue;
		r->alert = first->id;
		r->link = link;
		alert_message(first, "en", msg, sizeof(msg));
		if (n > 1)
			snprintf(r->text, sizeof(r->text), "%.150s (and %zu more)",
				 msg, n - 1);
		else
			snprintf(r->text, sizeof(r->text), "%.191s", msg);
		alert_message(first, "zh", msg, sizeof(msg));
		cut_utf8(r->text_zh, sizeof(r->text_zh), msg);
	}
}

static bool match_link(const void *arg, const struct alert *a)
{
	return on_link(arg, a);
}

static void ratio_reason(struct health *h, const char *code,
			 const char *what, uint64_t bad, uint64_t frames,
			 uint32_t link)
{
	struct health_reason *r;
	double pct;
	int points;

	if (!bad || !frames)
		return;
	pct = 100.0 * (double)bad / (double)(frames + bad);
	points = pct >= RATIO_FAULT ? 30 : pct >= RATIO_CHECK ? 15 : 5;
	r = take(h, points, code);
	if (!r)
		return;
	r->link = link;
	r->value = pct;
	r->limit = pct >= RATIO_FAULT ? RATIO_FAULT : RATIO_CHECK;
	snprintf(r->text, sizeof(r->text), "%llu %s since first seen "
		 "(%.3g%% of frames)", (unsigned long long)bad, what, pct);
}

static void link_stats(struct health *h, const struct model_link *l)
{
	struct health_reason *r;
	double p99 = (double)l->jitter_p99_ns / 1000.0;
	double per = (double)l->period_ns / 1000.0;

	/* PROFINET's planning rule: jitter over half the update time is a
	 * fault; a quarter already eats the margin the watchdog leaves */
	if (l->period_ns && l->frames >= LINK_MIN_FRAMES &&
	    l->jitter_p99_ns * 4 > l->period_ns) {
		bool fault = l->jitter_p99_ns * 2 > l->period_ns;

		r = take(h, fault ? 30 : 10, "jitter");
		if (r) {
			r->link = l->id;
			r->value = p99;
			r->limit = fault ? per / 2 : per / 4;
			snprintf(r->text, sizeof(r->text), "jitter p99 %.1f µs "
				 "is over %s the %.1f µs cycle", p99,
				 fault ? "half" : "a quarter of", per);
		}
	}
	ratio_reason(h, "lost", "frames lost", l->lost, l->frames, l->id);
	if (l->kind == MODEL_LINK_ECAT)
		ratio_reason(h, "wkc_errors", "wrong working counters",
			     l->wkc_errors, l->frames, l->id);
}

void health_link(struct model *m, const struct model_link *l,
		 const struct alert *al, size_t nal, struct health *h)
{
	const struct model_device *src = model_device_get(m, l->src);
	struct health_reason *r;

	h_init(h);
	if (src && !src->online && src->lifecycle != MODEL_LC_RETIRED) {
		r = take(h, 100, "offline");
		if (r) {
			r->link = l->id;
			snprintf(r->text, sizeof(r->text), "its sender is "
				 "offline: no frames");
		}
	}
	alert_reasons(h, al, nal, match_link, l, l->id);
	link_stats(h, l);
}

struct dev_match {
	struct model *m;
	const struct model_device *d;
};

/* the device's own alerts, less those its links counted */
static bool match_dev(const void *arg, const struct alert *a)
{
	const struct dev_match *dm = arg;
	size_t i, n;

	if (a->device != dm->d->id)
		return false;
	n = model_link_count(dm->m);
	for (i = 0; i < n; i++) {
		const struct model_link *l = model_link_at(dm->m, i);

		if (l->src == dm->d->id && on_link(l, a))
			return false;
	}
	return true;
}

static bool has_open(const struct alert *al, size_t nal, uint32_t dev,
		     unsigned int rule)
{
	size_t i;

	for (i = 0; i < nal; i++)
		if (al[i].device == dev && al[i].rule == rule && active(&al[i]))
			return true;
	return false;
}

/* An EtherCAT slave's AL state as the model last read it; the alerts say
 * it already when they are open. */
static void al_state(struct health *h, const struct model_device *d,
		     const struct alert *al, size_t nal)
{
	struct health_reason *r;
	unsigned int st = d->al_state & 0x0F;

	if (d->kind != MODEL_DEV_ECAT_SLAVE || !(d->has & MODEL_HAS_AL) ||
	    has_open(al, nal, d->id, ALERT_R_ECAT_AL_ERROR) ||
	    has_open(al, nal, d->id, ALERT_R_ECAT_AL_NOT_OP))
		return;
	if (d->al_state & 0x10) {
		r = take(h, 40, "al_error");
		if (r)
			snprintf(r->text, sizeof(r->text), "AL status %s with "
				 "the error bit, code 0x%04x",
				 model_al_state_name(st), d->al_status_code);
	} else if (st != 0x08) {
		r = take(h, 20, "al_state");
		if (r)
			snprintf(r->text, sizeof(r->text), "AL state %s, not "
				 "OP", model_al_state_name(st));
	}
}

void health_device(struct model *m, const struct model_device *d,
		   const struct alert *al, size_t nal, struct health *h)
{
	struct dev_match dm = { m, d };
	struct health_reason *r;
	struct health lh;
	size_t i, n;
	unsigned int k;

	h_init(h);
	if (!d->online && d->lifecycle != MODEL_LC_RETIRED) {
		r = take(h, 100, "offline");
		if (r)
			snprintf(r->text, sizeof(r->text), "offline: no "
				 "frames from it");
		return;
	}
	n = model_link_count(m);
	for (i = 0; i < n; i++) {
		const struct model_link *l = model_link_at(m, i);

		if (l->src != d->id)
			continue;
		health_link(m, l, al, nal, &lh);
		for (k = 0; k < lh.n; k++) {
			if (!strcmp(lh.r[k].code, "offline"))
				continue;
			r = take(h, lh.r[k].points, lh.r[k].code);
			if (r) {
				*r = lh.r[k];
				snprintf(r->text, sizeof(r->text),
					 "link %u: %.160s", l->id, lh.r[k].text);
			}
		}
		h->more += lh.more;
	}
	alert_reasons(h, al, nal, match_dev, &dm, 0);
	al_state(h, d, al, nal);
}

json_t *health_json(const struct health *h)
{
	json_t *o = json_object(), *a = json_array();
	unsigned int i;

	for (i = 0; i < h->n; i++) {
		const struct health_reason *r = &h->r[i];
		json_t *j = json_pack("{s:i, s:s, s:s}", "points", r->points,
				      "code", r->code, "text", r->text);

		if (r->alert)
			json_object_set_new(j, "alert",
					    json_integer((json_int_t)r->alert));
		if (r->text_zh[0])
			json_object_set_new(j, "text_zh",
					    json_string(r->text_zh));
		if (r->link)
			json_object_set_new(j, "link", json_integer(r->link));
		if (r->limit) {
			json_object_set_new(j, "value", json_real(r->value));
			json_object_set_new(j, "limit", json_real(r->limit));
		}
		json_array_append_new(a, j);
	}
	json_object_set_new(o, "score", json_integer(h->score));
	json_object_set_new(o, "grade", json_string(health_grade(h->score)));
	json_object_set_new(o, "reasons", a);
	if (h->more)
		json_object_set_new(o, "more", json_integer(h->more));
	return o;
}

static void count_grade(json_t *sum, int score)
{
	const char *g = health_grade(score);

	json_object_set_new(sum, g, json_integer(
		json_integer_value(json_object_get(sum, g)) + 1));
}

static json_t *summary_new(void)
{
	return json_pack("{s:i, s:i, s:i}", "good", 0, "check", 0, "fault", 0);
}

static json_t *device_entry(struct model *m, const struct model_device *d,
			    const struct health *h)
{
	char label[80], name[MODEL_NAME_MAX];
	json_t *o = health_json(h);

	model_device_label(m, d, label, sizeof(label));
	json_object_set_new(o, "id", json_integer(d->id));
	json_object_set_new(o, "label", json_string(label));
	if (model_ecat_product_name(d, name, sizeof(name)))
		json_object_set_new(o, "product", json_string(name));
	json_object_set_new(o, "kind", json_string(model_kind_name(d->kind)));
	json_object_set_new(o, "online", json_boolean(d->online));
	return o;
}

json_t *health_report_json(struct model *m, const struct alert *al,
			   size_t nal, uint32_t device)
{
	json_t *o, *devs = json_array(), *links = json_array();
	json_t *dsum = summary_new(), *lsum = summary_new();
	const struct model_device *d;
	struct health h;
	size_t i, n = model_device_count(m);

	if (device && !model_device_get(m, device))
		goto none;
	for (i = 0; i < n; i++) {
		d = model_device_at(m, i);
		if (device && d->id != device)
			continue;
		health_device(m, d, al, nal, &h);
		json_array_append_new(devs, device_entry(m, d, &h));
		count_grade(dsum, h.score);
	}
	n = model_link_count(m);
	for (i = 0; i < n; i++) {
		const struct model_link *l = model_link_at(m, i);
		json_t *lo;

		if (device && l->src != device && l->dst != device)
			continue;
		health_link(m, l, al, nal, &h);
		lo = health_json(&h);
		json_object_set_new(lo, "id", json_integer(l->id));
		json_object_set_new(lo, "src", json_integer(l->src));
		if (l->dst)
			json_object_set_new(lo, "dst", json_integer(l->dst));
		json_array_append_new(links, lo);
		count_grade(lsum, h.score);
	}
	o = json_object();
	json_object_set_new(o, "devices", devs);
	json_object_set_new(o, "links", links);
	json_object_set_new(o, "summary", json_pack("{s:o, s:o}", "devices",
						    dsum, "links", lsum));
	return o;
none:
	json_decref(devs);
	json_decref(links);
	json_decref(dsum);
	json_decref(lsum);
	return NULL;
}

struct alert *health_open_alerts(struct alerts *al, size_t *n)
{
	struct alert *open;

	*n = 0;
	if (!al)
		return NULL;
	open = malloc(sizeof(*open) * ALERTS_MAX);
	if (open)
		*n = alerts_snapshot(al, open, ALERTS_MAX);
	return open;
}

json_t *health_report(struct model *m, struct alerts *al, uint32_t device)
{
	size_t n;
	struct alert *open = health_open_alerts(al, &n);
	json_t *o;

	if (al && !open)
		return NULL;
	o = health_report_json(m, open, n, device);
	free(open);
	return o;
}
