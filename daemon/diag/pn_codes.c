/*
 * PROFINET texts: alarm types and the channel error types of channel
 * diagnosis (IEC 61158-6-10, the values engineering tools show).
 */
#include <stddef.h>
#include <stdint.h>

#include "diag/diag_int.h"

struct code_text {
	uint16_t code;
	const char *text;
};

static const struct code_text channel_errors[] = {
	{ 0x0001, "short circuit" },
	{ 0x0002, "undervoltage" },
	{ 0x0003, "overvoltage" },
	{ 0x0004, "overload" },
	{ 0x0005, "overtemperature" },
	{ 0x0006, "wire break" },
	{ 0x0007, "upper limit value exceeded" },
	{ 0x0008, "lower limit value exceeded" },
	{ 0x0009, "error" },
	{ 0x000A, "simulation active" },
	{ 0x0010, "parameterization fault" },
	{ 0x0011, "power supply fault" },
	{ 0x0012, "fuse blown" },
	{ 0x0013, "communication fault" },
	{ 0x0014, "ground fault" },
	{ 0x0015, "reference point lost" },
	{ 0x0016, "sampling error" },
	{ 0x0017, "threshold warning" },
	{ 0x0018, "output disabled" },
	{ 0x0019, "functional safety event" },
	{ 0x001A, "external fault" },
	{ 0x001F, "temporary error" },
	{ 0x8000, "data transmission impossible" },
	{ 0x8001, "remote mismatch" },
	{ 0x8002, "media redundancy mismatch" },
	{ 0x8003, "sync mismatch" },
	{ 0x8004, "isochronous mode mismatch" },
	{ 0x8005, "multicast CR mismatch" },
	{ 0x8007, "fiber optic mismatch" },
	{ 0x8008, "network component function mismatch" },
	{ 0x8009, "time mismatch" },
};

static const struct code_text alarm_types[] = {
	{ 0x0001, "diagnosis" },
	{ 0x0002, "process" },
	{ 0x0003, "pull" },
	{ 0x0004, "plug" },
	{ 0x0005, "status" },
	{ 0x0006, "update" },
	{ 0x0007, "media redundancy" },
	{ 0x0008, "controlled by supervisor" },
	{ 0x0009, "released" },
	{ 0x000A, "plug wrong submodule" },
	{ 0x000B, "return of submodule" },
	{ 0x000C, "diagnosis disappears" },
	{ 0x000D, "multicast communication mismatch" },
	{ 0x000E, "port data change" },
	{ 0x000F, "sync data changed" },
	{ 0x0010, "isochronous mode problem" },
	{ 0x0011, "network component problem" },
	{ 0x0012, "time data changed" },
	{ 0x0013, "dynamic frame packing problem" },
	{ 0x0014, "MRPD problem" },
	{ 0x0016, "upload and retrieval" },
	{ 0x0017, "pull module" },
};

static const char *lookup(const struct code_text *t, size_t n, uint16_t c)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (t[i].code == c)
			return t[i].text;
	return NULL;
}

const char *diag_channel_error_text(uint16_t code)
{
	if (code >= 0x0100 && code <= 0x7FFF)
		return "manufacturer-specific error";
	return lookup(channel_errors,
		      sizeof(channel_errors) / sizeof(channel_errors[0]), code);
}

const char *diag_alarm_type_text(uint16_t type)
{
	return lookup(alarm_types, sizeof(alarm_types) / sizeof(alarm_types[0]),
		      type);
}
