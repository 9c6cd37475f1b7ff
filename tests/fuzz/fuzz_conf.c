/* libFuzzer: the iiotd config parser and its typed getters. */
#include <stddef.h>
#include <stdint.h>

#include "core/conf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[512];
	struct conf *c = conf_parse((const char *)data, size, "fuzz", err,
				    sizeof(err));
	uint64_t v;
	bool b;
	size_t i;

	if (!c)
		return 0;
	for (i = 0; i < conf_count(c); i++) {
		const struct conf_entry *e = conf_at(c, i);

		conf_get_u64(c, e->section, e->key, 0, 0, UINT64_MAX, &v, err,
			     sizeof(err));
		conf_get_size(c, e->section, e->key, 0, 0, UINT64_MAX, &v, err,
			      sizeof(err));
		conf_get_ms(c, e->section, e->key, 0, 0, UINT64_MAX, &v, err,
			    sizeof(err));
		conf_get_bool(c, e->section, e->key, 0, &b, err, sizeof(err));
	}
	conf_free(c);
	return 0;
}
