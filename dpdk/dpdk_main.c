/*
 * iiot-dpdk: a DPDK capture helper for lines where a NIC is given to DPDK.
 * It polls RX queues in a burst loop and writes the industrial frames into
 * libshm rings that iiotd drains like any other producer's.
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_launch.h>

#include "iiot_dpdk.h"

volatile sig_atomic_t dpdk_quit;
volatile sig_atomic_t dpdk_dump;

static struct app the_app;

struct app *app_get(void)
{
	return &the_app;
}

static void on_signal(int sig)
{
	if (sig == SIGUSR1)
		dpdk_dump = 1;
	else
		dpdk_quit = 1;
}

static int install_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGINT, &sa, NULL) || sigaction(SIGTERM, &sa, NULL) ||
	    sigaction(SIGUSR1, &sa, NULL))
		return -errno;
	return 0;
}

/* Spread every (port, queue) over the lcores, main lcore first. */
static int assign_workers(struct app *a)
{
	unsigned int lcores[RTE_MAX_LCORE], nl = 0, np = 0, i, lc, q;

	lcores[nl++] = rte_get_main_lcore();
	RTE_LCORE_FOREACH_WORKER(lc)
		lcores[nl++] = lc;
	for (i = 0; i < a->nb_ports; i++)
		np += a->ports[i].nb_queues;
	a->nb_workers = np < nl ? np : nl;
	if (a->opt.nb_rings > 1 && a->opt.nb_rings != a->nb_workers) {
		fprintf(stderr, "iiot-dpdk: %u rings given but %u lcore%s "
			"poll%s: give one ring per polling lcore, or one name "
			"(then NAME.1, NAME.2 ... are used)\n",
			a->opt.nb_rings, a->nb_workers,
			a->nb_workers == 1 ? "" : "s",
			a->nb_workers == 1 ? "s" : "");
		return -EINVAL;
	}
	for (i = 0; i < a->nb_workers; i++)
		a->workers[i].lcore = lcores[i];
	np = 0;
	for (i = 0; i < a->nb_ports; i++) {
		for (q = 0; q < a->ports[i].nb_queues; q++, np++) {
			struct worker *w = &a->workers[np % a->nb_workers];

			w->pairs[w->nb_pairs].port = (uint16_t)i;
			w->pairs[w->nb_pairs].queue = (uint16_t)q;
			w->nb_pairs++;
			if (!q)
				a->ports[i].owner = (int)(np % a->nb_workers);
		}
	}
	return 0;
}

static int open_rings(struct app *a)
{
	struct shm_ring_opts ro;
	unsigned int i;
	int err;

	for (i = 0; i < a->nb_workers; i++) {
		struct worker *w = &a->workers[i];

		if (a->opt.nb_rings > 1 || i == 0)
			snprintf(w->ring_name, sizeof(w->ring_name), "%s",
				 a->opt.rings[a->opt.nb_rings > 1 ? i : 0]);
		else
			snprintf(w->ring_name, sizeof(w->ring_name), "%s.%u",
				 a->opt.rings[0], i);
		memset(&ro, 0, sizeof(ro));
		ro.data_size = a->opt.ring_size;
		ro.snap_len = a->opt.snap_len;
		ro.ifindex = a->ports[w->pairs[0].port].ifindex;
		ro.source = IIOT_SRC_DPDK;
		err = shm_prod_create(&w->ring, w->ring_name, &ro);
		if (err) {
			fprintf(stderr, "iiot-dpdk: ring %s: %s\n", w->ring_name,
				shm_error());
			return err;
		}
	}
	return 0;
}

static void close_rings(struct app *a)
{
	unsigned int i;

	for (i = 0; i < a->nb_workers; i++) {
		if (!a->workers[i].ring)
			continue;
		/* closed, not removed: iiotd still drains what is left */
		shm_ring_close(a->workers[i].ring, false);
		a->workers[i].ring = NULL;
	}
}

static uint64_t real_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static void print_setup(const struct app *a)
{
	unsigned int i;

	for (i = 0; i < a->nb_workers; i++) {
		const struct worker *w = &a->workers[i];

		fprintf(stderr, "iiot-dpdk: lcore %u polls %u queue%s into ring "
			"%s\n", w->lcore, w->nb_pairs,
			w->nb_pairs == 1 ? "" : "s", w->ring_name);
	}
	for (i = 0; i < a->nb_ports; i++)
		fprintf(stderr, "iiot-dpdk: port %u (%s): %u queue%s, %s "
			"timestamps\n", a->ports[i].id, a->ports[i].name,
			a->ports[i].nb_queues,
			a->ports[i].nb_queues == 1 ? "" : "s",
			a->ports[i].hw_ts ? "NIC" : "TSC");
}

static int run(struct app *a)
{
	unsigned int i;
	int err;

	err = ports_setup(a);
	if (err)
		return err;
	err = assign_workers(a);
	if (err)
		return err;
	err = open_rings(a);
	if (err)
		return err;
	if (a->opt.stats_file && (err = stats_file_write(a))) {
		fprintf(stderr, "iiot-dpdk: cannot write stats file %s: %s\n",
			a->opt.stats_file, strerror(-err));
		return err;
	}
	print_setup(a);
	a->start_ns = real_ns();
	a->start_tsc = rte_rdtsc();
	rte_eal_mp_remote_launch(worker_loop, NULL, CALL_MAIN);
	rte_eal_mp_wait_lcore();
	a->stop_ns = real_ns();
	/* the lcores are done: their rings and counters are ours now */
	for (i = 0; i < a->nb_ports; i++) {
		struct port *p = &a->ports[i];

		port_read_stats(a, p, p->owner >= 0 ?
				&a->workers[p->owner] : NULL);
	}
	close_rings(a);
	stats_json(a, stdout);
	fflush(stdout);
	if (a->opt.stats_file)
		stats_file_write(a);
	return 0;
}

int main(int argc, char **argv)
{
	struct app *a = &the_app;
	char *own[argc + 1];
	int eal_argc = 1, own_argc = 0, i, ret;

	/* EAL arguments before "--", ours after it */
	for (i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--"))
			break;
	if (i < argc)
		eal_argc = i;
	else
		i = 0;
	own[own_argc++] = argv[0];
	for (i = i + 1; i < argc; i++)
		own[own_argc++] = argv[i];
	own[own_argc] = NULL;
	if (parse_options(&a->opt, own_argc, own))
		return 2;
	filter_build(&a->filter, &a->opt);
	if (check_eal_args(eal_argc, argv))
		return 2;
	optind = 0;	/* the EAL parses with getopt too: start afresh */
	ret = rte_eal_init(eal_argc, argv);
	if (ret < 0) {
		explain_eal_failure(eal_argc, argv, rte_errno);
		return 1;
	}
	if (install_signals()) {
		fprintf(stderr, "iiot-dpdk: cannot install signal handlers\n");
		rte_eal_cleanup();
		return 1;
	}
	a->tsc_hz = rte_get_tsc_hz();
	ret = run(a);
	close_rings(a);
	ports_teardown(a);
	rte_eal_cleanup();
	return ret ? 1 : 0;
}
