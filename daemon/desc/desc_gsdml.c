/*
 * PROFINET GSDML (ISO 15745 ProfileBody/ApplicationProcess): access points
 * (DeviceAccessPointList), modules (ModuleList) and submodules
 * (SubmoduleList) with their IOData Input/Output DataItems; names through
 * TextId → ExternalTextList/PrimaryLanguage.
 */
#include <stdio.h>
#include <string.h>

#include "desc/desc_int.h"

/* GSDML data types and their sizes in bytes; others need Length */
static const struct {
	const char *name;
	uint8_t bytes;
} gsd_types[] = {
	{ "Integer8", 1 }, { "Unsigned8", 1 }, { "Boolean", 1 },
	{ "Integer16", 2 }, { "Unsigned16", 2 }, { "Integer32", 4 },
	{ "Unsigned32", 4 }, { "Float32", 4 }, { "Integer64", 8 },
	{ "Unsigned64", 8 }, { "Float64", 8 }, { "N2", 2 }, { "N4", 4 },
	{ "V2", 2 }, { "E2", 2 }, { "C4", 4 }, { "X2", 2 }, { "X4", 4 },
	{ "Unipolar2.16", 2 }, { "Unsigned8_S", 1 }, { "Integer8_S", 1 },
	{ "Unsigned16_S", 2 }, { "Integer16_S", 2 }, { "Unsigned8+Unsigned8", 2 },
	{ "Float32+Unsigned8", 5 }, { "Float32+Status8", 5 },
	{ "Date", 7 }, { "TimeOfDay with date indication", 6 },
	{ "TimeOfDay without date indication", 4 }, { "TimeStamp", 12 },
	{ "F_MessageTrailer4Byte", 4 }, { "F_MessageTrailer5Byte", 5 },
};

static uint32_t type_bytes(const char *t)
{
	size_t i;

	for (i = 0; i < sizeof(gsd_types) / sizeof(gsd_types[0]); i++)
		if (!strcmp(t, gsd_types[i].name))
			return gsd_types[i].bytes;
	return 0;
}

static const xmlNode *texts_of(const xmlNode *ap)
{
	return desc_child(desc_child(ap, "ExternalTextList"),
			  "PrimaryLanguage");
}

/* TextId attribute of n → its text (or the id itself) into out */
static void text_of(const xmlNode *texts, const xmlNode *n, char *out,
		    size_t outlen)
{
	char id[128], tid[128];
	const xmlNode *t;

	size_t l;

	desc_attr(n, "TextId", id, sizeof(id));
	l = strnlen(id, outlen - 1);	/* the id when it names no text */
	memcpy(out, id, l);
	out[l] = '\0';
	if (!id[0])
		return;
	for (t = desc_child(texts, "Text"); t; t = desc_next(t, "Text")) {
		desc_attr(t, "TextId", tid, sizeof(tid));
		if (!strcmp(id, tid)) {
			desc_attr(t, "Value", out, outlen);
			return;
		}
	}
}

static void info_name(const xmlNode *texts, const xmlNode *item, char *out,
		      size_t outlen)
{
	const xmlNode *n = desc_child(desc_child(item, "ModuleInfo"), "Name");

	out[0] = '\0';
	if (n)
		text_of(texts, n, out, outlen);
	if (!out[0])
		desc_attr(item, "ID", out, outlen);
}

static int parse_items(struct desc *d, const xmlNode *texts,
		       const xmlNode *io, uint8_t dir, const xmlNode *sub,
		       char *err, size_t errlen)
{
	struct desc_group *g = desc_add_group(d, io, err, errlen);
	const xmlNode *x;
	int64_t off = 0;
	uint64_t v;

	if (!g)
		return -1;
	g->dir = dir;
	g->assigned = 1;
	info_name(texts, sub, g->name, sizeof(g->name));
	if (!desc_attr_num(sub, "SubmoduleIdentNumber", UINT32_MAX, &v, err,
			   errlen))
		g->index = (uint32_t)v;
	err[0] = '\0';
	for (x = desc_child(io, "DataItem"); x; x = desc_next(x, "DataItem")) {
		struct desc_entry *e = desc_add_entry(d, x, err, errlen);
		char len[16];
		uint32_t bytes;

		if (!e)
			return -1;
		desc_attr(x, "DataType", e->type, sizeof(e->type));
		if (!e->type[0]) {
			snprintf(err, errlen, "line %d: <DataItem> without "
				 "DataType", desc_line(x));
			return -1;
		}
		text_of(texts, x, e->name, sizeof(e->name));
		desc_attr(x, "Unit", e->unit, sizeof(e->unit));
		bytes = type_bytes(e->type);
		desc_attr(x, "Length", len, sizeof(len));
		if (len[0]) {
			if (desc_num(len, 1440, &v)) {
				snprintf(err, errlen, "line %d: Length '%s' "
					 "is not 0..1440", desc_line(x), len);
				return -1;
			}
			bytes = (uint32_t)v;
		}
		/* an unknown type leaves the rest of the layout unknown */
		e->bitoff = off;
		e->bitlen = bytes * 8;
		off = off < 0 || !bytes ? -1 : off + bytes * 8;
	}
	return 0;
}

