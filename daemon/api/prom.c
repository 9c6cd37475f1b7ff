/*
 * The stats tree ("iiotctl stats") in the Prometheus text exposition
 * format, so /metrics and the CLI read one counter table.  Objects nest
 * into names joined by '_' under "iiot_"; an array of objects becomes one
 * family with a label (the element's "ring" or "name", else its index);
 * an object named X_by_Y is family X with label Y (its keys); the
 * top-level "links" table is inventory detail, not counters, and left to
 * the API.  Numbers and booleans are samples, strings are skipped.  Leaves named
 * *_ns, *_us, *_ms are scaled to seconds.  A leaf is a gauge when its
 * name says it is a level (gauge_words), otherwise a counter, named
 * *_total.  An object {"le", "buckets", "sum", "count"} (core/hist.h) is
 * a histogram: X_bucket{le="..."} cumulative up to le="+Inf", X_sum and
 * X_count.  Families are emitted whole, in first-seen order, each with
 * its # HELP and # TYPE.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "api/prom.h"

#define PROM_NAME_MAX 160
#define PROM_LABEL_MAX 96
#define PROM_MAX_SAMPLES 20000	/* a bound on what one scrape may carry */
#define PROM_MAX_DEPTH 8

enum { K_COUNTER, K_GAUGE, K_HISTOGRAM };
static const char *const kind_name[] = { "counter", "gauge", "histogram" };

struct sample {
	char family[PROM_NAME_MAX];
	char name[PROM_NAME_MAX];
	char path[PROM_NAME_MAX];	/* the stats path, for # HELP */
	char label[PROM_LABEL_MAX];	/* key="value", or empty */
	double v;
	int gauge;		/* K_* */
};

struct walk {
	struct sample *s;
	size_t n, cap;
	int truncated;
};

/*
 * Words that make a leaf a level rather than a running count: fill and
 * queue depths, sizes, things open or pending now, last values, maxima.
 */
static const char *const gauge_words[] = {
	"fill", "depth", "queue", "queued", "size", "open", "pending", "active",
	"last", "max", "min", "now", "age", "held", "in_flight", "inflight",
	"capacity", "slots", "used", "free", "devices", "signals", "links",
	"rings", "clients", "sessions", "workers", "threads", "running",
	"state", "online", "offline", "count", "rate", "ratio", "pid",
	"ifindex", "snap_len",
	"p50", "p90", "p99", "mean", "avg", "enabled", "up", "frames_held",
	"flight_frames", "bytes_held", "rules", "lag", "disk",
};

static int is_word_in(const char *name, const char *w)
{
	size_t n = strlen(w);
	const char *p = name;

	/* whole '_'-separated words only: "last" in "last_ts" but not "blast" */
	while ((p = strstr(p, w))) {
		if ((p == name || p[-1] == '_') && (p[n] == 0 || p[n] == '_'))
			return 1;
		p++;
	}
	return 0;
}

/* events that only ever add up, even where a level word is near */
static const char *const counter_words[] = {
	"errors", "full", "dropped", "drops", "evicted",
};

int prom_is_gauge(const char *leaf)
{
	size_t i;

	for (i = 0; i < sizeof(counter_words) / sizeof(counter_words[0]); i++)
		if (is_word_in(leaf, counter_words[i]))
			return 0;

	for (i = 0; i < sizeof(gauge_words) / sizeof(gauge_words[0]); i++)
		if (is_word_in(leaf, gauge_words[i]))
			return 1;
	return 0;
}

/* [a-zA-Z0-9_] only, no leading digit, no doubled '_' */
static void name_append(char *dst, size_t len, const char *part)
{
	size_t n = strlen(dst);

	if (n && n + 1 < len && dst[n - 1] != '_')
		dst[n++] = '_';
	for (; *part && n + 1 < len; part++) {
		char c = *part;

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9')))
			c = '_';
		if (c == '_' && n && dst[n - 1] == '_')
			continue;
		dst[n++] = c;
	}
	dst[n] = 0;
}

