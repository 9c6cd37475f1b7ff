/* HOTP (RFC 4226) and TOTP (RFC 6238), base32 (RFC 4648). */
#ifndef IIOT_TOTP_H
#define IIOT_TOTP_H

#include <stddef.h>
#include <stdint.h>

#define TOTP_SECRET	20	/* 160 bits, as RFC 4226 recommends */
#define TOTP_STEP	30
#define TOTP_DIGITS	6

enum totp_alg { TOTP_SHA1, TOTP_SHA256, TOTP_SHA512 };

uint32_t hotp(enum totp_alg alg, const uint8_t *key, size_t klen,
	      uint64_t counter, int digits);
uint32_t totp_at(enum totp_alg alg, const uint8_t *key, size_t klen,
		 int64_t unix_time, int digits);
/*
 * Check a 6-digit code at now, ±1 step.  A step at or before *last_step
 * was already used (replay) and is refused: returns the matched step
 * (> *last_step) or 0 on mismatch, -1 on replay.
 */
int64_t totp_check(const uint8_t *key, size_t klen, const char *code,
		   int64_t now, int64_t last_step);

/* base32 without padding; returns the length written or -1 */
int base32_encode(const uint8_t *in, size_t n, char *out, size_t outlen);
int base32_decode(const char *in, uint8_t *out, size_t outlen);

#endif
