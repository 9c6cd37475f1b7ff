/*
 * The fleet host's handling of what the edges publish (daemon/fleet/
 * inv.c): any payload on any Sparkplug topic is taken within its limits
 * or ignored, never read past; the first byte picks the message type and
 * the rest is the payload, given after an NBIRTH of the same bytes so
 * that aliases, seq and devices are in play.
 */
#include <stdint.h>
#include <string.h>

#include <jansson.h>

#include "fleet/inv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void row(void *arg, const struct inv_row *r)
{
	size_t *n = arg;

	/* a row names its metric, and a device only on device topics */
	if (!r->metric || !r->metric[0] || !r->device || !r->group[0])
		__builtin_trap();
	(*n)++;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const topics[] = {
		"spBv1.0/g/NBIRTH/e", "spBv1.0/g/NDATA/e",
		"spBv1.0/g/DBIRTH/e/d", "spBv1.0/g/DDATA/e/d",
		"spBv1.0/g/DDEATH/e/d", "spBv1.0/g/NDEATH/e",
		"spBv1.0/g/NCMD/e", "spBv1.0/STATE/h",
	};
	size_t n = 0;
	struct inv_sink s = { row, NULL, NULL, &n };
	struct inv *v;
	char why[128];
	json_t *j;

	if (!size)
		return 0;
	v = inv_new(1000);
	if (!v)
		return 0;
	inv_message(v, topics[0], data + 1, size - 1, 1000, &s, why,
		    sizeof(why));
	inv_message(v, topics[data[0] & 7], data + 1, size - 1, 2000, &s, why,
		    sizeof(why));
	inv_message(v, topics[(data[0] >> 3) & 7], data + 1, size - 1, 3000, &s,
		    why, sizeof(why));
	j = inv_sites_json(v);
	json_decref(j);
	j = inv_devices_json(v, "g", "e");
	json_decref(j);
	inv_free(v);
	return 0;
}
