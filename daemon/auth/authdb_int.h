/* Internal to daemon/auth: the handle behind struct authdb. */
#ifndef IIOT_AUTHDB_INT_H
#define IIOT_AUTHDB_INT_H

#include <sqlite3.h>

#include "auth/authdb.h"
#include "auth/seal.h"

struct authdb {
	sqlite3 *db;
	uint8_t key[SEAL_KEY];
};

/* run sql with "?"s bound from fmt: i = int64_t, t = text; 0, 1 on constraint, -1 */
int authdb_exec(struct authdb *a, const char *sql, const char *fmt, ...);

#endif
