/* Where iiot-sim sends frames: a libshm ring or a live interface. */
#ifndef SIM_OUTPUT_H
#define SIM_OUTPUT_H

#include <stdint.h>

#include "libshm.h"

#define RING_BATCH	64	/* frames per commit at most */

struct ring_out {
	struct shm_ring *ring;
	uint32_t pending;
	uint64_t drops;
};

int ring_out_open(struct ring_out *o, const char *name);
int ring_out_emit(void *ctx, uint64_t ts_ns, const uint8_t *frame,
		  uint32_t len);
void ring_out_commit(struct ring_out *o);
void ring_out_close(struct ring_out *o);

struct iface_out {
	int fd;
	int ifindex;
	uint64_t tx_errors;
};

int iface_out_open(struct iface_out *o, const char *ifname);
int iface_out_emit(void *ctx, uint64_t ts_ns, const uint8_t *frame,
		   uint32_t len);
/* Next received frame (not our own), or 0 when none is waiting. */
int iface_out_recv(struct iface_out *o, uint8_t *buf, uint32_t cap);
void iface_out_close(struct iface_out *o);

#endif
