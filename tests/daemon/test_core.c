/* Units of iiotd's core: config parser, request parser, flight recorder,
 * signal map, model on hand-made frames. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "alerts/alerts.h"
#include "capture/capture.h"
#include "capture/flightrec.h"
#include "core/conf.h"
#include "core/ctlproto.h"
#include "core/hash.h"
#include "core/idxtab.h"
#include "decode/decode.h"
#include "model/model.h"

/* room for a signal assembled by model_signal_get on a snapshot */
static struct model_signal stmp;

static struct conf *parse(const char *s, char *err)
{
	return conf_parse(s, strlen(s), "t.conf", err, 256);
}

static void conf_basic(void **state)
{
	char err[256];
	struct conf *c;
	const struct conf_entry *e;
	uint64_t v;
	bool b;

	(void)state;
	c = parse("# comment\n[capture]\nring = a\nring = \"b c\" # x\n"
		  "batch=64\n[store]\nflush = 250ms\nmax_size = 16M\n"
		  "x = yes\n", err);
	assert_non_null(c);
	e = conf_next(c, "capture", "ring", NULL);
	assert_string_equal(e->value, "a");
	assert_int_equal(e->line, 3);
	e = conf_next(c, "capture", "ring", e);
	assert_string_equal(e->value, "b c");
	assert_null(conf_next(c, "capture", "ring", e));
	assert_int_equal(conf_get_ms(c, "store", "flush", 0, 0, 10000, &v,
				     err, sizeof(err)), 0);
	assert_int_equal(v, 250);
	assert_int_equal(conf_get_size(c, "store", "max_size", 0, 0,
				       UINT64_MAX, &v, err, sizeof(err)), 0);
	assert_int_equal(v, 16 << 20);
	assert_int_equal(conf_get_bool(c, "store", "x", false, &b, err,
				       sizeof(err)), 0);
	assert_true(b);
	/* range errors name the line */
	assert_int_equal(conf_get_u64(c, "capture", "batch", 1, 100, 200, &v,
				      err, sizeof(err)), -1);
	assert_non_null(strstr(err, "t.conf:5:"));
	conf_free(c);
}

static void conf_errors(void **state)
{
	static const struct { const char *text; const char *want; } bad[] = {
		{ "key = v\n", "t.conf:1: 'key' outside any [section]" },
		{ "[a]\n[b\n", "t.conf:2: section header without closing" },
		{ "[a]\nnoequals\n", "t.conf:2: expected 'key = value'" },
		{ "[a]\nk = \"open\n", "t.conf:2: unterminated quote" },
		{ "[a b c]\n", "t.conf:1: bad section name" },
		{ "[a]\n\n\nk\x01 = 1\n", "t.conf:4: control character" },
	};
	char err[256];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_null(parse(bad[i].text, err));
		if (!strstr(err, bad[i].want))
			fail_msg("'%s': got '%s'", bad[i].want, err);
	}
}

static void conf_unknown_key(void **state)
{
	static const char *const keys[] = { "a", NULL };
	char err[256];
	struct conf *c = parse("[s]\na = 1\n\nb = 2\n", err);

	(void)state;
	assert_non_null(c);
	assert_int_equal(conf_check_keys(c, "s", keys, err, sizeof(err)), -1);
	assert_string_equal(err, "t.conf:4: unknown key 'b' in [s]");
	conf_free(c);
}

static void ctlreq(void **state)
{
	struct ctl_req r;
	char err[160];

	(void)state;
	assert_int_equal(ctl_parse_request("status\n", 7, &r, err,
					   sizeof(err)), 0);
	assert_int_equal(r.verb, CTL_STATUS);
	assert_int_equal(ctl_parse_request("export-pcap 30 sim0", 19, &r, err,
					   sizeof(err)), 0);
	assert_int_equal(r.verb, CTL_EXPORT_PCAP);
	assert_int_equal(r.num, 30);
	assert_string_equal(r.arg, "sim0");
	assert_int_equal(ctl_parse_request("device 00:11:22:33:44:55", 24, &r,
					   err, sizeof(err)), 0);
	assert_string_equal(r.arg, "00:11:22:33:44:55");
	assert_int_equal(ctl_parse_request("export-pcap 0", 13, &r, err,
					   sizeof(err)), -1);
	assert_int_equal(ctl_parse_request("device", 6, &r, err, sizeof(err)),
			 -1);
	assert_int_equal(ctl_parse_request("rm -rf", 6, &r, err, sizeof(err)),
			 -1);
	assert_non_null(strstr(err, "unknown request"));
	assert_int_equal(ctl_parse_request("status\x80", 7, &r, err,
					   sizeof(err)), -1);
	assert_int_equal(ctl_parse_request("", 0, &r, err, sizeof(err)), -1);
	assert_int_equal(ctl_parse_request("status now", 10, &r, err,
					   sizeof(err)), -1);
	assert_string_equal(err, "status takes 0 to 0 arguments");
}

