/*
 * The way to the brokers (link.h).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <mosquitto.h>

#include "core/clock.h"
#include "core/log.h"
#include "north/link.h"

int north_tls_set(struct mosquitto *m, const char *ca, const char *cert,
		  const char *key)
{
	return mosquitto_tls_set(m, ca[0] ? ca : NULL,
				 ca[0] ? NULL : "/etc/ssl/certs",
				 cert[0] ? cert : NULL, key[0] ? key : NULL,
				 NULL) ||
	       mosquitto_tls_opts_set(m, 1, NULL, NULL) ||
	       mosquitto_tls_insecure_set(m, false) ? -1 : 0;
}

void north_link_init(struct north_link *l, const char *who,
		     const struct north_link_conf *c, void *arg)
{
	memset(l, 0, sizeof(*l));
	l->who = who;
	l->c = c;
	l->arg = arg;
}

const struct north_broker *north_link_broker(const struct north_link *l)
{
	return &l->c->brokers[l->broker];
}

bool north_link_due(const struct north_link *l)
{
	return mono_ms() >= l->next_try;
}

void north_link_fail(struct north_link *l, const char *fmt, ...)
{
	char msg[sizeof(l->last_err)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (strcmp(msg, l->last_err))
		log_warnx("%s: %s (retrying; said once)", l->who, msg);
	snprintf(l->last_err, sizeof(l->last_err), "%s", msg);
}

void *north_link_arg(void *obj)
{
	return ((struct north_link *)obj)->arg;
}

/* libmosquitto says why a TLS handshake failed only in its log (OpenSSL
 * Error[0]: ...: certificate verify failed): the first of an attempt is
 * kept for the failure's message */
static void on_log(struct mosquitto *m, void *obj, int level, const char *s)
{
	struct north_link *l = obj;
	const char *p = strstr(s, "OpenSSL Error");

	(void)m;
	if (level != MOSQ_LOG_ERR || !p || l->tls_err[0])
		return;
	/* "error:0A000086:SSL routines::certificate verify failed": the
	 * words after the last colon */
	p = strrchr(p, ':');
	snprintf(l->tls_err, sizeof(l->tls_err), "%s", p ? p + 1 : s);
}

struct mosquitto *north_link_client(struct north_link *l)
{
	const struct north_broker *br = north_link_broker(l);
	struct mosquitto *m = mosquitto_new(l->c->client_id, true, l);

	l->tls_err[0] = 0;
	if (!m) {
		north_link_fail(l, "%s: cannot make a client", br->url);
		return NULL;
	}
	mosquitto_int_option(m, MOSQ_OPT_PROTOCOL_VERSION, l->c->protocol == 5 ?
			     MQTT_PROTOCOL_V5 : MQTT_PROTOCOL_V311);
	/* a change set is one small PUBLISH: with Nagle's algorithm it
	 * waited for the ACK of the one before, delayed by the peer up to
	 * 40 ms */
	mosquitto_int_option(m, MOSQ_OPT_TCP_NODELAY, 1);
	mosquitto_log_callback_set(m, on_log);
	if (l->c->username[0] &&
	    mosquitto_username_pw_set(m, l->c->username, l->c->password[0] ?
				      l->c->password : NULL)) {
		north_link_fail(l, "%s: cannot set the credentials", br->url);
		goto bad;
	}
	if (br->tls && north_tls_set(m, l->c->ca, l->c->cert, l->c->key)) {
		north_link_fail(l, "%s: cannot set up TLS (ca %s, cert %s)",
				br->url, l->c->ca[0] ? l->c->ca : "the system's",
				l->c->cert[0] ? l->c->cert : "none");
		goto bad;
	}
	return m;
bad:
	mosquitto_destroy(m);
	return NULL;
}

int north_link_connect(struct north_link *l, struct mosquitto *m)
{
	const struct north_broker *br = north_link_broker(l);
	int rc = mosquitto_connect(m, br->host, br->port, (int)l->c->keepalive_s);

	if (!rc)
		return 0;
	if (rc == MOSQ_ERR_TLS || l->tls_err[0])
		north_link_fail(l, "%s: TLS handshake failed: %s", br->url,
				l->tls_err[0] ? l->tls_err : mosquitto_strerror(rc));
	else
		north_link_fail(l, "%s: %s", br->url, rc == MOSQ_ERR_ERRNO ?
				strerror(errno) : mosquitto_strerror(rc));
	return -1;
}

void north_link_closed(struct north_link *l, int rc)
{
	const struct north_broker *br = north_link_broker(l);

	if (l->tls_err[0] || rc == MOSQ_ERR_TLS)
		north_link_fail(l, "%s: TLS handshake failed: %s", br->url,
				l->tls_err[0] ? l->tls_err :
				mosquitto_strerror(rc));
	else
		north_link_fail(l, "%s: the connection closed before the "
				"broker answered (%s)", br->url,
				rc == MOSQ_ERR_ERRNO ? strerror(errno) :
				mosquitto_strerror(rc));
}

void north_link_refused(struct north_link *l, int rc)
{
	north_link_fail(l, "%s refused the connection: %s",
			north_link_broker(l)->url, mosquitto_connack_string(rc));
}

void north_link_up(struct north_link *l)
{
	l->last_err[0] = 0;
}

void north_link_ok(struct north_link *l)
{
	l->fails = 0;
}

void north_link_lost(struct north_link *l)
{
	uint64_t now = mono_ms(), wait;

	l->broker = (l->broker + 1) % l->c->nbrokers;
	l->fails++;
	wait = l->c->retry_ms << (l->fails < 6 ? l->fails - 1 : 5);
	l->next_try = now + (wait < NORTH_BACKOFF_MAX_MS ? wait :
			     NORTH_BACKOFF_MAX_MS);
}

void north_link_close(struct mosquitto *m)
{
	int i;

	for (i = 0; i < 10 && mosquitto_want_write(m); i++)
		mosquitto_loop(m, 20, 1);
	mosquitto_disconnect(m);
	for (i = 0; i < 5; i++)
		if (mosquitto_loop(m, 20, 1))
			break;
}
