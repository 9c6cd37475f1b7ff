/* libFuzzer target: the iiot-sim scenario parser on arbitrary text. */
#include <stddef.h>
#include <stdint.h>

#include "../../sim/scenario.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sim_scenario sc;
	char err[512];

	if (scenario_parse(&sc, (const char *)data, size, "fuzz", err,
			   sizeof(err)) == 0)
		scenario_free(&sc);
	return 0;
}
