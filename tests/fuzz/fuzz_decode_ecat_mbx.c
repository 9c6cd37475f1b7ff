/* libFuzzer: an EtherCAT mailbox (datagram data at a mailbox SyncManager). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "decode/decode.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct decoded d;
	uint8_t *copy;
	const struct decode_ecat_mbx *m;

	if (size > 2047)	/* a datagram holds at most 2047 bytes */
		return 0;
	copy = malloc(size ? size : 1);
	if (!copy)
		return 0;
	memcpy(copy, data, size);
	memset(&d, 0, sizeof(d));
	decode_ecat_mbx(copy, (uint32_t)size, &d, 0);
	m = &d.ecat.mbx[0];
	/* a file name never points outside the mailbox */
	if (d.ecat.nmbx && m->foe_name &&
	    (m->foe_name < copy || m->foe_name + m->foe_name_len > copy + size))
		abort();
	free(copy);
	return 0;
}