static void ctlreq_lifecycle(void **state)
{
	static const char full[] = "lifecycle et200sp-1 active  FAT  passed ";
	struct ctl_req r;
	char err[160];

	(void)state;
	/* the reason is the rest of the line, inner spaces kept */
	assert_int_equal(ctl_parse_request(full, strlen(full), &r, err,
					   sizeof(err)), 0);
	assert_int_equal(r.verb, CTL_LIFECYCLE);
	assert_string_equal(r.arg, "et200sp-1");
	assert_string_equal(r.arg2, "active");
	assert_string_equal(r.text, "FAT  passed");
	assert_int_equal(ctl_parse_request("lifecycle 3 active\n", 19, &r,
					   err, sizeof(err)), 0);
	assert_string_equal(r.text, "");
	assert_int_equal(ctl_parse_request("lifecycle 3", 11, &r, err,
					   sizeof(err)), -1);
	assert_string_equal(err, "lifecycle takes 2 to 3 arguments");
	assert_int_equal(ctl_parse_request("lifecycle 3 active-and-then-some-"
					   "more-words-x", 45, &r, err,
					   sizeof(err)), -1);
	assert_string_equal(err, "argument too long");
}

/* control KIND TARGET JSON: the body is the rest of the line, spaces kept */
static void ctlreq_control(void **state)
{
	static const char full[] = "control dcp-set-name 11 {\"reason\": \"new "
				   "cabinet\", \"name\": \"conveyor-3\"}\n";
	struct ctl_req r;
	char err[160];

	(void)state;
	assert_int_equal(ctl_parse_request(full, strlen(full), &r, err,
					   sizeof(err)), 0);
	assert_int_equal(r.verb, CTL_CONTROL);
	assert_string_equal(r.arg2, "dcp-set-name");
	assert_string_equal(r.arg, "11");
	assert_string_equal(r.body, "{\"reason\": \"new cabinet\", "
			    "\"name\": \"conveyor-3\"}");
	assert_int_equal(ctl_parse_request("control dcp-signal 11", 21, &r,
					   err, sizeof(err)), -1);
	assert_string_equal(err, "control takes 3 to 3 arguments");
}

/* mqtt list | show|remove NAME | add NAME JSON: the JSON is the rest */
static void ctlreq_mqtt(void **state)
{
	static const char add[] = "mqtt add press3 {\"signals\": [\"t.c t "
				  "number unit=degC\"]}\n";
	struct ctl_req r;
	char err[160];

	(void)state;
	assert_int_equal(ctl_parse_request(add, strlen(add), &r, err,
					   sizeof(err)), 0);
	assert_int_equal(r.verb, CTL_MQTT);
	assert_string_equal(r.arg2, "add");
	assert_string_equal(r.arg, "press3");
	assert_string_equal(r.body, "{\"signals\": [\"t.c t number "
			    "unit=degC\"]}");
	assert_int_equal(ctl_parse_request("mqtt list", 9, &r, err,
					   sizeof(err)), 0);
	assert_int_equal(ctl_parse_request("mqtt remove press3", 18, &r, err,
					   sizeof(err)), 0);
	assert_string_equal(r.arg, "press3");
	assert_int_equal(ctl_parse_request("mqtt add press3", 15, &r, err,
					   sizeof(err)), -1);
	assert_string_equal(err, "mqtt list | show|remove NAME | add NAME JSON");
	assert_int_equal(ctl_parse_request("mqtt show", 9, &r, err,
					   sizeof(err)), -1);
	assert_int_equal(ctl_parse_request("mqtt drop x", 11, &r, err,
					   sizeof(err)), -1);
}

/*
 * Control socket requests limited to one 1024-byte line: an MQTT device
 * with many signals did not fit.  A line up to CTL_MAX_REQ (64 KiB) is
 * taken whole; one byte more is refused, saying the limit.
 */
