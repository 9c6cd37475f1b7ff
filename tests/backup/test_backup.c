/*
 * Unit tests of the sealed stream (daemon/backup/bakfile.c) and the
 * archive parser (archive.c): round trip, every kind of damage refused
 * with its own message, wrong key and wrong passphrase told apart.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <openssl/evp.h>

#include "backup/backup.h"

#define BIG	(3U * 1024 * 1024 + 12345)	/* several chunks even compressed */

static struct bak_secret key_a, key_b, pass_a, pass_b;

static int setup(void **state)
{
	size_t i;

	(void)state;
	memset(&key_a, 0, sizeof(key_a));
	key_a.kind = key_b.kind = BAK_KDF_KEYFILE;
	for (i = 0; i < BAK_KEY; i++) {
		key_a.key[i] = (uint8_t)i;
		key_b.key[i] = (uint8_t)(i + 1);
	}
	pass_a.kind = pass_b.kind = BAK_KDF_ARGON2ID;
	snprintf(pass_a.pass, sizeof(pass_a.pass), "correct horse battery");
	snprintf(pass_b.pass, sizeof(pass_b.pass), "correct horse battery!");
	return 0;
}

/* random-ish, poorly compressible bytes */
static uint8_t *payload(size_t n)
{
	uint8_t *p = malloc(n);
	uint32_t x = 2463534242u;
	size_t i;

	assert_non_null(p);
	for (i = 0; i < n; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		p[i] = (uint8_t)x;
	}
	return p;
}

/* seal data into a temporary file; its descriptor, at 0 */
static int sealed(const struct bak_secret *s, const uint8_t *data, size_t n)
{
	FILE *f = tmpfile();
	struct bak_writer *w;
	char err[256];
	int fd;

	assert_non_null(f);
	fd = dup(fileno(f));
	fclose(f);
	w = bak_writer_open(fd, s, err, sizeof(err));
	assert_non_null(w);
	assert_int_equal(bak_writer_put(w, data, n / 2), 0);
	assert_int_equal(bak_writer_put(w, data + n / 2, n - n / 2), 0);
	assert_int_equal(bak_writer_close(w, err, sizeof(err)), 0);
	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
	return fd;
}

/* read it all back: 0, or -1 with the reason in err */
static int unseal_all(int fd, const struct bak_secret *s, const uint8_t *want, size_t n,
		      char *err, size_t errlen)
{
	struct bak_reader *r;
	uint8_t *got = malloc(n + 1);
	ssize_t k;
	int rc = -1;

	assert_non_null(got);
	lseek(fd, 0, SEEK_SET);
	*err = '\0';
	r = bak_reader_open(fd, s, err, errlen);
	if (r) {
		k = bak_reader_read(r, got, n);
		if (k == (ssize_t)n && !bak_reader_finish(r)) {
			assert_memory_equal(got, want, n);
			rc = 0;
		} else {
			snprintf(err, errlen, "%s", bak_reader_error(r));
		}
		bak_reader_close(r);
	}
	free(got);
	return rc;
}

static void round_trip_key_file(void **state)
{
	uint8_t *p = payload(BIG);
	char err[256];
	int fd;

	(void)state;
	fd = sealed(&key_a, p, BIG);
	assert_int_equal(unseal_all(fd, &key_a, p, BIG, err, sizeof(err)), 0);
	close(fd);
	free(p);
}

static void wrong_key_says_so(void **state)
{
	uint8_t *p = payload(1000);
	char err[256];
	int fd;

	(void)state;
	fd = sealed(&key_a, p, 1000);
	assert_int_equal(unseal_all(fd, &key_b, p, 1000, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "wrong key"));
	/* a passphrase for a key-file backup: named, not "wrong" */
	assert_int_equal(unseal_all(fd, &pass_a, p, 1000, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "made with a key file"));
	close(fd);
	free(p);
}

static void passphrase_round_trip_and_wrong_passphrase(void **state)
{
	uint8_t *p = payload(5000);
	char err[256];
	int fd;

	(void)state;
	fd = sealed(&pass_a, p, 5000);
	assert_int_equal(unseal_all(fd, &pass_a, p, 5000, err, sizeof(err)), 0);
	assert_int_equal(unseal_all(fd, &pass_b, p, 5000, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "wrong passphrase"));
	close(fd);
	free(p);
}

static void flip(int fd, off_t at)
{
	uint8_t b;

	assert_int_equal(pread(fd, &b, 1, at), 1);
	b ^= 0x40;
	assert_int_equal(pwrite(fd, &b, 1, at), 1);
}

/* one bit anywhere after the header: the chunk holding it fails */
static void tampered_chunk_refused(void **state)
{
	uint8_t *p = payload(BIG);
	off_t size, at[] = { 64 + 2, 64 + 100, 0, 0 };
	char err[256];
	int fd, i;

	(void)state;
	fd = sealed(&key_a, p, BIG);
	size = lseek(fd, 0, SEEK_END);
	at[2] = size / 2;
	at[3] = size - 1;
	for (i = 0; i < 4; i++) {
		flip(fd, at[i]);
		assert_int_equal(unseal_all(fd, &key_a, p, BIG, err, sizeof(err)), -1);
		if (!strstr(err, "authentication failed") && !strstr(err, "corrupt"))
			fail_msg("byte %lld: %s", (long long)at[i], err);
		flip(fd, at[i]);
	}
	assert_int_equal(unseal_all(fd, &key_a, p, BIG, err, sizeof(err)), 0);
	close(fd);
	free(p);
}

