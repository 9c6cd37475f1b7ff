/*
 * libFuzzer: the baseline's JSON import (iiotctl baseline import, the
 * API's PUT /api/v1/baseline, baseline.db).  Whatever it accepts must
 * export to JSON that it accepts again with the same entries, and every
 * entry must then be removable.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "ids/baseline.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct baseline *a, *b;

static void remove_all(struct baseline *bl)
{
	size_t i;

	for (i = 0; bl->tab && i < BL_MAX && bl->n; i++) {
		struct bl_entry e;

		if (!bl->tab[i].used)
			continue;
		e = bl->tab[i];
		if (baseline_remove(bl, &e))
			abort();
		/* the cluster moved: look at this slot again */
		i = (size_t)-1;
	}
	if (bl->n)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[256];
	json_t *j, *out, *one;
	struct bl_entry e;

	if (!a && (!(a = baseline_new()) || !(b = baseline_new())))
		abort();
	j = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, NULL);
	if (!j)
		return 0;
	if (baseline_entry_from_json(a, j, &e, err, sizeof(err)) == 0 &&
	    baseline_add(a, &e) && baseline_remove(a, &e))
		abort();
	if (baseline_from_json(a, j, err, sizeof(err))) {
		json_decref(j);
		return 0;
	}
	json_decref(j);
	out = baseline_json(a);
	if (!out || baseline_from_json(b, out, err, sizeof(err)) ||
	    b->n != a->n)
		abort();
	one = json_array_get(json_object_get(out, "pairs"), 0);
	if (one) {
		json_object_set_new(one, "kind", json_string("pair"));
		if (baseline_entry_from_json(b, one, &e, err, sizeof(err)) ||
		    !baseline_find(b, &e))
			abort();
	}
	json_decref(out);
	remove_all(b);
	return 0;
}
