/* The keys of each scenario section (docs/sim.md lists them). */
#include <string.h>

#include "scenario_parse.h"

static const char *const shape_names[] = { "sine", "ramp", "counter",
					   "drift", "machine_state",
					   "machine_count",
					   "machine_reject" };
static const char *const anomaly_names[] = { "none", "step", "stuck",
					     "spike", "drift", "noise" };
static const char *const vtype_names[] = { "u8", "u16", "i16", "u32",
					   "i32", "f32" };
static const char *const fault_names[] = {
	"lost-frames", "wkc-error", "jitter", "slave-drop", "unknown-device",
	"dcp-set-stranger", "rx-errors", "al-error",
	"dc-drift",
};

const char *sim_fault_name(enum sim_fault_kind k)
{
	return (unsigned int)k < FAULT_KINDS ? fault_names[k] : "?";
}

static uint32_t find_by_name(const void *base, size_t elem, uint32_t n,
			     const char *name)
{
	uint32_t i;

	for (i = 0; i < n; i++)
		if (!strcmp((const char *)base + (size_t)i * elem, name))
			return i;
	return UINT32_MAX;
}

/* Names sit first in every entity struct. */
#define FIND(arr, n, name) find_by_name(arr, sizeof(*(arr)), n, name)

static int key_scenario(struct parser *p, const char *k, const char *v)
{
	struct sim_scenario *sc = p->sc;

	if (!strcmp(k, "name"))
		return val_text(p, k, v, sc->name, sizeof(sc->name));
	if (!strcmp(k, "seed"))
		return val_uint(p, k, v, 0, UINT64_MAX, &sc->seed);
	if (!strcmp(k, "profinet_vlan")) {
		sc->pn_tagged = true;
		return val_u16(p, k, v, 0, 4094, &sc->pn_vlan);
	}
	return 1;
}

static int key_master(struct parser *p, const char *k, const char *v)
{
	struct sim_master *m = &p->m;
	int mode;

	if (!strcmp(k, "mac")) {
		p->has_mac = true;
		if (val_mac(p, k, v, m->mac))
			return -1;
		if (m->mac[0] & 2)
			return perr(p, "mac %s: a master's MAC must be "
				    "globally administered (the slaves set "
				    "bit 1 on the returning frame)", v);
		return 0;
	}
	if (!strcmp(k, "cycle"))
		return val_time(p, k, v, SIM_MIN_CYCLE_NS, SIM_MAX_CYCLE_NS,
				&m->cycle_ns);
	if (!strcmp(k, "mode")) {
		static const char *const modes[] = { "lrw", "lrd-lwr" };

		if (val_enum(p, k, v, modes, 2, &mode))
			return -1;
		m->split = mode == 1;
		return 0;
	}
	if (!strcmp(k, "diag_every"))
		return val_u32(p, k, v, 0, 1000000, &m->diag_every);
	if (!strcmp(k, "dc_every"))
		return val_u32(p, k, v, 0, 1000000, &m->dc_every);
	if (!strcmp(k, "mailbox_every"))
		return val_u32(p, k, v, 0, 1000000, &m->mbox_every);
	return 1;
}

static int key_slave(struct parser *p, const char *k, const char *v)
{
	struct sim_slave *s = &p->s;

	if (!strcmp(k, "master")) {
		s->master = FIND(p->sc->masters, p->sc->nmasters, v);
		if (s->master == UINT32_MAX)
			return perr(p, "no EtherCAT master '%s' defined "
				    "above", v);
		p->has_parent = true;
		return 0;
	}
	if (!strcmp(k, "count"))
		return val_u32(p, k, v, 1, SIM_MAX_COUNT, &p->count);
	if (!strcmp(k, "station")) {
		p->has_station = true;
		return val_u16(p, k, v, 1, 0xfff0, &s->station);
	}
	if (!strcmp(k, "vendor"))
		return val_u32(p, k, v, 0, UINT32_MAX, &s->vendor);
	if (!strcmp(k, "product"))
		return val_u32(p, k, v, 0, UINT32_MAX, &s->product);
	if (!strcmp(k, "revision"))
		return val_u32(p, k, v, 0, UINT32_MAX, &s->revision);
	if (!strcmp(k, "serial"))
		return val_u32(p, k, v, 0, UINT32_MAX, &s->serial);
	if (!strcmp(k, "inputs"))
		return val_u16(p, k, v, 0, SIM_ECAT_MAX_PD, &s->in_len);
	if (!strcmp(k, "outputs"))
		return val_u16(p, k, v, 0, SIM_ECAT_MAX_PD, &s->out_len);
	return 1;
}

