/*
 * The diag subsystem inside iiotd (subsys_diag.c), for the event-loop
 * thread: its counters, read on the capture thread that owns them.
 */
#ifndef IIOTD_DIAGSYS_H
#define IIOTD_DIAGSYS_H

#include <stdint.h>

struct iiotd;
struct json_t;

/* {"frames":N,...} (DIAG_COUNTERS), or NULL when diag is not running */
struct json_t *diagsys_counters(struct iiotd *d);

struct model;
struct model_link;
/* The store series of a link's metric (linkhist.h), 0 none. */
uint32_t diagsys_series(struct model *m, const struct model_link *l,
			    unsigned int metric);

#endif
