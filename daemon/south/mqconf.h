/*
 * The [mqtt] configuration of MQTT devices (docs/devices.md):
 *
 *	[mqtt]
 *	broker = mqtt://127.0.0.1:1883	absent: MQTT devices are off
 *	root = iiot/devices		the devices' topic space (root/#)
 *	client_id = iiotd-devices
 *	username = iiotd		iiotd's subscriber
 *	password_file = FILE
 *	ca = FILE, cert = FILE, key = FILE	TLS (mqtts://)
 *	manage = none			or local: write passwd_file and
 *					acl_file, SIGHUP the broker
 *	passwd_file = FILE, acl_file = FILE, pid_file = FILE
 *	offline_after = 3		missed intervals before offline
 *	max_payload = 64k
 *	devices_file = FILE		devices added through the API
 *					(default state_dir/mqtt-devices.conf)
 *
 *	[mqtt.NAME]			one device
 *	topic = iiot/devices/NAME	its topic or filter, under root
 *	username = NAME			its broker user
 *	password_hash = $7$...		mosquitto_passwd's hash
 *	cert_cn = CN			or a client certificate's CN
 *	interval = 10s			how often it publishes
 *	time = PATH			the payload's timestamp (optional)
 *	signal = PATH NAME [TYPE] [scale=] [offset=] [unit=]
 *
 * Errors name the line.
 */
#ifndef IIOTD_MQCONF_H
#define IIOTD_MQCONF_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "north/north.h"
#include "south/mqmap.h"

struct conf;

#define MQ_DEVICES_MAX	1024
#define MQ_TOPIC_MAX	256
#define MQ_HASH_MAX	192
#define MQ_USER_MAX	64

struct mq_dev_conf {
	char name[MQ_NAME_MAX];
	char topic[MQ_TOPIC_MAX];	/* a filter within root */
	char username[MQ_USER_MAX];
	char password_hash[MQ_HASH_MAX];	/* "" with cert_cn */
	char cert_cn[MQ_USER_MAX];
	uint32_t interval_ms;
	bool has_time;
	struct mq_path time;
	uint32_t first, n;		/* its signals: sigs[first .. first+n) */
	int line;			/* the section header */
	bool added;			/* from devices_file (the API) */
};

struct mq_conf {
	bool enabled;			/* a broker is configured */
	struct north_broker broker;
	char root[MQ_TOPIC_MAX - 32];
	char client_id[128];
	char username[MQ_USER_MAX];
	char password[NORTH_PASSWORD_MAX];
	char ca[PATH_MAX], cert[PATH_MAX], key[PATH_MAX];
	bool manage;			/* manage = local */
	char passwd_file[PATH_MAX], acl_file[PATH_MAX], pid_file[PATH_MAX];
	char devices_file[PATH_MAX];	/* "" state_dir's */
	uint64_t offline_after;
	uint64_t max_payload;
	struct mq_dev_conf *devs;
	size_t ndevs;
	struct mq_sig *sigs;
	size_t nsigs;
};

/*
 * The [mqtt] section and the [mqtt.NAME] devices of c, then those of
 * extra (the devices file; NULL none): 0, or -1 with "FILE:LINE: why".
 */
int mq_conf_parse(const struct conf *c, const struct conf *extra,
		  struct mq_conf *out, char *err, size_t errlen);
/* The devices of one configuration added to mc (for the devices file). */
int mq_conf_devices(const struct conf *c, struct mq_conf *mc, bool added,
		    char *err, size_t errlen);
void mq_conf_free(struct mq_conf *mc);
/* A device (and a user) name: 1-31 letters, digits, '_', '-'. */
bool mq_name_ok(const char *s);

#endif
