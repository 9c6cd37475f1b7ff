/* Expressions over signals: a recursive-descent compiler to a stack machine. */
#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analytics/expr.h"

enum {
	OP_NUM = 1, OP_SIG, OP_UNCHANGED, OP_AGE, OP_ABS, OP_MIN, OP_MAX,
	OP_NEG, OP_NOT, OP_ADD, OP_SUB, OP_MUL, OP_DIV,
	OP_LT, OP_LE, OP_GT, OP_GE, OP_EQ, OP_NE, OP_AND, OP_OR,
};

struct pstate {
	const char *s;
	size_t pos, len;
	int depth;
	struct expr *e;
	expr_resolve_fn resolve;
	void *arg;
	char *err;
	size_t errlen;
	int failed;
};

static int perr(struct pstate *p, size_t at, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int perr(struct pstate *p, size_t at, const char *fmt, ...)
{
	va_list ap;
	size_t l;

	if (p->failed)
		return -1;
	p->failed = 1;
	snprintf(p->err, p->errlen, "column %zu: ", at + 1);
	l = strlen(p->err);
	va_start(ap, fmt);
	vsnprintf(p->err + l, p->errlen > l ? p->errlen - l : 0, fmt, ap);
	va_end(ap);
	return -1;
}

static void skip(struct pstate *p)
{
	while (p->pos < p->len && isspace((unsigned char)p->s[p->pos]))
		p->pos++;
}

static int ident_start(int c)
{
	return isalpha(c) || c == '_';
}

static int ident_char(int c)
{
	return isalnum(c) || c == '_' || c == '.' || c == ':';
}

/* The word at pos (identifier), without consuming it. */
static size_t word_len(const struct pstate *p)
{
	size_t i = p->pos;

	if (i >= p->len || !ident_start((unsigned char)p->s[i]))
		return 0;
	while (i < p->len && ident_char((unsigned char)p->s[i]))
		i++;
	return i - p->pos;
}

static int keyword(struct pstate *p, const char *kw)
{
	size_t n = strlen(kw);

	skip(p);
	if (word_len(p) != n || strncmp(p->s + p->pos, kw, n))
		return 0;
	p->pos += n;
	return 1;
}

static int punct(struct pstate *p, const char *t)
{
	size_t n = strlen(t);

	skip(p);
	if (p->pos + n > p->len || strncmp(p->s + p->pos, t, n))
		return 0;
	p->pos += n;
	return 1;
}

static int emit(struct pstate *p, uint8_t op, uint8_t sig, double num)
{
	struct expr_ins *in;

	if (p->e->n >= EXPR_MAX_OPS)
		return perr(p, p->pos, "expression too long (more than %d "
			    "operations)", EXPR_MAX_OPS);
	in = &p->e->ins[p->e->n++];
	in->op = op;
	in->sig = sig;
	in->num = num;
	return 0;
}

static int parse_or(struct pstate *p);

/* A signal name at pos: its index in e->sigs. */
static int signal_ref(struct pstate *p, uint8_t *idx)
{
	size_t at, n, i;
	uint32_t id;

	skip(p);
	at = p->pos;
	if (at < p->len && p->s[at] == '`') {
		const char *q = memchr(p->s + at + 1, '`', p->len - at - 1);

		if (!q)
			return perr(p, at, "unterminated `name`");
		n = (size_t)(q - (p->s + at + 1));
		id = n ? p->resolve(p->arg, p->s + at + 1, n) : 0;
		p->pos = at + n + 2;
		at++;
	} else {
		n = word_len(p);
		if (!n)
			return perr(p, at, "expected a signal name");
		id = p->resolve(p->arg, p->s + at, n);
		p->pos += n;
	}
	if (!id)
		return perr(p, at, "no signal named '%.*s'", (int)(n > 64 ?
			    64 : n), p->s + at);
	for (i = 0; i < p->e->nsigs; i++)
		if (p->e->sigs[i] == id)
			break;
	if (i == p->e->nsigs) {
		if (i == EXPR_MAX_SIGS)
			return perr(p, at, "more than %d signals",
				    EXPR_MAX_SIGS);
		p->e->sigs[p->e->nsigs++] = id;
	}
	*idx = (uint8_t)i;
	return 0;
}

static int number(struct pstate *p, double *out)
{
	const char *b = p->s + p->pos;
	char buf[64], *end;
	size_t n = 0;

	while (p->pos + n < p->len && n < sizeof(buf) - 1 &&
	       (isdigit((unsigned char)b[n]) || b[n] == '.' ||
		((b[n] == 'e' || b[n] == 'E') && n &&
		 p->pos + n + 1 < p->len &&
		 (isdigit((unsigned char)b[n + 1]) || b[n + 1] == '-' ||
		  b[n + 1] == '+')) ||
		((b[n] == '-' || b[n] == '+') && n &&
		 (b[n - 1] == 'e' || b[n - 1] == 'E'))))
		n++;
	memcpy(buf, b, n);
	buf[n] = '\0';
	*out = strtod(buf, &end);
	if (!n || *end || !isfinite(*out))
		return perr(p, p->pos, "bad number '%s'", buf);
	p->pos += n;
	/* a unit makes it a duration in seconds */
	if (p->pos + 2 <= p->len && !strncmp(p->s + p->pos, "ms", 2) &&
	    (p->pos + 2 == p->len || !ident_char((unsigned char)p->s[p->pos + 2]))) {
		*out /= 1000;
		p->pos += 2;
	} else if (p->pos < p->len && strchr("smh", p->s[p->pos]) &&
		   (p->pos + 1 == p->len ||
		    !ident_char((unsigned char)p->s[p->pos + 1]))) {
		*out *= p->s[p->pos] == 'h' ? 3600 : p->s[p->pos] == 'm' ?
			60 : 1;
		p->pos++;
	} else if (p->pos < p->len && ident_char((unsigned char)p->s[p->pos])) {
		return perr(p, p->pos, "unknown unit after a number (ms, s, "
			    "m, h)");
	}
	return 0;
}

static int expect(struct pstate *p, const char *t)
{
	if (punct(p, t))
		return 0;
	skip(p);
	if (p->pos >= p->len)
		return perr(p, p->pos, "expected '%s', got the end", t);
	return perr(p, p->pos, "expected '%s'", t);
}

static int call(struct pstate *p, size_t at, size_t n)
{
	const char *f = p->s + at;
	uint8_t idx;
	double d;

	p->pos = at + n;
	if (expect(p, "("))
		return -1;
	if (n == 9 && !strncmp(f, "unchanged", 9)) {
		if (signal_ref(p, &idx) || expect(p, ","))
			return -1;
		skip(p);
		if (p->pos >= p->len || !(isdigit((unsigned char)p->s[p->pos]) ||
					  p->s[p->pos] == '.'))
			return perr(p, p->pos, "expected a duration (60s)");
		if (number(p, &d))
			return -1;
		if (d < 0)
			return perr(p, p->pos, "negative duration");
		return expect(p, ")") || emit(p, OP_UNCHANGED, idx, d);
	}
	if (n == 3 && !strncmp(f, "age", 3))
		return signal_ref(p, &idx) || expect(p, ")") ||
			emit(p, OP_AGE, idx, 0);
	if (n == 3 && !strncmp(f, "abs", 3))
		return parse_or(p) || expect(p, ")") || emit(p, OP_ABS, 0, 0);
	if (n == 3 && (!strncmp(f, "min", 3) || !strncmp(f, "max", 3)))
		return parse_or(p) || expect(p, ",") || parse_or(p) ||
			expect(p, ")") ||
			emit(p, f[1] == 'i' ? OP_MIN : OP_MAX, 0, 0);
	return perr(p, at, "unknown function '%.*s' (unchanged, age, abs, "
		    "min, max)", (int)(n > 32 ? 32 : n), f);
}

static int primary(struct pstate *p)
{
	size_t at, n, q;
	uint8_t idx;
	double d;

	skip(p);
	at = p->pos;
	if (at >= p->len)
		return perr(p, at, "unexpected end of the expression");
	if (p->s[at] == '(') {
		p->pos++;
		return parse_or(p) || expect(p, ")");
	}
	if (isdigit((unsigned char)p->s[at]) || p->s[at] == '.')
		return number(p, &d) || emit(p, OP_NUM, 0, d);
	n = word_len(p);
	if (n) {
		static const char *const kw[] = { "and", "or", "not" };
		size_t i;

		for (i = 0; i < 3; i++)
			if (n == strlen(kw[i]) && !strncmp(p->s + at, kw[i], n))
				return perr(p, at, "expected a value, got "
					    "'%s'", kw[i]);
		q = at + n;
		while (q < p->len && isspace((unsigned char)p->s[q]))
			q++;
		if (q < p->len && p->s[q] == '(')
			return call(p, at, n);
	} else if (p->s[at] != '`') {
		return perr(p, at, "expected a value, got '%c'", p->s[at]);
	}
	return signal_ref(p, &idx) || emit(p, OP_SIG, idx, 0);
}

static int nest(struct pstate *p)
{
	if (++p->depth > EXPR_MAX_DEPTH)
		return perr(p, p->pos, "nested deeper than %d",
			    EXPR_MAX_DEPTH);
	return 0;
}

static int unary(struct pstate *p)
{
	int rc;

	if (nest(p))
		return -1;
	if (punct(p, "-"))
		rc = unary(p) || emit(p, OP_NEG, 0, 0);
	else
		rc = primary(p);
	p->depth--;
	return rc ? -1 : 0;
}

static int prod(struct pstate *p)
{
	if (unary(p))
		return -1;
	for (;;) {
		if (punct(p, "*")) {
			if (unary(p) || emit(p, OP_MUL, 0, 0))
				return -1;
		} else if (punct(p, "/")) {
			if (unary(p) || emit(p, OP_DIV, 0, 0))
				return -1;
		} else {
			return 0;
		}
	}
}

static int sum(struct pstate *p)
{
	if (prod(p))
		return -1;
	for (;;) {
		if (punct(p, "+")) {
			if (prod(p) || emit(p, OP_ADD, 0, 0))
				return -1;
		} else if (punct(p, "-")) {
			if (prod(p) || emit(p, OP_SUB, 0, 0))
				return -1;
		} else {
			return 0;
		}
	}
}

static int cmp(struct pstate *p)
{
	static const struct { const char *t; uint8_t op; } ops[] = {
		{ "<=", OP_LE }, { ">=", OP_GE }, { "==", OP_EQ },
		{ "!=", OP_NE }, { "<", OP_LT }, { ">", OP_GT },
	};
	size_t i;

	if (sum(p))
		return -1;
	for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		if (punct(p, ops[i].t))
			return sum(p) || emit(p, ops[i].op, 0, 0);
	return 0;
}

static int parse_not(struct pstate *p)
{
	int rc;

	if (nest(p))
		return -1;
	if (keyword(p, "not"))
		rc = parse_not(p) || emit(p, OP_NOT, 0, 0);
	else
		rc = cmp(p);
	p->depth--;
	return rc ? -1 : 0;
}

static int parse_and(struct pstate *p)
{
	if (parse_not(p))
		return -1;
	while (keyword(p, "and"))
		if (parse_not(p) || emit(p, OP_AND, 0, 0))
			return -1;
	return 0;
}

static int parse_or(struct pstate *p)
{
	int rc;

	if (nest(p))
		return -1;
	rc = parse_and(p);
	while (!rc && keyword(p, "or"))
		rc = parse_and(p) || emit(p, OP_OR, 0, 0);
	p->depth--;
	return rc ? -1 : 0;
}

int expr_compile(struct expr *e, const char *src, expr_resolve_fn resolve,
		 void *arg, char *err, size_t errlen)
{
	struct pstate p = {
		.s = src, .len = strlen(src), .e = e, .resolve = resolve,
		.arg = arg, .err = err, .errlen = errlen,
	};

	memset(e, 0, sizeof(*e));
	if (p.len > EXPR_MAX_LEN)
		return perr(&p, EXPR_MAX_LEN, "longer than %d bytes",
			    EXPR_MAX_LEN);
	if (parse_or(&p))
		return -1;
	skip(&p);
	if (p.pos < p.len)
		return perr(&p, p.pos, "unexpected '%.20s'", p.s + p.pos);
	return 0;
}

int expr_true(double v)
{
	return v != 0 && !isnan(v);
}

static double sec(uint64_t a, uint64_t b)
{
	return a > b ? (double)(a - b) / 1e9 : 0;
}

double expr_eval(const struct expr *e, uint64_t now_ns, expr_get_fn get,
		 void *arg)
{
	double st[EXPR_MAX_OPS];
	const struct expr_sigval *v;
	size_t sp = 0, i;

	for (i = 0; i < e->n; i++) {
		const struct expr_ins *in = &e->ins[i];
		double b = 0;

		/* binary operators pop b; compile guarantees the depth */
		if (in->op >= OP_MIN && in->op != OP_NEG && in->op != OP_NOT &&
		    in->op != OP_ABS)
			b = st[--sp];
		switch (in->op) {
		case OP_NUM: st[sp++] = in->num; break;
		case OP_SIG:
			v = get(arg, e->sigs[in->sig]);
			st[sp++] = v && v->last_ns ? v->value : NAN;
			break;
		case OP_UNCHANGED:
			v = get(arg, e->sigs[in->sig]);
			st[sp++] = v && v->last_ns &&
				sec(now_ns, v->changed_ns) >= in->num;
			break;
		case OP_AGE:
			v = get(arg, e->sigs[in->sig]);
			st[sp++] = v && v->last_ns ? sec(now_ns, v->last_ns) :
				NAN;
			break;
		case OP_ABS: st[sp - 1] = fabs(st[sp - 1]); break;
		case OP_NEG: st[sp - 1] = -st[sp - 1]; break;
		case OP_NOT:
			st[sp - 1] = isnan(st[sp - 1]) ? NAN :
				!expr_true(st[sp - 1]);
			break;
		case OP_MIN: st[sp - 1] = fmin(st[sp - 1], b); break;
		case OP_MAX: st[sp - 1] = fmax(st[sp - 1], b); break;
		case OP_ADD: st[sp - 1] += b; break;
		case OP_SUB: st[sp - 1] -= b; break;
		case OP_MUL: st[sp - 1] *= b; break;
		case OP_DIV: st[sp - 1] = b != 0 ? st[sp - 1] / b : NAN; break;
		case OP_LT: st[sp - 1] = st[sp - 1] < b; break;
		case OP_LE: st[sp - 1] = st[sp - 1] <= b; break;
		case OP_GT: st[sp - 1] = st[sp - 1] > b; break;
		case OP_GE: st[sp - 1] = st[sp - 1] >= b; break;
		case OP_EQ: st[sp - 1] = st[sp - 1] == b; break;
		case OP_NE:
			st[sp - 1] = isnan(st[sp - 1]) || isnan(b) ? 0 :
				st[sp - 1] != b;
			break;
		case OP_AND:
			st[sp - 1] = expr_true(st[sp - 1]) && expr_true(b);
			break;
		case OP_OR:
			st[sp - 1] = expr_true(st[sp - 1]) || expr_true(b);
			break;
		}
	}
	return sp ? st[sp - 1] : NAN;
}
