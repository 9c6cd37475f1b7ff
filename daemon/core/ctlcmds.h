/* Answers to control-socket requests that fit in one JSON object. */
#ifndef IIOTD_CTLCMDS_H
#define IIOTD_CTLCMDS_H

struct iiotd;
struct ctl_req;
struct json_t;

/* A new {"ok":...} object (never NULL unless out of memory). */
struct json_t *ctlcmd_answer(struct iiotd *d, const struct ctl_req *req);

/* iiotd's version string */
#define IIOTD_VERSION	"0.1"

#endif
