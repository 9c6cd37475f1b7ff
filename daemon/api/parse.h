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

#define PATH_MAX_SEGS	16

/*
 * An API path split at its '/' before its '%' escapes are undone, so an
 * escaped '/' stays inside its segment (and is refused there): each
 * segment decoded, none empty but a last one, no NUL, control character
 * or '/' in any.  0, or -1 (malformed, too long, too many segments).
 */
struct path_segs {
	size_t n;
	const char *seg[PATH_MAX_SEGS];
	char buf[256];
};
int path_split(const char *raw, struct path_segs *ps);
/* A segment of the API's own names and keys: [A-Za-z0-9._-], no leading '.'. */
int seg_plain(const char *s);
/*
 * A segment naming a Sparkplug id (group, edge node, device): 1-255 bytes
 * of valid UTF-8, no control character, none of the '/', '+', '#' MQTT
 * forbids in a topic level, not "." or "..".
 */
int seg_id(const char *s);

#endif
