/* Device and link tables, the frame entry point, timeouts and getters. */
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "iiot/ring_abi.h"
#include "model/model_int.h"
#include "model/select.h"

const char *const model_counter_names[] = {
#define MODEL_X_NAME(n, d) #n,
	MODEL_COUNTERS(MODEL_X_NAME)
#undef MODEL_X_NAME
};
const size_t model_counter_count =
	sizeof(model_counter_names) / sizeof(model_counter_names[0]);

const char *model_kind_name(unsigned int kind)
{
	static const char *const n[] = { "unknown", "ecat-master",
		"ecat-slave", "pn-controller", "pn-device", "modbus", "mqtt" };

	return kind < MODEL_DEV_KIND_COUNT ? n[kind] : "unknown";
}

const char *model_al_state_name(unsigned int al)
{
	switch (al & 0x0f) {
	case 1: return "INIT";
	case 2: return "PREOP";
	case 3: return "BOOT";
	case 4: return "SAFEOP";
	case 8: return "OP";
	default: return "?";
	}
}

const char *model_event_name(unsigned int ev)
{
	static const char *const n[] = { "?", "discovered", "online",
		"offline", "identity", "al_state", "name", "alarm",
		"lifecycle", "evicted" };

	return ev < sizeof(n) / sizeof(n[0]) ? n[ev] : "?";
}

/* A table of slots (a power of two) with every key of the old one. */
static int mhash_resize(struct model *m, size_t slots)
{
	struct mhash_slot *h = calloc(slots, sizeof(*h)), *old = m->hash;
	size_t i, j, n = m->hmask + 1;

	if (!h)
		return -1;
	for (i = 0; old && i < n; i++) {
		if (!old[i].key)
			continue;
		j = mhash_mix(old[i].key) & (slots - 1);
		while (h[j].key)
			j = (j + 1) & (slots - 1);
		h[j] = old[i];
	}
	free(old);
	m->hash = h;
	m->hmask = slots - 1;
	return 0;
}

/*
 * Values are index + 1.  The table doubles at a quarter full (short
 * probes) up to MHASH_SLOTS, 4x the devices and links.  Should memory run out, it fills up to 3/4
 * and then refuses new keys (counted) rather than probe forever.
 */
void mhash_put(struct model *m, uint64_t key, uint32_t val)
{
	size_t i = mhash_mix(key) & m->hmask;

	while (m->hash[i].key && m->hash[i].key != key)
		i = (i + 1) & m->hmask;
	if (!m->hash[i].key) {
		if ((m->nhash + 1) * 4 > m->hmask + 1 &&
		    m->hmask + 1 < MHASH_SLOTS &&
		    !mhash_resize(m, (m->hmask + 1) * 2)) {
			mhash_put(m, key, val);
			return;
		}
		if ((m->nhash + 1) * 4 > (m->hmask + 1) * 3) {
			m->ctr.keys_full++;
			return;
		}
		m->nhash++;
	}
	m->hash[i].key = key;
	m->hash[i].val = val;
}

/* Backward-shift deletion: probes stay unbroken without tombstones. */
void mhash_del(struct model *m, uint64_t key)
{
	size_t mask = m->hmask, i = mhash_mix(key) & mask, j, home;

	while (m->hash[i].key && m->hash[i].key != key)
		i = (i + 1) & mask;
	if (!m->hash[i].key)
		return;
	m->nhash--;
	for (j = (i + 1) & mask; m->hash[j].key; j = (j + 1) & mask) {
		home = mhash_mix(m->hash[j].key) & mask;
		/* j may move to the hole at i unless its home lies in (i, j] */
		if (((j - home) & mask) < ((j - i) & mask))
			continue;
		m->hash[i] = m->hash[j];
		i = j;
	}
	m->hash[i].key = 0;
	m->hash[i].val = 0;
}

struct model *model_new(const struct model_opts *opts)
{
	struct model *m = calloc(1, sizeof(*m));

