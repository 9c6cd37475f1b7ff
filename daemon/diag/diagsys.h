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

/* [{"port":..,"load_pct":..,"grade":..,"reasons":[..]},...] per capture
 * port (diag_port_json), or NULL when diag is not running */
struct json_t *diagsys_ports(struct iiotd *d);

/*
 * The imported ENIs' slaves (descriptions.db) to diag as its expected
 * topology; on the capture thread once iiotd runs (it owns diag).
 */
void diagsys_expect(struct iiotd *d);
/* Expected vs seen (diag_expected_json), or NULL when diag is not
 * running. */
struct json_t *diagsys_expected(struct iiotd *d);

struct model;
struct model_link;
/* The store series of a link's metric (linkhist.h), 0 none. */
uint32_t diagsys_series(struct model *m, const struct model_link *l,
			    unsigned int metric);
/* The unit of a history series (a link's or a slave's), NULL when id is
 * not one. */
const char *diagsys_series_unit(uint32_t id);
/* The store series of an EtherCAT slave's metric (LHS_*), 0 none;
 * master: its MAC with the U/L bit cleared. */
uint32_t diagsys_slave_series(const uint8_t master[6], uint16_t station,
			      unsigned int metric);

#endif
