/* Defaults of each section, and turning a finished section into entries. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scenario_parse.h"

static const uint8_t auto_master_mac[6] = { 0x00, 0x1b, 0x21, 0x10, 0, 0 };
static const uint8_t auto_ctrl_mac[6] = { 0x00, 0x0e, 0x8c, 0x00, 0, 0 };
static const uint8_t auto_dev_mac[6] = { 0x00, 0x0e, 0x8c, 0x10, 0, 0 };
static const uint8_t auto_unknown_mac[6] = { 0x00, 0x0e, 0x8c, 0xf0, 0, 0 };
static const uint8_t auto_stranger_mac[6] = { 0x02, 0xde, 0xad, 0xbe, 0, 0 };

static void device_defaults(struct parser *p, struct sim_device *d)
{
	memset(d, 0, sizeof(*d));
	snprintf(d->type, sizeof(d->type), "ET 200SP");
	d->vendor_id = 0x002a;
	d->device_id = 0x0313;
	d->cycle_ns = 2000000;
	d->dap_ident = 1;
	d->in_len = SIM_PN_MIN_DATA;
	d->out_len = SIM_PN_MIN_DATA;
	d->mask = htonl(0xffffff00);
	d->ip = htonl(0x0a000064 + p->sc->ndevices);	/* 10.0.0.100 + n */
	memcpy(d->mac, auto_dev_mac, 6);
	mac_add(d->mac, p->sc->ndevices + 1);
}

void section_defaults(struct parser *p)
{
	struct sim_scenario *sc = p->sc;

	p->nseen = 0;
	p->count = 1;
	p->has_mac = p->has_ip = p->has_station = p->has_frames = false;
	p->has_target = p->has_parent = false;
	memset(&p->m, 0, sizeof(p->m));
	memset(&p->s, 0, sizeof(p->s));
	memset(&p->c, 0, sizeof(p->c));
	memset(&p->g, 0, sizeof(p->g));
	memset(&p->f, 0, sizeof(p->f));
	memset(&p->mod, 0, sizeof(p->mod));
	p->m.cycle_ns = 1000000;
	p->m.diag_every = 1000;
	memcpy(p->m.mac, auto_master_mac, 6);
	mac_add(p->m.mac, sc->nmasters + 1);
	p->s.vendor = 2;
	p->s.in_len = p->s.out_len = 2;
	memcpy(p->c.mac, auto_ctrl_mac, 6);
	mac_add(p->c.mac, sc->nctrls + 1);
	p->c.ip = htonl(0x0a000001 + sc->nctrls);	/* 10.0.0.1 + n */
	device_defaults(p, &p->d);
	p->g.type = VT_U16;
	p->g.max = 1000;
	p->g.step = 1;
	p->g.period_ns = 10000000000ULL;
	p->g.anomaly_for_ns = 300000000ULL;
	p->f.rate = 1;
	memcpy(p->f.mac, auto_stranger_mac, 6);
	mac_add(p->f.mac, sc->nfaults + 1);
	snprintf(p->f.set_name, sizeof(p->f.set_name), "renamed-by-stranger");
	attack_defaults(p);
}

bool parser_key_given(const struct parser *p, const char *key)
{
	unsigned int i;

	for (i = 0; i < p->nseen; i++)
		if (!strcmp(p->seen[i], key))
			return true;
	return false;
}

/* Grow an array by one; the new slot is returned zeroed. */
void *parser_grow(struct parser *p, void **arr, uint32_t *n, size_t elem,
		  uint32_t max, const char *what)
{
	void *a;

	if (*n >= max) {
		perr(p, "more than %u %s", max, what);
		return NULL;
	}
	/* double at powers of two: amortised O(1), bounded by max */
	if ((*n & (*n - 1)) == 0) {
		a = realloc(*arr, elem * (*n ? 2 * (size_t)*n : 1));
		if (!a) {
			perr(p, "out of memory");
			return NULL;
		}
		*arr = a;
	}
	a = (char *)*arr + elem * (*n)++;
	memset(a, 0, elem);
	return a;
}