	if (!m)
		return NULL;
	if (opts)
		m->opts = *opts;
	if (!m->opts.offline_ns)
		m->opts.offline_ns = 3000000000ULL;
	if (!m->opts.link_timeout_ns)
		m->opts.link_timeout_ns = m->opts.offline_ns;
	/*
	 * Full-size tables up front so that pointers never move while a
	 * frame is being handled; untouched pages cost no memory.
	 */
	m->capdevs = MODEL_MAX_DEVICES;
	m->caplinks = MODEL_MAX_LINKS;
	m->devs = calloc(m->capdevs, sizeof(*m->devs));
	m->dpriv = calloc(m->capdevs, sizeof(*m->dpriv));
	m->links = calloc(m->caplinks, sizeof(*m->links));
	m->lpriv = calloc(m->caplinks, sizeof(*m->lpriv));
	if (mhash_resize(m, MHASH_MIN))
		m->hash = NULL;
	m->mst = calloc(MODEL_MAX_MASTERS, sizeof(*m->mst));
	m->vis = calloc(m->capdevs, sizeof(*m->vis));
	if (!m->devs || !m->dpriv || !m->links || !m->lpriv || !m->hash ||
	    !m->mst || !m->vis) {
		model_free(m);
		return NULL;
	}
	return m;
}

void model_free(struct model *m)
{
	size_t i;

	if (!m)
		return;
	msig_free(m);
	model_sigdefs_drop(m->defs);
	model_aliases_drop(m->aliases);
	free(m->ext);
	if (m->lpriv)
		for (i = 0; i < m->nlinks; i++)
			free(m->lpriv[i].win);
	if (m->dpriv)
		for (i = 0; i < m->ndevs; i++)
			free(m->dpriv[i].ecat_sigs);
	free(m->devs);
	free(m->dpriv);
	free(m->links);
	free(m->lpriv);
	free(m->hash);
	free(m->mst);
	free(m->vis);
	free(m->nbrs);
	free(m);
}

void model_set_sink(struct model *m, const struct model_sink *sink)
{
	m->sink = *sink;
}

void model_set_feed(struct model *m, struct sigfeed *f)
{
	m->feed = f;
}

void mdev_event(struct model *m, const struct model_device *d,
		unsigned int ev, uint64_t ts, const char *fmt, ...)
{
	char raw[256], detail[256];
	va_list ap;

	m->ctr.device_events++;
	if (!m->sink.device_event)
		return;
	va_start(ap, fmt);
	vsnprintf(raw, sizeof(raw), fmt, ap);
	va_end(ap);
	/* details quote frames (names in DCP Set) and users (notes):
	 * history is printed, stored and served as JSON */
	wire_str(detail, sizeof(detail), raw, strlen(raw));
	m->sink.device_event(m->sink.arg, d, ev, detail, ts);
}

/*
 * Whether d may give its slot to a new device: nobody admitted it
 * (inventory flooding must never cost a real device its place), and
 * nothing refers to its id (links, signals, slaves, merges, a master's
 * ring state), and the frame being handled did not touch it.
 */
static bool evictable(const struct model *m, const struct model_device *d,
		      uint64_t ts)
{
	const struct mdev_priv *p = &m->dpriv[d->id - 1];

	return d->lifecycle <= MODEL_LC_PENDING &&
	       d->kind != MODEL_DEV_ECAT_MASTER &&
	       d->kind != MODEL_DEV_ECAT_SLAVE &&
	       (d->has & MODEL_HAS_MAC) && !p->linked && !p->sig_head &&
	       !p->merged_into && !p->mslot && d->last_seen_ns != ts;
}

#define EVICT_SCAN	1024	/* slots a new device looks at, at most */
#define EVICT_SAMPLE	64	/* online candidates compared */

/*
 * A slot for a new device in a full table.  A clock hand walks the table
 * from where it last stopped: the first offline candidate is taken, else
 * the one silent longest among the first EVICT_SAMPLE candidates, so a
 * flood of new MACs recycles its own devices (in the order they came)
 * and a real device still gets in.  Bounded work per new device; none
 * found (a table of admitted devices) is counted as full.
 */
static struct model_device *mdev_evict(struct model *m, uint64_t ts)
{
	struct model_device *best = NULL, *d;
	size_t n, i = m->evict_hand, cand = 0;
	uint64_t now = rx_clock(m, ts), last;
	char label[80];

