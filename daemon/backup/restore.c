/*
 * Reading backups back: verify (everything checked, nothing written) and
 * restore.  A restore stages every file beside its target and checks it
 * all (authentication of every chunk, every checksum, integrity_check of
 * every database) before it replaces anything; then it renames each into
 * place, keeping what was there as NAME.pre-restore, and undoes the
 * renames done so far if one fails.  It holds the state directory's lock
 * throughout, so it refuses while iiotd runs and iiotd cannot start
 * under it.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "backup/backup.h"
#include "core/daemon.h"

static int read_all(const char *file, const struct bak_secret *s, struct bak_manifest *m,
		    bak_sinkfn sink, void *sctx, char *err, size_t errlen)
{
	struct bak_reader *r;
	int fd, rc;

	fd = open(file, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", file, strerror(errno));
		return -1;
	}
	r = bak_reader_open(fd, s, err, errlen);
	if (!r) {
		close(fd);
		return -1;
	}
	rc = bak_archive_read(bak_reader_read, r, m, sink, sctx, err, errlen);
	if (!rc)
		rc = bak_reader_finish(r);
	/* the stream's own error (tag, truncation) says more than the archive's */
	if (rc && strcmp(bak_reader_error(r), "read failed"))
		snprintf(err, errlen, "%s", bak_reader_error(r));
	bak_reader_close(r);
	close(fd);
	return rc ? -1 : 0;
}

int bak_verify(const char *file, const struct bak_secret *s, struct bak_manifest *m,
	       char *err, size_t errlen)
{
	return read_all(file, s, m, NULL, NULL, err, errlen);
}

/* ---- restore ---- */

struct target {
	char path[4096];		/* where it goes */
	char staged[4096 + 64];		/* beside it, until renamed */
	bool db, staged_ok, moved, placed;
};

struct rst {
	const struct bak_restore_opts *o;
	const char *other;
	const struct bak_manifest *m;
	struct target t[BAK_MAX_FILES];
	size_t cur;
	int fd;
	char *err;
	size_t errlen;
};

static int mkdirs(char *path)
{
	char *p;

	for (p = path + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(path, 0700) && errno != EEXIST) {
			*p = '/';
			return -1;
		}
		*p = '/';
	}
	return mkdir(path, 0700) && errno != EEXIST ? -1 : 0;
}

/*
 * Databases and the sealing key go back into the state directory; TLS
 * material (root's) and the configuration into other_dir, for the
 * administrator to put in place.
 */
static void place(struct rst *x, const struct bak_entry *e, struct target *t)
{
	t->db = !strncmp(e->name, "db/", 3);
	if (t->db || !strncmp(e->name, "state/", 6))
		snprintf(t->path, sizeof(t->path), "%s/%s", x->o->state_dir,
			 strchr(e->name, '/') + 1);
	else
		snprintf(t->path, sizeof(t->path), "%s/%s", x->other, e->name);
}

static int stage_begin(struct rst *x, const struct bak_entry *e)
{
	struct target *t;
	char dir[4096];
	size_t i;

	for (i = 0; i < x->m->n && strcmp(x->m->e[i].name, e->name); i++)
		;
	t = &x->t[i];
	x->cur = i;
	place(x, e, t);
	snprintf(dir, sizeof(dir), "%s", t->path);
	snprintf(t->staged, sizeof(t->staged), "%s/.restore-%s.%ld", dirname(dir),
		 strrchr(t->path, '/') + 1, (long)getpid());
	if (mkdirs(dir)) {
		snprintf(x->err, x->errlen, "%s: %s", dir, strerror(errno));
		return -1;
	}
	unlink(t->staged);
	x->fd = open(t->staged, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (x->fd < 0) {
		snprintf(x->err, x->errlen, "%s: %s", t->staged, strerror(errno));
		return -1;
	}
	t->staged_ok = true;
	return 0;
}

static int sink(void *ctx, const struct bak_entry *e, int phase, const uint8_t *buf, size_t n)
{
	struct rst *x = ctx;
	ssize_t w;

	if (phase == 0)
		return stage_begin(x, e);
	if (phase == 1) {
		for (; n; buf += w, n -= (size_t)w) {
			w = write(x->fd, buf, n);
			if (w <= 0) {
				snprintf(x->err, x->errlen, "%s: %s", x->t[x->cur].staged,
					 strerror(w < 0 ? errno : ENOSPC));
				return -1;
			}
		}
		return 0;
	}
	if (fsync(x->fd) || close(x->fd)) {
		x->fd = -1;
		snprintf(x->err, x->errlen, "%s: %s", x->t[x->cur].staged, strerror(errno));
		return -1;
	}
	x->fd = -1;
	return 0;
}

static int integrity(const char *path, const char *name, char *err, size_t errlen)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	const char *res = NULL;
	int ok = 0;

	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
	    sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW) {
		res = (const char *)sqlite3_column_text(st, 0);
		ok = res && !strcmp(res, "ok");
	}
	if (!ok)
		snprintf(err, errlen, "%s: integrity_check: %s", name,
			 res ? res : db ? sqlite3_errmsg(db) : "cannot open");
	sqlite3_finalize(st);
	sqlite3_close(db);
	return ok ? 0 : -1;
}

