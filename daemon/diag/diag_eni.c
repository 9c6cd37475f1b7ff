/*
 * An ENI's slaves as diag's expected topology (diag_topo.c): shared by
 * iiotd (the imported ENIs) and "iiotctl diagnose --eni FILE".
 */
#include <stdio.h>
#include <string.h>

#include "desc/desc.h"
#include "diag/diag.h"

static int parse_mac(const char *s, uint8_t mac[6])
{
	unsigned int b[6];
	int i;

	if (sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x", &b[0], &b[1], &b[2], &b[3],
		   &b[4], &b[5]) != 6)
		return -1;
	for (i = 0; i < 6; i++)
		mac[i] = (uint8_t)b[i];
	return 0;
}

size_t diag_expect_desc(const struct desc *x, struct diag_expect *out,
			size_t max)
{
	struct diag_expect e;
	size_t i, n = 0;

	if (x->kind != DESC_ENI)
		return 0;
	memset(&e, 0, sizeof(e));
	e.any_master = !x->master[0] || parse_mac(x->master, e.master);
	for (i = 0; i < x->ndevs && n < max && n <= 0xffff; i++) {
		const struct desc_device *dv = &x->devs[i];

		if (dv->role != DESC_ROLE_SLAVE)
			continue;
		e.pos = (uint16_t)n;
		e.station = dv->phys_addr;
		e.vendor = dv->vendor_id;
		e.product = dv->product;
		e.revision = dv->revision;
		snprintf(e.name, sizeof(e.name), "%.47s", dv->name);
		out[n++] = e;
	}
	return n;
}