	for (n = 0; n < EVICT_SCAN && n < m->ndevs; n++) {
		d = &m->devs[i];
		i = (i + 1) % m->ndevs;
		if (!evictable(m, d, ts))
			continue;
		if (!d->online) {
			best = d;
			break;
		}
		if (!best || m->dpriv[d->id - 1].last_rx_ns <
			     m->dpriv[best->id - 1].last_rx_ns)
			best = d;
		if (++cand == EVICT_SAMPLE)
			break;
	}
	m->evict_hand = i;
	if (!best)
		return NULL;
	last = m->rx_now ? m->dpriv[best->id - 1].last_rx_ns :
		best->last_seen_ns;
	model_device_label(m, best, label, sizeof(label));
	mdev_event(m, best, MODEL_EV_EVICTED, ts, "%s %s evicted for a new "
		   "device: %zu in the table, %s, silent for %llu ms",
		   model_kind_name(best->kind), label, m->ndevs,
		   best->online ? "online" : "offline",
		   (unsigned long long)(now > last ? (now - last) / 1000000 :
					0));
	mhash_del(m, MKEY_MAC | mac48(best->mac));
	free(m->dpriv[best->id - 1].ecat_sigs);
	n = best->id;
	memset(&m->dpriv[n - 1], 0, sizeof(m->dpriv[0]));
	memset(best, 0, sizeof(*best));
	best->id = (uint32_t)n;
	m->ctr.devices_evicted++;
	return best;
}

struct model_device *mdev_new(struct model *m, unsigned int kind,
			      uint64_t ts)
{
	struct model_device *d;

	if (m->ndevs >= m->capdevs) {
		/* its place in the list readers walk goes to the new one */
		d = mdev_evict(m, ts);
		if (!d) {
			m->ctr.devices_full++;
			return NULL;
		}
	} else {
		m->vis[m->nvis++] = (uint32_t)m->ndevs;
		d = &m->devs[m->ndevs++];
		d->id = (uint32_t)m->ndevs;
	}
	d->kind = (uint8_t)kind;
	d->lifecycle = MODEL_LC_PENDING;	/* admission: approve first */
	d->online = true;
	d->first_seen_ns = d->last_seen_ns = ts;
	d->ring_pos = 0xffff;
	m->dpriv[d->id - 1].last_rx_ns = rx_clock(m, ts);
	return d;
}

/*
 * Ids stay stable, so a device found to be another keeps its slot; it
 * only leaves the list readers walk, and its id leads to the other.
 */
void mdev_hide(struct model *m, struct model_device *d, uint32_t into)
{
	size_t i;

	m->dpriv[d->id - 1].merged_into = into;
	d->online = false;
	for (i = 0; i < m->nvis; i++)
		if (m->vis[i] == d->id - 1)
			break;
	if (i == m->nvis)
		return;
	memmove(&m->vis[i], &m->vis[i + 1],
		(m->nvis - i - 1) * sizeof(m->vis[0]));
	m->nvis--;
}

void mdev_back_online(struct model *m, struct model_device *d, uint64_t ts)
{
	d->online = true;
	mdev_event(m, d, MODEL_EV_ONLINE, ts, "back online");
}

struct model_device *mdev_discover(struct model *m, const uint8_t mac[6],
				   uint64_t key, unsigned int kind,
				   uint64_t ts)
{
	struct model_device *d = mdev_new(m, kind, ts);
	char label[80];

	if (!d)
		return NULL;
	memcpy(d->mac, mac, 6);
	d->has |= MODEL_HAS_MAC;
	mhash_put(m, key, d->id);
	model_device_label(m, d, label, sizeof(label));
	mdev_event(m, d, MODEL_EV_DISCOVERED, ts, "%s %s",
		   model_kind_name(kind), label);
	return d;
}

