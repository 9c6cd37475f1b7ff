/*
 * Modbus TCP points and devices (docs/modbus.md): what iiotd reads from a
 * device, how a point's registers or bits become a value, and how reads
 * are coalesced.  Pure code, no I/O: mbpoint.c (types, byte and word
 * order, decode, encode), mbplan.c (coalescing), mbconf.c (the [modbus]
 * configuration).  The poller (mbpoll.c) and the subsystem
 * (subsys_modbus.c) use them.
 */
#ifndef IIOTD_MBPOINT_H
#define IIOTD_MBPOINT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The Modbus Application Protocol's limits for one request. */
#define MB_MAX_READ_REGS	125
#define MB_MAX_READ_BITS	2000
#define MB_MAX_WRITE_REGS	123
#define MB_MAX_WRITE_BITS	1968

#define MB_NAME_MAX		32	/* device and point names: "DEV.POINT"
					 * fits a model signal name */
#define MB_UNIT_MAX		16
#define MB_MAX_DEVICES		256
#define MB_MAX_POINTS		16384	/* all devices together */
#define MB_MAX_CLASSES		8	/* scan classes per device */
#define MB_EVERY_MIN_MS		100
#define MB_EVERY_MAX_MS		3600000

enum mb_area {
	MB_COIL = 0,		/* 0x: read/write bits */
	MB_DISCRETE,		/* 1x: read-only bits */
	MB_INPUT,		/* 3x: read-only registers */
	MB_HOLDING,		/* 4x: read/write registers */
	MB_AREA_COUNT
};

enum mb_type {
	MB_BOOL = 0, MB_U16, MB_I16, MB_U32, MB_I32, MB_F32, MB_F64,
	MB_TYPE_COUNT
};

struct mb_point {
	char name[MB_NAME_MAX];
	char unit[MB_UNIT_MAX];
	uint8_t area;			/* enum mb_area */
	uint8_t type;			/* enum mb_type */
	uint16_t addr;			/* protocol address, from 0 */
	/*
	 * Byte order on the wire: wire byte i (register i/2, high byte
	 * first) is byte order[i] of the value written most significant
	 * first.  "ABCD" is the protocol's big-endian, "CDAB" swaps words.
	 */
	uint8_t order[8];
	double scale, offset;		/* value = raw * scale + offset */
	uint32_t every_ms;		/* scan class */
	uint32_t signal;		/* model signal id, 0 none */
	int line;			/* config line */
};

/* "coil", "discrete", "input", "holding" */
const char *mb_area_name(unsigned int area);
/* also the short forms co/di/ir/hr and 0x/1x/3x/4x; -1 unknown */
int mb_area_parse(const char *s);
/* "bool", "u16", ... "f64" */
const char *mb_type_name(unsigned int type);
int mb_type_parse(const char *s);
bool mb_area_bits(unsigned int area);
bool mb_area_writable(unsigned int area);
/* registers (or bits: 1) a point of this type takes */
unsigned int mb_type_regs(unsigned int type);
/* items (registers or bits) point p takes */
unsigned int mb_point_len(const struct mb_point *p);

/*
 * Set p->order from a letter string: one letter per byte of the value
 * (2, 4 or 8 for the type), "A" the most significant, each once; the
 * 4-letter forms ABCD, CDAB, BADC, DCBA also name the same word and byte
 * swaps for 16 and 64-bit values.  0, or -1 with why.
 */
int mb_order_parse(struct mb_point *p, const char *s, char *why,
		   size_t whylen);
/* the order as letters (buf >= 9) */
void mb_order_format(const struct mb_point *p, char *buf, size_t len);
/* the protocol's big-endian order for p's type */
void mb_order_default(struct mb_point *p);

/* p's raw value from its registers (mb_type_regs of them) */
double mb_decode_regs(const struct mb_point *p, const uint16_t *regs);
/* scaled: raw * scale + offset; bits: 0 or 1 (scale applies too) */
double mb_decode(const struct mb_point *p, const uint16_t *regs,
		 const uint8_t *bits);
/*
 * The registers (or bit) that make engineering value v of p: inverse
 * scale, rounded for integers.  0, or -1 with why (out of the type's
 * range, not finite, a read-only area).
 */
int mb_encode(const struct mb_point *p, double v, uint16_t *regs,
	      uint8_t *bit, char *why, size_t whylen);

/* One coalesced read: count items of area from start. */
struct mb_read {
	uint8_t area;
	uint16_t start;
	uint16_t count;
	uint32_t first, n;		/* its points: idx[first .. first+n) */
};

struct mb_plan {
	struct mb_read *reads;
	size_t nreads;
	uint32_t *idx;			/* point indices, grouped by read */
	size_t nidx;
};

struct mb_plan_opts {
	unsigned int gap;		/* unused items a read may span */
	unsigned int max_regs;		/* <= MB_MAX_READ_REGS */
	unsigned int max_bits;		/* <= MB_MAX_READ_BITS */
};

/*
 * The fewest reads covering points pts[sel[0..nsel)]: per area, by
 * address; a read grows while it stays within the limit and the hole to
 * the next point is at most gap items.  0, or -1 (no memory).
 */
int mb_plan_build(struct mb_plan *plan, const struct mb_point *pts,
		  const uint32_t *sel, size_t nsel,
		  const struct mb_plan_opts *o);
void mb_plan_free(struct mb_plan *plan);

/*
 * The values of read r's points from its reply: got items (registers or
 * bits, whichever the area holds) from r's start.  A point not wholly
 * inside the reply is left out.  Point indices go to pidx, their values
 * to vals (room for r's n each); returns how many.
 */
size_t mb_read_decode(const struct mb_plan *plan, size_t r,
		      const struct mb_point *pts, const uint16_t *regs,
		      const uint8_t *bits, unsigned int got, uint32_t *pidx,
		      double *vals);

#endif