static bool name_taken(const struct sim_scenario *sc, const char *name)
{
	uint32_t i;

	for (i = 0; i < sc->nmasters; i++)
		if (!strcmp(sc->masters[i].name, name))
			return true;
	for (i = 0; i < sc->nslaves; i++)
		if (!strcmp(sc->slaves[i].name, name))
			return true;
	for (i = 0; i < sc->nctrls; i++)
		if (!strcmp(sc->ctrls[i].name, name))
			return true;
	for (i = 0; i < sc->ndevices; i++)
		if (!strcmp(sc->devices[i].name, name))
			return true;
	return false;
}

static int need_name(struct parser *p, const char *what)
{
	if (!p->sect_name[0])
		return perr(p, "[%s] needs a name: [%s NAME]", what, what);
	if (name_taken(p->sc, p->sect_name))
		return perr(p, "the name '%s' is used twice", p->sect_name);
	return 0;
}

static int finish_master(struct parser *p)
{
	struct sim_master *m;

	if (need_name(p, "ethercat-master"))
		return -1;
	m = GROW(p, p->sc->masters, p->sc->nmasters, SIM_MAX_ENTITIES,
		 "masters");
	if (!m)
		return -1;
	*m = p->m;
	snprintf(m->name, sizeof(m->name), "%s", p->sect_name);
	m->first_slave = p->sc->nslaves;
	return 0;
}

static int slave_station_free(const struct sim_scenario *sc,
			      const struct sim_master *m, uint16_t station)
{
	uint32_t i;

	for (i = m->first_slave; i < m->first_slave + m->nslaves; i++)
		if (sc->slaves[i].station == station)
			return 0;
	return 1;
}

static int add_slave(struct parser *p, uint32_t i)
{
	struct sim_scenario *sc = p->sc;
	struct sim_master *m = &sc->masters[p->s.master];
	struct sim_slave *s;

	if (m->nslaves >= SIM_MAX_SLAVES_PER)
		return perr(p, "master %s has more than %u slaves", m->name,
			    SIM_MAX_SLAVES_PER);
	s = GROW(p, sc->slaves, sc->nslaves, SIM_MAX_SLAVES, "slaves");
	if (!s)
		return -1;
	*s = p->s;
	s->position = (uint16_t)m->nslaves;
	s->station = p->has_station ? (uint16_t)(p->s.station + i)
				    : (uint16_t)(0x1001 + s->position);
	s->serial = p->s.serial + i;
	if (!p->sect_name[0])
		snprintf(s->name, sizeof(s->name), "%.40s-slave-%u", m->name,
			 s->position + 1);
	else if (p->count > 1)
		snprintf(s->name, sizeof(s->name), "%.57s-%u", p->sect_name,
			 (i + 1) % 10000);
	else
		snprintf(s->name, sizeof(s->name), "%s", p->sect_name);
	if (!slave_station_free(sc, m, s->station))
		return perr(p, "station address 0x%04x is used twice on "
			    "master %s", s->station, m->name);
	s->image_off = m->image_len;
	m->image_len += s->in_len + s->out_len;
	m->nslaves++;
	sc->nslaves--;	/* name check below must not see this entry */
	if (name_taken(sc, s->name))
		return perr(p, "the name '%s' is used twice", s->name);
	sc->nslaves++;
	return 0;
}

static int finish_slave(struct parser *p)
{
	struct sim_scenario *sc = p->sc;
	struct sim_master *m;
	uint32_t i;

	if (!p->has_parent)
		return perr(p, "[ethercat-slave] needs master = NAME");
	if (p->s.in_len + p->s.out_len > SIM_ECAT_MAX_SLAVE_PD)
		return perr(p, "inputs + outputs of a slave must not exceed %u "
			    "bytes", SIM_ECAT_MAX_SLAVE_PD);
	m = &sc->masters[p->s.master];
	if (m->nslaves && sc->slaves[sc->nslaves - 1].master != p->s.master)
		return perr(p, "slaves of master %s must follow each other",
			    m->name);
	if (!m->nslaves)
		m->first_slave = sc->nslaves;
	if (p->sect_name[0] && p->count == 1 && name_taken(sc, p->sect_name))
		return perr(p, "the name '%s' is used twice", p->sect_name);
	for (i = 0; i < p->count; i++)
		if (add_slave(p, i))
			return -1;
	return 0;
}

