/*
 * An AF_XDP receive socket on libxdp's xsk API (<xdp/xsk.h>): one UMEM per
 * socket, fill + completion + RX rings, zero-copy where the driver has it
 * and copy mode otherwise, need_wakeup honoured.
 *
 * iiot loads its own XDP program (bpf/iiot_xdp.bpf.c) through libbpf, so
 * libxdp is told not to load its default one; the caller puts the socket
 * (iiot_xsk.fd) into that program's xsks map.  iiot only receives: no TX.
 */
#ifndef IIOT_XSK_H
#define IIOT_XSK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <xdp/xsk.h>

struct iiot_xsk {
	struct xsk_socket *sock;
	struct xsk_umem *umem;
	struct xsk_ring_prod fill;
	struct xsk_ring_cons comp, rx;
	int fd;
	uint32_t queue;
	uint32_t nframes;
	uint32_t frame_size;
	bool zerocopy;
	void *area;		/* the UMEM */
	size_t area_len;
	/*
	 * Frames read but not yet back in the fill ring: the kernel publishes
	 * what it took from the fill ring slightly after the RX entries, so
	 * the room for a batch can lag behind it for a moment.
	 */
	uint64_t *pending;
	uint32_t npending;
	uint64_t wakeups;	/* need_wakeup kicks sent */
};

/* Drop counters of the socket (XDP_STATISTICS). */
struct iiot_xsk_drops {
	uint64_t dropped;	/* no fill buffer, frame too large, ... */
	uint64_t ring_full;	/* RX ring full: user space too slow */
};

/*
 * Create and bind a socket on ifname/queue with nframes (power of two)
 * UMEM frames of frame_size bytes.  skb_mode: the program runs in generic
 * mode, where only copy mode binds.  Returns 0 or -errno, with a sentence in
 * err explaining what the kernel or driver lacks.
 */
int iiot_xsk_open(struct iiot_xsk *x, const char *ifname, uint32_t queue,
		  uint32_t nframes, uint32_t frame_size, bool skb_mode,
		  char *err, size_t errlen);

/*
 * Hand up to max received frames to fn (data, len, meta area before the
 * frame and its length), then give their buffers back to the kernel.
 * Returns the number of frames.
 */
typedef void (*iiot_xsk_frame_fn)(void *ctx, const uint8_t *data, uint32_t len,
				  const uint8_t *meta, uint32_t meta_room);
unsigned int iiot_xsk_rx(struct iiot_xsk *x, unsigned int max,
			 iiot_xsk_frame_fn fn, void *ctx);

int iiot_xsk_drops(const struct iiot_xsk *x, struct iiot_xsk_drops *d);
void iiot_xsk_close(struct iiot_xsk *x);

#endif /* IIOT_XSK_H */
