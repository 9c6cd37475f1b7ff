/*
 * The Sparkplug B edge node (docs/north.md): [north] configuration, the
 * metrics of the node and its devices (edge.c), the store-and-forward
 * queue (saf.c) and the MQTT session on its own thread (session.c).
 */
#ifndef IIOT_NORTH_H
#define IIOT_NORTH_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NORTH_BROKERS_MAX	8
#define NORTH_ID_MAX		64	/* group, edge node and host ids */
#define NORTH_PASSWORD_MAX	256
#define NORTH_SCAN_MIN_MS	50	/* [north] scan and Scan Rate */
#define NORTH_SCAN_MAX_MS	3600000

struct conf;

enum north_devices {
	NORTH_DEV_ADMITTED = 0,		/* commissioned, active, maintenance */
	NORTH_DEV_ALL,
	NORTH_DEV_NONE,			/* the node alone */
};

struct north_broker {
	char url[300];			/* as configured, for messages */
	char host[256];
	int port;
	bool tls;			/* mqtts:// */
};

/* The way to the brokers (link.h), from the keys [north] and [fleet]
 * share: broker, client_id, ca, cert, key, username, password_file,
 * keepalive, retry (north_link_conf_read); [north] adds protocol. */
struct north_link_conf {
	struct north_broker brokers[NORTH_BROKERS_MAX];
	size_t nbrokers;
	char client_id[128];
	char ca[PATH_MAX], cert[PATH_MAX], key[PATH_MAX];	/* "": none */
	char username[128];
	char password[NORTH_PASSWORD_MAX];	/* from password_file */
	int protocol;			/* 4: MQTT 3.1.1, 5: MQTT 5 */
	uint64_t keepalive_s;
	uint64_t retry_ms;		/* the first wait; doubles to the max */
};

struct north_conf {
	bool enabled;			/* a broker is configured */
	struct north_link_conf link;
	char group[NORTH_ID_MAX];
	char edge[NORTH_ID_MAX];
	char host_id[NORTH_ID_MAX];	/* primary host; "" none */
	unsigned int devices;		/* enum north_devices */
	double deadband;		/* Double metrics: change to report */
	uint64_t scan_ms;		/* report by exception this often */
	uint64_t queue_max;		/* store-and-forward messages kept */
	bool drop_oldest;		/* a full queue: oldest go (else new) */
	uint64_t replay_rate;		/* queued messages a second */
	bool remote_commands;		/* DCMD writes allowed (default no) */
	uint64_t per_device;		/* writes a minute to one device */
	uint64_t per_host;		/* writes a minute from the hosts */
};

/* TLS on a libmosquitto client: the CA file (else the system's), the
 * client certificate and key when given, the peer verified.  0 or -1. */
struct mosquitto;
int north_tls_set(struct mosquitto *m, const char *ca, const char *cert,
		  const char *key);

/* 0, or -1 with "FILE:LINE: why" in err; reads the password file */
int north_conf_read(const struct conf *c, struct north_conf *nc, char *err,
		    size_t errlen);

/* section sec's keys of the way to the brokers into lc (MQTT 3.1.1):
 * client_id is the client id when the section names none.  0, or -1
 * with "FILE:LINE: why" in err; reads the password file */
int north_link_conf_read(const struct conf *c, const char *sec,
			 const char *client_id, struct north_link_conf *lc,
			 char *err, size_t errlen);

/* mqtt://HOST[:PORT] or mqtts://HOST[:PORT] into b: 0, or -1 */
int north_broker_parse(const char *s, struct north_broker *b);
/* section.key: an absolute path readable now ("" when absent) */
int north_conf_path(const struct conf *c, const char *sec, const char *key,
		    char *out, size_t len, char *err, size_t errlen);
/* the first line of the password file path into pw (NORTH_PASSWORD_MAX) */
int north_conf_password(const struct conf *c, const char *sec,
			const char *path, char *pw, char *err, size_t errlen);

#endif
