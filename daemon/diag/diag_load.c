/*
 * Network load per capture port (docs/diagnostics.md, "Network load"):
 * the bytes a port's frames take on the wire, per millisecond and as a
 * share of the port's speed, over each second of frame time, graded as
 * the PROFINET planning guideline grades it: under 20 % fine, 20-50 %
 * check, over 50 % reduce (the cyclic traffic leaves too little room for
 * acyclic traffic and bursts).
 *
 * A frame takes max(wire_len, 60) + 24 bytes of the wire: padding to the
 * 64-byte minimum, the FCS (4), the preamble and start delimiter (8) and
 * the inter-frame gap (12) that a capture does not show.
 *
 * Check is an info finding, reduce a warning; a grade is left after
 * DIAG_LOAD_CALM seconds below it, so a load at a threshold does not
 * flap.  The port's speed is its interface's (sysfs) when iiotd
 * captures live and the interface says, else [diag] port_speed.
 */
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "alerts/alerts.h"
#include "diag/diag_int.h"

#define DIAG_LOAD_WIN_NS	1000000000ULL
#define DIAG_LOAD_OVERHEAD	24
#define DIAG_LOAD_MIN_FRAME	60
#define DIAG_LOAD_CALM		5
#define DIAG_LOAD_CHECK_PCT	20.0
#define DIAG_LOAD_REDUCE_PCT	50.0

static const char *const grade_name[] = { "fine", "check", "reduce" };

const char *diag_load_grade_name(unsigned int grade)
{
	return grade <= DIAG_LOAD_REDUCE ? grade_name[grade] : "?";
}

/* the interface's speed in Mbit/s, 0 when it does not say (down,
 * virtual, not an interface) */
static uint32_t if_speed(const char *name)
{
	char path[96];
	unsigned long v = 0;
	FILE *f;

	if (!name[0] || strchr(name, '/') || !strcmp(name, "..") ||
	    !strcmp(name, "."))
		return 0;
	snprintf(path, sizeof(path), "/sys/class/net/%s/speed", name);
	f = fopen(path, "r");
	if (!f)
		return 0;
	if (fscanf(f, "%lu", &v) != 1 || v == 0 || v > 4000000)
		v = 0;
	fclose(f);
	return (uint32_t)v;
}

static struct dport *port_of(struct diag *dg, const char *line)
{
	struct dport *p;
	size_t i;

	/* a long name is kept cut: compared as cut */
	for (i = 0; i < dg->nport; i++)
		if (!strncmp(dg->port[i].st.name, line, DIAG_PORT_NAME - 1) &&
		    strnlen(line, DIAG_PORT_NAME - 1) ==
		    strlen(dg->port[i].st.name))
			return &dg->port[i];
	if (dg->nport == DIAG_PORTS_MAX) {
		dg->ctr.ports_full++;
		return NULL;
	}
	p = &dg->port[dg->nport++];
	memset(p, 0, sizeof(*p));
	diag_fmt(p->st.name, sizeof(p->st.name), "%s", line);
	/* once per port, never per frame */
	p->st.speed_mbps = dg->o.port_sysfs ? if_speed(line) : 0;
	p->st.speed_from_if = p->st.speed_mbps != 0;
	if (!p->st.speed_mbps)
		p->st.speed_mbps = dg->o.port_mbps;
	return p;
}

static unsigned int grade_of(double pct)
{
	return pct > DIAG_LOAD_REDUCE_PCT ? DIAG_LOAD_REDUCE :
	       pct >= DIAG_LOAD_CHECK_PCT ? DIAG_LOAD_CHECK : DIAG_LOAD_FINE;
}

static const unsigned int grade_rule[] = {
	[DIAG_LOAD_CHECK] = ALERT_R_DIAG_LOAD_CHECK,
	[DIAG_LOAD_REDUCE] = ALERT_R_DIAG_LOAD_REDUCE,
};

/* the raised grade becomes g: the old one's alert clears */
static void regrade(struct diag *dg, struct dport *p, unsigned int g)
{
	char detail[ALERT_DETAIL_MAX], ev[DIAG_EVIDENCE_MAX];
	unsigned int old = p->st.grade, idx = (unsigned int)(p - dg->port);

	diag_fmt(detail, sizeof(detail), "%.1f %% of %u Mbit/s, %.0f bytes/ms "
		 "(%s)", p->st.load_pct, p->st.speed_mbps, p->st.bytes_per_ms,
		 grade_name[g]);
	p->st.grade = (uint8_t)g;
	if (old != DIAG_LOAD_FINE)
		diag_emit_line(dg, grade_rule[old], p->st.name, idx, true,
			       detail, NULL);
	if (g == DIAG_LOAD_FINE)
		return;
	diag_fmt(ev, sizeof(ev), "%.0f wire bytes (frames + %u bytes of "
		 "preamble, gap and FCS each) in the last second on a %u "
		 "Mbit/s port (%s); check from %.0f %%, reduce over %.0f %%",
		 p->st.bytes_per_ms * 1000, DIAG_LOAD_OVERHEAD,
		 p->st.speed_mbps, p->st.speed_from_if ? "its interface" :
		 "[diag] port_speed", DIAG_LOAD_CHECK_PCT,
		 DIAG_LOAD_REDUCE_PCT);
	diag_emit_line(dg, grade_rule[g], p->st.name, idx, false, detail, ev);
}

