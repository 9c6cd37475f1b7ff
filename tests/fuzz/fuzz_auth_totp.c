/* libFuzzer: TOTP code checking and base32 decoding of user-supplied text. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "auth/totp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t key[TOTP_SECRET] = "12345678901234567890";
	uint8_t out[64];
	char enc[128], *s;

	if (size > 4096)
		return 0;
	s = malloc(size + 1);
	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = 0;
	totp_check(key, sizeof(key), s, 1700000000, 0);
	if (base32_decode(s, out, sizeof(out)) > 0)
		base32_encode(out, 20, enc, sizeof(enc));
	base32_encode(data, size < 64 ? size : 64, enc, sizeof(enc));
	free(s);
	return 0;
}
