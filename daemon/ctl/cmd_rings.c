/*
 * iiotctl rings [--json] [RING...]: counters of capture rings, read-only,
 * with those of the NIC behind a ring when its source reports them.
 */
#include <dirent.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "capture/capture.h"
#include "core/ctlclient.h"
#include "ctl.h"
#include "libshm.h"

static bool has_nic(const struct shm_stats *st)
{
	const struct shm_nic_counters *n = &st->nic;

	/* a DPDK ring that received nothing yet still has a NIC */
	return st->source == IIOT_SRC_DPDK ||
	       (n->packets | n->missed | n->errors | n->nombuf) != 0;
}

static void print_ring(const struct shm_stats *st)
{
	const struct shm_nic_counters *n = &st->nic;

	printf("%-24s %-6s %-6s %12llu %12llu %10llu %8llu %6.1f%%\n",
	       st->name, capture_source_name(st->source),
	       st->state ? "closed" : "active",
	       (unsigned long long)st->records,
	       (unsigned long long)st->consumed,
	       (unsigned long long)st->drops, (unsigned long long)st->corrupt,
	       100.0 * (double)st->fill / (double)st->data_size);
	if (has_nic(st))
		printf("  nic: %llu received, %llu missed, %llu errors, "
		       "%llu no buffer\n", (unsigned long long)n->packets,
		       (unsigned long long)n->missed,
		       (unsigned long long)n->errors,
		       (unsigned long long)n->nombuf);
}

/* One ring: a table row, or an object appended to arr. */
static int show_ring(const char *path, json_t *arr)
{
	struct shm_stats st;
	json_t *o;

	if (shm_stats_read(path, &st)) {
		fprintf(stderr, "iiotctl: %s\n", shm_error());
		return 1;
	}
	if (!arr) {
		print_ring(&st);
		return 0;
	}
	o = json_object();
	json_object_set_new(o, "ring", json_string(path));
	capture_ring_stats_json(o, &st);
	json_array_append_new(arr, o);
	return 0;
}

static int show_dir(json_t *arr)
{
	struct dirent *de;
	char path[512];
	int rc = 0;
	DIR *d;

	d = opendir(SHM_DIR);
	if (!d)
		return 0;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.' || strstr(de->d_name, ".wake"))
			continue;
		snprintf(path, sizeof(path), "%s/%s", SHM_DIR, de->d_name);
		rc |= show_ring(path, arr);
	}
	closedir(d);
	return rc;
}

static int run_rings(int argc, char **argv)
{
	json_t *o = NULL, *arr = NULL;
	int rc = 0, i = 1, named;

	if (i < argc && !strcmp(argv[i], "--json")) {
		o = json_object();
		arr = json_array();
		json_object_set_new(o, "rings", arr);
		i++;
	}
	named = i < argc;
	if (!arr)
		printf("%-24s %-6s %-6s %12s %12s %10s %8s %7s\n", "RING",
		       "SOURCE", "STATE", "RECORDS", "CONSUMED", "DROPS",
		       "CORRUPT", "FILL");
	for (; i < argc; i++)
		rc |= show_ring(argv[i], arr);
	if (!named)
		rc |= show_dir(arr);
	if (o) {
		ctl_dump_json(o);
		json_decref(o);
	}
	return rc;
}

const struct ctl_cmd cmd_rings = {
	.name = "rings",
	.args = "[--json] [RING...]",
	.help = "capture ring counters (records, drops, corrupt, fill, NIC)",
	.run = run_rings,
};
