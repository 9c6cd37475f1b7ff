/*
 * Simulated PROFINET controllers and IO devices: start-up Identify, RT
 * cyclic frames both ways, process alarms with their acknowledgements,
 * and the DCP faults (an unknown device's Hello, a stranger's Set).
 */
#include <stdio.h>
#include <string.h>

#include "engine.h"

#define CC_UNIT_NS	31250ULL	/* cycle counter unit */
#define HELLO_EVERY_NS	1000000000ULL
#define WATCHDOG_FACTOR	3		/* controllers' default */
#define POLL_EVERY_NS	1000000000ULL	/* Identify by name after AR loss */

static const struct sim_ctrl *ctrl_of(const struct sim_engine *e,
				      uint32_t d)
{
	return &e->sc->ctrls[e->dev[d].ctrl];
}

static void output_frame(struct sim_engine *e, uint32_t d, uint16_t cc,
			 uint64_t t)
{
	struct device_state *st = &e->ds[d];
	const struct sim_device *dev = &e->dev[d];
	struct sim_qframe *f = engine_frame(e, t);

	/* a running counter in the first bytes, IOPS "good" at the end */
	put_be32(st->out, (uint32_t)st->cycles);
	st->out[dev->out_len - 1] = 0x80;
	engine_queue_commit(e, f, pn_rt_frame(f->data, dev->mac,
					      ctrl_of(e, d)->mac,
					      dev->frame_out, st->out,
					      dev->out_len, cc,
					      PN_DATA_STATUS_OK));
}

static void input_frame(struct sim_engine *e, uint32_t d, uint16_t cc,
			uint64_t t)
{
	struct device_state *st = &e->ds[d];
	const struct sim_device *dev = &e->dev[d];
	const struct sim_fault *j;
	struct sim_qframe *f;
	unsigned int i;

	if (engine_fault(e, FAULT_LOST_FRAMES, TGT_DEVICE, d, true))
		return;
	j = engine_fault(e, FAULT_JITTER, TGT_DEVICE, d, true);
	if (j)
		t += j->jitter_ns / 2 +
		     (uint64_t)(engine_rand(e) * (double)(j->jitter_ns / 2));
	values_apply(e, st->sig_head, st->in, false);
	for (i = 0; i < dev->nstatus; i++)
		st->in[dev->status_pos[i]] = SIM_PN_GOOD;
	f = engine_frame(e, t);
	engine_queue_commit(e, f, pn_rt_frame(f->data, ctrl_of(e, d)->mac,
					      dev->mac, dev->frame_in, st->in,
					      dev->in_len, cc,
					      PN_DATA_STATUS_OK));
}

static void alarm(struct sim_engine *e, uint32_t d, uint64_t t)
{
	struct device_state *st = &e->ds[d];
	const uint8_t *cmac = ctrl_of(e, d)->mac;
	uint16_t fid = st->alarm_seq % 2 ? PN_FRAME_ALARM_HIGH :
					   PN_FRAME_ALARM_LOW;
	struct sim_qframe *f = engine_frame(e, t);

	engine_queue_commit(e, f, pn_alarm_frame(f->data, &e->dev[d], cmac,
						 fid, st->alarm_seq,
						 st->alarm_seq));
	f = engine_frame(e, t + 300000);
	engine_queue_commit(e, f, pn_alarm_ack_frame(f->data, &e->dev[d],
						     cmac, fid, st->ack_seq++,
						     st->alarm_seq));
	st->alarm_seq = (uint16_t)((st->alarm_seq + 1) & 0x7fff);
}

void pn_device_break(struct sim_engine *e, uint32_t d, uint32_t a,
		     uint64_t t)
{
	struct device_state *st = &e->ds[d];

	if (st->broken || e->dev[d].unknown)
		return;
	st->broken = true;
	st->broken_ns = t;
	st->broken_by = a;
}

/*
 * A device whose AR a DCP Set ended: its inputs stop at once; the
 * controller's outputs go on until its watchdog (WatchdogFactor update
 * times) aborts the AR, then it looks the device up by its configured
 * name, as after any connection loss, and gets no answer from a renamed
 * or reset one.
 */
