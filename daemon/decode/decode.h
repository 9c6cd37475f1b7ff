/*
 * Protocol decoders: Ethernet/802.1Q/QinQ, EtherCAT (datagrams, mailbox,
 * ESC registers, EtherCAT over UDP 34980), PROFINET RT/DCP/alarms/PTCP/
 * fragments, PNIO-CM (DCE/RPC over UDP 34964).
 *
 * decode_frame() fills a caller-owned struct decoded and never allocates, so
 * the drain loop can call it on every frame.  Pointers in the result point
 * into the frame buffer: they are valid only as long as that buffer.
 *
 * Which parts of struct decoded are valid:
 *   - the Ethernet part (src, dst, vlan, ethertype, proto, anomalies) always;
 *   - ip (has_ip) for IPv4/UDP frames;
 *   - ecat for proto == DECODE_ECAT (over Ethernet or UDP 34980);
 *   - pn for DECODE_PN_RT, DECODE_PN_ALARM, DECODE_PN_PTCP, DECODE_PN_DCP
 *     (the FrameID and its class are set for every PROFINET frame);
 *   - dcp for DECODE_PN_DCP, alarm for DECODE_PN_ALARM, ptcp for
 *     DECODE_PN_PTCP, cm for DECODE_PNIO_CM, lldp for DECODE_LLDP.
 * Fields of other parts hold stale data from earlier frames: do not read
 * them.  Counts (ndgram, nmbx, nreg, nblock) bound the arrays.
 *
 * A malformed frame sets one or more bits in anomalies (named by
 * decode_anomaly_name()) and decoding stops at the first bad read; whatever
 * was decoded before it stays valid.
 */
#ifndef IIOT_DECODE_H
#define IIOT_DECODE_H

#include <stdint.h>
#include <stdio.h>

#define DECODE_MAX_VLAN		2
#define DECODE_MAX_DGRAM	128	/* EtherCAT datagrams: a 1514-byte frame holds <= 124 */
#define DECODE_MAX_MBX		DECODE_MAX_DGRAM	/* one per datagram at most */
#define DECODE_MAX_REG		256	/* ESC register accesses per frame */
#define DECODE_MAX_DCP_BLOCK	64	/* DCP blocks per frame */

#define ETHERTYPE_VLAN		0x8100
#define ETHERTYPE_QINQ		0x88A8
#define ETHERTYPE_QINQ_OLD	0x9100
#define ETHERTYPE_IPV4		0x0800
#define ETHERTYPE_ECAT		0x88A4
#define ETHERTYPE_PROFINET	0x8892
#define ETHERTYPE_LLDP		0x88CC
#define UDP_PORT_ECAT		34980
#define UDP_PORT_PNIO_CM	34964

enum decode_proto {
	DECODE_OTHER = 0,
	DECODE_ECAT,
	DECODE_PN_RT,		/* cyclic RT class 1/2/3, RT over UDP, fragments */
	DECODE_PN_DCP,
	DECODE_PN_ALARM,
	DECODE_PN_PTCP,
	DECODE_PNIO_CM,
	DECODE_LLDP,
	DECODE_PROTO_COUNT
};

/* JSON names: "ecat", "pn_rt", "pn_dcp", ... "other" */
const char *decode_proto_name(unsigned int proto);

/*
 * Anomalies: X(ENUM_SUFFIX, "json_name").  One bit each in
 * decoded.anomalies; never more than 64.
 */
