/*
 * The control socket: a UNIX stream socket, mode 0660, owned by the user
 * iiotd runs as and by [iiotd] socket_group (default: that user's group).
 * Every connection's peer credentials are checked (SO_PEERCRED): root,
 * iiotd's own user and members of the socket's group are let in; anyone
 * else gets {"ok":false,"error":"permission denied"} and is counted.
 * The peer's uid also names the actor of what a request changes (a
 * device's lifecycle) in the audit log.
 */
#ifndef IIOTD_CTLSOCK_H
#define IIOTD_CTLSOCK_H

#include <stdint.h>
#include <sys/types.h>

struct iiotd;
struct ctlsock;

#define CTLSOCK_COUNTERS(X) \
	X(connections,	"connections accepted")			\
	X(denied,	"connections refused: peer credentials")	\
	X(bad_requests,	"requests that did not parse")		\
	X(requests,	"requests answered")			\
	X(monitors,	"monitor sessions started")		\
	X(monitor_drops,"monitor lines dropped: client too slow")	\
	X(exports,	"pcap exports")				\
	X(exports_busy,	"pcap exports refused: as many running as allowed")

struct ctlsock_counters {
#define CTLSOCK_X_FIELD(n, d) uint64_t n;
	CTLSOCK_COUNTERS(CTLSOCK_X_FIELD)
#undef CTLSOCK_X_FIELD
};

/* Bind and listen at path (a stale socket is replaced). */
struct ctlsock *ctlsock_open(struct iiotd *d, const char *path, char *err,
			     size_t errlen);
/*
 * The group let in besides root and iiotd's user: the socket file is given
 * to it when it is still the one `owner` bound (a socket with one link,
 * never what a link points to).  0, or -1 with errno.
 */
int ctlsock_set_group(struct ctlsock *c, uid_t owner, gid_t gid);
/* Wait for pcap exports in flight (before the capture thread stops). */
void ctlsock_quiesce(struct ctlsock *c);
void ctlsock_close(struct ctlsock *c);
void ctlsock_get_counters(const struct ctlsock *c,
			  struct ctlsock_counters *out);

#endif
