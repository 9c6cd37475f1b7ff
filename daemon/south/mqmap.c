/*
 * The JSON path map of MQTT devices (mqmap.h): paths, signal lines, and a
 * map applied to a payload.  Payloads come from the network: their size
 * is checked before mqjson.c reads them, it bounds their depth, and a
 * path is a fixed walk of at most MQ_PATH_STEPS steps.
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "south/mqjson.h"
#include "south/mqmap.h"
#include "south/south.h"

#define MQ_SIG_LINE_MAX	512

static bool key_char(int c)
{
	return isalnum(c) || c == '_' || c == '-';
}

static int parse_index(const char **sp, struct mq_step *st, unsigned int k,
		       char *why, size_t whylen)
{
	const char *s = *sp + 1;
	unsigned long v = 0;
	size_t nd = 0;

	while (isdigit((unsigned char)s[nd]) && nd < 6)
		v = v * 10 + (unsigned long)(s[nd++] - '0');
	if (!nd || s[nd] != ']' || v > 65535) {
		snprintf(why, whylen, "step %u: an index is [0-65535]", k + 1);
		return -1;
	}
	st->index = true;
	st->n = (uint16_t)v;
	*sp = s + nd + 1;
	return 0;
}

int mq_path_parse(const char *s, struct mq_path *p, char *why, size_t whylen)
{
	const char *c = s;
	unsigned int k = 0;
	size_t n;

	memset(p, 0, sizeof(*p));
	if (!*s || strlen(s) >= sizeof(p->text)) {
		snprintf(why, whylen, "a path is 1-%d bytes", MQ_PATH_MAX - 1);
		return -1;
	}
	snprintf(p->text, sizeof(p->text), "%s", s);
	while (*c) {
		struct mq_step *st;

		if (k == MQ_PATH_STEPS) {
			snprintf(why, whylen, "more than %d steps",
				 MQ_PATH_STEPS);
			return -1;
		}
		st = &p->step[k];
		if (*c == '[') {
			if (parse_index(&c, st, k, why, whylen))
				return -1;
			k++;
			continue;
		}
		if (*c == '.') {
			if (!k) {
				snprintf(why, whylen, "a path starts with a "
					 "name or an index");
				return -1;
			}
			c++;
		} else if (k) {
			snprintf(why, whylen, "step %u: '%c' where '.' or '[' "
				 "was expected", k + 1, *c);
			return -1;
		}
		for (n = 0; key_char((unsigned char)c[n]); n++)
			;
		if (!n || n >= MQ_KEY_MAX) {
			snprintf(why, whylen, "step %u: a name is 1-%d letters, "
				 "digits, '_' or '-'", k + 1, MQ_KEY_MAX - 1);
			return -1;
		}
		memcpy(st->key, c, n);
		st->key[n] = 0;
		c += n;
		k++;
	}
	p->nsteps = (uint8_t)k;
	return 0;
}

const char *mq_type_name(unsigned int t)
{
	static const char *const n[] = { "number", "int", "bool" };

	return t < MQ_TYPE_COUNT ? n[t] : "?";
}

static bool name_ok(const char *s)
{
	size_t n = strlen(s);

	if (!n || n >= MQ_NAME_MAX)
		return false;
	for (; *s; s++)
		if (!key_char((unsigned char)*s))
			return false;
	return true;
}

static int sig_opt(struct mq_sig *sg, const char *tok, char *why,
		   size_t whylen)
{
	const char *eq = strchr(tok, '=');
	int rc = eq ? south_scale_opt(tok, (size_t)(eq - tok), eq + 1,
				      &sg->scale, &sg->offset, sg->unit,
				      sizeof(sg->unit), why, whylen) : 1;

	if (rc == 1)
		snprintf(why, whylen, "'%s' is not scale=, offset= or unit=",
			 tok);
	return rc ? -1 : 0;
}

int mq_sig_parse(const char *s, struct mq_sig *sg, char *why, size_t whylen)
{
	char buf[MQ_SIG_LINE_MAX], *tok[8];
	size_t ntok = 0, i = 2;
	char pwhy[96];
	unsigned int ty;

	memset(sg, 0, sizeof(*sg));
	sg->scale = 1;
	if (south_words(s, buf, sizeof(buf), tok, sizeof(tok) / sizeof(tok[0]),
			&ntok, "signal", why, whylen))
		return -1;
	if (ntok < 2) {
		snprintf(why, whylen, "a signal is PATH NAME [TYPE] "
			 "[scale=] [offset=] [unit=]");
		return -1;
	}
	if (mq_path_parse(tok[0], &sg->path, pwhy, sizeof(pwhy))) {
		snprintf(why, whylen, "path '%s': %s", tok[0], pwhy);
		return -1;
	}
	if (!name_ok(tok[1])) {
		snprintf(why, whylen, "signal name '%s' must be 1-%d letters, "
			 "digits, '_' or '-'", tok[1], MQ_NAME_MAX - 1);
		return -1;
	}
	snprintf(sg->name, sizeof(sg->name), "%s", tok[1]);
	if (ntok > 2 && !strchr(tok[2], '=')) {
		for (ty = 0; ty < MQ_TYPE_COUNT; ty++)
			if (!strcmp(tok[2], mq_type_name(ty)))
				break;
		if (ty == MQ_TYPE_COUNT) {
			snprintf(why, whylen, "type '%s' is not number, int "
				 "or bool", tok[2]);
			return -1;
		}
		sg->type = (uint8_t)ty;
		i = 3;
	}
	for (; i < ntok; i++)
		if (sig_opt(sg, tok[i], why, whylen))
			return -1;
	return 0;
}

static long walk(const struct mq_json *j, const struct mq_path *p)
{
	long v = 0;
	unsigned int i;

	for (i = 0; v >= 0 && i < p->nsteps; i++)
		v = p->step[i].index ? mq_json_at(j, v, p->step[i].n) :
		    mq_json_get(j, v, p->step[i].key);
	return v;
}

/* the raw value of token v as type t: 0, or -1 when v is not one */
static int raw_of(const struct mq_json *j, long v, unsigned int t,
		  double *out)
{
	int jt = j->t[v].type;
	double d;

	switch (t) {
	case MQ_BOOL:
		if (jt == MQ_J_TRUE || jt == MQ_J_FALSE) {
			*out = jt == MQ_J_TRUE;
			return 0;
		}
		if (jt == MQ_J_INT && ((d = mq_json_number(j, v)) == 0 ||
				       d == 1)) {
			*out = d;
			return 0;
		}
		return -1;
	case MQ_INT:
		if (jt != MQ_J_INT && jt != MQ_J_REAL)
			return -1;
		d = mq_json_number(j, v);
		if (jt == MQ_J_REAL && (!isfinite(d) || d != floor(d)))
			return -1;
		*out = d;
		return 0;
	default:
		if (jt != MQ_J_INT && jt != MQ_J_REAL)
			return -1;
		*out = mq_json_number(j, v);
		return isfinite(*out) ? 0 : -1;
	}
}

