/* The burst loop of one lcore: receive, filter, stamp, copy into its ring. */
#include <string.h>

#include <rte_cycles.h>
#include <rte_mbuf.h>
#include <rte_mbuf_dyn.h>

#include "iiot_dpdk.h"

#define LOAD(p)		__atomic_load_n((p), __ATOMIC_RELAXED)
#define STORE(p, v)	__atomic_store_n((p), (v), __ATOMIC_RELAXED)
#define ADD(p, v)	STORE(p, LOAD(p) + (v))

/* Idle rounds before the loop starts to sleep between polls. */
#define IDLE_ROUNDS	16

static bool is_vlan(uint16_t t)
{
	return t == 0x8100 || t == 0x88a8 || t == 0x9100;
}

/*
 * Keep a frame when its ethertype, or the one inside up to two VLAN tags,
 * is in the list: a fieldbus port often carries PROFINET with 802.1Q
 * priority tags.
 */
bool frame_wanted(const struct options *o, const uint8_t *f, uint32_t len)
{
	uint32_t off = 12, tags = 0, i;
	uint16_t t;

	if (o->all)
		return true;
	for (;;) {
		if (len < off + 2)
			return false;
		t = (uint16_t)(f[off] << 8 | f[off + 1]);
		for (i = 0; i < o->nb_etypes; i++)
			if (o->etypes[i] == t)
				return true;
		if (!is_vlan(t) || tags == 2)
			return false;
		off += 4;
		tags++;
	}
}

/* TSC → CLOCK_REALTIME, re-anchored every tick to follow NTP. */
struct sw_clock {
	uint64_t hz, tsc, ns;
};

