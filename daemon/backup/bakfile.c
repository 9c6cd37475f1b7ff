/*
 * The sealed stream of a backup file: zstd under AES-256-GCM chunks
 * (backup.h).  The file key is HMAC-SHA256(master, label | salt), the
 * master being the key file's 32 bytes or argon2id of the passphrase; a
 * key check value in the header tells a wrong key from an altered file.
 */
#include <argon2.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zstd.h>

#include "auth/auth.h"
#include "backup/backup.h"

#define MAGIC		"IIOTBAK"	/* and its NUL: 8 bytes */
#define VERSION		1
#define HDR		64
#define CHUNK		(1U << 20)
#define FINAL		0x80000000U
#define TAG		16
/* argon2id for passphrases: 64 MiB, 3 passes; what a file may ask is capped */
#define KDF_T		3
#define KDF_M_KIB	(64U * 1024)
#define KDF_P		1
#define KDF_T_MAX	16
#define KDF_M_MAX	(1024U * 1024)
#define KDF_P_MAX	8
#define ZLEVEL		3

struct hdr {
	uint8_t raw[HDR];
	int kdf;
	uint32_t t, m, p;
	const uint8_t *salt, *nonce, *kcv;	/* into raw */
};

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = v >> 24; p[1] = v >> 16; p[2] = v >> 8; p[3] = v;
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* magic 8 | version 1 | kdf 1 | 0 0 | t 4 | m 4 | p 4 | salt 16 | nonce 8 | kcv 16 */
static void hdr_layout(struct hdr *h)
{
	h->salt = h->raw + 24;
	h->nonce = h->raw + 40;
	h->kcv = h->raw + 48;
}