static int finish_ctrl(struct parser *p)
{
	struct sim_ctrl *c;

	if (need_name(p, "profinet-controller"))
		return -1;
	c = GROW(p, p->sc->ctrls, p->sc->nctrls, SIM_MAX_ENTITIES,
		 "controllers");
	if (!c)
		return -1;
	*c = p->c;
	snprintf(c->name, sizeof(c->name), "%s", p->sect_name);
	c->first_device = p->sc->ndevices;
	return 0;
}

/* MACs, FrameIDs and names must be unique among all devices. */
static int device_clashes(struct parser *p, const struct sim_device *d,
			  uint32_t upto)
{
	const struct sim_scenario *sc = p->sc;
	uint32_t i;

	for (i = 0; i < upto; i++) {
		const struct sim_device *o = &sc->devices[i];

		if (!memcmp(o->mac, d->mac, 6))
			return perr(p, "device %s has the MAC of %s", d->name,
				    o->name);
		if (!d->unknown && !o->unknown &&
		    (o->frame_in == d->frame_in || o->frame_in == d->frame_out ||
		     o->frame_out == d->frame_in ||
		     o->frame_out == d->frame_out))
			return perr(p, "device %s reuses a FrameID of %s",
				    d->name, o->name);
	}
	return 0;
}

static int place_device(struct parser *p, struct sim_device *d)
{
	struct sim_scenario *sc = p->sc;
	uint32_t idx = sc->ndevices - 1;

	sc->ndevices--;
	if (name_taken(sc, d->name)) {
		sc->ndevices++;
		return perr(p, "the name '%s' is used twice", d->name);
	}
	sc->ndevices++;
	return device_clashes(p, d, idx);
}

static int add_device(struct parser *p, uint32_t i)
{
	struct sim_scenario *sc = p->sc;
	uint32_t idx = sc->ndevices, fin, fout;
	struct sim_device *d;

	d = GROW(p, sc->devices, sc->ndevices, SIM_MAX_DEVICES, "devices");
	if (!d)
		return -1;
	*d = p->d;
	mac_add(d->mac, i);
	if (p->has_ip)
		d->ip = ip_add(p->d.ip, i);
	else
		d->ip = htonl(0x0a000064 + idx);
	fout = p->has_frames ? p->d.frame_out + 2U * i : 0xc000U + 2U * idx;
	fin = p->has_frames ? p->d.frame_in + 2U * i : 0xc001U + 2U * idx;
	if (fout > 0xf7ff || fin > 0xf7ff)
		return perr(p, "FrameIDs past 0xf7ff (RT class 1)");
	d->frame_out = (uint16_t)fout;
	d->frame_in = (uint16_t)fin;
	if (p->count > 1)
		snprintf(d->name, sizeof(d->name), "%.57s-%u", p->sect_name,
			 (i + 1) % 10000);
	else
		snprintf(d->name, sizeof(d->name), "%s", p->sect_name);
	if (p->has_frames && !parser_key_given(p, "frame_in"))
		return perr(p, "give both frame_in and frame_out, or neither");
	if (p->has_frames && !parser_key_given(p, "frame_out"))
		return perr(p, "give both frame_in and frame_out, or neither");
	if (d->frame_in == d->frame_out)
		return perr(p, "frame_in and frame_out must differ");
	return place_device(p, d);
}

