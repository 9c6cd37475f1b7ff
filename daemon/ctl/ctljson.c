/* Fields of the daemon's answers for the table printers (ctl.h). */
#include <jansson.h>

#include "ctl.h"

const char *ctl_jstr(json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));

	return s ? s : "";
}

long long ctl_jnum(json_t *o, const char *k)
{
	return (long long)json_integer_value(json_object_get(o, k));
}