static ssize_t full_read(int fd, void *buf, size_t n)
{
	size_t got = 0;
	ssize_t r;

	while (got < n) {
		r = read(fd, (uint8_t *)buf + got, n - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		if (r == 0)
			break;
		got += (size_t)r;
	}
	return (ssize_t)got;
}

static int full_write(int fd, const void *buf, size_t n)
{
	ssize_t r;

	while (n) {
		r = write(fd, buf, n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		buf = (const uint8_t *)buf + r;
		n -= (size_t)r;
	}
	return 0;
}

/* ---- secrets ---- */

void bak_secret_wipe(struct bak_secret *s)
{
	OPENSSL_cleanse(s, sizeof(*s));
}

static int read_small(const char *path, char *buf, size_t len, char *err, size_t errlen)
{
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	n = full_read(fd, buf, len - 1);
	close(fd);
	if (n < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	buf[n] = '\0';
	return 0;
}

int bak_secret_keyfile(struct bak_secret *s, const char *path, char *err, size_t errlen)
{
	char buf[160];
	unsigned v;
	size_t i;

	memset(s, 0, sizeof(*s));
	if (read_small(path, buf, sizeof(buf), err, errlen))
		return -1;
	buf[strcspn(buf, "\r\n")] = '\0';
	if (strlen(buf) != 2 * BAK_KEY)
		goto bad;
	for (i = 0; i < BAK_KEY; i++) {
		if (sscanf(buf + 2 * i, "%2x", &v) != 1 || !isxdigit((unsigned char)buf[2 * i]) ||
		    !isxdigit((unsigned char)buf[2 * i + 1]))
			goto bad;
		s->key[i] = (uint8_t)v;
	}
	OPENSSL_cleanse(buf, sizeof(buf));
	s->kind = BAK_KDF_KEYFILE;
	return 0;
bad:
	OPENSSL_cleanse(buf, sizeof(buf));
	snprintf(err, errlen, "%s: not a backup key (64 hex digits; make one with "
		 "\"iiotctl backup keygen FILE\")", path);
	return -1;
}

int bak_secret_passfile(struct bak_secret *s, const char *path, char *err, size_t errlen)
{
	memset(s, 0, sizeof(*s));
	if (read_small(path, s->pass, sizeof(s->pass), err, errlen))
		return -1;
	s->pass[strcspn(s->pass, "\r\n")] = '\0';
	if (strlen(s->pass) < 8) {
		bak_secret_wipe(s);
		snprintf(err, errlen, "%s: a passphrase of at least 8 characters on its "
			 "first line", path);
		return -1;
	}
	s->kind = BAK_KDF_ARGON2ID;
	return 0;
}

int bak_keyfile_create(const char *path, char *err, size_t errlen)
{
	uint8_t key[BAK_KEY];
	char hex[2 * BAK_KEY + 2];
	size_t i;
	int fd, rc;

	if (auth_random(key, sizeof(key))) {
		snprintf(err, errlen, "no random bytes");
		return -1;
	}
	for (i = 0; i < BAK_KEY; i++)
		snprintf(hex + 2 * i, 3, "%02x", key[i]);
	hex[2 * BAK_KEY] = '\n';
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		OPENSSL_cleanse(key, sizeof(key));
		return -1;
	}
	rc = full_write(fd, hex, 2 * BAK_KEY + 1) || fsync(fd);
	if (close(fd))
		rc = -1;
	OPENSSL_cleanse(key, sizeof(key));
	OPENSSL_cleanse(hex, sizeof(hex));
	if (rc) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		unlink(path);
		return -1;
	}
	return 0;
}

/* file key and key check value from the secret and the header */
static int derive(const struct bak_secret *s, const struct hdr *h, uint8_t key[32],
		  uint8_t kcv[32], char *err, size_t errlen)
{
	static const char lk[] = "iiot-backup file key", lc[] = "iiot-backup key check";
	uint8_t master[32], msg[sizeof(lc) + 16];
	unsigned len = 32;
	int rc = 0;

	if (s->kind != h->kdf) {
		snprintf(err, errlen, h->kdf == BAK_KDF_ARGON2ID ?
			 "this backup was made with a passphrase: give the passphrase, not a key file" :
			 "this backup was made with a key file: give the key file, not a passphrase");
		return -1;
	}
	if (s->kind == BAK_KDF_KEYFILE)
		memcpy(master, s->key, 32);
	else if (argon2id_hash_raw(h->t, h->m, h->p, s->pass, strlen(s->pass), h->salt, 16,
				   master, 32) != ARGON2_OK) {
		snprintf(err, errlen, "argon2id failed (out of memory?)");
		return -1;
	}
	memcpy(msg, lk, sizeof(lk) - 1);
	memcpy(msg + sizeof(lk) - 1, h->salt, 16);
	if (!HMAC(EVP_sha256(), master, 32, msg, sizeof(lk) - 1 + 16, key, &len))
		rc = -1;
	memcpy(msg, lc, sizeof(lc) - 1);
	memcpy(msg + sizeof(lc) - 1, h->salt, 16);
	len = 32;
	if (!HMAC(EVP_sha256(), master, 32, msg, sizeof(lc) - 1 + 16, kcv, &len))
		rc = -1;
	OPENSSL_cleanse(master, sizeof(master));
	if (rc)
		snprintf(err, errlen, "HMAC-SHA256 failed");
	return rc;
}

static int gcm(int enc, const uint8_t key[32], const uint8_t nonce[12], const uint8_t *aad,
	       size_t aadlen, const uint8_t *in, size_t n, uint8_t *out, uint8_t tag[TAG])
{
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
	int len = 0, ok = 0;

	if (!c)
		return -1;
	if (EVP_CipherInit_ex(c, EVP_aes_256_gcm(), NULL, key, nonce, enc) != 1 ||
	    (!enc && EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_TAG, TAG, tag) != 1) ||
	    EVP_CipherUpdate(c, NULL, &len, aad, (int)aadlen) != 1 ||
	    (n && EVP_CipherUpdate(c, out, &len, in, (int)n) != 1) ||
	    EVP_CipherFinal_ex(c, out + (n ? len : 0), &len) != 1 ||
	    (enc && EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, TAG, tag) != 1))
		goto out;
	ok = 1;
out:
	EVP_CIPHER_CTX_free(c);
	return ok ? 0 : -1;
}

