/*
 * libFuzzer: a PNIO-CM connect and its answer through the decoder into
 * the stations' layouts (daemon/desc/desc_pnar.c) and the GSDML signal
 * generation over them (desc_gsdml_cr_sigmap, iiot's own GSDML).  Input:
 * a 16-bit length, that many bytes of request, the rest the response.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decode/decode.h"
#include "desc/desc.h"
#include "desc/pnar_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct desc *gsdml(void)
{
	static struct desc *g;
	static int tried;
	const char *top = getenv("IIOT_TOP");
	char err[256], path[4096], *b;
	FILE *f;
	long n;

	if (tried)
		return g;
	tried = 1;
	snprintf(path, sizeof(path), "%s/etc/descriptions/"
		 "sim-et200sp.gsdml.xml", top ? top : ".");
	f = fopen(path, "rb");
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	b = n > 0 ? malloc((size_t)n) : NULL;
	if (b && fread(b, 1, (size_t)n, f) == (size_t)n)
		g = desc_parse(b, (size_t)n, err, sizeof(err));
	free(b);
	fclose(f);
	return g;
}

static void feed(struct pnar *p, const uint8_t *data, size_t size)
{
	static struct decoded d;
	uint8_t *copy = malloc(size ? size : 1);

	if (!copy)
		return;
	memcpy(copy, data, size);
	decode_pnio_cm(copy, (uint32_t)size, &d);
	memset(d.dst, 0x11, 6);
	pnar_frame(p, &d);
	free(copy);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct pnar *p;
	const struct desc *g = gsdml();
	size_t n, i, nsig, skipped, unknown;

	if (size < 2 || size > 65535)
		return 0;
	if (!p && !(p = pnar_new()))
		return 0;
	n = (size_t)(data[0] << 8 | data[1]);
	if (n > size - 2)
		n = size - 2;
	feed(p, data + 2, n);
	feed(p, data + 2 + n, size - 2 - n);
	for (i = 0; g && i < PNAR_DEVICES; i++) {
		char *t;

		if (!p->dev[i].used)
			continue;
		t = desc_gsdml_cr_sigmap(g, "st", "pn:st@0xc001",
					 p->dev[i].sub, p->dev[i].nsub, &nsig,
					 &skipped, &unknown);
		free(t);
	}
	return 0;
}