static void aside(const char *path, const char *suffix, char *out, size_t len)
{
	snprintf(out, len, "%s%s.pre-restore", path, suffix);
}

/* a database's journal files go with it: never an old WAL on a new db */
static const char *const extra[] = { "-wal", "-shm", "-journal", NULL };

static int move_aside(struct target *t)
{
	char from[4200], to[4300];
	int i;

	for (i = 0; t->db && extra[i]; i++) {
		snprintf(from, sizeof(from), "%s%s", t->path, extra[i]);
		aside(t->path, extra[i], to, sizeof(to));
		if (rename(from, to) && errno != ENOENT)
			return -1;
	}
	aside(t->path, "", to, sizeof(to));
	if (rename(t->path, to) && errno != ENOENT)
		return -1;
	t->moved = true;
	return 0;
}

static void undo(struct target *t)
{
	char from[4300], to[4200];
	int i;

	if (t->placed)
		rename(t->path, t->staged);
	for (i = 0; t->moved && t->db && extra[i]; i++) {
		aside(t->path, extra[i], from, sizeof(from));
		snprintf(to, sizeof(to), "%s%s", t->path, extra[i]);
		rename(from, to);
	}
	aside(t->path, "", from, sizeof(from));
	if (t->moved)
		rename(from, t->path);
	t->placed = t->moved = false;
}

static void sync_dir(const char *path)
{
	char dir[4096];
	int fd;

	snprintf(dir, sizeof(dir), "%s", path);
	fd = open(dirname(dir), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
}

static int commit(struct rst *x)
{
	size_t i, j;

	for (i = 0; i < x->m->n; i++) {
		struct target *t = &x->t[i];

		if (move_aside(t) || rename(t->staged, t->path)) {
			snprintf(x->err, x->errlen, "%s: %s (nothing restored: every file put "
				 "back as it was)", t->path, strerror(errno));
			for (j = 0; j <= i; j++)
				undo(&x->t[j]);
			return -1;
		}
		t->placed = true;
		t->staged_ok = false;
	}
	for (i = 0; i < x->m->n; i++)
		sync_dir(x->t[i].path);
	return 0;
}

int bak_restore(const char *file, const struct bak_secret *s,
		const struct bak_restore_opts *o, struct bak_manifest *m,
		char *err, size_t errlen)
{
	struct rst *x = calloc(1, sizeof(*x));
	char other[4096], why[512];
	int lock = -1, rc = -1;
	size_t i;

	if (!x) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (mkdir(o->state_dir, 0700) && errno != EEXIST) {
		snprintf(err, errlen, "%s: %s", o->state_dir, strerror(errno));
		goto out;
	}
	lock = statelock_take(o->state_dir, why, sizeof(why));
	if (lock < 0) {
		snprintf(err, errlen, "refusing to restore: %s", why);
		goto out;
	}
	snprintf(other, sizeof(other), "%s", o->other_dir ? o->other_dir : "");
	if (!o->other_dir)
		snprintf(other, sizeof(other), "%s/restored", o->state_dir);
	x->o = o;
	x->other = other;
	x->m = m;
	x->fd = -1;
	x->err = err;
	x->errlen = errlen;
	*err = '\0';
	if (read_all(file, s, m, sink, x, err, errlen))
		goto out;
	for (i = 0; i < m->n; i++)
		if (x->t[i].db && integrity(x->t[i].staged, m->e[i].name, err, errlen))
			goto out;
	rc = commit(x);
out:
	if (x->fd >= 0)
		close(x->fd);
	for (i = 0; i < BAK_MAX_FILES; i++)
		if (x->t[i].staged_ok)
			unlink(x->t[i].staged);
	if (lock >= 0)
		close(lock);
	free(x);
	return rc;
}
