/* A PROFINET RT class 1 frame for the diag tests: DEVICE to its
 * controller, FrameID 0xC001, cycle counter cc, data status ds. */
#ifndef IIOT_TEST_PNFRAME_H
#define IIOT_TEST_PNFRAME_H

#include <stdint.h>
#include <string.h>

#define PN_TEST_FRAME	64

static const uint8_t DEVICE[6] = { 0x00, 0x0e, 0x8c, 0x30, 0x00, 0x01 };

static inline void pn_test_frame(uint8_t f[PN_TEST_FRAME], uint16_t cc,
				 uint8_t ds)
{
	memset(f, 0, PN_TEST_FRAME);
	memcpy(f, "\x00\x0e\x8c\x00\x02\x01", 6);
	memcpy(f + 6, DEVICE, 6);
	f[12] = 0x88;
	f[13] = 0x92;
	f[14] = 0xC0;		/* FrameID 0xC001, RT class 1 */
	f[15] = 0x01;
	f[60] = (uint8_t)(cc >> 8);	/* cycle counter */
	f[61] = (uint8_t)cc;
	f[62] = ds;
}

#endif