static int key_ctrl(struct parser *p, const char *k, const char *v)
{
	if (!strcmp(k, "mac")) {
		p->has_mac = true;
		return val_mac(p, k, v, p->c.mac);
	}
	if (!strcmp(k, "ip"))
		return val_ipv4(p, k, v, &p->c.ip);
	return 1;
}

/* Keys a configured device and an unknown device share. */
static int key_identity(struct parser *p, struct sim_device *d,
			const char *k, const char *v)
{
	if (!strcmp(k, "name"))
		return val_name(p, k, v, true, d->name);
	if (!strcmp(k, "mac")) {
		p->has_mac = true;
		return val_mac(p, k, v, d->mac);
	}
	if (!strcmp(k, "ip")) {
		p->has_ip = true;
		return val_ipv4(p, k, v, &d->ip);
	}
	if (!strcmp(k, "netmask"))
		return val_ipv4(p, k, v, &d->mask);
	if (!strcmp(k, "gateway"))
		return val_ipv4(p, k, v, &d->gateway);
	if (!strcmp(k, "vendor_id"))
		return val_u16(p, k, v, 0, 0xffff, &d->vendor_id);
	if (!strcmp(k, "device_id"))
		return val_u16(p, k, v, 0, 0xffff, &d->device_id);
	if (!strcmp(k, "type"))
		return val_text(p, k, v, d->type, sizeof(d->type));
	return 1;
}

static int key_device(struct parser *p, const char *k, const char *v)
{
	struct sim_device *d = &p->d;
	int rc = key_identity(p, d, k, v);

	if (rc <= 0)
		return rc;
	if (!strcmp(k, "controller")) {
		d->ctrl = FIND(p->sc->ctrls, p->sc->nctrls, v);
		if (d->ctrl == UINT32_MAX)
			return perr(p, "no PROFINET controller '%s' defined "
				    "above", v);
		p->has_parent = true;
		return 0;
	}
	if (!strcmp(k, "count"))
		return val_u32(p, k, v, 1, SIM_MAX_COUNT, &p->count);
	if (!strcmp(k, "cycle"))
		return val_time(p, k, v, SIM_MIN_CYCLE_NS, SIM_MAX_CYCLE_NS,
				&d->cycle_ns);
	if (!strcmp(k, "frame_in")) {
		p->has_frames = true;
		return val_u16(p, k, v, 0xc000, 0xf7ff, &d->frame_in);
	}
	if (!strcmp(k, "frame_out")) {
		p->has_frames = true;
		return val_u16(p, k, v, 0xc000, 0xf7ff, &d->frame_out);
	}
	if (!strcmp(k, "inputs"))
		return val_u16(p, k, v, SIM_PN_MIN_DATA, SIM_PN_MAX_DATA,
			       &d->in_len);
	if (!strcmp(k, "outputs"))
		return val_u16(p, k, v, SIM_PN_MIN_DATA, SIM_PN_MAX_DATA,
			       &d->out_len);
	if (!strcmp(k, "alarm_every"))
		return val_u32(p, k, v, 0, 100000000, &d->alarm_every);
	if (!strcmp(k, "dap_ident"))
		return val_u32(p, k, v, 0, UINT32_MAX, &d->dap_ident);
	return 1;
}

