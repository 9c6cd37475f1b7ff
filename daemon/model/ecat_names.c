/*
 * What an EtherCAT slave is, named from the identity its SII (EEPROM)
 * gave on the wire (vendor id 0x0008, product code 0x000A, read by the
 * master through 0x0502-0x0508): "Beckhoff EL3064".  Beckhoff's product
 * codes carry the type number in the high word and the family in the low
 * one (0x0BF83052: 3064, EL), as the shared captures show (EK1100
 * 0x044C2C52, EL1004 0x03EC3052, EK1914 0x077A2C52, EL3004 0x0BBC3052).
 * Other vendors have no public rule: they stay unnamed (their ids are
 * still shown).
 */
#include <stdio.h>

#include "model/model.h"

#define VENDOR_BECKHOFF	0x00000002u

static const struct {
	uint16_t code;
	const char *family;
} beckhoff[] = {
	{ 0x3052, "EL" },	/* I/O terminals (ES shares the codes) */
	{ 0x2C52, "EK" },	/* couplers */
	{ 0x4052, "EP" },	/* EtherCAT Box modules */
};

bool model_ecat_product_name(const struct model_device *d, char *buf,
			     size_t len)
{
	size_t i;

	if (d->kind != MODEL_DEV_ECAT_SLAVE ||
	    (d->has & (MODEL_HAS_VENDOR | MODEL_HAS_PRODUCT)) !=
	    (MODEL_HAS_VENDOR | MODEL_HAS_PRODUCT) ||
	    d->vendor_id != VENDOR_BECKHOFF)
		return false;
	for (i = 0; i < sizeof(beckhoff) / sizeof(beckhoff[0]); i++)
		if ((d->product_code & 0xFFFF) == beckhoff[i].code) {
			snprintf(buf, len, "Beckhoff %s%u", beckhoff[i].family,
				 d->product_code >> 16);
			return true;
		}
	snprintf(buf, len, "Beckhoff 0x%08x", d->product_code);
	return true;
}
