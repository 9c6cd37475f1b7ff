/*
 * libFuzzer: device descriptions (GSDML, ESI, ENI) through the safe
 * libxml2 reader and the parsers, then the signals they give.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "desc/desc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const slots[] = { "M_AI_F32", "", "0x102",
					     "DAP_SIM" };
	struct desc *d;
	char err[256], *text;
	size_t n, skipped;

	d = desc_parse((const char *)data, size, err, sizeof(err));
	if (!d)
		return 0;
	text = desc_eni_sigmap(d, "00:1b:21:10:00:01", &n, &skipped);
	free(text);
	text = desc_gsdml_sigmap(d, "st", slots, 4, &n, &skipped, err,
				 sizeof(err));
	free(text);
	desc_free(d);
	return 0;
}
