/* baseline.db (baseline_db.c): the baseline's JSON form, one row. */
#ifndef IIOTD_BASELINE_DB_H
#define IIOTD_BASELINE_DB_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

typedef struct sqlite3 sqlite3;

sqlite3 *baseline_db_open(const char *path, char *err, size_t errlen);
/* The stored baseline, or NULL: none (err "") or unreadable (err says). */
json_t *baseline_db_load(sqlite3 *db, char *err, size_t errlen);
int baseline_db_save(sqlite3 *db, const json_t *doc, uint64_t now_ns);

#endif