static int ends_with(const char *s, const char *suf)
{
	size_t a = strlen(s), b = strlen(suf);

	return a >= b && !strcmp(s + a - b, suf);
}

static struct sample *slot(struct walk *w);

static void add(struct walk *w, const char *prefix, const char *path,
		const char *leaf, const char *label, double v)
{
	struct sample *s = slot(w);
	size_t n;
	double scale = 1;

	if (!s)
		return;
	snprintf(s->name, sizeof(s->name), "%s", prefix);
	name_append(s->name, sizeof(s->name), leaf);
	snprintf(s->path, sizeof(s->path), "%s", path);
	snprintf(s->label, sizeof(s->label), "%s", label);
	s->gauge = prom_is_gauge(leaf);
	n = strlen(s->name);
	/* base units: seconds */
	if (ends_with(s->name, "_ns"))
		scale = 1e-9;
	else if (ends_with(s->name, "_us"))
		scale = 1e-6;
	else if (ends_with(s->name, "_ms"))
		scale = 1e-3;
	if (scale != 1) {
		s->name[n - 3] = 0;
		name_append(s->name, sizeof(s->name), "seconds");
	}
	if (!s->gauge && !ends_with(s->name, "_total"))
		name_append(s->name, sizeof(s->name), "total");
	s->v = v * scale;
	snprintf(s->family, sizeof(s->family), "%s", s->name);
}

static struct sample *slot(struct walk *w)
{
	struct sample *ns;
	size_t nc;

	if (w->n == PROM_MAX_SAMPLES) {
		w->truncated = 1;
		return NULL;
	}
	if (w->n == w->cap) {
		nc = w->cap ? w->cap * 2 : 256;
		ns = realloc(w->s, nc * sizeof(*ns));
		if (!ns) {
			w->truncated = 1;
			return NULL;
		}
		w->s = ns;
		w->cap = nc;
	}
	memset(&w->s[w->n], 0, sizeof(w->s[w->n]));
	return &w->s[w->n++];
}

static void add_hist_sample(struct walk *w, const char *family, const char *suffix,
			    const char *path, const char *label, const char *le, double v)
{
	struct sample *s = slot(w);

	if (!s)
		return;
	snprintf(s->family, sizeof(s->family), "%s", family);
	snprintf(s->name, sizeof(s->name), "%s%s", family, suffix);
	snprintf(s->path, sizeof(s->path), "%s", path);
	if (le)
		snprintf(s->label, sizeof(s->label), "%s%sle=\"%s\"", label, *label ? "," : "", le);
	else
		snprintf(s->label, sizeof(s->label), "%s", label);
	s->v = v;
	s->gauge = K_HISTOGRAM;
}

static int is_hist(const json_t *j)
{
	return json_is_object(j) && json_is_array(json_object_get(j, "le")) &&
	       json_is_array(json_object_get(j, "buckets")) &&
	       json_is_number(json_object_get(j, "sum")) &&
	       json_is_integer(json_object_get(j, "count")) &&
	       json_array_size(json_object_get(j, "buckets")) ==
	       json_array_size(json_object_get(j, "le")) + 1;
}

