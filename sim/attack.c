/*
 * Attacks on the simulated line ([attack] in a scenario, docs/sim.md):
 * each occurrence puts the attacker's frames on the wire as the tools
 * that do it would, and the line's answers where a real line answers.
 * Frames the attack sent are marked so the engine records the ground
 * truth (first frame, count) as they are emitted.
 */
#include <string.h>

#include "engine.h"

#define ETHERTYPE_ARP	0x0806
#define ECAT_RET_NS	5000ULL		/* a short line: back in 5 µs */
#define FOE_WRQ		2
#define FOE_DATA	3

void attack_commit(struct sim_engine *e, uint32_t a, struct sim_qframe *f,
		   uint32_t len, bool tag)
{
	const struct sim_attack *at = &e->sc->attacks[a];

	/* tagging now keeps the engine from tagging it again */
	if (tag && at->tagged)
		len = frame_tag(f->data, len, at->vlan, at->priority);
	f->attack = (int32_t)a;
	engine_queue_commit(e, f, len);
}

static uint32_t pad(uint8_t *buf, uint32_t len)
{
	if (len < ETH_MIN_LEN) {
		memset(buf + len, 0, ETH_MIN_LEN - len);
		len = ETH_MIN_LEN;
	}
	return len;
}

/* DCP Set from the attacker; the device obeys and answers, as real ones
 * without access protection do */
static void dcp_set(struct sim_engine *e, uint32_t a)
{
	const struct sim_attack *at = &e->sc->attacks[a];
	struct sim_device *d = &e->dev[at->target];
	struct attack_state *st = &e->as[a];
	uint8_t ok[2][3];
	struct dcp_set set = { 0 };
	struct sim_qframe *f = engine_frame(e, e->now);
	uint32_t n = 0;

	if (at->kind == ATK_DCP_RESET) {
		set.reset = true;
		set.reset_qualifier = 2 << 1;	/* communication parameters */
		ok[n][0] = 5, ok[n][1] = 6, ok[n++][2] = 0;
	} else {
		set.name = at->set_name;
		ok[n][0] = 2, ok[n][1] = 2, ok[n++][2] = 0;
		if (at->ip) {
			set.ip = at->ip;
			set.mask = d->mask;
			set.gateway = d->gateway;
			ok[n][0] = 1, ok[n][1] = 2, ok[n++][2] = 0;
		}
	}
	attack_commit(e, a, f, pn_dcp_set_req(f->data, at->mac, d->mac,
					      st->xid, &set), true);
	f = engine_frame(e, e->now + 150000);
	engine_queue_commit(e, f, pn_dcp_set_rsp(f->data, d, at->mac, st->xid,
						 ok, n));
	if (at->kind == ATK_DCP_SET) {
		memcpy(d->name, at->set_name, sizeof(d->name));
		if (at->ip)
			d->ip = at->ip;
	} else {
		/* communication parameters back to the factory's: none */
		d->name[0] = 0;
		d->ip = d->mask = d->gateway = 0;
	}
	/* a device renamed or reset ends its AR, as real ones do */
	pn_device_break(e, at->target, a, e->now + 150000);
}

/* Identify All from the attacker; every device answers each one */
static void identify_flood(struct sim_engine *e, uint32_t a)
{
	const struct sim_attack *at = &e->sc->attacks[a];
	struct attack_state *st = &e->as[a];
	struct sim_qframe *f = engine_frame(e, e->now);
	uint32_t i;

	attack_commit(e, a, f, pn_dcp_identify_req(f->data, at->mac, st->xid,
						   NULL), true);
	for (i = 0; i < e->sc->ndevices; i++) {
		if (e->dev[i].unknown)
			continue;
		f = engine_frame(e, e->now + 100000 + (i * 37ULL % 97) * 1000);
		engine_queue_commit(e, f, pn_dcp_identity(f->data, &e->dev[i],
							  at->mac, st->xid,
							  DCP_IDENTIFY));
	}
}

