/* iiotd's life: check the config, start, reload on SIGHUP, stop. */
#ifndef IIOTD_DAEMON_H
#define IIOTD_DAEMON_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

struct iiotd;
struct conf;
struct json_t;

/* Every core section and every subsystem's check_conf. */
int iiotd_check_conf(const struct conf *c, char *err, size_t errlen);
/* d->base and d->conf set; opens store, model, capture, socket,
 * subsystems, then drops privileges. */
int iiotd_start(struct iiotd *d, char *err, size_t errlen);
/* Re-read d->conf_path; keeps the running config when the new one is
 * bad. */
void iiotd_reload(struct iiotd *d);
/* the signals again (mapping file, imported descriptions); loop thread */
void iiotd_reload_signals(struct iiotd *d);
/* Drain rings, stop subsystems, flush the store, free everything. */
void iiotd_stop(struct iiotd *d);
/* Each running subsystem's counters into o, under its name. */
void iiotd_subsys_stats(struct iiotd *d, struct json_t *o);
/* Everything "iiotctl stats" shows (core and subsystems) into o. */
void iiotd_stats(struct iiotd *d, struct json_t *o);

/* Dropping root, see privdrop.c; 0, or -1 with err.  prepare: before any
 * thread is made; privdrop: once everything privileged is open. */
int iiotd_priv_prepare(struct iiotd *d, const char *user, char *err,
		       size_t errlen);
int iiotd_privdrop(struct iiotd *d, char *err, size_t errlen);
/* Make the state directory and give it to the user iiotd drops to. */
int iiotd_state_dir(struct iiotd *d, char *err, size_t errlen);
/* Open and create files as the user iiotd drops to (true) or as root. */
void iiotd_fs_user(struct iiotd *d, bool user);

/* The state directory's lock (statelock.c): its fd, held until exit, or
 * -1 with err naming the iiotd that holds it. */
int statelock_take(const char *dir, char *err, size_t errlen);

#endif
