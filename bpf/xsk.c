/* AF_XDP receive socket on libxdp's xsk API; see xsk.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "xsk.h"

#ifndef SOL_XDP
#define SOL_XDP 283
#endif

#define XSK_BUSY_TRIES		20
#define XSK_BUSY_WAIT_US	100000

static int umem_error(int rc, size_t len, char *err, size_t errlen)
{
	if (rc == -EAFNOSUPPORT)
		snprintf(err, errlen, "AF_XDP sockets are not available: "
			 "the kernel lacks CONFIG_XDP_SOCKETS");
	else if (rc == -EPERM || rc == -EACCES)
		snprintf(err, errlen, "AF_XDP socket: permission denied "
			 "(needs CAP_NET_RAW)");
	else if (rc == -ENOBUFS || rc == -ENOMEM)
		snprintf(err, errlen, "AF_XDP UMEM of %zu bytes: %s (locked "
			 "memory limit: raise RLIMIT_MEMLOCK or run with "
			 "CAP_IPC_LOCK)", len, strerror(-rc));
	else
		snprintf(err, errlen, "AF_XDP UMEM of %zu bytes: %s", len,
			 strerror(-rc));
	return rc;
}

/*
 * A socket of a killed owner is torn down by the kernel after the process
 * is gone and holds the queue until then: EBUSY for a short while after a
 * crash, so a restart waits for it (2 s at most).  libxdp keeps the UMEM
 * and its rings across a failed create, so the same UMEM is tried again.
 */
static int sock_create(struct iiot_xsk *x, const char *ifname, bool skb_mode)
{
	struct xsk_socket_config cfg = {
		.rx_size = x->nframes,
		.tx_size = 0,
		.libxdp_flags = XSK_LIBXDP_FLAGS__INHIBIT_PROG_LOAD,
		/* no XDP_ZEROCOPY: the kernel falls back to copy by itself */
		.bind_flags = XDP_USE_NEED_WAKEUP | (skb_mode ? XDP_COPY : 0),
	};
	unsigned int tries;
	int rc;

	for (tries = 0; ; tries++) {
		rc = xsk_socket__create(&x->sock, ifname, x->queue, x->umem,
					&x->rx, NULL, &cfg);
		if (rc != -EBUSY || tries == XSK_BUSY_TRIES)
			return rc;
		x->sock = NULL;
		usleep(XSK_BUSY_WAIT_US);
	}
}

static bool is_zerocopy(int fd)
{
	struct xdp_options opts = { 0 };
	socklen_t len = sizeof(opts);

	return getsockopt(fd, SOL_XDP, XDP_OPTIONS, &opts, &len) == 0 &&
	       (opts.flags & XDP_OPTIONS_ZEROCOPY);
}

/*
 * Give read frames back to the kernel, as many as the fill ring has room
 * for now; the rest on the next call.
 */
static void refill(struct iiot_xsk *x)
{
	uint32_t n = x->npending, idx, i, room;

	room = n ? xsk_prod_nb_free(&x->fill, n) : 0;
	if (room < n)
		n = room;
	if (n && xsk_ring_prod__reserve(&x->fill, n, &idx) == n) {
		/* in the order read, oldest first, as the kernel handed them */
		for (i = 0; i < n; i++)
			*xsk_ring_prod__fill_addr(&x->fill, idx + i) =
				x->pending[i];
		xsk_ring_prod__submit(&x->fill, n);
		x->npending -= n;
		if (x->npending)
			memmove(x->pending, x->pending + n,
				x->npending * sizeof(*x->pending));
	}
}

/*
 * A zero-copy driver that ran out of fill buffers stops until it is woken
 * (need_wakeup).  Asked only when the RX ring came up empty, as libxdp's
 * own samples do: the flag shares a cache line with the fill ring's
 * consumer, which the kernel writes on every flush.
 */
static void wake_if_asked(struct iiot_xsk *x)
{
	if (xsk_ring_prod__needs_wakeup(&x->fill)) {
		x->wakeups++;
		recvfrom(x->fd, NULL, 0, MSG_DONTWAIT, NULL, NULL);
	}
}

