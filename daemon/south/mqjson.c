/*
 * MQTT payloads read as a tape (mqjson.h).  jansson built a tree of
 * allocated nodes and a hash table per object for every message, and
 * threw it away after ten lookups: most of the subscriber's time at a
 * few ten thousand messages a second.  Here one pass checks the payload
 * as jansson does and records each value's place; containers know where
 * they end, so a path skips what it does not walk into.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "south/mqjson.h"

#define NUM_STACK	64	/* a number copied to be converted */

struct scan {
	struct mq_json *j;
	const unsigned char *p, *start, *end;
};

static bool is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static int hex(int c)
{
	if (is_digit(c))
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static void ws(struct scan *s)
{
	while (s->p < s->end && (*s->p == ' ' || *s->p == '\t' ||
				 *s->p == '\n' || *s->p == '\r'))
		s->p++;
}

static long tok_add(struct scan *s, int type, const unsigned char *at)
{
	struct mq_json *j = s->j;
	struct mq_jtok *t;

	if (j->nt == j->cap) {
		size_t nc = j->cap * 2;

		t = j->t == j->stack ? malloc(nc * sizeof(*t)) :
		    realloc(j->t, nc * sizeof(*t));
		if (!t)
			return -1;
		if (j->t == j->stack)
			memcpy(t, j->stack, sizeof(j->stack));
		j->t = t;
		j->cap = nc;
	}
	t = &j->t[j->nt];
	memset(t, 0, sizeof(*t));
	t->type = (uint8_t)type;
	t->off = (uint32_t)(at - s->start);
	t->next = (uint32_t)j->nt + 1;
	return (long)j->nt++;
}

/* the \uXXXX at p (p[0] == '\\'), or -1 */
static long u_escape(const unsigned char *p, const unsigned char *end)
{
	long v = 0;
	int i, h;

	if (end - p < 6 || p[0] != '\\' || p[1] != 'u')
		return -1;
	for (i = 2; i < 6; i++) {
		if ((h = hex(p[i])) < 0)
			return -1;
		v = v * 16 + h;
	}
	return v;
}

/* bytes of the UTF-8 character at p, 0 when it is not one (jansson's
 * utf8_check_first and utf8_check_full) */
static size_t utf8_len(const unsigned char *p, const unsigned char *end)
{
	unsigned int c = *p, v, n, i;

	if (c < 0x80)
		return 1;
	if (c >= 0xC2 && c <= 0xDF)
		n = 2, v = c & 0x1F;
	else if (c >= 0xE0 && c <= 0xEF)
		n = 3, v = c & 0x0F;
	else if (c >= 0xF0 && c <= 0xF4)
		n = 4, v = c & 0x07;
	else
		return 0;
	if ((size_t)(end - p) < n)
		return 0;
	for (i = 1; i < n; i++) {
		if (p[i] < 0x80 || p[i] > 0xBF)
			return 0;
		v = (v << 6) | (p[i] & 0x3F);
	}
	if (v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF) ||
	    (n == 3 && v < 0x800) || (n == 4 && v < 0x10000))
		return 0;
	return n;
}

/* one escape at s->p ('\\'): -1 when bad; a key's may not be NUL */
static int escape(struct scan *s, bool key)
{
	long u, lo;

	if (s->end - s->p < 2)
		return -1;
	if (s->p[1] && strchr("\"\\/bfnrt", s->p[1])) {
		s->p += 2;
		return 0;
	}
	if ((u = u_escape(s->p, s->end)) < 0)
		return -1;
	s->p += 6;
	if (u >= 0xDC00 && u <= 0xDFFF)
		return -1;
	if (u >= 0xD800 && u <= 0xDBFF) {
		lo = u_escape(s->p, s->end);
		if (lo < 0xDC00 || lo > 0xDFFF)
			return -1;
		s->p += 6;
	}
	return key && !u ? -1 : 0;
}

static int string(struct scan *s, bool key)
{
	long t = tok_add(s, MQ_J_STR, s->p + 1);
	size_t n;

	if (t < 0)
		return -1;
	for (s->p++; s->p < s->end;) {
		unsigned int c = *s->p;

		if (c == '"') {
			s->j->t[t].len = (uint32_t)(s->p - s->start) -
					 s->j->t[t].off;
			s->p++;
			return 0;
		}
		if (c < 0x20)
			return -1;
		if (c == '\\') {
			s->j->t[t].esc = true;
			if (escape(s, key))
				return -1;
			continue;
		}
		if (!(n = utf8_len(s->p, s->end)))
			return -1;
		s->p += n;
	}
	return -1;
}