static bool ar_broken_step(struct sim_engine *e, uint32_t d, uint16_t cc)
{
	const struct sim_device *dev = &e->dev[d];
	const struct sim_ctrl *c = ctrl_of(e, d);
	struct device_state *st = &e->ds[d];
	struct attack_state *as = &e->as[st->broken_by];
	struct sim_qframe *f;
	uint64_t t = e->now;

	if (!st->broken || t < st->broken_ns)
		return false;
	if (t < st->broken_ns + WATCHDOG_FACTOR * dev->cycle_ns) {
		output_frame(e, d, cc, t);
		st->last_out_ns = t;
		st->cycles++;
		engine_schedule(e, t + dev->cycle_ns, EV_DEVICE, d);
		return true;
	}
	if (!st->polling) {
		st->polling = true;
		as->ar_lost_ts = e->t0_ns + (st->last_out_ns ?
					     st->last_out_ns : st->broken_ns);
		as->ar_device = d;
	}
	f = engine_frame(e, t);
	engine_queue_commit(e, f, pn_dcp_identify_req(f->data, c->mac,
						      (uint32_t)e->xid++,
						      e->sc->devices[d].name));
	engine_schedule(e, t + POLL_EVERY_NS, EV_DEVICE, d);
	return true;
}

void pn_device_step(struct sim_engine *e, uint32_t d)
{
	const struct sim_device *dev = &e->dev[d];
	struct device_state *st = &e->ds[d];
	uint64_t t = e->now, half = dev->cycle_ns / 2;
	uint16_t cc = (uint16_t)(st->cycles * (dev->cycle_ns / CC_UNIT_NS));

	if (ar_broken_step(e, d, cc))
		return;
	if (half > 500000)
		half = 500000;
	output_frame(e, d, cc, t);
	input_frame(e, d, cc, t + half);
	st->cycles++;
	if (dev->alarm_every && st->cycles % dev->alarm_every == 0)
		alarm(e, d, t + half / 2);
	engine_schedule(e, t + dev->cycle_ns, EV_DEVICE, d);
}

#define CONNECT_AFTER_NS	20000000ULL	/* after the Identify answers */
#define CONNECT_EVERY_NS	1000000ULL	/* one device after another */
#define CONNECT_RSP_NS		400000ULL	/* the device's answer */

/*
 * The AR's start: the controller's Connect request to device d, with the
 * modules the scenario gives it, and the device's OK response.
 */
static void connect_device(struct sim_engine *e, const struct sim_ctrl *ctrl,
			   uint32_t d, uint64_t t)
{
	struct sim_pn_module mods[SIM_MAX_MODULES];
	struct pn_connect c = {
		.dev = &e->dev[d], .mods = mods, .ctrl_mac = ctrl->mac,
		.ctrl_ip = ctrl->ip, .ctrl_name = ctrl->name,
		.ctrl_port = (uint16_t)(0xc000 + d % 0x3fff),
		.activity = 0x1000 + d, .ar = 0x2000 + d,
	};
	struct sim_qframe *f;
	uint32_t i;

	for (i = 0; i < e->sc->nmodules && c.nmods < SIM_MAX_MODULES; i++)
		if (e->sc->modules[i].device == d)
			mods[c.nmods++] = e->sc->modules[i];
	f = engine_frame(e, t);
	engine_queue_commit(e, f, pn_connect_req(f->data, &c));
	f = engine_frame(e, t + CONNECT_RSP_NS);
	engine_queue_commit(e, f, pn_connect_rsp(f->data, &c));
}

/* Start-up: Identify All from the controller, every device answers, then
 * the controller connects to each of them. */
void pn_ctrl_step(struct sim_engine *e, uint32_t c)
{
	const struct sim_ctrl *ctrl = &e->sc->ctrls[c];
	uint32_t xid = (uint32_t)e->xid++, i;
	struct sim_qframe *f = engine_frame(e, e->now);

	engine_queue_commit(e, f, pn_dcp_identify_req(f->data, ctrl->mac,
						      xid, NULL));
	for (i = 0; i < ctrl->ndevices; i++) {
		uint32_t d = ctrl->first_device + i;

		/* answers spread over the 10 ms ResponseDelay window */
		f = engine_frame(e, e->now + 200000 + (i * 37ULL % 97) * 100000);
		engine_queue_commit(e, f, pn_dcp_identity(f->data, &e->dev[d],
							  ctrl->mac, xid,
							  DCP_IDENTIFY));
	}
	for (i = 0; i < ctrl->ndevices; i++)
		if (!e->dev[ctrl->first_device + i].unknown)
			connect_device(e, ctrl, ctrl->first_device + i,
				       e->now + CONNECT_AFTER_NS +
				       i * CONNECT_EVERY_NS);
}

