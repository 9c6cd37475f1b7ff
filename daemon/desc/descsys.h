/*
 * iiotd subsystem "desc" (subsys_desc.c): imported device descriptions
 * in descriptions.db, for the API (daemon/api/h_desc.c).  Loop thread.
 */
#ifndef IIOTD_DESCSYS_H
#define IIOTD_DESCSYS_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

struct iiotd;

/*
 * Import xml under file's name for user by: parsed (nothing stored when
 * it fails: 400 with why), then stored, and an ENI's signals reach the
 * model.  The stored row's JSON, or NULL with *code (400, 503) and why.
 */
json_t *descsys_import(struct iiotd *d, const char *file, const char *by,
		       const char *xml, size_t len, int *code, char *why,
		       size_t whylen);
json_t *descsys_list(struct iiotd *d);
/* the row with "description" (desc_json), or NULL: no such id */
json_t *descsys_show(struct iiotd *d, int64_t id);
/* 1 removed, 0 no such id, -1 not running */
int descsys_remove(struct iiotd *d, int64_t id);

/*
 * The control socket's description requests (desc_ctl.c): list, show,
 * remove, import; imports and removals audited under who.
 */
struct ctl_req;
json_t *descsys_ctl(struct iiotd *d, const struct ctl_req *req,
		    const char *who);

#endif
