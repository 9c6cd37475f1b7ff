/*
 * libFuzzer: an answer to each kind of DCP control request
 * (daemon/south/dcp_frame.c).  The input is a whole Ethernet frame; its
 * first byte picks the request (and whether it filtered by name), and the
 * request's Xid and MAC are taken from the frame so the fuzzer reaches
 * the block checks.  A bad answer must come back as an anomaly, and a
 * result never with an anomaly.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "south/dcp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dcp_request q;
	struct dcp_answer a;
	enum dcp_match m;
	uint8_t *f;

	if (size < 1 || size > 2048)
		return 0;
	memset(&q, 0, sizeof(q));
	q.op = (enum dcp_op)(data[0] % DCP_OP_COUNT);
	if (data[0] & 0x80)
		strcpy(q.name, "et200sp-3");
	q.reset_mode = DCP_RESET_COMM;
	data++;
	size--;
	/* an exact-size copy so ASan sees every read past the end */
	f = malloc(size ? size : 1);
	if (!f)
		return 0;
	memcpy(f, data, size);
	if (size >= 6)
		memcpy(q.src, f, 6);
	/* the Xid after an untagged header; tagged frames keep theirs */
	if (size >= 22)
		q.xid = (uint32_t)f[18] << 24 | (uint32_t)f[19] << 16 |
			(uint32_t)f[20] << 8 | f[21];
	m = dcp_answer_check(&q, f, (uint32_t)size, &a);
	if (m == DCP_MATCH_BAD && (unsigned int)a.anomaly >= DCP_AN_COUNT)
		abort();
	if (m == DCP_MATCH_OK && a.detail[0])
		abort();
	if (m != DCP_MATCH_NONE && !memchr(a.name, 0, sizeof(a.name)))
		abort();
	free(f);
	return 0;
}