static void chunk_nonce(const struct hdr *h, uint32_t seq, uint8_t nonce[12])
{
	memcpy(nonce, h->nonce, 8);
	put32(nonce + 8, seq);
}

/* ---- writer ---- */

struct bak_writer {
	int fd;
	struct hdr h;
	uint8_t key[32];
	uint32_t seq;
	ZSTD_CCtx *z;
	uint8_t *plain, *sealed;	/* CHUNK each (+ word and tag) */
	size_t n;			/* bytes in plain */
	int failed;
};

static int seal_chunk(struct bak_writer *w, int final)
{
	uint8_t aad[HDR + 4], nonce[12];
	uint32_t word = (uint32_t)w->n | (final ? FINAL : 0);

	if (w->seq == UINT32_MAX)
		return -1;
	memcpy(aad, w->h.raw, HDR);
	put32(aad + HDR, word);
	chunk_nonce(&w->h, w->seq++, nonce);
	put32(w->sealed, word);
	if (gcm(1, w->key, nonce, aad, sizeof(aad), w->plain, w->n, w->sealed + 4,
		w->sealed + 4 + w->n) ||
	    full_write(w->fd, w->sealed, 4 + w->n + TAG))
		return -1;
	w->n = 0;
	return 0;
}

/* compressed bytes into chunks; a full chunk is sealed only once more
 * follows, so that the last one can carry the final bit */
static int take(struct bak_writer *w, const uint8_t *p, size_t n)
{
	size_t k;

	while (n) {
		if (w->n == CHUNK && seal_chunk(w, 0))
			return -1;
		k = CHUNK - w->n < n ? CHUNK - w->n : n;
		memcpy(w->plain + w->n, p, k);
		w->n += k;
		p += k;
		n -= k;
	}
	return 0;
}

static int compress(struct bak_writer *w, const void *buf, size_t n, ZSTD_EndDirective how)
{
	uint8_t out[64 * 1024];
	ZSTD_inBuffer in = { buf, n, 0 };
	size_t left;

	do {
		ZSTD_outBuffer o = { out, sizeof(out), 0 };

		left = ZSTD_compressStream2(w->z, &o, &in, how);
		if (ZSTD_isError(left) || take(w, out, o.pos))
			return -1;
	} while (how == ZSTD_e_end ? left != 0 : in.pos < in.size);
	return 0;
}

struct bak_writer *bak_writer_open(int fd, const struct bak_secret *s, char *err, size_t errlen)
{
	struct bak_writer *w = calloc(1, sizeof(*w));
	uint8_t kcv[32];

	if (!w || !(w->plain = malloc(CHUNK)) || !(w->sealed = malloc(CHUNK + 4 + TAG)) ||
	    !(w->z = ZSTD_createCCtx())) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	w->fd = fd;
	hdr_layout(&w->h);
	memcpy(w->h.raw, MAGIC, 8);
	w->h.raw[8] = VERSION;
	w->h.raw[9] = (uint8_t)s->kind;
	w->h.kdf = s->kind;
	w->h.t = s->kind == BAK_KDF_ARGON2ID ? KDF_T : 0;
	w->h.m = s->kind == BAK_KDF_ARGON2ID ? KDF_M_KIB : 0;
	w->h.p = s->kind == BAK_KDF_ARGON2ID ? KDF_P : 0;
	put32(w->h.raw + 12, w->h.t);
	put32(w->h.raw + 16, w->h.m);
	put32(w->h.raw + 20, w->h.p);
	if (auth_random(w->h.raw + 24, 16 + 8)) {
		snprintf(err, errlen, "no random bytes");
		goto fail;
	}
	if (derive(s, &w->h, w->key, kcv, err, errlen))
		goto fail;
	memcpy(w->h.raw + 48, kcv, 16);
	ZSTD_CCtx_setParameter(w->z, ZSTD_c_compressionLevel, ZLEVEL);
	ZSTD_CCtx_setParameter(w->z, ZSTD_c_checksumFlag, 1);
	if (full_write(fd, w->h.raw, HDR)) {
		snprintf(err, errlen, "write: %s", strerror(errno));
		goto fail;
	}
	return w;
fail:
	if (w) {
		ZSTD_freeCCtx(w->z);
		free(w->plain);
		free(w->sealed);
		OPENSSL_cleanse(w->key, sizeof(w->key));
		free(w);
	}
	return NULL;
}

