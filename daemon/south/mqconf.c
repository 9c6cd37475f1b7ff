/*
 * The [mqtt] configuration (mqconf.h).  Each device is a section
 * [mqtt.NAME]; its signals are "signal =" lines, checked one by one so
 * that an error names its line.  Devices added through the API live in
 * the devices file, in the same syntax, and are read after iiotd.conf's.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/conf.h"
#include "south/mqconf.h"

#define MQ_SEC		"mqtt"
#define MQ_SEC_DOT	"mqtt."

static const char *const mq_keys[] = {
	"broker", "root", "client_id", "username", "password_file", "ca",
	"cert", "key", "manage", "passwd_file", "acl_file", "pid_file",
	"offline_after", "max_payload", "devices_file", NULL
};
static const char *const dev_keys[] = {
	"topic", "username", "password_hash", "cert_cn", "interval", "time",
	"signal", NULL
};

bool mq_name_ok(const char *s)
{
	size_t n = strlen(s);

	if (!n || n >= MQ_NAME_MAX)
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '_' && *s != '-')
			return false;
	return true;
}

void mq_conf_free(struct mq_conf *mc)
{
	free(mc->devs);
	free(mc->sigs);
	mc->devs = NULL;
	mc->sigs = NULL;
	mc->ndevs = mc->nsigs = 0;
}

/* a string value of at most len - 1 bytes into out ("" when absent) */
static int get_str(const struct conf *c, const char *sec, const char *key,
		   const char *def, char *out, size_t len, char *err,
		   size_t errlen)
{
	const struct conf_entry *e = conf_find(c, sec, key);
	const char *v = e ? e->value : def;

	if (strlen(v) >= len || (e && !*v)) {
		conf_errf(c, e, err, errlen, "%s.%s: 1-%zu bytes", sec, key,
			  len - 1);
		return -1;
	}
	snprintf(out, len, "%s", v);
	return 0;
}

/* a path iiotd writes (its directory must exist): absolute */
static int get_out_path(const struct conf *c, const char *key, char *out,
			size_t len, char *err, size_t errlen)
{
	const struct conf_entry *e = conf_find(c, MQ_SEC, key);

	out[0] = 0;
	if (!e)
		return 0;
	if (e->value[0] != '/' || strlen(e->value) >= len) {
		conf_errf(c, e, err, errlen, "mqtt.%s: an absolute path", key);
		return -1;
	}
	snprintf(out, len, "%s", e->value);
	return 0;
}

static int broker_conf(const struct conf *c, struct mq_conf *mc, char *err,
		       size_t errlen)
{
	const struct conf_entry *e = conf_find(c, MQ_SEC, "broker");
	const struct conf_entry *m;
	char pw[PATH_MAX], why[96];

	if (e && north_broker_parse(e->value, &mc->broker)) {
		conf_errf(c, e, err, errlen, "mqtt.broker: \"%s\" is not "
			  "mqtt://HOST[:PORT] or mqtts://HOST[:PORT]",
			  e->value);
		return -1;
	}
	mc->enabled = e != NULL;
	if (get_str(c, MQ_SEC, "root", "iiot/devices", mc->root,
		    sizeof(mc->root), err, errlen) ||
	    get_str(c, MQ_SEC, "client_id", "iiotd-devices", mc->client_id,
		    sizeof(mc->client_id), err, errlen) ||
	    get_str(c, MQ_SEC, "username", "iiotd", mc->username,
		    sizeof(mc->username), err, errlen))
		return -1;
	e = conf_find(c, MQ_SEC, "root");
	if (strpbrk(mc->root, "+#") || mc->root[0] == '/' ||
	    mc->root[strlen(mc->root) - 1] == '/' ||
	    mq_filter_check(mc->root, why, sizeof(why))) {
		conf_errf(c, e, err, errlen, "mqtt.root: \"%s\" is not a topic "
			  "without wildcards and outer '/'", mc->root);
		return -1;
	}
	if (north_conf_path(c, MQ_SEC, "ca", mc->ca, sizeof(mc->ca), err,
			    errlen) ||
	    north_conf_path(c, MQ_SEC, "cert", mc->cert, sizeof(mc->cert),
			    err, errlen) ||
	    north_conf_path(c, MQ_SEC, "key", mc->key, sizeof(mc->key), err,
			    errlen) ||
	    north_conf_path(c, MQ_SEC, "password_file", pw, sizeof(pw), err,
			    errlen))
		return -1;
	if (pw[0] && north_conf_password(c, MQ_SEC, pw, mc->password, err,
					 errlen))
		return -1;
	m = conf_find(c, MQ_SEC, "manage");
	if (m && strcmp(m->value, "none") && strcmp(m->value, "local")) {
		conf_errf(c, m, err, errlen, "mqtt.manage: none or local");
		return -1;
	}
	mc->manage = m && !strcmp(m->value, "local");
	if (get_out_path(c, "passwd_file", mc->passwd_file,
			 sizeof(mc->passwd_file), err, errlen) ||
	    get_out_path(c, "acl_file", mc->acl_file, sizeof(mc->acl_file),
			 err, errlen) ||
	    get_out_path(c, "pid_file", mc->pid_file, sizeof(mc->pid_file),
			 err, errlen) ||
	    get_out_path(c, "devices_file", mc->devices_file,
			 sizeof(mc->devices_file), err, errlen))
		return -1;
	if (mc->manage && (!mc->passwd_file[0] || !mc->acl_file[0])) {
		conf_errf(c, m, err, errlen, "mqtt.manage = local needs "
			  "passwd_file and acl_file");
		return -1;
	}
	if (mc->manage && !mc->password[0]) {
		conf_errf(c, m, err, errlen, "mqtt.manage = local needs "
			  "password_file (iiotd's own broker user)");
		return -1;
	}
	return conf_get_u64(c, MQ_SEC, "offline_after", 3, 1, 1000,
			    &mc->offline_after, err, errlen) ||
	       conf_get_size(c, MQ_SEC, "max_payload", 65536, 64,
			     MQ_PAYLOAD_MAX, &mc->max_payload, err, errlen) ?
	       -1 : 0;
}