/* the header is bound to every chunk: a changed salt or nonce is caught */
static void tampered_header_refused(void **state)
{
	uint8_t *p = payload(1000);
	char err[256];
	int fd;

	(void)state;
	fd = sealed(&key_a, p, 1000);
	flip(fd, 40);		/* nonce prefix: the key check still passes */
	assert_int_equal(unseal_all(fd, &key_a, p, 1000, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "authentication failed"));
	flip(fd, 40);
	flip(fd, 0);
	assert_int_equal(unseal_all(fd, &key_a, p, 1000, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "not an iiot backup"));
	close(fd);
	free(p);
}

static void truncated_and_extended_refused(void **state)
{
	uint8_t *p = payload(BIG), z = 0;
	char err[256];
	off_t size;
	int fd;

	(void)state;
	fd = sealed(&key_a, p, BIG);
	size = lseek(fd, 0, SEEK_END);
	/* cut at a chunk boundary: every chunk left is authentic */
	assert_int_equal(ftruncate(fd, 64 + 4 + (1 << 20) + 16), 0);
	assert_int_equal(unseal_all(fd, &key_a, p, BIG, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "truncated"));
	close(fd);
	fd = sealed(&key_a, p, BIG);
	assert_int_equal(pwrite(fd, &z, 1, size), 1);
	assert_int_equal(unseal_all(fd, &key_a, p, BIG, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "after the final chunk"));
	close(fd);
	free(p);
}

/* ---- the archive ---- */

struct buf {
	uint8_t *p;
	size_t n, cap, at;
};

static void put(struct buf *b, const void *d, size_t n)
{
	if (b->n + n > b->cap) {
		b->cap = (b->n + n) * 2;
		b->p = realloc(b->p, b->cap);
		assert_non_null(b->p);
	}
	memcpy(b->p + b->n, d, n);
	b->n += n;
}

static void entry(struct buf *b, const char *name, const void *d, size_t n)
{
	uint8_t h[10];
	size_t len = strlen(name);
	int i;

	h[0] = (uint8_t)(len >> 8);
	h[1] = (uint8_t)len;
	put(b, h, 2);
	put(b, name, len);
	for (i = 0; i < 8; i++)
		h[i] = (uint8_t)((uint64_t)n >> (56 - 8 * i));
	put(b, h, 8);
	put(b, d, n);
}

static void archive(struct buf *b, const char *data, const char *sha_of)
{
	char man[1024], hex[65];
	uint8_t sha[32];
	int i;

	memset(b, 0, sizeof(*b));
	EVP_Digest(sha_of, strlen(sha_of), sha, NULL, EVP_sha256(), NULL);
	for (i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", sha[i]);
	snprintf(man, sizeof(man), "{\"format\":\"iiot-backup\",\"created\":\"now\","
		 "\"files\":[{\"name\":\"db/auth.db\",\"path\":\"/x/auth.db\",\"size\":%zu,"
		 "\"sha256\":\"%s\"}]}", strlen(data), hex);
	entry(b, "MANIFEST.json", man, strlen(man));
	entry(b, "db/auth.db", data, strlen(data));
	put(b, "\0\0", 2);
}

static ssize_t rd(void *ctx, void *out, size_t n)
{
	struct buf *b = ctx;

	if (n > b->n - b->at)
		n = b->n - b->at;
	memcpy(out, b->p + b->at, n);
	b->at += n;
	return (ssize_t)n;
}

static void archive_checks_its_manifest(void **state)
{
	struct bak_manifest m;
	struct buf b;
	char err[256];

	(void)state;
	archive(&b, "hello", "hello");
	assert_int_equal(bak_archive_read(rd, &b, &m, NULL, NULL, err, sizeof(err)), 0);
	assert_int_equal(m.n, 1);
	assert_string_equal(m.e[0].name, "db/auth.db");
	free(b.p);

	archive(&b, "hellO", "hello");
	assert_int_equal(bak_archive_read(rd, &b, &m, NULL, NULL, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "checksum does not match"));
	free(b.p);

	archive(&b, "hello", "hello");
	b.n -= 3;		/* no end marker, last bytes gone */
	assert_int_equal(bak_archive_read(rd, &b, &m, NULL, NULL, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "ends inside"));
	free(b.p);

	archive(&b, "hello", "hello");
	b.n -= 2;		/* an entry the manifest does not list */
	entry(&b, "db/evil.db", "x", 1);
	assert_int_equal(bak_archive_read(rd, &b, &m, NULL, NULL, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "not in the manifest"));
	free(b.p);
}

static void names_stay_inside(void **state)
{
	(void)state;
	assert_true(bak_name_ok("db/iiot.db"));
	assert_true(bak_name_ok("etc/iiotd.conf"));
	assert_false(bak_name_ok("db/../../etc/passwd"));
	assert_false(bak_name_ok("/etc/passwd"));
	assert_false(bak_name_ok("db/a/b"));
	assert_false(bak_name_ok("other/x"));
	assert_false(bak_name_ok("db/"));
	assert_false(bak_name_ok("db/A"));
}

int main(void)
{
	const struct CMUnitTest t[] = {
		cmocka_unit_test(round_trip_key_file),
		cmocka_unit_test(wrong_key_says_so),
		cmocka_unit_test(passphrase_round_trip_and_wrong_passphrase),
		cmocka_unit_test(tampered_chunk_refused),
		cmocka_unit_test(tampered_header_refused),
		cmocka_unit_test(truncated_and_extended_refused),
		cmocka_unit_test(archive_checks_its_manifest),
		cmocka_unit_test(names_stay_inside),
	};

	return cmocka_run_group_tests(t, setup, NULL);
}
