/* The burst loop of one lcore: receive, filter, stamp, copy into its ring. */
#include <string.h>

#include <rte_cycles.h>
#include <rte_mbuf.h>
#include <rte_mbuf_dyn.h>
#include <rte_memcpy.h>

#include "iiot_dpdk.h"

#define LOAD(p)		__atomic_load_n((p), __ATOMIC_RELAXED)
#define STORE(p, v)	__atomic_store_n((p), (v), __ATOMIC_RELAXED)
#define ADD(p, v)	STORE(p, LOAD(p) + (v))

/* Idle rounds before the loop starts to sleep between polls. */
#define IDLE_ROUNDS	16

/*
 * TSC → CLOCK_REALTIME, re-anchored every tick to follow NTP.  ns_mult is
 * ns per TSC tick in 32.32 fixed point: a multiply per burst, no division.
 */
struct sw_clock {
	uint64_t ns_mult, tsc, ns;
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
	return c->ns + (uint64_t)((unsigned __int128)(tsc - c->tsc) *
				  c->ns_mult >> 32);
}

static uint64_t thread_cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static void copy_chain(uint8_t *dst, const struct rte_mbuf *m, uint32_t cap)
{
	uint32_t n;

	while (m && cap) {
		n = m->data_len < cap ? m->data_len : cap;
		rte_memcpy(dst, rte_pktmbuf_mtod(m, const uint8_t *), n);
		dst += n;
		cap -= n;
		m = m->next;
	}
}

/*
 * Into a span: whole 32-byte chunks when the mbuf has room to over-read
 * (the span has slack to over-write), which costs two vector moves per
 * chunk and no branches on the length; the usual case never touches the
 * mbuf's second cache line.
 */
static inline void copy_frame(uint8_t *dst, const struct rte_mbuf *m,
			      uint32_t cap)
{
	const uint8_t *src = rte_pktmbuf_mtod(m, const uint8_t *);
	uint32_t off;

	if (unlikely(m->nb_segs != 1)) {
		copy_chain(dst, m, cap);
		return;
	}
	if (unlikely(rte_pktmbuf_tailroom(m) < 32 || cap > m->data_len)) {
		rte_memcpy(dst, src, cap);
		return;
	}
	for (off = 0; off < cap; off += 32)
		__builtin_memcpy(dst + off, src + off, 32);
}

struct burst_count {
	uint64_t matched, written, drops, bytes;
};

static inline uint64_t frame_ts(const struct port *p,
				const struct rte_mbuf *m, uint64_t sw_ns,
				uint16_t *flags)
{
	if (p->hw_ts && (m->ol_flags & p->ts_flag)) {
		*flags = IIOT_RECF_TS_HW;
		return port_hw_ns(p, *RTE_MBUF_DYNFIELD(m, p->ts_off,
						rte_mbuf_timestamp_t *));
	}
	*flags = 0;
	return sw_ns;
}

/* The slow path, when a burst does not fit whole: frame by frame, drops. */
static void write_each(struct worker *w, const struct port *p,
		       struct rte_mbuf **keep, uint16_t n, uint64_t sw_ns,
		       struct burst_count *bc)
{
	uint32_t snap = shm_ring_snap_len(w->ring);
	uint16_t i, flags;

	for (i = 0; i < n; i++) {
		struct rte_mbuf *m = keep[i];
		uint32_t len = rte_pktmbuf_pkt_len(m);
		uint64_t ts = frame_ts(p, m, sw_ns, &flags);
		uint8_t *dst = shm_prod_reserve(w->ring, len, len, ts,
						p->ifindex, flags);

		if (!dst) {
			bc->drops++;
			continue;
		}
		copy_chain(dst, m, shm_span_cap(snap, len));
		bc->written++;
		bc->bytes += shm_span_cap(snap, len);
	}
}

/* Lay the kept frames into their span, back to back. */
static void write_span(const struct port *p, struct rte_mbuf **keep,
		       uint16_t n, uint64_t sw_ns, struct shm_span *span)
{
	/* a local copy the compiler can keep in registers */
	struct shm_span s = *span;
	uint16_t i, flags;

	for (i = 0; i < n; i++) {
		struct rte_mbuf *m = keep[i];
		uint32_t len = rte_pktmbuf_pkt_len(m);
		uint32_t cap = shm_span_cap(s.snap_len, len);
		uint64_t ts = frame_ts(p, m, sw_ns, &flags);

		copy_frame(shm_span_frame(&s, len, ts, p->ifindex, flags), m,
			   cap);
		shm_span_seal(&s, cap);
	}
	*span = s;
}

/*
 * Filter the burst, then claim ring room for all it keeps at once and lay
 * the records back to back: one check of the consumer's position and one
 * round of cache-line ownership requests per burst instead of per frame.
 */
static void handle_burst(const struct app *a, struct worker *w,
			 const struct port *p, struct rte_mbuf **bufs,
			 uint16_t n, uint64_t sw_ns, struct burst_count *bc)
{
	uint32_t snap = shm_ring_snap_len(w->ring);
	struct rte_mbuf *keep[DPDK_MAX_BURST];
	struct shm_span_tally t = { 0 }, tl = { 0 };
	struct shm_span span;
	uint16_t i;

	for (i = 0; i < n; i++) {
		struct rte_mbuf *m = bufs[i];

		/* a NIC's DMA leaves frames outside this core's caches */
		if (i + 1 < n)
			rte_prefetch0(rte_pktmbuf_mtod(bufs[i + 1], void *));
		keep[tl.records] = m;
		if (filter_keep(&a->filter, rte_pktmbuf_mtod(m, uint8_t *),
				m->data_len))
			shm_span_tally(&tl, snap, rte_pktmbuf_pkt_len(m));
	}
	/* tl never has its address taken: it lives in registers */
	t = tl;
	bc->matched += t.records;
	if (!t.records)
		return;
	if (!shm_prod_span(w->ring, &t, &span)) {
		write_each(w, p, keep, (uint16_t)t.records, sw_ns, bc);
		return;
	}
	write_span(p, keep, (uint16_t)t.records, sw_ns, &span);
	shm_prod_span_end(w->ring, &span, &t);
	bc->written += t.records;
	bc->bytes += t.bytes;
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
	struct sw_clock clk = {
		.ns_mult = (1000000000ULL << 32) / a->tsc_hz,
	};
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
		uint64_t got = 0, sw_ns = 0, stamp_tsc = 0;

		for (i = 0; i < w->nb_pairs; i++) {
			struct port *p = &a->ports[w->pairs[i].port];
			uint16_t n = rte_eth_rx_burst(p->id, w->pairs[i].queue,
						      bufs,
						      (uint16_t)a->opt.burst);

			if (!n)
				continue;
			/* one stamp per burst: frames in it came together */
			if (!got) {
				stamp_tsc = rte_rdtsc();
				sw_ns = clock_ns(&clk, stamp_tsc);
			}
			got += n;
			handle_burst(a, w, p, bufs, n, sw_ns, &bc);
			rte_pktmbuf_free_bulk(bufs, n);
		}
		if (got) {
			/* the tick's commit refreshes the heartbeat */
			if (bc.written)
				shm_prod_publish(w->ring);
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
		/* the burst's stamp is recent enough to tell the tick */
		now = got ? stamp_tsc : rte_rdtsc();
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
