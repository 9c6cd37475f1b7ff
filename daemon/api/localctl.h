/*
 * Control actions from the control socket (iiotctl dcp|modbus write):
 * the operator is the peer's unix user (SO_PEERCRED), whom the socket
 * lets in only as root, iiotd's user or a member of its group.  The same
 * gate as the API's minus the second factor, which the local login is:
 * a reason, the lifecycle state, the rate limits, a dry run that shows
 * the frame; one audit row per request under the user's name and uid.
 */
#ifndef IIOTD_API_LOCALCTL_H
#define IIOTD_API_LOCALCTL_H

#include <stdbool.h>
#include <sys/types.h>
#include <jansson.h>

struct iiotd;
struct model;
struct ctl_req;

/* On a reader thread (it waits for the device); m: a snapshot's model */
json_t *localctl(struct iiotd *d, const struct model *m,
		 const struct ctl_req *req, const char *who, uid_t uid);

/*
 * One audit row of a local command, as the API's dispatcher writes them
 * (routes.c rq_end): address "ctl", the result from the HTTP status code
 * and gate as audit_result_of has it, detail with "status" added.
 * 0, or -1 when it could not be written (logged).
 */
int localctl_audit(struct iiotd *d, const char *who, const char *action,
		   const char *target, int code, bool gate, json_t *detail);

#endif