static void ctlreq_long_line(void **state)
{
	static const char head[] = "mqtt add many {\"signals\": [";
	static char line[CTL_MAX_REQ + 2];
	static struct ctl_req r;
	char err[160];
	size_t n = strlen(head), body;

	(void)state;
	memcpy(line, head, n);
	while (n < 200 * 40)	/* 200 signals of 40 bytes */
		n += (size_t)snprintf(line + n, sizeof(line) - n,
				      "\"s.v%04zu x%04zu number unit=kW\", ",
				      n, n);
	n -= 2;			/* the last ", " */
	n += (size_t)snprintf(line + n, sizeof(line) - n, "]}\n");
	assert_true(n > 1024);
	assert_int_equal(ctl_parse_request(line, n, &r, err, sizeof(err)), 0);
	body = n - 1 - strlen("mqtt add many ");
	assert_int_equal(strlen(r.body), body);
	assert_memory_equal(r.body, line + strlen("mqtt add many "), body);

	/* exactly the limit, then one byte more */
	memset(line + n - 3, 'x', CTL_MAX_REQ - (n - 3) - 2);
	memcpy(line + CTL_MAX_REQ - 2, "]}\n", 3);
	assert_int_equal(ctl_parse_request(line, CTL_MAX_REQ + 1, &r, err,
					   sizeof(err)), 0);
	assert_int_equal(strlen(r.body), CTL_MAX_REQ - strlen("mqtt add many "));
	line[CTL_MAX_REQ] = 'x';
	line[CTL_MAX_REQ + 1] = '\n';
	assert_int_equal(ctl_parse_request(line, CTL_MAX_REQ + 2, &r, err,
					   sizeof(err)), -1);
	assert_string_equal(err, "request too long (more than 65536 bytes)");
}

static void lifecycle_rules(void **state)
{
	(void)state;
	assert_int_equal(model_lifecycle_parse("commissioned"),
			 MODEL_LC_COMMISSIONED);
	assert_int_equal(model_lifecycle_parse("Active"), -1);
	assert_true(model_lifecycle_allowed(MODEL_LC_DISCOVERED, MODEL_LC_PENDING));
	assert_true(model_lifecycle_allowed(MODEL_LC_PENDING, MODEL_LC_COMMISSIONED));
	assert_true(model_lifecycle_allowed(MODEL_LC_COMMISSIONED, MODEL_LC_ACTIVE));
	assert_true(model_lifecycle_allowed(MODEL_LC_ACTIVE, MODEL_LC_MAINTENANCE));
	assert_true(model_lifecycle_allowed(MODEL_LC_MAINTENANCE, MODEL_LC_ACTIVE));
	assert_true(model_lifecycle_allowed(MODEL_LC_MAINTENANCE, MODEL_LC_RETIRED));
	assert_true(model_lifecycle_allowed(MODEL_LC_ACTIVE, MODEL_LC_ACTIVE));
	assert_false(model_lifecycle_allowed(MODEL_LC_PENDING, MODEL_LC_ACTIVE));
	assert_false(model_lifecycle_allowed(MODEL_LC_ACTIVE, MODEL_LC_PENDING));
	assert_false(model_lifecycle_allowed(MODEL_LC_ACTIVE, MODEL_LC_RETIRED));
	assert_false(model_lifecycle_allowed(MODEL_LC_RETIRED, MODEL_LC_ACTIVE));
	assert_false(model_lifecycle_allowed(MODEL_LC_PENDING, MODEL_LC_DISCOVERED));
	assert_false(model_lifecycle_allowed(MODEL_LC_ACTIVE, MODEL_LC_COUNT));
}

struct walk { uint64_t n, last_ts; uint32_t bad; };

static int walk_cb(void *arg, const uint8_t *f, uint32_t cap, uint32_t wire,
		   uint64_t ts)
{
	struct walk *w = arg;

	if (cap != wire || f[0] != (uint8_t)ts || ts < w->last_ts)
		w->bad++;
	w->last_ts = ts;
	w->n++;
	return 0;
}

