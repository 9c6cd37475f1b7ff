/*
 * RFC 5424 syslog over UDP (RFC 5426), one datagram per alert that needs
 * attention: facility local0, the alert's severity, structured data
 * [iiot@32473 id rule severity state technique device src dst count] and
 * the English message.  Sending never blocks: a full socket buffer drops
 * the line, counted.
 */
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "alerts/alert_syslog.h"
#include "alerts/alerts.h"
#include "core/conf.h"

#define FACILITY_LOCAL0	16

struct alert_syslog {
	int fd;
	char host[256];
	unsigned long dropped;
};

static int split(const char *v, char *host, size_t hlen, char **port)
{
	const char *c = strrchr(v, ':');

	if (!c || c == v || !c[1] || (size_t)(c - v) >= hlen)
		return -1;
	memcpy(host, v, (size_t)(c - v));
	host[c - v] = 0;
	*port = (char *)c + 1;
	return atoi(*port) > 0 && atoi(*port) < 65536 ? 0 : -1;
}

int alert_syslog_check(const struct conf *c, char *err, size_t errlen)
{
	const struct conf_entry *e = conf_find(c, "alerts", "syslog");
	char host[256], *port;

	if (e && split(e->value, host, sizeof(host), &port)) {
		conf_errf(c, e, err, errlen, "alerts.syslog: '%s' is not "
			  "HOST:PORT", e->value);
		return -1;
	}
	return 0;
}

struct alert_syslog *alert_syslog_open(const struct conf *c, char *err,
				       size_t errlen)
{
	const char *v = conf_get(c, "alerts", "syslog");
	struct addrinfo hints = { 0 }, *ai = NULL;
	struct alert_syslog *s;
	char host[256], *port;
	int rc;

	err[0] = 0;
	if (!v || split(v, host, sizeof(host), &port))
		return NULL;
	hints.ai_socktype = SOCK_DGRAM;
	rc = getaddrinfo(host, port, &hints, &ai);
	if (rc) {
		snprintf(err, errlen, "syslog %s: %s", v, gai_strerror(rc));
		return NULL;
	}
	s = calloc(1, sizeof(*s));
	if (s) {
		s->fd = socket(ai->ai_family, SOCK_DGRAM | SOCK_NONBLOCK |
			       SOCK_CLOEXEC, 0);
		if (s->fd < 0 || connect(s->fd, ai->ai_addr, ai->ai_addrlen)) {
			snprintf(err, errlen, "syslog %s: %s", v,
				 strerror(errno));
			if (s->fd >= 0)
				close(s->fd);
			free(s);
			s = NULL;
		}
	}
	freeaddrinfo(ai);
	if (s && gethostname(s->host, sizeof(s->host)))
		snprintf(s->host, sizeof(s->host), "-");
	return s;
}

void alert_syslog_close(struct alert_syslog *s)
{
	if (!s)
		return;
	close(s->fd);
	free(s);
}

/* SD-PARAM values escape '"', '\' and ']' (RFC 5424 6.3.3) */
static void sd_value(char *out, size_t len, const char *v)
{
	size_t o = 0;

	for (; *v && o + 2 < len; v++) {
		if (*v == '"' || *v == '\\' || *v == ']')
			out[o++] = '\\';
		out[o++] = *v;
	}
	out[o] = 0;
}

void alert_syslog_send(struct alert_syslog *s, const struct alert_change *c)
{
	const struct alert *a = &c->a;
	const struct alert_rule *r = alert_rule(a->rule);
	static const int sev[] = { 6, 6, 4, 2 };	/* info warning crit */
	char msg[ALERT_MSG_MAX], line[1500], ts[40], dev[2 * ALERT_LABEL_MAX];
	char src[18], dst[18];
	struct tm tm;
	time_t t;
	int n;

	if (c->kind != ALERT_CH_RAISED && c->kind != ALERT_CH_RETURNED &&
	    c->kind != ALERT_CH_ESCALATED)
		return;
	if (a->shelved_until_ns)
		return;
	t = time(NULL);
	gmtime_r(&t, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tm);
	alert_message(a, "en", msg, sizeof(msg));
	sd_value(dev, sizeof(dev), a->label[0] ? a->label : "-");
	alert_mac_str(a->src, src);
	alert_mac_str(a->dst, dst);
	n = snprintf(line, sizeof(line), "<%d>1 %s %s iiotd - ALERT "
		     "[iiot@32473 id=\"%llu\" rule=\"%s\" severity=\"%s\" "
		     "state=\"%s\" technique=\"%s\" device=\"%s\" src=\"%s\" "
		     "dst=\"%s\" count=\"%llu\"] %s",
		     FACILITY_LOCAL0 * 8 + sev[a->severity & 3], ts, s->host,
		     (unsigned long long)a->id, r->id,
		     alert_severity_name(a->severity),
		     alert_state_name(a->state),
		     r->technique ? r->technique : "-", dev, src, dst,
		     (unsigned long long)a->count, msg);
	if (n > 0 && send(s->fd, line, (size_t)n < sizeof(line) ? (size_t)n :
			  sizeof(line) - 1, MSG_DONTWAIT) < 0)
		s->dropped++;
}
