/* Frame builders of iiot-sim: EtherCAT datagrams, PROFINET RT/DCP/alarms. */
#ifndef SIM_FRAMES_H
#define SIM_FRAMES_H

#include <stdbool.h>
#include <stdint.h>

#include "scenario.h"

#define SIM_FRAME_MAX	1518U	/* largest frame we build, without FCS */
#define ETH_MIN_LEN	60U	/* shorter frames are padded with zeros */
#define ETHERTYPE_ECAT	0x88a4
#define ETHERTYPE_PN	0x8892
#define ETHERTYPE_IPV4	0x0800
#define ECAT_MAX_DGRAMS	64

/* EtherCAT commands (ETG.1000.4) */
enum {
	ECAT_APRD = 1, ECAT_APWR = 2, ECAT_FPRD = 4, ECAT_FPWR = 5,
	ECAT_BRD = 7, ECAT_LRD = 10, ECAT_LWR = 11, ECAT_LRW = 12,
};

/* ESC registers and SII words the simulated master touches */
#define ESC_TYPE	0x0000
#define ESC_STATION	0x0010
#define ESC_AL_CTRL	0x0120
#define ESC_AL_STATUS	0x0130
#define ESC_DC_DIFF	0x092C	/* DC system time difference */
#define ESC_ERR_COUNTERS 0x0300	/* 0x0300-0x0313: RX, forwarded, lost link */
#define ESC_SII_CTRL	0x0502
#define ESC_SII_DATA	0x0508
#define ESC_MBOX_OUT	0x1000	/* master → slave mailbox (SM0) */
#define ESC_MBOX_IN	0x1080	/* slave → master mailbox (SM1) */
#define ESC_MBOX_LEN	128

/* One EtherCAT frame being built. */
struct ecat_frame {
	uint8_t *buf;
	uint32_t len;
	uint32_t ndg;
	uint32_t dg_off[ECAT_MAX_DGRAMS];	/* each datagram's header */
};

void ecat_begin(struct ecat_frame *f, uint8_t *buf, const uint8_t src[6]);
/* Room for one more datagram of len data bytes? */
int ecat_fits(const struct ecat_frame *f, uint32_t len);
/* Append a datagram; returns its data (zeroed), wkc 0. */
uint8_t *ecat_dgram(struct ecat_frame *f, uint8_t cmd, uint8_t idx,
		    uint16_t adp, uint16_t ado, uint16_t len);
uint8_t *ecat_dgram_logical(struct ecat_frame *f, uint8_t cmd, uint8_t idx,
			    uint32_t laddr, uint16_t len);
/* Close the frame (EtherCAT header, padding); returns its length. */
uint32_t ecat_end(struct ecat_frame *f);
/*
 * Turn a copy of the master's frame into the one returning to it: the
 * first slave sets bit 1 of the source MAC.  Datagram i's data and wkc
 * are then edited through ecat_data()/ecat_set_wkc().
 */
void ecat_as_return(struct ecat_frame *ret, uint8_t *buf,
		    const struct ecat_frame *req);
uint8_t *ecat_data(const struct ecat_frame *f, uint32_t i);
void ecat_set_wkc(const struct ecat_frame *f, uint32_t i, uint16_t wkc);

/* PROFINET */
#define PN_FRAME_ALARM_HIGH	0xfc01
#define PN_FRAME_ALARM_LOW	0xfe01
#define PN_FRAME_DCP_HELLO	0xfefc
#define PN_FRAME_DCP_GETSET	0xfefd
#define PN_FRAME_DCP_IDENT_REQ	0xfefe
#define PN_FRAME_DCP_IDENT_RSP	0xfeff
#define PN_DATA_STATUS_OK	0x35	/* primary, valid, run, no problem */

enum { DCP_GET = 3, DCP_SET = 4, DCP_IDENTIFY = 5, DCP_HELLO = 6 };
enum { DCP_REQUEST = 0, DCP_RESPONSE_OK = 1, DCP_RESPONSE_UNSUPP = 5 };

extern const uint8_t pn_mc_identify[6];
extern const uint8_t pn_mc_hello[6];

/* One RT cyclic frame: FrameID, data, APDU status. */
uint32_t pn_rt_frame(uint8_t *buf, const uint8_t dst[6],
		     const uint8_t src[6], uint16_t frame_id,
		     const uint8_t *data, uint16_t len, uint16_t cycle,
		     uint8_t data_status);

