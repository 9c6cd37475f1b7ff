/* Alerts to a SIEM: RFC 5424 syslog over UDP ([alerts] syslog = HOST:PORT). */
#ifndef IIOTD_ALERT_SYSLOG_H
#define IIOTD_ALERT_SYSLOG_H

#include <stddef.h>

struct alert_syslog;
struct alert_change;
struct conf;

/* 0, or -1 with "FILE:LINE: alerts.syslog: why" */
int alert_syslog_check(const struct conf *c, char *err, size_t errlen);
/* NULL with err "" when not configured, or with a reason */
struct alert_syslog *alert_syslog_open(const struct conf *c, char *err,
				       size_t errlen);
void alert_syslog_close(struct alert_syslog *s);
/* Raised, returned and escalated alerts that are not shelved. */
void alert_syslog_send(struct alert_syslog *s, const struct alert_change *c);

#endif
