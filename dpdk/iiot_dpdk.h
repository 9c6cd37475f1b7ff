/*
 * iiot-dpdk: capture industrial frames from DPDK ports into libshm rings.
 *
 *   dpdk_args.c   iiot-dpdk's own options and the checks made before EAL
 *   dpdk_port.c   port and queue setup, NIC timestamps, teardown
 *   dpdk_rx.c     the burst loop of one lcore: filter, stamp, copy
 *   dpdk_filter.c the ethertype filter
 *   dpdk_pool.c   mbuf pool helpers, shared with bench/dpdk_bare_bench
 *   dpdk_stats.c  counters as JSON (stats file, SIGUSR1, exit)
 *   dpdk_main.c   EAL, rings, lcores, signals, shutdown
 */
#ifndef IIOT_DPDK_H
#define IIOT_DPDK_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <rte_ethdev.h>
#include <rte_lcore.h>

#include "dpdk_filter.h"
#include "libshm.h"

#define DPDK_MAX_PORTS		16
#define DPDK_MAX_QUEUES		16
#define DPDK_MAX_PAIRS		(DPDK_MAX_PORTS * DPDK_MAX_QUEUES)
#define DPDK_MAX_RINGS		RTE_MAX_LCORE
#define DPDK_MAX_ETYPES		16
#define DPDK_MAX_BURST		512
#define DPDK_DEFAULT_BURST	32

/* One --port option: a port by id or device name, and its RX queues. */
struct port_opt {
	char spec[64];		/* as given: "0" or "net_pcap0" */
	uint16_t nb_queues;	/* queues 0..nb_queues-1 are polled */
};

struct options {
	struct port_opt ports[DPDK_MAX_PORTS];
	unsigned int nb_ports;
	const char *rings[DPDK_MAX_RINGS];
	unsigned int nb_rings;
	uint64_t ring_size;		/* 0: libshm's default */
	uint32_t snap_len;		/* 0: libshm's default */
	uint16_t etypes[DPDK_MAX_ETYPES];
	unsigned int nb_etypes;
	bool pnio_cm;			/* IPv4 UDP port 34964 too */
	bool filter_set;		/* --ethertype given */
	bool all;			/* no filter */
	bool no_hw_ts;
	unsigned int burst;
	unsigned int nb_mbufs;
	unsigned int rx_desc;
	double stats_interval;		/* seconds, 0: off */
	const char *stats_file;
	double duration;		/* seconds, 0: until signalled */
	unsigned int idle_us;		/* sleep after idle rounds, 0: spin */
};

/* A configured port. */
struct port {
	uint16_t id;
	char name[RTE_ETH_NAME_MAX_LEN];
	uint16_t nb_queues;
	uint32_t ifindex;		/* kernel ifindex, or the port id */
	bool started;
	bool hw_ts;			/* NIC stamps frames */
	uint64_t ts_flag;		/* mbuf ol_flags bit of a NIC stamp */
	int ts_off;			/* mbuf dynfield of the NIC stamp */
	double ns_per_tick;		/* NIC clock → ns */
	uint64_t clk_anchor;		/* NIC clock at real_anchor */
	uint64_t real_anchor;		/* CLOCK_REALTIME ns */
	int owner;			/* worker that accounts NIC drops */
	/* last totals read from the NIC, by the owner (relaxed atomics) */
	uint64_t ipackets, ibytes, imissed, ierrors, nombuf;
	uint64_t missed_seen;		/* imissed + nombuf already in ring */
};

/* What one lcore polls, where it writes, and what it counted. */
struct worker {
	unsigned int lcore;
	struct shm_ring *ring;
	char ring_name[64];
	struct { uint16_t port, queue; } pairs[DPDK_MAX_PAIRS];
	unsigned int nb_pairs;
	/* counters: written by this worker only, read with relaxed loads */
	uint64_t received;		/* frames from rx_burst */
	uint64_t matched;		/* passed the filter */
	uint64_t written;		/* into the ring */
	uint64_t ring_drops;		/* ring full */
	uint64_t nic_drops;		/* NIC misses added to the ring */
	uint64_t bytes;			/* frame bytes written */
	uint64_t cpu_ns;		/* CPU time of this lcore's loop */
} __rte_cache_aligned;

struct app {
	struct options opt;
	struct etype_filter filter;
	struct port ports[DPDK_MAX_PORTS];
	unsigned int nb_ports;
	struct worker workers[DPDK_MAX_RINGS];
	unsigned int nb_workers;
	struct rte_mempool *pool;
	uint64_t tsc_hz;
	uint64_t start_ns, stop_ns;	/* CLOCK_REALTIME of the loop */
	uint64_t start_tsc;
};

extern volatile sig_atomic_t dpdk_quit;
extern volatile sig_atomic_t dpdk_dump;

/* dpdk_args.c */
void usage(FILE *f);
int parse_options(struct options *o, int argc, char **argv);
int check_eal_args(int argc, char **argv);
void explain_eal_failure(int argc, char **argv, int err);

/* dpdk_port.c */
int ports_setup(struct app *a);
void ports_teardown(struct app *a);
void port_read_stats(struct app *a, struct port *p, struct worker *w);
uint64_t port_hw_ns(const struct port *p, uint64_t clk);

/* dpdk_rx.c */
int worker_loop(void *arg);

/* dpdk_stats.c */
void stats_json(struct app *a, FILE *f);
int stats_file_write(struct app *a);

struct app *app_get(void);

#endif /* IIOT_DPDK_H */