#define DECODE_ANOMALIES(X) \
	X(ETH_TRUNCATED,	"eth_truncated")	\
	X(VLAN_TRUNCATED,	"vlan_truncated")	\
	X(VLAN_TOO_MANY,	"vlan_too_many")	\
	X(IP_TRUNCATED,		"ip_truncated")		\
	X(IP_BAD_HEADER,	"ip_bad_header")	\
	X(UDP_TRUNCATED,	"udp_truncated")	\
	X(UDP_BAD_LENGTH,	"udp_bad_length")	\
	X(ECAT_TRUNCATED,	"ecat_truncated")	\
	X(ECAT_BAD_TYPE,	"ecat_bad_type")	\
	X(ECAT_BAD_LENGTH,	"ecat_bad_length")	\
	X(ECAT_DGRAM_TRUNCATED,	"ecat_dgram_truncated")	\
	X(ECAT_TOO_MANY_DGRAMS,	"ecat_too_many_dgrams")	\
	X(ECAT_BAD_CMD,		"ecat_bad_cmd")		\
	X(ECAT_MBX_TRUNCATED,	"ecat_mbx_truncated")	\
	X(ECAT_MBX_BAD_LENGTH,	"ecat_mbx_bad_length")	\
	X(ECAT_MBX_BAD_TYPE,	"ecat_mbx_bad_type")	\
	X(ECAT_COE_TRUNCATED,	"ecat_coe_truncated")	\
	X(ECAT_EOE_TRUNCATED,	"ecat_eoe_truncated")	\
	X(ECAT_FOE_TRUNCATED,	"ecat_foe_truncated")	\
	X(ECAT_TOO_MANY_REGS,	"ecat_too_many_regs")	\
	X(PN_TRUNCATED,		"pn_truncated")		\
	X(PN_RESERVED_FRAME_ID,	"pn_reserved_frame_id")	\
	X(DCP_TRUNCATED,	"dcp_truncated")	\
	X(DCP_BAD_LENGTH,	"dcp_bad_length")	\
	X(DCP_BLOCK_TRUNCATED,	"dcp_block_truncated")	\
	X(DCP_BAD_SERVICE,	"dcp_bad_service")	\
	X(DCP_BAD_NAME,		"dcp_bad_name")		\
	X(DCP_TOO_MANY_BLOCKS,	"dcp_too_many_blocks")	\
	X(ALARM_TRUNCATED,	"alarm_truncated")	\
	X(ALARM_BAD_LENGTH,	"alarm_bad_length")	\
	X(PTCP_TRUNCATED,	"ptcp_truncated")	\
	X(CM_TRUNCATED,		"cm_truncated")		\
	X(CM_BAD_RPC,		"cm_bad_rpc")		\
	X(CM_BAD_BLOCK,		"cm_bad_block")		\
	X(LLDP_TRUNCATED,	"lldp_truncated")	\
	X(LLDP_BAD_LENGTH,	"lldp_bad_length")	\
	X(LLDP_MISSING_TLV,	"lldp_missing_tlv")	\
	X(LLDP_DUPLICATE_TLV,	"lldp_duplicate_tlv")

enum decode_anomaly {
#define DECODE_X_ENUM(e, s) DECODE_A_##e,
	DECODE_ANOMALIES(DECODE_X_ENUM)
#undef DECODE_X_ENUM
	DECODE_ANOMALY_COUNT
};

#define DECODE_ABIT(e) (1ULL << DECODE_A_##e)

/* "ecat_truncated", ...; NULL when i >= DECODE_ANOMALY_COUNT */
const char *decode_anomaly_name(unsigned int i);

/* ---- EtherCAT --------------------------------------------------------- */

enum ecat_cmd {
	ECAT_NOP = 0, ECAT_APRD, ECAT_APWR, ECAT_APRW, ECAT_FPRD, ECAT_FPWR,
	ECAT_FPRW, ECAT_BRD, ECAT_BWR, ECAT_BRW, ECAT_LRD, ECAT_LWR, ECAT_LRW,
	ECAT_ARMW, ECAT_FRMW, ECAT_CMD_COUNT
};

/* "APRD", ...; "?" for unknown */
const char *ecat_cmd_name(unsigned int cmd);
/* LRD, LWR, LRW: a 32-bit logical address instead of adp/ado */
static inline int ecat_cmd_is_logical(unsigned int cmd)
{
	return cmd >= ECAT_LRD && cmd <= ECAT_LRW;
}

struct decode_ecat_dgram {
	uint8_t cmd;		/* enum ecat_cmd (raw value if unknown) */
	uint8_t idx;
	uint16_t adp;		/* raw; auto-increment commands: -position */
	uint16_t ado;
	uint32_t lad;		/* logical commands: (ado << 16) | adp */
	uint16_t len;		/* data length, 11 bits */
	uint8_t circulating;
	uint8_t more;		/* another datagram follows */
	uint16_t irq;
	uint16_t wkc;		/* working counter */
	const uint8_t *data;	/* len bytes */
};

