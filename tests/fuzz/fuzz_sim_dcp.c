/*
 * libFuzzer target: iiot-sim's live DCP request parser (engine_receive)
 * on arbitrary frames, with answers drained after each one.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "../../sim/engine.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char scenario[] =
	"[profinet-controller plc]\n"
	"[profinet-device io]\ncontroller = plc\ncount = 3\n"
	"[fault]\nkind = unknown-device\nname = rogue\n";

static int drop(void *ctx, uint64_t ts, const uint8_t *f, uint32_t len)
{
	(void)ctx;
	(void)ts;
	/* answers must be whole Ethernet frames we could send */
	if (len < 60 || len > SIM_FRAME_MAX || f[12] != 0x88)
		__builtin_trap();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct sim_scenario sc;
	static int loaded;
	const struct sim_sink sink = { drop, NULL };
	struct sim_engine *e;
	char err[256];

	if (!loaded) {
		if (scenario_parse(&sc, scenario, strlen(scenario), "fuzz",
				   err, sizeof(err)))
			__builtin_trap();
		loaded = 1;
	}
	if (size > 2048)
		return 0;
	e = engine_new(&sc, 1, 0);
	if (!e)
		return 0;
	engine_receive(e, 1000, data, (uint32_t)size);
	engine_flush(e, UINT64_MAX, &sink);
	engine_free(e);
	return 0;
}
