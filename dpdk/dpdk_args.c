/* iiot-dpdk's own options, and the checks made before the EAL starts. */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <glob.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "iiot_dpdk.h"

void usage(FILE *f)
{
	fprintf(f,
"usage: iiot-dpdk [EAL options] -- --port P[:QUEUES] --ring NAME [options]\n"
"\n"
"EAL options (before --), for a test or a machine without hugepages:\n"
"  --no-huge -m 256 --no-pci --vdev=net_pcap0,rx_pcap=FILE -l 0\n"
"\n"
"iiot-dpdk options (after --):\n"
"  --port P[:QUEUES]     port id or device name; QUEUES like 0-3 or 0,1\n"
"                        (default 0), repeat for more ports\n"
"  --ring NAME           libshm ring (in " SHM_DIR " unless NAME has a /);\n"
"                        one per lcore: repeat, or NAME.1, NAME.2 are used\n"
"  --ring-size BYTES     ring data size, power of two (K/M/G suffix)\n"
"  --snaplen N           bytes kept per frame (default %u)\n"
"  --ethertype LIST      ethertypes to keep, also inside VLAN tags, and\n"
"                        pnio-cm for PROFINET's connect (IPv4 UDP port\n"
"                        34964); default " IIOT_FILTER_DEFAULT_TEXT ",\n"
"                        the fieldbus frames only: " IIOT_FILTER_NARROW_TEXT "\n"
"  --all                 keep every frame\n"
"  --no-hw-timestamp     stamp with the TSC even when the NIC could\n"
"  --burst N             frames per rx burst (default %u, max %u)\n"
"  --mbufs N             mbuf pool size (default 8191)\n"
"  --rx-desc N           RX descriptors per queue (default 1024)\n"
"  --stats-interval S    seconds between stats-file updates (default 1)\n"
"  --stats-file PATH     write counters as JSON there\n"
"  --duration S          stop after S seconds (default: SIGINT/SIGTERM)\n"
"  --idle-us N           sleep N us when every queue is empty (default 20,\n"
"                        0 spins)\n"
"  --help\n"
"\n"
"SIGUSR1 prints the counters as JSON on stdout; so does a clean exit.\n",
		IIOT_RING_DEFAULT_SNAP, DPDK_DEFAULT_BURST, DPDK_MAX_BURST);
}

static int bad(const char *fmt, const char *arg)
{
	fprintf(stderr, "iiot-dpdk: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\n");
	return -EINVAL;
}

static int parse_u64(const char *s, uint64_t *v, bool suffix)
{
	char *end;
	unsigned long long x;

	if (!s || !*s || *s == '-')
		return -EINVAL;
	errno = 0;
	x = strtoull(s, &end, 0);
	if (errno)
		return -EINVAL;
	if (suffix && *end) {
		unsigned int shift = 0;

		switch (toupper((unsigned char)*end)) {
		case 'K': shift = 10; break;
		case 'M': shift = 20; break;
		case 'G': shift = 30; break;
		default: return -EINVAL;
		}
		if (x > (~0ULL >> shift))
			return -EINVAL;
		x <<= shift;
		end++;
	}
	if (*end)
		return -EINVAL;
	*v = x;
	return 0;
}

static int parse_uint(const char *s, unsigned int min, unsigned int max,
		      unsigned int *v)
{
	uint64_t x;

	if (parse_u64(s, &x, false) || x < min || x > max)
		return -EINVAL;
	*v = (unsigned int)x;
	return 0;
}

static int parse_seconds(const char *s, double *v)
{
	char *end;
	double x;

	errno = 0;
	x = strtod(s, &end);
	if (errno || end == s || *end || x < 0 || x > 1e7)
		return -EINVAL;
	*v = x;
	return 0;
}

/*
 * "0-3" or "0,1,2,3": queues must be 0..n-1 without gaps, because the NIC
 * spreads frames over every queue it has and an unpolled one would lose
 * them without a trace.
 */
