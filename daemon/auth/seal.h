/* AES-256-GCM for secrets at rest (TOTP seeds), key in a 0600 file. */
#ifndef IIOT_SEAL_H
#define IIOT_SEAL_H

#include <stddef.h>
#include <stdint.h>

#define SEAL_KEY	32
#define SEAL_OVERHEAD	(12 + 16)	/* nonce + tag */

/* Read the key, creating it (0600) on first use; 0 or -1. */
int seal_key_load(const char *path, uint8_t key[SEAL_KEY]);
/* out holds n + SEAL_OVERHEAD bytes */
int seal(const uint8_t key[SEAL_KEY], const uint8_t *in, size_t n, uint8_t *out);
/* in is n bytes (n > SEAL_OVERHEAD); out holds n - SEAL_OVERHEAD */
int unseal(const uint8_t key[SEAL_KEY], const uint8_t *in, size_t n, uint8_t *out);

#endif