enum ecat_mbx_type {
	ECAT_MBX_ERR = 0, ECAT_MBX_AOE = 1, ECAT_MBX_EOE = 2, ECAT_MBX_COE = 3,
	ECAT_MBX_FOE = 4, ECAT_MBX_SOE = 5, ECAT_MBX_VOE = 15,
};

/* CoE service (number in the 4 high bits of the CoE header) */
enum ecat_coe_service {
	COE_EMERGENCY = 1, COE_SDO_REQ = 2, COE_SDO_RES = 3, COE_TXPDO = 4,
	COE_RXPDO = 5, COE_TXPDO_RR = 6, COE_RXPDO_RR = 7, COE_SDO_INFO = 8,
};

/* What an SDO request/response does, from the command specifier */
enum ecat_sdo_op {
	SDO_OP_NONE = 0,
	SDO_OP_DOWNLOAD_INIT,	/* write, expedited or first segment */
	SDO_OP_DOWNLOAD_SEG,
	SDO_OP_UPLOAD_INIT,	/* read */
	SDO_OP_UPLOAD_SEG,
	SDO_OP_ABORT,
};

struct decode_ecat_mbx {
	uint8_t dgram;		/* index into ecat.dgram */
	uint8_t type;		/* enum ecat_mbx_type */
	uint8_t counter;	/* 3-bit session counter */
	uint8_t priority;
	uint16_t length;	/* mailbox data length */
	uint16_t address;	/* station address of the source/destination */
	/* CoE (type == ECAT_MBX_COE) */
	uint8_t coe_service;	/* enum ecat_coe_service */
	uint16_t coe_number;	/* PDO number, 9 bits */
	uint8_t sdo_op;		/* enum ecat_sdo_op */
	uint8_t sdo_expedited;
	uint8_t sdo_complete;	/* complete access */
	uint16_t sdo_index;
	uint8_t sdo_subindex;
	uint32_t sdo_abort;	/* abort code (sdo_op == SDO_OP_ABORT) */
	uint32_t sdo_size;	/* expedited: data bytes; normal: complete size */
	uint32_t sdo_value;	/* expedited data, little endian */
	uint16_t emcy_code;	/* COE_EMERGENCY: error code */
	uint8_t emcy_reg;
	uint8_t sdo_info_op;	/* COE_SDO_INFO: opcode */
	/* EoE (type == ECAT_MBX_EOE) */
	uint8_t eoe_type;	/* frame type (0 fragment, 2 set IP, ...) */
	uint8_t eoe_port;
	uint8_t eoe_last;
	uint8_t eoe_fragment;
	/* FoE (type == ECAT_MBX_FOE) */
	uint8_t foe_op;		/* 1 RRQ, 2 WRQ, 3 DATA, 4 ACK, 5 ERR, 6 BUSY */
	uint32_t foe_arg;	/* password, packet number or error code */
	const uint8_t *foe_name;	/* RRQ/WRQ file name (not terminated) */
	uint16_t foe_name_len;
};

/*
 * ESC registers the model cares about.  A datagram whose address range
 * covers one yields a decode_ecat_reg: plain reads (APRD, FPRD, BRD) only
 * when a slave answered (wkc > 0), writes, read-writes and
 * read-multiple-writes always (as Wireshark dissects them).
 */
enum ecat_reg_kind {
	ECAT_REG_TYPE = 1,	/* 0x0000 ESC type (8 bit) */
	ECAT_REG_STATION_ADDR,	/* 0x0010 configured station address */
	ECAT_REG_STATION_ALIAS,	/* 0x0012 */
	ECAT_REG_DL_STATUS,	/* 0x0110 (8 bit) PDI, link per port (bits 4-7) */
	ECAT_REG_AL_CONTROL,	/* 0x0120 requested state */
	ECAT_REG_AL_STATUS,	/* 0x0130 current state + error flag */
	ECAT_REG_AL_STATUS_CODE,/* 0x0134 */
	ECAT_REG_RX_ERR,	/* 0x0300 + 2*port: invalid frame | rx err << 8 */
	ECAT_REG_FWD_RX_ERR,	/* 0x0308 + port */
	ECAT_REG_LOST_LINK,	/* 0x0310 + port */
	ECAT_REG_SII_CONTROL,	/* 0x0502 control/status */
	ECAT_REG_SII_ADDR,	/* 0x0504 word address for the next SII read */
	ECAT_REG_SII_DATA,	/* 0x0508 4 bytes (value) of SII data */
	ECAT_REG_DL_LOOP,	/* 0x0111 (8 bit) loop/communication per port */
};

