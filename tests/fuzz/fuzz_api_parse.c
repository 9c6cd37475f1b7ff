/* libFuzzer: the API's pre-authentication parsers (cookie, query, body, path). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "api/parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s, out[512];
	struct path_segs ps;
	size_t i;
	const char *why;
	int64_t v;
	json_t *o;

	if (size < 1 || size > 70000)
		return 0;
	s = malloc(size);
	if (!s)
		return 0;
	memcpy(s, data + 1, size - 1);
	s[size - 1] = 0;
	switch (data[0] % 4) {
	case 0:
		cookie_get(s, "__Host-iiot", out, sizeof(out));
		cookie_get(s, "x", out, 8);
		break;
	case 1:
		query_get(s, "q", out, sizeof(out));
		query_get(s, "state", out, 4);
		query_int(s, "limit", 1, 1000, 10, &v);
		query_int(s, "from", 0, INT64_MAX / 1000000, 0, &v);
		break;
	case 2:
		o = body_object((const char *)data + 1, size - 1, 65536, &why);
		if (o) {
			body_str(o, "username", 32);
			body_str(o, "password", 128);
			json_decref(o);
		}
		break;
	default:
		path_clean(s, out, sizeof(out));
		path_clean(s, out, 16);
		if (!path_split(s, &ps))
			for (i = 0; i < ps.n; i++) {
				seg_plain(ps.seg[i]);
				seg_id(ps.seg[i]);
			}
		break;
	}
	free(s);
	return 0;
}
