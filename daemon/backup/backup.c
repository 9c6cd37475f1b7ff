/*
 * Making backups: what goes in (the plan), consistent snapshots of the
 * databases while iiotd runs, the manifest, the file written under a
 * temporary name and renamed once complete; listing and retention.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <openssl/evp.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "backup/backup.h"
#include "core/conf.h"
#include "core/iiotd.h"

#ifndef IIOT_VERSION
#define IIOT_VERSION "dev"
#endif
#define PREFIX	"iiot-"
#define BUF	(64U * 1024)

/* ---- the plan ---- */

static int add(struct bak_plan *p, const char *name, const char *path, bool db)
{
	struct bak_item *it;

	if (p->n == BAK_MAX_FILES)
		return -1;
	it = &p->item[p->n++];
	memset(it, 0, sizeof(*it));
	snprintf(it->name, sizeof(it->name), "%s", name);
	snprintf(it->path, sizeof(it->path), "%s", path);
	it->db = db;
	return 0;
}

static int in_state(char *out, size_t len, const char *dir, const char *name)
{
	return bak_path(out, len, "%s/%s", dir, name);
}

/* every *.db the state directory holds besides the store: a subsystem
 * that adds a database is backed up without being listed here */
static int add_state_dbs(struct bak_plan *p, const char *store)
{
	char path[4096], name[BAK_NAME_MAX + 1];
	struct dirent *de;
	size_t len, i;
	DIR *d;
	int rc = 0;

	d = opendir(p->state_dir);
	if (!d)
		return 0;
	while ((de = readdir(d))) {
		len = strlen(de->d_name);
		if (len < 4 || strcmp(de->d_name + len - 3, ".db") || de->d_type != DT_REG ||
		    bak_path(name, sizeof(name), "db/%s", de->d_name) || !bak_name_ok(name) ||
		    in_state(path, sizeof(path), p->state_dir, de->d_name) || !strcmp(path, store))
			continue;
		for (i = 0; i < p->n && strcmp(p->item[i].name, name); i++)
			;
		if (i == p->n)
			rc |= add(p, name, path, true);
	}
	closedir(d);
	return rc;
}

int bak_plan_make(struct bak_plan *p, const struct conf *c, const char *conf_path,
		  const char *state_dir, char *err, size_t errlen)
{
	const char *sd = state_dir ? state_dir : conf_get(c, "iiotd", "state_dir");
	const char *store = conf_get(c, "store", "path");
	const char *cert = conf_get(c, "api", "cert"), *key = conf_get(c, "api", "key");
	const char *sig = conf_get(c, "model", "signals");
	char path[4096];
	int rc = 0;

	memset(p, 0, sizeof(*p));
	snprintf(p->state_dir, sizeof(p->state_dir), "%s", sd ? sd : IIOTD_DEFAULT_STATE_DIR);
	if (store)
		rc |= bak_path(path, sizeof(path), "%s", store);
	else
		rc |= in_state(path, sizeof(path), p->state_dir, IIOTD_DB_NAME);
	rc |= add(p, "db/" IIOTD_DB_NAME, path, true);
	rc |= add_state_dbs(p, path);
	rc |= in_state(path, sizeof(path), p->state_dir, "secret.key");
	rc |= add(p, "state/secret.key", path, false);
	if (cert && key) {
		rc |= add(p, "tls/cert.pem", cert, false);
		rc |= add(p, "tls/key.pem", key, false);
	} else {
		rc |= in_state(path, sizeof(path), p->state_dir, "tls/cert.pem");
		rc |= add(p, "tls/cert.pem", path, false);
		rc |= in_state(path, sizeof(path), p->state_dir, "tls/key.pem");
		rc |= add(p, "tls/key.pem", path, false);
	}
	if (conf_path)
		rc |= add(p, "etc/iiotd.conf", conf_path, false);
	if (sig)
		rc |= add(p, "etc/signals.map", sig, false);
	if (rc)
		snprintf(err, errlen, "too many files for one backup, or a path too long");
	return rc ? -1 : 0;
}

