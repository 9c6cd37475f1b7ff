/*
 * The JSON path map as it was on jansson (json_loadb, JSON_ALLOW_NUL),
 * kept as the oracle of mqjson.c: tests/south/test_mqtt.c and
 * tests/fuzz/fuzz_mqtt_json.c apply a map both ways and want the same
 * result.
 */
#include <math.h>
#include <string.h>

#include <jansson.h>

#include "south/mqmap.h"
#include "mqref.h"

static json_t *walk(json_t *v, const struct mq_path *p)
{
	unsigned int i;

	for (i = 0; v && i < p->nsteps; i++)
		v = p->step[i].index ? json_array_get(v, p->step[i].n) :
		    json_object_get(v, p->step[i].key);
	return v;
}

/* the raw value of v as type t: 0, or -1 when v is not one */
static int raw_of(json_t *v, unsigned int t, double *out)
{
	double d;

	switch (t) {
	case MQ_BOOL:
		if (json_is_boolean(v)) {
			*out = json_is_true(v);
			return 0;
		}
		if (json_is_integer(v) && (json_integer_value(v) == 0 ||
					   json_integer_value(v) == 1)) {
			*out = (double)json_integer_value(v);
			return 0;
		}
		return -1;
	case MQ_INT:
		if (json_is_integer(v)) {
			*out = (double)json_integer_value(v);
			return 0;
		}
		d = json_is_real(v) ? json_real_value(v) : NAN;
		if (!isfinite(d) || d != floor(d))
			return -1;
		*out = d;
		return 0;
	default:
		if (!json_is_number(v))
			return -1;
		*out = json_number_value(v);
		return isfinite(*out) ? 0 : -1;
	}
}

static uint64_t time_of(json_t *v)
{
	if (json_is_string(v))
		return mq_time_parse_str(json_string_value(v));
	if (json_is_number(v))
		return mq_time_from_number(json_number_value(v));
	return 0;
}

unsigned int mq_apply_jansson(const struct mq_sig *sigs, size_t n,
		      const struct mq_path *tpath, const void *payload,
		      size_t len, size_t max, uint64_t now_ns, double *vals,
		      bool *has, struct mq_result *res)
{
	json_error_t je;
	json_t *root, *v;
	double raw;
	size_t i;

	if (!mq_apply_start(n, len, max, now_ns, has, res))
		return 0;
	/* JSON_ALLOW_NUL: a NUL inside a string is the payload's business;
	 * jansson stops at its own depth limit */
	root = json_loadb(payload, len, JSON_ALLOW_NUL, &je);
	if (!root) {
		res->malformed = true;
		return 0;
	}
	for (i = 0; i < n; i++) {
		v = walk(root, &sigs[i].path);
		if (!v || json_is_null(v)) {
			res->missing++;
			continue;
		}
		if (raw_of(v, sigs[i].type, &raw)) {
			res->bad_type++;
			continue;
		}
		vals[i] = sigs[i].type == MQ_BOOL ? raw :
			  raw * sigs[i].scale + sigs[i].offset;
		has[i] = true;
		res->values++;
	}
	if (tpath) {
		uint64_t t = time_of(walk(root, tpath));

		if (t)
			res->ts_ns = t;
		else
			res->time_bad = true;
	}
	json_decref(root);
	return res->values;
}


bool mq_same(const struct mq_result *a, const struct mq_result *b, size_t n,
	     const double *va, const bool *ha, const double *vb,
	     const bool *hb)
{
	size_t i;

	if (a->malformed != b->malformed || a->values != b->values ||
	    a->missing != b->missing || a->bad_type != b->bad_type ||
	    a->time_bad != b->time_bad || a->ts_ns != b->ts_ns)
		return false;
	for (i = 0; i < n; i++)
		if (ha[i] != hb[i] || (ha[i] && va[i] != vb[i]))
			return false;
	return true;
}
