/*
 * MAC vendors from the IEEE OUI registry (Debian's ieee-data), loaded once
 * at start into a sorted table; a new device's alert names its vendor.
 * Lines: "00-1B-1B   (hex)\t\tSiemens AG".  A missing file means
 * "vendor unknown", never an error.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ids/oui.h"

struct oui_entry {
	uint32_t prefix;
	char name[40];
};

struct oui {
	struct oui_entry *v;
	size_t n;
};

static int cmp(const void *a, const void *b)
{
	const struct oui_entry *x = a, *y = b;

	return x->prefix < y->prefix ? -1 : x->prefix > y->prefix;
}

static int parse(const char *line, struct oui_entry *e)
{
	unsigned int a, b, c;
	const char *t = strstr(line, "(hex)");
	size_t n;

	if (!t || sscanf(line, "%2x-%2x-%2x", &a, &b, &c) != 3)
		return -1;
	t += 5;
	while (*t == ' ' || *t == '\t')
		t++;
	n = strcspn(t, "\r\n");
	if (n >= sizeof(e->name))
		n = sizeof(e->name) - 1;
	memcpy(e->name, t, n);
	e->name[n] = 0;
	e->prefix = a << 16 | b << 8 | c;
	return 0;
}

struct oui *oui_load(const char *path)
{
	FILE *f = fopen(path ? path : OUI_DEFAULT_PATH, "r");
	struct oui *o;
	char line[512];
	size_t cap = 0;

	if (!f)
		return NULL;
	o = calloc(1, sizeof(*o));
	while (o && fgets(line, sizeof(line), f)) {
		if (o->n == cap) {
			struct oui_entry *nv;

			cap = cap ? cap * 2 : 4096;
			nv = realloc(o->v, cap * sizeof(*nv));
			if (!nv)
				break;
			o->v = nv;
		}
		if (!parse(line, &o->v[o->n]))
			o->n++;
	}
	fclose(f);
	if (o)
		qsort(o->v, o->n, sizeof(*o->v), cmp);
	return o;
}

void oui_free(struct oui *o)
{
	if (!o)
		return;
	free(o->v);
	free(o);
}

const char *oui_vendor(const struct oui *o, const uint8_t mac[6])
{
	struct oui_entry key = { .prefix = (uint32_t)mac[0] << 16 |
					   (uint32_t)mac[1] << 8 | mac[2] };
	const struct oui_entry *e;

	if (!o || (mac[0] & 0x02))	/* locally administered: no vendor */
		return NULL;
	e = bsearch(&key, o->v, o->n, sizeof(*o->v), cmp);
	return e ? e->name : NULL;
}
