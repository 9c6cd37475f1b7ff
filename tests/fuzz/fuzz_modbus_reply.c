/*
 * libFuzzer: a Modbus TCP reply as a device might send it, through
 * libmodbus's client (over a socketpair, as iiotd's poller reads it) into
 * iiotd's decoding of a coalesced read (mb_read_decode).  The input's
 * first byte picks the points' type and order and the read's area; the
 * rest is the reply on the wire: wrong transaction ids, exception codes,
 * short and long replies must end as a counted error, never a crash.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <modbus/modbus.h>

#include "south/mbconf.h"
#include "south/mbpoint.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const orders[] = { "ABCD", "CDAB", "BADC", "DCBA" };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mb_point pts[6];
	struct mb_plan plan;
	struct mb_plan_opts o = { 4, 125, 2000 };
	uint32_t sel[6];
	uint16_t regs[MB_MAX_READ_REGS];
	uint8_t bits[MB_MAX_READ_BITS];
	uint32_t pidx[6];
	double vals[6];
	char why[160], line[96];
	modbus_t *ctx;
	int sv[2], got = -1;
	size_t i;

	if (size < 1 || size > 600)
		return 0;
	for (i = 0; i < 6; i++) {
		unsigned int area = (data[0] >> 6) & 3;
		unsigned int type = mb_area_bits(area) ? MB_BOOL :
				    1 + (data[0] + i) % (MB_TYPE_COUNT - 1);

		snprintf(line, sizeof(line), "p%zu %s %zu %s%s%s", i,
			 mb_area_name(area), i * 5 + (data[0] & 3),
			 mb_type_name(type), type == MB_BOOL ? "" : " order=",
			 type == MB_BOOL ? "" : orders[(data[0] >> 2) & 3]);
		if (mb_point_parse(line, &pts[i], why, sizeof(why)))
			__builtin_trap();
		sel[i] = (uint32_t)i;
	}
	if (mb_plan_build(&plan, pts, sel, 6, &o))
		return 0;
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv)) {
		mb_plan_free(&plan);
		return 0;
	}
	if (write(sv[1], data + 1, size - 1) < 0)
		goto out;
	shutdown(sv[1], SHUT_WR);
	ctx = modbus_new_tcp("127.0.0.1", 502);
	if (!ctx)
		goto out;
	modbus_set_socket(ctx, sv[0]);
	modbus_set_response_timeout(ctx, 0, 1000);
	for (i = 0; i < plan.nreads; i++) {
		const struct mb_read *r = &plan.reads[i];

		switch (r->area) {
		case MB_COIL:
			got = modbus_read_bits(ctx, r->start, r->count, bits);
			break;
		case MB_DISCRETE:
			got = modbus_read_input_bits(ctx, r->start, r->count,
						     bits);
			break;
		case MB_INPUT:
			got = modbus_read_input_registers(ctx, r->start,
							  r->count, regs);
			break;
		default:
			got = modbus_read_registers(ctx, r->start, r->count,
						    regs);
			break;
		}
		if (got < 0)
			break;
		mb_read_decode(&plan, i, pts, regs, bits, (unsigned int)got,
			       pidx, vals);
	}
	/* the socket is ours: close it once, not through libmodbus too */
	modbus_set_socket(ctx, -1);
	modbus_free(ctx);
out:
	close(sv[0]);
	close(sv[1]);
	mb_plan_free(&plan);
	return 0;
}