/* A process alarm (data RTA-PDU) and the controller's ACK. */
uint32_t pn_alarm_frame(uint8_t *buf, const struct sim_device *d,
			const uint8_t ctrl_mac[6], uint16_t frame_id,
			uint16_t seq, uint16_t alarm_seq);
uint32_t pn_alarm_ack_frame(uint8_t *buf, const struct sim_device *d,
			    const uint8_t ctrl_mac[6], uint16_t frame_id,
			    uint16_t seq, uint16_t ack_of);

/* DCP: identify request (all, or by name when name != NULL) */
uint32_t pn_dcp_identify_req(uint8_t *buf, const uint8_t src[6],
			     uint32_t xid, const char *name);
/* Identify response or Hello: the device describes itself. */
uint32_t pn_dcp_identity(uint8_t *buf, const struct sim_device *d,
			 const uint8_t dst[6], uint32_t xid, int service);
/* Set NameOfStation request from src to the device. */
uint32_t pn_dcp_set_name_req(uint8_t *buf, const uint8_t src[6],
			     const uint8_t dst[6], uint32_t xid,
			     const char *name);
/*
 * PNIO-CM Connect (pn_connect.c): the controller's request to dev and the
 * device's OK response, UDP from ctrl_port to 34964 and back.
 */
struct pn_connect {
	const struct sim_device *dev;
	const struct sim_pn_module *mods;	/* dev's, by slot */
	uint32_t nmods;
	const uint8_t *ctrl_mac;
	uint32_t ctrl_ip;			/* network byte order */
	const char *ctrl_name;			/* its NameOfStation */
	uint16_t ctrl_port;
	uint32_t activity, ar;			/* the UUIDs' numbers */
};
uint32_t pn_connect_req(uint8_t *buf, const struct pn_connect *c);
uint32_t pn_connect_rsp(uint8_t *buf, const struct pn_connect *c);

/* Set request of any of NameOfStation, IP parameter, reset to factory */
struct dcp_set {
	const char *name;		/* NULL: none */
	uint32_t ip, mask, gateway;	/* network byte order; ip 0: none */
	bool reset;
	uint16_t reset_qualifier;	/* mode << 1 */
};
uint32_t pn_dcp_set_req(uint8_t *buf, const uint8_t src[6],
			const uint8_t dst[6], uint32_t xid,
			const struct dcp_set *set);
/* Set response: one Control/Response block per set block. */
uint32_t pn_dcp_set_rsp(uint8_t *buf, const struct sim_device *d,
			const uint8_t dst[6], uint32_t xid,
			const uint8_t (*opts)[3], uint32_t nopts);
/* LLDP: one station's port as it announces itself every 5 s */
struct lldp_port {
	const char *station;		/* NameOfStation: the chassis id */
	unsigned int port;		/* 1-based: port-001 */
	uint8_t port_mac[6];		/* the frame's source */
	uint8_t chassis_mac[6];
	uint32_t ip;			/* network byte order */
	bool bridge;			/* a switch rather than a station */
	/* who is across the cable, as PROFINET's alias TLV names it
	 * ("port-002.io-1"); NULL: none */
	const char *peer_station;
	unsigned int peer_port;
};
uint32_t pn_lldp_frame(uint8_t *buf, const struct lldp_port *lp);

/* Get response for requested options (unknown ones are answered as such) */
uint32_t pn_dcp_get_rsp(uint8_t *buf, const struct sim_device *d,
			const uint8_t dst[6], uint32_t xid,
			const uint8_t (*opts)[2], uint32_t nopts);

static inline void put_be16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline void put_be32(uint8_t *p, uint32_t v)
{
	put_be16(p, (uint16_t)(v >> 16));
	put_be16(p + 2, (uint16_t)v);
}

static inline void put_le16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static inline void put_le32(uint8_t *p, uint32_t v)
{
	put_le16(p, (uint16_t)v);
	put_le16(p + 2, (uint16_t)(v >> 16));
}

static inline uint16_t get_be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint16_t get_le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

/* The Internet checksum: add 16-bit words, then fold. */
static inline uint32_t csum_add(uint32_t sum, const uint8_t *p, uint32_t len)
{
	uint32_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += get_be16(p + i);
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	return sum;
}

static inline uint16_t csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

#endif
