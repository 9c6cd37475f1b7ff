/*
 * Blocklist of source MACs enforced by the iiot XDP program: frames from a
 * listed MAC are dropped at XDP time and counted per entry.  The map is
 * pinned at /sys/fs/bpf/iiot/<ifname>/blocklist, so iiotd's security
 * subsystem and `iiot-xdp block` edit it while iiot-xdp runs; an entry
 * added before iiot-xdp starts is enforced from its first frame.
 *
 * Functions return 0 (or a count) or a negative errno; iiot_bl_error()
 * gives a sentence saying what went wrong (thread-local).
 */
#ifndef IIOT_BLOCKLIST_H
#define IIOT_BLOCKLIST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define IIOT_BPF_DIR	"/sys/fs/bpf/iiot"

struct iiot_bl_entry {
	uint8_t mac[6];
	uint64_t hits;		/* frames dropped */
	uint64_t bytes;
	uint64_t added_ns;	/* CLOCK_REALTIME */
};

/*
 * Open the blocklist of ifname.  create: make (and pin) an empty one when
 * none is pinned yet, in the layout the XDP program reuses on load.
 * Returns a map fd or -errno.
 */
int iiot_bl_open(const char *ifname, bool create);
/* The same by pin path (below /sys/fs/bpf; create makes its directories). */
int iiot_bl_open_path(const char *path, bool create);
void iiot_bl_close(int fd);

/* Add (keeps the counters of an existing entry) / remove one MAC. */
int iiot_bl_add(int fd, const uint8_t mac[6]);
int iiot_bl_del(int fd, const uint8_t mac[6]);

/* Up to max entries into out; returns how many there are in all. */
int iiot_bl_list(int fd, struct iiot_bl_entry *out, size_t max);

/* "aa:bb:cc:dd:ee:ff" (or '-') → mac; 0 or -EINVAL. */
int iiot_mac_parse(const char *s, uint8_t mac[6]);
void iiot_mac_format(const uint8_t mac[6], char buf[18]);

/* Pin directory of ifname (IIOT_BPF_DIR/<ifname>); mounts bpffs on
 * /sys/fs/bpf when it is not there and creates the directory when mkdir. */
int iiot_bpf_dir(const char *ifname, char *buf, size_t len, bool mkdir);

const char *iiot_bl_error(void);

#endif /* IIOT_BLOCKLIST_H */
