/* AES-256-GCM with a random 96-bit nonce per message. */
#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <string.h>
#include <unistd.h>

#include "auth/auth.h"
#include "auth/seal.h"

int seal_key_load(const char *path, uint8_t key[SEAL_KEY])
{
	ssize_t r;
	int fd;

	/* root reads it at start, in a directory iiotd's user owns: no symlink */
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd >= 0) {
		r = read(fd, key, SEAL_KEY);
		close(fd);
		return r == SEAL_KEY ? 0 : -1;
	}
	if (errno != ENOENT || auth_random(key, SEAL_KEY))
		return -1;
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		return -1;
	r = write(fd, key, SEAL_KEY);
	if (fsync(fd) || close(fd) || r != SEAL_KEY)
		return -1;
	return 0;
}

static int gcm(int enc, const uint8_t *key, const uint8_t *iv,
	       const uint8_t *in, int n, uint8_t *out, uint8_t *tag)
{
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
	int len = 0, ok = 0;

	if (!c)
		return -1;
	if (EVP_CipherInit_ex(c, EVP_aes_256_gcm(), NULL, key, iv, enc) != 1)
		goto out;
	if (!enc && EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_TAG, 16, tag) != 1)
		goto out;
	if (EVP_CipherUpdate(c, out, &len, in, n) != 1)
		goto out;
	if (EVP_CipherFinal_ex(c, out + len, &len) != 1)
		goto out;
	if (enc && EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, 16, tag) != 1)
		goto out;
	ok = 1;
out:
	EVP_CIPHER_CTX_free(c);
	return ok ? 0 : -1;
}

int seal(const uint8_t key[SEAL_KEY], const uint8_t *in, size_t n, uint8_t *out)
{
	if (auth_random(out, 12))
		return -1;
	return gcm(1, key, out, in, (int)n, out + 12, out + 12 + n);
}

int unseal(const uint8_t key[SEAL_KEY], const uint8_t *in, size_t n, uint8_t *out)
{
	uint8_t tag[16];
	size_t m;

	if (n <= SEAL_OVERHEAD)
		return -1;
	m = n - SEAL_OVERHEAD;
	memcpy(tag, in + 12 + m, 16);
	return gcm(0, key, in, in + 12, (int)m, out, tag);
}