uint64_t mq_time_from_number(double v)
{
	uint64_t mult = 1, whole;

	if (!isfinite(v) || v <= 0 || v >= 1.8e19)
		return 0;
	if (v < 1e11)			/* seconds */
		mult = 1000000000ULL;
	else if (v < 1e14)		/* ms */
		mult = 1000000ULL;
	else if (v < 1e17)		/* µs */
		mult = 1000ULL;
	/* whole units exactly: a double's ns since 1970 are not */
	whole = (uint64_t)v;
	return whole * mult + (uint64_t)((v - (double)whole) * (double)mult);
}

static int digits(const char **s, unsigned int n, int *out)
{
	unsigned int i;

	*out = 0;
	for (i = 0; i < n; i++) {
		if (!isdigit((unsigned char)(*s)[i]))
			return -1;
		*out = *out * 10 + ((*s)[i] - '0');
	}
	*s += n;
	return 0;
}

uint64_t mq_time_parse_str(const char *s)
{
	int y, mo, d, h, mi, se, oh = 0, om = 0, sign = 0;
	uint64_t frac = 0, scale = 1000000000ULL;
	struct tm tm;
	time_t t;

	if (digits(&s, 4, &y) || *s++ != '-' || digits(&s, 2, &mo) ||
	    *s++ != '-' || digits(&s, 2, &d) || (*s != 'T' && *s != 't' &&
	    *s != ' ') || (s++, digits(&s, 2, &h)) || *s++ != ':' ||
	    digits(&s, 2, &mi) || *s++ != ':' || digits(&s, 2, &se))
		return 0;
	if (*s == '.') {
		s++;
		if (!isdigit((unsigned char)*s))
			return 0;
		for (; isdigit((unsigned char)*s); s++)
			if (scale > 1) {
				scale /= 10;
				frac += (uint64_t)(*s - '0') * scale;
			}
	}
	if (*s == 'Z' || *s == 'z') {
		s++;
	} else if (*s == '+' || *s == '-') {
		sign = *s++ == '-' ? -1 : 1;
		if (digits(&s, 2, &oh) || *s++ != ':' || digits(&s, 2, &om))
			return 0;
	} else {
		return 0;
	}
	if (*s || y < 1970 || mo < 1 || mo > 12 || d < 1 || d > 31 ||
	    h > 23 || mi > 59 || se > 60 || oh > 23 || om > 59)
		return 0;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = se;
	t = timegm(&tm) - (time_t)sign * (oh * 3600 + om * 60);
	return t > 0 ? (uint64_t)t * 1000000000ULL + frac : 0;
}

