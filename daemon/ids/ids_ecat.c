/*
 * EtherCAT rules.  A master is a source MAC with the locally-administered
 * bit cleared (slaves set it on the way back, so returning frames name
 * their master too).  Once a master has run cyclic (logical) datagrams
 * for policy.startup, start-up is over (for the line: writes injected
 * from any other MAC then count too): writes to the station address,
 * write protection, ESC reset, the SII EEPROM interface and AL control
 * requests that leave OP become alerts, and a master that first appears
 * then is a second master (masters of a line's segments start together;
 * a mirror port may well carry several).  FoE downloads alert always.  A
 * returning frame whose datagram index the master never sent was
 * injected on the wire (or duplicated).
 */
#include <stdio.h>
#include <string.h>

#include "ids/ids_int.h"

static bool running(const struct ids *ids, const struct master *m);

/* another master than me that runs cyclic, past start-up, right now */
static const struct master *other_running(const struct ids *ids,
					  const struct master *me)
{
	size_t i;

	for (i = 0; i < IDS_MASTERS; i++) {
		const struct master *m = &ids->ms[i];

		if (m->used && m != me && running(ids, m))
			return m;
	}
	return NULL;
}

/* the master whose MAC (U/L bit cleared) is key */
static struct master *master_get(struct ids *ids, uint64_t key)
{
	struct master *free_m = NULL, *m = ids->last_master;
	size_t i;

	/* a line's frames come from one master, mostly */
	if (m && m->key == key)
		return m;
	for (i = 0; i < IDS_MASTERS; i++) {
		m = &ids->ms[i];
		if (m->used && m->key == key)
			return ids->last_master = m;
		if (!m->used && !free_m)
			free_m = m;
	}
	if (!free_m)
		return NULL;
	for (i = 0; i < 6; i++)
		free_m->mac[i] = (uint8_t)(key >> (40 - 8 * i));
	free_m->key = key;
	free_m->used = true;
	/* the line's masters start together; one that appears while
	 * another runs cyclic is a second master on that line */
	free_m->rogue = other_running(ids, free_m) != NULL;
	return ids->last_master = free_m;
}

/* past start-up and still cycling: a master whose cycle stopped for a
 * second runs start-up again when it comes back (a PLC restart) */
static bool running(const struct ids *ids, const struct master *m)
{
	return m->op_since && m->last_logical - m->op_since >= ids->p.startup_ns &&
	       ids->ts - m->last_logical < 1000000000ULL;
}

static bool is_write(unsigned int cmd)
{
	return cmd == ECAT_APWR || cmd == ECAT_FPWR || cmd == ECAT_BWR ||
	       cmd == ECAT_APRW || cmd == ECAT_FPRW || cmd == ECAT_BRW;
}

/* the slave a datagram addresses, for the message and the key */
static void target(const struct decode_ecat_dgram *g, char *buf, size_t len)
{
	if (g->cmd == ECAT_FPWR || g->cmd == ECAT_FPRW)
		snprintf(buf, len, "slave at station 0x%04x", g->adp);
	else if (g->cmd == ECAT_APWR || g->cmd == ECAT_APRW)
		snprintf(buf, len, "slave at position %u",
			 (unsigned int)(uint16_t)-g->adp);
	else
		snprintf(buf, len, "every slave");
}

/* the byte of register reg in datagram g, or -1 */
static int reg_byte(const struct decode_ecat_dgram *g, unsigned int reg)
{
	if (reg < g->ado || reg >= (unsigned int)g->ado + g->len)
		return -1;
	return g->data[reg - g->ado];
}

static void reg_alert(struct ids *ids, const struct decode_ecat_dgram *g,
		      unsigned int rule, unsigned int sev, const char *what,
		      unsigned int reg)
{
	char dev[40], detail[ALERT_DETAIL_MAX];

	target(g, dev, sizeof(dev));
	snprintf(detail, sizeof(detail), "%s (0x%04x) by %s", what, reg,
		 ecat_cmd_name(g->cmd));
	ids_raise(ids, rule, sev, ids->d->src, ids->d->dst, NULL, dev,
		  (uint64_t)g->cmd << 40 | (uint64_t)g->adp << 16 | reg, detail);
}

static void check_writes(struct ids *ids, const struct decode_ecat_dgram *g)
{
	static const char *const al_names[16] = {
		[1] = "INIT", [2] = "PREOP", [3] = "BOOT", [4] = "SAFEOP",
		[8] = "OP",
	};
	int v, hi;

	ids->ctr.ecat_writes++;
	if (reg_byte(g, 0x0010) >= 0 || reg_byte(g, 0x0011) >= 0)
		reg_alert(ids, g, ALERT_R_ECAT_REG_WRITE, 0,
			  "station address", 0x0010);
	if (reg_byte(g, 0x0020) >= 0 || reg_byte(g, 0x0030) >= 0)
		reg_alert(ids, g, ALERT_R_ECAT_REG_WRITE, 0, "write protection",
			  reg_byte(g, 0x0020) >= 0 ? 0x0020 : 0x0030);
	if (reg_byte(g, 0x0040) >= 0)
		reg_alert(ids, g, ALERT_R_ECAT_REG_WRITE, 0, "ESC reset",
			  0x0040);
	/* SII control/status: bit 9 (0x0503 bit 1) is the write command */
	hi = reg_byte(g, 0x0503);
	if (hi >= 0 && (hi & 0x02))
		reg_alert(ids, g, ALERT_R_ECAT_REG_WRITE, 0,
			  "SII EEPROM write command", 0x0502);
	v = reg_byte(g, 0x0120);
	if (v >= 0 && (v & 0x0F) != 8 && al_names[v & 0x0F]) {
		char what[48];

		snprintf(what, sizeof(what), "AL control requests %s",
			 al_names[v & 0x0F]);
		reg_alert(ids, g, ALERT_R_ECAT_AL_DROP,
			  (v & 0x0F) == 3 ? ALERT_SEV_CRITICAL : 0, what,
			  0x0120);
	}
}