/*
 * The controller looks its device up by name (as after a connection
 * loss); the attacker answers first with the device's name, the device
 * a little later.
 */
static void name_responder(struct sim_engine *e, uint32_t a)
{
	const struct sim_attack *at = &e->sc->attacks[a];
	const struct sim_device *d = &e->dev[at->target];
	const uint8_t *cmac = e->sc->ctrls[d->ctrl].mac;
	struct attack_state *st = &e->as[a];
	struct sim_device fake = *d;
	struct sim_qframe *f = engine_frame(e, e->now);

	engine_queue_commit(e, f, pn_dcp_identify_req(f->data, cmac, st->xid,
						      d->name));
	memcpy(fake.mac, at->mac, 6);
	fake.ip = at->ip;
	f = engine_frame(e, e->now + 100000);
	attack_commit(e, a, f, pn_dcp_identity(f->data, &fake, cmac, st->xid,
					       DCP_IDENTIFY), true);
	f = engine_frame(e, e->now + 2000000);
	engine_queue_commit(e, f, pn_dcp_identity(f->data, d, cmac, st->xid,
						  DCP_IDENTIFY));
}

/* ARP header for IPv4 over Ethernet */
static uint32_t arp_frame(uint8_t *buf, const uint8_t dst[6],
			  const uint8_t src[6], uint16_t op,
			  const uint8_t sha[6], uint32_t spa,
			  const uint8_t tha[6], uint32_t tpa)
{
	memcpy(buf, dst, 6);
	memcpy(buf + 6, src, 6);
	put_be16(buf + 12, ETHERTYPE_ARP);
	put_be16(buf + 14, 1);		/* Ethernet */
	put_be16(buf + 16, ETHERTYPE_IPV4);
	buf[18] = 6;
	buf[19] = 4;
	put_be16(buf + 20, op);
	memcpy(buf + 22, sha, 6);
	memcpy(buf + 28, &spa, 4);
	memcpy(buf + 32, tha, 6);
	memcpy(buf + 38, &tpa, 4);
	return pad(buf, 42);
}

/*
 * Port stealing: frames with the victim's MAC as source teach the switch
 * that the victim sits on the attacker's port.  Like ettercap, they are
 * ARP requests sent to the attacker's own MAC (so they go no further),
 * with the attacker's address as sender IP.
 */
static void port_stealing(struct sim_engine *e, uint32_t a)
{
	static const uint8_t zero[6];
	const struct sim_attack *at = &e->sc->attacks[a];
	const struct sim_device *d = &e->dev[at->target];
	struct sim_qframe *f = engine_frame(e, e->now);

	attack_commit(e, a, f, arp_frame(f->data, at->mac, d->mac, 1, d->mac,
					 at->ip, zero, at->ip), true);
}

/* an EtherCAT frame of one datagram and, 5 µs later, its return */
static void ecat_exchange(struct sim_engine *e, uint32_t a,
			  const uint8_t src[6], uint8_t cmd, uint8_t idx,
			  uint16_t adp, uint16_t ado, const uint8_t *data,
			  uint16_t len, uint16_t wkc)
{
	struct sim_qframe *req = engine_frame(e, e->now), *back;
	struct ecat_frame rf, ret;
	uint32_t n;

	ecat_begin(&rf, req->data, src);
	memcpy(ecat_dgram(&rf, cmd, idx, adp, ado, len), data, len);
	n = ecat_end(&rf);
	attack_commit(e, a, req, n, false);
	back = engine_frame(e, e->now + ECAT_RET_NS);
	ecat_as_return(&ret, back->data, &rf);
	ecat_set_wkc(&ret, 0, wkc);
	attack_commit(e, a, back, n, false);
}

