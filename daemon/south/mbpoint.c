/*
 * Modbus point types, byte and word order, decoding and encoding
 * (mbpoint.h).  Registers travel high byte first; a value of several
 * registers comes in whatever order the device's vendor chose, which
 * the point's order says byte by byte.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "south/mbpoint.h"

static const char *const area_names[MB_AREA_COUNT] = {
	"coil", "discrete", "input", "holding"
};
static const char *const area_short[MB_AREA_COUNT][2] = {
	{ "co", "0x" }, { "di", "1x" }, { "ir", "3x" }, { "hr", "4x" }
};
static const char *const type_names[MB_TYPE_COUNT] = {
	"bool", "u16", "i16", "u32", "i32", "f32", "f64"
};

const char *mb_area_name(unsigned int area)
{
	return area < MB_AREA_COUNT ? area_names[area] : "?";
}

int mb_area_parse(const char *s)
{
	int i;

	for (i = 0; i < MB_AREA_COUNT; i++)
		if (!strcasecmp(s, area_names[i]) ||
		    !strcasecmp(s, area_short[i][0]) ||
		    !strcasecmp(s, area_short[i][1]))
			return i;
	return -1;
}

const char *mb_type_name(unsigned int type)
{
	return type < MB_TYPE_COUNT ? type_names[type] : "?";
}

int mb_type_parse(const char *s)
{
	int i;

	for (i = 0; i < MB_TYPE_COUNT; i++)
		if (!strcasecmp(s, type_names[i]))
			return i;
	return -1;
}

bool mb_area_bits(unsigned int area)
{
	return area == MB_COIL || area == MB_DISCRETE;
}

bool mb_area_writable(unsigned int area)
{
	return area == MB_COIL || area == MB_HOLDING;
}

unsigned int mb_type_regs(unsigned int type)
{
	switch (type) {
	case MB_U32: case MB_I32: case MB_F32: return 2;
	case MB_F64: return 4;
	default: return 1;
	}
}

unsigned int mb_point_len(const struct mb_point *p)
{
	return mb_area_bits(p->area) ? 1 : mb_type_regs(p->type);
}

static unsigned int nbytes(const struct mb_point *p)
{
	return p->type == MB_BOOL ? 0 : 2 * mb_type_regs(p->type);
}

void mb_order_default(struct mb_point *p)
{
	unsigned int i;

	for (i = 0; i < sizeof(p->order); i++)
		p->order[i] = (uint8_t)i;
}

/* A 4-letter word/byte swap named for a 2 or 8-byte value. */
static int order_swap4(const char *s, unsigned int n, uint8_t *o)
{
	bool wswap, bswap;
	unsigned int w, b, nw = n / 2;

	if (!strcasecmp(s, "ABCD"))
		wswap = false, bswap = false;
	else if (!strcasecmp(s, "CDAB"))
		wswap = true, bswap = false;
	else if (!strcasecmp(s, "BADC"))
		wswap = false, bswap = true;
	else if (!strcasecmp(s, "DCBA"))
		wswap = true, bswap = true;
	else
		return -1;
	for (w = 0; w < nw; w++)
		for (b = 0; b < 2; b++) {
			unsigned int vw = wswap ? nw - 1 - w : w;
			unsigned int vb = bswap ? 1 - b : b;

			/* a single register has no words to swap */
			if (nw == 1)
				vw = 0;
			o[w * 2 + b] = (uint8_t)(vw * 2 + vb);
		}
	return 0;
}

int mb_order_parse(struct mb_point *p, const char *s, char *why,
		   size_t whylen)
{
	unsigned int n = nbytes(p), i, seen = 0;
	size_t l = strlen(s);
	uint8_t o[8];

	if (!n) {
		snprintf(why, whylen, "a bit has no byte order");
		return -1;
	}
	if (l == 4 && n != 4) {
		if (order_swap4(s, n, o)) {
			snprintf(why, whylen, "order '%s' is not ABCD, CDAB, "
				 "BADC or DCBA", s);
			return -1;
		}
	} else if (l == n) {
		for (i = 0; i < n; i++) {
			char c = s[i];
			unsigned int v;

			if (c >= 'a' && c <= 'z')
				c = (char)(c - 'a' + 'A');
			v = (unsigned int)(c - 'A');
			if (c < 'A' || v >= n || (seen & (1U << v))) {
				snprintf(why, whylen, "order '%s' must use "
					 "each of the letters A to %c once", s,
					 'A' + n - 1);
				return -1;
			}
			seen |= 1U << v;
			o[i] = (uint8_t)v;
		}
	} else {
		snprintf(why, whylen, "order '%s' must have %u letters for "
			 "%s (or be ABCD, CDAB, BADC, DCBA)", s, n,
			 mb_type_name(p->type));
		return -1;
	}
	mb_order_default(p);
	memcpy(p->order, o, n);
	return 0;
}