static void unknown_hello(struct sim_engine *e, uint32_t fi)
{
	const struct sim_fault *ft = &e->sc->faults[fi];
	struct sim_qframe *f;

	if (!engine_device_present(e, ft->device))
		return;
	f = engine_frame(e, e->now);
	engine_queue_commit(e, f, pn_dcp_identity(f->data, &e->dev[ft->device],
						  pn_mc_hello, (uint32_t)e->xid++,
						  DCP_HELLO));
	e->faults_applied[FAULT_UNKNOWN_DEVICE]++;
	engine_schedule(e, e->now + HELLO_EVERY_NS, EV_FAULT, fi);
}

/* A stranger renames a device; the device obeys, as real ones do. */
static void stranger_set(struct sim_engine *e, uint32_t fi)
{
	const struct sim_fault *ft = &e->sc->faults[fi];
	struct sim_device *d = &e->dev[ft->target];
	uint32_t xid = (uint32_t)e->xid++;
	const uint8_t ok[1][3] = { { 2, 2, 0 } };
	struct sim_qframe *f = engine_frame(e, e->now);

	engine_queue_commit(e, f, pn_dcp_set_name_req(f->data, ft->mac, d->mac,
						      xid, ft->set_name));
	snprintf(d->name, sizeof(d->name), "%s", ft->set_name);
	f = engine_frame(e, e->now + 150000);
	engine_queue_commit(e, f, pn_dcp_set_rsp(f->data, d, ft->mac, xid, ok,
						 1));
	e->faults_applied[FAULT_DCP_SET]++;
}

void pn_fault_step(struct sim_engine *e, uint32_t fi)
{
	if (e->sc->faults[fi].kind == FAULT_UNKNOWN_DEVICE)
		unknown_hello(e, fi);
	else
		stranger_set(e, fi);
}

#define LLDP_EVERY_NS	5000000000ULL	/* PROFINET's LLDP send interval */

static void lldp_send(struct sim_engine *e, struct lldp_port *lp,
		      const uint8_t chassis[6], uint64_t t)
{
	struct sim_qframe *f = engine_frame(e, t);

	/* one MAC for every port, as small devices do: per-port MACs of
	 * consecutive stations would be each other's */
	memcpy(lp->chassis_mac, chassis, 6);
	memcpy(lp->port_mac, chassis, 6);
	engine_queue_commit(e, f, pn_lldp_frame(f->data, lp));
}

/*
 * The cabling of controller c's line, as LLDP tells it: the controller's
 * port-001 to a switch "sw-CONTROLLER" (port-001), the switch's port-002
 * to the first device's port-001, then each device's port-002 to the
 * next one's port-001.  Both ends of every cable announce themselves,
 * naming the other in PROFINET's alias TLV.
 */
void pn_lldp_step(struct sim_engine *e, uint32_t c)
{
	const struct sim_ctrl *ctrl = &e->sc->ctrls[c];
	char sw[SIM_NAME_MAX + 4];
	uint8_t swmac[6];
	const char *prev = sw;
	unsigned int prev_port = 2;
	const uint8_t *prev_mac = swmac;
	uint32_t prev_ip = 0;
	uint64_t t = e->now;
	struct lldp_port lp;
	uint32_t i;

	snprintf(sw, sizeof(sw), "sw-%s", ctrl->name);
	memcpy(swmac, ctrl->mac, 6);
	swmac[3] ^= 0x80;
	lp = (struct lldp_port){ .station = ctrl->name, .port = 1,
				 .ip = ctrl->ip, .peer_station = sw,
				 .peer_port = 1 };
	lldp_send(e, &lp, ctrl->mac, t);
	lp = (struct lldp_port){ .station = sw, .port = 1, .bridge = true,
				 .peer_station = ctrl->name, .peer_port = 1 };
	lldp_send(e, &lp, swmac, t + 1000);
	for (i = 0; i < ctrl->ndevices; i++) {
		const struct sim_device *d = &e->dev[ctrl->first_device + i];

		if (d->unknown)
			continue;
		lp = (struct lldp_port){ .station = prev, .port = prev_port,
					 .bridge = prev == sw, .peer_port = 1,
					 .peer_station = d->name };
		lp.ip = prev_ip;
		lldp_send(e, &lp, prev_mac, t + 2000 + i * 2000ULL);
		lp = (struct lldp_port){ .station = d->name, .port = 1,
					 .ip = d->ip, .peer_station = prev,
					 .peer_port = prev_port };
		lldp_send(e, &lp, d->mac, t + 3000 + i * 2000ULL);
		prev = d->name;
		prev_port = 2;
		prev_mac = d->mac;
		prev_ip = d->ip;
	}
	engine_schedule(e, t + LLDP_EVERY_NS, EV_LLDP, c);
}