/*
 * SII word addresses of the identity; a read of SII data follows a write of
 * the address in ECAT_REG_SII_ADDR (often in an earlier frame), so the model
 * pairs them per slave.
 */
#define SII_WORD_VENDOR		0x0008
#define SII_WORD_PRODUCT	0x000A
#define SII_WORD_REVISION	0x000C
#define SII_WORD_SERIAL		0x000E

struct decode_ecat_reg {
	uint8_t dgram;		/* index into ecat.dgram (cmd, adp, wkc) */
	uint8_t kind;		/* enum ecat_reg_kind */
	uint8_t write;		/* carried by APWR/FPWR/BWR */
	uint8_t port;		/* RX_ERR, FWD_RX_ERR, LOST_LINK */
	uint16_t reg;		/* register address */
	uint32_t value;		/* little-endian value from the datagram data */
};

struct decode_ecat {
	uint16_t hdr_len;	/* length field of the EtherCAT header */
	uint8_t type;		/* 1 = datagrams */
	uint8_t over_udp;	/* EtherCAT over UDP 34980 */
	uint16_t ndgram, nmbx, nreg;
	struct decode_ecat_dgram dgram[DECODE_MAX_DGRAM];
	struct decode_ecat_mbx mbx[DECODE_MAX_MBX];
	struct decode_ecat_reg reg[DECODE_MAX_REG];
};

/* ---- PROFINET ------------------------------------------------------------ */

enum pn_class {
	PN_CLASS_UNKNOWN = 0,
	PN_CLASS_TIME_SYNC,	/* 0x0000-0x00FF PTCP sync */
	PN_CLASS_RT3,		/* 0x0100-0x0FFF RT_CLASS_3 (IRT) */
	PN_CLASS_RT2,		/* 0x8000-0xBFFF RT_CLASS_2 */
	PN_CLASS_RT1,		/* 0xC000-0xF7FF RT_CLASS_1 */
	PN_CLASS_UDP,		/* 0xF800-0xFBFF RT_CLASS_UDP */
	PN_CLASS_ALARM_HIGH,	/* 0xFC01 */
	PN_CLASS_ALARM_LOW,	/* 0xFE01 */
	PN_CLASS_DCP,		/* 0xFEFC-0xFEFF */
	PN_CLASS_PTCP,		/* 0xFF00-0xFF7F PTCP announce/follow-up/delay */
	PN_CLASS_FRAG,		/* 0xFF80-0xFF8F fragments */
	PN_CLASS_RESERVED,	/* 0x1000-0x7FFF and the other gaps */
};

const char *pn_class_name(unsigned int c);

/* APDU data status bits */
#define PN_DS_STATE		0x01	/* primary */
#define PN_DS_REDUNDANCY	0x02
#define PN_DS_VALID		0x04
#define PN_DS_RUN		0x10
#define PN_DS_STATION_OK	0x20	/* no problem */
#define PN_DS_IGNORE		0x80

struct decode_pn {
	uint16_t frame_id;
	uint8_t class;		/* enum pn_class */
	/* cyclic (PN_CLASS_RT1/2/3, UDP): the APDU status at the end */
	uint8_t has_status;
	uint16_t cycle_counter;
	uint8_t data_status;
	uint8_t transfer_status;
	const uint8_t *payload;	/* C_SDU: IO data between FrameID and status */
	uint32_t payload_len;
	/* PN_CLASS_FRAG */
	uint8_t frag_len;	/* fragment data length */
	uint8_t frag_last;	/* no more fragments follow */
	uint8_t frag_no;	/* fragment number */
	uint8_t frag_seq;	/* frame sequence */
};

