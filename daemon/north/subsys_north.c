/*
 * iiotd subsystem "north": the Sparkplug B edge node (docs/north.md),
 * off unless [north] names a broker.  Its session runs on its own thread
 * (session.c) and reads capture snapshots, never the drain loop's model.
 * A reload starts a new session (a new bdSeq) with the new settings.
 */
#include <string.h>

#include <jansson.h>
#include <mosquitto.h>

#include "core/conf.h"
#include "core/iiotd.h"
#include "core/log.h"
#include "core/subsys.h"
#include "north/north.h"
#include "north/session.h"

static struct {
	struct north *n;
	bool lib;
} sys;

static int north_check_conf(const struct conf *c, char *err, size_t errlen)
{
	struct north_conf nc;
	int rc = north_conf_read(c, &nc, err, errlen);

	memset(nc.link.password, 0, sizeof(nc.link.password));
	return rc;
}

static int north_start_sub(struct iiotd *d)
{
	struct north_conf nc;
	char err[512];

	if (north_conf_read(d->conf, &nc, err, sizeof(err))) {
		log_warnx("%s", err);
		return -1;
	}
	if (!nc.enabled)
		return 0;
	if (!sys.lib) {
		mosquitto_lib_init();
		sys.lib = true;
	}
	sys.n = north_start(d, &nc, err, sizeof(err));
	memset(nc.link.password, 0, sizeof(nc.link.password));
	if (!sys.n) {
		log_warnx("north: %s", err);
		return -1;
	}
	return 0;
}

static void north_stop_sub(struct iiotd *d)
{
	(void)d;
	north_stop(sys.n);
	sys.n = NULL;
	if (sys.lib)
		mosquitto_lib_cleanup();
	sys.lib = false;
}

static int north_reload(struct iiotd *d)
{
	north_stop(sys.n);
	sys.n = NULL;
	return north_start_sub(d);
}

static json_t *north_stats_sub(struct iiotd *d)
{
	(void)d;
	return sys.n ? north_stats(sys.n) : NULL;
}

const struct iiotd_subsys subsys_north = {
	.name = "north",
	.check_conf = north_check_conf,
	.start = north_start_sub,
	.reload = north_reload,
	.stop = north_stop_sub,
	.stats = north_stats_sub,
};