static void flightrec_window(void **state)
{
	struct flightrec *f = flightrec_new(64 * 1024, 1000, 1518);
	uint8_t frame[1518];
	struct walk w = { 0 };
	uint64_t ts;

	(void)state;
	assert_non_null(f);
	/* 10,000 frames of varying size through a 64 KiB buffer: it wraps
	 * many times and keeps only the newest */
	for (ts = 1; ts <= 10000; ts++) {
		uint32_t len = 60 + (uint32_t)(ts * 7919 % 1400);

		memset(frame, (uint8_t)ts, len);
		flightrec_add(f, frame, len, len, ts);
	}
	flightrec_walk(f, 0, walk_cb, &w);
	assert_int_equal(w.bad, 0);
	assert_int_equal(w.n, flightrec_frames(f));
	assert_true(w.n > 10 && w.n < 1000);
	assert_int_equal(w.last_ts, 10000);
	assert_int_equal(flightrec_frames(f) + flightrec_evicted(f), 10000);
	/* the time window: keep_ns = 1000 → only ts > 9000 */
	flightrec_free(f);
	f = flightrec_new(1 << 20, 1000, 1518);
	for (ts = 1; ts <= 5000; ts++) {
		memset(frame, (uint8_t)ts, 64);
		flightrec_add(f, frame, 64, 64, ts);
	}
	assert_int_equal(flightrec_frames(f), 1001);
	memset(&w, 0, sizeof(w));
	flightrec_walk(f, 4900, walk_cb, &w);
	assert_int_equal(w.n, 101);
	assert_int_equal(w.bad, 0);
	flightrec_free(f);
}

static void sigmap(void **state)
{
	struct model *m = model_new(NULL);
	char err[256];
	const char *ok_map =
		"# name  device  offset type scale unit\n"
		"temp pn:et200sp 0 u16be 0.1 degC\n"
		"\n"
		"pos  ecat 0x10000 i32 0.001 mm\n"
		"run  pn:00:11:22:33:44:55@0x8001 4 bit3\n";

	(void)state;
	assert_non_null(m);
	assert_int_equal(model_parse_signals(m, ok_map, strlen(ok_map), "s.map",
					     err, sizeof(err)), 0);
	assert_int_equal(model_signal_count(m), 3);
	assert_string_equal(model_signal_get(m, 2, &stmp)->name, "pos");
	assert_int_equal(model_signal_get(m, 2, &stmp)->offset, 0x10000);
	assert_int_equal(model_signal_get(m, 3, &stmp)->bit, 3);
	assert_int_equal(model_parse_signals(m, "a pn:x 0 u17\n", 13, "s.map",
					     err, sizeof(err)), -1);
	assert_non_null(strstr(err, "s.map:1: unknown type 'u17'"));
	assert_int_equal(model_parse_signals(m, "\na x 0 u8\n", 10, "s.map",
					     err, sizeof(err)), -1);
	assert_non_null(strstr(err, "s.map:2: device 'x'"));
	assert_int_equal(model_parse_signals(m, "a ecat 0 u8\na ecat 1 u8\n",
					     24, "s.map", err, sizeof(err)),
			 -1);
	assert_non_null(strstr(err, "s.map:2: signal 'a' already defined on "
			       "line 1"));
	/* a failed load keeps the signals that were there */
	assert_int_equal(model_signal_count(m), 3);
	model_free(m);
}

/* PROFINET cyclic frame (FrameID 0x8001) from 00:11:22:33:44:55 with
 * 40 bytes of data, each its index */
static size_t pn_cyclic(uint8_t *f, uint16_t cycle)
{
	static const uint8_t hdr[16] = {
		0x00, 0x11, 0x22, 0x33, 0x44, 0x66,
		0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x88, 0x92, 0x80, 0x01 };
	size_t n;

	memcpy(f, hdr, sizeof(hdr));
	for (n = sizeof(hdr); n < sizeof(hdr) + 40; n++)
		f[n] = (uint8_t)(n - sizeof(hdr));
	f[n++] = (uint8_t)(cycle >> 8);
	f[n++] = (uint8_t)cycle;
	f[n++] = 0x35;		/* data status: primary, valid, run, ok */
	f[n++] = 0;
	return n;
}

/*
 * Regression: offset + size was computed in 32 bits, so a signal at
 * offset 4294967295 passed the bounds check of every cyclic frame of its
 * device and iiotd read 4 GiB past the frame.  Offsets no frame can hold
 * are refused at load, naming the line; sampling checks in 64 bits.
 */