/* bounds ascending and counts cumulative, or it is left out */
static void add_hist(struct walk *w, const json_t *j, const char *family, const char *path,
		     const char *label)
{
	const json_t *le = json_object_get(j, "le"), *b = json_object_get(j, "buckets");
	double prev_le = -1, prev_n = 0, x, n;
	char lv[32];
	size_t i, nb = json_array_size(le);

	for (i = 0; i <= nb; i++) {
		n = json_number_value(json_array_get(b, i));
		x = i < nb ? json_number_value(json_array_get(le, i)) : INFINITY;
		if (x <= prev_le || n < prev_n)
			return;
		prev_le = x;
		prev_n = n;
	}
	if (prev_n != (double)json_integer_value(json_object_get(j, "count")))
		return;
	for (i = 0; i <= nb; i++) {
		if (i < nb)
			snprintf(lv, sizeof(lv), "%.9g", json_number_value(json_array_get(le, i)));
		else
			snprintf(lv, sizeof(lv), "+Inf");
		add_hist_sample(w, family, "_bucket", path, label, lv,
				json_number_value(json_array_get(b, i)));
	}
	add_hist_sample(w, family, "_sum", path, label, NULL,
			json_number_value(json_object_get(j, "sum")));
	add_hist_sample(w, family, "_count", path, label, NULL, prev_n);
}

/* label text: key="value" with \, " and newline escaped */
static void make_label(char *out, size_t len, const char *key, const char *val)
{
	size_t n;

	n = (size_t)snprintf(out, len, "%s=\"", key);
	for (; *val && n + 3 < len; val++) {
		if (*val == '\\' || *val == '"')
			out[n++] = '\\';
		if (*val == '\n') {
			out[n++] = '\\';
			out[n++] = 'n';
			continue;
		}
		out[n++] = *val;
	}
	if (n + 2 <= len) {
		out[n++] = '"';
		out[n] = 0;
	} else {
		out[0] = 0;
	}
}

static void walk(struct walk *w, const json_t *j, const char *prefix,
		 const char *path, const char *leaf, const char *label, int depth);

/* "active_by_severity": {"critical": 2} as iiot_..._active{severity="critical"} 2 */
static int walk_by(struct walk *w, const json_t *j, const char *prefix,
		   const char *path, const char *k)
{
	const char *by = strstr(k, "_by_"), *ck;
	char leaf[PROM_NAME_MAX], label[PROM_LABEL_MAX], pa[PROM_NAME_MAX];
	json_t *v;

	if (!by || !json_is_object(j) || by - k >= (long)sizeof(leaf))
		return 0;
	snprintf(leaf, sizeof(leaf), "%.*s", (int)(by - k), k);
	json_object_foreach((json_t *)j, ck, v) {
		if (!json_is_number(v))
			continue;
		make_label(label, sizeof(label), by + 4, ck);
		snprintf(pa, sizeof(pa), "%s%s%s.%s", path, *path ? "." : "", k, ck);
		add(w, prefix, pa, leaf, label, json_number_value(v));
	}
	return 1;
}

static void walk_object(struct walk *w, const json_t *j, const char *prefix,
			const char *path, const char *label, int depth)
{
	const char *k;
	json_t *v;

	json_object_foreach((json_t *)j, k, v) {
		char p[PROM_NAME_MAX], pa[PROM_NAME_MAX];

		/* nested objects become part of the name; leaves stay the leaf */
		snprintf(pa, sizeof(pa), "%s%s%s", path, *path ? "." : "", k);
		if (depth == 0 && !strcmp(k, "links"))
			continue;
		if (walk_by(w, v, prefix, path, k))
			continue;
		if (json_is_object(v) || json_is_array(v)) {
			snprintf(p, sizeof(p), "%s", prefix);
			name_append(p, sizeof(p), k);
			walk(w, v, p, pa, k, label, depth + 1);
		} else {
			walk(w, v, prefix, pa, k, label, depth + 1);
		}
	}
}

static void walk_array(struct walk *w, const json_t *j, const char *prefix,
		       const char *path, const char *leaf, int depth)
{
	char label[PROM_LABEL_MAX], idx[24];
	const char *key;
	size_t i;
	json_t *e;

	/* an array of objects: one family per field, the element as a label */
	key = !strcmp(leaf, "rings") ? "ring" : "name";
	json_array_foreach(j, i, e) {
		const char *id;

		if (!json_is_object(e))
			continue;
		id = json_string_value(json_object_get(e, "ring"));
		if (!id && (id = json_string_value(json_object_get(e, "route"))))
			key = "route";
		if (!id)
			id = json_string_value(json_object_get(e, "name"));
		if (!id) {
			snprintf(idx, sizeof(idx), "%zu", i);
			id = idx;
			key = "index";
		}
		make_label(label, sizeof(label), key, id);
		if (is_hist(e))
			add_hist(w, e, prefix, path, label);
		else
			walk_object(w, e, prefix, path, label, depth);
	}
}

