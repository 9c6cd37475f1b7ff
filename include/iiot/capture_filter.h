/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * What the capture fast paths keep by default, shared by the kernel module
 * (kmod/hook.c), the DPDK helper (dpdk/dpdk_filter.c) and the user side of
 * the XDP helper; the XDP program itself (bpf/iiot_xdp.bpf.c) reads the
 * packet directly, as its verifier wants, with the same checks.
 *
 * Besides the fieldbus ethertypes, a real line's decoder needs LLDP (the
 * drawn topology's neighbours) and PROFINET's connect request and response
 * (PNIO-CM: DCE/RPC over UDP port 34964, the IOCRs that place the GSDML's
 * signals), so those are in the default.  PNIO-CM is the only IP traffic
 * taken: IPv4 UDP whose source or destination port is 34964, first
 * fragment only (a later one's "ports" are payload).  In filter lists it is
 * named by IIOT_FILTER_PNIO_CM_NAME beside the ethertypes.
 */
#ifndef IIOT_CAPTURE_FILTER_H
#define IIOT_CAPTURE_FILTER_H

#include <linux/types.h>

#define IIOT_ETYPE_ECAT		0x88A4
#define IIOT_ETYPE_PNIO		0x8892
#define IIOT_ETYPE_LLDP		0x88CC
#define IIOT_ETYPE_IPV4		0x0800
#define IIOT_PNIO_CM_PORT	34964
#define IIOT_FILTER_PNIO_CM_NAME	"pnio-cm"

/* The default, as it is written in a filter list (docs, usage texts). */
#define IIOT_FILTER_DEFAULT_TEXT "0x88a4,0x8892,0x88cc,pnio-cm"
/* The narrow filter of earlier releases: the fieldbus frames only. */
#define IIOT_FILTER_NARROW_TEXT "0x88a4,0x8892"

/*
 * Whether the IPv4 packet at ip (len bytes of it present) is PNIO-CM.
 * Every read is checked against len; the header length is the packet's
 * own (IHL, options included).
 */
static inline int iiot_ipv4_is_pnio_cm(const __u8 *ip, __u32 len)
{
	__u32 ihl;
	__u16 sport, dport;

	if (len < 20 || (ip[0] >> 4) != 4)
		return 0;
	ihl = (__u32)(ip[0] & 0x0f) * 4;
	/* protocol UDP; fragment offset 0 (the ports are in this one) */
	if (ihl < 20 || ip[9] != 17 || ((ip[6] & 0x1f) | ip[7]))
		return 0;
	if (len < ihl + 4)
		return 0;
	sport = (__u16)(ip[ihl] << 8 | ip[ihl + 1]);
	dport = (__u16)(ip[ihl + 2] << 8 | ip[ihl + 3]);
	return sport == IIOT_PNIO_CM_PORT || dport == IIOT_PNIO_CM_PORT;
}

#if !defined(__KERNEL__) && !defined(__bpf__)
#include <errno.h>
#include <stdlib.h>
#include <string.h>

/*
 * Parse a filter list (IIOT_FILTER_DEFAULT_TEXT's form: ethertypes
 * 0x0600..0xffff and IIOT_FILTER_PNIO_CM_NAME, comma separated) for the
 * tools that take one.  A repeated entry counts once.  0, or -EINVAL (a
 * bad or empty entry, nothing named) or -E2BIG (more than max
 * ethertypes); *types, *n and *pnio_cm are set only on success.
 */
static inline int iiot_filter_parse(const char *s, __u16 *types,
				    unsigned int max, unsigned int *n,
				    int *pnio_cm)
{
	unsigned int k = 0, i, cm = 0;
	__u16 t[64];
	const char *p = s;
	char *end;
	unsigned long v;
	size_t len;

	if (max > 64)
		max = 64;
	for (;;) {
		len = strcspn(p, ",");
		if (len == strlen(IIOT_FILTER_PNIO_CM_NAME) &&
		    !strncmp(p, IIOT_FILTER_PNIO_CM_NAME, len)) {
			cm = 1;
		} else {
			errno = 0;
			v = strtoul(p, &end, 0);
			if (!len || errno || end != p + len || v < 0x600 ||
			    v > 0xffff)
				return -EINVAL;
			for (i = 0; i < k && t[i] != v; i++)
				;
			if (i == k) {
				if (k == max)
					return -E2BIG;
				t[k++] = (__u16)v;
			}
		}
		if (!p[len])
			break;
		p += len + 1;
	}
	if (!k && !cm)
		return -EINVAL;
	memcpy(types, t, k * sizeof(t[0]));
	*n = k;
	*pnio_cm = (int)cm;
	return 0;
}
#endif

#endif /* IIOT_CAPTURE_FILTER_H */
