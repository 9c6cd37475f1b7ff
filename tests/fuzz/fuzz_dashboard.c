/* libFuzzer: a dashboard document as an import or a save sends it (api/dashdoc.c). */
#include <stddef.h>
#include <stdint.h>

#include "api/dashdoc.h"
#include "api/parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *why;
	char reason[160];
	json_t *o, *doc;

	if (size < 1 || size > 70000)
		return 0;
	o = body_object((const char *)data + 1, size - 1, 65536, &why);
	if (!o)
		return 0;
	doc = dash_doc_check(o, data[0] & 1, reason, sizeof(reason));
	json_decref(doc);
	json_decref(o);
	return 0;
}
