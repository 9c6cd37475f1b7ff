/*
 * MQTT devices (docs/devices.md, "MQTT devices"): the JSON path map that
 * turns a device's JSON payload into signal values.  Pure code, no I/O:
 * mqmap.c (paths, signal lines, applying a map to a payload), mqconf.c
 * (the [mqtt] configuration).  The subscriber (subsys_mqtt.c) uses them.
 *
 * A path is a bounded walk from the payload's root: names separated by
 * '.', array indexes in brackets, e.g. "a.b[2].c" or "[0].v".  A name is
 * 1-63 letters, digits, '_' or '-'; an index 0-65535; at most
 * MQ_PATH_STEPS steps and MQ_PATH_MAX - 1 bytes.
 */
#ifndef IIOTD_MQMAP_H
#define IIOTD_MQMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MQ_PATH_MAX		128
#define MQ_PATH_STEPS		16
#define MQ_KEY_MAX		64
#define MQ_NAME_MAX		32	/* device and signal names: "DEV.SIG"
					 * fits a model signal name */
#define MQ_UNIT_MAX		16
#define MQ_SIGNALS_MAX		256	/* of one device */
#define MQ_PAYLOAD_MAX		(1U << 20)	/* the largest max_payload */

struct mq_step {
	bool index;			/* [n], else .key */
	uint16_t n;
	char key[MQ_KEY_MAX];
};

struct mq_path {
	char text[MQ_PATH_MAX];
	uint8_t nsteps;
	struct mq_step step[MQ_PATH_STEPS];
};

enum mq_type { MQ_NUMBER = 0, MQ_INT, MQ_BOOL, MQ_TYPE_COUNT };

struct mq_sig {
	char name[MQ_NAME_MAX];
	char unit[MQ_UNIT_MAX];
	uint8_t type;			/* enum mq_type */
	double scale, offset;		/* value = raw * scale + offset */
	struct mq_path path;
	int line;			/* config line */
};

/* 0, or -1 with why ("step 3: index '99999' is not 0-65535"). */
int mq_path_parse(const char *s, struct mq_path *p, char *why, size_t whylen);
/*
 * One "signal =" value: PATH NAME [TYPE] [scale=1] [offset=0] [unit=U],
 * TYPE number (the default), int or bool.  0, or -1 with why.
 */
int mq_sig_parse(const char *s, struct mq_sig *sg, char *why, size_t whylen);
const char *mq_type_name(unsigned int t);

/* What applying a map to one payload found. */
struct mq_result {
	bool malformed;			/* not JSON, or too large */
	unsigned int values;		/* signals with a value */
	unsigned int missing;		/* paths not in the payload */
	unsigned int bad_type;		/* a value of the wrong type */
	bool time_bad;			/* time path absent or unreadable */
	uint64_t ts_ns;			/* the payload's time, or now_ns */
};

/*
 * Apply the map (sigs[0..n), the time path tpath or NULL) to payload:
 * vals[i] and has[i] for each signal.  now_ns is the time when the
 * payload has none.  Never reads past len; payloads over max bytes are
 * malformed.  Returns the number of values.
 */
unsigned int mq_apply(const struct mq_sig *sigs, size_t n,
		      const struct mq_path *tpath, const void *payload,
		      size_t len, size_t max, uint64_t now_ns, double *vals,
		      bool *has, struct mq_result *res);

/* mq_apply's start, res cleared and no signal taken: false (and res
 * malformed) when len is over max or MQ_PAYLOAD_MAX. */
bool mq_apply_start(size_t n, size_t len, size_t max, uint64_t now_ns,
		    bool *has, struct mq_result *res);

/*
 * An RFC 3339 time ("2026-12-05T13:00:00.250Z", "...+01:00") or a number
 * of seconds, ms, µs or ns since the epoch (told apart by size) in ns;
 * 0 when unreadable.
 */
uint64_t mq_time_parse_str(const char *s);
uint64_t mq_time_from_number(double v);

/* MQTT topic filter match (+ one level, # the rest). */
bool mq_topic_match(const char *filter, const char *topic);
/* A topic filter: 1-255 bytes, no NUL, + and # only as whole levels, #
 * last.  0 or -1 with why. */
int mq_filter_check(const char *f, char *why, size_t whylen);

#endif
