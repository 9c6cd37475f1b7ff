#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "ring_helpers.h"
#include "shm_internal.h"

void ring_guard_data(struct shm_ring *r)
{
	int prot = r->role == SHM_PRODUCER ? PROT_READ | PROT_WRITE :
		   PROT_READ;
	uint8_t *area, *data;

	/* the guard page stays reserved after the ring is closed: harmless */
	area = mmap(NULL, r->size + IIOT_RING_PAGE, PROT_NONE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (area == MAP_FAILED)
		abort();
	data = mmap(area, r->size, prot, MAP_SHARED | MAP_FIXED, r->fd,
		    IIOT_RING_DATA_OFF);
	if (data != area)
		abort();
	munmap(r->data, r->size);
	r->data = data;
}

const char *ring_test_path(const char *tag)
{
	static char path[128];
	static int n;

	snprintf(path, sizeof(path), "/dev/shm/iiot-test-%d-%d-%s",
		 (int)getpid(), n++, tag);
	return path;
}

void ring_path_cleanup(const char *path)
{
	char w[160];

	unlink(path);
	snprintf(w, sizeof(w), "%s.wake", path);
	unlink(w);
}

static uint8_t byte_at(uint64_t seq, uint32_t i)
{
	uint64_t x = seq * 0x9e3779b97f4a7c15ULL + i * 0xbf58476d1ce4e5b9ULL;

	return (uint8_t)(x >> 56);
}

void frame_fill(uint8_t *buf, uint32_t len, uint64_t seq)
{
	uint32_t i;

	memcpy(buf, &seq, 8);
	for (i = 8; i < len; i++)
		buf[i] = byte_at(seq, i);
}

int frame_check(const uint8_t *buf, uint32_t len, uint64_t *seq)
{
	uint32_t i;

	if (len < 8)
		return -1;
	memcpy(seq, buf, 8);
	for (i = 8; i < len; i++)
		if (buf[i] != byte_at(*seq, i))
			return -1;
	return 0;
}

uint32_t frame_len_for(uint64_t seq)
{
	return 60 + (uint32_t)((seq * 2654435761ULL) % 1455);
}

long ring_data_rss_kb(const struct shm_ring *r)
{
	FILE *f = fopen("/proc/self/smaps", "r");
	char line[512];
	unsigned long lo, hi;
	long kb = -1;
	bool in = false;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		/* a mapping's first line: "lo-hi perms ..." */
		if (sscanf(line, "%lx-%lx ", &lo, &hi) == 2) {
			in = lo == (unsigned long)(uintptr_t)r->data;
			continue;
		}
		if (in && sscanf(line, "Rss: %ld kB", &kb) == 1)
			break;
	}
	fclose(f);
	return kb;
}
