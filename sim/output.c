/* Ring and live-interface outputs of iiot-sim. */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "output.h"

int ring_out_open(struct ring_out *o, const char *name)
{
	struct shm_ring_opts ro = { .source = IIOT_SRC_SIM };

	memset(o, 0, sizeof(*o));
	if (shm_prod_create(&o->ring, name, &ro)) {
		fprintf(stderr, "iiot-sim: %s\n", shm_error());
		return -1;
	}
	return 0;
}

int ring_out_emit(void *ctx, uint64_t ts_ns, const uint8_t *frame,
		  uint32_t len)
{
	struct ring_out *o = ctx;

	/* a full ring drops and counts, as a capture producer must */
	if (shm_prod_write(o->ring, frame, len, len, ts_ns, 0, 0))
		o->drops++;
	if (++o->pending >= RING_BATCH)
		ring_out_commit(o);
	return 0;
}

void ring_out_commit(struct ring_out *o)
{
	if (!o->pending)
		return;
	shm_prod_commit(o->ring);
	o->pending = 0;
}

void ring_out_close(struct ring_out *o)
{
	if (o->ring)
		shm_ring_close(o->ring, false);
	o->ring = NULL;
}

int iface_out_open(struct iface_out *o, const char *ifname)
{
	struct sockaddr_ll sll = { .sll_family = AF_PACKET,
				   .sll_protocol = htons(ETH_P_ALL) };
	int one = 1;

	memset(o, 0, sizeof(*o));
	o->ifindex = (int)if_nametoindex(ifname);
	if (!o->ifindex) {
		fprintf(stderr, "iiot-sim: interface %s: %s\n", ifname,
			strerror(errno));
		return -1;
	}
	o->fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK,
		       htons(ETH_P_ALL));
	if (o->fd < 0) {
		fprintf(stderr, "iiot-sim: raw socket: %s (needs "
			"CAP_NET_RAW)\n", strerror(errno));
		return -1;
	}
	sll.sll_ifindex = o->ifindex;
	if (bind(o->fd, (struct sockaddr *)&sll, sizeof(sll))) {
		fprintf(stderr, "iiot-sim: bind to %s: %s\n", ifname,
			strerror(errno));
		close(o->fd);
		return -1;
	}
	/* we never need to read back what we sent */
	setsockopt(o->fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one,
		   sizeof(one));
	return 0;
}

int iface_out_emit(void *ctx, uint64_t ts_ns, const uint8_t *frame,
		   uint32_t len)
{
	struct iface_out *o = ctx;

	(void)ts_ns;
	if (send(o->fd, frame, len, 0) != (ssize_t)len)
		o->tx_errors++;
	return 0;
}

int iface_out_recv(struct iface_out *o, uint8_t *buf, uint32_t cap)
{
	struct sockaddr_ll from;
	socklen_t fl;
	ssize_t n;

	for (;;) {
		fl = sizeof(from);
		n = recvfrom(o->fd, buf, cap, MSG_DONTWAIT | MSG_TRUNC,
			     (struct sockaddr *)&from, &fl);
		if (n < 0)
			return 0;
		if (from.sll_pkttype == PACKET_OUTGOING)
			continue;
		/* a frame longer than cap is not a DCP request we answer */
		if ((size_t)n > cap)
			continue;
		return (int)n;
	}
}

void iface_out_close(struct iface_out *o)
{
	if (o->fd > 0)
		close(o->fd);
	o->fd = -1;
}
