/*
 * Aliases: the names people give devices (PATCH /api/v1/devices/{id},
 * iiotctl device alias), kept by the device's label so that one given
 * before the device is seen again (iiotd restarted: the store's devices
 * table) finds it when it shows up.  The table is small and changes
 * rarely: one immutable, label-sorted, reference-counted block that the
 * model replaces whole and every snapshot shares (model_snap.c), as the
 * signal table is shared.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/model_int.h"

struct model_alias {
	char label[MODEL_LABEL_MAX];
	char text[MODEL_ALIAS_MAX];
};

struct model_aliases {
	unsigned int refs;		/* __atomic: readers drop snapshots */
	size_t n;
	struct model_alias a[];
};

void model_aliases_drop(struct model_aliases *t)
{
	if (t && __atomic_sub_fetch(&t->refs, 1, __ATOMIC_ACQ_REL) == 0)
		free(t);
}

void model_aliases_share(struct model *s, const struct model *m)
{
	if (s->aliases == m->aliases)
		return;
	if (m->aliases)
		__atomic_add_fetch(&m->aliases->refs, 1, __ATOMIC_RELAXED);
	model_aliases_drop(s->aliases);
	s->aliases = m->aliases;
}

/* The index of label in t, or where it would go as ~index. */
static long find(const struct model_aliases *t, const char *label)
{
	size_t lo = 0, hi = t ? t->n : 0;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(label, t->a[mid].label);

		if (!c)
			return (long)mid;
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return ~(long)lo;
}

const char *model_alias_get(const struct model *m, const char *label)
{
	long i = find(m->aliases, label);

	return i >= 0 ? m->aliases->a[i].text : NULL;
}

const char *model_device_alias(const struct model *m,
			       const struct model_device *d)
{
	char label[MODEL_LABEL_MAX];

	if (!m->aliases || !m->aliases->n)
		return NULL;
	model_device_label(m, d, label, sizeof(label));
	return model_alias_get(m, label);
}

int model_alias_set(struct model *m, const char *label, const char *text)
{
	const struct model_aliases *o = m->aliases;
	size_t n = o ? o->n : 0, pos, k;
	long i = find(o, label);
	bool del = !text || !*text;
	struct model_aliases *t;

	if (strlen(label) >= MODEL_LABEL_MAX ||
	    (!del && strlen(text) >= MODEL_ALIAS_MAX))
		return -1;
	if (i < 0 && del)
		return 0;
	if (i < 0 && n >= MODEL_MAX_ALIASES)
		return -1;
	k = i >= 0 ? n - del : n + 1;
	t = malloc(sizeof(*t) + (k ? k : 1) * sizeof(t->a[0]));
	if (!t)
		return -1;
	t->refs = 1;
	t->n = k;
	pos = i >= 0 ? (size_t)i : (size_t)~i;
	if (pos)
		memcpy(t->a, o->a, pos * sizeof(t->a[0]));
	if (del) {
		if (n > pos + 1)
			memcpy(t->a + pos, o->a + pos + 1,
			       (n - pos - 1) * sizeof(t->a[0]));
	} else {
		size_t after = i >= 0 ? pos + 1 : pos;

		memset(&t->a[pos], 0, sizeof(t->a[0]));
		strcpy(t->a[pos].label, label);
		strcpy(t->a[pos].text, text);
		if (n > after)
			memcpy(t->a + pos + 1, o->a + after,
			       (n - after) * sizeof(t->a[0]));
	}
	model_aliases_drop(m->aliases);
	m->aliases = t;
	return 0;
}

/* Bytes of the UTF-8 sequence at s (len left), its code point in *cp; 0
 * when not well-formed (overlong, surrogate, past U+10FFFF, cut). */
static size_t utf8_next(const unsigned char *s, size_t len, uint32_t *cp)
{
	static const uint32_t min[] = { 0, 0, 0x80, 0x800, 0x10000 };
	size_t n, k;
	uint32_t c;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	n = s[0] >= 0xf0 && s[0] <= 0xf4 ? 4 : s[0] >= 0xe0 && s[0] < 0xf0 ?
	    3 : s[0] >= 0xc2 && s[0] < 0xe0 ? 2 : 0;
	if (!n || n > len)
		return 0;
	c = s[0] & (0x7f >> n);
	for (k = 1; k < n; k++) {
		if ((s[k] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (s[k] & 0x3f);
	}
	if (c < min[n] || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return n;
}

int model_alias_check(const char *text, size_t len, char *why, size_t whylen)
{
	const unsigned char *s = (const unsigned char *)text;
	size_t i = 0, chars = 0, n;
	uint32_t cp;

	if (len >= MODEL_ALIAS_MAX) {
		snprintf(why, whylen, "alias: at most %d bytes",
			 MODEL_ALIAS_MAX - 1);
		return -1;
	}
	while (i < len) {
		n = utf8_next(s + i, len - i, &cp);
		if (!n) {
			snprintf(why, whylen, "alias: not UTF-8 at byte %zu",
				 i);
			return -1;
		}
		/* C0, DEL, C1 and the line and paragraph separators: an
		 * alias is one line on every screen and in every log */
		if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0) ||
		    cp == 0x2028 || cp == 0x2029) {
			snprintf(why, whylen, "alias: control character "
				 "U+%04X at byte %zu", cp, i);
			return -1;
		}
		i += n;
		chars++;
	}
	if (chars > MODEL_ALIAS_CHARS) {
		snprintf(why, whylen, "alias: at most %d characters",
			 MODEL_ALIAS_CHARS);
		return -1;
	}
	if (len && (s[0] == ' ' || s[len - 1] == ' ')) {
		snprintf(why, whylen, "alias: no leading or trailing spaces");
		return -1;
	}
	return 0;
}
