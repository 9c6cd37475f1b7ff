/*
 * A device's alias, set from the API (PATCH /api/v1/devices/{id}) or the
 * control socket (iiotctl device alias): the model's table on the capture
 * thread, then the store (its row and its history), one path for both.
 */
#ifndef IIOTD_DEVALIAS_H
#define IIOTD_DEVALIAS_H

#include <stddef.h>
#include <stdint.h>

#include "model/model.h"

struct iiotd;

struct devalias {
	uint32_t id;			/* the device's, 0 when not found */
	char label[MODEL_LABEL_MAX];
	char from[MODEL_ALIAS_MAX];	/* the alias before, "" none */
	char why[160];			/* the refusal */
};

/*
 * Give the device key names (model_device_find: id, MAC, station name)
 * alias ("" clears it); who goes into the history.  200, or 400 (not an
 * alias: model_alias_check), 404 (no such device), 507 (the table is
 * full) with out->why.
 */
int devalias_set(struct iiotd *d, const char *key, const char *alias,
		 const char *who, struct devalias *out);
/* The store's aliases into the model (at start, before capture runs). */
void devalias_load(struct iiotd *d);

#endif