static void clock_anchor(struct sw_clock *c)
{
	struct timespec ts;

	c->tsc = rte_rdtsc();
	clock_gettime(CLOCK_REALTIME, &ts);
	c->ns = (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static uint64_t clock_ns(const struct sw_clock *c, uint64_t tsc)
{
	unsigned __int128 d = (unsigned __int128)(tsc - c->tsc) * 1000000000U;

	return c->ns + (uint64_t)(d / c->hz);
}

static uint64_t thread_cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static void copy_frame(uint8_t *dst, const struct rte_mbuf *m, uint32_t cap)
{
	uint32_t n;

	/* the usual case, without touching the mbuf's second cache line */
	if (likely(m->nb_segs == 1)) {
		memcpy(dst, rte_pktmbuf_mtod(m, const uint8_t *), cap);
		return;
	}
	while (m && cap) {
		n = m->data_len < cap ? m->data_len : cap;
		memcpy(dst, rte_pktmbuf_mtod(m, const uint8_t *), n);
		dst += n;
		cap -= n;
		m = m->next;
	}
}

struct burst_count {
	uint64_t matched, written, drops, bytes;
};

static void handle_burst(struct app *a, struct worker *w, struct port *p,
			 struct rte_mbuf **bufs, uint16_t n, uint64_t sw_ns,
			 struct burst_count *bc)
{
	uint32_t snap = shm_ring_hdr(w->ring)->snap_len;
	uint16_t i;

	for (i = 0; i < n; i++) {
		struct rte_mbuf *m = bufs[i];
		uint32_t len = rte_pktmbuf_pkt_len(m);
		uint64_t ts = sw_ns;
		uint16_t flags = 0;
		uint8_t *dst;

		if (i + 1 < n)
			rte_prefetch0(rte_pktmbuf_mtod(bufs[i + 1], void *));
		if (!frame_wanted(&a->opt, rte_pktmbuf_mtod(m, uint8_t *),
				  m->data_len))
			continue;
		bc->matched++;
		if (p->hw_ts && (m->ol_flags & p->ts_flag)) {
			ts = port_hw_ns(p, *RTE_MBUF_DYNFIELD(m, p->ts_off,
						rte_mbuf_timestamp_t *));
			flags = IIOT_RECF_TS_HW;
		}
		dst = shm_prod_reserve(w->ring, len, len, ts, p->ifindex,
				       flags);
		if (!dst) {
			bc->drops++;
			continue;
		}
		copy_frame(dst, m, len < snap ? len : snap);
		bc->written++;
		bc->bytes += len < snap ? len : snap;
	}
}

/* Once per tick: clocks, NIC counters, heartbeat, stats, the end. */
static void housekeeping(struct app *a, struct worker *w, struct sw_clock *c,
			 bool main_lcore, uint64_t now, uint64_t *next_stats,
			 uint64_t end_tsc)
{
	unsigned int i;

	clock_anchor(c);
	for (i = 0; i < a->nb_ports; i++)
		if (a->ports[i].owner == (int)(w - a->workers))
			port_read_stats(a, &a->ports[i], w);
	shm_prod_commit(w->ring);	/* keeps the heartbeat fresh */
	if (!main_lcore)
		return;
	if (now >= end_tsc)
		dpdk_quit = 1;
	if (dpdk_dump) {
		dpdk_dump = 0;
		stats_json(a, stdout);
		fflush(stdout);
	}
	if (a->opt.stats_file && now >= *next_stats) {
		stats_file_write(a);
		*next_stats = now + (uint64_t)(a->opt.stats_interval *
					       (double)a->tsc_hz);
	}
}

int worker_loop(void *arg)
{
	struct app *a = app_get();
	struct rte_mbuf *bufs[DPDK_MAX_BURST];
	struct worker *w = NULL;
	struct sw_clock clk = { .hz = a->tsc_hz };
	uint64_t now, next_tick, next_stats, end_tsc = UINT64_MAX, cpu0;
	uint64_t tick = a->tsc_hz / 10;
	unsigned int i, idle = 0;
	bool main_lcore = rte_lcore_id() == rte_get_main_lcore();

	(void)arg;
	for (i = 0; i < a->nb_workers; i++)
		if (a->workers[i].lcore == rte_lcore_id())
			w = &a->workers[i];
	if (!w)
		return 0;
	clock_anchor(&clk);
	cpu0 = thread_cpu_ns();
	now = rte_rdtsc();
	next_tick = now + tick;
	next_stats = now;
	if (a->opt.duration > 0)
		end_tsc = a->start_tsc +
			  (uint64_t)(a->opt.duration * (double)a->tsc_hz);

	while (!dpdk_quit) {
		struct burst_count bc = { 0 };
		uint64_t got = 0, sw_ns = 0;

		for (i = 0; i < w->nb_pairs; i++) {
			struct port *p = &a->ports[w->pairs[i].port];
			uint16_t n = rte_eth_rx_burst(p->id, w->pairs[i].queue,
						      bufs,
						      (uint16_t)a->opt.burst);

			if (!n)
				continue;
			/* one stamp per burst: frames in it came together */
			if (!got)
				sw_ns = clock_ns(&clk, rte_rdtsc());
			got += n;
			handle_burst(a, w, p, bufs, n, sw_ns, &bc);
			rte_pktmbuf_free_bulk(bufs, n);
		}
		if (got) {
			if (bc.written)
				shm_prod_commit(w->ring);
			ADD(&w->received, got);
			ADD(&w->matched, bc.matched);
			ADD(&w->written, bc.written);
			ADD(&w->ring_drops, bc.drops);
			ADD(&w->bytes, bc.bytes);
			idle = 0;
		} else if (a->opt.idle_us && ++idle >= IDLE_ROUNDS) {
			/* the NIC's descriptors hold far more than this */
			rte_delay_us_sleep(a->opt.idle_us);
		}
		now = rte_rdtsc();
		if (now >= next_tick) {
			STORE(&w->cpu_ns, thread_cpu_ns() - cpu0);
			housekeeping(a, w, &clk, main_lcore, now, &next_stats,
				     end_tsc);
			next_tick = now + tick;
		}
	}
	STORE(&w->cpu_ns, thread_cpu_ns() - cpu0);
	shm_prod_commit(w->ring);
	return 0;
}