struct model_link *mlink_new(struct model *m, uint64_t key,
			     unsigned int kind, uint64_t ts)
{
	struct model_link *l;

	if (m->nlinks >= m->caplinks) {
		m->ctr.links_full++;
		return NULL;
	}
	l = &m->links[m->nlinks++];
	l->id = (uint32_t)m->nlinks;
	l->kind = (uint8_t)kind;
	l->first_ns = l->last_ns = ts;
	l->clock_hw = true;
	mhash_put(m, key, l->id);
	return l;
}

uint32_t *mlink_window(struct mlink_priv *p)
{
	p->win = calloc(MODEL_JITTER_WINDOW, sizeof(*p->win));
	return p->win;
}

/* model_frame's body, static so that model_frame_raw gets it inline */
static void frame(struct model *m, const struct decoded *d, uint64_t ts_ns,
		  uint16_t flags)
{
	m->ctr.frames++;
	if (ts_ns > m->last_ts)
		m->last_ts = ts_ns;
	if (d->anomalies)
		m->ctr.anomalous++;
	switch (d->proto) {
	case DECODE_ECAT:
		m->ctr.ecat_frames++;
		model_ecat_frame(m, d, ts_ns, flags);
		break;
	case DECODE_PN_RT:
	case DECODE_PN_DCP:
	case DECODE_PN_ALARM:
	case DECODE_PN_PTCP:
	case DECODE_PNIO_CM:
		m->ctr.pn_frames++;
		model_pn_frame(m, d, ts_ns, flags);
		break;
	case DECODE_LLDP:
		model_lldp_frame(m, d, ts_ns);
		break;
	default:
		m->ctr.other_frames++;
		break;
	}
}

void model_frame(struct model *m, const struct decoded *d, uint64_t ts_ns,
		 uint32_t wire_len, uint16_t flags)
{
	(void)wire_len;
	frame(m, d, ts_ns, flags);
}

void model_frame_raw(struct model *m, const uint8_t *p, uint32_t len,
		     uint32_t wire_len, uint64_t ts_ns, uint16_t flags)
{
	(void)wire_len;
	decode_frame(p, len, &m->scratch);
	frame(m, &m->scratch, ts_ns, flags);
}

void model_set_rx_clock(struct model *m, uint64_t now_ns)
{
	m->rx_now = now_ns;
}

uint64_t model_last_ts(const struct model *m)
{
	return m->last_ts;
}

void model_tick(struct model *m, uint64_t now_ns)
{
	/* silence on the receive clock when there is one (monotonic) */
	uint64_t rx = m->rx_now ? m->rx_now : now_ns;
	size_t i;

	for (i = 0; i < m->ndevs; i++) {
		struct model_device *d = &m->devs[i];
		uint64_t last = m->rx_now ? m->dpriv[i].last_rx_ns :
			d->last_seen_ns;

		/* merged away, or online as its poller says */
		if (m->dpriv[i].merged_into || d->kind == MODEL_DEV_MODBUS ||
		    d->kind == MODEL_DEV_MQTT)
			continue;

		/* a full working counter on the cyclic frame means every
		 * slave behind the master took part in it */
		if (d->kind == MODEL_DEV_ECAT_SLAVE && d->parent) {
			const struct mdev_priv *mp =
				&m->dpriv[d->parent - 1];
			uint64_t ok = m->rx_now ? mp->lrw_ok_rx :
				mp->lrw_ok_ts;

			if (mp->lrw_ok_ts > d->last_seen_ns)
				d->last_seen_ns = mp->lrw_ok_ts;
			if (ok > last)
				last = ok;
			if (!d->online && rx - last <= m->opts.offline_ns) {
				d->online = true;
				mdev_event(m, d, MODEL_EV_ONLINE, now_ns,
					   "back in the cyclic exchange");
			}
		}

		if (d->online && rx > last &&
		    rx - last > m->opts.offline_ns) {
			d->online = false;
			mdev_event(m, d, MODEL_EV_OFFLINE, now_ns,
				   "silent for %llu ms",
				   (unsigned long long)((rx - last) /
							1000000));
		}
	}
}

size_t model_device_count(const struct model *m)
{
	return m->nvis;
}

const struct model_device *model_device_at(const struct model *m, size_t i)
{
	return i < m->nvis ? &m->devs[m->vis[i]] : NULL;
}

