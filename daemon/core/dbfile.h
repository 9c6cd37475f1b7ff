/* SQLite database files that only iiotd's user can read. */
#ifndef IIOT_DBFILE_H
#define IIOT_DBFILE_H

#include <stddef.h>

/*
 * Make path (created empty when missing) and any -wal, -shm or -journal
 * beside it mode 0600 before SQLite opens it; a symlink or anything but a
 * regular file is refused.  0, or -1 with a reason in err.
 */
int dbfile_private(const char *path, char *err, size_t errlen);

#endif
