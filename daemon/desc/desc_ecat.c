/*
 * EtherCAT: ESI (EtherCATInfo/Descriptions/Devices/Device) and ENI
 * (EtherCATConfig/Config: Slave with Info and ProcessData, Cyclic/Frame/
 * Cmd).  Both list PDOs the same way: RxPdo/TxPdo with Index, Name and
 * Entry (Index, SubIndex, BitLen, Name, DataType).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "desc/desc_int.h"

/* Entry; its bit offset follows the group's entries before it */
static int parse_entry(struct desc *d, const xmlNode *x, uint32_t *bit,
		       char *err, size_t errlen)
{
	struct desc_entry *e = desc_add_entry(d, x, err, errlen);
	uint64_t v;

	if (!e)
		return -1;
	if (desc_child_num(x, "Index", 0xffff, &v, err, errlen))
		return -1;
	e->index = (uint16_t)v;
	if (desc_child(x, "SubIndex")) {
		if (desc_child_num(x, "SubIndex", 0xff, &v, err, errlen))
			return -1;
		e->subindex = (uint8_t)v;
	}
	if (desc_child_num(x, "BitLen", 0xffff, &v, err, errlen))
		return -1;
	if (!v) {
		snprintf(err, errlen, "line %d: <BitLen> 0", desc_line(x));
		return -1;
	}
	e->bitlen = (uint32_t)v;
	e->bitoff = *bit;
	*bit += e->bitlen;
	desc_child_text(x, "Name", e->name, sizeof(e->name));
	desc_child_text(x, "DataType", e->type, sizeof(e->type));
	desc_child_text(x, "Unit", e->unit, sizeof(e->unit));
	if (e->index && !e->type[0]) {
		snprintf(err, errlen, "line %d: entry 0x%04x without "
			 "<DataType>", desc_line(x), e->index);
		return -1;
	}
	return 0;
}

static int parse_pdo(struct desc *d, const xmlNode *x, uint8_t dir,
		     char *err, size_t errlen)
{
	struct desc_group *g = desc_add_group(d, x, err, errlen);
	const xmlNode *c;
	uint32_t bit = 0;
	uint64_t v;
	char sm[8];

	if (!g)
		return -1;
	g->dir = dir;
	if (desc_child_num(x, "Index", 0xffff, &v, err, errlen))
		return -1;
	g->index = (uint32_t)v;
	desc_child_text(x, "Name", g->name, sizeof(g->name));
	desc_attr(x, "Sm", sm, sizeof(sm));
	g->assigned = sm[0] != '\0';
	for (c = desc_child(x, "Entry"); c; c = desc_next(c, "Entry"))
		if (parse_entry(d, c, &bit, err, errlen))
			return -1;
	return 0;
}

static int parse_pdos(struct desc *d, const xmlNode *parent, char *err,
		      size_t errlen)
{
	const xmlNode *c;

	for (c = parent->children; c; c = c->next) {
		if (desc_is(c, "RxPdo") &&
		    parse_pdo(d, c, DESC_OUT, err, errlen))
			return -1;
		if (desc_is(c, "TxPdo") &&
		    parse_pdo(d, c, DESC_IN, err, errlen))
			return -1;
	}
	return 0;
}

int desc_parse_esi(struct desc *d, const xmlNode *root, char *err,
		   size_t errlen)
{
	const xmlNode *vendor = desc_child(root, "Vendor");
	const xmlNode *devs, *x, *type;
	uint64_t v;

	if (!vendor) {
		snprintf(err, errlen, "line %d: <EtherCATInfo> without "
			 "<Vendor>", desc_line(root));
		return -1;
	}
	if (desc_child_num(vendor, "Id", UINT32_MAX, &v, err, errlen))
		return -1;
	d->vendor_id = (uint32_t)v;
	desc_child_text(vendor, "Name", d->vendor, sizeof(d->vendor));
	devs = desc_child(desc_child(root, "Descriptions"), "Devices");
	if (!devs) {
		snprintf(err, errlen, "line %d: no <Descriptions><Devices>",
			 desc_line(root));
		return -1;
	}
	for (x = desc_child(devs, "Device"); x; x = desc_next(x, "Device")) {
		struct desc_device *dev = desc_add_dev(d, x, err, errlen);

		if (!dev)
			return -1;
		dev->role = DESC_ROLE_DEVICE;
		dev->vendor_id = d->vendor_id;
		type = desc_child(x, "Type");
		if (!type) {
			snprintf(err, errlen, "line %d: <Device> without "
				 "<Type>", desc_line(x));
			return -1;
		}
		desc_text(type, dev->type, sizeof(dev->type));
		if (desc_attr_num(type, "ProductCode", UINT32_MAX, &v, err,
				  errlen))
			return -1;
		dev->product = (uint32_t)v;
		if (desc_attr_num(type, "RevisionNo", UINT32_MAX, &v, err,
				  errlen))
			return -1;
		dev->revision = (uint32_t)v;
		desc_child_text(x, "Name", dev->name, sizeof(dev->name));
		if (!dev->name[0])
			snprintf(dev->name, sizeof(dev->name), "%s",
				 dev->type);
		if (parse_pdos(d, x, err, errlen))
			return -1;
	}
	return 0;
}