const struct model_device *model_device_get(const struct model *m,
					    uint32_t id)
{
	unsigned int hops;

	/* a merged slave's id leads to the one it turned out to be */
	for (hops = 0; id >= 1 && id <= m->ndevs && hops < 8; hops++) {
		if (!m->dpriv[id - 1].merged_into)
			return &m->devs[id - 1];
		id = m->dpriv[id - 1].merged_into;
	}
	return NULL;
}

size_t model_devices_online(const struct model *m)
{
	size_t i, n = 0;

	for (i = 0; i < m->nvis; i++)
		n += m->devs[m->vis[i]].online;
	return n;
}

static int parse_mac(const char *s, uint8_t mac[6])
{
	unsigned int b[6];
	char tail;
	int i;

	if (sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%c", &b[0], &b[1], &b[2], &b[3],
		   &b[4], &b[5], &tail) != 6)
		return -1;
	for (i = 0; i < 6; i++)
		mac[i] = (uint8_t)b[i];
	return 0;
}

int model_parse_mac(const char *s, uint8_t mac[6])
{
	return parse_mac(s, mac);
}

void model_device_label(const struct model *m, const struct model_device *d,
			char *buf, size_t len)
{
	const struct model_device *master;

	switch (d->kind) {
	case MODEL_DEV_ECAT_SLAVE:
		master = model_device_get(m, d->parent);
		if (!master) {
			snprintf(buf, len, "ecat:?/%u", d->ring_pos);
			break;
		}
		if (d->ring_pos != 0xffff)
			snprintf(buf, len,
				 "%02x:%02x:%02x:%02x:%02x:%02x/%u",
				 master->mac[0], master->mac[1],
				 master->mac[2], master->mac[3],
				 master->mac[4], master->mac[5], d->ring_pos);
		else
			snprintf(buf, len,
				 "%02x:%02x:%02x:%02x:%02x:%02x/@0x%04x",
				 master->mac[0], master->mac[1],
				 master->mac[2], master->mac[3],
				 master->mac[4], master->mac[5],
				 d->station_addr);
		break;
	case MODEL_DEV_MODBUS:
		/* no MAC: polled over IP by its configured name */
		snprintf(buf, len, "modbus:%s", d->station_name);
		break;
	case MODEL_DEV_MQTT:
		snprintf(buf, len, "mqtt:%s", d->station_name);
		break;
	default:
		snprintf(buf, len, "%02x:%02x:%02x:%02x:%02x:%02x", d->mac[0],
			 d->mac[1], d->mac[2], d->mac[3], d->mac[4],
			 d->mac[5]);
		break;
	}
}

/* The id of the device with this MAC (not a slave: they have none), or 0. */
static uint32_t mac_scan(const struct model *m, const uint8_t mac[6])
{
	size_t i;

	for (i = 0; i < m->ndevs; i++)
		if (m->devs[i].kind != MODEL_DEV_ECAT_SLAVE &&
		    !memcmp(m->devs[i].mac, mac, 6))
			return m->devs[i].id;
	return 0;
}

const struct model_device *model_device_by_mac(const struct model *m,
					       const uint8_t mac[6])
{
	/* snapshots (model_snap.c) carry no lookup table */
	uint32_t v = m->hash ? mhash_get(m, MKEY_MAC | mac48(mac)) :
		     mac_scan(m, mac);

	return v ? &m->devs[v - 1] : NULL;
}

const struct model_device *model_device_find(const struct model *m,
					     const char *key)
{
	char label[80], *end;
	unsigned long id;
	uint8_t mac[6];
	size_t i;

	if (!key || !*key)
		return NULL;
	id = strtoul(key, &end, 10);
	if (!*end && id)
		return model_device_get(m, (uint32_t)id);
	if (!parse_mac(key, mac)) {
		const struct model_device *d = model_device_by_mac(m, mac);

		if (d)
			return d;
	}
	for (i = 0; i < m->ndevs; i++) {
		if (m->dpriv[i].merged_into)
			continue;
		if ((m->devs[i].has & MODEL_HAS_NAME) &&
		    !strcmp(m->devs[i].station_name, key))
			return &m->devs[i];
		model_device_label(m, &m->devs[i], label, sizeof(label));
		if (!strcmp(label, key))
			return &m->devs[i];
	}
	return NULL;
}

