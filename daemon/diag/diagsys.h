/*
 * The diag subsystem inside iiotd (subsys_diag.c), for the event-loop
 * thread: its counters, read on the capture thread that owns them.
 */
#ifndef IIOTD_DIAGSYS_H
#define IIOTD_DIAGSYS_H

struct iiotd;
struct json_t;

/* {"frames":N,...} (DIAG_COUNTERS), or NULL when diag is not running */
struct json_t *diagsys_counters(struct iiotd *d);

#endif