/* strtoll or strtod over a number's bytes, as jansson converts them */
static int convert(const unsigned char *p, size_t len, bool real,
		   long long *iv, double *dv)
{
	char stack[NUM_STACK], *b = len < sizeof(stack) ? stack :
					     malloc(len + 1);
	int bad;

	if (!b)
		return -1;
	memcpy(b, p, len);
	b[len] = 0;
	errno = 0;
	if (real) {
		*dv = strtod(b, NULL);
		bad = (*dv == HUGE_VAL || *dv == -HUGE_VAL) && errno == ERANGE;
	} else {
		*iv = strtoll(b, NULL, 10);
		bad = errno == ERANGE;
	}
	if (b != stack)
		free(b);
	return bad ? -1 : 0;
}

static size_t digits(struct scan *s)
{
	const unsigned char *a = s->p;

	while (s->p < s->end && is_digit(*s->p))
		s->p++;
	return (size_t)(s->p - a);
}

static int number(struct scan *s)
{
	const unsigned char *a = s->p;
	size_t nd;
	bool real = false, exp = false;
	long long iv;
	double dv;
	long t;

	if (*s->p == '-')
		s->p++;
	if (s->p < s->end && *s->p == '0')
		nd = 1, s->p++;		/* a digit after it ends the number */
	else if (!(nd = digits(s)))
		return -1;
	if (s->p < s->end && *s->p == '.') {
		s->p++;
		if (!digits(s))
			return -1;
		real = true;
	}
	if (s->p < s->end && (*s->p == 'e' || *s->p == 'E')) {
		s->p++;
		if (s->p < s->end && (*s->p == '+' || *s->p == '-'))
			s->p++;
		if (!digits(s))
			return -1;
		real = exp = true;
	}
	if ((t = tok_add(s, real ? MQ_J_REAL : MQ_J_INT, a)) < 0)
		return -1;
	s->j->t[t].len = (uint32_t)(s->p - a);
	/* what can be out of range is converted to know: 19 digits and
	 * more for int64, an exponent or 309 digits and more for a double */
	if ((!real && nd >= 19) || (real && (exp || nd > 300)))
		return convert(a, (size_t)(s->p - a), real, &iv, &dv);
	return 0;
}

static int literal(struct scan *s, const char *w, int type)
{
	size_t n = strlen(w);

	if ((size_t)(s->end - s->p) < n || memcmp(s->p, w, n) ||
	    tok_add(s, type, s->p) < 0)
		return -1;
	s->p += n;
	return 0;
}

static int word(struct scan *s)
{
	int rc;

	switch (*s->p) {
	case 't':
		rc = literal(s, "true", MQ_J_TRUE);
		break;
	case 'f':
		rc = literal(s, "false", MQ_J_FALSE);
		break;
	case 'n':
		rc = literal(s, "null", MQ_J_NULL);
		break;
	default:
		rc = *s->p == '-' || is_digit(*s->p) ? number(s) : -1;
	}
	/* jansson reads one byte past a number or a word and puts it back
	 * into a buffer where a NUL means empty: a NUL there is skipped */
	if (!rc && s->p < s->end && !*s->p)
		s->p++;
	return rc;
}

static int scalar(struct scan *s)
{
	return *s->p == '"' ? string(s, false) : word(s);
}

/* an object's "key": before its value */
static int key(struct scan *s)
{
	ws(s);
	if (s->p == s->end || *s->p != '"' || string(s, true))
		return -1;
	ws(s);
	if (s->p == s->end || *s->p != ':')
		return -1;
	s->p++;
	return 0;
}

/*
 * Values in document order without recursion: open holds the
 * containers being read (at most MQ_JSON_DEPTH - 1, each value is one
 * level deeper than its container, as jansson counts).
 */
static int document(struct scan *s)
{
	uint32_t open[MQ_JSON_DEPTH];
	size_t depth = 0;
	struct mq_jtok *c;
	long t;
	int ch;

	ws(s);
	if (s->p == s->end || (*s->p != '{' && *s->p != '['))
		return -1;
	for (;;) {
		ws(s);
		if (s->p == s->end || depth >= MQ_JSON_DEPTH)
			return -1;
		ch = *s->p;
		if (ch == '{' || ch == '[') {
			if ((t = tok_add(s, ch == '{' ? MQ_J_OBJ : MQ_J_ARR,
					 s->p)) < 0)
				return -1;
			open[depth++] = (uint32_t)t;
			s->p++;
			ws(s);
			if (s->p < s->end && *s->p == (ch == '{' ? '}' : ']')) {
				s->p++;
				goto closed;
			}
			if (ch == '{' && key(s))
				return -1;
			continue;
		}
		if (scalar(s))
			return -1;
		for (;;) {	/* a value is done: its container's next */
			c = &s->j->t[open[depth - 1]];
			c->n++;
			ws(s);
			if (s->p < s->end && *s->p == ',') {
				s->p++;
				if (c->type == MQ_J_OBJ && key(s))
					return -1;
				break;
			}
			if (s->p == s->end || *s->p != (c->type == MQ_J_OBJ ?
							'}' : ']'))
				return -1;
			s->p++;
closed:
			s->j->t[open[depth - 1]].next = (uint32_t)s->j->nt;
			if (!--depth) {
				ws(s);
				return s->p == s->end ? 0 : -1;
			}
		}
	}
}

