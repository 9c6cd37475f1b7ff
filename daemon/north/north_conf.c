/*
 * [north]: the Sparkplug B edge node's configuration (docs/north.md).
 *
 * [north]
 *   broker = mqtt://host:1883    repeat: tried in order, the next on
 *                                failure (mqtts:// for TLS, port 8883)
 *   group = iiot                 Sparkplug group id
 *   edge_node = <hostname>       edge node id
 *   primary_host = ID            wait for this host's STATE online
 *   client_id = <group>-<edge_node>
 *   ca = FILE, cert = FILE, key = FILE   TLS (read by iiotd's user)
 *   username = NAME, password_file = FILE (read at start)
 *   protocol = 3.1.1             or 5
 *   devices = admitted           or all, none
 *   deadband = 0                 change of a Double metric to report
 *   scan = 1s                    report by exception this often
 *   keepalive = 30s, retry = 2s
 *   queue_max = 100000           store-and-forward messages kept
 *   queue_full = drop_oldest     or drop_new
 *   replay_rate = 1000           queued messages sent a second
 *   remote_commands = no         yes: DCMD writes go through the
 *                                control gate (docs/north.md Commands)
 *   per_device = 6, per_host = 20   remote writes a minute
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/conf.h"
#include "north/north.h"

static const char *const keys[] = {
	"broker", "group", "edge_node", "primary_host", "client_id", "ca",
	"cert", "key", "username", "password_file", "protocol", "devices",
	"deadband", "scan", "keepalive", "retry", "queue_max", "queue_full",
	"replay_rate", "remote_commands", "per_device", "per_host", NULL
};

int north_broker_parse(const char *s, struct north_broker *b)
{
	const char *h, *p;
	char *end;
	size_t n;
	long port;

	memset(b, 0, sizeof(b[0]));
	if (strlen(s) >= sizeof(b->url))
		return -1;
	strcpy(b->url, s);
	if (!strncmp(s, "mqtt://", 7)) {
		h = s + 7;
		b->port = 1883;
	} else if (!strncmp(s, "mqtts://", 8)) {
		h = s + 8;
		b->port = 8883;
		b->tls = true;
	} else {
		return -1;
	}
	if (*h == '[') {
		p = strchr(++h, ']');
		if (!p)
			return -1;
		n = (size_t)(p - h);
		p++;
	} else {
		p = strchr(h, ':');
		n = p ? (size_t)(p - h) : strlen(h);
		if (!p)
			p = h + n;
	}
	if (!n || n >= sizeof(b->host) || memchr(h, '/', n))
		return -1;
	memcpy(b->host, h, n);
	b->host[n] = 0;
	if (*p == ':') {
		errno = 0;
		port = strtol(p + 1, &end, 10);
		if (errno || end == p + 1 || port < 1 || port > 65535 ||
		    (*end && strcmp(end, "/")))
			return -1;
		b->port = (int)port;
	} else if (*p && strcmp(p, "/")) {
		return -1;
	}
	return 0;
}

static int get_brokers(const struct conf *c, const char *sec,
		       struct north_link_conf *lc, char *err, size_t errlen)
{
	const struct conf_entry *e = NULL;

	while ((e = conf_next(c, sec, "broker", e))) {
		if (lc->nbrokers == NORTH_BROKERS_MAX) {
			conf_errf(c, e, err, errlen, "%s.broker: at most %d",
				  sec, NORTH_BROKERS_MAX);
			return -1;
		}
		if (north_broker_parse(e->value, &lc->brokers[lc->nbrokers])) {
			conf_errf(c, e, err, errlen, "%s.broker: \"%s\" is "
				  "not mqtt://HOST[:PORT] or mqtts://HOST[:PORT]",
				  sec, e->value);
			return -1;
		}
		lc->nbrokers++;
	}
	return 0;
}

/* a Sparkplug id: a topic level, no wildcards */
static int get_id(const struct conf *c, const char *key, const char *def,
		  char *out, size_t len, char *err, size_t errlen)
{
	const struct conf_entry *e = conf_find(c, "north", key);
	const char *v = e ? e->value : def;

	if (!v[0] && !strcmp(key, "primary_host")) {
		out[0] = 0;
		return 0;
	}
	if (!v[0] || strlen(v) >= len || strpbrk(v, "/+#")) {
		conf_errf(c, e, err, errlen, "north.%s: \"%s\" is not a "
			  "Sparkplug id (1-%zu characters, no / + #)", key, v,
			  len - 1);
		return -1;
	}
	snprintf(out, len, "%s", v);
	return 0;
}

