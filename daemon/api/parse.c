/* Cookie, query, body and path parsers with explicit limits. */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "api/parse.h"
#include "decode/decode.h"

int cookie_get(const char *h, const char *name, char *out, size_t outlen)
{
	size_t nl = strlen(name), vl;
	const char *p, *e;

	if (!h || strlen(h) > PARSE_MAX_COOKIE)
		return -1;
	for (p = h; *p; p = *e ? e + 1 : e) {
		while (*p == ' ' || *p == '\t')
			p++;
		e = strchr(p, ';');
		if (!e)
			e = p + strlen(p);
		if ((size_t)(e - p) > nl && !strncmp(p, name, nl) && p[nl] == '=') {
			vl = (size_t)(e - p) - nl - 1;
			while (vl && (p[nl + 1 + vl - 1] == ' '))
				vl--;
			if (vl + 1 > outlen)
				return -1;
			memcpy(out, p + nl + 1, vl);
			out[vl] = 0;
			return 0;
		}
	}
	return -1;
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* %-decode n bytes of in; '+' is a space in queries only. */
static int pct_decode(const char *in, size_t n, char *out, size_t outlen, int plus)
{
	size_t i, o = 0;
	int hi, lo;

	for (i = 0; i < n; i++) {
		char c = in[i];

		if (c == '%') {
			if (i + 2 >= n)
				return -1;
			hi = hexval((unsigned char)in[i + 1]);
			lo = hexval((unsigned char)in[i + 2]);
			if (hi < 0 || lo < 0)
				return -1;
			c = (char)(hi << 4 | lo);
			i += 2;
		} else if (c == '+' && plus) {
			c = ' ';
		}
		if (c == 0 || o + 1 >= outlen)
			return -1;
		out[o++] = c;
	}
	out[o] = 0;
	return 0;
}

int query_get(const char *q, const char *key, char *out, size_t outlen)
{
	size_t kl = strlen(key);
	const char *p, *e, *eq;

	if (!q)
		return 1;
	if (strlen(q) > PARSE_MAX_QUERY)
		return -1;
	for (p = q; *p; p = *e ? e + 1 : e) {
		e = strchr(p, '&');
		if (!e)
			e = p + strlen(p);
		eq = memchr(p, '=', (size_t)(e - p));
		if (eq && (size_t)(eq - p) == kl && !strncmp(p, key, kl))
			return pct_decode(eq + 1, (size_t)(e - eq - 1), out, outlen, 1);
	}
	return 1;
}

int query_int(const char *q, const char *key, int64_t min, int64_t max,
	      int64_t def, int64_t *out)
{
	char buf[32], *end;
	long long v;
	int rc;

	*out = def;
	rc = query_get(q, key, buf, sizeof(buf));
	if (rc)
		return rc > 0 ? 0 : -1;
	errno = 0;
	v = strtoll(buf, &end, 10);
	if (errno || end == buf || *end || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

json_t *body_object(const char *buf, size_t n, size_t max, const char **why)
{
	json_error_t e;
	json_t *o;
	size_t i;

	if (n > max) {
		*why = "request body too large";
		return NULL;
	}
	for (i = 0; i < n; i++)
		if (buf[i] == 0) {
			*why = "NUL byte in body";
			return NULL;
		}
	o = json_loadb(buf, n, JSON_REJECT_DUPLICATES, &e);
	if (!o) {
		*why = "body is not valid JSON";
		return NULL;
	}
	if (!json_is_object(o)) {
		json_decref(o);
		*why = "body must be a JSON object";
		return NULL;
	}
	return o;
}

const char *body_str(json_t *o, const char *key, size_t maxlen)
{
	json_t *v = json_object_get(o, key);
	const char *s;
	size_t i, n;

	if (!json_is_string(v))
		return NULL;
	s = json_string_value(v);
	n = json_string_length(v);
	if (n < 1 || n > maxlen || strlen(s) != n)
		return NULL;
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return NULL;
	return s;
}

int path_clean(const char *raw, char *out, size_t outlen)
{
	const char *seg;
	size_t i, n;

	if (!raw || raw[0] != '/' || strlen(raw) >= outlen)
		return -1;
	if (pct_decode(raw, strlen(raw), out, outlen, 0))
		return -1;
	n = strlen(out);
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)out[i];

		if (!isalnum(c) && !strchr("/._-", c))
			return -1;
	}
	/* no ".", "..", hidden files, empty segments past the root */
	for (seg = out; seg; seg = strchr(seg + 1, '/')) {
		if (seg[1] == '.')
			return -1;
		if (seg[1] == '/')
			return -1;
	}
	return 0;
}

int path_split(const char *raw, struct path_segs *ps)
{
	const char *p, *e;
	char *o = ps->buf, *end = ps->buf + sizeof(ps->buf);
	size_t n, i;

	ps->n = 0;
	if (!raw || raw[0] != '/' || strlen(raw) >= sizeof(ps->buf))
		return -1;
	for (p = raw + 1;; p = e + 1) {
		e = strchr(p, '/');
		n = e ? (size_t)(e - p) : strlen(p);
		/* an empty segment only at the end ("/", "/api/") */
		if ((!n && e) || ps->n == PATH_MAX_SEGS)
			return -1;
		if (pct_decode(p, n, o, (size_t)(end - o), 0))
			return -1;
		for (i = 0; o[i]; i++)
			if ((unsigned char)o[i] < 0x20 || o[i] == 0x7f ||
			    o[i] == '/')
				return -1;
		ps->seg[ps->n++] = o;
		o += i + 1;
		if (!e)
			return 0;
	}
}

int seg_plain(const char *s)
{
	size_t i;

	if (!s[0] || s[0] == '.')
		return 0;
	for (i = 0; s[i]; i++)
		if (!isalnum((unsigned char)s[i]) && !strchr("._-", s[i]))
			return 0;
	return 1;
}

int seg_id(const char *s)
{
	const uint8_t *u = (const uint8_t *)s;
	size_t i, n, len = strlen(s);
	uint32_t cp;

	if (!len || !strcmp(s, ".") || !strcmp(s, "..") || len > 255)
		return 0;
	for (i = 0; i < len; i += n) {
		n = wire_utf8_seq(u + i, len - i, &cp);
		if (!n || cp < 0x20 || cp == 0x7f || strchr("/+#", u[i]))
			return 0;
	}
	return 1;
}
