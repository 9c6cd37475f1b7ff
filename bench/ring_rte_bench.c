/*
 * DPDK rte_ring benchmark, the peer of ring_shm_bench: 64-byte frames
 * passed by pointer through a single-producer single-consumer rte_ring
 * from the main lcore to a worker lcore, which checks order and checksum
 * like the libshm consumer and frees them.  The frames travel as DPDK
 * moves frames, in mbufs (length and port set, like a libshm record
 * header), or, with "raw", as bare 64-byte mempool buffers without any
 * metadata (the lightest thing rte_ring can carry).
 *
 *   ring_rte_bench [EAL options] -- [RECORDS] [RING_ENTRIES] [mbuf|raw]
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>
#include <rte_pause.h>
#include <rte_ring.h>

#include "ring_bench.h"

static struct rte_ring *ring;
static struct rte_mempool *pool;
static uint64_t nrec;
static uint64_t got_sum;
static int got_order = 1;
static int raw;

static const uint8_t *frame_of(void *buf, uint64_t *n_bad)
{
	struct rte_mbuf *m = buf;

	if (raw)
		return buf;
	if (m->pkt_len != RB_FRAME || m->data_len != RB_FRAME)
		(*n_bad)++;
	return rte_pktmbuf_mtod(m, const uint8_t *);
}

static uint8_t *fill_of(void *buf)
{
	struct rte_mbuf *m = buf;

	if (raw)
		return buf;
	m->data_len = RB_FRAME;
	m->pkt_len = RB_FRAME;
	m->port = 0;
	return rte_pktmbuf_mtod(m, uint8_t *);
}

static int consume(void *arg)
{
	void *bufs[RB_BURST];
	uint64_t n = 0, sum = 0, bad = 0;
	unsigned int i, k;

	(void)arg;
	while (n < nrec) {
		k = rte_ring_sc_dequeue_burst(ring, bufs, RB_BURST, NULL);
		if (!k) {
			rte_pause();
			continue;
		}
		for (i = 0; i < k; i++, n++)
			if (!rb_check(frame_of(bufs[i], &bad), n, &sum))
				got_order = 0;
		if (raw)
			rte_mempool_put_bulk(pool, bufs, k);
		else
			rte_pktmbuf_free_bulk((struct rte_mbuf **)bufs, k);
	}
	if (bad)
		got_order = 0;
	got_sum = sum;
	return 0;
}

static int produce(void)
{
	void *bufs[RB_BURST];
	uint64_t seq = 0;
	unsigned int i, k, sent;

	while (seq < nrec) {
		k = nrec - seq < RB_BURST ? (unsigned int)(nrec - seq) :
					    RB_BURST;
		while (raw ? rte_mempool_get_bulk(pool, bufs, k) :
		       rte_pktmbuf_alloc_bulk(pool, (struct rte_mbuf **)bufs,
					      k))
			rte_pause();
		for (i = 0; i < k; i++)
			rb_fill(fill_of(bufs[i]), seq + i);
		sent = 0;
		while (sent < k)
			sent += rte_ring_sp_enqueue_burst(ring, bufs + sent,
							  k - sent, NULL);
		seq += k;
	}
	return 0;
}

int main(int argc, char **argv)
{
	unsigned int entries = 16384, worker;
	uint64_t t0, t1;
	int ret;

	ret = rte_eal_init(argc, argv);
	if (ret < 0) {
		fprintf(stderr, "ring_rte_bench: EAL: %s\n",
			rte_strerror(rte_errno));
		return 1;
	}
	argc -= ret;
	argv += ret;
	nrec = argc > 1 ? strtoull(argv[1], NULL, 0) : 50000000ULL;
	if (argc > 2)
		entries = (unsigned int)strtoul(argv[2], NULL, 0);
	raw = argc > 3 && !strcmp(argv[3], "raw");
	worker = rte_get_next_lcore(-1, 1, 0);
	if (worker >= RTE_MAX_LCORE) {
		fprintf(stderr, "ring_rte_bench: needs two lcores (-l 0-1)\n");
		return 1;
	}
	ring = rte_ring_create("rb_ring", entries, (int)rte_socket_id(),
			       RING_F_SP_ENQ | RING_F_SC_DEQ);
	/* enough buffers to fill the ring and both lcores' caches */
	if (raw)
		pool = rte_mempool_create("rb_pool", entries * 2 - 1, RB_FRAME,
					  256, 0, NULL, NULL, NULL, NULL,
					  (int)rte_socket_id(), 0);
	else
		pool = rte_pktmbuf_pool_create("rb_pool", entries * 2 - 1, 256,
					       0, RTE_PKTMBUF_HEADROOM +
					       RB_FRAME, (int)rte_socket_id());
	if (!ring || !pool) {
		fprintf(stderr, "ring_rte_bench: cannot create ring or pool: "
			"%s\n", rte_strerror(rte_errno));
		return 1;
	}
	t0 = rb_now_ns();
	rte_eal_remote_launch(consume, NULL, worker);
	produce();
	rte_eal_wait_lcore(worker);
	t1 = rb_now_ns();
	rb_report(raw ? "rte_ring_raw" : "rte_ring", nrec, t1 - t0, got_sum == rb_expected(nrec),
		  got_order);
	rte_ring_free(ring);
	rte_mempool_free(pool);
	rte_eal_cleanup();
	return 0;
}