/* a whole second (or more, after a silence) ends at ts */
static void second(struct diag *dg, struct dport *p, uint64_t ts)
{
	double ms = (double)(ts - p->t0) / 1e6;
	unsigned int g;

	p->st.bytes_per_ms = (double)p->acc / ms;
	/* bits per µs are Mbit/s */
	p->st.load_pct = p->st.bytes_per_ms * 8 / 1000 /
			 p->st.speed_mbps * 100;
	if (p->st.load_pct > p->st.peak_pct)
		p->st.peak_pct = p->st.load_pct;
	p->st.measured = true;
	p->t0 = ts;
	p->acc = 0;
	g = grade_of(p->st.load_pct);
	if (g > p->st.grade) {
		p->calm = 0;
		regrade(dg, p, g);
	} else if (g < p->st.grade) {
		if (++p->calm >= DIAG_LOAD_CALM) {
			p->calm = 0;
			regrade(dg, p, g);
		}
	} else {
		p->calm = 0;
	}
}

void diag_load(struct diag *dg, const char *line, uint32_t wire_len,
	       uint64_t ts_ns)
{
	struct dport *p = port_of(dg, line ? line : "");
	uint64_t b;

	if (!p)
		return;
	b = (wire_len < DIAG_LOAD_MIN_FRAME ? DIAG_LOAD_MIN_FRAME : wire_len) +
	    DIAG_LOAD_OVERHEAD;
	p->st.frames++;
	p->st.bytes += b;
	if (!p->t0 || ts_ns < p->t0) {	/* the first frame, a step back */
		p->t0 = ts_ns ? ts_ns : 1;
		p->acc = 0;
	}
	if (ts_ns - p->t0 >= DIAG_LOAD_WIN_NS) {
		dg->ts = ts_ns;
		dg->d = NULL;		/* a second's finding, no frame's */
		second(dg, p, ts_ns);
	}
	p->acc += b;
}

void diag_load_speed(struct diag *dg)
{
	size_t i;

	for (i = 0; i < dg->nport; i++)
		if (!dg->port[i].st.speed_from_if)
			dg->port[i].st.speed_mbps = dg->o.port_mbps;
}

size_t diag_port_stats(const struct diag *dg, struct diag_port_stat *out,
		       size_t max)
{
	size_t i;

	for (i = 0; i < dg->nport && i < max; i++)
		out[i] = dg->port[i].st;
	return i;
}

/* as a health score: a port's load takes points off like a diagnosis */
json_t *diag_port_json(const struct diag_port_stat *p)
{
	static const int points[] = { 0, 10, 30 };
	unsigned int g = p->grade <= DIAG_LOAD_REDUCE ? p->grade : 0;
	int score = 100 - points[g];
	json_t *o = json_object(), *rs = json_array();

	json_object_set_new(o, "port", json_string(p->name));
	json_object_set_new(o, "speed_mbps", json_integer(p->speed_mbps));
	json_object_set_new(o, "speed_from", json_string(p->speed_from_if ?
				"interface" : "config"));
	json_object_set_new(o, "frames", json_integer((json_int_t)p->frames));
	json_object_set_new(o, "wire_bytes",
			    json_integer((json_int_t)p->bytes));
	json_object_set_new(o, "bytes_per_ms", p->measured ?
			    json_real(p->bytes_per_ms) : json_null());
	json_object_set_new(o, "load_pct", p->measured ?
			    json_real(p->load_pct) : json_null());
	json_object_set_new(o, "peak_pct", p->measured ?
			    json_real(p->peak_pct) : json_null());
	json_object_set_new(o, "grade", json_string(grade_name[g]));
	json_object_set_new(o, "score", json_integer(score));
	if (g != DIAG_LOAD_FINE) {
		char text[128];

		snprintf(text, sizeof(text), "network load %.1f %% of %u "
			 "Mbit/s (%s: %s)", p->load_pct, p->speed_mbps,
			 grade_name[g], g == DIAG_LOAD_REDUCE ? "over 50 %" :
			 "20-50 %");
		json_array_append_new(rs, json_pack("{s:i, s:s, s:f, s:f, s:s}",
			"points", points[g], "code", "load", "value",
			p->load_pct, "limit", g == DIAG_LOAD_REDUCE ?
			DIAG_LOAD_REDUCE_PCT : DIAG_LOAD_CHECK_PCT, "text",
			text));
	}
	json_object_set_new(o, "reasons", rs);
	return o;
}
