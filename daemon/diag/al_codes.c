/*
 * AL status codes (register 0x0134) and their meaning, from the ETG.1020
 * table every master shows.  0x8000 and above are the vendor's own; any
 * other code not listed is not a code a conforming slave reports.
 */
#include <stddef.h>
#include <stdint.h>

#include "diag/diag.h"

static const struct {
	uint16_t code;
	const char *text;
} al_codes[] = {
	{ 0x0000, "No error" },
	{ 0x0001, "Unspecified error" },
	{ 0x0002, "No memory" },
	{ 0x0003, "Invalid device setup" },
	{ 0x0004, "Invalid revision" },
	{ 0x0006, "SII/EEPROM information does not match firmware" },
	{ 0x0007, "Firmware update not successful" },
	{ 0x000E, "License error" },
	{ 0x0011, "Invalid requested state change" },
	{ 0x0012, "Unknown requested state" },
	{ 0x0013, "Bootstrap not supported" },
	{ 0x0014, "No valid firmware" },
	{ 0x0015, "Invalid mailbox configuration (BOOT)" },
	{ 0x0016, "Invalid mailbox configuration (PREOP)" },
	{ 0x0017, "Invalid sync manager configuration" },
	{ 0x0018, "No valid inputs available" },
	{ 0x0019, "No valid outputs" },
	{ 0x001A, "Synchronization error" },
	{ 0x001B, "Sync manager watchdog" },
	{ 0x001C, "Invalid sync manager types" },
	{ 0x001D, "Invalid output configuration" },
	{ 0x001E, "Invalid input configuration" },
	{ 0x001F, "Invalid watchdog configuration" },
	{ 0x0020, "Slave needs cold start" },
	{ 0x0021, "Slave needs INIT" },
	{ 0x0022, "Slave needs PREOP" },
	{ 0x0023, "Slave needs SAFEOP" },
	{ 0x0024, "Invalid input mapping" },
	{ 0x0025, "Invalid output mapping" },
	{ 0x0026, "Inconsistent settings" },
	{ 0x0027, "FreeRun not supported" },
	{ 0x0028, "SyncMode not supported" },
	{ 0x0029, "FreeRun needs 3-buffer mode" },
	{ 0x002A, "Background watchdog" },
	{ 0x002B, "No valid inputs and outputs" },
	{ 0x002C, "Fatal sync error" },
	{ 0x002D, "No sync error" },
	{ 0x002E, "Cycle time too small" },
	{ 0x0030, "Invalid DC SYNC configuration" },
	{ 0x0031, "Invalid DC latch configuration" },
	{ 0x0032, "PLL error" },
	{ 0x0033, "DC sync IO error" },
	{ 0x0034, "DC sync timeout error" },
	{ 0x0035, "DC invalid sync cycle time" },
	{ 0x0036, "DC invalid SYNC0 cycle time" },
	{ 0x0037, "DC invalid SYNC1 cycle time" },
	{ 0x0041, "Mailbox AoE error" },
	{ 0x0042, "Mailbox EoE error" },
	{ 0x0043, "Mailbox CoE error" },
	{ 0x0044, "Mailbox FoE error" },
	{ 0x0045, "Mailbox SoE error" },
	{ 0x004F, "Mailbox VoE error" },
	{ 0x0050, "EEPROM no access" },
	{ 0x0051, "EEPROM error" },
	{ 0x0052, "External hardware not ready" },
	{ 0x0060, "Slave restarted locally" },
	{ 0x0061, "Device identification value updated" },
	{ 0x00F0, "Application controller available" },
};

const char *diag_al_code_text(uint16_t code)
{
	size_t lo = 0, hi = sizeof(al_codes) / sizeof(al_codes[0]), mid;

	if (code >= 0x8000)
		return "Vendor-specific error";
	while (lo < hi) {
		mid = (lo + hi) / 2;
		if (al_codes[mid].code == code)
			return al_codes[mid].text;
		if (al_codes[mid].code < code)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}
