/*
 * Rules on a group of devices: a rule's signals (names or globs) are
 * kept to those on a device of its group, so `signal = temp*` with a
 * group of presses watches the temperature of each press, one instance
 * (and one alert) per press.
 *
 *	[group.presses]           # or, in the rule itself, the same keys
 *	kind = pn-device          # as device_kind, device_vendor,
 *	vendor = 0x002a           # device_label, device
 *	label = press-*           # the device's label (station name, ...)
 *	device = pn:press-1       # the signal map's DEVICE, as written
 *
 * Every key given must match (a list: any of its words).  kind, vendor
 * and label are the inventory's: until the device is seen, its signals
 * are not in the group; device is the mapping's and known at once.
 * Membership is decided again whenever a signal's device changes
 * (analytics_signal_device), not per sample.
 */
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analytics/analytics_int.h"
#include "core/conf.h"

static const char *const dev_kinds[] = {
	"ecat-master", "ecat-slave", "pn-controller", "pn-device", NULL
};

void an_group_free(struct an_group *g)
{
	free(g->kind);
	free(g->label);
	free(g->device);
	memset(g, 0, sizeof(*g));
}

static int words(const char *list, int (*each)(void *, const char *, size_t),
		 void *arg)
{
	const char *s = list;

	while (*s) {
		size_t n = strcspn(s, " \t,");

		if (n && each(arg, s, n))
			return 1;
		s += n ? n : 1;
	}
	return 0;
}

struct one {
	const char *s;
	char bad[64];
};

static int kind_bad(void *arg, const char *w, size_t n)
{
	struct one *o = arg;
	size_t i;

	for (i = 0; dev_kinds[i]; i++)
		if (strlen(dev_kinds[i]) == n && !memcmp(dev_kinds[i], w, n))
			return 0;
	snprintf(o->bad, sizeof(o->bad), "%.*s", (int)(n < 40 ? n : 40), w);
	return 1;
}

static int text(const struct conf *c, const char *sect, const char *key,
		char **out, char *err, size_t errlen)
{
	const struct conf_entry *e = conf_find(c, sect, key);

	if (!e)
		return 0;
	if (!e->value[strspn(e->value, " \t,")]) {
		conf_errf(c, e, err, errlen, "%s.%s: empty", sect, key);
		return -1;
	}
	*out = strdup(e->value);
	if (!*out) {
		conf_errf(c, e, err, errlen, "out of memory");
		return -1;
	}
	return 0;
}

static int vendors(const struct conf *c, const char *sect, const char *key,
		   struct an_group *g, char *err, size_t errlen)
{
	const struct conf_entry *e = conf_find(c, sect, key);
	const char *s;

	if (!e)
		return 0;
	for (s = e->value; *s;) {
		size_t n = strcspn(s, " \t,");
		char w[24], *end;
		unsigned long v;

		if (!n) {
			s++;
			continue;
		}
		snprintf(w, sizeof(w), "%.*s", (int)(n < 23 ? n : 23), s);
		v = strtoul(w, &end, 0);
		if (n > 10 || *end || v > 0xffffffffUL || w[0] == '-') {
			conf_errf(c, e, err, errlen, "%s.%s: '%s' is not a "
				  "vendor ID (e.g. 0x002a)", sect, key, w);
			return -1;
		}
		if (g->nvendor == AN_GROUP_VENDORS) {
			conf_errf(c, e, err, errlen, "%s.%s: more than %d "
				  "vendors", sect, key, AN_GROUP_VENDORS);
			return -1;
		}
		g->vendor[g->nvendor++] = (uint32_t)v;
		s += n;
	}
	if (!g->nvendor) {
		conf_errf(c, e, err, errlen, "%s.%s: empty", sect, key);
		return -1;
	}
	return 0;
}

int an_group_parse(const struct conf *c, const char *sect, const char *pre,
		   struct an_group *g, char *err, size_t errlen)
{
	char k[3][32];
	struct one o = { 0 };

	snprintf(k[0], sizeof(k[0]), "%skind", pre);
	snprintf(k[1], sizeof(k[1]), "%svendor", pre);
	snprintf(k[2], sizeof(k[2]), "%slabel", pre);
	if (text(c, sect, k[0], &g->kind, err, errlen) ||
	    vendors(c, sect, k[1], g, err, errlen) ||
	    text(c, sect, k[2], &g->label, err, errlen) ||
	    text(c, sect, "device", &g->device, err, errlen))
		return -1;
	if (g->kind && words(g->kind, kind_bad, &o)) {
		conf_errf(c, conf_find(c, sect, k[0]), err, errlen, "%s.%s: "
			  "'%s' is not ecat-master, ecat-slave, pn-controller "
			  "or pn-device", sect, k[0], o.bad);
		return -1;
	}
	g->on = g->kind || g->nvendor || g->label || g->device;
	return 0;
}

static int glob_hit(void *arg, const char *w, size_t n)
{
	struct one *o = arg;
	char pat[128];

	if (n >= sizeof(pat))
		return 0;
	memcpy(pat, w, n);
	pat[n] = '\0';
	return !fnmatch(pat, o->s, 0);
}

static bool any(const char *list, const char *s)
{
	struct one o = { .s = s };

	return words(list, glob_hit, &o);
}

bool an_group_has(const struct an_group *g, const struct an_sig *sig)
{
	const struct an_dev *s = an_sig_dev(sig);
	unsigned int i;

	if (!g->on)
		return true;
	if (g->device && !any(g->device, s->dev))
		return false;
	if ((g->kind || g->nvendor || g->label) && !s->seen)
		return false;
	if (g->kind && !any(g->kind, s->dkind))
		return false;
	if (g->label && !any(g->label, s->dlabel))
		return false;
	if (!g->nvendor)
		return true;
	for (i = 0; s->has_vendor && i < g->nvendor; i++)
		if (g->vendor[i] == s->vendor)
			return true;
	return false;
}
