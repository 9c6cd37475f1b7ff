/*
 * libFuzzer: a payload an MQTT device might publish, through the JSON
 * path map (daemon/south/mqmap.c) as iiotd's subscriber applies it.  The
 * input's first byte picks a map (paths of every shape: names, indexes,
 * deep walks, a time path); the rest is the payload: non-JSON, deep
 * nesting, huge numbers, wrong types and odd times must end as counts,
 * never a crash.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "south/mqmap.h"
#include "../south/mqref.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const lines[] = {
	"a x", "a.b[2].c y int scale=0.5", "[0] z bool", "[0][1][2] w",
	"m.t t number scale=0.1 offset=-40", "v.s s int",
	"a.b.c.d.e.f.g.h.i.j.k.l.m.n.o.p deep", "x[65535] far",
};
static const char *const tpaths[] = { "ts", "m.ts", "[1]", "t[0].u" };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mq_sig sigs[8];
	struct mq_path tp;
	struct mq_result r, rj;
	double vals[8], vj[8];
	bool has[8], hj[8];
	char why[160];
	size_t i, n;

	if (!size)
		return 0;
	n = (size_t)(data[0] & 7) + 1;
	for (i = 0; i < n; i++)
		if (mq_sig_parse(lines[(i + (data[0] >> 3)) % 8], &sigs[i], why,
				 sizeof(why)))
			abort();
	if (mq_path_parse(tpaths[(data[0] >> 5) & 3], &tp, why, sizeof(why)))
		abort();
	mq_apply(sigs, n, (data[0] & 0x80) ? &tp : NULL, data + 1, size - 1,
		 65536, 1, vals, has, &r);
	mq_apply_jansson(sigs, n, (data[0] & 0x80) ? &tp : NULL, data + 1,
			 size - 1, 65536, 1, vj, hj, &rj);
	if (!mq_same(&r, &rj, n, vals, has, vj, hj))
		abort();
	/* the path language too, on the same bytes */
	if (size < MQ_PATH_MAX) {
		char p[MQ_PATH_MAX];

		snprintf(p, sizeof(p), "%.*s", (int)(size - 1),
			 (const char *)data + 1);
		mq_path_parse(p, &tp, why, sizeof(why));
		mq_sig_parse(p, &sigs[0], why, sizeof(why));
		mq_time_parse_str(p);
	}
	return 0;
}
