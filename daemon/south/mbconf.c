/*
 * The [modbus] configuration (mbconf.h).  Each device is a section
 * [modbus.NAME]; its points are "point =" lines, checked one by one so
 * that an error names its line.
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/conf.h"
#include "south/mbconf.h"
#include "south/south.h"

#define MB_SEC		"modbus"
#define MB_SEC_DOT	"modbus."
#define MB_POINT_MAX	512		/* bytes of one point line */

static const char *const mb_keys[] = {
	"gap", "max_regs", "max_bits", "per_device", "per_user", NULL
};
static const char *const dev_keys[] = {
	"host", "port", "unit", "timeout", "retries", "degraded_after",
	"retry", "point", NULL
};

static bool name_ok(const char *s)
{
	size_t n = strlen(s);

	if (!n || n >= MB_NAME_MAX)
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '_' && *s != '-' &&
		    *s != '.')
			return false;
	return true;
}

/* key=value options after the point's address and type */
static int point_opt(struct mb_point *p, const char *tok, char *why,
		     size_t whylen)
{
	const char *eq = strchr(tok, '=');
	const char *v;
	uint64_t ms;
	size_t kl;
	int rc;

	if (!eq || eq == tok) {
		snprintf(why, whylen, "'%s' is not key=value (order, scale, "
			 "offset, unit, every)", tok);
		return -1;
	}
	kl = (size_t)(eq - tok);
	v = eq + 1;
	if (kl == 5 && !strncmp(tok, "order", kl))
		return mb_order_parse(p, v, why, whylen);
	rc = south_scale_opt(tok, kl, v, &p->scale, &p->offset, p->unit,
			     sizeof(p->unit), why, whylen);
	if (rc <= 0)
		return rc;
	if (kl == 5 && !strncmp(tok, "every", kl)) {
		if (conf_parse_ms(v, &ms) || ms < MB_EVERY_MIN_MS ||
		    ms > MB_EVERY_MAX_MS) {
			snprintf(why, whylen, "every '%s' is not a time from "
				 "100ms to 1h", v);
			return -1;
		}
		p->every_ms = (uint32_t)ms;
		return 0;
	}
	snprintf(why, whylen, "unknown option '%.*s' (order, scale, offset, "
		 "unit, every)", (int)kl, tok);
	return -1;
}

int mb_point_parse(const char *s, struct mb_point *p, char *why,
		   size_t whylen)
{
	char buf[MB_POINT_MAX], *tok[16];
	size_t ntok = 0, i;
	uint64_t addr;
	int a, ty;

	memset(p, 0, sizeof(*p));
	p->scale = 1;
	p->every_ms = 1000;
	if (south_words(s, buf, sizeof(buf), tok, sizeof(tok) / sizeof(tok[0]),
			&ntok, "point", why, whylen))
		return -1;
	if (ntok < 3) {
		snprintf(why, whylen, "a point is NAME AREA ADDRESS [TYPE] "
			 "[key=value...]");
		return -1;
	}
	if (!name_ok(tok[0]) || strchr(tok[0], '.')) {
		snprintf(why, whylen, "point name '%s' must be 1-%d letters, "
			 "digits, '_' or '-'", tok[0], MB_NAME_MAX - 1);
		return -1;
	}
	snprintf(p->name, sizeof(p->name), "%s", tok[0]);
	a = mb_area_parse(tok[1]);
	if (a < 0) {
		snprintf(why, whylen, "area '%s' is not holding, input, coil "
			 "or discrete", tok[1]);
		return -1;
	}
	p->area = (uint8_t)a;
	if (conf_parse_u64(tok[2], &addr) || addr > 65535) {
		snprintf(why, whylen, "address '%s' is not 0-65535", tok[2]);
		return -1;
	}
	p->addr = (uint16_t)addr;
	i = 3;
	p->type = mb_area_bits(p->area) ? MB_BOOL : MB_U16;
	if (ntok > 3 && !strchr(tok[3], '=')) {
		ty = mb_type_parse(tok[3]);
		if (ty < 0) {
			snprintf(why, whylen, "type '%s' is not u16, i16, u32, "
				 "i32, f32, f64 or bool", tok[3]);
			return -1;
		}
		if (mb_area_bits(p->area) && ty != MB_BOOL) {
			snprintf(why, whylen, "a %s is a bit: type bool",
				 mb_area_name(p->area));
			return -1;
		}
		p->type = (uint8_t)ty;
		i = 4;
	}
	mb_order_default(p);
	for (; i < ntok; i++)
		if (point_opt(p, tok[i], why, whylen))
			return -1;
	if ((uint32_t)p->addr + mb_point_len(p) > 65536) {
		snprintf(why, whylen, "%s at %u runs past address 65535",
			 mb_type_name(p->type), p->addr);
		return -1;
	}
	return 0;
}

