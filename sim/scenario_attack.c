/* The [attack] section of a scenario (docs/sim.md, "Attacks"). */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "scenario_parse.h"

static const char *const attack_names[ATK_KINDS] = {
	"dcp-set", "dcp-reset", "identify-flood", "name-responder",
	"arp-port-stealing", "ecat-rogue-master", "ecat-station-write",
	"ecat-al-control", "ecat-foe", "ecat-inject", "mac-flood",
};

/* what each kind must raise in iiotd (daemon/alerts/rules.h) */
static const char *const attack_rules[ATK_KINDS] = {
	[ATK_DCP_SET] = "pn.dcp.set_from_stranger",
	[ATK_DCP_RESET] = "pn.dcp.set_from_stranger",
	[ATK_IDENTIFY_FLOOD] = "pn.dcp.identify_flood",
	[ATK_NAME_RESPONDER] = "pn.dcp.duplicate_name",
	[ATK_ARP_PORT_STEALING] = "arp.port_stealing",
	[ATK_ECAT_ROGUE_MASTER] = "ecat.master.second",
	[ATK_ECAT_STATION_WRITE] = "ecat.write.register",
	[ATK_ECAT_AL_CONTROL] = "ecat.write.al_control",
	[ATK_ECAT_FOE] = "ecat.foe.write",
	[ATK_ECAT_INJECT] = "ecat.dgram.injected",
	[ATK_MAC_FLOOD] = "inventory.mac_flood",
};

/* Which target each kind takes (bit per enum sim_target_kind). */
static const unsigned int attack_targets[ATK_KINDS] = {
	[ATK_DCP_SET] = 1U << TGT_DEVICE,
	[ATK_DCP_RESET] = 1U << TGT_DEVICE,
	[ATK_IDENTIFY_FLOOD] = 1U << TGT_NONE,
	[ATK_NAME_RESPONDER] = 1U << TGT_DEVICE,
	[ATK_ARP_PORT_STEALING] = 1U << TGT_DEVICE,
	[ATK_ECAT_ROGUE_MASTER] = 1U << TGT_MASTER,
	[ATK_ECAT_STATION_WRITE] = 1U << TGT_SLAVE,
	[ATK_ECAT_AL_CONTROL] = 1U << TGT_SLAVE,
	[ATK_ECAT_FOE] = 1U << TGT_SLAVE,
	[ATK_ECAT_INJECT] = 1U << TGT_MASTER,
	[ATK_MAC_FLOOD] = 1U << TGT_NONE,
};

/* occurrences per second unless rate = is given */
static const double attack_rates[ATK_KINDS] = {
	[ATK_DCP_SET] = 1, [ATK_DCP_RESET] = 1,
	[ATK_IDENTIFY_FLOOD] = 1000, [ATK_NAME_RESPONDER] = 10,
	[ATK_ARP_PORT_STEALING] = 100, [ATK_ECAT_ROGUE_MASTER] = 1000,
	[ATK_ECAT_STATION_WRITE] = 1, [ATK_ECAT_AL_CONTROL] = 1,
	[ATK_ECAT_FOE] = 100, [ATK_ECAT_INJECT] = 10,
	[ATK_MAC_FLOOD] = 20000,
};

/* one-shot kinds strike once; the others go on for duration (1 s) */
static bool one_shot(enum sim_attack_kind k)
{
	return k == ATK_DCP_SET || k == ATK_DCP_RESET ||
	       k == ATK_ECAT_STATION_WRITE || k == ATK_ECAT_AL_CONTROL ||
	       k == ATK_ECAT_FOE;
}

const char *sim_attack_name(enum sim_attack_kind k)
{
	return (unsigned int)k < ATK_KINDS ? attack_names[k] : "?";
}

const char *sim_attack_rule(enum sim_attack_kind k)
{
	return (unsigned int)k < ATK_KINDS ? attack_rules[k] : "?";
}

/* an attacker's laptop: globally administered, so it can be a master */
static const uint8_t auto_attacker_mac[6] = { 0x00, 0x0c, 0x29, 0xa7, 0, 0 };

void attack_defaults(struct parser *p)
{
	struct sim_attack *a = &p->a;

	memset(a, 0, sizeof(*a));
	memcpy(a->mac, auto_attacker_mac, 6);
	mac_add(a->mac, p->sc->nattacks + 1);
	a->ip = htonl(0x0a0000fa);	/* 10.0.0.250 */
	snprintf(a->set_name, sizeof(a->set_name), "renamed-by-attacker");
	snprintf(a->file, sizeof(a->file), "firmware.efw");
}

static int key_state(struct parser *p, const char *k, const char *v)
{
	static const char *const states[] = { "init", "preop", "boot",
					      "safeop", "op" };
	static const uint16_t codes[] = { 1, 2, 3, 4, 8 };
	int e;

	if (val_enum(p, k, v, states, 5, &e))
		return -1;
	p->a.value = codes[e];
	return 0;
}

