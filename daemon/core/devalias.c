/* Device aliases: the model's table and the store's column in step. */
#include <stdio.h>
#include <string.h>

#include "capture/capture.h"
#include "core/devalias.h"
#include "core/iiotd.h"
#include "core/log.h"
#include "libshm.h"
#include "store/store.h"

struct alias_call {
	struct model *m;
	const char *key, *alias;
	struct devalias *out;
	int rc;
};

/* On the capture thread, which owns the model. */
static void alias_apply(void *arg)
{
	struct alias_call *c = arg;
	const struct model_device *dev = model_device_find(c->m, c->key);
	const char *old;

	if (!dev) {
		snprintf(c->out->why, sizeof(c->out->why),
			 "no such device '%.64s'", c->key);
		c->rc = 404;
		return;
	}
	c->out->id = dev->id;
	model_device_label(c->m, dev, c->out->label, sizeof(c->out->label));
	old = model_alias_get(c->m, c->out->label);
	snprintf(c->out->from, sizeof(c->out->from), "%s", old ? old : "");
	if (model_alias_set(c->m, c->out->label, c->alias)) {
		snprintf(c->out->why, sizeof(c->out->why), "no room for "
			 "another alias (%d held)", MODEL_MAX_ALIASES);
		c->rc = 507;
		return;
	}
	c->rc = 200;
}

int devalias_set(struct iiotd *d, const char *key, const char *alias,
		 const char *who, struct devalias *out)
{
	struct alias_call c = { d->model, key, alias, out, 404 };
	char detail[MODEL_ALIAS_MAX * 2 + 80];

	memset(out, 0, sizeof(*out));
	if (model_alias_check(alias, strlen(alias), out->why,
			      sizeof(out->why)))
		return 400;
	if (!c.m) {
		snprintf(out->why, sizeof(out->why), "no such device");
		return 404;
	}
	capture_call(d->capture, alias_apply, &c);
	if (c.rc != 200 || !strcmp(out->from, alias))
		return c.rc;
	/* the history says who renamed it, from what, as lifecycle's does */
	snprintf(detail, sizeof(detail), "\"%s\" -> \"%s\" by %s", out->from,
		 alias, who);
	if (d->store && !store_device_alias(d->store, out->id, out->label,
					    alias, detail, shm_now_ns()))
		log_warnx("device %u: alias not stored (the store's queue is "
			  "full): it lasts until iiotd stops", out->id);
	return 200;
}

static void loaded(void *arg, const char *label, const char *alias)
{
	struct iiotd *d = arg;
	char why[160] = "";

	if (model_alias_check(alias, strlen(alias), why, sizeof(why)) ||
	    model_alias_set(d->model, label, alias))
		log_warnx("store: the alias of %.80s left out: %s", label,
			  *why ? why : "no room");
}

void devalias_load(struct iiotd *d)
{
	char err[512];
	long n;

	if (!d->store || !d->model)
		return;
	n = store_query_aliases(store_path(d->store), loaded, d, err,
				sizeof(err));
	if (n < 0)
		log_warnx("store: aliases: %s; devices start without", err);
	else if (n)
		log_info("store: %ld device alias%s", n, n == 1 ? "" : "es");
}
