/*
 * DPDK rte_ring benchmark, the peer of ring_shm_bench: 64-byte frames in
 * buffers from a mempool, passed by pointer through a single-producer
 * single-consumer rte_ring from the main lcore to a worker lcore, which
 * checks order and checksum like the libshm consumer and frees them.
 *
 *   ring_rte_bench [EAL options] -- [RECORDS] [RING_ENTRIES]
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_mempool.h>
#include <rte_pause.h>
#include <rte_ring.h>

#include "ring_bench.h"

static struct rte_ring *ring;
static struct rte_mempool *pool;
static uint64_t nrec;
static uint64_t got_sum;
static int got_order = 1;

static int consume(void *arg)
{
	void *bufs[RB_BURST];
	uint64_t n = 0, sum = 0;
	unsigned int i, k;

	(void)arg;
	while (n < nrec) {
		k = rte_ring_sc_dequeue_burst(ring, bufs, RB_BURST, NULL);
		if (!k) {
			rte_pause();
			continue;
		}
		for (i = 0; i < k; i++, n++)
			if (!rb_check(bufs[i], n, &sum))
				got_order = 0;
		rte_mempool_put_bulk(pool, bufs, k);
	}
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
		while (rte_mempool_get_bulk(pool, bufs, k))
			rte_pause();
		for (i = 0; i < k; i++)
			rb_fill(bufs[i], seq + i);
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
	worker = rte_get_next_lcore(-1, 1, 0);
	if (worker >= RTE_MAX_LCORE) {
		fprintf(stderr, "ring_rte_bench: needs two lcores (-l 0-1)\n");
		return 1;
	}
	ring = rte_ring_create("rb_ring", entries, (int)rte_socket_id(),
			       RING_F_SP_ENQ | RING_F_SC_DEQ);
	/* enough buffers to fill the ring and both lcores' caches */
	pool = rte_mempool_create("rb_pool", entries * 2 - 1, RB_FRAME, 256, 0,
				  NULL, NULL, NULL, NULL,
				  (int)rte_socket_id(), 0);
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
	rb_report("rte_ring", nrec, t1 - t0, got_sum == rb_expected(nrec),
		  got_order);
	rte_ring_free(ring);
	rte_mempool_free(pool);
	rte_eal_cleanup();
	return 0;
}