int iiot_xsk_open(struct iiot_xsk *x, const char *ifname, uint32_t queue,
		  uint32_t nframes, uint32_t frame_size, bool skb_mode,
		  char *err, size_t errlen)
{
	struct xsk_umem_config ucfg = {
		.fill_size = nframes,
		.comp_size = nframes,
		.frame_size = frame_size,
		.frame_headroom = 0,
		.flags = 0,
	};
	uint32_t i;
	int rc;

	memset(x, 0, sizeof(*x));
	x->fd = -1;
	x->queue = queue;
	x->nframes = nframes;
	x->frame_size = frame_size;

	x->pending = calloc(nframes, sizeof(*x->pending));
	if (!x->pending) {
		snprintf(err, errlen, "AF_XDP frame list: %s", strerror(ENOMEM));
		return -ENOMEM;
	}
	x->area_len = (size_t)nframes * frame_size;
	x->area = mmap(NULL, x->area_len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (x->area == MAP_FAILED) {
		x->area = NULL;
		rc = -errno;
		snprintf(err, errlen, "UMEM of %zu bytes: %s", x->area_len,
			 strerror(-rc));
		goto fail;
	}
	rc = xsk_umem__create(&x->umem, x->area, x->area_len, &x->fill,
			      &x->comp, &ucfg);
	if (rc) {
		x->umem = NULL;
		umem_error(rc, x->area_len, err, errlen);
		goto fail;
	}
	rc = sock_create(x, ifname, skb_mode);
	if (rc) {
		x->sock = NULL;
		snprintf(err, errlen, "AF_XDP socket on %s queue %u: %s",
			 ifname, queue, strerror(-rc));
		goto fail;
	}
	x->fd = xsk_socket__fd(x->sock);
	x->zerocopy = is_zerocopy(x->fd);

	/* Every UMEM frame starts in the fill ring. */
	for (i = 0; i < nframes; i++)
		x->pending[x->npending++] = (uint64_t)i * frame_size;
	refill(x);
	if (x->npending) {
		rc = -ENOSPC;
		snprintf(err, errlen, "AF_XDP fill ring took %u of %u frames",
			 nframes - x->npending, nframes);
		goto fail;
	}
	return 0;
fail:
	iiot_xsk_close(x);
	return rc;
}

unsigned int iiot_xsk_rx(struct iiot_xsk *x, unsigned int max,
			 iiot_xsk_frame_fn fn, void *ctx)
{
	uint32_t idx, n, i;

	n = xsk_ring_cons__peek(&x->rx, max, &idx);
	for (i = 0; i < n; i++) {
		const struct xdp_desc *d = xsk_ring_cons__rx_desc(&x->rx,
								   idx + i);
		uint64_t base = d->addr - d->addr % x->frame_size;
		uint32_t len = d->len;

		/* Never trust a descriptor beyond the UMEM. */
		if (d->addr < x->area_len && len <= x->area_len - d->addr)
			fn(ctx, xsk_umem__get_data(x->area, d->addr), len,
			   xsk_umem__get_data(x->area, base),
			   (uint32_t)(d->addr - base));
		if (base < x->area_len && x->npending < x->nframes)
			x->pending[x->npending++] = base;
	}
	if (n)
		xsk_ring_cons__release(&x->rx, n);
	refill(x);
	if (!n || x->npending)
		wake_if_asked(x);
	return n;
}

int iiot_xsk_drops(const struct iiot_xsk *x, struct iiot_xsk_drops *d)
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

void iiot_xsk_close(struct iiot_xsk *x)
{
	/* the socket first: the UMEM is busy while a socket holds it */
	if (x->sock)
		xsk_socket__delete(x->sock);
	if (x->umem)
		xsk_umem__delete(x->umem);
	if (x->area)
		munmap(x->area, x->area_len);
	free(x->pending);
	memset(x, 0, sizeof(*x));
	x->fd = -1;
}