int bak_plan_read(struct bak_plan *p, int which, char *err, size_t errlen)
{
	struct stat st;
	size_t i, got;
	ssize_t r;
	int fd;

	for (i = 0; i < p->n; i++) {
		struct bak_item *it = &p->item[i];
		bool in_st = !strncmp(it->name, "state/", 6);

		if (it->db || it->mem || (which == BAK_READ_STATE && !in_st) ||
		    (which == BAK_READ_OTHERS && in_st))
			continue;
		fd = open(it->path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
		if (fd < 0 && errno == ENOENT)
			continue;
		if (fd < 0 || fstat(fd, &st)) {
			snprintf(err, errlen, "%s: %s", it->path, strerror(errno));
			goto fail;
		}
		if (!S_ISREG(st.st_mode) || (uint64_t)st.st_size > BAK_MEM_MAX) {
			snprintf(err, errlen, "%s: not a regular file under %u bytes", it->path,
				 BAK_MEM_MAX);
			goto fail;
		}
		it->mem = malloc(st.st_size ? (size_t)st.st_size : 1);
		for (got = 0; it->mem && got < (size_t)st.st_size; got += (size_t)r) {
			r = read(fd, it->mem + got, (size_t)st.st_size - got);
			if (r <= 0)
				break;
		}
		if (!it->mem || got != (size_t)st.st_size) {
			snprintf(err, errlen, "%s: cannot read it whole", it->path);
			goto fail;
		}
		it->len = got;
		close(fd);
	}
	return 0;
fail:
	if (fd >= 0)
		close(fd);
	return -1;
}

void bak_plan_free(struct bak_plan *p)
{
	size_t i;

	for (i = 0; i < p->n; i++) {
		if (p->item[i].mem) {
			memset(p->item[i].mem, 0, p->item[i].len);
			free(p->item[i].mem);
		}
		p->item[i].mem = NULL;
	}
}

/* ---- snapshots ---- */

/* VACUUM INTO: one read transaction, so a consistent copy while iiotd writes */
static int snapshot(const char *src, const char *dst, char *err, size_t errlen)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	int rc;

	rc = sqlite3_open_v2(src, &db, SQLITE_OPEN_READONLY, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_busy_timeout(db, 10000);
		rc = sqlite3_prepare_v2(db, "VACUUM INTO ?", -1, &st, NULL);
	}
	if (rc == SQLITE_OK) {
		sqlite3_bind_text(st, 1, dst, -1, SQLITE_STATIC);
		rc = sqlite3_step(st) == SQLITE_DONE ? SQLITE_OK : SQLITE_ERROR;
	}
	if (rc != SQLITE_OK)
		snprintf(err, errlen, "%s: snapshot failed: %s", src,
			 db ? sqlite3_errmsg(db) : "out of memory");
	sqlite3_finalize(st);
	sqlite3_close(db);
	return rc == SQLITE_OK ? 0 : -1;
}

static int sha_file(const char *path, uint8_t sha[32], uint64_t *size)
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	uint8_t buf[BUF];
	ssize_t r = -1;
	int fd, ok = 0;

	*size = 0;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0 && md && EVP_DigestInit_ex(md, EVP_sha256(), NULL) == 1) {
		while ((r = read(fd, buf, sizeof(buf))) > 0) {
			EVP_DigestUpdate(md, buf, (size_t)r);
			*size += (uint64_t)r;
		}
		ok = r == 0 && EVP_DigestFinal_ex(md, sha, NULL) == 1;
	}
	if (fd >= 0)
		close(fd);
	EVP_MD_CTX_free(md);
	return ok ? 0 : -1;
}

static void hex(const uint8_t *b, size_t n, char *out)
{
	size_t i;

	for (i = 0; i < n; i++)
		snprintf(out + 2 * i, 3, "%02x", b[i]);
}

/* what one backup writes: per item, the staged snapshot or the bytes */
struct staged {
	const struct bak_item *it;
	char snap[4096];		/* db: the snapshot */
	uint64_t size;
	uint8_t sha[32];
};

