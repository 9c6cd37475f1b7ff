/*
 * GET /devices: search, filters, sort and paging over the inventory.
 *
 * The search matches, case-insensitively and as a substring, the label,
 * station name, MAC and IP, and the identifiers as engineers write them:
 * station address and device ID as 0x%04X, vendor ID and product code as
 * 0x%08X (so "0x1001" finds the slave at station address 0x1001).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/devquery.h"
#include "api/parse.h"

static const char *const sortable[] = {
	"id", "label", "alias", "kind", "lifecycle", "online", "frames", "errors", "mac", "ip",
	"station_name", "station_addr", "ring_pos", "parent", "vendor_id", "product_code",
	"device_id", "first_seen_ns", "last_seen_ns", "health", NULL,
};

static bool is_sortable(const char *s)
{
	size_t i;

	for (i = 0; sortable[i]; i++)
		if (!strcmp(s, sortable[i]))
			return true;
	return false;
}

int devquery_parse(const char *query, struct devquery *dq, const char **why)
{
	char fmt[8], sort[sizeof(dq->sort) + 1];
	int hq, hk, hs, hl, ho, hf;

	memset(dq, 0, sizeof(*dq));
	hq = query_get(query, "q", dq->q, sizeof(dq->q));
	hk = query_get(query, "kind", dq->kind, sizeof(dq->kind));
	hs = query_get(query, "state", dq->state, sizeof(dq->state));
	hl = query_get(query, "lifecycle", dq->lifecycle, sizeof(dq->lifecycle));
	ho = query_get(query, "sort", sort, sizeof(sort));
	hf = query_get(query, "format", fmt, sizeof(fmt));
	if (hq < 0 || hk < 0 || hs < 0 || hl < 0 || ho < 0 || hf < 0 ||
	    query_int(query, "limit", 1, DEVQ_MAX_LIMIT, DEVQ_MAX_LIMIT, &dq->limit) ||
	    query_int(query, "offset", 0, INT32_MAX, 0, &dq->offset) ||
	    query_int(query, "parent", 1, INT32_MAX, 0, &dq->parent)) {
		*why = "bad query: q, kind, state (online|offline), lifecycle, parent, "
		       "sort ([-]column), offset, limit (1-10000), format (json|csv)";
		return -1;
	}
	if (!hs && strcmp(dq->state, "online") && strcmp(dq->state, "offline")) {
		*why = "state must be online or offline";
		return -1;
	}
	if (!ho) {
		const char *c = sort[0] == '-' ? sort + 1 : sort;

		if (!is_sortable(c)) {
			*why = "sort: [-]id, label, kind, lifecycle, online, frames, errors, mac, ip, "
			       "station_name, station_addr, ring_pos, parent, vendor_id, "
			       "product_code, device_id, first_seen_ns, last_seen_ns or health";
			return -1;
		}
		dq->desc = sort[0] == '-';
		snprintf(dq->sort, sizeof(dq->sort), "%.23s", c);	/* a known name */
	}
	if (!hf && strcmp(fmt, "json") && strcmp(fmt, "csv")) {
		*why = "format must be json or csv";
		return -1;
	}
	dq->csv = !hf && !strcmp(fmt, "csv");
	return 0;
}

static bool has(json_t *d, const char *key, const char *needle)
{
	const char *s = json_string_value(json_object_get(d, key));

	return s && strcasestr(s, needle);
}

static bool has_hex(json_t *d, const char *key, int width, const char *needle)
{
	json_t *v = json_object_get(d, key);
	char buf[24];

	if (!json_is_integer(v))
		return false;
	snprintf(buf, sizeof(buf), "0x%0*llX", width, (unsigned long long)json_integer_value(v));
	return strcasestr(buf, needle) != NULL;
}

static bool matches(json_t *d, const struct devquery *dq)
{
	const char *q = dq->q;

	if (dq->kind[0] && strcmp(json_string_value(json_object_get(d, "kind")) ?: "", dq->kind))
		return false;
	if (dq->lifecycle[0] &&
	    strcmp(json_string_value(json_object_get(d, "lifecycle")) ?: "", dq->lifecycle))
		return false;
	if (dq->state[0] && json_is_true(json_object_get(d, "online")) != !strcmp(dq->state, "online"))
		return false;
	if (dq->parent && json_integer_value(json_object_get(d, "parent")) != dq->parent)
		return false;
	if (!q[0])
		return true;
	return has(d, "label", q) || has(d, "alias", q) || has(d, "station_name", q) ||
	       has(d, "mac", q) || has(d, "ip", q) || has_hex(d, "station_addr", 4, q) || has_hex(d, "device_id", 4, q) ||
	       has_hex(d, "vendor_id", 8, q) || has_hex(d, "product_code", 8, q);
}

/* missing values sort last whichever the direction; ties by id */
static int cmp_val(json_t *a, json_t *b)
{
	if (!a || !b)
		return !a - !b;
	if (json_is_string(a) && json_is_string(b))
		return strcasecmp(json_string_value(a), json_string_value(b));
	if (json_is_boolean(a) || json_is_boolean(b))
		return json_is_true(a) - json_is_true(b);
	if (json_is_number(a) && json_is_number(b)) {
		double x = json_number_value(a), y = json_number_value(b);

		return (x > y) - (x < y);
	}
	return json_typeof(a) - json_typeof(b);
}

