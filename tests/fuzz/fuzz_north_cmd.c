/*
 * NCMD/DCMD payload decoding (daemon/north/spb.c): anything a broker may
 * hand the edge node on a command topic is decoded within its limits or
 * refused, never read past; what is accepted names each metric.
 */
#include <stdint.h>
#include <string.h>

#include "north/spb.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int seen(void *arg, const struct spb_cmd *c)
{
	size_t *n = arg;

	/* every metric handed on has a name or an alias */
	if (!c->name[0] && !c->has_alias)
		__builtin_trap();
	if (strlen(c->name) >= sizeof(c->name))
		__builtin_trap();
	(*n)++;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char why[160];
	size_t n = 0;

	if (spb_cmd_parse(data, size, seen, &n, why, sizeof(why)) == 0 &&
	    n > SPB_CMD_METRICS)
		__builtin_trap();
	return 0;
}
