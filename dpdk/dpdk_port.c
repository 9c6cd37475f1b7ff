/* Port and queue setup, NIC timestamps, counters and teardown. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <rte_cycles.h>
#include <rte_mbuf.h>
#include <rte_mbuf_dyn.h>

#include "dpdk_pool.h"
#include "iiot_dpdk.h"

#define LOAD(p)		__atomic_load_n((p), __ATOMIC_RELAXED)
#define STORE(p, v)	__atomic_store_n((p), (v), __ATOMIC_RELAXED)

static uint64_t real_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static void list_ports(void)
{
	char name[RTE_ETH_NAME_MAX_LEN];
	uint16_t id;
	unsigned int n = 0;

	RTE_ETH_FOREACH_DEV(id) {
		if (rte_eth_dev_get_name_by_port(id, name))
			continue;
		fprintf(stderr, "%s  port %u: %s\n", n++ ? "" :
			"iiot-dpdk: ports available:\n", id, name);
	}
	if (!n)
		fprintf(stderr, "iiot-dpdk: no port is available: bind a NIC to "
			"vfio-pci (dpdk-devbind.py, see docs/dpdk.md) or add a "
			"virtual one with --vdev before '--'\n");
}

static int resolve_port(const char *spec, uint16_t *id)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(spec, &end, 10);
	if (*spec && !*end && !errno) {
		if (v < RTE_MAX_ETHPORTS &&
		    rte_eth_dev_is_valid_port((uint16_t)v)) {
			*id = (uint16_t)v;
			return 0;
		}
	} else if (!rte_eth_dev_get_port_by_name(spec, id)) {
		return 0;
	}
	fprintf(stderr, "iiot-dpdk: port %s does not exist\n", spec);
	list_ports();
	return -ENODEV;
}

/*
 * A NIC stamps frames in its own clock; learn its rate and offset against
 * CLOCK_REALTIME from two readings, as rte_eth_read_clock() suggests.
 */
static int calibrate_nic_clock(struct port *p)
{
	uint64_t c0, c1, t0, t1;

	if (rte_eth_read_clock(p->id, &c0))
		return -ENOTSUP;
	t0 = real_ns();
	rte_delay_ms(20);
	if (rte_eth_read_clock(p->id, &c1))
		return -ENOTSUP;
	t1 = real_ns();
	if (c1 <= c0)
		return -ENOTSUP;
	p->ns_per_tick = (double)(t1 - t0) / (double)(c1 - c0);
	p->clk_anchor = c1;
	p->real_anchor = t1;
	return 0;
}

uint64_t port_hw_ns(const struct port *p, uint64_t clk)
{
	double d = (double)(int64_t)(clk - p->clk_anchor) * p->ns_per_tick;

	return p->real_anchor + (uint64_t)(int64_t)d;
}

static int setup_one(struct app *a, struct port *p, const struct port_opt *po)
{
	struct rte_eth_conf conf;
	struct rte_eth_dev_info info;
	uint16_t nb_rxd = (uint16_t)a->opt.rx_desc, nb_txd = 64, q;
	int ret;

	ret = rte_eth_dev_info_get(p->id, &info);
	if (ret) {
		fprintf(stderr, "iiot-dpdk: port %s: cannot read device info: "
			"%s\n", p->name, rte_strerror(-ret));
		return ret;
	}
	if (po->nb_queues > info.max_rx_queues) {
		fprintf(stderr, "iiot-dpdk: port %s has %u RX queue%s, not %u\n",
			p->name, info.max_rx_queues,
			info.max_rx_queues == 1 ? "" : "s", po->nb_queues);
		return -EINVAL;
	}
	p->nb_queues = po->nb_queues;
	p->ifindex = info.if_index ? info.if_index : p->id;
	memset(&conf, 0, sizeof(conf));
	if (p->nb_queues > 1) {
		conf.rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
		conf.rx_adv_conf.rss_conf.rss_hf =
			info.flow_type_rss_offloads & RTE_ETH_RSS_PROTO_MASK;
	}
	if (!a->opt.no_hw_ts &&
	    (info.rx_offload_capa & RTE_ETH_RX_OFFLOAD_TIMESTAMP)) {
		conf.rxmode.offloads |= RTE_ETH_RX_OFFLOAD_TIMESTAMP;
		p->hw_ts = true;
	}
	ret = rte_eth_dev_configure(p->id, p->nb_queues, 1, &conf);
	if (ret) {
		fprintf(stderr, "iiot-dpdk: port %s: configure failed: %s\n",
			p->name, rte_strerror(-ret));
		return ret;
	}
	ret = rte_eth_dev_adjust_nb_rx_tx_desc(p->id, &nb_rxd, &nb_txd);
	if (ret)
		return ret;
	for (q = 0; q < p->nb_queues; q++) {
		ret = rte_eth_rx_queue_setup(p->id, q, nb_rxd,
					     rte_eth_dev_socket_id(p->id), NULL,
					     a->pool);
		if (ret) {
			fprintf(stderr, "iiot-dpdk: port %s queue %u: setup "
				"failed: %s\n", p->name, q, rte_strerror(-ret));
			return ret;
		}
	}
	/* the helper never sends, but some drivers refuse to start without */
	ret = rte_eth_tx_queue_setup(p->id, 0, nb_txd,
				     rte_eth_dev_socket_id(p->id), NULL);
	if (ret) {
		fprintf(stderr, "iiot-dpdk: port %s: TX queue setup failed: "
			"%s\n", p->name, rte_strerror(-ret));
		return ret;
	}
	ret = rte_eth_dev_start(p->id);
	if (ret) {
		fprintf(stderr, "iiot-dpdk: port %s: start failed: %s\n",
			p->name, rte_strerror(-ret));
		return ret;
	}
	p->started = true;
	/* a mirror port carries other stations' frames: take them all */
	rte_eth_promiscuous_enable(p->id);
	rte_eth_allmulticast_enable(p->id);
	if (p->hw_ts) {
		if (rte_mbuf_dyn_rx_timestamp_register(&p->ts_off,
						       &p->ts_flag) ||
		    calibrate_nic_clock(p)) {
			fprintf(stderr, "iiot-dpdk: port %s: NIC timestamps "
				"unusable, stamping with the TSC\n", p->name);
			p->hw_ts = false;
		}
	}
	return 0;
}

