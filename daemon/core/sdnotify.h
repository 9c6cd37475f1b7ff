/*
 * systemd's readiness and watchdog protocol (sd_notify(3)), spoken
 * directly: one datagram per state to $NOTIFY_SOCKET.  Opened before the
 * privilege drop; without NOTIFY_SOCKET every call does nothing.
 */
#ifndef IIOTD_SDNOTIFY_H
#define IIOTD_SDNOTIFY_H

#include <stdint.h>

/* Take NOTIFY_SOCKET (and unset it for children); 0, or -1 when set but unusable. */
int sdnotify_open(void);
/* "READY=1", "WATCHDOG=1", "STATUS=...", ...; newline-separated assignments */
void sdnotify(const char *msg);
/* WATCHDOG_USEC when it is meant for this process, else 0 */
uint64_t sdnotify_watchdog_usec(void);

#endif
