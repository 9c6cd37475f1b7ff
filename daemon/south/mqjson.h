/*
 * An MQTT device's JSON payload read for its path map (mqjson.c): one
 * pass checks the whole payload and lays its values out as a tape, with
 * no allocation for payloads of up to MQ_TAPE_STACK values; a path is
 * then a walk over the tape.  It takes and refuses exactly what jansson
 * (json_loadb with JSON_ALLOW_NUL, which the map used before) takes and
 * refuses: an object or array at the root, UTF-8 everywhere, escapes
 * and surrogate pairs, no NUL in a key, integers that fit int64, reals
 * that do not overflow, MQ_JSON_DEPTH levels, the last of duplicate
 * keys.  tests/south/test_mqtt.c and tests/fuzz/fuzz_mqtt_json.c hold
 * it to jansson.
 */
#ifndef IIOTD_MQJSON_H
#define IIOTD_MQJSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MQ_JSON_DEPTH	2048	/* jansson's JSON_PARSER_MAX_DEPTH */
#define MQ_TAPE_STACK	256

enum mq_jtype {
	MQ_J_OBJ = 1, MQ_J_ARR, MQ_J_STR, MQ_J_INT, MQ_J_REAL, MQ_J_TRUE,
	MQ_J_FALSE, MQ_J_NULL
};

/* A value (or an object's key, a string before its value). */
struct mq_jtok {
	uint8_t type;			/* enum mq_jtype */
	bool esc;			/* a string with escapes */
	uint32_t off, len;		/* its bytes; a string's inside "" */
	uint32_t next;			/* the token after it and its members */
	uint32_t n;			/* members of an object or array */
};

struct mq_json {
	const char *buf;
	struct mq_jtok *t;
	size_t nt, cap;
	struct mq_jtok stack[MQ_TAPE_STACK];
};

/* The payload checked and laid out: 0, or -1 when it is not JSON (or
 * out of memory); mq_json_free after either. */
int mq_json_parse(struct mq_json *j, const char *buf, size_t len);
void mq_json_free(struct mq_json *j);
/* Member key of object o (a token index), the last one there is, or
 * element i of array o: its token index, or -1. */
long mq_json_get(const struct mq_json *j, long o, const char *key);
long mq_json_at(const struct mq_json *j, long o, unsigned int i);
/* A number token's value: an integer's as jansson's
 * json_number_value gives it. */
double mq_json_number(const struct mq_json *j, long t);
/* A string token's text, decoded, into out as a C string (it ends at
 * its first NUL); decoded text is never longer than the token's len,
 * and it is cut at cap - 1 bytes. */
void mq_json_string(const struct mq_json *j, long t, char *out, size_t cap);

#endif
