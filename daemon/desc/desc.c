/* A description's kind from its root element; the flat arrays. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>

#include "desc/desc_int.h"

static const char *const kind_names[] = { "?", "gsdml", "esi", "eni" };

const char *desc_kind_name(unsigned int kind)
{
	return kind <= DESC_ENI ? kind_names[kind] : "?";
}

unsigned int desc_kind_parse(const char *s)
{
	unsigned int k;

	for (k = DESC_GSDML; k <= DESC_ENI; k++)
		if (!strcmp(s, kind_names[k]))
			return k;
	return 0;
}

void desc_free(struct desc *d)
{
	if (!d)
		return;
	free(d->devs);
	free(d->groups);
	free(d->ents);
	free(d->cmds);
	free(d);
}

/* grow *arr (of size elem) by one at *n; NULL past max */
static void *grow(void **arr, size_t *n, size_t elem, size_t max)
{
	char *a;

	if (*n >= max)
		return NULL;
	/* doubling at powers of two keeps it amortised */
	if (!(*n & (*n - 1)) || !*n) {
		size_t cap = *n ? *n * 2 : 16;

		a = realloc(*arr, cap * elem);
		if (!a)
			return NULL;
		*arr = a;
	}
	a = (char *)*arr + *n * elem;
	memset(a, 0, elem);
	(*n)++;
	return a;
}

static void *add(void **arr, size_t *n, size_t elem, size_t max,
		 const char *what, const xmlNode *at, char *err,
		 size_t errlen)
{
	void *p = grow(arr, n, elem, max);

	if (!p)
		snprintf(err, errlen, "line %d: %s", desc_line(at),
			 *n >= max ? "too many items (limit reached)" :
			 "out of memory");
	(void)what;
	return p;
}

struct desc_device *desc_add_dev(struct desc *d, const xmlNode *at,
				 char *err, size_t errlen)
{
	struct desc_device *v = add((void **)&d->devs, &d->ndevs,
				    sizeof(*v), DESC_MAX_DEVICES, "devices",
				    at, err, errlen);

	if (v) {
		v->line = desc_line(at);
		v->in_bitstart = v->out_bitstart = -1;
		v->first = (uint32_t)d->ngroups;
	}
	return v;
}

struct desc_group *desc_add_group(struct desc *d, const xmlNode *at,
				  char *err, size_t errlen)
{
	struct desc_group *g = add((void **)&d->groups, &d->ngroups,
				   sizeof(*g), DESC_MAX_GROUPS, "groups", at,
				   err, errlen);

	if (g) {
		g->first = (uint32_t)d->nents;
		if (d->ndevs)
			d->devs[d->ndevs - 1].n++;
	}
	return g;
}

struct desc_entry *desc_add_entry(struct desc *d, const xmlNode *at,
				  char *err, size_t errlen)
{
	struct desc_entry *e = add((void **)&d->ents, &d->nents, sizeof(*e),
				   DESC_MAX_ENTRIES, "entries", at, err,
				   errlen);

	if (e && d->ngroups)
		d->groups[d->ngroups - 1].n++;
	return e;
}

struct desc *desc_parse(const char *buf, size_t len, char *err,
			size_t errlen)
{
	xmlDocPtr doc = desc_xml_read(buf, len, err, errlen);
	const xmlNode *root;
	struct desc *d;
	int rc;

	if (!doc)
		return NULL;
	root = xmlDocGetRootElement(doc);
	d = calloc(1, sizeof(*d));
	if (!d) {
		snprintf(err, errlen, "out of memory");
		xmlFreeDoc(doc);
		return NULL;
	}
	if (desc_is(root, "ISO15745Profile")) {
		d->kind = DESC_GSDML;
		rc = desc_parse_gsdml(d, root, err, errlen);
	} else if (desc_is(root, "EtherCATInfo")) {
		d->kind = DESC_ESI;
		rc = desc_parse_esi(d, root, err, errlen);
	} else if (desc_is(root, "EtherCATConfig")) {
		d->kind = DESC_ENI;
		rc = desc_parse_eni(d, root, err, errlen);
	} else {
		snprintf(err, errlen, "line %d: root element <%s> is none of "
			 "ISO15745Profile (GSDML), EtherCATInfo (ESI), "
			 "EtherCATConfig (ENI)", desc_line(root),
			 root ? (const char *)root->name : "");
		rc = -1;
	}
	xmlFreeDoc(doc);
	if (!rc && !d->ndevs) {
		snprintf(err, errlen, "no devices in this %s",
			 desc_kind_name(d->kind));
		rc = -1;
	}
	if (rc) {
		desc_free(d);
		return NULL;
	}
	if (!d->name[0])
		snprintf(d->name, sizeof(d->name), "%s", d->devs[0].name);
	return d;
}
