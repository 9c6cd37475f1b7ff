/*
 * A minimal AF_XDP receive socket on the kernel uapi (<linux/if_xdp.h>):
 * one UMEM per socket, fill + completion + RX rings, copy or zero-copy bind.
 * iiot only receives, so there is no TX path.
 */
#ifndef IIOT_XSK_H
#define IIOT_XSK_H

#include <stdbool.h>
#include <stdint.h>

#include <linux/if_xdp.h>

struct xsk_ring {
	uint32_t *producer;
	uint32_t *consumer;
	void *desc;
	void *map;
	size_t map_len;
	uint32_t size;
	uint32_t mask;
};

struct xsk {
	int fd;
	uint32_t ifindex;
	uint32_t queue;
	uint32_t nframes;
	uint32_t frame_size;
	bool zerocopy;
	void *umem;
	size_t umem_len;
	struct xsk_ring fill, comp, rx;
	uint64_t drops_seen;	/* kernel drop count already reported */
};

/* Drop counters of the socket (XDP_STATISTICS). */
struct xsk_drops {
	uint64_t dropped;	/* no fill buffer, frame too large, ... */
	uint64_t ring_full;	/* RX ring full: user space too slow */
};

/*
 * Create and bind a socket on ifindex/queue with nframes (power of two)
 * UMEM frames of frame_size bytes.  skb_mode: the program runs in generic
 * mode, where only copy mode binds.  Returns 0 or -errno, with a sentence in
 * err explaining what the kernel or driver lacks.
 */
int xsk_open(struct xsk *x, uint32_t ifindex, uint32_t queue,
	     uint32_t nframes, uint32_t frame_size, bool skb_mode,
	     char *err, size_t errlen);

/*
 * Hand up to max received frames to fn (data, len, meta area before the
 * frame and its length), then give their buffers back to the kernel.
 * Returns the number of frames.
 */
typedef void (*xsk_frame_fn)(void *ctx, const uint8_t *data, uint32_t len,
			     const uint8_t *meta, uint32_t meta_room);
unsigned int xsk_rx(struct xsk *x, unsigned int max, xsk_frame_fn fn,
		    void *ctx);

int xsk_drops(const struct xsk *x, struct xsk_drops *d);
void xsk_close(struct xsk *x);

#endif /* IIOT_XSK_H */
