/* Answers to control-socket requests that fit in one JSON object. */
#ifndef IIOTD_CTLCMDS_H
#define IIOTD_CTLCMDS_H

#include <sys/types.h>

struct iiotd;
struct ctl_req;
struct json_t;

/*
 * A new {"ok":...} object (never NULL unless out of memory).  peer: the
 * client's uid (SO_PEERCRED), whose user name the audit log records as
 * the actor of what a request changes.
 */
struct json_t *ctlcmd_answer(struct iiotd *d, const struct ctl_req *req,
			     uid_t peer);

/* iiotd's version string */
#define IIOTD_VERSION	"0.1"

#endif