int bak_writer_put(struct bak_writer *w, const void *buf, size_t n)
{
	if (!w->failed && n && compress(w, buf, n, ZSTD_e_continue))
		w->failed = errno ? errno : EIO;
	return w->failed ? -1 : 0;
}

int bak_writer_close(struct bak_writer *w, char *err, size_t errlen)
{
	int rc = w->failed ? -1 : 0;

	errno = w->failed;
	if (!rc && (compress(w, "", 0, ZSTD_e_end) || seal_chunk(w, 1)))
		rc = -1;
	if (rc)
		snprintf(err, errlen, "writing the backup: %s", errno ? strerror(errno) : "failed");
	ZSTD_freeCCtx(w->z);
	OPENSSL_cleanse(w->plain, CHUNK);
	free(w->plain);
	free(w->sealed);
	OPENSSL_cleanse(w->key, sizeof(w->key));
	free(w);
	return rc;
}

/* ---- reader ---- */

struct bak_reader {
	int fd;
	struct hdr h;
	uint8_t key[32];
	uint32_t seq;
	uint64_t off;			/* file offset of the next chunk */
	ZSTD_DCtx *z;
	uint8_t *plain, *sealed;
	size_t n, pos;			/* decrypted bytes in plain, consumed */
	int final;			/* the final chunk was read */
	int zdone;			/* zstd frame complete */
	char err[256];
};

