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

enum label {
	L_MADE,
	L_OEE,
	L_MACHINE,
	L_LINE,
	L_PERIOD,
	L_AVAIL,
	L_PERF,
	L_QUAL,
	L_COUNT,
	L_REJECT,
	L_DOWNMIN,
	L_PARETO,
	L_REASON,
	L_MINUTES,
	L_STOPS,
	L_CUM,
	L_UNASSIGNED,
	L_TOPALERTS,
	L_INPERIOD,
	L_RULE,
	L_SEV,
	L_ALERTS,
	L_OCC,
	L_DEVICES,
	L_LINKHEALTH,
	L_GOOD,
	L_CHECK,
	L_FAULT,
	L_LINK,
	L_SCORE,
	L_GRADE,
	L_REASONS,
	L_DAILY,
	L_SHIFT,
	L_ALLLINES,
	L_N
};

/* the page's words: English, Simplified Chinese (zh-CN) */
static const char *const words[L_N][2] = {
	[L_MADE] = { "; made ", "；生成于 " },
	[L_OEE] = { "OEE", "OEE" },
	[L_MACHINE] = { "machine", "设备" },
	[L_LINE] = { "line", "产线" },
	[L_PERIOD] = { "period", "时段" },
	[L_AVAIL] = { "availability", "可用率" },
	[L_PERF] = { "performance", "性能率" },
	[L_QUAL] = { "quality", "质量率" },
	[L_COUNT] = { "count", "产量" },
	[L_REJECT] = { "reject", "废品" },
	[L_DOWNMIN] = { "down min", "停机分钟" },
	[L_PARETO] = { "Downtime Pareto", "停机帕累托" },
	[L_REASON] = { "reason", "原因" },
	[L_MINUTES] = { "minutes", "分钟" },
	[L_STOPS] = { "stops", "停机次数" },
	[L_CUM] = { "cumulative", "累计" },
	[L_UNASSIGNED] = { "unassigned", "未指定" },
	[L_TOPALERTS] = { "Top alerts", "主要告警" },
	[L_INPERIOD] = { " alerts in the period", " 条告警（本时段）" },
	[L_RULE] = { "rule", "规则" },
	[L_SEV] = { "highest severity", "最高严重度" },
	[L_ALERTS] = { "alerts", "告警数" },
	[L_OCC] = { "occurrences", "发生次数" },
	[L_DEVICES] = { "devices", "设备数" },
	[L_LINKHEALTH] = { "Link health", "链路健康" },
	[L_GOOD] = { "good ", "良好 " },
	[L_CHECK] = { ", check ", "，待检查 " },
	[L_FAULT] = { ", fault ", "，故障 " },
	[L_LINK] = { "link", "链路" },
	[L_SCORE] = { "score", "评分" },
	[L_GRADE] = { "grade", "等级" },
	[L_REASONS] = { "reasons", "原因" },
	[L_DAILY] = { "Daily report", "日报" },
	[L_SHIFT] = { "Shift report", "班次报告" },
	[L_ALLLINES] = { "all lines", "全部产线" },
};

static int zh;		/* the page being written is in zh-CN */

static const char *w(enum label l)
{
	return words[l][zh];
}

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

/* a stored report's title in the page's language (else its own) */
static void title(FILE *f, const json_t *r)
{
	const char *k = str(r, "kind");

	if (!zh || (strcmp(k, "day") && strcmp(k, "shift"))) {
		esc(f, str(r, "title"));
		return;
	}
	fputs(w(strcmp(k, "day") ? L_SHIFT : L_DAILY), f);
	fputs("：", f);
	esc(f, str(r, "line")[0] ? str(r, "line") : w(L_ALLLINES));
	if (str(r, "label")[0]) {
		fputs("，", f);
		esc(f, str(r, "label"));
	}
}

static void head(FILE *f, const json_t *r)
{
	fprintf(f, "<!doctype html><html lang=\"%s\"><head><meta "
		"charset=\"utf-8\"><title>", zh ? "zh-CN" : "en");
	title(f, r);
	fputs("</title><style>body{font:13px sans-serif}table{border-"
	      "collapse:collapse;margin-bottom:1em}td,th{border:1px solid #999;"
	      "padding:2px 6px;text-align:right}td:first-child{text-align:left}"
	      ".red{background:#f8d0d0}.yellow{background:#fff0b0}.green{"
	      "background:#cfe8cf}@media print{h2{break-after:avoid}}</style>"
	      "</head><body><h1>", f);
	title(f, r);
	fputs("</h1>", f);
	if (json_object_get(r, "from_ms")) {
		fputs("<p id=\"report-period\">", f);
		when(f, num(r, "from_ms"));
		fputs(" &ndash; ", f);
		when(f, num(r, "to_ms"));
		if (json_object_get(r, "made_ms")) {
			fputs(w(L_MADE), f);
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

	fprintf(f, "<h2>%s</h2><table id=\"oee-report\"><tr><th>%s</th><th>"
		"%s</th><th>%s</th><th>%s</th><th>%s</th><th>%s</th><th>%s"
		"</th><th>%s</th><th>%s</th><th>%s</th></tr>", w(L_OEE),
		w(L_MACHINE), w(L_LINE), w(L_PERIOD), w(L_AVAIL), w(L_PERF),
		w(L_QUAL), w(L_OEE), w(L_COUNT), w(L_REJECT), w(L_DOWNMIN));
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

	fprintf(f, "<h2>%s</h2><table id=\"oee-pareto\"><tr><th>%s</th><th>"
		"%s</th><th>%s</th><th>%s</th></tr>", w(L_PARETO),
		w(L_REASON), w(L_MINUTES), w(L_STOPS), w(L_CUM));
	json_array_foreach(p, i, x) {
		fputs("<tr><td>", f);
		esc(f, *str(x, "reason") ? str(x, "reason") : w(L_UNASSIGNED));
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

	fprintf(f, "<h2>%s</h2><p>%" JSON_INTEGER_FORMAT "%s</p><table "
		"id=\"report-alerts\"><tr><th>%s</th><th>%s</th><th>%s</th>"
		"<th>%s</th><th>%s</th></tr>", w(L_TOPALERTS), num(a, "total"),
		w(L_INPERIOD), w(L_RULE), w(L_SEV), w(L_ALERTS), w(L_OCC),
		w(L_DEVICES));
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

	fprintf(f, "<h2>%s</h2><p id=\"report-link-summary\">%s%"
		JSON_INTEGER_FORMAT "%s%" JSON_INTEGER_FORMAT "%s%"
		JSON_INTEGER_FORMAT "</p><table id=\"report-links\"><tr><th>"
		"%s</th><th>%s</th><th>%s</th><th>%s</th></tr>",
		w(L_LINKHEALTH), w(L_GOOD), num(s, "good"), w(L_CHECK),
		num(s, "check"), w(L_FAULT), num(s, "fault"), w(L_LINK),
		w(L_SCORE), w(L_GRADE), w(L_REASONS));
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

void report_html(FILE *f, const json_t *r, const char *lang)
{
	zh = lang && !strcmp(lang, "zh-CN");
	head(f, r);
	oee_rows(f, json_object_get(r, "oee"));
	pareto(f, json_object_get(r, "pareto"));
	if (json_object_get(r, "alerts"))
		alerts(f, json_object_get(r, "alerts"));
	if (json_object_get(r, "links"))
		links(f, json_object_get(r, "links"));
	fputs("</body></html>\n", f);
}
