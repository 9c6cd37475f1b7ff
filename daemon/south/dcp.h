/*
 * PROFINET DCP control (IEC 61158-6-10 §4.3, docs/devices.md "Control"):
 * requests iiot sends from the capture interface and the check of what
 * comes back.
 *
 *   dcp_frame.c   the request frames (Identify all or by name, Signal,
 *                 Set NameOfStation, Set IP, Reset to factory) and the
 *                 answer check, pure: no I/O, fuzzed (tests/fuzz/fuzz_dcp.c)
 *   dcp_io.c      the raw socket (opened before the privilege drop), one
 *                 request at a time, answers matched by Xid until a timeout
 *   subsys_dcp.c  [dcp] configuration and counters
 */
#ifndef IIOT_SOUTH_DCP_H
#define IIOT_SOUTH_DCP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DCP_ETHERTYPE		0x8892
#define DCP_FID_GETSET		0xFEFD
#define DCP_FID_IDENT_REQ	0xFEFE
#define DCP_FID_IDENT_RSP	0xFEFF
#define DCP_FRAME_MIN		60	/* without the FCS */
#define DCP_FRAME_MAX		300	/* the longest request: a 240-byte name */
#define DCP_NAME_MAX		240	/* NameOfStation */
#define DCP_ANSWERS_MAX		64	/* Identify answers kept per request */

enum dcp_op {
	DCP_OP_IDENTIFY,	/* all, or by NameOfStation */
	DCP_OP_SIGNAL,		/* flash the device's LED */
	DCP_OP_SET_NAME,
	DCP_OP_SET_IP,
	DCP_OP_RESET,		/* ResetToFactory */
	DCP_OP_COUNT
};

/* ResetToFactory modes (BlockQualifier bits 1-15) */
#define DCP_RESET_APP		1	/* application data */
#define DCP_RESET_COMM		2	/* communication parameters */
#define DCP_RESET_ENG		3	/* engineering parameters */
#define DCP_RESET_ALL		4	/* all stored data */
#define DCP_RESET_DEVICE	8
#define DCP_RESET_RESTORE	9	/* reset and restore data */

struct dcp_request {
	enum dcp_op op;
	uint8_t dst[6];		/* the device; Identify: the DCP multicast */
	uint8_t src[6];		/* the interface iiot sends from */
	uint32_t xid;
	uint16_t response_delay;	/* Identify: ResponseDelayFactor, 1-6400 */
	char name[DCP_NAME_MAX + 1];	/* Set name; Identify: "" is all */
	uint32_t ip, mask, gw;		/* Set IP, host order */
	bool permanent;			/* Set: BlockQualifier 1, else 0 */
	uint16_t reset_mode;		/* DCP_RESET_* */
};

/* What is wrong with an answer to one of our requests */
#define DCP_ANOMALIES(X)						\
	X(MALFORMED,		"answer_malformed")			\
	X(WRONG_SERVICE,	"answer_wrong_service")			\
	X(NO_RESULT,		"answer_without_result_block")		\
	X(NAME_MISMATCH,	"answer_name_mismatch")			\
	X(NO_IDENTITY,		"answer_without_identity")

enum dcp_anomaly {
#define X(a, s) DCP_AN_##a,
	DCP_ANOMALIES(X)
#undef X
	DCP_AN_COUNT
};

struct dcp_answer {
	uint8_t mac[6];		/* who answered */
	char name[DCP_NAME_MAX * 4 + 1];	/* wire_str of NameOfStation */
	char type[128];		/* TypeOfStation, wire_str */
	bool has_ip, has_id;
	uint32_t ip, mask, gw;
	uint16_t ip_info;	/* BlockInfo: 0 none, 1 set, 2 DHCP, 0x80 conflict */
	uint16_t vendor_id, device_id;
	uint8_t service_type;	/* 1 success, 5 not supported */
	uint8_t block_error;	/* Set: the device's BlockError, 0 done */
	enum dcp_anomaly anomaly;	/* with DCP_MATCH_BAD */
	char detail[96];	/* with DCP_MATCH_BAD: the decoder's anomaly */
};

enum dcp_match {
	DCP_MATCH_NONE,		/* not an answer to this request */
	DCP_MATCH_OK,		/* done (Set) or one device identified */
	DCP_MATCH_REFUSED,	/* the device answered no (block_error) */
	DCP_MATCH_BAD,		/* ours, but malformed: an anomaly, no result */
};

const char *dcp_op_name(enum dcp_op op);
int dcp_op_from_name(const char *s);		/* -1 unknown */
const char *dcp_anomaly_name(enum dcp_anomaly a);
const char *dcp_block_error_name(uint8_t e);

/* NameOfStation rules (IEC 61158-6-10 §4.3.1.4.16): labels of a-z 0-9 -,
 * 1-63 characters, not starting or ending with -, at most 240 in all. */
bool dcp_name_valid(const char *name);

/*
 * The request frame into buf (at least DCP_FRAME_MAX bytes), padded to
 * the Ethernet minimum.  Returns its length, or 0 when the request is
 * not one (bad name, op, mode).
 */
size_t dcp_encode(const struct dcp_request *q, uint8_t *buf, size_t cap);

/* Does frame f answer q?  Fills a unless DCP_MATCH_NONE. */
enum dcp_match dcp_answer_check(const struct dcp_request *q,
				const uint8_t *f, uint32_t len,
				struct dcp_answer *a);

/* ---- dcp_io.c ------------------------------------------------------------ */

struct dcp_result {
	enum dcp_match match;	/* Set: the answer's; Identify: OK with n > 0 */
	unsigned int n;		/* answers (Identify: one per device) */
	unsigned int bad;	/* answers that were anomalies */
	struct dcp_answer a[DCP_ANSWERS_MAX];
};

/* Open the raw socket on ifname; before the privilege drop.  0 or -1. */
int dcp_io_open(const char *ifname, char *err, size_t errlen);
void dcp_io_close(void);
bool dcp_io_ready(void);
/* Our interface's MAC (the engineering station iiot is), false when closed */
bool dcp_io_mac(uint8_t mac[6]);
/*
 * Send q (its src and xid are filled in here) and collect answers until
 * the first for a Set, or until timeout_ms for an Identify.  Blocks: call
 * it from a worker.  0, or -1 with why (nothing sent, or a send error).
 */
int dcp_io_run(struct dcp_request *q, int timeout_ms, struct dcp_result *res,
	       char *why, size_t whylen);

/* counters, for iiotctl stats and the API */
struct dcp_counters {
	uint64_t sent, answers, refused, timeouts, bad;
	uint64_t anomaly[DCP_AN_COUNT];
};
void dcp_io_counters(struct dcp_counters *c);

/* ---- subsys_dcp.c: [dcp] --------------------------------------------------- */

struct dcp_settings {
	char interface[16];	/* "": DCP control off */
	int timeout_ms;		/* a Set's answer, 1000 */
	int identify_ms;	/* Identify answers collected, 1500 */
	unsigned int per_device;	/* requests a minute per device, 6 */
	unsigned int per_user;		/* requests a minute per user, 20 */
};
void dcp_settings(struct dcp_settings *s);

struct conf;
/* [dcp] of c into s; 0, or -1 with the line in err */
int dcp_conf(const struct conf *c, struct dcp_settings *s, char *err,
	     size_t errlen);
/* The MAC of [dcp] interface (an engineering station for the IDS) */
bool dcp_conf_mac(const struct conf *c, uint8_t mac[6]);

#endif