int mq_json_parse(struct mq_json *j, const char *buf, size_t len)
{
	struct scan s = { j, (const unsigned char *)buf,
			  (const unsigned char *)buf,
			  (const unsigned char *)buf + len };

	j->buf = buf;
	j->t = j->stack;
	j->nt = 0;
	j->cap = MQ_TAPE_STACK;
	if (len > UINT32_MAX)
		return -1;
	return document(&s);
}

void mq_json_free(struct mq_json *j)
{
	if (j->t != j->stack)
		free(j->t);
	j->t = j->stack;
	j->nt = 0;
}

/* the decoded bytes of string token t into out (at most cap), their
 * number; what does not fit is left out */
static size_t decode(const struct mq_json *j, long t, char *out, size_t cap)
{
	const unsigned char *p = (const unsigned char *)j->buf + j->t[t].off;
	const unsigned char *end = p + j->t[t].len;
	static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
	size_t n = 0;
	long u;

	while (p < end && n < cap) {
		if (*p != '\\') {
			out[n++] = (char)*p++;
			continue;
		}
		if (p[1] != 'u') {
			out[n++] = to[strchr(from, p[1]) - from];
			p += 2;
			continue;
		}
		u = u_escape(p, end);
		p += 6;
		if (u >= 0xD800 && u <= 0xDBFF) {
			u = 0x10000 + ((u - 0xD800) << 10) +
			    (u_escape(p, end) - 0xDC00);
			p += 6;
		}
		if (u < 0x80) {
			out[n++] = (char)u;
		} else if (u < 0x800 && n + 2 <= cap) {
			out[n++] = (char)(0xC0 | (u >> 6));
			out[n++] = (char)(0x80 | (u & 0x3F));
		} else if (u < 0x10000 && n + 3 <= cap) {
			out[n++] = (char)(0xE0 | (u >> 12));
			out[n++] = (char)(0x80 | ((u >> 6) & 0x3F));
			out[n++] = (char)(0x80 | (u & 0x3F));
		} else if (n + 4 <= cap) {
			out[n++] = (char)(0xF0 | (u >> 18));
			out[n++] = (char)(0x80 | ((u >> 12) & 0x3F));
			out[n++] = (char)(0x80 | ((u >> 6) & 0x3F));
			out[n++] = (char)(0x80 | (u & 0x3F));
		} else {
			break;
		}
	}
	return n;
}

static bool key_is(const struct mq_json *j, long t, const char *key,
		   size_t klen)
{
	char b[256];

	if (!j->t[t].esc)
		return j->t[t].len == klen &&
		       !memcmp(j->buf + j->t[t].off, key, klen);
	/* a key longer than the buffer is not a path's name (< 64) */
	return klen < sizeof(b) && decode(j, t, b, sizeof(b)) == klen &&
	       !memcmp(b, key, klen);
}

long mq_json_get(const struct mq_json *j, long o, const char *key)
{
	size_t klen = strlen(key);
	long k, found = -1;
	uint32_t i;

	if (o < 0 || j->t[o].type != MQ_J_OBJ)
		return -1;
	for (i = 0, k = o + 1; i < j->t[o].n; i++, k = j->t[k + 1].next)
		if (key_is(j, k, key, klen))
			found = k + 1;
	return found;
}

long mq_json_at(const struct mq_json *j, long o, unsigned int n)
{
	long k;
	uint32_t i;

	if (o < 0 || j->t[o].type != MQ_J_ARR || n >= j->t[o].n)
		return -1;
	for (i = 0, k = o + 1; i < n; i++)
		k = j->t[k].next;
	return k;
}

double mq_json_number(const struct mq_json *j, long t)
{
	const unsigned char *p = (const unsigned char *)j->buf + j->t[t].off;
	long long iv = 0;
	double dv = 0;
	size_t i;
	bool neg;

	if (j->t[t].type == MQ_J_REAL) {
		convert(p, j->t[t].len, true, &iv, &dv);
		return dv;
	}
	if (j->t[t].len >= 19) {
		convert(p, j->t[t].len, false, &iv, &dv);
		return (double)iv;
	}
	/* at most 18 digits: no overflow */
	neg = *p == '-';
	for (i = neg; i < j->t[t].len; i++)
		iv = iv * 10 + (p[i] - '0');
	return (double)(neg ? -iv : iv);
}

void mq_json_string(const struct mq_json *j, long t, char *out, size_t cap)
{
	size_t n;

	if (!cap)
		return;
	n = decode(j, t, out, cap - 1);
	out[n] = 0;
}
