/*
 * Checks a dashboard document member by member against a small table of
 * widget types and the keys each takes; the checked copy holds only what
 * was checked, so that a stored document is always one the web UI can
 * draw.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "api/dashdoc.h"

enum kind { K_INT, K_NUM, K_STR, K_SIGS };

struct key {
	const char *name;
	enum kind kind;
	double min, max;	/* value, or string length, or count */
};

/* every widget's own keys, beside id, type, x, y, w, h, title */
static const struct key k_chart[] = {
	{ "signals", K_SIGS, 1, DASH_MAX_SIGNALS },
	{ "range_min", K_INT, 1, DASH_MAX_RANGE_MIN },
	{ NULL, 0, 0, 0 },
};
static const struct key k_value[] = {
	{ "signal", K_INT, 1, 2147483647.0 },
	{ "warn", K_NUM, -1e15, 1e15 },
	{ "alarm", K_NUM, -1e15, 1e15 },
	{ "min", K_NUM, -1e15, 1e15 },
	{ "max", K_NUM, -1e15, 1e15 },
	{ NULL, 0, 0, 0 },
};
static const struct key k_lamp[] = {
	{ "signal", K_INT, 1, 2147483647.0 },
	{ NULL, 0, 0, 0 },
};
static const struct key k_alerts[] = {
	{ "limit", K_INT, 1, 50 },
	{ NULL, 0, 0, 0 },
};
static const struct key k_oee[] = {
	{ "line", K_STR, 0, 64 },
	{ NULL, 0, 0, 0 },
};
static const struct key k_text[] = {
	{ "text", K_STR, 0, DASH_MAX_TEXT },
	{ NULL, 0, 0, 0 },
};
static const struct key k_none[] = {
	{ NULL, 0, 0, 0 },
};

static const struct {
	const char *type;
	const struct key *keys;
	const char *required;	/* a key the widget cannot do without */
} types[] = {
	{ "chart", k_chart, "signals" },
	{ "value", k_value, "signal" },
	{ "gauge", k_value, "signal" },
	{ "lamp", k_lamp, "signal" },
	{ "devices", k_none, NULL },
	{ "alerts", k_alerts, NULL },
	{ "oee", k_oee, NULL },
	{ "topology", k_none, NULL },
	{ "text", k_text, NULL },
};

#define N_TYPES (sizeof(types) / sizeof(types[0]))

static int bad(char *why, size_t n, const char *fmt, const char *where, const char *what)
{
	snprintf(why, n, fmt, where, what);
	return -1;
}

static int str_ok(const json_t *v, size_t min, size_t max)
{
	const char *s = json_string_value(v);
	size_t i, n;

	if (!s)
		return 0;
	n = json_string_length(v);
	if (n < min || n > max || strlen(s) != n)
		return 0;
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 && s[i] != '\n' && s[i] != '\t')
			return 0;
	return 1;
}

