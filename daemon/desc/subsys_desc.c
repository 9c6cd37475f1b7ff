/*
 * iiotd subsystem "desc": descriptions.db and the imports through the API
 * (docs/descriptions.md).  An ENI's signals join the mapping file's
 * (iiotd_reload_signals): checked against it before the file is stored,
 * so an import can never leave iiotd with a mapping it cannot load.
 */
#include <limits.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/conf.h"
#include "core/daemon.h"
#include "core/iiotd.h"
#include "core/log.h"
#include "core/subsys.h"
#include "desc/desc_db.h"
#include "desc/descsys.h"
#include "libshm.h"
#include "model/model.h"

static struct {
	sqlite3 *db;
} ds;

static int desc_start(struct iiotd *d)
{
	char path[PATH_MAX + 32], err[512];

	snprintf(path, sizeof(path), "%s/%s", d->state_dir, DESC_DB_NAME);
	ds.db = desc_db_open(path, err, sizeof(err));
	if (!ds.db) {
		log_warnx("descriptions: %s", err);
		return -1;
	}
	return 0;
}

static void desc_stop(struct iiotd *d)
{
	(void)d;
	sqlite3_close(ds.db);
	ds.db = NULL;
}

/* the mapping with this ENI's signals too loads (a scratch model) */
static int eni_fits(struct iiotd *d, const struct desc *x, char *why,
		    size_t whylen)
{
	char *stored = desc_store_sigmap(d->state_dir), *mine, *all;
	size_t n, skipped, l1, l2;
	struct model *m;
	int rc = -1;

	mine = desc_eni_sigmap(x, x->master, &n, &skipped);
	l1 = stored ? strlen(stored) : 0;
	l2 = mine ? strlen(mine) : 0;
	all = mine ? malloc(l1 + l2 + 1) : NULL;
	m = all ? model_new(NULL) : NULL;
	if (m) {
		memcpy(all, stored ? stored : "", l1);
		memcpy(all + l1, mine, l2 + 1);
		rc = model_load_signals_with(m, conf_get(d->conf, "model",
							 "signals"),
					     all, why, whylen);
	} else {
		snprintf(why, whylen, "out of memory");
	}
	model_free(m);
	free(stored);
	free(mine);
	free(all);
	return rc;
}

json_t *descsys_import(struct iiotd *d, const char *file, const char *by,
		       const char *xml, size_t len, int *code, char *why,
		       size_t whylen)
{
	struct desc *x;
	json_t *row = NULL;
	size_t l;
	int64_t id;
	char *back;

	*code = 503;
	if (!ds.db) {
		snprintf(why, whylen, "descriptions are not running");
		return NULL;
	}
	*code = 400;
	x = desc_parse(xml, len, why, whylen);
	if (!x)
		return NULL;
	if (x->kind == DESC_ENI && eni_fits(d, x, why, whylen)) {
		desc_free(x);
		return NULL;
	}
	*code = 500;
	id = desc_db_add(ds.db, x, file, by, xml, len, shm_now_ns());
	if (id < 0) {
		snprintf(why, whylen, "descriptions.db: %s",
			 sqlite3_errmsg(ds.db));
		desc_free(x);
		return NULL;
	}
	log_info("descriptions: %s %s '%s' (%zu devices) imported by %s as %lld",
		 desc_kind_name(x->kind), file, x->name, x->ndevs, by,
		 (long long)id);
	/* a GSDML names the stations whose connects were seen */
	if (x->kind != DESC_ESI)
		iiotd_reload_signals(d);
	desc_free(x);
	back = desc_db_xml(ds.db, id, &l, &row);
	free(back);
	return row;
}

json_t *descsys_list(struct iiotd *d)
{
	(void)d;
	return ds.db ? desc_db_list(ds.db) : NULL;
}

json_t *descsys_show(struct iiotd *d, int64_t id)
{
	json_t *row = NULL;
	struct desc *x;
	char err[256];
	size_t len;
	char *xml;

	(void)d;
	xml = ds.db ? desc_db_xml(ds.db, id, &len, &row) : NULL;
	if (!xml)
		return NULL;
	x = desc_parse(xml, len, err, sizeof(err));
	free(xml);
	json_object_set_new(row, "description", x ? desc_json(x) :
			    json_pack("{s:s}", "error", err));
	desc_free(x);
	return row;
}

int descsys_remove(struct iiotd *d, int64_t id)
{
	int rc;

	if (!ds.db)
		return -1;
	rc = desc_db_del(ds.db, id);
	if (rc > 0) {
		log_info("descriptions: %lld removed", (long long)id);
		iiotd_reload_signals(d);
	}
	return rc;
}

const struct iiotd_subsys subsys_desc = {
	.name = "desc",
	.start = desc_start,
	.stop = desc_stop,
};