void mb_conf_free(struct mb_conf *mc)
{
	free(mc->devs);
	free(mc->pts);
	memset(mc, 0, sizeof(*mc));
}

static int dev_conf(const struct conf *c, const char *sec,
		    struct mb_dev_conf *d, char *err, size_t errlen)
{
	const struct conf_entry *e;
	uint64_t v;

	d->line = conf_section_line(c, sec);
	if (!name_ok(sec + strlen(MB_SEC_DOT))) {
		snprintf(err, errlen, "%s:%d: [%s]: a device name is 1-%d "
			 "letters, digits, '_', '-', '.'", conf_name(c),
			 d->line, sec, MB_NAME_MAX - 1);
		return -1;
	}
	snprintf(d->name, sizeof(d->name), "%s", sec + strlen(MB_SEC_DOT));
	if (conf_check_keys(c, sec, dev_keys, err, errlen))
		return -1;
	e = conf_find(c, sec, "host");
	if (!e || !*e->value || strlen(e->value) >= sizeof(d->host)) {
		snprintf(err, errlen, "%s:%d: [%s] needs host = ADDRESS",
			 conf_name(c), e ? e->line : d->line, sec);
		return -1;
	}
	snprintf(d->host, sizeof(d->host), "%s", e->value);
	if (conf_get_u64(c, sec, "port", 502, 1, 65535, &v, err, errlen))
		return -1;
	d->port = (uint16_t)v;
	if (conf_get_u64(c, sec, "unit", 1, 0, 255, &v, err, errlen))
		return -1;
	d->unit = (uint8_t)v;
	if (conf_get_ms(c, sec, "timeout", 1000, 10, 60000, &v, err, errlen))
		return -1;
	d->timeout_ms = (uint32_t)v;
	if (conf_get_u64(c, sec, "retries", 1, 0, 10, &v, err, errlen))
		return -1;
	d->retries = (unsigned int)v;
	if (conf_get_u64(c, sec, "degraded_after", 3, 1, 100, &v, err,
			 errlen))
		return -1;
	d->degraded_after = (unsigned int)v;
	if (conf_get_ms(c, sec, "retry", 30000, 100, 3600000, &v, err,
			errlen))
		return -1;
	d->retry_ms = (uint32_t)v;
	return 0;
}

/* whether p's scan class is one of the device's first MB_MAX_CLASSES */
static bool class_ok(const struct mb_conf *mc, const struct mb_dev_conf *d,
		     const struct mb_point *p)
{
	uint32_t seen[MB_MAX_CLASSES];
	size_t n = 0, i, j;

	for (i = d->first; i < mc->npts; i++) {
		for (j = 0; j < n && seen[j] != mc->pts[i].every_ms; j++)
			;
		if (j == n)
			seen[n++] = mc->pts[i].every_ms;
	}
	for (j = 0; j < n; j++)
		if (seen[j] == p->every_ms)
			return true;
	return n < MB_MAX_CLASSES;
}