static int stage(const struct bak_plan *p, const char *tmp, struct staged *s, size_t *n,
		 char *err, size_t errlen)
{
	struct stat st;
	size_t i;

	for (*n = 0, i = 0; i < p->n; i++) {
		const struct bak_item *it = &p->item[i];
		struct staged *x = &s[*n];

		memset(x, 0, sizeof(*x));
		x->it = it;
		if (it->db) {
			if (stat(it->path, &st) && errno == ENOENT)
				continue;
			if (bak_path(x->snap, sizeof(x->snap), "%s/%s", tmp,
				     strchr(it->name, '/') + 1)) {
				snprintf(err, errlen, "%s: path too long", tmp);
				return -1;
			}
			if (snapshot(it->path, x->snap, err, errlen))
				return -1;
			if (sha_file(x->snap, x->sha, &x->size)) {
				snprintf(err, errlen, "%s: %s", x->snap, strerror(errno));
				return -1;
			}
		} else {
			if (!it->mem)
				continue;
			x->size = it->len;
			if (EVP_Digest(it->mem, it->len, x->sha, NULL, EVP_sha256(), NULL) != 1)
				return -1;
		}
		(*n)++;
	}
	return 0;
}

static char *manifest(const struct bak_plan *p, const struct staged *s, size_t n, time_t now)
{
	json_t *files = json_array(), *j;
	char shahex[65], when[32], host[256] = "";
	size_t i;
	char *text;

	for (i = 0; i < n; i++) {
		hex(s[i].sha, 32, shahex);
		json_array_append_new(files, json_pack("{ss ss sI ss}", "name", s[i].it->name,
						       "path", s[i].it->path, "size",
						       (json_int_t)s[i].size, "sha256", shahex));
	}
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
	gethostname(host, sizeof(host) - 1);
	j = json_pack("{ss si ss sI ss ss ss so}", "format", "iiot-backup", "format_version", 1,
		      "created", when, "created_unix", (json_int_t)now, "host", host,
		      "version", IIOT_VERSION, "state_dir", p->state_dir, "files", files);
	text = json_dumps(j, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
	json_decref(j);
	return text;
}

static int put_head(struct bak_writer *w, const char *name, uint64_t size)
{
	uint8_t b[2 + BAK_NAME_MAX + 8];
	size_t len = strlen(name), i;

	b[0] = (uint8_t)(len >> 8);
	b[1] = (uint8_t)len;
	memcpy(b + 2, name, len);
	for (i = 0; i < 8; i++)
		b[2 + len + i] = (uint8_t)(size >> (56 - 8 * i));
	return bak_writer_put(w, b, 2 + len + 8);
}

static int put_file(struct bak_writer *w, const struct staged *x)
{
	uint8_t buf[BUF];
	uint64_t left = x->size;
	ssize_t r;
	int fd, rc = 0;

	if (put_head(w, x->it->name, x->size))
		return -1;
	if (!x->it->db)
		return bak_writer_put(w, x->it->mem, x->it->len);
	fd = open(x->snap, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	/* exactly the bytes the manifest counted */
	while (!rc && left && (r = read(fd, buf, left < sizeof(buf) ? left : sizeof(buf))) > 0) {
		rc = bak_writer_put(w, buf, (size_t)r);
		left -= (uint64_t)r;
	}
	close(fd);
	return rc || left ? -1 : 0;
}

static int write_all(struct bak_writer *w, const char *man, const struct staged *s, size_t n)
{
	static const uint8_t end[2];
	size_t i;

	if (put_head(w, "MANIFEST.json", strlen(man)) || bak_writer_put(w, man, strlen(man)))
		return -1;
	for (i = 0; i < n; i++)
		if (put_file(w, &s[i]))
			return -1;
	return bak_writer_put(w, end, sizeof(end));
}

/* whatever the staging directory holds, then the directory */
static void rm_staged_at(int at, const char *tmp)
{
	int fd = openat(at, tmp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	DIR *d = fd < 0 ? NULL : fdopendir(fd);
	struct dirent *de;

	if (fd >= 0 && !d)
		close(fd);
	while (d && (de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			unlinkat(dirfd(d), de->d_name, 0);
	if (d)
		closedir(d);
	unlinkat(at, tmp, AT_REMOVEDIR);
}

static void rm_staged(const char *tmp)
{
	rm_staged_at(AT_FDCWD, tmp);
}

/*
 * A backup holds an flock on its staging directory and its temporary file
 * for as long as it works on them; the kernel lets go when the process
 * dies.  Whatever a lock can be taken on is a killed backup's.
 */
static int hold(const char *path, int flags)
{
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | flags);

	if (fd >= 0 && flock(fd, LOCK_EX | LOCK_NB)) {
		close(fd);
		return -1;
	}
	return fd;
}

static bool stale_at(int at, const char *name, int flags)
{
	int fd = openat(at, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK | flags);
	bool stale;

	if (fd < 0)
		return false;
	stale = !flock(fd, LOCK_EX | LOCK_NB);
	close(fd);
	return stale;
}

/* ".backup-XXXXXX" (mkdtemp's) or ".iiot-<stamp>.iiotbak.tmp" */
static bool staging_name(const char *n, bool dir)
{
	size_t len = strlen(n), sl = strlen(BAK_SUFFIX ".tmp");

	if (dir)
		return !strncmp(n, ".backup-", 8) && len == 14;
	return !strncmp(n, "." PREFIX, strlen(PREFIX) + 1) && len > sl &&
	       !strcmp(n + len - sl, BAK_SUFFIX ".tmp");
}

static int clean_dir(const char *path, bool dirs)
{
	DIR *d = path ? opendir(path) : NULL;
	struct dirent *de;
	int n = 0;

	while (d && (de = readdir(d))) {
		if (!staging_name(de->d_name, dirs) ||
		    !stale_at(dirfd(d), de->d_name, dirs ? O_DIRECTORY : 0))
			continue;
		if (dirs)
			rm_staged_at(dirfd(d), de->d_name);
		else
			unlinkat(dirfd(d), de->d_name, 0);
		n++;
	}
	if (d)
		closedir(d);
	return n;
}

int bak_clean_stale(const char *state_dir, const char *dir)
{
	return clean_dir(state_dir, true) + clean_dir(dir, false);
}

static int write_backup(const char *dir, const char *man, const struct staged *s, size_t n,
			const struct bak_secret *sec, time_t now, char *out, size_t outlen,
			char *err, size_t errlen)
{
	char tmp[4096], stamp[32];
	struct bak_writer *w;
	int fd, i, rc;

	strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", gmtime(&now));
	snprintf(tmp, sizeof(tmp), "%s/.%s%s%s.tmp", dir, PREFIX, stamp, BAK_SUFFIX);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
		return -1;
	}
	/* ours until unlinked below (bak_clean_stale) */
	flock(fd, LOCK_EX);
	w = bak_writer_open(fd, sec, err, errlen);
	rc = !w || write_all(w, man, s, n) ? -1 : 0;
	if (w && bak_writer_close(w, err, errlen))
		rc = -1;
	else if (rc)
		snprintf(err, errlen, "%s: %s", tmp, strerror(errno ? errno : EIO));
	if (!rc && fsync(fd)) {
		snprintf(err, errlen, "%s: fsync: %s", tmp, strerror(errno));
		rc = -1;
	}
	/* never over an older backup made in the same second */
	for (i = 0; !rc && i < 100; i++) {
		if (i)
			snprintf(out, outlen, "%s/%s%s-%d%s", dir, PREFIX, stamp, i, BAK_SUFFIX);
		else
			snprintf(out, outlen, "%s/%s%s%s", dir, PREFIX, stamp, BAK_SUFFIX);
		if (!link(tmp, out))
			break;
		if (errno != EEXIST) {
			snprintf(err, errlen, "%s: %s", out, strerror(errno));
			rc = -1;
		}
	}
	if (!rc && i == 100) {
		snprintf(err, errlen, "%s: too many backups this second", dir);
		rc = -1;
	}
	unlink(tmp);
	close(fd);
	if (!rc && (fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0) {
		fsync(fd);
		close(fd);
	}
	return rc;
}

int bak_create(const struct bak_plan *p, const char *dir, const struct bak_secret *sec,
	       char *out, size_t outlen, char *err, size_t errlen)
{
	struct staged *s = calloc(BAK_MAX_FILES, sizeof(*s));
	struct bak_plan *q = malloc(sizeof(*q));	/* shares p's file bytes */
	char tmp[4096], *man = NULL;
	time_t now = time(NULL);
	size_t n = 0;
	int rc = -1, lk;

	if (!s || !q) {
		snprintf(err, errlen, "out of memory");
		free(s);
		free(q);
		return -1;
	}
	if (mkdir(dir, 0700) && errno != EEXIST) {
		snprintf(err, errlen, "%s: %s", dir, strerror(errno));
		free(s);
		free(q);
		return -1;
	}
	/* snapshots are as secret as the databases: staged beside them */
	bak_clean_stale(p->state_dir, dir);
	if (bak_path(tmp, sizeof(tmp), "%s/.backup-XXXXXX", p->state_dir) || !mkdtemp(tmp)) {
		snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
		free(s);
		free(q);
		return -1;
	}
	lk = hold(tmp, O_DIRECTORY);
	/* a database made since the plan was (iiotd's schedule plans once) */
	memcpy(q, p, sizeof(*q));
	if (add_state_dbs(q, q->item[0].path)) {
		snprintf(err, errlen, "too many databases for one backup");
		goto out;
	}
	if (stage(q, tmp, s, &n, err, errlen))
		goto out;
	man = manifest(q, s, n, now);
	if (!man) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	rc = write_backup(dir, man, s, n, sec, now, out, outlen, err, errlen);
out:
	free(man);
	free(s);
	free(q);
	rm_staged(tmp);
	if (lk >= 0)
		close(lk);
	return rc;
}

/* ---- listing and retention ---- */

/* iiot-20261205T011500Z.iiotbak or iiot-20261205T011500Z-1.iiotbak */
static time_t name_time(const char *name)
{
	size_t len = strlen(name), sl = strlen(BAK_SUFFIX);
	struct tm tm;
	const char *e;

	if (strncmp(name, PREFIX, strlen(PREFIX)) || len <= sl ||
	    strcmp(name + len - sl, BAK_SUFFIX))
		return 0;
	memset(&tm, 0, sizeof(tm));
	e = strptime(name + strlen(PREFIX), "%Y%m%dT%H%M%SZ", &tm);
	if (!e || (*e != '.' && *e != '-'))
		return 0;
	return timegm(&tm);
}

static int newer(const void *a, const void *b)
{
	const struct bak_listing *x = a, *y = b;

	if (x->when != y->when)
		return x->when < y->when ? 1 : -1;
	return -strcmp(x->name, y->name);
}

int bak_list(const char *dir, struct bak_listing *l, int max, char *err, size_t errlen)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	struct stat st;
	int n = 0;

	if (!d) {
		snprintf(err, errlen, "%s: %s", dir, strerror(errno));
		return -1;
	}
	while ((de = readdir(d)) && n < max) {
		time_t t = name_time(de->d_name);

		if (!t || strlen(de->d_name) >= sizeof(l->name) ||
		    fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) || !S_ISREG(st.st_mode))
			continue;
		snprintf(l[n].name, sizeof(l[n].name), "%s", de->d_name);
		l[n].when = t;
		l[n].size = st.st_size;
		n++;
	}
	closedir(d);
	qsort(l, (size_t)n, sizeof(*l), newer);
	return n;
}

time_t bak_newest(const char *dir)
{
	struct bak_listing *l = calloc(1024, sizeof(*l));
	char err[256];
	time_t t;
	int n;

	if (!l)
		return -1;
	if (access(dir, F_OK) && errno == ENOENT) {
		free(l);
		return 0;
	}
	n = bak_list(dir, l, 1024, err, sizeof(err));
	t = n < 0 ? -1 : n ? l[0].when : 0;
	free(l);
	return t;
}

int bak_prune(const char *dir, int keep, int64_t max_age_s, char *err, size_t errlen)
{
	struct bak_listing *l = calloc(4096, sizeof(*l));
	char path[4096];
	time_t now = time(NULL);
	int n, i, gone = 0;

	if (!l) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	n = bak_list(dir, l, 4096, err, errlen);
	for (i = 1; i < n; i++) {
		if ((keep <= 0 || i < keep) && (!max_age_s || now - l[i].when <= max_age_s))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, l[i].name);
		if (unlink(path)) {
			snprintf(err, errlen, "%s: %s", path, strerror(errno));
			gone = -1;
			break;
		}
		gone++;
	}
	free(l);
	return n < 0 ? -1 : gone;
}
