/* AF_XDP receive socket on the raw kernel uapi; see xsk.h. */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "xsk.h"

#ifndef SOL_XDP
#define SOL_XDP 283
#endif
#ifndef AF_XDP
#define AF_XDP 44
#endif

static int ring_map(struct xsk *x, struct xsk_ring *r,
		    const struct xdp_ring_offset *off, uint32_t n,
		    size_t desc_size, off_t pgoff)
{
	r->map_len = off->desc + (size_t)n * desc_size;
	r->map = mmap(NULL, r->map_len, PROT_READ | PROT_WRITE,
		      MAP_SHARED | MAP_POPULATE, x->fd, pgoff);
	if (r->map == MAP_FAILED) {
		r->map = NULL;
		return -errno;
	}
	r->producer = (uint32_t *)((char *)r->map + off->producer);
	r->consumer = (uint32_t *)((char *)r->map + off->consumer);
	r->desc = (char *)r->map + off->desc;
	r->size = n;
	r->mask = n - 1;
	return 0;
}

/* Give frame buffers back to the kernel.  The fill ring holds every UMEM
 * frame, so it never overflows: no free list is needed. */
static void fill_put(struct xsk *x, const uint64_t *addrs, unsigned int n)
{
	uint32_t prod = *x->fill.producer;
	uint64_t *ring = x->fill.desc;
	unsigned int i;

	for (i = 0; i < n; i++)
		ring[(prod + i) & x->fill.mask] = addrs[i];
	__atomic_store_n(x->fill.producer, prod + n, __ATOMIC_RELEASE);
}

#define XSK_BUSY_TRIES		20
#define XSK_BUSY_WAIT_US	100000

/* Zero-copy where the driver has it; copy mode everywhere else. */
static int bind_queue(struct xsk *x, struct sockaddr_xdp *sxdp, bool skb_mode)
{
	int rc = -1;

	if (!skb_mode) {
		sxdp->sxdp_flags = XDP_ZEROCOPY;
		rc = bind(x->fd, (struct sockaddr *)sxdp, sizeof(*sxdp));
		x->zerocopy = rc == 0;
	}
	if (rc) {
		sxdp->sxdp_flags = XDP_COPY;
		rc = bind(x->fd, (struct sockaddr *)sxdp, sizeof(*sxdp));
	}
	return rc;
}