int north_conf_path(const struct conf *c, const char *sec, const char *key,
		    char *out, size_t len, char *err, size_t errlen)
{
	const struct conf_entry *e = conf_find(c, sec, key);

	out[0] = 0;
	if (!e)
		return 0;
	if (e->value[0] != '/' || strlen(e->value) >= len) {
		conf_errf(c, e, err, errlen, "%s.%s: an absolute path", sec,
			  key);
		return -1;
	}
	snprintf(out, len, "%s", e->value);
	if (access(out, R_OK)) {
		conf_errf(c, e, err, errlen, "%s.%s: %s: %s", sec, key, out,
			  strerror(errno));
		return -1;
	}
	return 0;
}

int north_conf_password(const struct conf *c, const char *sec,
			const char *path, char *pw, char *err, size_t errlen)
{
	const struct conf_entry *e = conf_find(c, sec, "password_file");
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	ssize_t n = fd < 0 ? -1 : read(fd, pw, NORTH_PASSWORD_MAX);

	if (fd >= 0)
		close(fd);
	if (n < 0 || (size_t)n >= NORTH_PASSWORD_MAX) {
		conf_errf(c, e, err, errlen, "%s.password_file: %s: %s", sec,
			  path, n < 0 ? strerror(errno) : "longer than 255");
		memset(pw, 0, NORTH_PASSWORD_MAX);
		return -1;
	}
	pw[n] = 0;
	pw[strcspn(pw, "\r\n")] = 0;
	return 0;
}

static int get_identity(const struct conf *c, const char *sec,
			const char *client_id, struct north_link_conf *lc,
			char *err, size_t errlen)
{
	const struct conf_entry *e = conf_find(c, sec, "client_id");

	if (e && (!e->value[0] || strlen(e->value) >= sizeof(lc->client_id))) {
		conf_errf(c, e, err, errlen, "%s.client_id: 1-%zu characters",
			  sec, sizeof(lc->client_id) - 1);
		return -1;
	}
	snprintf(lc->client_id, sizeof(lc->client_id), "%s",
		 e ? e->value : client_id);
	e = conf_find(c, sec, "username");
	if (e && strlen(e->value) >= sizeof(lc->username)) {
		conf_errf(c, e, err, errlen, "%s.username: too long", sec);
		return -1;
	}
	if (e)
		snprintf(lc->username, sizeof(lc->username), "%s", e->value);
	return 0;
}

static int get_files(const struct conf *c, const char *sec,
		     struct north_link_conf *lc, char *err, size_t errlen)
{
	char pw[PATH_MAX];

	if (north_conf_path(c, sec, "ca", lc->ca, sizeof(lc->ca), err,
			    errlen) ||
	    north_conf_path(c, sec, "cert", lc->cert, sizeof(lc->cert), err,
			    errlen) ||
	    north_conf_path(c, sec, "key", lc->key, sizeof(lc->key), err,
			    errlen) ||
	    north_conf_path(c, sec, "password_file", pw, sizeof(pw), err,
			    errlen))
		return -1;
	if (!lc->cert[0] != !lc->key[0]) {
		conf_errf(c, conf_find(c, sec, lc->cert[0] ? "cert" : "key"),
			  err, errlen, "%s: cert and key go together", sec);
		return -1;
	}
	return pw[0] ? north_conf_password(c, sec, pw, lc->password, err,
					   errlen) : 0;
}

int north_link_conf_read(const struct conf *c, const char *sec,
			 const char *client_id, struct north_link_conf *lc,
			 char *err, size_t errlen)
{
	uint64_t ka;

	memset(lc, 0, sizeof(*lc));
	lc->protocol = 4;
	if (get_brokers(c, sec, lc, err, errlen) ||
	    get_identity(c, sec, client_id, lc, err, errlen) ||
	    get_files(c, sec, lc, err, errlen) ||
	    conf_get_ms(c, sec, "keepalive", 30000, 5000, 3600000, &ka, err,
			errlen) ||
	    conf_get_ms(c, sec, "retry", 2000, 100, 600000, &lc->retry_ms,
			err, errlen))
		return -1;
	lc->keepalive_s = ka / 1000;
	return 0;
}

