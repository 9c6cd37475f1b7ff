/* A nanosecond time in JSON: null when unknown (0), as the API documents. */
#ifndef IIOT_CORE_JSON_NS_H
#define IIOT_CORE_JSON_NS_H

#include <stdint.h>
#include <jansson.h>

static inline json_t *json_ns_or_null(uint64_t ns)
{
	return ns ? json_integer((json_int_t)ns) : json_null();
}

#endif
