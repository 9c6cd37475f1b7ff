/* HOTP/TOTP with OpenSSL's HMAC, and base32 for the otpauth:// URI. */
#include <ctype.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <string.h>

#include "auth/totp.h"

static const uint32_t mod10[] = { 1, 10, 100, 1000, 10000, 100000, 1000000,
				  10000000, 100000000 };

uint32_t hotp(enum totp_alg alg, const uint8_t *key, size_t klen,
	      uint64_t counter, int digits)
{
	const EVP_MD *md = alg == TOTP_SHA256 ? EVP_sha256() :
			   alg == TOTP_SHA512 ? EVP_sha512() : EVP_sha1();
	uint8_t msg[8], mac[EVP_MAX_MD_SIZE];
	unsigned int maclen = 0, off;
	uint32_t bin;
	int i;

	if (digits < 1 || digits > 8)
		return 0;
	for (i = 7; i >= 0; i--, counter >>= 8)
		msg[i] = (uint8_t)counter;
	if (!HMAC(md, key, (int)klen, msg, sizeof(msg), mac, &maclen) || maclen < 20)
		return 0;
	off = mac[maclen - 1] & 0x0f;	/* dynamic truncation, RFC 4226 §5.3 */
	bin = (uint32_t)(mac[off] & 0x7f) << 24 | (uint32_t)mac[off + 1] << 16 |
	      (uint32_t)mac[off + 2] << 8 | mac[off + 3];
	return bin % mod10[digits];
}

uint32_t totp_at(enum totp_alg alg, const uint8_t *key, size_t klen,
		 int64_t unix_time, int digits)
{
	return hotp(alg, key, klen, (uint64_t)(unix_time / TOTP_STEP), digits);
}

int64_t totp_check(const uint8_t *key, size_t klen, const char *code,
		   int64_t now, int64_t last_step)
{
	int64_t step = now / TOTP_STEP, s;
	uint32_t want = 0;
	int i;

	if (!code || strlen(code) != TOTP_DIGITS)
		return 0;
	for (i = 0; i < TOTP_DIGITS; i++) {
		if (!isdigit((unsigned char)code[i]))
			return 0;
		want = want * 10 + (uint32_t)(code[i] - '0');
	}
	for (s = step - 1; s <= step + 1; s++) {
		if (hotp(TOTP_SHA1, key, klen, (uint64_t)s, TOTP_DIGITS) != want)
			continue;
		return s <= last_step ? -1 : s;
	}
	return 0;
}

static const char b32[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

int base32_encode(const uint8_t *in, size_t n, char *out, size_t outlen)
{
	size_t i, o = 0;
	uint32_t buf = 0;
	int bits = 0;

	for (i = 0; i < n; i++) {
		buf = buf << 8 | in[i];
		bits += 8;
		while (bits >= 5) {
			if (o + 1 >= outlen)
				return -1;
			out[o++] = b32[(buf >> (bits - 5)) & 31];
			bits -= 5;
		}
	}
	if (bits) {
		if (o + 1 >= outlen)
			return -1;
		out[o++] = b32[(buf << (5 - bits)) & 31];
	}
	out[o] = 0;
	return (int)o;
}

int base32_decode(const char *in, uint8_t *out, size_t outlen)
{
	uint32_t buf = 0;
	size_t o = 0;
	int bits = 0;
	const char *p;

	for (; *in; in++) {
		if (*in == '=' || *in == ' ')
			continue;
		p = strchr(b32, toupper((unsigned char)*in));
		if (!p || !*p)
			return -1;
		buf = buf << 5 | (uint32_t)(p - b32);
		bits += 5;
		if (bits >= 8) {
			if (o >= outlen)
				return -1;
			out[o++] = (uint8_t)(buf >> (bits - 8));
			bits -= 8;
		}
	}
	return (int)o;
}