/* a second master: it scans the bus, then runs its own cycle */
static void rogue_master(struct sim_engine *e, uint32_t a)
{
	const struct sim_attack *at = &e->sc->attacks[a];
	const struct sim_master *m = &e->sc->masters[at->target];
	struct attack_state *st = &e->as[a];
	uint8_t data[64] = { 0 };
	uint16_t len = m->image_len < sizeof(data) ? (uint16_t)m->image_len :
			(uint16_t)sizeof(data);

	if (st->done == 0)
		ecat_exchange(e, a, at->mac, ECAT_BRD, (uint8_t)st->done, 0,
			      ESC_TYPE, data, 2, (uint16_t)m->nslaves);
	else
		ecat_exchange(e, a, at->mac, ECAT_LRW, (uint8_t)st->done,
			      0, 0, data, len ? len : 1,
			      (uint16_t)(3 * m->nslaves));
}

static const struct sim_slave *target_slave(const struct sim_engine *e,
					    const struct sim_attack *at)
{
	return &e->sc->slaves[at->target];
}

/* FPWR of a register of the target slave (station address, AL control) */
static void reg_write(struct sim_engine *e, uint32_t a)
{
	const struct sim_attack *at = &e->sc->attacks[a];
	struct attack_state *st = &e->as[a];
	uint16_t ado = at->kind == ATK_ECAT_STATION_WRITE ? ESC_STATION :
			ESC_AL_CTRL;
	uint8_t data[2];

	/* after a station address write the slave answers at the new one */
	if (!st->station)
		st->station = target_slave(e, at)->station;
	put_le16(data, at->value);
	ecat_exchange(e, a, at->mac, ECAT_FPWR, (uint8_t)(0xa0 + st->done),
		      st->station, ado, data, 2, 1);
	if (at->kind == ATK_ECAT_STATION_WRITE)
		st->station = at->value;
	else	/* the slave obeys: its master's reads see it out of OP */
		engine_al_write(e, at->target, at->value);
}

/* FoE download: a write request for the file, then its data packets,
 * each through the slave's receive mailbox (SM0 at 0x1000) */
static void foe(struct sim_engine *e, uint32_t a)
{
	const struct sim_attack *at = &e->sc->attacks[a];
	const struct sim_slave *s = target_slave(e, at);
	struct attack_state *st = &e->as[a];
	uint8_t mbx[ESC_MBOX_LEN] = { 0 };
	uint16_t body;

	if (st->done == 0) {
		body = (uint16_t)(6 + strlen(at->file));
		mbx[6] = FOE_WRQ;
		put_le32(mbx + 8, 0);		/* password */
		memcpy(mbx + 12, at->file, strlen(at->file));
	} else {
		uint32_t i;

		body = ESC_MBOX_LEN - 6;
		mbx[6] = FOE_DATA;
		put_le32(mbx + 8, st->done);	/* packet number */
		for (i = 12; i < ESC_MBOX_LEN; i++)
			mbx[i] = (uint8_t)(st->done * 7 + i);
	}
	put_le16(mbx, body);			/* mailbox header: length */
	put_le16(mbx + 2, 0);			/* address */
	mbx[4] = 0;				/* channel, priority */
	mbx[5] = (uint8_t)((st->done % 7 + 1) << 4 | 4);	/* FoE */
	ecat_exchange(e, a, at->mac, ECAT_FPWR, (uint8_t)(0xb0 + st->done),
		      s->station, ESC_MBOX_OUT, mbx, ESC_MBOX_LEN, 1);
}

/*
 * Injection: frames that look as if they came back through the slaves
 * (the master's MAC with bit 1 set) but that the master never sent: an
 * AL status read with a forged answer.
 */
static void inject(struct sim_engine *e, uint32_t a)
{
	const struct sim_attack *at = &e->sc->attacks[a];
	const struct sim_master *m = &e->sc->masters[at->target];
	const struct sim_slave *s = &e->sc->slaves[m->first_slave];
	struct attack_state *st = &e->as[a];
	struct sim_qframe *f = engine_frame(e, e->now);
	struct ecat_frame rf;
	uint8_t src[6];

	memcpy(src, m->mac, 6);
	src[0] |= 0x02;
	ecat_begin(&rf, f->data, src);
	put_le16(ecat_dgram(&rf, ECAT_FPRD, (uint8_t)(0xe0 + st->done % 16),
			    s->station, ESC_AL_STATUS, 2), 0x0008);
	ecat_set_wkc(&rf, 0, 1);
	attack_commit(e, a, f, ecat_end(&rf), false);
}

