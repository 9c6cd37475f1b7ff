/* Answers to control-socket requests that fit in one JSON object. */
#ifndef IIOTD_CTLCMDS_H
#define IIOTD_CTLCMDS_H

#include <stdbool.h>
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

/*
 * Verbs that read the store (history, device) are answered on a reader
 * thread (store/readpool.h), never on the loop: ctlcmd_submit queues one,
 * and reply(arg, answer) follows on the loop unless the job is cancelled
 * (readpool_cancel; the answer is then dropped).  NULL: not queued
 * (errno EAGAIN when the readers are busy).
 */
bool ctlcmd_reads_store(const struct ctl_req *req);
typedef void (*ctlcmd_reply_fn)(void *arg, struct json_t *answer);
struct readpool_job;
struct readpool_job *ctlcmd_submit(struct iiotd *d, const struct ctl_req *req,
				   uid_t peer, ctlcmd_reply_fn reply,
				   void *arg);

/* iiotd's version string */
#define IIOTD_VERSION	"0.1"

#endif