int key_attack(struct parser *p, const char *k, const char *v)
{
	struct sim_attack *a = &p->a;
	int e;

	if (!strcmp(k, "kind")) {
		if (val_enum(p, k, v, attack_names, ATK_KINDS, &e))
			return -1;
		a->kind = (enum sim_attack_kind)e;
		return 0;
	}
	if (!strcmp(k, "target"))
		return parser_find_target(p, v, &a->target_kind, &a->target);
	if (!strcmp(k, "at"))
		return val_time(p, k, v, 0, 86400ULL * 1000000000ULL,
				&a->at_ns);
	if (!strcmp(k, "duration"))
		return val_time(p, k, v, 1000, 86400ULL * 1000000000ULL,
				&a->duration_ns);
	if (!strcmp(k, "rate"))
		return val_double(p, k, v, 0.001, 1e8, &a->rate);
	if (!strcmp(k, "count"))
		return val_u32(p, k, v, 1, 100000000, &a->count);
	if (!strcmp(k, "source"))
		return val_mac(p, k, v, a->mac);
	if (!strcmp(k, "ip"))
		return val_ipv4(p, k, v, &a->ip);
	if (!strcmp(k, "set_name"))
		return val_name(p, k, v, true, a->set_name);
	if (!strcmp(k, "file"))
		return val_name(p, k, v, false, a->file);
	if (!strcmp(k, "frames")) {
		static const char *const frames[] = { "tcp", "dcp" };

		if (val_enum(p, k, v, frames, 2, &e))
			return -1;
		a->dcp = e == 1;
		return 0;
	}
	if (!strcmp(k, "station"))
		return val_u16(p, k, v, 1, 0xffff, &a->value);
	if (!strcmp(k, "state"))
		return key_state(p, k, v);
	if (!strcmp(k, "vlan")) {
		a->tagged = true;
		return val_u16(p, k, v, 0, 4094, &a->vlan);
	}
	if (!strcmp(k, "priority")) {
		uint16_t pcp;

		if (val_u16(p, k, v, 0, 7, &pcp))
			return -1;
		a->priority = (uint8_t)pcp;
		return 0;
	}
	return 1;
}

/* keys that only some kinds read: refuse them elsewhere, not ignore */
static int kind_keys(struct parser *p)
{
	static const struct {
		const char *key;
		unsigned int kinds;
	} only[] = {
		{ "set_name", 1U << ATK_DCP_SET },
		{ "ip", 1U << ATK_DCP_SET | 1U << ATK_NAME_RESPONDER |
			1U << ATK_ARP_PORT_STEALING },
		{ "station", 1U << ATK_ECAT_STATION_WRITE },
		{ "state", 1U << ATK_ECAT_AL_CONTROL },
		{ "file", 1U << ATK_ECAT_FOE },
		{ "frames", 1U << ATK_MAC_FLOOD },
	};
	size_t i;

	for (i = 0; i < sizeof(only) / sizeof(only[0]); i++)
		if (parser_key_given(p, only[i].key) &&
		    !(only[i].kinds & (1U << p->a.kind)))
			return perr(p, "%s does not apply to a %s attack",
				    only[i].key, attack_names[p->a.kind]);
	return 0;
}

int finish_attack(struct parser *p)
{
	struct sim_scenario *sc = p->sc;
	struct sim_attack *a = &p->a;

	if (!parser_key_given(p, "kind"))
		return perr(p, "[attack] needs kind = ...");
	if (!(attack_targets[a->kind] & (1U << a->target_kind)))
		return perr(p, "a %s attack %s", attack_names[a->kind],
			    attack_targets[a->kind] == 1U << TGT_NONE ?
			    "takes no target" : p->has_target ?
			    "cannot target that" : "needs target = NAME");
	if (kind_keys(p))
		return -1;
	if (a->kind == ATK_NAME_RESPONDER && sc->devices[a->target].unknown)
		return perr(p, "a name-responder attack needs a configured "
			    "device: its controller looks it up");
	if ((a->kind == ATK_ECAT_ROGUE_MASTER || a->kind == ATK_ECAT_INJECT ||
	     a->kind == ATK_ECAT_STATION_WRITE ||
	     a->kind == ATK_ECAT_AL_CONTROL || a->kind == ATK_ECAT_FOE) &&
	    (a->mac[0] & 2))
		return perr(p, "an EtherCAT attacker's MAC must be globally "
			    "administered (the slaves set bit 1 on the "
			    "returning frame)");
	if (a->kind == ATK_ECAT_STATION_WRITE && !a->value)
		a->value = (uint16_t)(sc->slaves[a->target].station + 0x100);
	if (a->kind == ATK_ECAT_AL_CONTROL && !a->value)
		a->value = 1;	/* INIT */
	if (!a->rate)
		a->rate = attack_rates[a->kind];
	if (!a->count && !a->duration_ns) {
		if (one_shot(a->kind))
			a->count = 1;
		else
			a->duration_ns = 1000000000ULL;
	}
	if (!a->tagged && sc->pn_tagged) {
		a->tagged = true;
		a->vlan = sc->pn_vlan;
	}
	if (!GROW(p, sc->attacks, sc->nattacks, SIM_MAX_ENTITIES, "attacks"))
		return -1;
	sc->attacks[sc->nattacks - 1] = *a;
	return 0;
}