static void rand_bytes(struct sim_engine *e, uint8_t *p, uint32_t n)
{
	while (n--)
		*p++ = (uint8_t)(engine_rand(e) * 256);
}

/*
 * MAC flood as macof does it: TCP SYNs between random unicast MACs and
 * random addresses, each new to the switch's address table.  With
 * frames = dcp, DCP Identify requests from random unicast MACs instead:
 * each a new PROFINET station to iiot's inventory.
 */
static void mac_flood(struct sim_engine *e, uint32_t a)
{
	struct sim_qframe *f = engine_frame(e, e->now);
	uint8_t *b = f->data, *ip = b + 14, *tcp = ip + 20, src[6];
	uint32_t sum;

	if (e->sc->attacks[a].dcp) {
		rand_bytes(e, src, 6);
		src[0] &= 0xfc;
		attack_commit(e, a, f, pn_dcp_identify_req(b, src,
							   e->as[a].xid++,
							   NULL), true);
		return;
	}

	rand_bytes(e, b, 12);
	b[0] &= 0xfc;		/* unicast, globally administered */
	b[6] &= 0xfc;
	put_be16(b + 12, ETHERTYPE_IPV4);
	memset(ip, 0, 40);
	ip[0] = 0x45;
	put_be16(ip + 2, 40);
	rand_bytes(e, ip + 4, 2);		/* identification */
	ip[8] = 64;				/* TTL */
	ip[9] = 6;				/* TCP */
	rand_bytes(e, ip + 12, 8);		/* source, destination */
	put_be16(ip + 10, csum_fold(csum_add(0, ip, 20)));
	rand_bytes(e, tcp, 8);			/* ports, sequence */
	tcp[12] = 5 << 4;			/* header length */
	tcp[13] = 0x02;				/* SYN */
	put_be16(tcp + 14, 512);		/* window */
	/* checksum over the pseudo header: addresses, protocol, length */
	sum = csum_add(0, ip + 12, 8) + 6 + 20;
	put_be16(tcp + 16, csum_fold(csum_add(sum, tcp, 20)));
	attack_commit(e, a, f, pad(b, 54), false);
}

static bool attack_over(const struct sim_engine *e, uint32_t a)
{
	const struct sim_attack *at = &e->sc->attacks[a];
	const struct attack_state *st = &e->as[a];

	if (at->count && st->done >= at->count)
		return true;
	return at->duration_ns && e->now >= at->at_ns + at->duration_ns;
}

void attack_step(struct sim_engine *e, uint32_t a)
{
	const struct sim_attack *at = &e->sc->attacks[a];
	struct attack_state *st = &e->as[a];

	if (attack_over(e, a))
		return;
	st->xid = (uint32_t)e->xid++;
	switch (at->kind) {
	case ATK_DCP_SET:
	case ATK_DCP_RESET: dcp_set(e, a); break;
	case ATK_IDENTIFY_FLOOD: identify_flood(e, a); break;
	case ATK_NAME_RESPONDER: name_responder(e, a); break;
	case ATK_ARP_PORT_STEALING: port_stealing(e, a); break;
	case ATK_ECAT_ROGUE_MASTER: rogue_master(e, a); break;
	case ATK_ECAT_STATION_WRITE:
	case ATK_ECAT_AL_CONTROL: reg_write(e, a); break;
	case ATK_ECAT_FOE: foe(e, a); break;
	case ATK_ECAT_INJECT: inject(e, a); break;
	case ATK_MAC_FLOOD: mac_flood(e, a); break;
	default: break;
	}
	st->done++;
	/* from the start, so rounding does not drift the rate */
	engine_schedule(e, at->at_ns + (uint64_t)((double)st->done * 1e9 /
						  at->rate), EV_ATTACK, a);
}
