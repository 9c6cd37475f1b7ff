/*
 * libFuzzer: the archive under a backup's encryption (manifest, entries,
 * checksums).  The encryption itself only lets authenticated bytes
 * through; this is what parses them.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/types.h>

#include "backup/backup.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct src {
	const uint8_t *p;
	size_t n;
};

static ssize_t rd(void *ctx, void *buf, size_t n)
{
	struct src *s = ctx;

	if (n > s->n)
		n = s->n;
	memcpy(buf, s->p, n);
	s->p += n;
	s->n -= n;
	return (ssize_t)n;
}

static int sink(void *ctx, const struct bak_entry *e, int phase, const uint8_t *buf, size_t n)
{
	(void)ctx;
	(void)buf;
	(void)n;
	return phase == 0 && !bak_name_ok(e->name);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct bak_manifest m;
	struct src s = { data, size };
	char err[512];

	bak_archive_read(rd, &s, &m, sink, NULL, err, sizeof(err));
	return 0;
}