static int key_module(struct parser *p, const char *k, const char *v)
{
	struct sim_pn_module *m = &p->mod;

	if (!strcmp(k, "device")) {
		m->device = FIND(p->sc->devices, p->sc->ndevices, v);
		if (m->device == UINT32_MAX)
			return perr(p, "no PROFINET device '%s' defined above",
				    v);
		p->has_target = true;
		return 0;
	}
	if (!strcmp(k, "slot"))
		return val_u16(p, k, v, 1, 0x7fff, &m->slot);
	if (!strcmp(k, "ident"))
		return val_u32(p, k, v, 0, UINT32_MAX, &m->ident);
	if (!strcmp(k, "submodule"))
		return val_u32(p, k, v, 0, UINT32_MAX, &m->sub_ident);
	if (!strcmp(k, "inputs"))
		return val_u16(p, k, v, 0, SIM_PN_MAX_DATA, &m->in_len);
	if (!strcmp(k, "outputs"))
		return val_u16(p, k, v, 0, SIM_PN_MAX_DATA, &m->out_len);
	return 1;
}

int parser_find_target(struct parser *p, const char *v,
		       enum sim_target_kind *kind, uint32_t *idx)
{
	struct sim_scenario *sc = p->sc;
	struct { enum sim_target_kind kind; uint32_t idx; } hit[4] = {
		{ TGT_MASTER, FIND(sc->masters, sc->nmasters, v) },
		{ TGT_SLAVE, FIND(sc->slaves, sc->nslaves, v) },
		{ TGT_CTRL, FIND(sc->ctrls, sc->nctrls, v) },
		{ TGT_DEVICE, FIND(sc->devices, sc->ndevices, v) },
	};
	int i;

	for (i = 0; i < 4; i++) {
		if (hit[i].idx == UINT32_MAX)
			continue;
		*kind = hit[i].kind;
		*idx = hit[i].idx;
		p->has_target = true;
		return 0;
	}
	return perr(p, "no master, slave, controller or device named '%s' "
		    "defined above", v);
}

static int find_target(struct parser *p, const char *v)
{
	if (parser_find_target(p, v, &p->f.target_kind, &p->f.target))
		return -1;
	p->g.target_kind = p->f.target_kind;
	p->g.target = p->f.target;
	return 0;
}

static int key_signal(struct parser *p, const char *k, const char *v)
{
	struct sim_signal *g = &p->g;
	int e;

	if (!strcmp(k, "target"))
		return find_target(p, v);
	if (!strcmp(k, "count"))
		return val_u32(p, k, v, 1, SIM_MAX_COUNT, &p->count);
	if (!strcmp(k, "offset"))
		return val_u16(p, k, v, 0, SIM_PN_MAX_DATA, &g->offset);
	if (!strcmp(k, "type")) {
		if (val_enum(p, k, v, vtype_names, 6, &e))
			return -1;
		g->type = (enum sim_vtype)e;
		return 0;
	}
	if (!strcmp(k, "shape")) {
		if (val_enum(p, k, v, shape_names, 7, &e))
			return -1;
		g->shape = (enum sim_shape)e;
		return 0;
	}
	if (!strcmp(k, "min"))
		return val_double(p, k, v, -1e12, 1e12, &g->min);
	if (!strcmp(k, "max"))
		return val_double(p, k, v, -1e12, 1e12, &g->max);
	if (!strcmp(k, "step"))
		return val_double(p, k, v, -1e12, 1e12, &g->step);
	if (!strcmp(k, "period"))
		return val_time(p, k, v, 1000000, 86400ULL * 1000000000ULL,
				&g->period_ns);
	if (!strcmp(k, "noise"))
		return val_double(p, k, v, 0, 1e12, &g->noise);
	if (!strcmp(k, "anomaly")) {
		if (val_enum(p, k, v, anomaly_names, 6, &e))
			return -1;
		g->anomaly = (enum sim_anomaly)e;
		return 0;
	}
	if (!strcmp(k, "anomaly_at"))
		return val_time(p, k, v, 0, 86400ULL * 1000000000ULL,
				&g->anomaly_at_ns);
	if (!strcmp(k, "anomaly_for"))
		return val_time(p, k, v, 1000000, 86400ULL * 1000000000ULL,
				&g->anomaly_for_ns);
	if (!strcmp(k, "anomaly_size"))
		return val_double(p, k, v, -1e12, 1e12, &g->anomaly_size);
	if (!strcmp(k, "every")) {
		uint16_t n;

		if (val_u16(p, k, v, 1, 65535, &n))
			return -1;
		g->every = n;
		return 0;
	}
	return 1;
}