static uint64_t time_of(const struct mq_json *j, long v)
{
	char stack[128], *b;
	uint64_t t;

	if (v >= 0 && (j->t[v].type == MQ_J_INT || j->t[v].type == MQ_J_REAL))
		return mq_time_from_number(mq_json_number(j, v));
	if (v < 0 || j->t[v].type != MQ_J_STR)
		return 0;
	/* decoded, a string is never longer than its bytes */
	b = j->t[v].len < sizeof(stack) ? stack : malloc(j->t[v].len + 1);
	if (!b)
		return 0;
	mq_json_string(j, v, b, j->t[v].len + 1);
	t = mq_time_parse_str(b);
	if (b != stack)
		free(b);
	return t;
}

bool mq_apply_start(size_t n, size_t len, size_t max, uint64_t now_ns,
		    bool *has, struct mq_result *res)
{
	size_t i;

	memset(res, 0, sizeof(*res));
	res->ts_ns = now_ns;
	for (i = 0; i < n; i++)
		has[i] = false;
	res->malformed = len > max || len > MQ_PAYLOAD_MAX;
	return !res->malformed;
}

unsigned int mq_apply(const struct mq_sig *sigs, size_t n,
		      const struct mq_path *tpath, const void *payload,
		      size_t len, size_t max, uint64_t now_ns, double *vals,
		      bool *has, struct mq_result *res)
{
	struct mq_json j;
	double raw;
	size_t i;
	long v;

	if (!mq_apply_start(n, len, max, now_ns, has, res))
		return 0;
	if (mq_json_parse(&j, payload, len)) {
		mq_json_free(&j);
		res->malformed = true;
		return 0;
	}
	for (i = 0; i < n; i++) {
		v = walk(&j, &sigs[i].path);
		if (v < 0 || j.t[v].type == MQ_J_NULL) {
			res->missing++;
			continue;
		}
		if (raw_of(&j, v, sigs[i].type, &raw)) {
			res->bad_type++;
			continue;
		}
		vals[i] = sigs[i].type == MQ_BOOL ? raw :
			  raw * sigs[i].scale + sigs[i].offset;
		has[i] = true;
		res->values++;
	}
	if (tpath) {
		uint64_t t = time_of(&j, walk(&j, tpath));

		if (t)
			res->ts_ns = t;
		else
			res->time_bad = true;
	}
	mq_json_free(&j);
	return res->values;
}

bool mq_topic_match(const char *f, const char *t)
{
	const char *fe, *te;
	size_t fl, tl;

	/* a filter starting with a wildcard never matches $-topics */
	if (*t == '$' && (*f == '+' || *f == '#'))
		return false;
	for (;;) {
		fe = strchr(f, '/');
		te = strchr(t, '/');
		fl = fe ? (size_t)(fe - f) : strlen(f);
		tl = te ? (size_t)(te - t) : strlen(t);
		if (fl == 1 && *f == '#')
			return true;
		if (!(fl == 1 && *f == '+') && (fl != tl || memcmp(f, t, fl)))
			return false;
		if (!fe)
			return !te;
		if (!te)	/* "a/#" matches "a" */
			return !strcmp(fe + 1, "#");
		f = fe + 1;
		t = te + 1;
	}
}

int mq_filter_check(const char *f, char *why, size_t whylen)
{
	size_t n = strlen(f), i;

	if (!n || n > 255) {
		snprintf(why, whylen, "a topic is 1-255 bytes");
		return -1;
	}
	for (i = 0; i < n; i++) {
		bool start = !i || f[i - 1] == '/';
		bool end = i + 1 == n || f[i + 1] == '/';

		if ((f[i] == '+' || f[i] == '#') && (!start || !end)) {
			snprintf(why, whylen, "'%c' only as a whole level",
				 f[i]);
			return -1;
		}
		if (f[i] == '#' && i + 1 != n) {
			snprintf(why, whylen, "'#' only as the last level");
			return -1;
		}
		if ((unsigned char)f[i] < 0x20) {
			snprintf(why, whylen, "a control character");
			return -1;
		}
	}
	return 0;
}