void mb_order_format(const struct mb_point *p, char *buf, size_t len)
{
	unsigned int n = nbytes(p), i;

	if (!len)
		return;
	for (i = 0; i < n && i + 1 < len; i++)
		buf[i] = (char)('A' + p->order[i]);
	buf[i] = '\0';
}

/* The value's bytes, most significant first, from the wire. */
static void to_be(const struct mb_point *p, const uint16_t *regs,
		  uint8_t *be)
{
	unsigned int n = nbytes(p), i;

	for (i = 0; i < n; i++) {
		uint16_t r = regs[i / 2];

		be[p->order[i] & 7] = (uint8_t)(i & 1 ? r : r >> 8);
	}
}

double mb_decode_regs(const struct mb_point *p, const uint16_t *regs)
{
	uint8_t be[8] = { 0 };
	uint64_t u = 0;
	unsigned int n = nbytes(p), i;
	union { uint32_t u; float f; } f32;
	union { uint64_t u; double d; } f64;

	if (!n)
		return regs[0] ? 1 : 0;
	to_be(p, regs, be);
	for (i = 0; i < n; i++)
		u = u << 8 | be[i];
	switch (p->type) {
	case MB_U16: return (double)(uint16_t)u;
	case MB_I16: return (double)(int16_t)(uint16_t)u;
	case MB_U32: return (double)(uint32_t)u;
	case MB_I32: return (double)(int32_t)(uint32_t)u;
	case MB_F32: f32.u = (uint32_t)u; return (double)f32.f;
	default: f64.u = u; return f64.d;
	}
}

double mb_decode(const struct mb_point *p, const uint16_t *regs,
		 const uint8_t *bits)
{
	double raw;

	if (mb_area_bits(p->area))
		raw = bits[0] ? 1 : 0;
	else
		raw = mb_decode_regs(p, regs);
	return raw * p->scale + p->offset;
}

/* The raw integer value of eng for p's integer type, or -1 with why. */
static int to_int(const struct mb_point *p, double raw, uint64_t *u,
		  char *why, size_t whylen)
{
	double lo, hi;

	switch (p->type) {
	case MB_U16: lo = 0; hi = 65535; break;
	case MB_I16: lo = -32768; hi = 32767; break;
	case MB_U32: lo = 0; hi = 4294967295.0; break;
	default: lo = -2147483648.0; hi = 2147483647.0; break;
	}
	raw = nearbyint(raw);
	if (raw < lo || raw > hi) {
		snprintf(why, whylen, "%g is outside %s (%g..%g) after "
			 "scaling", raw, mb_type_name(p->type), lo, hi);
		return -1;
	}
	*u = (uint64_t)(int64_t)raw;
	return 0;
}

int mb_encode(const struct mb_point *p, double v, uint16_t *regs,
	      uint8_t *bit, char *why, size_t whylen)
{
	unsigned int n = nbytes(p), i;
	uint8_t be[8];
	uint64_t u;
	double raw;
	union { uint32_t u; float f; } f32;
	union { uint64_t u; double d; } f64;

	if (!mb_area_writable(p->area)) {
		snprintf(why, whylen, "%s points are read-only",
			 mb_area_name(p->area));
		return -1;
	}
	if (!isfinite(v) || p->scale == 0) {
		snprintf(why, whylen, "the value is not a finite number");
		return -1;
	}
	raw = (v - p->offset) / p->scale;
	if (mb_area_bits(p->area)) {
		if (raw != 0 && raw != 1) {
			snprintf(why, whylen, "a coil is 0 or 1");
			return -1;
		}
		*bit = raw != 0;
		return 0;
	}
	if (p->type == MB_BOOL) {
		regs[0] = raw != 0;
		return 0;
	}
	switch (p->type) {
	case MB_F32:
		if (fabs(raw) > 3.402823466e38) {
			snprintf(why, whylen, "%g does not fit an f32", raw);
			return -1;
		}
		f32.f = (float)raw;
		u = f32.u;
		break;
	case MB_F64:
		f64.d = raw;
		u = f64.u;
		break;
	default:
		if (to_int(p, raw, &u, why, whylen))
			return -1;
		break;
	}
	for (i = 0; i < n; i++)
		be[i] = (uint8_t)(u >> (8 * (n - 1 - i)));
	for (i = 0; i < n / 2; i++)
		regs[i] = 0;
	for (i = 0; i < n; i++) {
		uint8_t b = be[p->order[i] & 7];

		regs[i / 2] |= (uint16_t)(i & 1 ? b : b << 8);
	}
	return 0;
}