static void sigmap_offset_wraps_32_bits(void **state)
{
	static const char wrap[] = "a pn:00:11:22:33:44:55 0 u8\n"
				   "v pn:00:11:22:33:44:55 4294967295 u8\n";
	static const char fits[] = "e ecat 0xffffffff u8\n"
				   "v pn:00:11:22:33:44:55 1490 u32\n"
				   "w pn:00:11:22:33:44:55 39 u8\n";
	struct model *m = model_new(NULL);
	uint8_t f[64];
	char err[256];
	uint16_t i;

	(void)state;
	assert_int_equal(model_parse_signals(m, wrap, strlen(wrap), "m", err,
					     sizeof(err)), -1);
	assert_non_null(strstr(err, "m:2: offset 4294967295"));
	assert_non_null(strstr(err, "PROFINET"));
	assert_int_equal(model_parse_signals(m, "v ecat 0xffffffff u16\n", 22,
					     "m", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "m:1: offset 0xffffffff"));
	assert_int_equal(model_parse_signals(m, "v pn:x 1491 u32\n", 16, "m",
					     err, sizeof(err)), -1);
	assert_int_equal(model_parse_signals(m, fits, strlen(fits), "m", err,
					     sizeof(err)), 0);
	for (i = 0; i < 10; i++) {
		size_t n = pn_cyclic(f, (uint16_t)(i * 32));

		model_frame_raw(m, f, (uint32_t)n, (uint32_t)n,
				1000000000ULL * (i + 1), 0);
	}
	assert_int_equal(model_signal_get(m, 2, &stmp)->samples, 0);
	assert_true(model_signal_get(m, 3, &stmp)->samples > 0);
	assert_int_equal((int)model_signal_get(m, 3, &stmp)->last, 39);
	model_free(m);
}

/*
 * Snapshots share the signal definitions of a mapping and copy only what
 * frames change: a refreshed copy shows the new samples, a copy of the
 * old mapping keeps its definitions after a reload, and copies outlive
 * the model and each other in any order.
 */
static void snapshot_shares_signal_definitions(void **state)
{
	static const char map1[] = "v pn:00:11:22:33:44:55 39 u8 1 degC\n";
	static const char map2[] = "w pn:00:11:22:33:44:55 39 u8\n"
				   "x pn:00:11:22:33:44:55 40 u8\n";
	struct model *m = model_new(NULL);
	struct model *a, *b, *c;
	struct model_signal t2;
	uint8_t f[64];
	char err[256];
	size_t n;

	(void)state;
	assert_int_equal(model_parse_signals(m, map1, strlen(map1), "m", err,
					     sizeof(err)), 0);
	a = model_snapshot(m, NULL);
	b = model_snapshot(m, NULL);
	assert_non_null(a);
	assert_non_null(b);
	assert_int_equal(model_signal_get(a, 1, &stmp)->samples, 0);
	n = pn_cyclic(f, 0);
	model_frame_raw(m, f, (uint32_t)n, (uint32_t)n, 1000000000ULL, 0);
	assert_int_equal(model_signal_get(a, 1, &stmp)->samples, 0);
	b = model_snapshot(m, b);
	assert_non_null(b);
	assert_int_equal(model_signal_get(b, 1, &stmp)->samples, 1);
	assert_int_equal((int)model_signal_get(b, 1, &stmp)->last, 39);
	assert_string_equal(model_signal_get(b, 1, &stmp)->name, "v");
	assert_string_equal(model_signal_get(b, 1, &stmp)->unit, "degC");
	assert_null(model_signal_get(b, 2, &stmp));

	assert_int_equal(model_parse_signals(m, map2, strlen(map2), "m", err,
					     sizeof(err)), 0);
	c = model_snapshot(m, NULL);
	assert_non_null(c);
	b = model_snapshot(m, b);
	assert_non_null(b);
	assert_int_equal(model_signal_count(c), 2);
	assert_string_equal(model_signal_get(c, 2, &stmp)->name, "x");
	assert_string_equal(model_signal_get(b, 1, &t2)->name, "w");
	assert_int_equal(model_signal_get(b, 1, &t2)->samples, 0);
	/* the copy of the first mapping still reads it */
	assert_int_equal(model_signal_count(a), 1);
	assert_string_equal(model_signal_get(a, 1, &stmp)->name, "v");
	model_free(m);
	model_snapshot_free(c);
	assert_string_equal(model_signal_get(b, 2, &stmp)->name, "x");
	model_snapshot_free(a);
	model_snapshot_free(b);
}

/*
 * A DCP frame from 02:11:22:33:44:<src> carrying a NameOfStation block:
 * Hello (to the DCP multicast address, BlockInfo) or Set request (to
 * 02:11:22:33:44:<to>, BlockQualifier).
 */
