/*
 * Sparkplug B payloads and topics (spb.h).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "north/spb.h"

int spb_topic(char *buf, size_t len, const char *group, const char *type,
	      const char *edge, const char *device)
{
	int n;

	if (device)
		n = snprintf(buf, len, SPB_NAMESPACE "/%s/%s/%s/%s", group,
			     type, edge, device);
	else
		n = snprintf(buf, len, SPB_NAMESPACE "/%s/%s/%s", group, type,
			     edge);
	return n < 0 || (size_t)n >= len ? -1 : 0;
}

void spb_level(char *dst, size_t len, const char *src)
{
	size_t i;

	for (i = 0; len && i + 1 < len && src[i]; i++) {
		unsigned char c = (unsigned char)src[i];

		dst[i] = c == '/' || c == '+' || c == '#' || c < 0x20 ||
			 c == 0x7f ? '_' : (char)c;
	}
	if (len)
		dst[i] = 0;
}

void spb_init(struct spb_buf *b, uint64_t ts_ms)
{
	Spb__Payload init = SPB__PAYLOAD__INIT;

	memset(b, 0, sizeof(*b));
	b->p = init;
	b->p.has_timestamp = 1;
	b->p.timestamp = ts_ms;
}

int spb_add(struct spb_buf *b, const char *name, bool has_alias,
	    uint64_t alias, uint64_t ts_ms, const struct spb_value *v,
	    bool historical)
{
	Spb__Payload__Metric init = SPB__PAYLOAD__METRIC__INIT, *m;

	if (b->n == b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 16;
		void *p = realloc(b->m, cap * sizeof(*b->m));

		if (!p)
			return -1;
		b->m = p;
		b->cap = cap;
	}
	m = &b->m[b->n++];
	*m = init;
	m->name = (char *)name;
	m->has_alias = has_alias;
	m->alias = alias;
	m->has_timestamp = 1;
	m->timestamp = ts_ms;
	m->has_datatype = 1;
	m->datatype = v->type;
	if (historical)
		m->has_is_historical = m->is_historical = 1;
	switch (v->type) {
	case SPB_UINT32:
		m->value_case = SPB__PAYLOAD__METRIC__VALUE_INT_VALUE;
		m->int_value = (uint32_t)v->u;
		break;
	case SPB_INT64:
	case SPB_UINT64:
		m->value_case = SPB__PAYLOAD__METRIC__VALUE_LONG_VALUE;
		m->long_value = v->u;
		break;
	case SPB_DOUBLE:
		m->value_case = SPB__PAYLOAD__METRIC__VALUE_DOUBLE_VALUE;
		m->double_value = v->d;
		break;
	case SPB_BOOL:
		m->value_case = SPB__PAYLOAD__METRIC__VALUE_BOOLEAN_VALUE;
		m->boolean_value = v->u != 0;
		break;
	default:
		m->value_case = SPB__PAYLOAD__METRIC__VALUE_STRING_VALUE;
		m->string_value = (char *)v->s;
		break;
	}
	return 0;
}

/* two property sets every metric points to (packing only reads them):
 * no allocation per metric of a birth */
static char *ro_keys[] = { SPB_PROP_READONLY };
static Spb__Payload__PropertyValue ro_val[2];
static Spb__Payload__PropertyValue *ro_valp[2][1];
static Spb__Payload__PropertySet ro_set[2];
static pthread_once_t ro_once = PTHREAD_ONCE_INIT;

static void ro_init(void)
{
	Spb__Payload__PropertyValue vi = SPB__PAYLOAD__PROPERTY_VALUE__INIT;
	Spb__Payload__PropertySet si = SPB__PAYLOAD__PROPERTY_SET__INIT;
	int i;

	for (i = 0; i < 2; i++) {
		ro_val[i] = vi;
		ro_val[i].has_type = 1;
		ro_val[i].type = SPB__DATA_TYPE__Boolean;
		ro_val[i].value_case =
			SPB__PAYLOAD__PROPERTY_VALUE__VALUE_BOOLEAN_VALUE;
		ro_val[i].boolean_value = i;
		ro_valp[i][0] = &ro_val[i];
		ro_set[i] = si;
		ro_set[i].n_keys = 1;
		ro_set[i].keys = ro_keys;
		ro_set[i].n_values = 1;
		ro_set[i].values = ro_valp[i];
	}
}

void spb_readonly(struct spb_buf *b, bool readonly)
{
	pthread_once(&ro_once, ro_init);
	if (b->n)
		b->m[b->n - 1].properties = &ro_set[readonly ? 1 : 0];
}

