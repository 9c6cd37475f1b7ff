/* iiotctl rings [PATH...]: counters of capture rings, read-only. */
#include <dirent.h>
#include <stdio.h>
#include <string.h>

#include "ctl.h"
#include "libshm.h"

static const char *source_name(unsigned int s)
{
	static const char *const names[] = {
		"unknown", "kmod", "xdp", "dpdk", "replay", "sim",
	};

	return s < sizeof(names) / sizeof(names[0]) ? names[s] : "?";
}

static int show_ring(const char *path)
{
	struct shm_stats st;

	if (shm_stats_read(path, &st)) {
		fprintf(stderr, "iiotctl: %s\n", shm_error());
		return 1;
	}
	printf("%-24s %-6s %-6s %12llu %12llu %10llu %8llu %6.1f%%\n", st.name,
	       source_name(st.source), st.state ? "closed" : "active",
	       (unsigned long long)st.records, (unsigned long long)st.consumed,
	       (unsigned long long)st.drops, (unsigned long long)st.corrupt,
	       100.0 * (double)st.fill / (double)st.data_size);
	return 0;
}

static int run_rings(int argc, char **argv)
{
	struct dirent *de;
	char path[512];
	int rc = 0, i;
	DIR *d;

	printf("%-24s %-6s %-6s %12s %12s %10s %8s %7s\n", "RING", "SOURCE",
	       "STATE", "RECORDS", "CONSUMED", "DROPS", "CORRUPT", "FILL");
	if (argc > 1) {
		for (i = 1; i < argc; i++)
			rc |= show_ring(argv[i]);
		return rc;
	}
	d = opendir(SHM_DIR);
	if (!d)
		return 0;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.' || strstr(de->d_name, ".wake"))
			continue;
		snprintf(path, sizeof(path), "%s/%s", SHM_DIR, de->d_name);
		rc |= show_ring(path);
	}
	closedir(d);
	return rc;
}

const struct ctl_cmd cmd_rings = {
	.name = "rings",
	.args = "[RING...]",
	.help = "capture ring counters (records, drops, corrupt, fill)",
	.run = run_rings,
};
