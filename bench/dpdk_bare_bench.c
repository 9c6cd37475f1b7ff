/*
 * The peer of iiot-dpdk in bench/dpdk.bench: the same port polled by a bare
 * rte_eth_rx_burst + free loop, nothing else, for a fixed time.  What
 * iiot-dpdk loses against it is the cost of filtering, stamping and
 * copying into the ring.
 *
 *   dpdk_bare_bench [EAL options] -- SECONDS
 */
#include <stdlib.h>
#include <time.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>

#define BURST 32

static uint64_t thread_cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* As iiot-dpdk does: fault the pool's data rooms in before timing. */
static void touch_mbuf(struct rte_mempool *mp, void *arg, void *obj,
		       unsigned int idx)
{
	struct rte_mbuf *m = obj;
	volatile uint8_t *p = m->buf_addr;
	uint32_t off;

	(void)mp;
	(void)arg;
	(void)idx;
	for (off = 0; off < m->buf_len; off += 4096)
		p[off] = 0;
	p[m->buf_len - 1] = 0;
}

int main(int argc, char **argv)
{
	struct rte_eth_conf conf = { 0 };
	struct rte_mbuf *bufs[BURST];
	struct rte_mempool *pool;
	uint64_t n = 0, t0, t1, end, cpu;
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
	if (!rte_eth_dev_is_valid_port(0)) {
		fprintf(stderr, "dpdk_bare_bench: no port 0 (--vdev)\n");
		return 1;
	}
	pool = rte_pktmbuf_pool_create("bare", 16383, 256, 0,
				       RTE_MBUF_DEFAULT_BUF_SIZE,
				       (int)rte_socket_id());
	if (pool)
		rte_mempool_obj_iter(pool, touch_mbuf, NULL);
	if (!pool ||
	    rte_eth_dev_configure(0, 1, 1, &conf) ||
	    rte_eth_rx_queue_setup(0, 0, 1024, rte_eth_dev_socket_id(0), NULL,
				   pool) ||
	    rte_eth_tx_queue_setup(0, 0, 64, rte_eth_dev_socket_id(0), NULL) ||
	    rte_eth_dev_start(0)) {
		fprintf(stderr, "dpdk_bare_bench: port setup failed\n");
		return 1;
	}
	cpu = thread_cpu_ns();
	t0 = rte_rdtsc();
	end = t0 + (uint64_t)(secs * (double)rte_get_tsc_hz());
	do {
		/* check the clock once per 64 bursts, as iiot-dpdk ticks */
		for (int i = 0; i < 64; i++) {
			uint16_t k = rte_eth_rx_burst(0, 0, bufs, BURST);

			rte_pktmbuf_free_bulk(bufs, k);
			n += k;
		}
		t1 = rte_rdtsc();
	} while (t1 < end);
	cpu = thread_cpu_ns() - cpu;
	printf("{\"bench\":\"bare\",\"frames\":%llu,\"ns\":%.0f,\"per_s\":%.0f,"
	       "\"cpu_ns\":%llu,\"per_cpu_s\":%.0f}\n",
	       (unsigned long long)n,
	       (double)(t1 - t0) * 1e9 / (double)rte_get_tsc_hz(),
	       (double)n * (double)rte_get_tsc_hz() / (double)(t1 - t0),
	       (unsigned long long)cpu, (double)n * 1e9 / (double)cpu);
	rte_eth_dev_stop(0);
	rte_eth_dev_close(0);
	rte_mempool_free(pool);
	rte_eal_cleanup();
	return 0;
}