static int id_ok(const json_t *v)
{
	const char *s = json_string_value(v);
	size_t i, n;

	if (!s || (n = strlen(s)) < 1 || n > 16)
		return 0;
	for (i = 0; i < n; i++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-", s[i]))
			return 0;
	return 1;
}

static int int_in(const json_t *v, double min, double max)
{
	return json_is_integer(v) && (double)json_integer_value(v) >= min &&
	       (double)json_integer_value(v) <= max;
}

static int key_ok(const struct key *k, const json_t *v)
{
	size_t i;

	switch (k->kind) {
	case K_INT:
		return int_in(v, k->min, k->max);
	case K_NUM:
		return json_is_number(v) && isfinite(json_number_value(v)) &&
		       json_number_value(v) >= k->min && json_number_value(v) <= k->max;
	case K_STR:
		return str_ok(v, (size_t)k->min, (size_t)k->max);
	case K_SIGS:
		if (!json_is_array(v) || json_array_size(v) < k->min || json_array_size(v) > k->max)
			return 0;
		for (i = 0; i < json_array_size(v); i++)
			if (!int_in(json_array_get(v, i), 1, 2147483647.0))
				return 0;
		return 1;
	}
	return 0;
}

static const char *const place[] = { "x", "y", "w", "h" };

static int place_ok(const json_t *w, const char *where, char *why, size_t n)
{
	static const int lo[] = { 0, 0, 1, 1 }, hi[] = { DASH_COLS - 1, DASH_ROWS - 1, DASH_COLS, DASH_MAX_H };
	json_int_t v[4];
	int i;

	for (i = 0; i < 4; i++) {
		const json_t *j = json_object_get(w, place[i]);

		if (!int_in(j, lo[i], hi[i])) {
			char m[48];

			snprintf(m, sizeof(m), "%s: an integer %d..%d", place[i], lo[i], hi[i]);
			return bad(why, n, "%s.%s", where, m);
		}
		v[i] = json_integer_value(j);
	}
	if (v[0] + v[2] > DASH_COLS)
		return bad(why, n, "%s: %s", where, "x + w beyond the grid's 12 columns");
	if (v[1] + v[3] > DASH_ROWS)
		return bad(why, n, "%s: %s", where, "y + h beyond the grid's 100 rows");
	return 0;
}

/* w checked into out; -1 with why */
static int widget(const json_t *w, const char *where, json_t *out, char *why, size_t n)
{
	const char *type = json_string_value(json_object_get(w, "type"));
	const struct key *keys = NULL, *k;
	const char *req = NULL, *name;
	json_t *v;
	size_t t;
	int i;

	if (!json_is_object(w))
		return bad(why, n, "%s: %s", where, "not an object");
	for (t = 0; type && t < N_TYPES; t++)
		if (!strcmp(type, types[t].type)) {
			keys = types[t].keys;
			req = types[t].required;
		}
	if (!keys)
		return bad(why, n, "%s.type: %s", where, "one of chart, value, gauge, lamp, devices,"
			   " alerts, oee, topology, text");
	if (!id_ok(json_object_get(w, "id")))
		return bad(why, n, "%s.id: %s", where, "1-16 characters of A-Z a-z 0-9 _ -");
	if (place_ok(w, where, why, n))
		return -1;
	v = json_object_get(w, "title");
	if (v && !str_ok(v, 0, DASH_MAX_NAME))
		return bad(why, n, "%s.title: %s", where, "a string of at most 64 bytes");
	json_object_set_new(out, "id", json_string(json_string_value(json_object_get(w, "id"))));
	json_object_set_new(out, "type", json_string(type));
	for (i = 0; i < 4; i++)
		json_object_set_new(out, place[i], json_integer(json_integer_value(json_object_get(w, place[i]))));
	if (v)
		json_object_set_new(out, "title", json_string(json_string_value(v)));
	json_object_foreach((json_t *)w, name, v) {
		if (!strcmp(name, "id") || !strcmp(name, "type") || !strcmp(name, "title") ||
		    !strcmp(name, "x") || !strcmp(name, "y") || !strcmp(name, "w") || !strcmp(name, "h"))
			continue;
		for (k = keys; k->name && strcmp(k->name, name); k++)
			;
		if (!k->name) {
			char m[80];

			snprintf(m, sizeof(m), "unknown key '%.40s' for a %s", name, type);
			return bad(why, n, "%s: %s", where, m);
		}
		if (!key_ok(k, v)) {
			char m[96];

			snprintf(m, sizeof(m), "%s: %s %g..%g", name,
				 k->kind == K_STR ? "a string of length" : k->kind == K_SIGS ?
				 "signal ids, a count of" : k->kind == K_INT ? "an integer" : "a number",
				 k->min, k->max);
			return bad(why, n, "%s.%s", where, m);
		}
		json_object_set_new(out, name, json_deep_copy(v));
	}
	if (req && !json_object_get(out, req))
		return bad(why, n, "%s: a %s", where, !strcmp(req, "signal") ?
			   "value, gauge or lamp needs signal (an id)" : "chart needs signals (ids)");
	return 0;
}

json_t *dash_doc_check(const json_t *in, int envelope, char *why, size_t whylen)
{
	const json_t *ws = json_object_get(in, "widgets"), *name = json_object_get(in, "name");
	json_t *out, *list;
	const char *k;
	json_t *v;
	size_t i, j;

	if (!json_is_object(in)) {
		snprintf(why, whylen, "a dashboard is a JSON object");
		return NULL;
	}
	if (envelope && (!str_ok(json_object_get(in, "format"), 1, 32) ||
			 strcmp(json_string_value(json_object_get(in, "format")), DASH_FORMAT) ||
			 !json_is_integer(json_object_get(in, "version")) ||
			 json_integer_value(json_object_get(in, "version")) != DASH_VERSION)) {
		snprintf(why, whylen, "format: \"%s\" and version: %d expected", DASH_FORMAT,
			 DASH_VERSION);
		return NULL;
	}
	json_object_foreach((json_t *)in, k, v)
		if (strcmp(k, "name") && strcmp(k, "widgets") && strcmp(k, "format") &&
		    strcmp(k, "version") && strcmp(k, "shared") && strcmp(k, "default")) {
			snprintf(why, whylen, "unknown key '%.40s'", k);
			return NULL;
		}
	if (!str_ok(name, 1, DASH_MAX_NAME)) {
		snprintf(why, whylen, "name: a string of 1-64 bytes");
		return NULL;
	}
	if (!json_is_array(ws) || json_array_size(ws) > DASH_MAX_WIDGETS) {
		snprintf(why, whylen, "widgets: an array of at most %d widgets", DASH_MAX_WIDGETS);
		return NULL;
	}
	list = json_array();
	out = json_pack("{ss so}", "name", json_string_value(name), "widgets", list);
	for (i = 0; out && i < json_array_size(ws); i++) {
		json_t *w = json_object();
		char where[32];

		snprintf(where, sizeof(where), "widgets[%zu]", i);
		if (!w || widget(json_array_get(ws, i), where, w, why, whylen)) {
			json_decref(w);
			json_decref(out);
			return NULL;
		}
		for (j = 0; j < i; j++)
			if (!strcmp(json_string_value(json_object_get(json_array_get(list, j), "id")),
				    json_string_value(json_object_get(w, "id")))) {
				snprintf(why, whylen, "%s.id: the same as widgets[%zu]'s", where, j);
				json_decref(w);
				json_decref(out);
				return NULL;
			}
		json_array_append_new(list, w);
	}
	if (!out)
		snprintf(why, whylen, "out of memory");
	return out;
}
