/* libFuzzer: control-socket request lines. */
#include <stddef.h>
#include <stdint.h>

#include "core/ctlproto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ctl_req r;
	char err[256];

	ctl_parse_request((const char *)data, size, &r, err, sizeof(err));
	return 0;
}
