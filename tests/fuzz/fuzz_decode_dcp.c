/* libFuzzer: PROFINET DCP, from the byte after the FrameID. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "decode/decode.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct decoded d;
	uint8_t *copy;

	if (size > 65535)
		return 0;
	copy = malloc(size ? size : 1);
	if (!copy)
		return 0;
	memcpy(copy, data, size);
	memset(&d, 0, sizeof(d));
	decode_dcp(copy, (uint32_t)size, &d);
	if (d.dcp.nblock > DECODE_MAX_DCP_BLOCK)
		abort();
	free(copy);
	return 0;
}