static int parse_queues(const char *s, uint16_t *nb)
{
	bool seen[DPDK_MAX_QUEUES] = { false };
	unsigned int lo, hi, q, n = 0;
	char buf[128], *tok, *save, *dash;

	if (strlen(s) >= sizeof(buf) || !*s)
		return -EINVAL;
	strcpy(buf, s);
	for (tok = strtok_r(buf, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		dash = strchr(tok, '-');
		if (dash)
			*dash = '\0';
		if (parse_uint(tok, 0, DPDK_MAX_QUEUES - 1, &lo))
			return -EINVAL;
		hi = lo;
		if (dash && parse_uint(dash + 1, lo, DPDK_MAX_QUEUES - 1, &hi))
			return -EINVAL;
		for (q = lo; q <= hi; q++)
			seen[q] = true;
	}
	while (n < DPDK_MAX_QUEUES && seen[n])
		n++;
	for (q = n; q < DPDK_MAX_QUEUES; q++)
		if (seen[q])
			return -ERANGE;
	*nb = (uint16_t)n;
	return 0;
}

static int add_port(struct options *o, const char *arg)
{
	struct port_opt *p;
	const char *colon = strrchr(arg, ':');
	size_t len = colon ? (size_t)(colon - arg) : strlen(arg);
	unsigned int i;
	uint16_t nq;
	int err;

	if (o->nb_ports == DPDK_MAX_PORTS)
		return bad("too many --port options (at most 16)", arg);
	p = &o->ports[o->nb_ports];
	/*
	 * A PCI name has colons of its own (0000:03:00.0): the tail is a
	 * queue list only after a port number, or when it reads as one.
	 */
	if (colon && strspn(arg, "0123456789") != len &&
	    parse_queues(colon + 1, &nq) == -EINVAL) {
		colon = NULL;
		len = strlen(arg);
	}
	if (!len || len >= sizeof(p->spec))
		return bad("--port %s: expected a port id or device name", arg);
	memcpy(p->spec, arg, len);
	p->spec[len] = '\0';
	p->nb_queues = 1;
	if (colon) {
		err = parse_queues(colon + 1, &p->nb_queues);
		if (err == -ERANGE)
			return bad("--port %s: queues must be 0..N-1 without gaps "
				   "(frames on an unpolled queue would be lost)",
				   arg);
		if (err)
			return bad("--port %s: bad queue list (like 0-3 or 0,1, "
				   "each below 16)", arg);
	}
	for (i = 0; i < o->nb_ports; i++)
		if (!strcmp(o->ports[i].spec, p->spec))
			return bad("--port %s given twice", p->spec);
	o->nb_ports++;
	return 0;
}

static int add_etypes(struct options *o, const char *arg)
{
	int cm, err;

	err = iiot_filter_parse(arg, o->etypes, DPDK_MAX_ETYPES, &o->nb_etypes,
				&cm);
	if (err == -E2BIG)
		return bad("--ethertype %s: at most 16 ethertypes", arg);
	if (err)
		return bad("--ethertype %s: each entry must be an ethertype "
			   "0x0600..0xffff, like 0x88a4, or "
			   IIOT_FILTER_PNIO_CM_NAME, arg);
	o->pnio_cm = cm;
	o->filter_set = true;
	return 0;
}

enum {
	OPT_PORT = 256, OPT_RING, OPT_RING_SIZE, OPT_SNAPLEN, OPT_ETYPE,
	OPT_ALL, OPT_NO_HW_TS, OPT_BURST, OPT_MBUFS, OPT_RX_DESC,
	OPT_STATS_INT, OPT_STATS_FILE, OPT_DURATION, OPT_IDLE, OPT_HELP,
};

static const struct option long_opts[] = {
	{ "port", required_argument, NULL, OPT_PORT },
	{ "ring", required_argument, NULL, OPT_RING },
	{ "ring-size", required_argument, NULL, OPT_RING_SIZE },
	{ "snaplen", required_argument, NULL, OPT_SNAPLEN },
	{ "ethertype", required_argument, NULL, OPT_ETYPE },
	{ "all", no_argument, NULL, OPT_ALL },
	{ "no-hw-timestamp", no_argument, NULL, OPT_NO_HW_TS },
	{ "burst", required_argument, NULL, OPT_BURST },
	{ "mbufs", required_argument, NULL, OPT_MBUFS },
	{ "rx-desc", required_argument, NULL, OPT_RX_DESC },
	{ "stats-interval", required_argument, NULL, OPT_STATS_INT },
	{ "stats-file", required_argument, NULL, OPT_STATS_FILE },
	{ "duration", required_argument, NULL, OPT_DURATION },
	{ "idle-us", required_argument, NULL, OPT_IDLE },
	{ "help", no_argument, NULL, OPT_HELP },
	{ NULL, 0, NULL, 0 },
};

/* Parse the options after "--"; argv[0] is the program name. */
int parse_options(struct options *o, int argc, char **argv)
{
	uint64_t v;
	int c, err;

	memset(o, 0, sizeof(*o));
	o->burst = DPDK_DEFAULT_BURST;
	o->nb_mbufs = 8191;
	o->rx_desc = 1024;
	o->stats_interval = 1.0;
	o->idle_us = 20;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":", long_opts, NULL)) != -1) {
		const char *arg = optarg;

		switch (c) {
		case OPT_PORT:
			err = add_port(o, arg);
			if (err)
				return err;
			break;
		case OPT_RING:
			if (o->nb_rings == DPDK_MAX_RINGS)
				return bad("too many --ring options", arg);
			if (!*arg || strlen(arg) > 200)
				return bad("--ring '%s': expected a ring name",
					   arg);
			o->rings[o->nb_rings++] = arg;
			break;
		case OPT_RING_SIZE:
			if (parse_u64(arg, &v, true) || (v & (v - 1)) ||
			    v < IIOT_RING_MIN_DATA || v > IIOT_RING_MAX_DATA)
				return bad("--ring-size %s: expected a power of "
					   "two from 64K to 1G", arg);
			o->ring_size = v;
			break;
		case OPT_SNAPLEN:
			if (parse_uint(arg, 64, IIOT_RING_MAX_SNAP,
				       &o->snap_len))
				return bad("--snaplen %s: expected 64..16384",
					   arg);
			break;
		case OPT_ETYPE:
			err = add_etypes(o, arg);
			if (err)
				return err;
			break;
		case OPT_ALL:
			o->all = true;
			break;
		case OPT_NO_HW_TS:
			o->no_hw_ts = true;
			break;
		case OPT_BURST:
			if (parse_uint(arg, 1, DPDK_MAX_BURST, &o->burst))
				return bad("--burst %s: expected 1..512", arg);
			break;
		case OPT_MBUFS:
			if (parse_uint(arg, 1023, 1 << 22, &o->nb_mbufs))
				return bad("--mbufs %s: expected 1023..4194304",
					   arg);
			break;
		case OPT_RX_DESC:
			if (parse_uint(arg, 32, 32768, &o->rx_desc))
				return bad("--rx-desc %s: expected 32..32768",
					   arg);
			break;
		case OPT_STATS_INT:
			if (parse_seconds(arg, &o->stats_interval))
				return bad("--stats-interval %s: expected "
					   "seconds, like 1 or 0.5", arg);
			break;
		case OPT_STATS_FILE:
			o->stats_file = arg;
			break;
		case OPT_DURATION:
			if (parse_seconds(arg, &o->duration))
				return bad("--duration %s: expected seconds",
					   arg);
			break;
		case OPT_IDLE:
			if (parse_uint(arg, 0, 100000, &o->idle_us))
				return bad("--idle-us %s: expected 0..100000",
					   arg);
			break;
		case OPT_HELP:
			usage(stdout);
			exit(0);
		case ':':
			return bad("option %s needs a value", argv[optind - 1]);
		default:
			fprintf(stderr, "iiot-dpdk: unknown option %s%s\n",
				argv[optind - 1],
				argv[optind - 1][0] == '-' ?
				"; EAL options go before '--', iiot-dpdk's "
				"after it (see --help)" : "");
			return -EINVAL;
		}
	}
	if (optind < argc)
		return bad("unexpected argument '%s' (see --help)",
			   argv[optind]);
	if (!o->nb_rings) {
		fprintf(stderr, "iiot-dpdk: --ring NAME is required (the libshm "
			"ring iiotd reads)\n");
		return -EINVAL;
	}
	if (!o->nb_ports)
		add_port(o, "0");
	if (o->all && o->filter_set) {
		fprintf(stderr, "iiot-dpdk: --all and --ethertype exclude each "
			"other\n");
		return -EINVAL;
	}
	if (!o->all && !o->filter_set) {
		o->etypes[o->nb_etypes++] = IIOT_ETYPE_ECAT;
		o->etypes[o->nb_etypes++] = IIOT_ETYPE_PNIO;
		o->etypes[o->nb_etypes++] = IIOT_ETYPE_LLDP;
		o->pnio_cm = true;
	}
	return 0;
}

