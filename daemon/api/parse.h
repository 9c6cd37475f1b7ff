/*
 * The parsers that see attacker bytes before any authentication: cookies,
 * query strings and JSON bodies.  Pure functions with explicit limits, so
 * that tests/fuzz/fuzz_api_parse.c can drive them alone.
 */
#ifndef IIOT_API_PARSE_H
#define IIOT_API_PARSE_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#define PARSE_MAX_COOKIE	4096
#define PARSE_MAX_QUERY		1024

/* Value of cookie name from a Cookie header into out; 0 or -1. */
int cookie_get(const char *header, const char *name, char *out, size_t outlen);
/* Value of key from a raw query string, %-decoded: 0, 1 absent, -1 bad. */
int query_get(const char *query, const char *key, char *out, size_t outlen);
/* Integer value of key in [min, max], def when absent; 0 or -1 (bad). */
int query_int(const char *query, const char *key, int64_t min, int64_t max,
	      int64_t def, int64_t *out);
/* Parse a JSON object body of n bytes (≤ max, depth ≤ 8); NULL + why. */
json_t *body_object(const char *buf, size_t n, size_t max, const char **why);
/* A string member of o of 1..maxlen bytes without control characters. */
const char *body_str(json_t *o, const char *key, size_t maxlen);
/* A decoded URL path: '%' escapes undone, then checked; 0 or -1. */
int path_clean(const char *raw, char *out, size_t outlen);

#endif