enum dcp_service {
	DCP_GET = 3, DCP_SET = 4, DCP_IDENTIFY = 5, DCP_HELLO = 6,
};

#define DCP_BLK_IP_MAC		0x0101
#define DCP_BLK_IP_PARAM	0x0102
#define DCP_BLK_IP_SUITE	0x0103
#define DCP_BLK_DEV_VENDOR	0x0201	/* type of station */
#define DCP_BLK_DEV_NAME	0x0202	/* name of station */
#define DCP_BLK_DEV_ID		0x0203
#define DCP_BLK_DEV_ROLE	0x0204
#define DCP_BLK_DEV_OPTIONS	0x0205
#define DCP_BLK_DEV_ALIAS	0x0206
#define DCP_BLK_DEV_INSTANCE	0x0207
#define DCP_BLK_DEV_OEM_ID	0x0208
#define DCP_BLK_DHCP		0x0300	/* option 3, any suboption */
#define DCP_BLK_CTRL_START	0x0501
#define DCP_BLK_CTRL_STOP	0x0502
#define DCP_BLK_CTRL_SIGNAL	0x0503
#define DCP_BLK_CTRL_RESPONSE	0x0504
#define DCP_BLK_CTRL_FACTORY	0x0505
#define DCP_BLK_CTRL_RESET	0x0506
#define DCP_BLK_INITIATIVE	0x0601
#define DCP_BLK_ALL		0xFFFF

/* which DCP fields below were present */
#define DCP_F_NAME		0x0001
#define DCP_F_IP		0x0002
#define DCP_F_VENDOR		0x0004	/* vendor_id/device_id */
#define DCP_F_ROLE		0x0008
#define DCP_F_ALIAS		0x0010
#define DCP_F_TYPE		0x0020	/* type_of_station */
#define DCP_F_SIGNAL		0x0040
#define DCP_F_RESET		0x0080
#define DCP_F_MAC		0x0100
#define DCP_F_INSTANCE		0x0200
#define DCP_F_OEM		0x0400
#define DCP_F_OPTIONS		0x0800
#define DCP_F_RESPONSE		0x1000	/* Set response: block_error */
#define DCP_F_INITIATIVE	0x2000

struct decode_dcp_block {
	uint8_t option;
	uint8_t suboption;
	uint16_t len;		/* block length (without padding) */
	uint16_t info;		/* block info (response) or qualifier (set) */
	uint8_t error;		/* control response: block error */
};

struct decode_dcp {
	uint8_t service_id;	/* enum dcp_service */
	uint8_t service_type;	/* 0 request, 1 response success, 5 unsupported */
	uint32_t xid;
	uint16_t response_delay;	/* identify request */
	uint16_t data_len;
	uint32_t fields;	/* DCP_F_* present */
	const uint8_t *name_of_station;	/* not terminated */
	uint16_t name_len;
	const uint8_t *alias;
	uint16_t alias_len;
	const uint8_t *type_of_station;
	uint16_t type_len;
	uint8_t mac[6];
	uint32_t ip, mask, gw;	/* host order */
	uint16_t ip_info;	/* block info of the IP block */
	uint16_t vendor_id, device_id;
	uint16_t oem_vendor_id, oem_device_id;
	uint8_t role;
	uint16_t instance;
	uint16_t signal;	/* signal value (0x0100 = flash) */
	uint16_t reset_qualifier;
	uint8_t resp_option, resp_suboption, resp_error;
	uint16_t initiative;
	uint8_t nblock;
	struct decode_dcp_block block[DECODE_MAX_DCP_BLOCK];
};

