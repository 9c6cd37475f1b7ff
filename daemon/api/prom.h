/* The stats tree in the Prometheus text exposition format (prom.c). */
#ifndef IIOT_API_PROM_H
#define IIOT_API_PROM_H

#include <stddef.h>

#include <jansson.h>

/* malloc'd text and its length in *len, or NULL when out of memory */
char *prom_from_json(const json_t *root, size_t *len);
/* 1 when a stats leaf of this name is a level, 0 for a running count */
int prom_is_gauge(const char *leaf);

#endif
