/*
 * The peer of bench/modbus.bench: a bare libmodbus client reading COUNT
 * holding registers in a loop for SECONDS on one connection, as fast as
 * the server answers.  Prints "reads registers_per_s".
 *
 *   modbus_bare_bench PORT COUNT SECONDS
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <modbus/modbus.h>

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	uint16_t regs[MODBUS_MAX_READ_REGISTERS];
	modbus_t *ctx;
	double t0, secs;
	long reads = 0;
	int n;

	if (argc != 4)
		return 2;
	n = atoi(argv[2]);
	secs = atof(argv[3]);
	if (n < 1 || n > MODBUS_MAX_READ_REGISTERS)
		return 2;
	ctx = modbus_new_tcp("127.0.0.1", atoi(argv[1]));
	if (!ctx || modbus_connect(ctx) < 0) {
		fprintf(stderr, "modbus_bare_bench: connect: %s\n",
			modbus_strerror(errno));
		return 1;
	}
	t0 = now_s();
	while (now_s() - t0 < secs) {
		if (modbus_read_registers(ctx, 0, n, regs) != n) {
			fprintf(stderr, "modbus_bare_bench: read: %s\n",
				modbus_strerror(errno));
			return 1;
		}
		reads++;
	}
	printf("%ld %.0f\n", reads, (double)reads * n / (now_s() - t0));
	modbus_close(ctx);
	modbus_free(ctx);
	return 0;
}
