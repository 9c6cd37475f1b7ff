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
	/* the kernel takes a received frame's (outer) VLAN tag off the
	 * data and hands it over beside it; without it a tagged DCP
	 * request would read as an untagged one */
	if (setsockopt(o->fd, SOL_PACKET, PACKET_AUXDATA, &one,
		       sizeof(one))) {
		fprintf(stderr, "iiot-sim: PACKET_AUXDATA: %s\n",
			strerror(errno));
		close(o->fd);
		return -1;
	}
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

/* put back the tag the kernel took off, as it was on the wire */
static uint32_t retag(uint8_t *buf, uint32_t n, const struct msghdr *mh)
{
	const struct cmsghdr *c;
	const struct tpacket_auxdata *aux;
	uint16_t tpid;

	for (c = CMSG_FIRSTHDR(mh); c; c = CMSG_NXTHDR((struct msghdr *)mh,
							  (struct cmsghdr *)c)) {
		if (c->cmsg_level != SOL_PACKET || c->cmsg_type != PACKET_AUXDATA ||
		    c->cmsg_len < CMSG_LEN(sizeof(*aux)))
			continue;
		aux = (const void *)CMSG_DATA(c);
		if (!(aux->tp_status & TP_STATUS_VLAN_VALID) || n < 12)
			return n;
		tpid = (aux->tp_status & TP_STATUS_VLAN_TPID_VALID) ?
		       aux->tp_vlan_tpid : ETH_P_8021Q;
		memmove(buf + 16, buf + 12, n - 12);
		buf[12] = (uint8_t)(tpid >> 8);
		buf[13] = (uint8_t)tpid;
		buf[14] = (uint8_t)(aux->tp_vlan_tci >> 8);
		buf[15] = (uint8_t)aux->tp_vlan_tci;
		return n + 4;
	}
	return n;
}

int iface_out_recv(struct iface_out *o, uint8_t *buf, uint32_t cap)
{
	struct sockaddr_ll from;
	union {
		struct cmsghdr h;
		uint8_t b[CMSG_SPACE(sizeof(struct tpacket_auxdata))];
	} ctl;
	struct iovec iov;
	struct msghdr mh;
	ssize_t n;

	if (cap < 64)
		return 0;
	for (;;) {
		/* room for the tag put back */
		iov = (struct iovec){ .iov_base = buf, .iov_len = cap - 4 };
		mh = (struct msghdr){ .msg_name = &from,
				      .msg_namelen = sizeof(from),
				      .msg_iov = &iov, .msg_iovlen = 1,
				      .msg_control = ctl.b,
				      .msg_controllen = sizeof(ctl.b) };
		n = recvmsg(o->fd, &mh, MSG_DONTWAIT | MSG_TRUNC);
		if (n < 0)
			return 0;
		if (from.sll_pkttype == PACKET_OUTGOING)
			continue;
		/* a frame longer than cap is not a DCP request we answer */
		if ((size_t)n > cap - 4 || (mh.msg_flags & MSG_TRUNC))
			continue;
		return (int)retag(buf, (uint32_t)n, &mh);
	}
}

void iface_out_close(struct iface_out *o)
{
	if (o->fd > 0)
		close(o->fd);
	o->fd = -1;
}
