/*
 * Encrypted, authenticated backups of iiotd's state (docs/operations.md).
 *
 * A backup file is a 64-byte header, then chunks sealed with AES-256-GCM:
 *
 *	header	"IIOTBAK\0", version, KDF (key file or argon2id passphrase)
 *		and its parameters, salt, nonce prefix, key check value
 *	chunk	u32 length | final bit, ciphertext, 16-byte tag; the
 *		nonce is the prefix and the chunk's number, the associated
 *		data the header and the length word: a chunk moved, dropped,
 *		altered or cut off fails, and so does a missing final chunk
 *
 * Under the encryption, a zstd stream of an archive: entries
 * (u16 name length, name, u64 size, bytes) ending with an empty name.  The
 * first entry is MANIFEST.json: every other entry's name, original path,
 * size and SHA-256, in order.  Databases are consistent online snapshots
 * (VACUUM INTO), taken while iiotd runs.
 */
#ifndef IIOT_BACKUP_H
#define IIOT_BACKUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct conf;

#define BAK_SUFFIX	".iiotbak"
#define BAK_KEY		32
#define BAK_PASS_MAX	1024
#define BAK_NAME_MAX	128
#define BAK_MAX_FILES	32
#define BAK_MEM_MAX	(1U << 20)	/* a non-database file read whole */
#define BAK_DEFAULT_DIR	"/var/backups/iiot"
#define BAK_DEFAULT_KEY	"/etc/iiot/backup.key"
#define BAK_DEFAULT_INTERVAL_MS	(15ULL * 60 * 1000)	/* the RPO */

enum { BAK_KDF_KEYFILE = 1, BAK_KDF_ARGON2ID = 2 };

/* The key or passphrase; kept apart from the backups. */
struct bak_secret {
	int kind;			/* BAK_KDF_* */
	uint8_t key[BAK_KEY];		/* BAK_KDF_KEYFILE */
	char pass[BAK_PASS_MAX + 1];	/* BAK_KDF_ARGON2ID */
};

/*
 * A key file holds 64 hex digits (32 random bytes), mode 0600 or 0640;
 * a passphrase file its first line.  0, or -1 with a reason in err.
 */
int bak_secret_keyfile(struct bak_secret *s, const char *path, char *err, size_t errlen);
int bak_secret_passfile(struct bak_secret *s, const char *path, char *err, size_t errlen);
int bak_keyfile_create(const char *path, char *err, size_t errlen);
void bak_secret_wipe(struct bak_secret *s);

/* What one backup holds: databases snapshotted, other files read whole. */
struct bak_item {
	char name[BAK_NAME_MAX + 1];	/* in the archive: db/..., state/..., tls/..., etc/... */
	char path[4096];		/* where it lives */
	bool db;
	uint8_t *mem;			/* !db: the bytes, read by bak_plan_read */
	size_t len;
};

struct bak_plan {
	char state_dir[4096];
	struct bak_item item[BAK_MAX_FILES];
	size_t n;
};

/* Every database, the sealing key, TLS material and the configuration;
 * state_dir NULL: the configuration's. */
int bak_plan_make(struct bak_plan *p, const struct conf *c, const char *conf_path,
		  const char *state_dir, char *err, size_t errlen);
/*
 * Read the plan's plain files; a missing one is left out.  which: those
 * in the state directory (state/..., read with its owner's rights, so a
 * link there gets nobody more), the others (TLS material, configuration:
 * read as root), or all.  0 or -1.
 */
enum { BAK_READ_ALL, BAK_READ_STATE, BAK_READ_OTHERS };
int bak_plan_read(struct bak_plan *p, int which, char *err, size_t errlen);
void bak_plan_free(struct bak_plan *p);

/*
 * Write a new backup into dir (created 0700 when missing); its path in
 * out.  Snapshots are staged in the state directory and removed after.
 */
int bak_create(const struct bak_plan *p, const char *dir, const struct bak_secret *s,
	       char *out, size_t outlen, char *err, size_t errlen);
/*
 * Remove what killed backups left: staging directories in state_dir and
 * temporary files in dir (NULL: none), those no live backup holds (each
 * backup flocks its own).  bak_create does it first; iiotd at start.
 * How many were removed.
 */
