/*
 * The device list's query: search, filters, sorting by any column and
 * paging, as functions over the API's array of device objects, and the
 * CSV rendering of a result.  Pure (no model, no HTTP), so a snapshot of
 * the inventory from any thread can be queried, and tests drive it alone.
 */
#ifndef IIOT_API_DEVQUERY_H
#define IIOT_API_DEVQUERY_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#define DEVQ_MAX_LIMIT	10000

struct devquery {
	char q[65];		/* search: name, MAC, IP, station, addresses, IDs */
	char kind[24], state[12], lifecycle[24];
	int64_t parent;		/* 0: any */
	char sort[24];		/* column; "" = id */
	bool desc;
	int64_t offset, limit;
	bool csv;		/* format=csv */
};

/* Parse a raw query string; 0, or -1 with why (static text). */
int devquery_parse(const char *query, struct devquery *dq, const char **why);
/* {"devices": [...page...], "total": matching, "offset", "limit", "sort"};
 * all is not changed (its objects are shared with the result). */
json_t *devquery_apply(json_t *all, const struct devquery *dq);
/* RFC 4180 CSV of devices with a header row; malloc'd, NULL on ENOMEM. */
char *devquery_csv(json_t *devices, size_t *len);

#endif