/* a (virtual) submodule: its Input and Output as one group each */
static int parse_sub(struct desc *d, const xmlNode *texts,
		     const xmlNode *sub, char *err, size_t errlen)
{
	const xmlNode *io = desc_child(sub, "IOData");

	if (!io)
		return 0;
	if (desc_child(io, "Input") &&
	    parse_items(d, texts, desc_child(io, "Input"), DESC_IN, sub, err,
			errlen))
		return -1;
	if (desc_child(io, "Output") &&
	    parse_items(d, texts, desc_child(io, "Output"), DESC_OUT, sub,
			err, errlen))
		return -1;
	return 0;
}

static int parse_item(struct desc *d, const xmlNode *texts,
		      const xmlNode *x, uint8_t role, const char *identattr,
		      char *err, size_t errlen)
{
	struct desc_device *dev = desc_add_dev(d, x, err, errlen);
	const xmlNode *s;
	uint64_t v;

	if (!dev)
		return -1;
	dev->role = role;
	dev->vendor_id = d->vendor_id;
	desc_attr(x, "ID", dev->type, sizeof(dev->type));
	if (!dev->type[0]) {
		snprintf(err, errlen, "line %d: <%s> without ID",
			 desc_line(x), (const char *)x->name);
		return -1;
	}
	if (desc_attr_num(x, identattr, UINT32_MAX, &v, err, errlen))
		return -1;
	dev->product = (uint32_t)v;
	info_name(texts, x, dev->name, sizeof(dev->name));
	if (role == DESC_ROLE_SUBMODULE)
		return parse_sub(d, texts, x, err, errlen);
	for (s = desc_child(desc_child(x, "VirtualSubmoduleList"),
			    "VirtualSubmoduleItem"); s;
	     s = desc_next(s, "VirtualSubmoduleItem"))
		if (parse_sub(d, texts, s, err, errlen))
			return -1;
	return 0;
}

static int parse_list(struct desc *d, const xmlNode *texts,
		      const xmlNode *list, const char *item, uint8_t role,
		      const char *identattr, char *err, size_t errlen)
{
	const xmlNode *x;

	for (x = desc_child(list, item); x; x = desc_next(x, item))
		if (parse_item(d, texts, x, role, identattr, err, errlen))
			return -1;
	return 0;
}

int desc_parse_gsdml(struct desc *d, const xmlNode *root, char *err,
		     size_t errlen)
{
	const xmlNode *body = desc_child(root, "ProfileBody");
	const xmlNode *id = desc_child(body, "DeviceIdentity");
	const xmlNode *ap = desc_child(body, "ApplicationProcess");
	const xmlNode *texts = texts_of(ap);
	uint64_t v;

	if (!id || !ap) {
		snprintf(err, errlen, "line %d: no ProfileBody with "
			 "DeviceIdentity and ApplicationProcess",
			 desc_line(body ? body : root));
		return -1;
	}
	if (desc_attr_num(id, "VendorID", 0xffff, &v, err, errlen))
		return -1;
	d->vendor_id = (uint32_t)v;
	desc_attr(desc_child(id, "VendorName"), "Value", d->vendor,
		  sizeof(d->vendor));
	if (parse_list(d, texts, desc_child(ap, "DeviceAccessPointList"),
		       "DeviceAccessPointItem", DESC_ROLE_DAP,
		       "ModuleIdentNumber", err, errlen) ||
	    parse_list(d, texts, desc_child(ap, "ModuleList"), "ModuleItem",
		       DESC_ROLE_MODULE, "ModuleIdentNumber", err, errlen) ||
	    parse_list(d, texts, desc_child(ap, "SubmoduleList"),
		       "SubmoduleItem", DESC_ROLE_SUBMODULE,
		       "SubmoduleIdentNumber", err, errlen))
		return -1;
	return 0;
}