static size_t dcp_name(uint8_t *f, int set, uint8_t src, uint8_t to,
		       const char *name, size_t nlen)
{
	static const uint8_t mc[6] = { 0x01, 0x0e, 0xcf, 0x00, 0x05, 0x00 };
	static const uint8_t mac[5] = { 0x02, 0x11, 0x22, 0x33, 0x44 };
	size_t n = 0, blen = 2 + nlen, dlen = 4 + blen + (blen & 1);

	if (set) {
		memcpy(f, mac, 5);
		f[5] = to;
	} else {
		memcpy(f, mc, 6);
	}
	memcpy(f + 6, mac, 5);
	f[11] = src;
	n = 12;
	f[n++] = 0x88; f[n++] = 0x92;
	f[n++] = 0xfe; f[n++] = set ? 0xfd : 0xfc;
	f[n++] = set ? 4 : 6;		/* Set or Hello */
	f[n++] = 0;			/* request */
	f[n++] = 0; f[n++] = 0; f[n++] = 0; f[n++] = src;	/* xid */
	f[n++] = 0; f[n++] = 0;
	f[n++] = (uint8_t)(dlen >> 8); f[n++] = (uint8_t)dlen;
	f[n++] = 2; f[n++] = 2;		/* device properties: name */
	f[n++] = (uint8_t)(blen >> 8); f[n++] = (uint8_t)blen;
	f[n++] = 0; f[n++] = set ? 1 : 0;	/* qualifier / info */
	memcpy(f + n, name, nlen);
	n += nlen;
	if (blen & 1)
		f[n++] = 0;
	while (n < 60)
		f[n++] = 0;
	return n;
}

static char last_detail[256];

static void keep_event(void *arg, const struct model_device *d,
		       unsigned int ev, const char *detail, uint64_t ts_ns)
{
	(void)arg; (void)d; (void)ev; (void)ts_ns;
	snprintf(last_detail, sizeof(last_detail), "%s", detail);
}

/* No byte a terminal acts on, and nothing jansson would refuse. */
static bool printable_ascii(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s >= 0x7f)
			return false;
	return true;
}

/*
 * Regression: NameOfStation bytes from the wire went raw into the model,
 * the monitor's lines and the history: escape sequences and CR/LF reached
 * terminals, and names that are not UTF-8 vanished from the JSON (jansson
 * refuses them).  Names failing the validity check are not taken; what
 * quotes them is escaped.
 */
static void station_names_from_the_wire_sanitised(void **state)
{
	static const char evil[] = "\x1b]0;pwn\x07\r\n1.0 fake";
	struct model_sink sink = { .device_event = keep_event };
	struct model *m = model_new(NULL);
	struct decoded d;
	uint8_t f[300];
	char line[1024];
	size_t n;

	(void)state;
	model_set_sink(m, &sink);
	n = dcp_name(f, 0, 1, 0, "plc-1.cell", 10);
	model_frame_raw(m, f, (uint32_t)n, (uint32_t)n, 1000, 0);
	n = dcp_name(f, 0, 2, 0, evil, sizeof(evil) - 1);
	model_frame_raw(m, f, (uint32_t)n, (uint32_t)n, 2000, 0);
	/* the monitor's line for it */
	assert_int_equal(decode_frame(f, (uint32_t)n, &d), -1);
	capture_frame_line(line, sizeof(line), "r", 2000, (uint32_t)n, &d);
	assert_true(printable_ascii(line));
	assert_non_null(strstr(line, " name=\\x1b]0;pwn\\x07\\x0d\\x0a1.0 fake "));
	n = dcp_name(f, 0, 3, 0, "bad\xff\xfe", 5);
	model_frame_raw(m, f, (uint32_t)n, (uint32_t)n, 3000, 0);
	assert_int_equal(model_device_count(m), 3);
	assert_string_equal(model_device_at(m, 0)->station_name, "plc-1.cell");
	assert_false(model_device_at(m, 1)->has & MODEL_HAS_NAME);
	assert_false(model_device_at(m, 2)->has & MODEL_HAS_NAME);
	assert_true(model_device_at(m, 1)->errors > 0);
	/* a DCP Set quoting a hostile name: in the history, escaped */
	n = dcp_name(f, 1, 9, 1, "x\x1b[2Jy\xff", 7);
	model_frame_raw(m, f, (uint32_t)n, (uint32_t)n, 4000, 0);
	assert_non_null(strstr(last_detail, "name=x\\x1b[2Jy\\xff"));
	assert_true(printable_ascii(last_detail));
	model_free(m);
}