int xsk_open(struct xsk *x, uint32_t ifindex, uint32_t queue,
	     uint32_t nframes, uint32_t frame_size, bool skb_mode,
	     char *err, size_t errlen)
{
	struct xdp_umem_reg reg = { 0 };
	struct xdp_mmap_offsets off;
	struct sockaddr_xdp sxdp = { 0 };
	socklen_t optlen = sizeof(off);
	uint64_t addrs[256];
	uint32_t i, n;
	unsigned int tries;
	int rc;

	memset(x, 0, sizeof(*x));
	x->fd = -1;
	x->ifindex = ifindex;
	x->queue = queue;
	x->nframes = nframes;
	x->frame_size = frame_size;

	x->fd = socket(AF_XDP, SOCK_RAW | SOCK_CLOEXEC, 0);
	if (x->fd < 0) {
		rc = -errno;
		if (rc == -EAFNOSUPPORT)
			snprintf(err, errlen, "AF_XDP sockets are not available: "
				 "the kernel lacks CONFIG_XDP_SOCKETS");
		else if (rc == -EPERM || rc == -EACCES)
			snprintf(err, errlen, "AF_XDP socket: permission denied "
				 "(needs CAP_NET_RAW)");
		else
			snprintf(err, errlen, "AF_XDP socket: %s", strerror(-rc));
		return rc;
	}

	x->umem_len = (size_t)nframes * frame_size;
	x->umem = mmap(NULL, x->umem_len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (x->umem == MAP_FAILED) {
		x->umem = NULL;
		rc = -errno;
		snprintf(err, errlen, "UMEM of %zu bytes: %s", x->umem_len,
			 strerror(-rc));
		goto fail;
	}
	reg.addr = (uint64_t)(uintptr_t)x->umem;
	reg.len = x->umem_len;
	reg.chunk_size = frame_size;
	reg.headroom = 0;
	if (setsockopt(x->fd, SOL_XDP, XDP_UMEM_REG, &reg, sizeof(reg))) {
		rc = -errno;
		snprintf(err, errlen, "AF_XDP UMEM registration: %s%s",
			 strerror(-rc), rc == -ENOMEM || rc == -EPERM ?
			 " (locked memory limit: raise RLIMIT_MEMLOCK or "
			 "run with CAP_IPC_LOCK)" : "");
		goto fail;
	}
	n = nframes;
	if (setsockopt(x->fd, SOL_XDP, XDP_UMEM_FILL_RING, &n, sizeof(n)) ||
	    setsockopt(x->fd, SOL_XDP, XDP_UMEM_COMPLETION_RING, &n,
		       sizeof(n)) ||
	    setsockopt(x->fd, SOL_XDP, XDP_RX_RING, &n, sizeof(n))) {
		rc = -errno;
		snprintf(err, errlen, "AF_XDP ring setup (%u entries): %s", n,
			 strerror(-rc));
		goto fail;
	}
	if (getsockopt(x->fd, SOL_XDP, XDP_MMAP_OFFSETS, &off, &optlen)) {
		rc = -errno;
		snprintf(err, errlen, "AF_XDP ring offsets: %s", strerror(-rc));
		goto fail;
	}
	if ((rc = ring_map(x, &x->fill, &off.fr, n, sizeof(uint64_t),
			   XDP_UMEM_PGOFF_FILL_RING)) ||
	    (rc = ring_map(x, &x->comp, &off.cr, n, sizeof(uint64_t),
			   XDP_UMEM_PGOFF_COMPLETION_RING)) ||
	    (rc = ring_map(x, &x->rx, &off.rx, n, sizeof(struct xdp_desc),
			   XDP_PGOFF_RX_RING))) {
		snprintf(err, errlen, "AF_XDP ring mmap: %s", strerror(-rc));
		goto fail;
	}
	for (i = 0; i < nframes; ) {
		uint32_t k;

		for (k = 0; k < 256 && i < nframes; k++, i++)
			addrs[k] = (uint64_t)i * frame_size;
		fill_put(x, addrs, k);
	}

	sxdp.sxdp_family = AF_XDP;
	sxdp.sxdp_ifindex = ifindex;
	sxdp.sxdp_queue_id = queue;
	/*
	 * A socket of a killed owner is torn down by the kernel after the
	 * process is gone and holds the queue until then: EBUSY for a short
	 * while after a crash, so a restart waits for it (2 s at most).
	 */
	for (tries = 0; ; tries++) {
		rc = bind_queue(x, &sxdp, skb_mode);
		if (!rc || errno != EBUSY || tries == XSK_BUSY_TRIES)
			break;
		usleep(XSK_BUSY_WAIT_US);
	}
	if (rc) {
		rc = -errno;
		snprintf(err, errlen, "AF_XDP bind to ifindex %u queue %u: %s",
			 ifindex, queue, strerror(-rc));
		goto fail;
	}
	return 0;
fail:
	xsk_close(x);
	return rc;
}

unsigned int xsk_rx(struct xsk *x, unsigned int max, xsk_frame_fn fn,
		    void *ctx)
{
	uint32_t cons = *x->rx.consumer;
	uint32_t prod = __atomic_load_n(x->rx.producer, __ATOMIC_ACQUIRE);
	const struct xdp_desc *ring = x->rx.desc;
	uint64_t addrs[256];
	unsigned int n = prod - cons, i, k = 0;

	if (n > max)
		n = max;
	for (i = 0; i < n; i++) {
		const struct xdp_desc *d = &ring[(cons + i) & x->rx.mask];
		uint64_t base = d->addr - d->addr % x->frame_size;
		uint32_t len = d->len;

		/* Never trust a descriptor beyond the UMEM. */
		if (d->addr < x->umem_len && len <= x->umem_len - d->addr)
			fn(ctx, (const uint8_t *)x->umem + d->addr, len,
			   (const uint8_t *)x->umem + base,
			   (uint32_t)(d->addr - base));
		if (base < x->umem_len)
			addrs[k++] = base;
		if (k == 256) {
			fill_put(x, addrs, k);
			k = 0;
		}
	}
	__atomic_store_n(x->rx.consumer, cons + n, __ATOMIC_RELEASE);
	if (k)
		fill_put(x, addrs, k);
	return n;
}

int xsk_drops(const struct xsk *x, struct xsk_drops *d)
{
	struct xdp_statistics st;
	socklen_t len = sizeof(st);

	memset(&st, 0, sizeof(st));
	memset(d, 0, sizeof(*d));
	if (getsockopt(x->fd, SOL_XDP, XDP_STATISTICS, &st, &len))
		return -errno;
	d->dropped = st.rx_dropped;
	/* Older kernels fold ring-full into rx_dropped and return less. */
	if (len >= offsetof(struct xdp_statistics, rx_ring_full) +
		   sizeof(st.rx_ring_full))
		d->ring_full = st.rx_ring_full;
	return 0;
}

void xsk_close(struct xsk *x)
{
	if (x->rx.map)
		munmap(x->rx.map, x->rx.map_len);
	if (x->fill.map)
		munmap(x->fill.map, x->fill.map_len);
	if (x->comp.map)
		munmap(x->comp.map, x->comp.map_len);
	if (x->fd >= 0)
		close(x->fd);
	if (x->umem)
		munmap(x->umem, x->umem_len);
	memset(x, 0, sizeof(*x));
	x->fd = -1;
}
