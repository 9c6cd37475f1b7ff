/*
 * libFuzzer: one raw frame through decode, the model and every diagnosis,
 * raising into a real alert table.  State carries over between inputs,
 * as it does between frames on a wire, so counters, AL states and
 * working counters meet every order of hostile values.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "alerts/alerts.h"
#include "decode/decode.h"
#include "diag/diag.h"
#include "model/model.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct alerts *al;
	static struct model *m;
	static struct diag *dg;
	static struct decoded d;
	static uint64_t ts = 1000000000ULL, n;
	static struct alert_change ch[64];
	uint8_t *copy;

	if (!al) {
		al = alerts_new(NULL);
		m = model_new(NULL);
		dg = diag_new(al, m, NULL);
		if (!al || !m || !dg)
			abort();
	}
	if (size > 9000)
		return 0;
	copy = malloc(size ? size : 1);
	if (!copy)
		return 0;
	memcpy(copy, data, size);
	ts += 1000000;
	decode_frame(copy, (uint32_t)size, &d);
	model_frame(m, &d, ts, (uint32_t)size, 0);
	diag_frame(dg, &d, ts, ++n);
	if (!(n % 64)) {
		alerts_tick(al, ts, ts);
		while (alerts_drain(al, ch, 64) == 64)
			;
	}
	free(copy);
	return 0;
}
