/* Capture files for iiotctl's offline commands. */
#ifndef IIOT_CTL_PCAPFILE_H
#define IIOT_CTL_PCAPFILE_H

#include <stdint.h>

/* One frame: its bytes, captured and wire length, ns stamp, 1-based no. */
typedef void (*ctl_frame_fn)(void *arg, const uint8_t *p, uint32_t caplen,
			     uint32_t len, uint64_t ts_ns, uint64_t frame_no);

/* Every frame of path, in file order; 0, or -1 with a message on stderr
 * (frames before a truncation were delivered). */
int ctl_pcap_feed(const char *path, ctl_frame_fn fn, void *arg);

#endif