int bak_clean_stale(const char *state_dir, const char *dir);

/* Backups in dir, newest first (names carry their UTC time). */
struct bak_listing {
	char name[64];
	time_t when;
	off_t size;
};
/* up to max entries; the count, or -1 with err */
int bak_list(const char *dir, struct bak_listing *l, int max, char *err, size_t errlen);
/* The newest backup's time, 0 when none, -1 when dir is unreadable. */
time_t bak_newest(const char *dir);
/* Remove all but the newest keep (0: no limit) and those older than
 * max_age_s (0: no limit); the newest always stays.  The count, or -1. */
int bak_prune(const char *dir, int keep, int64_t max_age_s, char *err, size_t errlen);

/* The manifest as read back. */
struct bak_entry {
	char name[BAK_NAME_MAX + 1];
	char path[4096];
	uint64_t size;
	uint8_t sha[32];
};
struct bak_manifest {
	char created[32];
	char host[256];
	char version[32];
	char state_dir[4096];
	size_t n;
	struct bak_entry e[BAK_MAX_FILES];
};

/* Authenticate, decompress and check every checksum; nothing written. */
int bak_verify(const char *file, const struct bak_secret *s, struct bak_manifest *m,
	       char *err, size_t errlen);

struct bak_restore_opts {
	const char *state_dir;
	const char *other_dir;	/* config and TLS files kept outside the state
				 * directory: NULL for <state_dir>/restored */
};
/*
 * Verify everything first (files staged beside their targets, databases
 * pass integrity_check), refuse while iiotd holds the state directory,
 * then rename each into place; what was there is kept as NAME.pre-restore.
 * Nothing is replaced unless all of it checked out.
 */
int bak_restore(const char *file, const struct bak_secret *s,
		const struct bak_restore_opts *o, struct bak_manifest *m,
		char *err, size_t errlen);

/* [backup] in iiotd.conf (bakconf.c) */
struct bak_conf {
	bool configured;		/* the section exists */
	char dir[4096];
	char key_file[4096];		/* or */
	char pass_file[4096];
	uint64_t interval_ms;		/* 0: no schedule */
	uint64_t keep;
	uint64_t max_age_ms;
};
int bak_conf_get(const struct conf *c, struct bak_conf *b, char *err, size_t errlen);
/* the key or passphrase b names */
int bak_conf_secret(const struct bak_conf *b, struct bak_secret *s, char *err, size_t errlen);

/* ---- internals shared by the files of daemon/backup and the tests ---- */

/* snprintf for paths: -1 (and out empty) when it does not fit */
int bak_path(char *out, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Reads exactly n bytes unless the stream ends: the count, or -1. */
typedef ssize_t (*bak_readfn)(void *ctx, void *buf, size_t n);
/*
 * Called for each entry after the manifest: phase 0 begins it (buf NULL),
 * 1 carries bytes, 2 ends it after its size and checksum matched.
 * Nonzero stops the read.
 */
typedef int (*bak_sinkfn)(void *ctx, const struct bak_entry *e, int phase,
			  const uint8_t *buf, size_t n);
/* Parse an archive, checking it against its manifest. */
int bak_archive_read(bak_readfn rd, void *rctx, struct bak_manifest *m,
		     bak_sinkfn sink, void *sctx, char *err, size_t errlen);
/* An archive entry's name: what bak_archive_read accepts. */
bool bak_name_ok(const char *name);

struct bak_writer;
struct bak_reader;
struct bak_writer *bak_writer_open(int fd, const struct bak_secret *s, char *err, size_t errlen);
int bak_writer_put(struct bak_writer *w, const void *buf, size_t n);
/* Finish the stream (final chunk) and free; 0 or -1. */
int bak_writer_close(struct bak_writer *w, char *err, size_t errlen);
struct bak_reader *bak_reader_open(int fd, const struct bak_secret *s, char *err, size_t errlen);
/* decrypted, decompressed bytes: n unless the stream ended, or -1 (see bak_reader_error) */
ssize_t bak_reader_read(void *r, void *buf, size_t n);
/* After the archive: the stream must end here.  0 or -1. */
int bak_reader_finish(struct bak_reader *r);
const char *bak_reader_error(struct bak_reader *r);
void bak_reader_close(struct bak_reader *r);

#endif