struct decode_alarm {
	uint16_t dst_endpoint;
	uint16_t src_endpoint;
	uint8_t pdu_type;	/* 1 DATA, 2 NACK, 3 ACK, 4 ERR, 5 RTA_SYNC */
	uint8_t pdu_version;
	uint8_t add_flags;
	uint16_t send_seq;
	uint16_t ack_seq;
	uint16_t var_len;
	/* DATA with an AlarmNotification block */
	uint8_t has_notification;
	uint16_t block_type;	/* 0x0001 high, 0x0002 low */
	uint16_t alarm_type;	/* 1 diagnosis, 2 process, 3 pull, 4 plug, ... */
	uint32_t api;
	uint16_t slot;
	uint16_t subslot;
	uint32_t module_ident;
	uint32_t submodule_ident;
	uint16_t alarm_specifier;
	/* ERR PDU: PNIO status */
	uint32_t pnio_status;
};

struct decode_ptcp {
	uint16_t sequence_id;
	uint8_t has_header;	/* the 20-byte PTCP header was present */
	uint8_t has_delay;	/* not in announce frames */
	uint64_t delay_ns;	/* from the header (see pn_rt.c) */
};

enum cm_op {
	CM_CONNECT = 0, CM_RELEASE = 1, CM_READ = 2, CM_WRITE = 3,
	CM_CONTROL = 4, CM_READ_IMPLICIT = 5,
};

/* "connect", "release", "read", "write", "control", "read_implicit" */
const char *cm_op_name(unsigned int op);

#define DECODE_CM_IOCR	4
#define DECODE_CM_IO	32	/* layout entries kept per IOCR */
#define DECODE_CM_SUB	64	/* expected submodules kept */

struct decode_cm {
	uint8_t iface;		/* 1 device, 2 controller, 3 supervisor, 4 server */
	uint8_t rpc_type;	/* 0 request, 2 response, 3 fault, 4 working, ... */
	uint8_t drep_le;	/* little-endian data representation */
	uint16_t opnum;		/* enum cm_op */
	uint32_t seqnum;
	uint16_t frag_num;
	uint8_t object[16], interface[16], activity[16];
	/* AR UUID from the first block carrying one (AR, IODRead/Write, control) */
	uint8_t has_ar;
	uint8_t ar_uuid[16];
	uint16_t block_type;	/* first PNIO block */
	uint32_t pnio_status;	/* response */
	uint8_t has_status;
	/* IOCRBlockReq (connect request: the cycle) and IOCRBlockRes (the
	 * FrameIDs the device gave), in body order; more are not kept */
	uint8_t niocr;
	struct decode_iocr {
		uint8_t res;		/* from an IOCRBlockRes: type, ref,
					 * frame_id only */
		uint16_t type;		/* 1 input, 2 output, 3/4 multicast */
		uint16_t ref;
		uint16_t frame_id;
		uint16_t send_clock;	/* SendClockFactor: × 31.25 µs */
		uint16_t reduction;	/* ReductionRatio */
		uint16_t watchdog;	/* WatchdogFactor */
		/* the C_SDU's layout (request): IODataObjects then IOCSs of
		 * every API, FrameOffset from the C_SDU's start */
		uint16_t data_len;	/* C_SDU length */
		uint8_t nio;
		uint8_t io_cut;		/* more than DECODE_CM_IO listed */
		struct decode_iocr_io {
			uint16_t slot, subslot, offset;
			uint8_t iocs;	/* an IOCS entry, not a data object */
		} io[DECODE_CM_IO];
	} iocr[DECODE_CM_IOCR];
	/* ExpectedSubmoduleBlockReq (connect request): which module and
	 * submodule the controller expects in each slot and subslot (the
	 * GSDML's ModuleIdentNumber, SubmoduleIdentNumber) and their data
	 * lengths */
	uint8_t nsub;
	uint8_t sub_cut;	/* more than DECODE_CM_SUB listed */
	struct decode_cm_sub {
		uint16_t slot, subslot;
		uint16_t in_len, out_len;	/* SubmoduleDataLength */
		uint32_t module, submodule;	/* ident numbers */
	} sub[DECODE_CM_SUB];
};

struct decode_ip {
	uint32_t src, dst;	/* host order */
	uint16_t sport, dport;
	uint8_t ttl;
};

/* ---- ARP ------------------------------------------------------------------ */

#define ETHERTYPE_ARP		0x0806
#define ARP_REQUEST		1
#define ARP_REPLY		2

