/* libFuzzer: the whole frame decoder and its JSON form. */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "decode/decode.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct decoded d;
	uint8_t *copy;
	json_t *o;
	char *s;

	if (size > 65535)
		return 0;
	/* an exact-size heap copy, so ASan sees any read past the end */
	copy = malloc(size ? size : 1);
	if (!copy)
		return 0;
	memcpy(copy, data, size);
	decode_frame(copy, (uint32_t)size, &d);
	o = decode_to_json(&d, 1, 0, (uint32_t)size);
	s = o ? json_dumps(o, JSON_COMPACT) : NULL;
	free(s);
	json_decref(o);
	free(copy);
	return 0;
}