static int finish_device(struct parser *p)
{
	struct sim_scenario *sc = p->sc;
	struct sim_ctrl *c;
	uint32_t i;

	if (!p->has_parent)
		return perr(p, "[profinet-device] needs controller = NAME");
	if (!p->sect_name[0])
		return perr(p, "[profinet-device] needs a station name: "
			    "[profinet-device NAME]");
	if (parser_key_given(p, "name"))
		return perr(p, "the station name is the section's name; "
			    "drop name =");
	c = &sc->ctrls[p->d.ctrl];
	if (c->ndevices && sc->devices[sc->ndevices - 1].ctrl != p->d.ctrl)
		return perr(p, "devices of controller %s must follow each "
			    "other", c->name);
	if (!c->ndevices)
		c->first_device = sc->ndevices;
	if (!p->has_mac) {
		memcpy(p->d.mac, auto_dev_mac, 6);
		mac_add(p->d.mac, sc->ndevices + 1);
	}
	for (i = 0; i < p->count; i++) {
		if (add_device(p, i))
			return -1;
		c->ndevices++;
	}
	return 0;
}

static const unsigned int vtype_size[] = { 1, 2, 2, 4, 4, 4 };

/*
 * count = N: the same signal on the target and the N - 1 slaves or devices
 * after it, as one section with count made them (line1-io-1 ... -199), so
 * that a line of analog terminals is one section, not hundreds.
 */
static int finish_signal(struct parser *p)
{
	struct sim_scenario *sc = p->sc;
	struct sim_signal *g;
	unsigned int in_len;
	uint32_t i, t, n;

	if (!p->has_target)
		return perr(p, "[signal] needs target = SLAVE-or-DEVICE");
	if (p->g.target_kind == TGT_SLAVE)
		n = sc->nslaves;
	else if (p->g.target_kind == TGT_DEVICE)
		n = sc->ndevices;
	else
		return perr(p, "a signal's target must be a slave or device");
	if (p->g.min > p->g.max)
		return perr(p, "min is above max");
	if (p->count > n - p->g.target)
		return perr(p, "count = %u goes past the last %s", p->count,
			    p->g.target_kind == TGT_SLAVE ? "slave" : "device");
	for (i = 0; i < p->count; i++) {
		t = p->g.target + i;
		in_len = p->g.target_kind == TGT_SLAVE ? sc->slaves[t].in_len :
							 sc->devices[t].in_len;
		if (p->g.offset + vtype_size[p->g.type] > in_len)
			return perr(p, "offset %u + %u bytes is past the "
				    "target's %u input bytes", p->g.offset,
				    vtype_size[p->g.type], in_len);
		g = GROW(p, sc->signals, sc->nsignals, SIM_MAX_ENTITIES,
			 "signals");
		if (!g)
			return -1;
		*g = p->g;
		g->target = t;
	}
	return 0;
}

/*
 * A module goes after the device's others, in slot order; its inputs after
 * theirs and their IOPS in the device's input frame, as a controller lays
 * out the IOCR's data objects; the access point's IOCS follows the last
 * module's IOPS.
 */
static int finish_module(struct parser *p)
{
	struct sim_scenario *sc = p->sc;
	struct sim_device *d;
	struct sim_pn_module *m;
	uint32_t i, n = 0, off = 0;

	if (!parser_key_given(p, "device") || !parser_key_given(p, "slot") ||
	    !parser_key_given(p, "ident"))
		return perr(p, "[profinet-module] needs device, slot and "
			    "ident");
	if (!parser_key_given(p, "submodule"))
		p->mod.sub_ident = p->mod.ident;
	for (i = 0; i < sc->nmodules; i++) {
		if (sc->modules[i].device != p->mod.device)
			continue;
		if (sc->modules[i].slot >= p->mod.slot)
			return perr(p, "slot %u: a device's modules come in "
				    "rising slot order", p->mod.slot);
		off = sc->modules[i].in_off + sc->modules[i].in_len + 1u;
		n++;
	}
	if (n == SIM_MAX_MODULES)
		return perr(p, "more than %u modules in one device",
			    SIM_MAX_MODULES);
	d = &sc->devices[p->mod.device];
	/* its data, its IOPS, the access point's IOCS */
	if (off + p->mod.in_len + 2u > d->in_len)
		return perr(p, "inputs at %u + %u bytes, IOPS and IOCS are "
			    "past the device's %u input bytes", off,
			    p->mod.in_len, d->in_len);
	p->mod.in_off = (uint16_t)off;
	m = GROW(p, sc->modules, sc->nmodules, SIM_MAX_ENTITIES, "modules");
	if (!m)
		return -1;
	*m = p->mod;
	d->status_pos[n] = (uint16_t)(off + p->mod.in_len);
	d->status_pos[n + 1] = (uint16_t)(off + p->mod.in_len + 1u);
	d->nstatus = (uint8_t)(n + 2);
	return 0;
}

