/*
 * The [modbus] configuration (docs/modbus.md):
 *
 *	[modbus]
 *	gap = 8			unused registers/bits a read may span
 *	max_regs = 125		registers a read (4..125)
 *	max_bits = 2000		coils or inputs a read (1..2000)
 *	per_device = 6		writes a minute to one device (1..1000)
 *	per_user = 20		writes a minute by one user (1..1000)
 *
 *	[modbus.NAME]		one device; NAME: letters, digits, _ - .
 *	host = 10.0.0.5		IPv4 address or name
 *	port = 502
 *	unit = 1		unit identifier (0..255)
 *	timeout = 1s		per request (10ms..60s)
 *	retries = 1		more tries of a failed read (0..10)
 *	degraded_after = 3	failed scans before the device is degraded
 *	retry = 30s		how often a degraded device is tried again
 *	point = NAME AREA ADDRESS [TYPE] [order=ABCD] [scale=1] [offset=0]
 *		[unit=U] [every=1s]
 *
 * AREA: holding (hr, 4x), input (ir, 3x), coil (co, 0x), discrete (di,
 * 1x); ADDRESS from 0; TYPE u16 i16 u32 i32 f32 f64 bool (registers:
 * u16 when left out; bits: bool).  Errors name the line.
 */
#ifndef IIOTD_MBCONF_H
#define IIOTD_MBCONF_H

#include <stddef.h>
#include <stdint.h>

#include "south/mbpoint.h"

struct conf;

#define MB_HOST_MAX	256

struct mb_dev_conf {
	char name[MB_NAME_MAX];
	char host[MB_HOST_MAX];
	uint16_t port;
	uint8_t unit;
	uint32_t timeout_ms;
	unsigned int retries;
	unsigned int degraded_after;
	uint32_t retry_ms;
	uint32_t first, n;		/* its points: pts[first .. first+n) */
	int line;			/* the section header */
};

struct mb_conf {
	struct mb_plan_opts plan;
	unsigned int per_device;	/* write rate limits (control.c) */
	unsigned int per_user;
	struct mb_dev_conf *devs;
	size_t ndevs;
	struct mb_point *pts;
	size_t npts;
};

/* 0 (no devices: ndevs 0), or -1 with "FILE:LINE: why" in err. */
int mb_conf_parse(const struct conf *c, struct mb_conf *out, char *err,
		  size_t errlen);
void mb_conf_free(struct mb_conf *mc);
/*
 * One "point =" value into p (name, area, address, type, options).
 * 0, or -1 with why.
 */
int mb_point_parse(const char *s, struct mb_point *p, char *why,
		   size_t whylen);

#endif
