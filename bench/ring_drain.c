/*
 * Drain a ring as fast as the consumer API allows, until its producer
 * closes it; print what was read.  Used by bench/dpdk.bench so iiot-dpdk's
 * ring never fills during a measurement: started first, it waits for the
 * ring to appear (up to 30 s) and attaches within a fraction of a
 * millisecond.
 *
 *   ring_drain RING
 */
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "libshm.h"

/*
 * A ring file exists, empty, between the producer's open and its
 * ftruncate; shm_cons_open() would map that empty file and fault.  Wait
 * until the file has its size.
 */
static int try_open(struct shm_ring **r, const char *name)
{
	char path[256];
	struct stat st;

	if (!shm_ring_path(name, path, sizeof(path)) || stat(path, &st) ||
	    (uint64_t)st.st_size < IIOT_RING_MAP_SIZE(IIOT_RING_MIN_DATA))
		return -1;
	return shm_cons_open(r, path);
}

int main(int argc, char **argv)
{
	const struct iiot_ring_rec *rec;
	const uint8_t *f;
	struct shm_ring *r;
	unsigned long long n = 0, bytes = 0;

	int tries = 300000;

	while (argc == 2 && try_open(&r, argv[1]) && --tries)
		usleep(100);
	if (argc != 2 || !tries) {
		fprintf(stderr, "ring_drain: %s\n",
			argc == 2 ? shm_error() : "usage: ring_drain RING");
		return 1;
	}
	while (!shm_cons_eof(r)) {
		unsigned int k = 0;

		while (k < 64 && (rec = shm_cons_peek(r, &f))) {
			bytes += rec->cap_len;
			k++;
		}
		n += k;
		if (k)
			shm_cons_release(r);
		else
			__builtin_ia32_pause();
	}
	printf("{\"drained\":%llu,\"bytes\":%llu}\n", n, bytes);
	shm_ring_close(r, false);
	return 0;
}
