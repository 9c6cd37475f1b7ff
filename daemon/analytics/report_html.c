/*
 * A report as a printable page: its OEE rows, the downtime Pareto and,
 * for stored reports, the top alerts and link health.  Everything from
 * the report is escaped; the page has no script and no outside reference.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "analytics/report.h"

static void esc(FILE *f, const char *s)
{
	for (; s && *s; s++)
		switch (*s) {
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '&': fputs("&amp;", f); break;
		case '"': fputs("&quot;", f); break;
		default: fputc(*s, f);
		}
}

static const char *str(const json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));

	return s ? s : "";
}

static json_int_t num(const json_t *o, const char *k)
{
	return json_integer_value(json_object_get(o, k));
}

static void when(FILE *f, json_int_t ms)
{
	time_t t = (time_t)(ms / 1000);
	char b[32];
	struct tm tm;

	localtime_r(&t, &tm);
	strftime(b, sizeof(b), "%Y-%m-%d %H:%M:%S", &tm);
	fputs(b, f);
}

static void pct(FILE *f, const json_t *v)
{
	if (json_is_number(v))
		fprintf(f, "<td>%.1f%%</td>", json_number_value(v) * 100);
	else
		fputs("<td>-</td>", f);
}

static void head(FILE *f, const json_t *r)
{
	fputs("<!doctype html><html><head><meta charset=\"utf-8\"><title>",
	      f);
	esc(f, str(r, "title"));
	fputs("</title><style>body{font:13px sans-serif}table{border-"
	      "collapse:collapse;margin-bottom:1em}td,th{border:1px solid #999;"
	      "padding:2px 6px;text-align:right}td:first-child{text-align:left}"
	      ".red{background:#f8d0d0}.yellow{background:#fff0b0}.green{"
	      "background:#cfe8cf}@media print{h2{break-after:avoid}}</style>"
	      "</head><body><h1>", f);
	esc(f, str(r, "title"));
	fputs("</h1>", f);
	if (json_object_get(r, "from_ms")) {
		fputs("<p id=\"report-period\">", f);
		when(f, num(r, "from_ms"));
		fputs(" &ndash; ", f);
		when(f, num(r, "to_ms"));
		if (json_object_get(r, "made_ms")) {
			fputs("; made ", f);
			when(f, num(r, "made_ms"));
			fputs(" (", f);
			esc(f, str(r, "how"));
			fputs(")", f);
		}
		fputs("</p>", f);
	}
}

static void oee_rows(FILE *f, const json_t *rows)
{
	size_t i;
	json_t *x;

	fputs("<h2>OEE</h2><table id=\"oee-report\"><tr><th>machine</th><th>"
	      "line</th><th>period</th><th>availability</th><th>performance"
	      "</th><th>quality</th><th>OEE</th><th>count</th><th>reject</th>"
	      "<th>down min</th></tr>", f);
	json_array_foreach(rows, i, x) {
		fprintf(f, "<tr class=\"%s\"><td>", str(x, "band")[0] ?
			str(x, "band") : "none");
		esc(f, str(x, "machine"));
		fputs("</td><td>", f);
		esc(f, str(x, "line"));
		fputs("</td><td>", f);
		if (json_object_get(x, "date")) {
			esc(f, str(x, "date"));
		} else {
			esc(f, str(x, "shift"));
			fputc(' ', f);
			when(f, num(x, "start_ms"));
		}
		fputs("</td>", f);
		pct(f, json_object_get(x, "availability"));
		pct(f, json_object_get(x, "performance"));
		pct(f, json_object_get(x, "quality"));
		pct(f, json_object_get(x, "oee"));
		fprintf(f, "<td>%" JSON_INTEGER_FORMAT "</td><td>%"
			JSON_INTEGER_FORMAT "</td><td>%.1f</td></tr>",
			num(x, "count"), num(x, "reject"),
			(double)num(x, "down_ms") / 60000);
	}
	fputs("</table>", f);
}

static void pareto(FILE *f, const json_t *p)
{
	size_t i;
	json_t *x;

	fputs("<h2>Downtime Pareto</h2><table id=\"oee-pareto\"><tr><th>"
	      "reason</th><th>minutes</th><th>stops</th><th>cumulative</th>"
	      "</tr>", f);
	json_array_foreach(p, i, x) {
		fputs("<tr><td>", f);
		esc(f, *str(x, "reason") ? str(x, "reason") : "unassigned");
		fprintf(f, "</td><td>%.1f</td><td>%" JSON_INTEGER_FORMAT
			"</td><td>%.1f%%</td></tr>",
			(double)num(x, "down_ms") / 60000, num(x, "stops"),
			json_number_value(json_object_get(x, "cumulative")) *
			100);
	}
	fputs("</table>", f);
}

static void alerts(FILE *f, const json_t *a)
{
	size_t i;
	json_t *x;

	fprintf(f, "<h2>Top alerts</h2><p>%" JSON_INTEGER_FORMAT " alerts in "
		"the period</p><table id=\"report-alerts\"><tr><th>rule</th>"
		"<th>highest severity</th><th>alerts</th><th>occurrences</th>"
		"<th>devices</th></tr>", num(a, "total"));
	json_array_foreach(json_object_get(a, "top"), i, x) {
		fputs("<tr><td>", f);
		esc(f, str(x, "rule"));
		fputs("</td><td>", f);
		esc(f, str(x, "severity"));
		fprintf(f, "</td><td>%" JSON_INTEGER_FORMAT "</td><td>%"
			JSON_INTEGER_FORMAT "</td><td>%" JSON_INTEGER_FORMAT
			"</td></tr>", num(x, "alerts"), num(x, "count"),
			num(x, "devices"));
	}
	fputs("</table>", f);
}

static void links(FILE *f, const json_t *l)
{
	const json_t *s = json_object_get(json_object_get(l, "summary"),
					  "links");
	size_t i, j;
	json_t *x, *why;

	fprintf(f, "<h2>Link health</h2><p id=\"report-link-summary\">good %"
		JSON_INTEGER_FORMAT ", check %" JSON_INTEGER_FORMAT ", fault %"
		JSON_INTEGER_FORMAT "</p><table id=\"report-links\"><tr><th>"
		"link</th><th>score</th><th>grade</th><th>reasons</th></tr>",
		num(s, "good"), num(s, "check"), num(s, "fault"));
	json_array_foreach(json_object_get(l, "worst"), i, x) {
		fprintf(f, "<tr><td>%" JSON_INTEGER_FORMAT "</td><td>%"
			JSON_INTEGER_FORMAT "</td><td>", num(x, "id"),
			num(x, "score"));
		esc(f, str(x, "grade"));
		fputs("</td><td>", f);
		json_array_foreach(json_object_get(x, "reasons"), j, why) {
			if (j)
				fputs("; ", f);
			esc(f, str(why, "text"));
		}
		fputs("</td></tr>", f);
	}
	fputs("</table>", f);
}

void report_html(FILE *f, const json_t *r)
{
	head(f, r);
	oee_rows(f, json_object_get(r, "oee"));
	pareto(f, json_object_get(r, "pareto"));
	if (json_object_get(r, "alerts"))
		alerts(f, json_object_get(r, "alerts"));
	if (json_object_get(r, "links"))
		links(f, json_object_get(r, "links"));
	fputs("</body></html>\n", f);
}