static void check_foe(struct ids *ids)
{
	const struct decode_ecat *e = &ids->d->ecat;
	char detail[ALERT_DETAIL_MAX], dev[40];
	unsigned int i;

	for (i = 0; i < e->nmbx && i < DECODE_MAX_MBX; i++) {
		const struct decode_ecat_mbx *mb = &e->mbx[i];
		const struct decode_ecat_dgram *g;

		if (mb->type != ECAT_MBX_FOE || mb->foe_op != 2 ||
		    mb->dgram >= e->ndgram)
			continue;
		g = &e->dgram[mb->dgram];
		if (!is_write(g->cmd))
			continue;
		target(g, dev, sizeof(dev));
		snprintf(detail, sizeof(detail), "write request for \"%.*s\"",
			 mb->foe_name_len > 64 ? 64 : mb->foe_name_len,
			 mb->foe_name ? (const char *)mb->foe_name : "");
		ids_raise(ids, ALERT_R_ECAT_FOE_WRITE, 0, ids->d->src,
			  ids->d->dst, NULL, dev,
			  (uint64_t)g->adp << 16 | 0xF0E, detail);
	}
}

static void mac_label(const uint8_t mac[6], char *buf, size_t len)
{
	snprintf(buf, len, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1],
		 mac[2], mac[3], mac[4], mac[5]);
}

static void injected(struct ids *ids, struct master *m,
		     const struct decode_ecat_dgram *g)
{
	unsigned int idx = g->idx;
	char detail[64], lbl[24];

	if (m->sent[idx / 64] & (1ULL << (idx % 64))) {
		m->sent[idx / 64] &= ~(1ULL << (idx % 64));
		return;
	}
	if (!m->seen_out || !running(ids, m))
		return;
	snprintf(detail, sizeof(detail), "datagram index 0x%02x, %s", idx,
		 ecat_cmd_name(g->cmd));
	mac_label(m->mac, lbl, sizeof(lbl));
	ids_raise(ids, ALERT_R_ECAT_INJECTED, 0, ids->d->src, ids->d->dst,
		  m->mac, lbl, 0, detail);
}

void ids_ecat(struct ids *ids)
{
	const struct decoded *d = ids->d;
	const struct decode_ecat *e = &d->ecat;
	const struct master *other;
	bool returned = d->src[0] & 0x02;
	const uint8_t *mac;
	struct master *m;
	unsigned int i;

	if (d->anomalies || !e->ndgram)
		return;
	m = master_get(ids, ids_mac_key(d->src) & ~(0x02ULL << 40));
	if (!m)
		return;
	mac = m->mac;
	m->last_ns = ids->ts;
	for (i = 0; i < e->ndgram; i++)
		if (ecat_cmd_is_logical(e->dgram[i].cmd)) {
			if (!m->op_since ||
			    ids->ts - m->last_logical > 1000000000ULL)
				m->op_since = ids->ts;
			m->last_logical = ids->ts;
			break;
		}
	if (m->rogue && !ids_engineering(ids, mac) &&
	    (other = other_running(ids, m))) {
		char detail[64], lbl[18];

		snprintf(detail, sizeof(detail), "%u datagrams, first %s",
			 e->ndgram, ecat_cmd_name(e->dgram[0].cmd));
		/* {device} is the master that runs the line */
		mac_label(other->mac, lbl, sizeof(lbl));
		ids_raise(ids, ALERT_R_ECAT_SECOND_MASTER, 0, d->src, d->dst,
			  other->mac, lbl, ids_mac_key(mac), detail);
	}
	if (returned) {
		injected(ids, m, &e->dgram[0]);
		return;
	}
	m->seen_out = true;
	m->sent[e->dgram[0].idx / 64] |= 1ULL << (e->dgram[0].idx % 64);
	if (ids_engineering(ids, mac))
		return;
	if (e->nmbx)
		check_foe(ids);
	/* past start-up is the line's state, not the sender's: a write
	 * injected from another MAC while the master runs counts too */
	if (!running(ids, m) && !other_running(ids, m))
		return;
	for (i = 0; i < e->ndgram; i++)
		if (is_write(e->dgram[i].cmd))
			check_writes(ids, &e->dgram[i]);
}
