/*
 * The daemon's shared state, handed to every subsystem hook.
 *
 * Threading: everything here is owned by the event-loop thread (base).
 * Subsystems that run their own threads read the model only through
 * callbacks scheduled on base (event_base_once) and the store only through
 * its reader functions, which are thread-safe and run on the reader pool.
 */
#ifndef IIOTD_IIOTD_H
#define IIOTD_IIOTD_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct event_base;
struct conf;
struct model;
struct store;
struct readpool;
struct capture;
struct ctlsock;
struct alerts;
struct ids;
struct diag;
struct analytics;
struct pnar;

struct iiotd {
	struct event_base *base;
	struct conf *conf;		/* current config; replaced on SIGHUP */
	const char *conf_path;		/* NULL: embedded defaults */
	struct model *model;		/* daemon/model/model.h */
	struct store *store;		/* daemon/store/store.h */
	struct readpool *readers;	/* daemon/store/readpool.h: every
					 * query of the store runs there */
	struct capture *capture;	/* daemon/capture/capture.h */
	struct ctlsock *ctl;		/* daemon/core/ctlsock.h */
	struct alerts *alerts;		/* daemon/alerts/alerts.h: raised into
					 * from any thread */
	struct ids *ids;		/* daemon/ids/ids.h: capture path only */
	struct diag *diag;		/* daemon/diag/diag.h: capture path only */
	struct pnar *pnar;		/* daemon/desc/pnar.h: PROFINET
					 * stations' layouts, capture path */
	/* the signals again, on the capture thread (iiotd_start sets it;
	 * capture calls it after a station's connect) */
	void (*signals_here)(struct iiotd *d);
	struct analytics *analytics;	/* daemon/analytics: fed samples on
					 * the capture path */
	char state_dir[PATH_MAX];	/* [iiotd] state_dir: db, socket */
	char ctl_path[PATH_MAX];	/* control socket */
	uint64_t start_ns;		/* CLOCK_REALTIME at start */
	int foreground;
	int lock_fd;			/* state_dir/iiotd.lock, 0: not held */
	uid_t run_uid;			/* after dropping privileges */
	gid_t run_gid;
	char run_user[64];
	bool drop;			/* started as root: drop to run_uid */
};

/* Defaults when the config does not say (overridable at build time). */
#ifndef IIOTD_DEFAULT_STATE_DIR
#define IIOTD_DEFAULT_STATE_DIR	"/var/lib/iiot"
#endif
#define IIOTD_CTL_NAME		"iiotd.sock"
#define IIOTD_DB_NAME		"iiot.db"

#endif
