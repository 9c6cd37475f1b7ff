/*
 * libFuzzer: rule expressions (daemon/analytics/expr.c) — compile any
 * bytes against a few signal names, evaluate what compiles; then the same
 * bytes as a whole rules file.
 */
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "analytics/analytics.h"
#include "analytics/expr.h"
#include "core/conf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const names[] = { "a", "b", "temp_1", "count_2",
				     "x.y:z" };

static uint32_t resolve(void *arg, const char *name, size_t len)
{
	size_t i;

	(void)arg;
	for (i = 0; i < 5; i++)
		if (strlen(names[i]) == len && !memcmp(names[i], name, len))
			return (uint32_t)i + 1;
	return 0;
}

static const struct expr_sigval *get(void *arg, uint32_t id)
{
	static const struct expr_sigval v[6] = {
		{ 0, 0, 0 }, { 1.5, 10, 5 }, { NAN, 0, 0 },
		{ 81, 20, 1 }, { 0, 30, 30 }, { -1e300, 40, 2 },
	};

	(void)arg;
	return id < 6 ? &v[id] : NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct analytics *an;
	char src[EXPR_MAX_LEN + 64], err[256];
	struct expr e;
	struct conf *c;
	size_t i;

	if (size < sizeof(src)) {
		memcpy(src, data, size);
		src[size] = '\0';
		if (!expr_compile(&e, src, resolve, NULL, err, sizeof(err)))
			(void)expr_eval(&e, 60000000000ULL, get, NULL);
	}
	if (!an) {
		an = analytics_new(NULL);
		for (i = 0; an && i < 5; i++)
			analytics_add_signal(an, (uint32_t)i + 1, names[i]);
	}
	c = conf_parse((const char *)data, size, "fuzz", err, sizeof(err));
	if (c && an && !analytics_load_rules(an, c, err, sizeof(err))) {
		for (i = 0; i < 64; i++)
			analytics_sample(an, (uint32_t)(i % 6),
					 i * 100000000ULL, (double)(i % 7));
		analytics_tick(an, 7000000000ULL);
	}
	conf_free(c);
	return 0;
}
