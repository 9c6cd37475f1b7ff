/* Store internals shared by store*.c. */
#ifndef IIOTD_STORE_INT_H
#define IIOTD_STORE_INT_H

#include <stddef.h>

#include "store/store.h"

struct sqlite3;
int store_migrate(struct sqlite3 *db, char *err, size_t errlen);
/* Open with the pragmas every connection needs; NULL with err. */
struct sqlite3 *store_db_open(const char *path, int readonly, char *err,
			      size_t errlen);

#endif