static int add_points(const struct conf *c, const char *sec,
		      struct mb_conf *mc, struct mb_dev_conf *d, char *err,
		      size_t errlen)
{
	const struct conf_entry *e = NULL;
	char why[160];
	size_t i;

	d->first = (uint32_t)mc->npts;
	while ((e = conf_next(c, sec, "point", e))) {
		struct mb_point *p;

		if (mc->npts >= MB_MAX_POINTS) {
			conf_errf(c, e, err, errlen, "more than %d modbus "
				  "points", MB_MAX_POINTS);
			return -1;
		}
		p = &mc->pts[mc->npts];
		if (mb_point_parse(e->value, p, why, sizeof(why))) {
			conf_errf(c, e, err, errlen, "%s.point: %s", sec, why);
			return -1;
		}
		p->line = e->line;
		if (!class_ok(mc, d, p)) {
			conf_errf(c, e, err, errlen, "%s.point: more than %d "
				  "scan classes (every=) on one device", sec,
				  MB_MAX_CLASSES);
			return -1;
		}
		for (i = d->first; i < mc->npts; i++)
			if (!strcmp(mc->pts[i].name, p->name)) {
				conf_errf(c, e, err, errlen, "%s.point: '%s' "
					  "already defined on line %d", sec,
					  p->name, mc->pts[i].line);
				return -1;
			}
		mc->npts++;
	}
	d->n = (uint32_t)mc->npts - d->first;
	return 0;
}

int mb_conf_parse(const struct conf *c, struct mb_conf *mc, char *err,
		  size_t errlen)
{
	const char **secs;
	uint64_t v;
	size_t n, i;

	memset(mc, 0, sizeof(*mc));
	if (conf_check_keys(c, MB_SEC, mb_keys, err, errlen) ||
	    conf_get_u64(c, MB_SEC, "gap", 8, 0, MB_MAX_READ_BITS - 1, &v,
			 err, errlen))
		return -1;
	mc->plan.gap = (unsigned int)v;
	if (conf_get_u64(c, MB_SEC, "max_regs", MB_MAX_READ_REGS, 4,
			 MB_MAX_READ_REGS, &v, err, errlen))
		return -1;
	mc->plan.max_regs = (unsigned int)v;
	if (conf_get_u64(c, MB_SEC, "max_bits", MB_MAX_READ_BITS, 1,
			 MB_MAX_READ_BITS, &v, err, errlen))
		return -1;
	mc->plan.max_bits = (unsigned int)v;
	if (conf_get_u64(c, MB_SEC, "per_device", 6, 1, 1000, &v, err, errlen))
		return -1;
	mc->per_device = (unsigned int)v;
	if (conf_get_u64(c, MB_SEC, "per_user", 20, 1, 1000, &v, err, errlen))
		return -1;
	mc->per_user = (unsigned int)v;
	secs = calloc(MB_MAX_DEVICES, sizeof(*secs));
	if (!secs) {
		snprintf(err, errlen, "%s: out of memory", conf_name(c));
		return -1;
	}
	n = conf_subsections(c, MB_SEC_DOT, secs, MB_MAX_DEVICES);
	if (n > MB_MAX_DEVICES) {
		snprintf(err, errlen, "%s: more than %d [modbus.NAME] devices",
			 conf_name(c), MB_MAX_DEVICES);
		goto fail;
	}
	if (!n) {
		free(secs);
		return 0;
	}
	mc->devs = calloc(n, sizeof(*mc->devs));
	mc->pts = calloc(MB_MAX_POINTS, sizeof(*mc->pts));
	if (!mc->devs || !mc->pts) {
		snprintf(err, errlen, "%s: out of memory", conf_name(c));
		goto fail;
	}
	for (i = 0; i < n; i++) {
		struct mb_dev_conf *d = &mc->devs[mc->ndevs];

		if (dev_conf(c, secs[i], d, err, errlen) ||
		    add_points(c, secs[i], mc, d, err, errlen))
			goto fail;
		mc->ndevs++;
	}
	free(secs);
	if (mc->npts) {
		void *a = realloc(mc->pts, mc->npts * sizeof(*mc->pts));

		if (a)
			mc->pts = a;
	}
	return 0;
fail:
	free(secs);
	mb_conf_free(mc);
	return -1;
}