static int dev_auth(const struct conf *c, const char *sec,
		    struct mq_dev_conf *d, char *err, size_t errlen)
{
	const struct conf_entry *h = conf_find(c, sec, "password_hash");
	const struct conf_entry *cn = conf_find(c, sec, "cert_cn");

	if (get_str(c, sec, "username", d->name, d->username,
		    sizeof(d->username), err, errlen) ||
	    get_str(c, sec, "password_hash", "", d->password_hash,
		    sizeof(d->password_hash), err, errlen) ||
	    get_str(c, sec, "cert_cn", "", d->cert_cn, sizeof(d->cert_cn),
		    err, errlen))
		return -1;
	if (!mq_name_ok(d->username)) {
		conf_errf(c, conf_find(c, sec, "username"), err, errlen,
			  "%s.username: 1-%d letters, digits, '_' or '-'", sec,
			  MQ_NAME_MAX - 1);
		return -1;
	}
	if (h && cn) {
		conf_errf(c, cn, err, errlen, "%s: password_hash or cert_cn, "
			  "not both", sec);
		return -1;
	}
	/* mosquitto_passwd's forms: $6$ (SHA-512) and $7$ (PBKDF2) */
	if (h && (strncmp(h->value, "$6$", 3) && strncmp(h->value, "$7$", 3))) {
		conf_errf(c, h, err, errlen, "%s.password_hash: a mosquitto "
			  "hash ($7$... or $6$...), not a password", sec);
		return -1;
	}
	if (cn && (strchr(cn->value, '\n') || strchr(cn->value, ':'))) {
		conf_errf(c, cn, err, errlen, "%s.cert_cn: no ':' or newline",
			  sec);
		return -1;
	}
	return 0;
}

static int dev_conf(const struct conf *c, const char *sec,
		    const struct mq_conf *mc, struct mq_dev_conf *d,
		    char *err, size_t errlen)
{
	const struct conf_entry *e;
	char def[MQ_TOPIC_MAX], why[96];
	size_t rl = strlen(mc->root);
	uint64_t v;

	d->line = conf_section_line(c, sec);
	if (!mq_name_ok(sec + strlen(MQ_SEC_DOT))) {
		snprintf(err, errlen, "%s:%d: [%s]: a device name is 1-%d "
			 "letters, digits, '_', '-'", conf_name(c), d->line,
			 sec, MQ_NAME_MAX - 1);
		return -1;
	}
	snprintf(d->name, sizeof(d->name), "%s", sec + strlen(MQ_SEC_DOT));
	if (conf_check_keys(c, sec, dev_keys, err, errlen))
		return -1;
	snprintf(def, sizeof(def), "%s/%s", mc->root, d->name);
	if (get_str(c, sec, "topic", def, d->topic, sizeof(d->topic), err,
		    errlen))
		return -1;
	e = conf_find(c, sec, "topic");
	if (mq_filter_check(d->topic, why, sizeof(why))) {
		conf_errf(c, e, err, errlen, "%s.topic: %s", sec, why);
		return -1;
	}
	if (strncmp(d->topic, mc->root, rl) || d->topic[rl] != '/' ||
	    !d->topic[rl + 1] || d->topic[rl + 1] == '#') {
		conf_errf(c, e, err, errlen, "%s.topic: \"%s\" is not under "
			  "mqtt.root \"%s/\"", sec, d->topic, mc->root);
		return -1;
	}
	if (dev_auth(c, sec, d, err, errlen) ||
	    conf_get_ms(c, sec, "interval", 10000, 100, 86400000, &v, err,
			errlen))
		return -1;
	d->interval_ms = (uint32_t)v;
	e = conf_find(c, sec, "time");
	if (e) {
		if (mq_path_parse(e->value, &d->time, why, sizeof(why))) {
			conf_errf(c, e, err, errlen, "%s.time: %s", sec, why);
			return -1;
		}
		d->has_time = true;
	}
	return 0;
}

