/*
 * Fuzz the consumer's record validation: the input becomes the data area
 * and the producer's position of a real ring, as a hostile producer could
 * write them.  The consumer must never read outside the ring: its data
 * mapping has a PROT_NONE page after it (ring_guard_data), as ASan does
 * not instrument mappings and the next one is often readable.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "libshm.h"
#include "../ring/ring_helpers.h"

#define DATA (64U * 1024U)

static struct shm_ring *cons;
static uint8_t *raw;

int LLVMFuzzerTestOneInput(const uint8_t *buf, size_t len);

static void setup(void)
{
	struct shm_ring_opts o = { .data_size = DATA, .snap_len = 2048 };
	static struct shm_ring *prod;
	char path[64];
	int fd;

	snprintf(path, sizeof(path), "/dev/shm/iiot-fuzz-ring-%d", getpid());
	if (shm_prod_create(&prod, path, &o) || shm_cons_open(&cons, path))
		abort();
	ring_guard_data(cons);
	fd = open(path, O_RDWR);
	raw = mmap(NULL, IIOT_RING_MAP_SIZE(DATA), PROT_READ | PROT_WRITE,
		   MAP_SHARED, fd, 0);
	if (raw == MAP_FAILED)
		abort();
	close(fd);
	unlink(path);
	strncat(path, ".wake", sizeof(path) - strlen(path) - 1);
	unlink(path);
}

int LLVMFuzzerTestOneInput(const uint8_t *buf, size_t len)
{
	struct iiot_ring_prod *p;
	struct iiot_ring_cons *c;
	const uint8_t *frame;
	const struct iiot_ring_rec *rec;
	uint64_t start, off, sum = 0;
	size_t first;
	uint16_t skew = 0;

	if (!cons)
		setup();
	p = (struct iiot_ring_prod *)(raw + IIOT_RING_PROD_OFF);
	c = (struct iiot_ring_cons *)(raw + IIOT_RING_CONS_OFF);
	if (len >= 2) {
		memcpy(&skew, buf, 2);	/* lets the input lie about prod.pos */
		buf += 2;
		len -= 2;
	}
	if (len > DATA)
		len = DATA;
	/* the input lands where the consumer will read next, wrapping */
	start = c->pos;
	off = start & (DATA - 1);
	first = len < DATA - off ? len : DATA - off;
	memcpy(raw + IIOT_RING_DATA_OFF + off, buf, first);
	memcpy(raw + IIOT_RING_DATA_OFF, buf + first, len - first);
	/* mostly whole records; sometimes a position no record ends at */
	p->pos = start + (skew & 0x4000 ? len : len & ~(size_t)7) +
		 (uint64_t)(skew & 0x8000 ? skew : 0);
	while ((rec = shm_cons_peek(cons, &frame)))
		for (uint32_t i = 0; i < rec->cap_len; i++)
			sum += frame[i];
	shm_cons_release(cons);
	return (int)(sum & 0);
}