int ports_setup(struct app *a)
{
	unsigned int i, j, need = 0;
	int ret;

	for (i = 0; i < a->opt.nb_ports; i++) {
		struct port *p = &a->ports[i];

		ret = resolve_port(a->opt.ports[i].spec, &p->id);
		if (ret)
			return ret;
		for (j = 0; j < i; j++) {
			if (a->ports[j].id == p->id) {
				fprintf(stderr, "iiot-dpdk: --port %s names "
					"port %u again\n",
					a->opt.ports[i].spec, p->id);
				return -EINVAL;
			}
		}
		rte_eth_dev_get_name_by_port(p->id, p->name);
		p->owner = -1;
		need += a->opt.ports[i].nb_queues * a->opt.rx_desc;
	}
	/* every descriptor holds an mbuf, plus bursts in flight per lcore */
	need += (a->opt.burst + 256) * rte_lcore_count() + 64;
	if (a->opt.nb_mbufs < need)
		a->opt.nb_mbufs = need;
	a->pool = rte_pktmbuf_pool_create("iiot_dpdk_rx", a->opt.nb_mbufs, 256,
					  0, RTE_MBUF_DEFAULT_BUF_SIZE,
					  (int)rte_socket_id());
	if (!a->pool) {
		fprintf(stderr, "iiot-dpdk: cannot create a pool of %u mbufs: "
			"%s (more memory: -m on --no-huge, or more hugepages)\n",
			a->opt.nb_mbufs, rte_strerror(rte_errno));
		return -ENOMEM;
	}
	pool_fault_in(a->pool);
	for (i = 0; i < a->opt.nb_ports; i++) {
		a->nb_ports = i + 1;	/* torn down even if half set up */
		ret = setup_one(a, &a->ports[i], &a->opt.ports[i]);
		if (ret)
			return ret;
	}
	return 0;
}

/*
 * The ring's NIC counters: the sums over the ports whose counters this
 * worker reads (their owner), so iiotctl and iiotd see them as the ring's.
 */
static void ring_set_nic(struct app *a, struct worker *w)
{
	struct shm_nic_counters nic = { 0 };
	unsigned int i;

	for (i = 0; i < a->nb_ports; i++) {
		const struct port *p = &a->ports[i];

		if (p->owner != (int)(w - a->workers))
			continue;
		nic.packets += LOAD(&p->ipackets);
		nic.missed += LOAD(&p->imissed);
		nic.errors += LOAD(&p->ierrors);
		nic.nombuf += LOAD(&p->nombuf);
	}
	shm_prod_set_nic(w->ring, &nic);
}

/*
 * Read the NIC's counters into the port and its owner's ring; what it
 * missed (no descriptor, no mbuf) never reached the ring, so it is also
 * added to the ring's own drop counter.
 */
void port_read_stats(struct app *a, struct port *p, struct worker *w)
{
	struct rte_eth_stats st;
	uint64_t missed;

	if (rte_eth_stats_get(p->id, &st))
		return;
	STORE(&p->ipackets, st.ipackets);
	STORE(&p->ibytes, st.ibytes);
	STORE(&p->imissed, st.imissed);
	STORE(&p->ierrors, st.ierrors);
	STORE(&p->nombuf, st.rx_nombuf);
	missed = st.imissed + st.rx_nombuf;
	if (missed > p->missed_seen) {
		if (w && w->ring) {
			shm_prod_add_drops(w->ring, missed - p->missed_seen, 0);
			STORE(&w->nic_drops,
			      LOAD(&w->nic_drops) + missed - p->missed_seen);
		}
		p->missed_seen = missed;
	}
	if (w && w->ring)
		ring_set_nic(a, w);
}

void ports_teardown(struct app *a)
{
	unsigned int i;
	int ret;

	for (i = 0; i < a->nb_ports; i++) {
		struct port *p = &a->ports[i];

		if (p->started) {
			ret = rte_eth_dev_stop(p->id);
			if (ret)
				fprintf(stderr, "iiot-dpdk: port %s: stop: %s\n",
					p->name, rte_strerror(-ret));
			p->started = false;
		}
		rte_eth_dev_close(p->id);
	}
	a->nb_ports = 0;
	if (a->pool) {
		rte_mempool_free(a->pool);
		a->pool = NULL;
	}
}
