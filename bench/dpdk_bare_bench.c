/*
 * The peers of iiot-dpdk in bench/dpdk.bench, on the same port for a fixed
 * time:
 *
 *   bare     rte_eth_rx_burst + free, nothing else.  What iiot-dpdk loses
 *            against it is the cost of filtering, stamping and copying
 *            into the ring.
 *   handoff  rte_eth_rx_burst, then the mbufs through an rte_ring to a
 *            second lcore that reads each frame's first line and frees it:
 *            DPDK's own way of getting frames to a consumer on another
 *            core, the job iiot-dpdk's ring does.  Needs two lcores.
 *
 *   dpdk_bare_bench [EAL options] -- SECONDS [bare|handoff]
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#include "dpdk_pool.h"

#define BURST 32

static uint64_t thread_cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static volatile int handoff_done;
static uint64_t handoff_sum;

/* The consumer lcore: read what a decoder reads first, then free. */
static int handoff_worker(void *arg)
{
	struct rte_ring *ring = arg;
	struct rte_mbuf *bufs[BURST];
	uint64_t sum = 0;
	unsigned int k, i;

	while (!handoff_done || !rte_ring_empty(ring)) {
		k = rte_ring_dequeue_burst(ring, (void **)bufs, BURST, NULL);
		for (i = 0; i < k; i++)
			sum += rte_pktmbuf_pkt_len(bufs[i]) +
			       rte_pktmbuf_mtod(bufs[i], const uint8_t *)[12];
		rte_pktmbuf_free_bulk(bufs, k);
	}
	handoff_sum = sum;
	return 0;
}

/* Poll for SECS; every frame is freed here (bare) or handed over. */
static uint64_t poll_port(double secs, struct rte_ring *ring,
			  uint64_t *ns, uint64_t *cpu_ns, uint64_t *dropped)
{
	struct rte_mbuf *bufs[BURST];
	uint64_t n = 0, t0, t1, end, cpu = thread_cpu_ns();

	t0 = rte_rdtsc();
	end = t0 + (uint64_t)(secs * (double)rte_get_tsc_hz());
	do {
		/* check the clock once per 64 bursts, as iiot-dpdk ticks */
		for (int i = 0; i < 64; i++) {
			uint16_t k = rte_eth_rx_burst(0, 0, bufs, BURST);
			unsigned int q = 0;

			if (ring)
				q = rte_ring_enqueue_burst(ring, (void **)bufs,
							   k, NULL);
			/* a full ring drops, as iiot-dpdk's does */
			rte_pktmbuf_free_bulk(bufs + q, k - q);
			if (ring)
				*dropped += k - q;
			n += ring ? q : k;
		}
		t1 = rte_rdtsc();
	} while (t1 < end);
	*cpu_ns = thread_cpu_ns() - cpu;
	*ns = (uint64_t)((double)(t1 - t0) * 1e9 / (double)rte_get_tsc_hz());
	return n;
}

int main(int argc, char **argv)
{
	struct rte_eth_conf conf = { 0 };
	struct rte_ring *ring = NULL;
	struct rte_mempool *pool;
	uint64_t n, ns, cpu, dropped = 0;
	const char *mode;
	unsigned int worker;
	double secs;
	int ret;

	ret = rte_eal_init(argc, argv);
	if (ret < 0) {
		fprintf(stderr, "dpdk_bare_bench: EAL: %s\n",
			rte_strerror(rte_errno));
		return 1;
	}
	argc -= ret;
	argv += ret;
	secs = argc > 1 ? atof(argv[1]) : 3.0;
	mode = argc > 2 ? argv[2] : "bare";
	if (!rte_eth_dev_is_valid_port(0)) {
		fprintf(stderr, "dpdk_bare_bench: no port 0 (--vdev)\n");
		return 1;
	}
	pool = rte_pktmbuf_pool_create("bare", 16383, 256, 0,
				       RTE_MBUF_DEFAULT_BUF_SIZE,
				       (int)rte_socket_id());
	if (pool)
		pool_fault_in(pool);	/* as iiot-dpdk does, before timing */
	if (!pool ||
	    rte_eth_dev_configure(0, 1, 1, &conf) ||
	    rte_eth_rx_queue_setup(0, 0, 1024, rte_eth_dev_socket_id(0), NULL,
				   pool) ||
	    rte_eth_tx_queue_setup(0, 0, 64, rte_eth_dev_socket_id(0), NULL) ||
	    rte_eth_dev_start(0)) {
		fprintf(stderr, "dpdk_bare_bench: port setup failed\n");
		return 1;
	}
	if (!strcmp(mode, "handoff")) {
		worker = rte_get_next_lcore(-1, 1, 0);
		ring = rte_ring_create("handoff", 8192, (int)rte_socket_id(),
				       RING_F_SP_ENQ | RING_F_SC_DEQ);
		if (worker >= RTE_MAX_LCORE || !ring) {
			fprintf(stderr, "dpdk_bare_bench: handoff needs two "
				"lcores (-l 0,1)\n");
			return 1;
		}
		rte_eal_remote_launch(handoff_worker, ring, worker);
	}
	n = poll_port(secs, ring, &ns, &cpu, &dropped);
	if (ring) {
		handoff_done = 1;
		rte_eal_mp_wait_lcore();
	}
	printf("{\"bench\":\"%s\",\"frames\":%llu,\"dropped\":%llu,"
	       "\"ns\":%llu,\"per_s\":%.0f,\"cpu_ns\":%llu,"
	       "\"per_cpu_s\":%.0f}\n", mode, (unsigned long long)n,
	       (unsigned long long)dropped, (unsigned long long)ns,
	       (double)n * 1e9 / (double)ns, (unsigned long long)cpu,
	       (double)n * 1e9 / (double)cpu);
	rte_eth_dev_stop(0);
	rte_eth_dev_close(0);
	rte_ring_free(ring);
	rte_mempool_free(pool);
	rte_eal_cleanup();
	return 0;
}