static int add_sigs(const struct conf *c, const char *sec,
		    struct mq_conf *mc, struct mq_dev_conf *d, char *err,
		    size_t errlen)
{
	const struct conf_entry *e = NULL;
	char why[160];
	size_t i;
	void *a;

	d->first = (uint32_t)mc->nsigs;
	while ((e = conf_next(c, sec, "signal", e))) {
		struct mq_sig *sg;

		if (mc->nsigs - d->first >= MQ_SIGNALS_MAX) {
			conf_errf(c, e, err, errlen, "%s: more than %d signals",
				  sec, MQ_SIGNALS_MAX);
			return -1;
		}
		a = realloc(mc->sigs, (mc->nsigs + 1) * sizeof(*mc->sigs));
		if (!a) {
			conf_errf(c, e, err, errlen, "out of memory");
			return -1;
		}
		mc->sigs = a;
		sg = &mc->sigs[mc->nsigs];
		if (mq_sig_parse(e->value, sg, why, sizeof(why))) {
			conf_errf(c, e, err, errlen, "%s.signal: %s", sec, why);
			return -1;
		}
		sg->line = e->line;
		for (i = d->first; i < mc->nsigs; i++)
			if (!strcmp(mc->sigs[i].name, sg->name)) {
				conf_errf(c, e, err, errlen, "%s.signal: '%s' "
					  "already defined on line %d", sec,
					  sg->name, mc->sigs[i].line);
				return -1;
			}
		mc->nsigs++;
	}
	d->n = (uint32_t)mc->nsigs - d->first;
	if (!d->n) {
		snprintf(err, errlen, "%s:%d: [%s] needs at least one signal = "
			 "PATH NAME line", conf_name(c), d->line, sec);
		return -1;
	}
	return 0;
}

/* a name or broker user another device has already */
static int check_unique(const struct conf *c, const struct mq_conf *mc,
			const struct mq_dev_conf *d, char *err, size_t errlen)
{
	size_t i;

	for (i = 0; i < mc->ndevs; i++) {
		const struct mq_dev_conf *o = &mc->devs[i];

		if (!strcmp(o->name, d->name) ||
		    !strcmp(o->username, d->username)) {
			snprintf(err, errlen, "%s:%d: [mqtt.%s]: the name or "
				 "username of another device (%s line %d)",
				 conf_name(c), d->line, d->name,
				 o->added ? "devices file" : "iiotd.conf",
				 o->line);
			return -1;
		}
	}
	if (!strcmp(d->username, mc->username)) {
		snprintf(err, errlen, "%s:%d: [mqtt.%s]: username \"%s\" is "
			 "iiotd's own (mqtt.username)", conf_name(c), d->line,
			 d->name, d->username);
		return -1;
	}
	return 0;
}

int mq_conf_devices(const struct conf *c, struct mq_conf *mc, bool added,
		    char *err, size_t errlen)
{
	const char **secs;
	size_t n, i;
	void *a;

	secs = calloc(MQ_DEVICES_MAX, sizeof(*secs));
	if (!secs) {
		snprintf(err, errlen, "%s: out of memory", conf_name(c));
		return -1;
	}
	n = conf_subsections(c, MQ_SEC_DOT, secs, MQ_DEVICES_MAX);
	if (n + mc->ndevs > MQ_DEVICES_MAX) {
		snprintf(err, errlen, "%s: more than %d MQTT devices",
			 conf_name(c), MQ_DEVICES_MAX);
		goto fail;
	}
	a = n ? realloc(mc->devs, (mc->ndevs + n) * sizeof(*mc->devs)) : NULL;
	if (n && !a) {
		snprintf(err, errlen, "%s: out of memory", conf_name(c));
		goto fail;
	}
	if (n)
		mc->devs = a;
	for (i = 0; i < n; i++) {
		struct mq_dev_conf *d = &mc->devs[mc->ndevs];

		memset(d, 0, sizeof(*d));
		d->added = added;
		if (dev_conf(c, secs[i], mc, d, err, errlen) ||
		    check_unique(c, mc, d, err, errlen) ||
		    add_sigs(c, secs[i], mc, d, err, errlen))
			goto fail;
		mc->ndevs++;
	}
	free(secs);
	return 0;
fail:
	free(secs);
	return -1;
}

int mq_conf_parse(const struct conf *c, const struct conf *extra,
		  struct mq_conf *mc, char *err, size_t errlen)
{
	memset(mc, 0, sizeof(*mc));
	if (conf_check_keys(c, MQ_SEC, mq_keys, err, errlen) ||
	    broker_conf(c, mc, err, errlen) ||
	    mq_conf_devices(c, mc, false, err, errlen) ||
	    (extra && mq_conf_devices(extra, mc, true, err, errlen))) {
		mq_conf_free(mc);
		return -1;
	}
	return 0;
}
