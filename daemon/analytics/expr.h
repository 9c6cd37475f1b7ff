/*
 * Small bounded expressions over signals, for "expr" rules:
 *
 *	temp_1 > 80 and unchanged(count_2, 60s)
 *
 * Grammar (lowest binding first):
 *
 *	or	= and { "or" and }
 *	and	= not { "and" not }
 *	not	= "not" not | cmp
 *	cmp	= sum [ ("<" | "<=" | ">" | ">=" | "==" | "!=") sum ]
 *	sum	= prod { ("+" | "-") prod }
 *	prod	= unary { ("*" | "/") unary }
 *	unary	= "-" unary | primary
 *	primary	= NUMBER [ms|s|m|h] | SIGNAL | FUNC "(" args ")" | "(" or ")"
 *
 * SIGNAL is a signal's name ([A-Za-z_][A-Za-z0-9_.:]*, or any name in
 * `backquotes`).  Functions: unchanged(SIG, DUR) true when SIG's value has
 * not changed for DUR; age(SIG) seconds since SIG's last sample;
 * abs(x); min(x, y); max(x, y).  A duration literal is seconds.
 *
 * Bounded: EXPR_MAX_LEN bytes of source, EXPR_MAX_OPS compiled
 * operations, EXPR_MAX_DEPTH of nesting, EXPR_MAX_SIGS signals; errors
 * say the column ("column 9: expected ')'").  Evaluation is a fixed stack
 * machine: no allocation, O(ops).  A signal never sampled is NaN, and any
 * comparison with NaN is false.
 */
#ifndef IIOTD_ANALYTICS_EXPR_H
#define IIOTD_ANALYTICS_EXPR_H

#include <stddef.h>
#include <stdint.h>

#define EXPR_MAX_LEN	512
#define EXPR_MAX_OPS	64
#define EXPR_MAX_DEPTH	16
#define EXPR_MAX_SIGS	8

struct expr_ins {
	uint8_t op;			/* enum in expr.c */
	uint8_t sig;			/* index into expr.sigs */
	double num;			/* constant; a duration in s */
};

struct expr {
	struct expr_ins ins[EXPR_MAX_OPS];
	uint8_t n;
	uint8_t nsigs;
	uint32_t sigs[EXPR_MAX_SIGS];	/* resolved signal ids */
};

/* name (not NUL-terminated) → signal id, 0 when there is none */
typedef uint32_t (*expr_resolve_fn)(void *arg, const char *name, size_t len);

/* What evaluation needs to know of a signal. */
struct expr_sigval {
	double value;			/* NaN until sampled */
	uint64_t last_ns;		/* last sample, 0 none */
	uint64_t changed_ns;		/* value last changed */
};
typedef const struct expr_sigval *(*expr_get_fn)(void *arg, uint32_t sig);

/* 0, or -1 with "column N: why" in err. */
int expr_compile(struct expr *e, const char *src, expr_resolve_fn resolve,
		 void *arg, char *err, size_t errlen);
/* The value (booleans are 1 and 0); NaN when undefined. */
double expr_eval(const struct expr *e, uint64_t now_ns, expr_get_fn get,
		 void *arg);
/* A value is true when it is neither 0 nor NaN. */
int expr_true(double v);

#endif