static int key_fault(struct parser *p, const char *k, const char *v)
{
	struct sim_fault *f = &p->f;
	int e;

	if (!strcmp(k, "kind")) {
		if (val_enum(p, k, v, fault_names, FAULT_KINDS, &e))
			return -1;
		f->kind = (enum sim_fault_kind)e;
		return 0;
	}
	if (!strcmp(k, "target"))
		return find_target(p, v);
	if (!strcmp(k, "at"))
		return val_time(p, k, v, 0, 86400ULL * 1000000000ULL,
				&f->at_ns);
	if (!strcmp(k, "duration"))
		return val_time(p, k, v, 0, 86400ULL * 1000000000ULL,
				&f->duration_ns);
	if (!strcmp(k, "rate"))
		return val_double(p, k, v, 0, 1, &f->rate);
	if (!strcmp(k, "jitter"))
		return val_time(p, k, v, 1000, 100000000, &f->jitter_ns);
	if (!strcmp(k, "set_name"))
		return val_name(p, k, v, true, f->set_name);
	if (!strcmp(k, "stranger_mac"))
		return val_mac(p, k, v, f->mac);
	if (!strcmp(k, "ramp"))
		return val_double(p, k, v, 0, 1e6, &f->ramp);
	if (!strcmp(k, "errors"))
		return val_double(p, k, v, 0, 1e6, &f->errors);
	if (!strcmp(k, "port"))
		return val_u16(p, k, v, 0, 3, &f->port);
	if (!strcmp(k, "code"))
		return val_u16(p, k, v, 0, 0xFFFF, &f->al_code);
	/* an unknown device describes itself like a configured one */
	return key_identity(p, &p->d, k, v);
}

static bool already_seen(struct parser *p, const char *key)
{
	unsigned int i;

	for (i = 0; i < p->nseen; i++)
		if (!strcmp(p->seen[i], key))
			return true;
	if (p->nseen < MAX_KEYS_SEEN && strlen(key) < sizeof(p->seen_buf[0])) {
		strcpy(p->seen_buf[p->nseen], key);
		p->seen[p->nseen] = p->seen_buf[p->nseen];
		p->nseen++;
	}
	return false;
}

int section_key(struct parser *p, const char *key, const char *val)
{
	int rc;

	if (already_seen(p, key))
		return perr(p, "key '%s' given twice in this section", key);
	switch (p->sect) {
	case SECT_SCENARIO: rc = key_scenario(p, key, val); break;
	case SECT_MASTER: rc = key_master(p, key, val); break;
	case SECT_SLAVE: rc = key_slave(p, key, val); break;
	case SECT_CTRL: rc = key_ctrl(p, key, val); break;
	case SECT_DEVICE: rc = key_device(p, key, val); break;
	case SECT_SIGNAL: rc = key_signal(p, key, val); break;
	case SECT_MODULE: rc = key_module(p, key, val); break;
	case SECT_FAULT: rc = key_fault(p, key, val); break;
	case SECT_ATTACK: rc = key_attack(p, key, val); break;
	default:
		return perr(p, "'%s = ...' outside a section; start one with "
			    "[scenario], [ethercat-master NAME], ...", key);
	}
	if (rc > 0)
		return perr(p, "unknown key '%s' in this section", key);
	return rc;
}
