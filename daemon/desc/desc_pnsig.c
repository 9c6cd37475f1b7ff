/*
 * The signals the imported GSDMLs give the PROFINET stations whose
 * connect requests pnar kept (pnar.h, docs/descriptions.md): for each
 * station the GSDML that knows the most of its submodules; the
 * hand-written mapping keeps its own station and offset.  Loop or
 * capture thread, whoever reloads the signals; never per frame.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "desc/desc_db.h"
#include "desc/pnar_int.h"
#include "model/model.h"

/* per station: the best GSDML's lines so far */
struct best {
	char *text;
	size_t unknown, nsig;
	char station[MODEL_STATION_MAX + 1], sel[MODEL_STATION_MAX + 16];
};

struct gen {
	const struct pnar *p;
	struct best *b;
};

static void try_gsdml(void *arg, const struct desc *x)
{
	struct gen *g = arg;
	size_t i, nsig, skipped, unknown;
	char *t;

	for (i = 0; i < PNAR_DEVICES; i++) {
		const struct layout *l = &g->p->dev[i];
		struct best *b = &g->b[i];

		if (!l->used)
			continue;
		t = desc_gsdml_cr_sigmap(x, b->station, b->sel, l->sub,
					 l->nsub, &nsig, &skipped, &unknown);
		if (!t)
			continue;
		if (nsig && (!b->text || unknown < b->unknown ||
			     (unknown == b->unknown && nsig > b->nsig))) {
			free(b->text);
			b->text = t;
			b->unknown = unknown;
			b->nsig = nsig;
		} else {
			free(t);
		}
	}
}

/* "pn:STATION" of a selector, without its @FRAMEID */
static size_t sel_base(const char *sel)
{
	const char *at = strchr(sel, '@');

	return at ? (size_t)(at - sel) : strlen(sel);
}

/* the hand-written mapping has a signal on sel's station at off */
static bool in_hand(const char *hand, const char *sel, unsigned long off)
{
	const char *q = hand;
	char name[64], dev[96];
	unsigned long o;

	while (q && *q) {
		if (*q != '#' && sscanf(q, "%63s %95s %li", name, dev,
					(long *)&o) == 3 && o == off &&
		    sel_base(dev) == sel_base(sel) &&
		    !strncmp(dev, sel, sel_base(sel)))
			return true;
		q = strchr(q, '\n');
		if (q)
			q++;
	}
	return false;
}

static void append(char **all, size_t *len, const char *line, size_t n)
{
	char *a = realloc(*all, *len + n + 1);

	if (!a)
		return;
	memcpy(a + *len, line, n);
	*len += n;
	a[*len] = '\0';
	*all = a;
}

/* text's lines but those the hand-written mapping has, onto *all */
static void keep(char **all, size_t *len, const char *text, const char *hand)
{
	const char *q = text, *e;
	char name[64], sel[96];
	unsigned long off;

	for (; q && *q; q = e) {
		e = strchr(q, '\n');
		e = e ? e + 1 : q + strlen(q);
		if (hand && sscanf(q, "%63s %95s %li", name, sel,
				   (long *)&off) == 3 && in_hand(hand, sel, off))
			continue;
		append(all, len, q, (size_t)(e - q));
	}
}

static char *read_text(const char *path)
{
	FILE *f = path ? fopen(path, "r") : NULL;
	char *b = NULL;
	size_t n = 0;
	long sz;

	if (!f)
		return NULL;
	if (!fseek(f, 0, SEEK_END) && (sz = ftell(f)) >= 0 &&
	    sz <= (16L << 20) && !fseek(f, 0, SEEK_SET) &&
	    (b = malloc((size_t)sz + 1))) {
		n = fread(b, 1, (size_t)sz, f);
		b[n] = '\0';
	}
	fclose(f);
	return b;
}

char *pnar_sigmap(const struct pnar *p, const struct model *m,
		  const char *state_dir, const char *hand_path)
{
	struct gen g = { p, calloc(PNAR_DEVICES, sizeof(struct best)) };
	char *all = NULL, *hand;
	size_t i, len = 0, used = 0;

	if (!g.b)
		return NULL;
	for (i = 0; i < PNAR_DEVICES; i++) {
		const struct layout *l = &p->dev[i];
		const struct model_device *md;
		struct best *b = &g.b[i];

		if (!l->used)
			continue;
		used++;
		md = m ? model_device_by_mac(m, l->mac) : NULL;
		if (md && (md->has & MODEL_HAS_NAME) && md->station_name[0])
			snprintf(b->station, sizeof(b->station), "%s",
				 md->station_name);
		else
			snprintf(b->station, sizeof(b->station),
				 "%02x:%02x:%02x:%02x:%02x:%02x", l->mac[0],
				 l->mac[1], l->mac[2], l->mac[3], l->mac[4],
				 l->mac[5]);
		snprintf(b->sel, sizeof(b->sel), "pn:%s@0x%04x", b->station,
			 l->frame_id);
	}
	if (used)
		desc_store_each(state_dir, DESC_GSDML, try_gsdml, &g);
	hand = read_text(hand_path);
	for (i = 0; i < PNAR_DEVICES; i++) {
		if (g.b[i].text)
			keep(&all, &len, g.b[i].text, hand);
		free(g.b[i].text);
	}
	free(hand);
	free(g.b);
	return all;
}