static int cmp_dev(const void *pa, const void *pb, void *arg)
{
	const struct devquery *dq = arg;
	json_t *a = *(json_t *const *)pa, *b = *(json_t *const *)pb;
	const char *k = dq->sort[0] ? dq->sort : "id";
	json_t *va = json_object_get(a, k), *vb = json_object_get(b, k);
	int c;

	if (!va != !vb)
		return !va - !vb;
	c = cmp_val(va, vb);
	if (!c)
		c = cmp_val(json_object_get(a, "id"), json_object_get(b, "id"));
	return dq->desc ? -c : c;
}

json_t *devquery_apply(json_t *all, const struct devquery *dq)
{
	size_t i, n = 0, total = json_array_size(all);
	json_t **v = calloc(total ? total : 1, sizeof(*v)), *out, *d;
	char sort[sizeof(dq->sort) + 1];

	if (!v)
		return NULL;
	json_array_foreach(all, i, d)
		if (matches(d, dq))
			v[n++] = d;
	qsort_r(v, n, sizeof(*v), cmp_dev, (void *)dq);
	out = json_array();
	for (i = (size_t)dq->offset; i < n && json_array_size(out) < (size_t)dq->limit; i++)
		json_array_append(out, v[i]);
	free(v);
	snprintf(sort, sizeof(sort), "%s%s", dq->desc ? "-" : "", dq->sort[0] ? dq->sort : "id");
	return json_pack("{so sI sI sI ss}", "devices", out, "total", (json_int_t)n,
			 "offset", (json_int_t)dq->offset, "limit", (json_int_t)dq->limit, "sort", sort);
}

/*
 * One CSV field.  Names come off the wire (PROFINET station names): a
 * leading = + - @ would make a spreadsheet run a formula, so such a field
 * gets a leading apostrophe (OWASP's CSV-injection advice).
 */
static void csv_field(FILE *f, const char *s)
{
	bool quote = strpbrk(s, ",\"\r\n") != NULL;

	if (s[0] && strchr("=+-@\t\r", s[0]))
		fputc('\'', f);
	if (!quote) {
		fputs(s, f);
		return;
	}
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

static void csv_time(char *buf, size_t len, json_t *ns)
{
	time_t t;
	struct tm tm;

	if (!json_is_integer(ns)) {
		buf[0] = '\0';
		return;
	}
	t = (time_t)(json_integer_value(ns) / 1000000000);
	gmtime_r(&t, &tm);
	strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static const struct {
	const char *key;
	int hex;		/* width in hex digits, 0: as it is */
} csv_cols[] = {
	{ "id", 0 }, { "label", 0 }, { "kind", 0 }, { "lifecycle", 0 }, { "online", 0 },
	{ "mac", 0 }, { "ip", 0 }, { "station_name", 0 }, { "station_addr", 4 },
	{ "ring_pos", 0 }, { "parent", 0 }, { "vendor_id", 8 }, { "product_code", 8 },
	{ "device_id", 4 }, { "frames", 0 }, { "errors", 0 }, { "health", 0 },
	{ "first_seen_ns", 0 }, { "last_seen_ns", 0 }, { "alias", 0 },
};

char *devquery_csv(json_t *devices, size_t *len)
{
	char *buf = NULL, val[64];
	size_t i, c, n = sizeof(csv_cols) / sizeof(csv_cols[0]);
	FILE *f = open_memstream(&buf, len);
	json_t *d;

	if (!f)
		return NULL;
	for (c = 0; c < n; c++)
		fprintf(f, "%s%s", c ? "," : "", !strcmp(csv_cols[c].key, "first_seen_ns") ?
			"first_seen_utc" : !strcmp(csv_cols[c].key, "last_seen_ns") ?
			"last_seen_utc" : csv_cols[c].key);
	fputs("\r\n", f);
	json_array_foreach(devices, i, d) {
		for (c = 0; c < n; c++) {
			json_t *v = json_object_get(d, csv_cols[c].key);

			if (c)
				fputc(',', f);
			if (strstr(csv_cols[c].key, "_ns"))
				csv_time(val, sizeof(val), v);
			else if (json_is_string(v))
				snprintf(val, sizeof(val), "%s", "");
			else if (json_is_boolean(v))
				snprintf(val, sizeof(val), "%s", json_is_true(v) ? "true" : "false");
			else if (json_is_integer(v) && csv_cols[c].hex)
				snprintf(val, sizeof(val), "0x%0*llX", csv_cols[c].hex,
					 (unsigned long long)json_integer_value(v));
			else if (json_is_integer(v))
				snprintf(val, sizeof(val), "%lld", (long long)json_integer_value(v));
			else
				val[0] = '\0';
			csv_field(f, json_is_string(v) ? json_string_value(v) : val);
		}
		fputs("\r\n", f);
	}
	if (fclose(f)) {
		free(buf);
		return NULL;
	}
	return buf;
}
