/*
 * A Modbus TCP server for the tests (libmodbus's server API): it listens
 * on 127.0.0.1 (port 0: a free one, written to stdout), answers every
 * client on one select loop, and holds values the tests know:
 *
 *   holding 0-1  f32 10.5 ABCD     holding 2-3  f32 10.5 CDAB
 *   holding 4-5  f32 10.5 BADC     holding 6-7  f32 10.5 DCBA
 *   holding 10-13 f64 -2.25 ABCD   holding 14-17 f64 -2.25 CDAB (GHEFCDAB)
 *   holding 20   i16 -2            input 0-1  u32 123456789 ABCD
 *   input 100    counts up every 100 ms (a process value)
 *   coil 5, discrete 3: 1
 *   holding 999  takes writes and forgets them (a device that ignores them)
 *
 *   mbserver [-p PORT] [-s] [-w]
 *	-s: accept, read, never answer (a hung device)
 *	-w: answer reads, never a write (functions 5, 6, 15, 16): a device
 *	    that hangs on writes; each one held is said on stderr as
 *	    "held write: function N address A" once it arrived
 */
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <modbus/modbus.h>

#define NREG 1000

static void put_f32(uint16_t *r, const char *order, float f)
{
	union { float f; uint32_t u; } v = { .f = f };
	uint8_t be[4], w[4];
	int i;

	for (i = 0; i < 4; i++)
		be[i] = (uint8_t)(v.u >> (24 - 8 * i));
	for (i = 0; i < 4; i++)
		w[i] = be[order[i] - 'A'];
	r[0] = (uint16_t)(w[0] << 8 | w[1]);
	r[1] = (uint16_t)(w[2] << 8 | w[3]);
}

static void put_f64(uint16_t *r, const char *order, double d)
{
	union { double d; uint64_t u; } v = { .d = d };
	uint8_t be[8], w[8];
	int i;

	for (i = 0; i < 8; i++)
		be[i] = (uint8_t)(v.u >> (56 - 8 * i));
	for (i = 0; i < 8; i++)
		w[i] = be[order[i] - 'A'];
	for (i = 0; i < 4; i++)
		r[i] = (uint16_t)(w[2 * i] << 8 | w[2 * i + 1]);
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

int main(int argc, char **argv)
{
	modbus_t *ctx;
	modbus_mapping_t *mb;
	uint8_t q[MODBUS_TCP_MAX_ADU_LENGTH];
	struct sockaddr_in sa;
	socklen_t sl = sizeof(sa);
	int port = 0, silent = 0, hold = 0, c, s, fdmax, fd;
	uint64_t t0;
	fd_set all;

	while ((c = getopt(argc, argv, "p:sw")) != -1) {
		if (c == 'p')
			port = atoi(optarg);
		else if (c == 's')
			silent = 1;
		else if (c == 'w')
			hold = 1;
		else
			return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	ctx = modbus_new_tcp("127.0.0.1", port);
	mb = modbus_mapping_new(NREG, NREG, NREG, NREG);
	if (!ctx || !mb)
		return 1;
	put_f32(mb->tab_registers + 0, "ABCD", 10.5f);
	put_f32(mb->tab_registers + 2, "CDAB", 10.5f);
	put_f32(mb->tab_registers + 4, "BADC", 10.5f);
	put_f32(mb->tab_registers + 6, "DCBA", 10.5f);
	put_f64(mb->tab_registers + 10, "ABCDEFGH", -2.25);
	put_f64(mb->tab_registers + 14, "GHEFCDAB", -2.25);
	mb->tab_registers[20] = (uint16_t)-2;
	mb->tab_input_registers[0] = 123456789 >> 16;
	mb->tab_input_registers[1] = 123456789 & 0xffff;
	mb->tab_bits[5] = 1;
	mb->tab_input_bits[3] = 1;
	s = modbus_tcp_listen(ctx, 16);
	if (s < 0 || getsockname(s, (struct sockaddr *)&sa, &sl)) {
		fprintf(stderr, "mbserver: listen: %s\n", modbus_strerror(errno));
		return 1;
	}
	printf("%d\n", ntohs(sa.sin_port));
	fflush(stdout);
	FD_ZERO(&all);
	FD_SET(s, &all);
	fdmax = s;
	t0 = now_ms();
	for (;;) {
		fd_set rd = all;
		struct timeval tv = { 0, 100000 };

		mb->tab_input_registers[100] = (uint16_t)((now_ms() - t0) / 100);
		if (select(fdmax + 1, &rd, NULL, NULL, &tv) < 0) {
			if (errno == EINTR)
				continue;
			return 1;
		}
		for (fd = 0; fd <= fdmax; fd++) {
			int n;

			if (!FD_ISSET(fd, &rd))
				continue;
			if (fd == s) {
				int nc = accept(s, NULL, NULL);

				if (nc >= 0) {
					FD_SET(nc, &all);
					if (nc > fdmax)
						fdmax = nc;
				}
				continue;
			}
			if (silent) {
				if (read(fd, q, sizeof(q)) <= 0) {
					close(fd);
					FD_CLR(fd, &all);
				}
				continue;
			}
			modbus_set_socket(ctx, fd);
			n = modbus_receive(ctx, q);
			/* MBAP header (7 bytes), then the function code */
			if (n > 9 && hold && (q[7] == 5 || q[7] == 6 ||
					      q[7] == 15 || q[7] == 16)) {
				fprintf(stderr, "held write: function %d "
					"address %d\n", q[7], q[8] << 8 | q[9]);
				fflush(stderr);
				continue;
			}
			if (n > 0) {
				modbus_reply(ctx, q, n, mb);
				mb->tab_registers[999] = 0;
			}
			else if (n < 0) {
				close(fd);
				FD_CLR(fd, &all);
			}
		}
	}
}