/* EtherCAT master 02:..., LRW out and back with wkc 3, 1 ms apart */
static size_t ecat_lrw(uint8_t *f, int back, uint16_t wkc, uint8_t value)
{
	static const uint8_t hdr[14] = {
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
		0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x88, 0xa4 };
	size_t n = 0;

	memcpy(f, hdr, 14);
	if (back)
		f[6] |= 0x02;
	n = 14;
	/* EtherCAT header: length 10 + 4 + 2 = 16, type 1 */
	f[n++] = 16 + 0; f[n++] = 0x10;
	f[n++] = 12;		/* LRW */
	f[n++] = 0x80;		/* idx */
	f[n++] = 0x00; f[n++] = 0x00; f[n++] = 0x01; f[n++] = 0x00;
	f[n++] = 4; f[n++] = 0;	/* len 4 */
	f[n++] = 0; f[n++] = 0;	/* irq */
	f[n++] = value; f[n++] = 0; f[n++] = 0; f[n++] = 0;
	f[n++] = (uint8_t)wkc; f[n++] = (uint8_t)(wkc >> 8);
	while (n < 60)
		f[n++] = 0;
	return n;
}

static void model_ecat_link(void **state)
{
	struct model *m = model_new(NULL);
	const struct model_link *l;
	const struct model_signal *s;
	char err[128];
	uint8_t f[64];
	uint64_t ts = 1000000000ULL;
	int i;

	(void)state;
	assert_int_equal(model_parse_signals(m, "v ecat 0x10000 u8\n", 18, "m",
					     err, sizeof(err)), 0);
	for (i = 0; i < 1000; i++) {
		size_t n = ecat_lrw(f, 0, 0, 0);

		/* every 100th cycle one frame does not come back and one
		 * comes back with a bad working counter */
		model_frame_raw(m, f, (uint32_t)n, (uint32_t)n, ts, 0);
		if (i % 100 != 50) {
			n = ecat_lrw(f, 1, i % 100 == 60 ? 2 : 3,
				     (uint8_t)i);
			model_frame_raw(m, f, (uint32_t)n, (uint32_t)n,
					ts + 20000, 0);
		}
		ts += 1000000 + (i % 2 ? 5000 : 0);
	}
	assert_int_equal(model_device_count(m), 1);
	assert_int_equal(model_device_at(m, 0)->kind, MODEL_DEV_ECAT_MASTER);
	assert_int_equal(model_link_count(m), 1);
	l = model_link_at(m, 0);
	assert_int_equal(l->frames, 1000);
	assert_int_equal(l->wkc_expected, 3);
	assert_int_equal(l->wkc_errors, 10);
	assert_int_equal(l->lost, 10);
	assert_false(l->clock_hw);
	/* intervals alternate 1.000 and 1.005 ms */
	assert_true(l->period_ns == 1000000 || l->period_ns == 1005000);
	assert_int_equal(l->jitter_max_ns, 5000);
	s = model_signal_get(m, 1, &stmp);
	assert_true(s->samples >= 990);
	assert_int_equal((int)s->last, 999 % 256);
	model_free(m);
}

/* the published FNV-1a test vectors (Noll's FNV page) */
static void fnv1a_vectors(void **state)
{
	(void)state;
	assert_int_equal(fnv1a32_str(""), 0x811c9dc5u);
	assert_int_equal(fnv1a32_str("a"), 0xe40c292cu);
	assert_int_equal(fnv1a32_str("foobar"), 0xbf9cf968u);
	assert_int_equal(fnv1a64_str(""), 0xcbf29ce484222325ULL);
	assert_int_equal(fnv1a64_str("a"), 0xaf63dc4c8601ec8cULL);
	assert_int_equal(fnv1a64_str("foobar"), 0x85944171f73967e8ULL);
	assert_int_equal(fnv1a64("", 0), 0xcbf29ce484222325ULL);
	assert_int_equal(fnv1a64("a", 1), 0xaf63dc4c8601ec8cULL);
	assert_int_equal(fnv1a64("foobar", 6), 0x85944171f73967e8ULL);
	/* only the n bytes count, and a hash goes on over pieces */
	assert_int_equal(fnv1a64("foobar!", 6), 0x85944171f73967e8ULL);
	assert_int_equal(fnv1a64_on(fnv1a64("foo", 3), "bar", 3),
			 0x85944171f73967e8ULL);
}

/* alert keys of names are stored with open alerts: ring0's stays */
static void alert_name_key_stable(void **state)
{
	(void)state;
	assert_int_equal(alert_name_key("ring0", 5), 0x0b5a4962df5f40bfULL);
	assert_int_equal(alert_name_key("ring0/x", 5), 0x0b5a4962df5f40bfULL);
	assert_true(alert_name_key("ring1", 5) != alert_name_key("ring0", 5));
}