struct decode_arp {
	uint16_t op;		/* ARP_REQUEST or ARP_REPLY */
	uint8_t sha[6], tha[6];	/* sender and target hardware address */
	uint32_t spa, tpa;	/* sender and target IPv4, host order */
};

/*
 * ARP for IPv4 over Ethernet from the bytes after the ethertype (decoded.l3
 * when decoded.ethertype == ETHERTYPE_ARP).  0, or -1 when it is not that
 * (other hardware or protocol types, short, unknown opcode).  Not part of
 * decode_frame(): only the IDS asks.
 */
int decode_arp(const uint8_t *p, uint32_t len, struct decode_arp *out);

/* ---- LLDP (IEEE 802.1AB) with PROFINET's and IEEE 802.3's TLVs --------- */

#define LLDP_ID_MAX		255	/* chassis and port id: 1..255 bytes */

/* chassis id subtypes 4 and port id subtype 3: a MAC; 5 / 4: a network
 * address (family byte first); the others are text */
#define LLDP_CHASSIS_MAC	4
#define LLDP_CHASSIS_NETADDR	5
#define LLDP_PORT_MAC		3
#define LLDP_PORT_NETADDR	4

/* which optional parts below were present */
#define LLDP_F_PORT_DESC	0x0001
#define LLDP_F_SYS_NAME		0x0002
#define LLDP_F_SYS_DESC		0x0004
#define LLDP_F_CAPS		0x0008
#define LLDP_F_MGMT		0x0010
#define LLDP_F_PN_DELAY		0x0020	/* PROFINET subtype 1 */
#define LLDP_F_PN_PORT_STATUS	0x0040	/* 2 */
#define LLDP_F_PN_MRP		0x0080	/* 4 */
#define LLDP_F_PN_CHASSIS_MAC	0x0100	/* 5 */
#define LLDP_F_MAC_PHY		0x0200	/* IEEE 802.3 subtype 1 */
#define LLDP_F_END		0x0400	/* End of LLDPDU seen */
#define LLDP_F_PN_ALIAS		0x0800	/* PROFINET subtype 3 */

struct decode_lldp {
	uint32_t fields;	/* LLDP_F_* */
	uint8_t chassis_subtype;
	uint8_t port_subtype;
	uint16_t chassis_len, port_len;
	const uint8_t *chassis_id;	/* after the subtype, not terminated */
	const uint8_t *port_id;
	uint16_t ttl;		/* seconds; 0: the sender is leaving */
	const uint8_t *port_desc, *sys_name, *sys_desc;
	uint16_t port_desc_len, sys_name_len, sys_desc_len;
	uint16_t caps, caps_enabled;
	uint8_t mgmt_subtype;	/* IANA family: 1 IPv4, 2 IPv6, 6 802 */
	uint8_t mgmt_len;	/* address bytes (without the subtype) */
	uint8_t mgmt_addr[31];
	uint8_t mgmt_if_subtype;
	uint32_t mgmt_if;
	/* PROFINET (OUI 00-0E-CF) */
	uint32_t pn_rx_delay_local, pn_rx_delay_remote;
	uint32_t pn_tx_delay_local, pn_tx_delay_remote, pn_cable_delay;
	uint16_t pn_rtc2_status, pn_rtc3_status;
	uint8_t pn_mrp_domain[16];
	uint16_t pn_mrrt_status;
	uint8_t pn_chassis_mac[6];
	const uint8_t *pn_alias;	/* "port-002.io-1": across the cable */
	uint16_t pn_alias_len;
	/* IEEE 802.3 (OUI 00-12-0F) MAC/PHY configuration/status */
	uint8_t autoneg;	/* bit 0 supported, bit 1 enabled */
	uint16_t pmd_caps;
	uint16_t mau_type;
};

/*
 * PROFINET names a port "port-001" and, in LLDP's port id, may add the
 * station: "port-001.station-name".  Splits such an id: *port_len is the
 * port part's length, *station (and *station_len) the rest after the
 * first dot; 1 when the id is a PROFINET port name, 0 otherwise.
 */
int lldp_pn_port(const uint8_t *id, uint16_t len, uint16_t *port_len,
		 const uint8_t **station, uint16_t *station_len);

