/*
 * descriptions.db (desc_db.c): imported device descriptions, the file as
 * it came and what was read from it.  Used on one thread at a time.
 */
#ifndef IIOTD_DESC_DB_H
#define IIOTD_DESC_DB_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "desc/desc.h"

#define DESC_DB_NAME	"descriptions.db"

typedef struct sqlite3 sqlite3;

sqlite3 *desc_db_open(const char *path, char *err, size_t errlen);
/* the new row's id, or -1 */
int64_t desc_db_add(sqlite3 *db, const struct desc *d, const char *file,
		    const char *by, const char *xml, size_t len,
		    uint64_t now_ns);
/* [{id, kind, name, vendor, vendor_id, file, size, devices, imported_ns, by}] */
json_t *desc_db_list(sqlite3 *db);
/* the stored file (malloc'd, NUL-terminated), or NULL: no such id */
char *desc_db_xml(sqlite3 *db, int64_t id, size_t *len, json_t **row);
/* 1 removed, 0 no such id, -1 error */
int desc_db_del(sqlite3 *db, int64_t id);

/* a description's JSON: vendor, devices with groups and entries */
json_t *desc_json(const struct desc *d);

/*
 * The signals of every stored ENI as mapping lines (desc_eni_sigmap),
 * read from state_dir's descriptions.db on its own connection; NULL when
 * there is none.  Any thread.
 */
char *desc_store_sigmap(const char *state_dir);

/*
 * Each stored description of kind (enum desc_kind) that parses, in the
 * order imported, to fn; read on its own connection, any thread.  How
 * many.
 */
int desc_store_each(const char *state_dir, unsigned int kind,
		    void (*fn)(void *arg, const struct desc *x), void *arg);

#endif
