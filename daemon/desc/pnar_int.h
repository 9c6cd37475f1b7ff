/* Inside pnar: the stations' layouts (desc_pnar.c) that the signal
 * generation (desc_pnsig.c) reads. */
#ifndef IIOTD_PNAR_INT_H
#define IIOTD_PNAR_INT_H

#include "desc/pnar.h"

struct layout {
	uint8_t mac[6];			/* the IO device */
	uint16_t frame_id, ref;
	uint8_t used;
	uint8_t nsub;
	struct desc_pn_sub sub[PNAR_SUBS];
};

struct pending {
	uint8_t activity[16];
	uint64_t seq;			/* age: the oldest is replaced */
	struct layout l;
};

struct pnar {
	struct layout dev[PNAR_DEVICES];
	struct pending pend[PNAR_PENDING];
	uint64_t seq;
	struct pnar_counters ctr;
};

#endif