static void walk(struct walk *w, const json_t *j, const char *prefix,
		 const char *path, const char *leaf, const char *label, int depth)
{
	if (depth > PROM_MAX_DEPTH)
		return;
	switch (json_typeof(j)) {
	case JSON_OBJECT:
		if (is_hist(j))
			add_hist(w, j, prefix, path, label);
		else
			walk_object(w, j, prefix, path, label, depth);
		break;
	case JSON_ARRAY:
		walk_array(w, j, prefix, path, leaf, depth);
		break;
	case JSON_INTEGER:
		add(w, prefix, path, leaf, label, (double)json_integer_value(j));
		break;
	case JSON_REAL:
		add(w, prefix, path, leaf, label, json_real_value(j));
		break;
	case JSON_TRUE:
	case JSON_FALSE:
		/* a flag is a level: 1 or 0 */
		add(w, prefix, path, leaf, label, json_is_true(j));
		if (!w->n)
			break;
		w->s[w->n - 1].gauge = K_GAUGE;
		if (ends_with(w->s[w->n - 1].name, "_total"))
			w->s[w->n - 1].name[strlen(w->s[w->n - 1].name) - 6] = 0;
		memcpy(w->s[w->n - 1].family, w->s[w->n - 1].name, sizeof(w->s[0].family));
		break;
	default:
		break;
	}
}

/* two stats paths that flatten to one series: the first one wins */
static int seen_before(const struct walk *w, size_t from, size_t k)
{
	size_t j;

	for (j = from; j < k; j++)
		if (!strcmp(w->s[j].name, w->s[k].name) &&
		    !strcmp(w->s[j].label, w->s[k].label))
			return 1;
	return 0;
}

static void print_value(FILE *f, double v)
{
	if (isnan(v))
		fputs("NaN", f);
	else if (v == floor(v) && fabs(v) < 9007199254740992.0)
		fprintf(f, "%.0f", v);
	else
		fprintf(f, "%.9g", v);
}

char *prom_from_json(const json_t *root, size_t *len)
{
	struct walk w = { 0 };
	char *out = NULL;
	size_t i, k;
	FILE *f;
	char *done;

	walk(&w, root, "iiot", "", "", "", 0);
	f = open_memstream(&out, len);
	done = calloc(w.n ? w.n : 1, 1);
	if (!f || !done) {
		if (f)
			fclose(f);
		free(out);
		free(done);
		free(w.s);
		return NULL;
	}
	for (i = 0; i < w.n; i++) {
		const struct sample *s = &w.s[i];

		if (done[i])
			continue;
		/* a name seen with two types keeps the first one's samples */
		fprintf(f, "# HELP %s iiotctl stats %s\n# TYPE %s %s\n", s->family,
			s->path, s->family, kind_name[s->gauge]);
		for (k = i; k < w.n; k++) {
			const struct sample *t = &w.s[k];

			if (done[k] || strcmp(t->family, s->family))
				continue;
			done[k] = 1;
			if (t->gauge != s->gauge || seen_before(&w, i, k))
				continue;
			fprintf(f, "%s%s%s%s ", t->name, *t->label ? "{" : "", t->label,
				*t->label ? "}" : "");
			print_value(f, t->v);
			fputc('\n', f);
		}
	}
	if (w.truncated)
		fprintf(f, "# iiot: more than %d samples, the rest left out\n",
			PROM_MAX_SAMPLES);
	fclose(f);
	free(done);
	free(w.s);
	return out;
}
