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

/* the request being answered: its answers carry its VLAN tags */
struct req {
	const uint8_t *data;
	size_t size;
};

static int tpid(const uint8_t *p)
{
	uint16_t t = (uint16_t)(p[0] << 8 | p[1]);

	return t == 0x8100 || t == 0x88a8 || t == 0x9100;
}

static int drop(void *ctx, uint64_t ts, const uint8_t *f, uint32_t len)
{
	const struct req *rq = ctx;
	uint32_t tags = 0;

	(void)ts;
	/*
	 * answers must be whole Ethernet frames we could send: PROFINET
	 * after at most two VLAN tags, the very tags of the request (a
	 * device answers in the VLAN it was asked in), no larger than
	 * SIM_FRAME_MAX without them
	 */
	if (len < 60)
		__builtin_trap();
	while (tags < 8 && tpid(f + 12 + tags))
		tags += 4;
	if (f[12 + tags] != 0x88 || f[13 + tags] != 0x92 ||
	    len - tags > SIM_FRAME_MAX || rq->size < 14 + tags ||
	    memcmp(f + 12, rq->data + 12, tags))
		__builtin_trap();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct sim_scenario sc;
	static int loaded;
	struct req rq = { data, size };
	const struct sim_sink sink = { drop, &rq };
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