/* CPUs this process may run on, as a mask (the first 1024). */
static int allowed_cpus(cpu_set_t *set, char *desc, size_t len)
{
	int cpu, first = -1, n = 0;
	size_t off = 0;

	if (sched_getaffinity(0, sizeof(*set), set))
		return -errno;
	desc[0] = '\0';
	for (cpu = 0; cpu <= CPU_SETSIZE; cpu++) {
		bool in = cpu < CPU_SETSIZE && CPU_ISSET(cpu, set);

		if (in && first < 0)
			first = cpu;
		if (!in && first >= 0 && off < len) {
			off += (size_t)snprintf(desc + off, len - off, "%s%d",
						n++ ? "," : "", first);
			if (cpu - 1 > first && off < len)
				off += (size_t)snprintf(desc + off, len - off,
							"-%d", cpu - 1);
			first = -1;
		}
	}
	return 0;
}

/* "-l 0-2,4": every listed core must exist and be ours. */
static int check_core_list(const char *list, const cpu_set_t *set,
			   const char *desc)
{
	char buf[256], *tok, *save, *dash, *end;
	long lo, hi, c;

	if (strlen(list) >= sizeof(buf) || !*list)
		goto syntax;
	strcpy(buf, list);
	for (tok = strtok_r(buf, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		dash = strchr(tok, '-');
		if (dash)
			*dash = '\0';
		if (!isdigit((unsigned char)*tok))
			goto syntax;
		lo = strtol(tok, &end, 10);
		if (*end)
			goto syntax;
		hi = lo;
		if (dash) {
			if (!isdigit((unsigned char)dash[1]))
				goto syntax;
			hi = strtol(dash + 1, &end, 10);
			if (*end || hi < lo)
				goto syntax;
		}
		for (c = lo; c <= hi; c++) {
			if (c >= CPU_SETSIZE || !CPU_ISSET(c, set)) {
				fprintf(stderr, "iiot-dpdk: bad core list '%s': "
					"core %ld does not exist or is not "
					"available to this process (cores: "
					"%s)\n", list, c, desc);
				return -EINVAL;
			}
		}
	}
	return 0;
syntax:
	fprintf(stderr, "iiot-dpdk: bad core list '%s': expected cores like "
		"0 or 0-1 or 0,2 (cores here: %s)\n", list, desc);
	return -EINVAL;
}

/* "-c 0x3": a hexadecimal mask of cores that exist. */
static int check_core_mask(const char *mask, const cpu_set_t *set,
			   const char *desc)
{
	const char *s = mask;
	unsigned long long m;
	char *end;
	int c;

	if (!strncasecmp(s, "0x", 2))
		s += 2;
	errno = 0;
	m = strtoull(s, &end, 16);
	if (!*s || *end || errno || !m) {
		fprintf(stderr, "iiot-dpdk: bad core mask '%s': expected a "
			"hexadecimal mask like 0x3 (cores here: %s)\n", mask,
			desc);
		return -EINVAL;
	}
	for (c = 0; c < 64; c++) {
		if ((m >> c & 1) && !CPU_ISSET(c, set)) {
			fprintf(stderr, "iiot-dpdk: bad core mask '%s': core %d "
				"does not exist or is not available to this "
				"process (cores: %s)\n", mask, c, desc);
			return -EINVAL;
		}
	}
	return 0;
}

static bool has_arg(int argc, char **argv, const char *name)
{
	int i;

	for (i = 1; i < argc; i++)
		if (!strcmp(argv[i], name))
			return true;
	return false;
}

/* Sum of nr_hugepages over every page size. */
static unsigned long hugepages_reserved(void)
{
	unsigned long total = 0, n;
	glob_t g;
	size_t i;
	FILE *f;

	if (glob("/sys/kernel/mm/hugepages/hugepages-*/nr_hugepages", 0, NULL,
		 &g))
		return 0;
	for (i = 0; i < g.gl_pathc; i++) {
		f = fopen(g.gl_pathv[i], "r");
		if (!f)
			continue;
		if (fscanf(f, "%lu", &n) == 1)
			total += n;
		fclose(f);
	}
	globfree(&g);
	return total;
}

static void hugepage_hint(void)
{
	fprintf(stderr, "iiot-dpdk: no hugepages are reserved on this machine: "
		"reserve some (echo 512 > /sys/kernel/mm/hugepages/"
		"hugepages-2048kB/nr_hugepages, see docs/dpdk.md) or run "
		"without them: add --no-huge -m 256 before '--'\n");
}

/*
 * The EAL reports a bad core list or missing hugepages in its own words,
 * deep in its log; check the common mistakes first and say what to do.
 */
int check_eal_args(int argc, char **argv)
{
	char desc[256];
	cpu_set_t set;
	const char *v;
	int i, err;

	err = allowed_cpus(&set, desc, sizeof(desc));
	if (err)
		return 0;
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		v = NULL;
		if (!strcmp(a, "-l") || !strcmp(a, "-c"))
			v = i + 1 < argc ? argv[i + 1] : "";
		else if (!strncmp(a, "-l", 2) || !strncmp(a, "-c", 2))
			v = a + 2;
		if (!v)
			continue;
		err = a[1] == 'l' ? check_core_list(v, &set, desc) :
				    check_core_mask(v, &set, desc);
		if (err)
			return err;
	}
	if (!has_arg(argc, argv, "--no-huge") && !hugepages_reserved()) {
		hugepage_hint();
		return -ENOMEM;
	}
	return 0;
}

void explain_eal_failure(int argc, char **argv, int err)
{
	fprintf(stderr, "iiot-dpdk: the DPDK EAL did not start: %s\n",
		rte_strerror(err));
	if (!has_arg(argc, argv, "--no-huge") && !hugepages_reserved())
		hugepage_hint();
	else if (has_arg(argc, argv, "--no-huge") && !has_arg(argc, argv, "-m"))
		fprintf(stderr, "iiot-dpdk: with --no-huge give the memory "
			"too, e.g. -m 256\n");
	else
		fprintf(stderr, "iiot-dpdk: check the EAL options before '--' "
			"(cores -l, --vdev, --file-prefix; see docs/dpdk.md)\n");
}
