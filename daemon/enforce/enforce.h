/*
 * Enforcement (issue 13 §4, docs/security.md "Enforcement"): an IDS rule
 * whose action is block puts the offending source MAC into the inline XDP
 * program's blocklist (bpf/blocklist.h) for a time, with a reason; the
 * API and iiotctl add and remove blocks by hand.  Every add and removal
 * is audited.
 *
 * Fail-open guards: a MAC the line needs is never blocked, whoever asks:
 * an admitted device (lifecycle commissioned, active or maintenance), an
 * EtherCAT master running the line (cyclic logical datagrams) or a
 * PROFINET station in a running AR (cyclic RT to or from it).  Such a
 * request is refused with the reason, and raises enforce.refused.
 *
 * This file: the guard and the table of blocks iiotd placed (pure, no
 * I/O; tests/enforce/test_enforce.c).  subsys_enforce.c owns the map
 * descriptor, the queue from the IDS, the timer, the audit rows and
 * enforce.json; enforce_ctl.c answers the control socket.
 *
 *	[enforce]
 *	map = /sys/fs/bpf/iiot/eth1/blocklist
 *			the inline iiot-xdp's pinned blocklist; opened (made
 *			when missing) as root before privileges are dropped.
 *			Absent: tap mode, iiot cannot block.
 *	ttl = 1h	how long a block lasts (rule blocks, and by hand when
 *			no ttl is given); 1s..30d
 *
 * Enforcement itself is off until an admin turns it on (PUT
 * /api/v1/enforcement, a session that passed MFA); the switch and the
 * blocks are kept in <state_dir>/enforce.json across restarts.
 */
#ifndef IIOTD_ENFORCE_H
#define IIOTD_ENFORCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ENFORCE_MAX		256	/* blocks iiotd places at once */
#define ENFORCE_REASON_MAX	128
#define ENFORCE_WHO_MAX		48
#define ENFORCE_LIVE_NS		10000000000ULL	/* cyclic traffic this recent:
						 * the master or AR runs */
#define ENFORCE_TTL_MAX_S	(30ULL * 86400ULL)

struct model;

enum enforce_guard {
	ENFORCE_OK = 0,
	ENFORCE_G_ADMITTED,		/* lifecycle commissioned/active/maint. */
	ENFORCE_G_MASTER,		/* EtherCAT master running the line */
	ENFORCE_G_AR,			/* PROFINET station in a running AR */
	ENFORCE_G_INVALID,		/* zero, broadcast or multicast MAC */
};

/*
 * May mac be blocked?  ENFORCE_OK, or the guard that refuses with a
 * sentence in why ("00:1b:..: admitted device plc-1 (lifecycle active)").
 * m may be NULL (no model: only the invalid-MAC guard applies).  Reads
 * link statistics: m is the model's own thread's or a finished snapshot.
 */
int enforce_guard(struct model *m, const uint8_t mac[6], char *why,
		  size_t len);

struct enforce_block {
	uint8_t mac[6];
	bool ours;			/* placed by iiotd, else found in the map */
	int rule;			/* enum alert_rule_id, -1 by hand */
	uint64_t alert;			/* the alert that asked, 0 none */
	uint64_t added_ns;		/* wall clock */
	uint64_t expires_ns;		/* wall clock; 0 never */
	char who[ENFORCE_WHO_MAX];
	char reason[ENFORCE_REASON_MAX];
};

struct enforce_tab {
	struct enforce_block b[ENFORCE_MAX];
	size_t n;
};

struct enforce_block *enforce_tab_find(struct enforce_tab *t,
				       const uint8_t mac[6]);
/* A new zeroed entry for mac (the existing one when there), NULL full. */
struct enforce_block *enforce_tab_add(struct enforce_tab *t,
				      const uint8_t mac[6]);
void enforce_tab_del(struct enforce_tab *t, struct enforce_block *b);
/* The first entry expired at now_ns, or NULL. */
struct enforce_block *enforce_tab_expired(struct enforce_tab *t,
					  uint64_t now_ns);

/* "1h", "90s": a TTL for messages */
void enforce_ttl_str(uint64_t s, char *buf, size_t len);

/* ---- the subsystem (subsys_enforce.c), event-loop thread ---- */
struct iiotd;
struct json_t;

/* {"mode":"inline"|"tap","can_block":bool,"enabled":bool,"reason":...} */
struct json_t *enforce_status_json(struct iiotd *d);
/* the blocks (with the map's hit counters) and the status */
struct json_t *enforce_blocks_json(struct iiotd *d);

/* Results of enforce_block / enforce_unblock / enforce_enable */
enum enforce_result {
	ENFORCE_R_OK = 0,
	ENFORCE_R_BAD,			/* bad input: why */
	ENFORCE_R_REFUSED,		/* a guard, enforcement off, tap mode */
	ENFORCE_R_NOT_FOUND,
	ENFORCE_R_FAILED,		/* the map refused: why */
};

/*
 * Block mac for ttl_s (0: [enforce] ttl) by hand.  who/addr name the
 * actor for the audit row the caller writes (API dispatcher, control
 * socket); a guard's refusal also raises enforce.refused.
 */
int enforce_block(struct iiotd *d, const uint8_t mac[6], uint64_t ttl_s,
		  const char *reason, const char *who, char *why,
		  size_t whylen);
int enforce_unblock(struct iiotd *d, const uint8_t mac[6], char *why,
		    size_t whylen);
int enforce_enable(struct iiotd *d, bool on, const char *who, char *why,
		   size_t whylen);

/* The control socket's blocks and unblock (enforce_ctl.c). */
struct ctl_req;
struct json_t *enforce_ctl(struct iiotd *d, const struct ctl_req *req,
			   const char *who);

#endif