/* Send/Recv: BitStart and BitLength in the output/input image */
static int parse_span(const xmlNode *pd, const char *name, int64_t *start,
		      uint32_t *len, char *err, size_t errlen)
{
	const xmlNode *x = desc_child(pd, name);
	uint64_t v;

	if (!x)
		return 0;
	if (desc_child_num(x, "BitStart", UINT32_MAX, &v, err, errlen))
		return -1;
	*start = (int64_t)v;
	if (desc_child_num(x, "BitLength", UINT32_MAX, &v, err, errlen))
		return -1;
	*len = (uint32_t)v;
	return 0;
}

static int parse_slave(struct desc *d, const xmlNode *x, char *err,
		       size_t errlen)
{
	const xmlNode *info = desc_child(x, "Info");
	const xmlNode *pd = desc_child(x, "ProcessData");
	struct desc_device *dev;
	uint64_t v;

	if (!info) {
		snprintf(err, errlen, "line %d: <Slave> without <Info>",
			 desc_line(x));
		return -1;
	}
	dev = desc_add_dev(d, x, err, errlen);
	if (!dev)
		return -1;
	dev->role = DESC_ROLE_SLAVE;
	desc_child_text(info, "Name", dev->name, sizeof(dev->name));
	if (desc_child(info, "PhysAddr")) {
		if (desc_child_num(info, "PhysAddr", 0xffff, &v, err, errlen))
			return -1;
		dev->phys_addr = (uint16_t)v;
	}
	if (desc_child_num(info, "VendorId", UINT32_MAX, &v, err, errlen))
		return -1;
	dev->vendor_id = (uint32_t)v;
	if (desc_child_num(info, "ProductCode", UINT32_MAX, &v, err, errlen))
		return -1;
	dev->product = (uint32_t)v;
	if (desc_child(info, "RevisionNo")) {
		if (desc_child_num(info, "RevisionNo", UINT32_MAX, &v, err,
				   errlen))
			return -1;
		dev->revision = (uint32_t)v;
	}
	if (!pd)
		return 0;
	if (parse_span(pd, "Send", &dev->out_bitstart, &dev->out_bitlen, err,
		       errlen) ||
	    parse_span(pd, "Recv", &dev->in_bitstart, &dev->in_bitlen, err,
		       errlen))
		return -1;
	return parse_pdos(d, pd, err, errlen);
}

static int parse_cmd(struct desc *d, const xmlNode *x, char *err,
		     size_t errlen)
{
	struct desc_cmd c = { 0, 0, 0, -1, -1 };
	uint64_t v;

	if (desc_child_num(x, "Cmd", 0xff, &v, err, errlen))
		return -1;
	c.cmd = (uint8_t)v;
	/* only logical commands carry process data */
	if (c.cmd < 10 || c.cmd > 12)
		return 0;
	if (desc_child_num(x, "Addr", UINT32_MAX, &v, err, errlen))
		return -1;
	c.addr = (uint32_t)v;
	if (desc_child_num(x, "DataLength", 0xffff, &v, err, errlen))
		return -1;
	c.len = (uint32_t)v;
	if (desc_child(x, "InputOffs")) {
		if (desc_child_num(x, "InputOffs", UINT32_MAX, &v, err,
				   errlen))
			return -1;
		c.in_offs = (int64_t)v;
	}
	if (desc_child(x, "OutputOffs")) {
		if (desc_child_num(x, "OutputOffs", UINT32_MAX, &v, err,
				   errlen))
			return -1;
		c.out_offs = (int64_t)v;
	}
	if (d->ncmds >= DESC_MAX_CMDS) {
		snprintf(err, errlen, "line %d: more than %d cyclic commands",
			 desc_line(x), DESC_MAX_CMDS);
		return -1;
	}
	if (!(d->ncmds & (d->ncmds - 1))) {
		size_t cap = d->ncmds ? d->ncmds * 2 : 1;
		void *a = realloc(d->cmds, cap * sizeof(*d->cmds));

		if (!a) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		d->cmds = a;
	}
	d->cmds[d->ncmds++] = c;
	return 0;
}

/* the master's name, and its MAC (Source, 12 hex digits) as selector */
static void parse_master(struct desc *d, const xmlNode *cfg)
{
	const xmlNode *info = desc_child(desc_child(cfg, "Master"), "Info");
	char src[32];

	desc_child_text(info, "Name", d->name, sizeof(d->name));
	desc_child_text(info, "Source", src, sizeof(src));
	if (strlen(src) == 12 && strspn(src, "0123456789abcdefABCDEF") == 12)
		snprintf(d->master, sizeof(d->master),
			 "%.2s:%.2s:%.2s:%.2s:%.2s:%.2s", src, src + 2,
			 src + 4, src + 6, src + 8, src + 10);
}

int desc_parse_eni(struct desc *d, const xmlNode *root, char *err,
		   size_t errlen)
{
	const xmlNode *cfg = desc_child(root, "Config");
	const xmlNode *x, *f, *c;

	if (!cfg) {
		snprintf(err, errlen, "line %d: <EtherCATConfig> without "
			 "<Config>", desc_line(root));
		return -1;
	}
	parse_master(d, cfg);
	for (x = desc_child(cfg, "Slave"); x; x = desc_next(x, "Slave"))
		if (parse_slave(d, x, err, errlen))
			return -1;
	for (f = desc_child(desc_child(cfg, "Cyclic"), "Frame"); f;
	     f = desc_next(f, "Frame"))
		for (c = desc_child(f, "Cmd"); c; c = desc_next(c, "Cmd"))
			if (parse_cmd(d, c, err, errlen))
				return -1;
	if (d->ndevs)
		d->vendor_id = d->devs[0].vendor_id;
	return 0;
}
