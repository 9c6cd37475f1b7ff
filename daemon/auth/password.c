/* Argon2id through libargon2, and the password policy. */
#include <argon2.h>
#include <ctype.h>
#include <openssl/crypto.h>
#include <string.h>

#include "auth/auth.h"
#include "auth/password.h"

int pw_hash(const char *pw, char *encoded, size_t len)
{
	uint8_t salt[PW_SALT];

	if (strlen(pw) > PW_MAX_LEN || auth_random(salt, sizeof(salt)))
		return -1;
	return argon2id_hash_encoded(PW_T, PW_M_KIB, PW_P, pw, strlen(pw),
				     salt, sizeof(salt), PW_HASHLEN, encoded,
				     len) == ARGON2_OK ? 0 : -1;
}

int pw_verify(const char *encoded, const char *pw)
{
	if (!encoded || strncmp(encoded, "$argon2id$", 10) || strlen(pw) > PW_MAX_LEN)
		return 0;
	return argon2id_verify(encoded, pw, strlen(pw)) == ARGON2_OK;
}

int pw_policy(enum pw_profile prof, const char *user, const char *pw,
	      const char **why)
{
	size_t n = strlen(pw);
	int lo = 0, up = 0, dg = 0, sy = 0;
	const char *p;

	if (n < PW_MIN_LEN) {
		*why = "password must have at least 12 characters";
		return -1;
	}
	if (n > PW_MAX_LEN) {
		*why = "password must have at most 128 characters";
		return -1;
	}
	if (user && strcasestr(pw, user) && strlen(user) >= 3) {
		*why = "password must not contain the user name";
		return -1;
	}
	if (prof == PW_GBT22239) {
		for (p = pw; *p; p++) {
			unsigned char c = (unsigned char)*p;

			if (islower(c))
				lo = 1;
			else if (isupper(c))
				up = 1;
			else if (isdigit(c))
				dg = 1;
			else
				sy = 1;
		}
		if (lo + up + dg + sy < 3) {
			*why = "password must mix at least three of: lower case, upper case, digits, symbols";
			return -1;
		}
	}
	return 0;
}

int pw_generate(char *out, size_t len)
{
	/* no look-alikes (0/O, 1/l/I): the secret is read off a console */
	static const char set[] = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
	uint8_t r[64];
	size_t i, n = len - 1 < sizeof(r) ? len - 1 : sizeof(r);

	/* no fallback: without the kernel's randomness there is no secret to make */
	if (auth_random(r, n)) {
		out[0] = 0;
		return -1;
	}
	for (i = 0; i < n; i++)
		out[i] = set[r[i] % (sizeof(set) - 1)];
	/* grant the three classes the strict profile asks for */
	if (n >= 3) {
		out[0] = "abcdefghjkmnpqrstuvwxyz"[r[0] % 23];
		out[1] = "ABCDEFGHJKLMNPQRSTUVWXYZ"[r[1] % 24];
		out[2] = "23456789"[r[2] % 8];
	}
	out[n] = 0;
	OPENSSL_cleanse(r, sizeof(r));
	return 0;
}
