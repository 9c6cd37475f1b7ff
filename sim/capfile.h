/* Capture files written by iiot-sim: pcap (ns) or pcapng (ns). */
#ifndef SIM_CAPFILE_H
#define SIM_CAPFILE_H

#include <stdint.h>
#include <stdio.h>

struct capfile {
	FILE *f;
	int pcapng;
	char *buf;
};

/* Format from the name: *.pcapng → pcapng, anything else → pcap. */
int capfile_open(struct capfile *c, const char *path);
int capfile_write(void *ctx, uint64_t ts_ns, const uint8_t *frame,
		  uint32_t len);
/* 0, or -1 when anything failed to reach the disk */
int capfile_close(struct capfile *c);

#endif
