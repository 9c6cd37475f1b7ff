/* libFuzzer: LLDP (IEEE 802.1AB, PROFINET and 802.3 TLVs), from the byte after
 * the ethertype. */
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
	decode_lldp(copy, (uint32_t)size, &d);
	if (d.lldp.chassis_len > LLDP_ID_MAX || d.lldp.port_len > LLDP_ID_MAX ||
	    d.lldp.mgmt_len > sizeof(d.lldp.mgmt_addr))
		abort();
	free(copy);
	return 0;
}
