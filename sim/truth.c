/*
 * Ground truth of a run's attacks: one JSON object per attack and pass,
 * what was injected and when, for tests to check detection against
 * (docs/sim.md, "Ground truth").
 */
#include <inttypes.h>
#include <stdio.h>

#include "truth.h"

static void mac_str(const uint8_t m[6], char *buf, size_t len)
{
	snprintf(buf, len, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2],
		 m[3], m[4], m[5]);
}

static const char *target_name(const struct sim_scenario *sc,
			       const struct sim_attack *at)
{
	switch (at->target_kind) {
	case TGT_MASTER: return sc->masters[at->target].name;
	case TGT_SLAVE: return sc->slaves[at->target].name;
	case TGT_CTRL: return sc->ctrls[at->target].name;
	case TGT_DEVICE: return sc->devices[at->target].name;
	default: return NULL;
	}
}

/*
 * What the attack did to the line, with the rule that must say so: an
 * AR it broke, from the time of the AR's last cyclic frame.
 */
static void effects(FILE *f, const struct sim_scenario *sc,
		    const struct attack_state *st)
{
	fputs(",\"effects\":[", f);
	if (st->ar_lost_ts)
		fprintf(f, "{\"rule\":\"pn.ar.lost_after_attack\",\"target\":"
			"\"%s\",\"last_cyclic_ns\":%" PRIu64 "}",
			sc->devices[st->ar_device].name, st->ar_lost_ts);
	fputs("]", f);
}

int truth_write(FILE *f, const struct sim_engine *e, uint64_t pass)
{
	const struct sim_scenario *sc = e->sc;
	char mac[18];
	uint32_t i;

	for (i = 0; i < sc->nattacks; i++) {
		const struct sim_attack *at = &sc->attacks[i];
		const struct attack_state *st = &e->as[i];
		const char *tgt = target_name(sc, at);

		mac_str(at->mac, mac, sizeof(mac));
		/* names are [a-z0-9.-_]: nothing to escape */
		fprintf(f, "{\"scenario\":\"%s\",\"pass\":%" PRIu64
			",\"attack\":\"%s\",\"rule\":\"%s\",\"source\":\"%s\","
			"\"target\":%s%s%s,\"vlan\":", sc->name, pass + 1,
			sim_attack_name(at->kind), sim_attack_rule(at->kind),
			mac, tgt ? "\"" : "", tgt ? tgt : "null",
			tgt ? "\"" : "");
		if (at->tagged)
			fprintf(f, "%u", at->vlan);
		else if (sc->all_tagged)
			fprintf(f, "%u", sc->all_vlan);
		else
			fputs("null", f);
		if (sc->qinq)
			fprintf(f, ",\"svlan\":%u", sc->s_vlan);
		fprintf(f, ",\"occurrences\":%u,\"frames\":%" PRIu64, st->done,
			st->frames);
		if (st->frames)
			fprintf(f, ",\"first_ns\":%" PRIu64 ",\"last_ns\":%"
				PRIu64 ",\"first_frame\":%" PRIu64, st->first_ts,
				st->last_ts, st->first_no);
		else
			fputs(",\"first_ns\":null,\"last_ns\":null,"
			      "\"first_frame\":null", f);
		effects(f, sc, st);
		fputs("}\n", f);
	}
	return fflush(f) || ferror(f) ? -1 : 0;
}
