/*
 * PROFINET stations' layouts from their connect requests (desc_pnar.c,
 * docs/descriptions.md "PROFINET, from the connect request"): which
 * module and submodule sits in each slot and where its input data lies
 * in the input IOCR's frames, so an imported GSDML names the signals.
 * On the capture thread: fed every PNIO-CM frame, no allocation there.
 */
#ifndef IIOTD_PNAR_H
#define IIOTD_PNAR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "desc/desc.h"

#define PNAR_DEVICES	256	/* stations with a layout */
#define PNAR_PENDING	16	/* connects awaiting their response */
#define PNAR_SUBS	64	/* submodules with input data per station */

struct pnar;
struct decoded;
struct model;

struct pnar *pnar_new(void);
void pnar_free(struct pnar *p);

/*
 * One decoded frame (only PNIO-CM ones are looked at).  True when a
 * station's layout is new or changed: a connect request answered with
 * PNIO status OK (the response's FrameIDs win over the request's).
 */
bool pnar_frame(struct pnar *p, const struct decoded *d);

/*
 * The mapping lines the stored GSDMLs give for every station's layout
 * (desc_gsdml_cr_sigmap; for each station the GSDML that knows the most
 * of its submodules), on pn:STATION@FRAMEID (the model's NameOfStation,
 * else its MAC), leaving out lines the hand-written mapping
 * (the file at hand_path, NULL: none) already has on the same station
 * and offset.  malloc'd, NULL: none.
 */
char *pnar_sigmap(const struct pnar *p, const struct model *m,
		  const char *state_dir, const char *hand_path);

struct pnar_counters {
	uint64_t connects, layouts, pending_full, devices_full;
};
void pnar_get_counters(const struct pnar *p, struct pnar_counters *out);

#endif
