/*
 * A dashboard's document (docs/web.md, "Dashboards"): its name and its
 * widgets on a 12-column grid.  The same document is stored, exported and
 * imported; dash_doc_check is its only reader of untrusted JSON, pure and
 * fuzzed (tests/fuzz/fuzz_dashboard.c).
 */
#ifndef IIOT_API_DASHDOC_H
#define IIOT_API_DASHDOC_H

#include <jansson.h>
#include <stddef.h>

#define DASH_FORMAT		"iiot-dashboard"
#define DASH_VERSION		1
#define DASH_COLS		12
#define DASH_ROWS		100	/* y + h within this */
#define DASH_MAX_H		12
#define DASH_MAX_WIDGETS	40
#define DASH_MAX_SIGNALS	10	/* per chart */
#define DASH_MAX_NAME		64
#define DASH_MAX_TEXT		2000
#define DASH_MAX_RANGE_MIN	10080	/* a chart's history: a week */
#define DASH_MAX_PER_OWNER	50	/* dashboards per user, shared per role */

/*
 * A checked copy of in's name and widgets (unknown keys refused, not
 * dropped), or NULL with why naming the member ("widgets[2].w: ...").
 * envelope: in must also say format DASH_FORMAT and version DASH_VERSION
 * (an import).
 */
json_t *dash_doc_check(const json_t *in, int envelope, char *why, size_t whylen);

#endif
