/* libFuzzer: signal mapping files, then a frame through the mapping. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "model/model.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct model *m;
	char err[512];

	if (!m)
		m = model_new(NULL);
	if (!m)
		return 0;
	model_parse_signals(m, (const char *)data, size, "fuzz", err,
			    sizeof(err));
	/* the same bytes as a frame: exercises sampling at odd offsets */
	model_frame_raw(m, data, (uint32_t)size, (uint32_t)size, 1, 0);
	return 0;
}
