/* pcap with nanosecond timestamps, or pcapng with if_tsresol = 9. */
#include <stdlib.h>
#include <string.h>

#include "capfile.h"

#define PCAP_MAGIC_NS	0xa1b23c4dU
#define LINKTYPE_ETH	1
#define PCAPNG_SHB	0x0a0d0d0aU
#define PCAPNG_IDB	0x00000001U
#define PCAPNG_EPB	0x00000006U
#define BOM		0x1a2b3c4dU

static int put(struct capfile *c, const void *p, size_t n)
{
	return fwrite(p, 1, n, c->f) == n ? 0 : -1;
}

static int pcap_header(struct capfile *c)
{
	const uint32_t h[6] = { PCAP_MAGIC_NS, 2 | 4U << 16, 0, 0, 65535,
				LINKTYPE_ETH };

	return put(c, h, sizeof(h));
}

static int pcapng_header(struct capfile *c)
{
	/* SHB: no options, section length unknown (-1) */
	const uint32_t shb[7] = { PCAPNG_SHB, 28, BOM, 1 | 0U << 16,
				  0xffffffffU, 0xffffffffU, 28 };
	/* IDB: Ethernet, no snaplen limit, if_tsresol = 9 (ns) */
	const uint32_t idb[8] = { PCAPNG_IDB, 32, LINKTYPE_ETH, 0,
				  9 | 1U << 16, 9, 0, 32 };

	return put(c, shb, sizeof(shb)) || put(c, idb, sizeof(idb));
}

int capfile_open(struct capfile *c, const char *path)
{
	size_t n = strlen(path);

	memset(c, 0, sizeof(*c));
	c->pcapng = n > 7 && !strcmp(path + n - 7, ".pcapng");
	c->f = fopen(path, "wbe");
	if (!c->f)
		return -1;
	c->buf = malloc(1 << 20);
	if (c->buf)
		setvbuf(c->f, c->buf, _IOFBF, 1 << 20);
	if (c->pcapng ? pcapng_header(c) : pcap_header(c)) {
		capfile_close(c);
		return -1;
	}
	return 0;
}

int capfile_write(void *ctx, uint64_t ts_ns, const uint8_t *frame,
		  uint32_t len)
{
	struct capfile *c = ctx;
	static const uint8_t zero[4];
	uint32_t h[7], pad = (4 - (len & 3)) & 3;

	if (!c->pcapng) {
		h[0] = (uint32_t)(ts_ns / 1000000000ULL);
		h[1] = (uint32_t)(ts_ns % 1000000000ULL);
		h[2] = h[3] = len;
		return put(c, h, 16) || put(c, frame, len);
	}
	h[0] = PCAPNG_EPB;
	h[1] = 32 + len + pad;
	h[2] = 0;			/* interface 0 */
	h[3] = (uint32_t)(ts_ns >> 32);
	h[4] = (uint32_t)ts_ns;
	h[5] = h[6] = len;
	return put(c, h, 28) || put(c, frame, len) || put(c, zero, pad) ||
	       put(c, &h[1], 4);
}

int capfile_close(struct capfile *c)
{
	int rc = 0;

	if (c->f) {
		rc = ferror(c->f) ? -1 : 0;
		if (fclose(c->f))
			rc = -1;
	}
	free(c->buf);
	memset(c, 0, sizeof(*c));
	return rc;
}
