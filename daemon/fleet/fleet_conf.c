/*
 * [fleet]: fleet (platform) mode's configuration (docs/north.md).
 *
 * [fleet]
 *   broker = mqtt://host:1883    repeat: tried in order, the next on failure
 *   host_id = iiot               our STATE: spBv1.0/STATE/<host_id>
 *   group = line3                repeat: the groups followed (default all)
 *   client_id = <host_id>-host
 *   ca, cert, key, username, password_file    as in [north]
 *   postgres = host=/run/postgresql dbname=iiot   libpq connection string
 *   batch = 5000                 rows a COPY at most
 *   flush = 10ms                 a batch waits at most this long
 *   pending_max = 1000000        rows held while PostgreSQL is away
 *   partitions_ahead = 2         daily partitions made in advance
 *   keepalive = 30s, retry = 2s
 *   rebirth_interval = 5s        between Rebirth requests to one node
 */
#include <stdio.h>
#include <string.h>

#include "core/conf.h"
#include "fleet/fleet.h"

static const char *const keys[] = {
	"broker", "host_id", "group", "client_id", "ca", "cert", "key",
	"username", "password_file", "postgres", "batch", "flush",
	"pending_max", "partitions_ahead", "keepalive", "retry",
	"rebirth_interval", NULL
};

static int id_ok(const char *v, size_t len)
{
	return v[0] && strlen(v) < len && !strpbrk(v, "/+#");
}

static int get_ids(const struct conf *c, struct fleet_conf *fc, char *err,
		   size_t errlen)
{
	const struct conf_entry *e = conf_find(c, "fleet", "host_id");

	snprintf(fc->host_id, sizeof(fc->host_id), "%s", e ? e->value : "iiot");
	if (!id_ok(fc->host_id, sizeof(fc->host_id))) {
		conf_errf(c, e, err, errlen, "fleet.host_id: \"%s\" is not a "
			  "Sparkplug id (1-%zu characters, no / + #)",
			  fc->host_id, sizeof(fc->host_id) - 1);
		return -1;
	}
	e = NULL;
	while ((e = conf_next(c, "fleet", "group", e))) {
		if (fc->ngroups == FLEET_GROUPS_MAX ||
		    !id_ok(e->value, NORTH_ID_MAX)) {
			conf_errf(c, e, err, errlen, "fleet.group: at most %d "
				  "Sparkplug ids (no / + #)", FLEET_GROUPS_MAX);
			return -1;
		}
		snprintf(fc->groups[fc->ngroups++], NORTH_ID_MAX, "%s",
			 e->value);
	}
	return 0;
}

int fleet_conf_read(const struct conf *c, struct fleet_conf *fc, char *err,
		    size_t errlen)
{
	const struct conf_entry *e;
	char client_id[NORTH_ID_MAX + 5];

	memset(fc, 0, sizeof(*fc));
	if (conf_check_keys(c, "fleet", keys, err, errlen) ||
	    get_ids(c, fc, err, errlen))
		return -1;
	snprintf(client_id, sizeof(client_id), "%s-host", fc->host_id);
	if (north_link_conf_read(c, "fleet", client_id, &fc->link, err,
				 errlen))
		return -1;
	fc->enabled = fc->link.nbrokers > 0;
	e = conf_find(c, "fleet", "postgres");
	if (e && (!e->value[0] || strlen(e->value) >= sizeof(fc->postgres))) {
		conf_errf(c, e, err, errlen, "fleet.postgres: a libpq connection"
			  " string of 1-%zu characters", sizeof(fc->postgres) - 1);
		return -1;
	}
	if (e)
		snprintf(fc->postgres, sizeof(fc->postgres), "%s", e->value);
	if (conf_get_u64(c, "fleet", "batch", 5000, 1, 1000000, &fc->batch,
			 err, errlen) ||
	    conf_get_ms(c, "fleet", "flush", 10, 10, 60000, &fc->flush_ms,
			err, errlen) ||
	    conf_get_u64(c, "fleet", "pending_max", 1000000, 1000, 100000000,
			 &fc->pending_max, err, errlen) ||
	    conf_get_u64(c, "fleet", "partitions_ahead", 2, 0, 366,
			 &fc->ahead_days, err, errlen) ||
	    conf_get_ms(c, "fleet", "rebirth_interval", 5000, 100, 3600000,
			&fc->rebirth_ms, err, errlen))
		return -1;
	return 0;
}