static int get_choice(const struct conf *c, const char *key,
		      const char *const *words, unsigned int *out, char *err,
		      size_t errlen)
{
	const struct conf_entry *e = conf_find(c, "north", key);
	unsigned int i;

	*out = 0;
	if (!e)
		return 0;
	for (i = 0; words[i]; i++)
		if (!strcmp(e->value, words[i])) {
			*out = i;
			return 0;
		}
	conf_errf(c, e, err, errlen, "north.%s: \"%s\" is not one of the "
		  "words docs/north.md names", key, e->value);
	return -1;
}

static int get_hostname(char *out, size_t len)
{
	char h[256];
	size_t n;

	if (gethostname(h, sizeof(h)))
		snprintf(h, sizeof(h), "iiot");
	h[sizeof(h) - 1] = 0;
	h[strcspn(h, "/+#.")] = 0;
	if (!h[0])
		strcpy(h, "iiot");
	/* a Sparkplug id is cut to fit, like any long host name */
	n = strnlen(h, len - 1);
	memcpy(out, h, n);
	out[n] = 0;
	return 0;
}

int north_conf_read(const struct conf *c, struct north_conf *nc, char *err,
		    size_t errlen)
{
	static const char *const devices[] = { "admitted", "all", "none", NULL };
	static const char *const full[] = { "drop_oldest", "drop_new", NULL };
	static const char *const proto[] = { "3.1.1", "5", NULL };
	const struct conf_entry *e;
	char host[NORTH_ID_MAX], client_id[2 * NORTH_ID_MAX];
	unsigned int v;

	memset(nc, 0, sizeof(*nc));
	if (conf_check_keys(c, "north", keys, err, errlen))
		return -1;
	get_hostname(host, sizeof(host));
	if (get_id(c, "group", "iiot", nc->group, sizeof(nc->group), err,
		   errlen) ||
	    get_id(c, "edge_node", host, nc->edge, sizeof(nc->edge), err,
		   errlen) ||
	    get_id(c, "primary_host", "", nc->host_id, sizeof(nc->host_id),
		   err, errlen))
		return -1;
	snprintf(client_id, sizeof(client_id), "%s-%s", nc->group, nc->edge);
	if (north_link_conf_read(c, "north", client_id, &nc->link, err,
				 errlen))
		return -1;
	nc->enabled = nc->link.nbrokers > 0;
	if (get_choice(c, "protocol", proto, &v, err, errlen))
		return -1;
	nc->link.protocol = v ? 5 : 4;
	if (get_choice(c, "devices", devices, &nc->devices, err, errlen) ||
	    get_choice(c, "queue_full", full, &v, err, errlen))
		return -1;
	nc->drop_oldest = v == 0;
	e = conf_find(c, "north", "deadband");
	nc->deadband = 0;
	if (e) {
		char *end;

		errno = 0;
		nc->deadband = strtod(e->value, &end);
		if (errno || end == e->value || *end || !(nc->deadband >= 0) ||
		    nc->deadband > 1e12) {
			conf_errf(c, e, err, errlen, "north.deadband: a number"
				  " >= 0");
			return -1;
		}
	}
	if (conf_get_ms(c, "north", "scan", 1000, NORTH_SCAN_MIN_MS,
			NORTH_SCAN_MAX_MS, &nc->scan_ms,
			err, errlen) ||
	    conf_get_u64(c, "north", "queue_max", 100000, 1, 100000000,
			 &nc->queue_max, err, errlen) ||
	    conf_get_u64(c, "north", "replay_rate", 1000, 1, 1000000,
			 &nc->replay_rate, err, errlen) ||
	    conf_get_bool(c, "north", "remote_commands", false,
			  &nc->remote_commands, err, errlen) ||
	    conf_get_u64(c, "north", "per_device", 6, 1, 1000,
			 &nc->per_device, err, errlen) ||
	    conf_get_u64(c, "north", "per_host", 20, 1, 10000,
			 &nc->per_host, err, errlen))
		return -1;
	return 0;
}
