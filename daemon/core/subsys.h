/*
 * iiotd subsystems plug in through one table, generated at build time from
 * the files named daemon/<sub>/subsys_<name>.c, each defining
 *
 *	const struct iiotd_subsys subsys_<name> = { ... };
 *
 * iiotd calls check_conf for "iiotd -n" and before start, start in table
 * order after the core is up (event loop, config, store), reload on
 * SIGHUP, stop in reverse order on SIGTERM, and stats for "iiotctl
 * stats" (a JSON object shown under the subsystem's name).  Any hook may
 * be NULL.
 */
#ifndef IIOTD_SUBSYS_H
#define IIOTD_SUBSYS_H

#include <stddef.h>

struct iiotd;		/* daemon/core/iiotd.h */
struct conf;		/* daemon/core/conf.h */
struct json_t;		/* jansson */

struct iiotd_subsys {
	const char *name;
	/* 0, or -1 with a message naming the config line in err */
	int (*check_conf)(const struct conf *c, char *err, size_t errlen);
	int (*start)(struct iiotd *d);
	int (*reload)(struct iiotd *d);
	/*
	 * At shutdown, before capture halts (stop comes after): end the
	 * threads that call into capture, so none is left calling while
	 * the main thread drains what is left.
	 */
	void (*quiesce)(struct iiotd *d);
	void (*stop)(struct iiotd *d);
	/* a new reference, or NULL while the subsystem is not running */
	struct json_t *(*stats)(struct iiotd *d);
};

#define SUBSYS(n) extern const struct iiotd_subsys subsys_##n;
#include "subsys_list.h"
#undef SUBSYS

#endif