/* Which targets each fault kind takes (bit per enum sim_target_kind). */
static const unsigned int fault_targets[FAULT_KINDS] = {
	[FAULT_LOST_FRAMES] = 1U << TGT_MASTER | 1U << TGT_DEVICE,
	[FAULT_WKC_ERROR] = 1U << TGT_MASTER | 1U << TGT_SLAVE,
	[FAULT_JITTER] = 1U << TGT_MASTER | 1U << TGT_DEVICE,
	[FAULT_SLAVE_DROP] = 1U << TGT_SLAVE,
	[FAULT_UNKNOWN_DEVICE] = 1U << TGT_NONE,
	[FAULT_DCP_SET] = 1U << TGT_DEVICE,
	[FAULT_RX_ERRORS] = 1U << TGT_SLAVE,
	[FAULT_AL_ERROR] = 1U << TGT_SLAVE,
	[FAULT_DC_DRIFT] = 1U << TGT_SLAVE,
};

static int add_unknown_device(struct parser *p)
{
	struct sim_scenario *sc = p->sc;
	struct sim_device *d;

	if (!parser_key_given(p, "name"))
		return perr(p, "an unknown-device fault needs name = STATION");
	if (!p->has_mac) {
		memcpy(p->d.mac, auto_unknown_mac, 6);
		mac_add(p->d.mac, sc->nfaults + 1);
	}
	d = GROW(p, sc->devices, sc->ndevices, SIM_MAX_DEVICES, "devices");
	if (!d)
		return -1;
	*d = p->d;
	d->unknown = true;
	d->ctrl = UINT32_MAX;
	p->f.device = sc->ndevices - 1;
	return place_device(p, d);
}

static int finish_fault(struct parser *p)
{
	struct sim_fault *f;

	if (!parser_key_given(p, "kind"))
		return perr(p, "[fault] needs kind = ...");
	if (!(fault_targets[p->f.kind] & (1U << p->f.target_kind)))
		return perr(p, "a %s fault %s", sim_fault_name(p->f.kind),
			    p->f.kind == FAULT_UNKNOWN_DEVICE ?
			    "takes no target" : p->has_target ?
			    "cannot target that" : "needs target = NAME");
	if (p->f.kind == FAULT_JITTER && !p->f.jitter_ns)
		return perr(p, "a jitter fault needs jitter = TIME");
	if (p->f.kind == FAULT_UNKNOWN_DEVICE && add_unknown_device(p))
		return -1;
	if (p->f.kind != FAULT_UNKNOWN_DEVICE &&
	    (parser_key_given(p, "name") || p->has_mac || p->has_ip))
		return perr(p, "name, mac and ip describe an unknown-device "
			    "fault only");
	f = GROW(p, p->sc->faults, p->sc->nfaults, SIM_MAX_ENTITIES,
		 "faults");
	if (!f)
		return -1;
	*f = p->f;
	return 0;
}

int section_finish(struct parser *p)
{
	unsigned int line = p->line;
	int rc = 0;

	/* errors about a whole section point at its header */
	p->line = p->sect_line;
	switch (p->sect) {
	case SECT_MASTER: rc = finish_master(p); break;
	case SECT_SLAVE: rc = finish_slave(p); break;
	case SECT_CTRL: rc = finish_ctrl(p); break;
	case SECT_DEVICE: rc = finish_device(p); break;
	case SECT_SIGNAL: rc = finish_signal(p); break;
	case SECT_MODULE: rc = finish_module(p); break;
	case SECT_FAULT: rc = finish_fault(p); break;
	case SECT_ATTACK: rc = finish_attack(p); break;
	default: break;
	}
	p->line = line;
	return rc;
}