size_t model_link_count(const struct model *m)
{
	return m->nlinks;
}

/*
 * The window's median interval, then the percentiles of each interval's
 * distance from it: selections, not sorts (each scan of the edge asks
 * for every link's: two sorts of each window were a fifth of its time).
 */
static void link_stats(struct model *m, struct model_link *l)
{
	struct mlink_priv *p = mlink_priv(m, l);
	uint32_t v[MODEL_JITTER_WINDOW];
	uint32_t n = p->win_n, i, period, k99;

	if (p->stats_at == l->frames || !n || !p->win)
		return;
	p->stats_at = l->frames;
	memcpy(v, p->win, n * sizeof(v[0]));
	period = u32_select(v, n, n / 2);
	l->period_ns = period;
	for (i = 0; i < n; i++)
		v[i] = p->win[i] > period ? p->win[i] - period :
			period - p->win[i];
	k99 = (n * 99) / 100 < n ? (n * 99) / 100 : n - 1;
	/* each selection leaves the larger values above its index */
	l->jitter_p50_ns = u32_select(v, n, n / 2);
	l->jitter_p99_ns = u32_select(v + n / 2, n - n / 2, k99 - n / 2);
	l->jitter_max_ns = u32_select(v + k99, n - k99, n - k99 - 1);
	if (l->jitter_max_ns > l->jitter_max_all_ns)
		l->jitter_max_all_ns = l->jitter_max_ns;
}

const struct model_link *model_link_at(struct model *m, size_t i)
{
	if (i >= m->nlinks)
		return NULL;
	link_stats(m, &m->links[i]);
	return &m->links[i];
}

size_t model_signal_count(const struct model *m)
{
	return m->nsigs;
}

uint64_t model_signal_gen(const struct model *m)
{
	return m->sig_gen;
}

/* definition fields first, then the live ones, then line */
_Static_assert(offsetof(struct model_signal, add) <
	       offsetof(struct model_signal, dev_id) &&
	       offsetof(struct model_signal, last) <
	       offsetof(struct model_signal, line),
	       "model_signal_at copies the definition up to dev_id");

const struct model_signal *model_signal_at(const struct model *m, size_t i,
					   struct model_signal *tmp)
{
	const struct model_sigstate *st;
	const struct model_signal *def;

	if (i >= m->nsigs)
		return NULL;
	if (!m->sst)
		return &m->sigs[i];
	st = &m->sst[i];
	def = &m->defs->sig[i];
	/* the shared table's live fields are the model thread's: copy the
	 * definition up to them, and the snapshot's own state */
	memcpy(tmp, def, offsetof(struct model_signal, dev_id));
	tmp->line = def->line;
	tmp->dev_id = st->dev_id;
	tmp->samples = st->samples;
	tmp->last_ns = st->last_ns;
	tmp->last = st->last;
	return tmp;
}

int model_signal_val(const struct model *m, size_t i, struct model_sigval *v)
{
	const struct model_signal *s;

	if (i >= m->nsigs)
		return -1;
	if (m->sst) {
		const struct model_sigstate *st = &m->sst[i];

		v->dev_id = st->dev_id;
		v->samples = st->samples;
		v->last_ns = st->last_ns;
		v->last = st->last;
		return 0;
	}
	s = &m->sigs[i];
	v->dev_id = s->dev_id;
	v->samples = s->samples;
	v->last_ns = s->last_ns;
	v->last = s->last;
	return 0;
}

const char *model_signal_name(const struct model *m, size_t i)
{
	if (i >= m->nsigs)
		return NULL;
	return m->sst ? m->defs->sig[i].name : m->sigs[i].name;
}

const struct model_signal *model_signal_get(const struct model *m,
					    uint32_t id,
					    struct model_signal *tmp)
{
	return id >= 1 ? model_signal_at(m, id - 1, tmp) : NULL;
}

void model_get_counters(const struct model *m, struct model_counters *out)
{
	*out = m->ctr;
}
