/* Argon2id password hashes and the password policy. */
#ifndef IIOT_PASSWORD_H
#define IIOT_PASSWORD_H

#include <stddef.h>

/* OWASP's floor: m = 19 MiB, t = 2, p = 1. */
#define PW_M_KIB	19456
#define PW_T		2
#define PW_P		1
#define PW_SALT		16
#define PW_HASHLEN	32
#define PW_ENCODED_MAX	128
#define PW_MIN_LEN	12
#define PW_MAX_LEN	128	/* bounds the work an attacker can ask for */

enum pw_profile { PW_STANDARD, PW_GBT22239 };

int pw_hash(const char *pw, char *encoded, size_t len);
/* 1 match, 0 mismatch or malformed */
int pw_verify(const char *encoded, const char *pw);
/* 0 acceptable, else -1 and a reason for the user in why */
int pw_policy(enum pw_profile prof, const char *user, const char *pw,
	      const char **why);
/*
 * A random password that passes both profiles (one-time secrets): 0, or -1
 * (out empty) when the kernel gives no randomness.
 */
int pw_generate(char *out, size_t len);

#endif