/* ---- the decoded frame --------------------------------------------------- */

struct decoded {
	uint8_t dst[6], src[6];
	uint8_t nvlan;
	uint16_t vlan[DECODE_MAX_VLAN];	/* VLAN ids, outer first */
	uint8_t pcp;			/* priority of the outer tag */
	uint16_t ethertype;		/* after the VLAN tags */
	uint8_t proto;			/* enum decode_proto */
	uint8_t has_ip;
	uint64_t anomalies;		/* DECODE_ABIT(...) */
	const uint8_t *l3;		/* payload after the ethertype */
	uint32_t l3_len;
	struct decode_ip ip;
	struct decode_ecat ecat;
	struct decode_pn pn;
	struct decode_dcp dcp;
	struct decode_alarm alarm;
	struct decode_ptcp ptcp;
	struct decode_cm cm;
	struct decode_lldp lldp;
};

/*
 * Decode one frame.  Returns 0 when the frame decoded cleanly, -1 when an
 * anomaly was recorded (out->anomalies says which).  Never allocates.
 */
int decode_frame(const uint8_t *p, uint32_t len, struct decoded *out);

/* Protocol entry points, used by decode_frame and by the fuzz targets.
 * Each decodes p[0..len) (the bytes after the ethertype or UDP header). */
int decode_ecat(const uint8_t *p, uint32_t len, struct decoded *out);
int decode_ecat_mbx(const uint8_t *p, uint32_t len, struct decoded *out,
		    unsigned int dgram);
int decode_pn(const uint8_t *p, uint32_t len, struct decoded *out);
int decode_dcp(const uint8_t *p, uint32_t len, struct decoded *out);
int decode_pn_alarm(const uint8_t *p, uint32_t len, struct decoded *out);
int decode_pnio_cm(const uint8_t *p, uint32_t len, struct decoded *out);
int decode_lldp(const uint8_t *p, uint32_t len, struct decoded *out);

/* ---- counters ------------------------------------------------------------ */

/* Per-context counters; the caller owns (and locks, if shared) them. */
struct decode_stats {
	uint64_t frames;
	uint64_t bytes;
	uint64_t anomalous;	/* frames with at least one anomaly */
	uint64_t proto[DECODE_PROTO_COUNT];
	uint64_t anomaly[DECODE_ANOMALY_COUNT];
};

void decode_stats_add(struct decode_stats *s, const struct decoded *d,
		      uint32_t wire_len);

/* ---- strings from the wire ------------------------------------------------ */

/*
 * Bytes from a frame (or any text not to be trusted) as a string safe to
 * print on a terminal, log, store and put into JSON: valid UTF-8 is kept
 * except control characters (C0, DEL, C1) and bidirectional controls,
 * whose bytes become "\xNN", as does every byte that is not UTF-8.  dst
 * is always terminated and is cut between characters when short; the
 * output comes back unchanged (so layers may each apply it).  Returns
 * strlen(dst).  Every place that shows or keeps a wire string uses it.
 */
size_t wire_str(char *dst, size_t size, const void *src, size_t len);
/*
 * The length of the UTF-8 sequence at s (len bytes left), its code point
 * in *cp; 0 when it is not one (RFC 3629: no overlong form, surrogate or
 * code point past U+10FFFF).
 */
size_t wire_utf8_seq(const uint8_t *s, size_t len, uint32_t *cp);

/* ---- JSON ------------------------------------------------------------------ */

/*
 * One frame as the JSON object `iiotctl decode` prints (docs/decode.md):
 * {"n","ts_ns","len","src","dst","vlan","proto","ecat"|"pn"|"dcp"|...,
 *  "anomalies"}.  Returns a new jansson object (json_decref it) or NULL
 * when out of memory.
 */
struct json_t;
struct json_t *decode_to_json(const struct decoded *d, uint64_t frame_no,
			      uint64_t ts_ns, uint32_t len);

/* The same object written compactly on one line to f; returns 0 or -1. */
int decode_print_json(FILE *f, const struct decoded *d, uint64_t frame_no,
		      uint64_t ts_ns, uint32_t len);

#endif