static int rerr(struct bak_reader *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static int rerr(struct bak_reader *r, const char *fmt, ...)
{
	va_list ap;

	if (!r->err[0]) {
		va_start(ap, fmt);
		vsnprintf(r->err, sizeof(r->err), fmt, ap);
		va_end(ap);
	}
	return -1;
}

/* the next chunk into plain; 0, 1 at the end, -1 */
static int open_chunk(struct bak_reader *r)
{
	uint8_t word[4], aad[HDR + 4], nonce[12];
	uint32_t len;
	ssize_t got;

	if (r->final)
		return 1;
	got = full_read(r->fd, word, 4);
	if (got < 0)
		return rerr(r, "read: %s", strerror(errno));
	if (got < 4)
		return rerr(r, "truncated: the file ends after %u chunks without its final "
			    "chunk", r->seq);
	len = get32(word) & ~FINAL;
	if (len > CHUNK)
		return rerr(r, "corrupt: chunk %u at byte %llu claims %u bytes", r->seq,
			    (unsigned long long)r->off, len);
	got = full_read(r->fd, r->sealed, len + TAG);
	if (got < 0)
		return rerr(r, "read: %s", strerror(errno));
	if ((size_t)got < len + TAG)
		return rerr(r, "truncated: chunk %u at byte %llu is cut short", r->seq,
			    (unsigned long long)r->off);
	memcpy(aad, r->h.raw, HDR);
	memcpy(aad + HDR, word, 4);
	chunk_nonce(&r->h, r->seq, nonce);
	if (gcm(0, r->key, nonce, aad, sizeof(aad), r->sealed, len, r->plain,
		r->sealed + len))
		return rerr(r, "authentication failed at chunk %u (byte %llu): the file was "
			    "altered or is corrupt", r->seq, (unsigned long long)r->off);
	r->off += 4 + len + TAG;
	r->seq++;
	r->n = len;
	r->pos = 0;
	r->final = !!(get32(word) & FINAL);
	return 0;
}

struct bak_reader *bak_reader_open(int fd, const struct bak_secret *s, char *err, size_t errlen)
{
	struct bak_reader *r = calloc(1, sizeof(*r));
	uint8_t kcv[32];
	ssize_t got;

	if (!r || !(r->plain = malloc(CHUNK)) || !(r->sealed = malloc(CHUNK + TAG)) ||
	    !(r->z = ZSTD_createDCtx())) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	r->fd = fd;
	hdr_layout(&r->h);
	got = full_read(fd, r->h.raw, HDR);
	if (got < 0) {
		snprintf(err, errlen, "read: %s", strerror(errno));
		goto fail;
	}
	if (got < HDR || memcmp(r->h.raw, MAGIC, 8)) {
		snprintf(err, errlen, "not an iiot backup (no IIOTBAK header)");
		goto fail;
	}
	if (r->h.raw[8] != VERSION) {
		snprintf(err, errlen, "backup format version %u: this iiotctl reads version %u",
			 r->h.raw[8], VERSION);
		goto fail;
	}
	r->h.kdf = r->h.raw[9];
	r->h.t = get32(r->h.raw + 12);
	r->h.m = get32(r->h.raw + 16);
	r->h.p = get32(r->h.raw + 20);
	if ((r->h.kdf != BAK_KDF_KEYFILE && r->h.kdf != BAK_KDF_ARGON2ID) ||
	    (r->h.kdf == BAK_KDF_ARGON2ID &&
	     (r->h.t < 1 || r->h.t > KDF_T_MAX || r->h.m < 8 * r->h.p || r->h.m > KDF_M_MAX ||
	      r->h.p < 1 || r->h.p > KDF_P_MAX))) {
		snprintf(err, errlen, "corrupt header: unknown key derivation or parameters "
			 "out of range");
		goto fail;
	}
	if (derive(s, &r->h, r->key, kcv, err, errlen))
		goto fail;
	if (CRYPTO_memcmp(kcv, r->h.kcv, 16)) {
		snprintf(err, errlen, s->kind == BAK_KDF_ARGON2ID ?
			 "wrong passphrase for this backup (or its header was altered)" :
			 "wrong key for this backup (or its header was altered)");
		goto fail;
	}
	r->off = HDR;
	return r;
fail:
	if (r)
		bak_reader_close(r);
	return NULL;
}

ssize_t bak_reader_read(void *rv, void *buf, size_t n)
{
	struct bak_reader *r = rv;
	ZSTD_outBuffer o = { buf, n, 0 };
	size_t ret;
	int c;

	if (r->err[0])
		return -1;
	while (o.pos < o.size && !r->zdone) {
		ZSTD_inBuffer in = { r->plain, r->n, r->pos };
		size_t before = o.pos;

		ret = ZSTD_decompressStream(r->z, &o, &in);
		r->pos = in.pos;
		if (ZSTD_isError(ret))
			return rerr(r, "corrupt compressed stream: %s", ZSTD_getErrorName(ret));
		if (ret == 0) {
			r->zdone = 1;
			break;
		}
		if (r->pos == r->n && o.pos == before) {
			c = open_chunk(r);
			if (c < 0)
				return -1;
			if (c > 0)
				return rerr(r, "corrupt: the compressed stream ends early");
		}
	}
	return (ssize_t)o.pos;
}

int bak_reader_finish(struct bak_reader *r)
{
	uint8_t b;

	if (r->err[0])
		return -1;
	if (!r->zdone || r->pos != r->n)
		return rerr(r, "corrupt: bytes after the archive");
	while (!r->final) {
		if (open_chunk(r))
			return -1;
		if (r->n)
			return rerr(r, "corrupt: chunks after the end of the archive");
	}
	if (full_read(r->fd, &b, 1) != 0)
		return rerr(r, "corrupt: bytes after the final chunk");
	return 0;
}

const char *bak_reader_error(struct bak_reader *r)
{
	return r->err[0] ? r->err : "read failed";
}

void bak_reader_close(struct bak_reader *r)
{
	ZSTD_freeDCtx(r->z);
	if (r->plain)
		OPENSSL_cleanse(r->plain, CHUNK);
	free(r->plain);
	free(r->sealed);
	OPENSSL_cleanse(r->key, sizeof(r->key));
	free(r);
}
