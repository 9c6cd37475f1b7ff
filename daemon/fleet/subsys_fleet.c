/*
 * iiotd subsystem "fleet": fleet (platform) mode, iiotd as a Sparkplug B
 * host application storing the edges' metrics in PostgreSQL
 * (docs/north.md), off unless [fleet] names a broker.  A reload starts a
 * new session with the new settings; the inventory is built again from
 * the births the edges send.
 */
#include <string.h>

#include <jansson.h>
#include <mosquitto.h>

#include "core/conf.h"
#include "core/iiotd.h"
#include "core/log.h"
#include "core/subsys.h"
#include "fleet/fleet.h"
#include "fleet/host.h"

static struct fleet *current;

struct fleet *fleet_current(void)
{
	return current;
}

static int fleet_check_conf(const struct conf *c, char *err, size_t errlen)
{
	struct fleet_conf fc;
	int rc = fleet_conf_read(c, &fc, err, errlen);

	memset(fc.link.password, 0, sizeof(fc.link.password));
	return rc;
}

static int fleet_start_sub(struct iiotd *d)
{
	struct fleet_conf fc;
	char err[512];

	if (fleet_conf_read(d->conf, &fc, err, sizeof(err))) {
		log_warnx("%s", err);
		return -1;
	}
	if (!fc.enabled)
		return 0;
	mosquitto_lib_init();
	current = fleet_start(d, &fc, err, sizeof(err));
	memset(fc.link.password, 0, sizeof(fc.link.password));
	if (!current) {
		log_warnx("fleet: %s", err);
		return -1;
	}
	return 0;
}

static void fleet_stop_sub(struct iiotd *d)
{
	(void)d;
	fleet_stop(current);
	current = NULL;
}

static int fleet_reload(struct iiotd *d)
{
	fleet_stop_sub(d);
	return fleet_start_sub(d);
}

static json_t *fleet_stats_sub(struct iiotd *d)
{
	(void)d;
	return current ? fleet_stats(current) : NULL;
}

const struct iiotd_subsys subsys_fleet = {
	.name = "fleet",
	.check_conf = fleet_check_conf,
	.start = fleet_start_sub,
	.reload = fleet_reload,
	.stop = fleet_stop_sub,
	.stats = fleet_stats_sub,
};