/* entries of the idxtab tests: keys in an array, the table over it */
struct ixkeys {
	uint64_t key[5000];
	uint32_t n;
	bool same_hash;			/* every key one hash: all collide */
};

static uint64_t ixkey_hash(const struct ixkeys *k, uint64_t key)
{
	return k->same_hash ? 7 : fnv1a64(&key, sizeof(key));
}

static uint64_t ixkeys_hash(void *ctx, uint32_t i)
{
	struct ixkeys *k = ctx;

	return ixkey_hash(k, k->key[i]);
}

static bool ixkeys_eq(const void *ctx, uint32_t i, const void *key)
{
	return ((const struct ixkeys *)ctx)->key[i] == *(const uint64_t *)key;
}

static int64_t ixfind(const struct idxtab *t, const struct ixkeys *k,
		      uint64_t key)
{
	return idxtab_find(t, ixkey_hash(k, key), ixkeys_eq, k, &key);
}

/* keys 1000, 1003, 1006...: n of them in, each found, none other */
static void idxtab_fill_find(struct ixkeys *k, uint32_t n)
{
	struct idxtab t = { 0 };
	uint64_t key;
	size_t cap = 0, slot;
	uint32_t i;

	assert_int_equal(ixfind(&t, k, 1000), -1);
	for (i = 0; i < n; i++) {
		key = 1000 + 3 * (uint64_t)i;
		assert_int_equal(idxtab_reserve(&t, i + 1, 16, i, ixkeys_hash,
						k), 0);
		assert_true(t.cap >= 2 * (size_t)(i + 1));
		assert_true(t.cap >= cap && !(t.cap & (t.cap - 1)));
		cap = t.cap;
		slot = idxtab_slot(&t, ixkey_hash(k, key), ixkeys_eq, k, &key);
		assert_int_equal(idxtab_entry(&t, slot), -1);
		k->key[i] = key;
		idxtab_set(&t, slot, i);
		k->n = i + 1;
	}
	assert_true(n < 8 || cap > 16);	/* it grew, entries moved along */
	for (i = 0; i < n; i++)
		assert_int_equal(ixfind(&t, k, k->key[i]), i);
	for (i = 0; i < n; i++) {
		assert_int_equal(ixfind(&t, k, 1001 + 3 * (uint64_t)i), -1);
		assert_int_equal(ixfind(&t, k, 1002 + 3 * (uint64_t)i), -1);
	}
	/* idxtab_add: a new key straight in */
	k->key[n] = 1;
	assert_int_equal(idxtab_reserve(&t, n + 1, 16, n, ixkeys_hash, k), 0);
	idxtab_add(&t, ixkey_hash(k, 1), n);
	assert_int_equal(ixfind(&t, k, 1), n);
	assert_int_equal(ixfind(&t, k, 1000), n ? 0 : -1);
	idxtab_free(&t);
	assert_int_equal(t.cap, 0);
	assert_int_equal(ixfind(&t, k, 1), -1);
}

static void idxtab_many(void **state)
{
	static struct ixkeys k;

	(void)state;
	idxtab_fill_find(&k, 4999);
}

static void idxtab_collisions(void **state)
{
	static struct ixkeys k = { .same_hash = true };

	(void)state;
	idxtab_fill_find(&k, 300);
	idxtab_fill_find(&k, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(conf_basic),
		cmocka_unit_test(fnv1a_vectors),
		cmocka_unit_test(alert_name_key_stable),
		cmocka_unit_test(idxtab_many),
		cmocka_unit_test(idxtab_collisions),
		cmocka_unit_test(conf_errors),
		cmocka_unit_test(conf_unknown_key),
		cmocka_unit_test(ctlreq),
		cmocka_unit_test(ctlreq_lifecycle),
		cmocka_unit_test(ctlreq_control),
		cmocka_unit_test(ctlreq_mqtt),
		cmocka_unit_test(ctlreq_long_line),
		cmocka_unit_test(lifecycle_rules),
		cmocka_unit_test(flightrec_window),
		cmocka_unit_test(sigmap),
		cmocka_unit_test(sigmap_offset_wraps_32_bits),
		cmocka_unit_test(snapshot_shares_signal_definitions),
		cmocka_unit_test(station_names_from_the_wire_sanitised),
		cmocka_unit_test(model_ecat_link),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
