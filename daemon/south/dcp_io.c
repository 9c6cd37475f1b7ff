/*
 * DCP on the wire.  iiotd runs with no capability after its start
 * (daemon/core/privdrop.c), so the one raw socket DCP control needs is
 * opened by subsys_dcp's start, before the drop, bound to the [dcp]
 * interface and to EtherType 0x8892 only: it can send and receive DCP
 * there and nothing else.  One request at a time (a mutex): answers are
 * matched by Xid and by our MAC as their destination, until the first
 * answer of a Set or the end of the wait of an Identify.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <linux/if_packet.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "core/log.h"
#include "south/dcp.h"

#ifndef PACKET_IGNORE_OUTGOING
#define PACKET_IGNORE_OUTGOING 23
#endif

static struct {
	pthread_mutex_t lock;		/* one request on the wire at a time */
	int fd;
	int ifindex;
	uint8_t mac[6];
	uint32_t xid;
	struct dcp_counters n;		/* under lock */
} io = { PTHREAD_MUTEX_INITIALIZER, -1, 0, { 0 }, 0, { 0 } };

static int if_mac(int fd, const char *ifname, uint8_t mac[6])
{
	struct ifreq ifr;

	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	if (ioctl(fd, SIOCGIFHWADDR, &ifr))
		return -1;
	memcpy(mac, ifr.ifr_hwaddr.sa_data, 6);
	return 0;
}

int dcp_io_open(const char *ifname, char *err, size_t errlen)
{
	struct sockaddr_ll sll = { .sll_family = AF_PACKET,
				   .sll_protocol = htons(DCP_ETHERTYPE) };
	int one = 1, fd;

	if (strlen(ifname) >= IFNAMSIZ || !(sll.sll_ifindex =
					    (int)if_nametoindex(ifname))) {
		snprintf(err, errlen, "[dcp] interface %s: no such interface",
			 ifname);
		return -1;
	}
	fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK,
		    htons(DCP_ETHERTYPE));
	if (fd < 0 || bind(fd, (struct sockaddr *)&sll, sizeof(sll)) ||
	    if_mac(fd, ifname, io.mac)) {
		snprintf(err, errlen, "[dcp] interface %s: raw socket: %s "
			 "(iiotd starts as root and opens it before it drops "
			 "privileges)", ifname, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	/* our own requests are not answers (kernels before 4.20 lack it) */
	(void)setsockopt(fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one,
			 sizeof(one));
	if (getrandom(&io.xid, sizeof(io.xid), 0) != sizeof(io.xid))
		io.xid = (uint32_t)time(NULL);
	io.fd = fd;
	io.ifindex = sll.sll_ifindex;
	return 0;
}

void dcp_io_close(void)
{
	pthread_mutex_lock(&io.lock);
	if (io.fd >= 0)
		close(io.fd);
	io.fd = -1;
	pthread_mutex_unlock(&io.lock);
}

bool dcp_io_ready(void)
{
	return io.fd >= 0;
}

bool dcp_io_mac(uint8_t mac[6])
{
	if (io.fd < 0)
		return false;
	memcpy(mac, io.mac, 6);
	return true;
}

void dcp_io_counters(struct dcp_counters *c)
{
	pthread_mutex_lock(&io.lock);
	*c = io.n;
	pthread_mutex_unlock(&io.lock);
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* what queued up while nobody asked is no answer to this request */
static void drain(void)
{
	uint8_t f[1600];

	while (recv(io.fd, f, sizeof(f), MSG_DONTWAIT) > 0)
		;
}

static bool seen(const struct dcp_result *res, const uint8_t mac[6])
{
	unsigned int i;

	for (i = 0; i < res->n; i++)
		if (!memcmp(res->a[i].mac, mac, 6))
			return true;
	return false;
}

/* one received frame; true when the request is answered for good */
static bool take(const struct dcp_request *q, const uint8_t *f, uint32_t len,
		 struct dcp_result *res)
{
	struct dcp_answer a;
	enum dcp_match m = dcp_answer_check(q, f, len, &a);

	if (m == DCP_MATCH_NONE)
		return false;
	if (m == DCP_MATCH_BAD) {
		io.n.bad++;
		io.n.anomaly[a.anomaly]++;
		log_warnx("dcp: %s answer from %02x:%02x:%02x:%02x:%02x:%02x "
			  "xid %08x: %s (%s)", dcp_op_name(q->op), a.mac[0],
			  a.mac[1], a.mac[2], a.mac[3], a.mac[4], a.mac[5],
			  q->xid, dcp_anomaly_name(a.anomaly), a.detail);
		if (!res->n && !res->bad)
			res->a[0] = a;	/* shown when nothing better comes */
		res->bad++;
		return false;
	}
	io.n.answers++;
	if (q->op == DCP_OP_IDENTIFY) {
		if (res->n < DCP_ANSWERS_MAX && !seen(res, a.mac))
			res->a[res->n++] = a;
		res->match = DCP_MATCH_OK;
		return false;
	}
	if (m == DCP_MATCH_REFUSED)
		io.n.refused++;
	res->a[0] = a;
	res->n = 1;
	res->match = m;
	return true;
}

static void collect(const struct dcp_request *q, int timeout_ms,
		    struct dcp_result *res)
{
	int64_t end = now_ms() + timeout_ms;
	uint8_t f[1600];

	for (;;) {
		struct pollfd p = { .fd = io.fd, .events = POLLIN };
		int64_t left = end - now_ms();
		ssize_t n;

		if (left <= 0 || poll(&p, 1, (int)left) <= 0)
			break;
		while ((n = recv(io.fd, f, sizeof(f), MSG_DONTWAIT)) > 0)
			if (take(q, f, (uint32_t)n, res))
				return;
	}
	if (!res->n)
		io.n.timeouts++;
}

int dcp_io_run(struct dcp_request *q, int timeout_ms, struct dcp_result *res,
	       char *why, size_t whylen)
{
	uint8_t frame[DCP_FRAME_MAX];
	size_t len;
	int rc = -1;

	memset(res, 0, sizeof(*res));
	res->match = DCP_MATCH_NONE;
	pthread_mutex_lock(&io.lock);
	if (io.fd < 0) {
		snprintf(why, whylen, "DCP control is off: no [dcp] interface");
		goto out;
	}
	memcpy(q->src, io.mac, 6);
	q->xid = ++io.xid;
	len = dcp_encode(q, frame, sizeof(frame));
	if (!len) {
		snprintf(why, whylen, "not a valid DCP request");
		goto out;
	}
	drain();
	if (send(io.fd, frame, len, 0) != (ssize_t)len) {
		snprintf(why, whylen, "send: %s", strerror(errno));
		goto out;
	}
	io.n.sent++;
	collect(q, timeout_ms, res);
	rc = 0;
out:
	pthread_mutex_unlock(&io.lock);
	return rc;
}