size_t spb_pack(struct spb_buf *b, bool with_seq, uint64_t seq,
		uint8_t **out)
{
	size_t i, len;

	*out = NULL;
	free(b->mp);
	b->mp = b->n ? malloc(b->n * sizeof(*b->mp)) : NULL;
	if (b->n && !b->mp)
		return 0;
	for (i = 0; i < b->n; i++)
		b->mp[i] = &b->m[i];
	b->p.n_metrics = b->n;
	b->p.metrics = b->mp;
	b->p.has_seq = with_seq;
	b->p.seq = seq;
	len = spb__payload__get_packed_size(&b->p);
	*out = malloc(len ? len : 1);
	if (!*out)
		return 0;
	return spb__payload__pack(&b->p, *out);
}

void spb_free(struct spb_buf *b)
{
	free(b->m);
	free(b->mp);
	memset(b, 0, sizeof(*b));
}

size_t spb_with_seq(uint8_t *out, const uint8_t *buf, size_t len,
		    unsigned int seq)
{
	size_t n = len;

	memcpy(out, buf, len);
	out[n++] = 3 << 3;		/* field 3, varint */
	seq &= 0xff;
	if (seq < 0x80) {
		out[n++] = (uint8_t)seq;
	} else {
		out[n++] = (uint8_t)(seq | 0x80);
		out[n++] = (uint8_t)(seq >> 7);
	}
	return n;
}

/* a command's value as a number: integers by their datatype's sign
 * (Sparkplug 3.0 carries Int8-Int32 in int_value as two's complement) */
static bool cmd_num(const Spb__Payload__Metric *m, double *out)
{
	uint32_t t = m->has_datatype ? m->datatype : 0;

	switch (m->value_case) {
	case SPB__PAYLOAD__METRIC__VALUE_INT_VALUE:
		if (t == SPB__DATA_TYPE__Int8)
			*out = (int8_t)m->int_value;
		else if (t == SPB__DATA_TYPE__Int16)
			*out = (int16_t)m->int_value;
		else if (t == SPB__DATA_TYPE__Int32)
			*out = (int32_t)m->int_value;
		else
			*out = m->int_value;
		return true;
	case SPB__PAYLOAD__METRIC__VALUE_LONG_VALUE:
		*out = t == SPB__DATA_TYPE__Int64 || t == SPB__DATA_TYPE__DateTime ?
		       (double)(int64_t)m->long_value : (double)m->long_value;
		return true;
	case SPB__PAYLOAD__METRIC__VALUE_FLOAT_VALUE:
		*out = m->float_value;
		return true;
	case SPB__PAYLOAD__METRIC__VALUE_DOUBLE_VALUE:
		*out = m->double_value;
		return true;
	case SPB__PAYLOAD__METRIC__VALUE_BOOLEAN_VALUE:
		*out = m->boolean_value ? 1 : 0;
		return true;
	default:
		return false;
	}
}

int spb_cmd_parse(const uint8_t *buf, size_t len,
		  int (*cb)(void *arg, const struct spb_cmd *c), void *arg,
		  char *why, size_t whylen)
{
	Spb__Payload *p;
	struct spb_cmd c;
	size_t i;
	int rc = 0;

	if (len > SPB_CMD_MAX) {
		snprintf(why, whylen, "payload of %zu bytes (at most %d)", len,
			 SPB_CMD_MAX);
		return -1;
	}
	p = spb__payload__unpack(NULL, len, buf);
	if (!p) {
		snprintf(why, whylen, "not a Sparkplug B payload");
		return -1;
	}
	if (p->n_metrics > SPB_CMD_METRICS) {
		snprintf(why, whylen, "%zu metrics (at most %d)", p->n_metrics,
			 SPB_CMD_METRICS);
		rc = -1;
	}
	/* all checked before any is acted on: a bad command does nothing */
	for (i = 0; !rc && i < p->n_metrics; i++) {
		const Spb__Payload__Metric *m = p->metrics[i];

		if (m->name && strlen(m->name) >= SPB_NAME_MAX) {
			snprintf(why, whylen, "metric %zu: name longer than %d",
				 i, SPB_NAME_MAX - 1);
			rc = -1;
		} else if ((!m->name || !m->name[0]) && !m->has_alias) {
			snprintf(why, whylen,
				 "metric %zu: neither name nor alias", i);
			rc = -1;
		}
	}
	for (i = 0; !rc && i < p->n_metrics; i++) {
		const Spb__Payload__Metric *m = p->metrics[i];

		memset(&c, 0, sizeof(c));
		if (m->name)
			strcpy(c.name, m->name);
		c.has_alias = m->has_alias;
		c.alias = m->alias;
		c.datatype = m->has_datatype ? m->datatype : 0;
		c.is_bool = m->value_case ==
			    SPB__PAYLOAD__METRIC__VALUE_BOOLEAN_VALUE;
		c.bval = c.is_bool && m->boolean_value;
		c.has_num = cmd_num(m, &c.num);
		if (cb(arg, &c))
			break;
	}
	spb__payload__free_unpacked(p, NULL);
	return rc;
}
