/*
 * Sparkplug B payloads and topics (docs/north.md): a payload built metric
 * by metric into arrays that grow (no allocation per metric), packed with
 * protobuf-c; the sequence number appended to a packed payload (the
 * store-and-forward queue keeps payloads without one); commands decoded
 * within explicit limits.
 */
#ifndef IIOT_NORTH_SPB_H
#define IIOT_NORTH_SPB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "north/sparkplug_b.pb-c.h"

#define SPB_NAMESPACE	"spBv1.0"
#define SPB_TOPIC_MAX	512
#define SPB_NAME_MAX	128	/* metric names, ours and in commands */
#define SPB_STR_MAX	256	/* string values we publish */
#define SPB_CMD_MAX	(64 * 1024)	/* bytes of a command payload */
#define SPB_CMD_METRICS	256	/* metrics in one command */
#define SPB_REBIRTH	"Node Control/Rebirth"
#define SPB_NEXT_SERVER	"Node Control/Next Server"
#define SPB_SCAN_RATE	"Node Control/Scan Rate"
/* the metric property births carry: whether a command may write it */
#define SPB_PROP_READONLY "readOnly"

/* the data types iiot publishes (DataType in sparkplug_b.proto) */
enum spb_type {
	SPB_INT64 = SPB__DATA_TYPE__Int64,
	SPB_UINT32 = SPB__DATA_TYPE__UInt32,
	SPB_UINT64 = SPB__DATA_TYPE__UInt64,
	SPB_DOUBLE = SPB__DATA_TYPE__Double,
	SPB_BOOL = SPB__DATA_TYPE__Boolean,
	SPB_STRING = SPB__DATA_TYPE__String,
};

struct spb_value {
	uint32_t type;			/* enum spb_type */
	uint64_t u;			/* integers, booleans */
	double d;
	char s[SPB_STR_MAX];
};

/* A payload under construction. */
struct spb_buf {
	Spb__Payload p;
	Spb__Payload__Metric *m;
	Spb__Payload__Metric **mp;
	size_t n, cap;
};

/* "spBv1.0/<group>/<type>/<edge>[/<device>]"; -1 when it does not fit */
int spb_topic(char *buf, size_t len, const char *group, const char *type,
	      const char *edge, const char *device);
/* A topic level from a free text: '/', '+', '#' and controls become '_'. */
void spb_level(char *dst, size_t len, const char *src);

void spb_init(struct spb_buf *b, uint64_t ts_ms);
/*
 * Add a metric: name may be NULL (alias only), alias 0 with has_alias
 * false for none; the strings are referenced until spb_pack.  -1 when out
 * of memory.
 */
int spb_add(struct spb_buf *b, const char *name, bool has_alias,
	    uint64_t alias, uint64_t ts_ms, const struct spb_value *v,
	    bool historical);
/* The last metric added carries the property readOnly (Boolean). */
void spb_readonly(struct spb_buf *b, bool readonly);
/* Packed bytes (malloc'd) into *out, or 0 when out of memory. */
size_t spb_pack(struct spb_buf *b, bool with_seq, uint64_t seq,
		uint8_t **out);
void spb_free(struct spb_buf *b);
/*
 * A packed payload without a sequence number, with seq appended (field 3,
 * a varint: protobuf allows a field anywhere).  out holds len + 3 bytes;
 * returns the new length.
 */
size_t spb_with_seq(uint8_t *out, const uint8_t *buf, size_t len,
		    unsigned int seq);

/* One metric of a command, as the edge node reads it. */
struct spb_cmd {
	char name[SPB_NAME_MAX];	/* "" when sent by alias only */
	bool has_alias;
	uint64_t alias;
	uint32_t datatype;
	bool is_bool, bval;		/* a boolean_value was sent */
	bool has_num;			/* a number or boolean was sent */
	double num;			/* its value, signed by datatype */
};

/*
 * Decode a command (NCMD/DCMD) payload and hand each metric to cb (a
 * non-zero return stops).  -1 with why set when the payload is not one:
 * too long, not a Payload, too many metrics, a name too long.
 */
int spb_cmd_parse(const uint8_t *buf, size_t len,
		  int (*cb)(void *arg, const struct spb_cmd *c), void *arg,
		  char *why, size_t whylen);

#endif
