/* Mapping a ring's parts with the permissions each side needs. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include "shm_internal.h"

static __thread char shm_errbuf[256];

const char *shm_error(void)
{
	return shm_errbuf[0] ? shm_errbuf : "no error";
}

void shm_set_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(shm_errbuf, sizeof(shm_errbuf), fmt, ap);
	va_end(ap);
}

uint64_t shm_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

char *shm_ring_path(const char *name, char *buf, size_t len)
{
	int n;

	if (strchr(name, '/'))
		n = snprintf(buf, len, "%s", name);
	else
		n = snprintf(buf, len, "%s/%s", SHM_DIR, name);
	if (n < 0 || (size_t)n >= len) {
		shm_set_error("ring path for '%s' is too long", name);
		return NULL;
	}
	return buf;
}

int shm_wake_path(const char *path, char *buf, size_t len)
{
	int n = snprintf(buf, len, "%s.wake", path);

	if (n < 0 || (size_t)n >= len) {
		shm_set_error("wake path for '%s' is too long", path);
		return -ENAMETOOLONG;
	}
	return 0;
}

static bool is_pow2(uint64_t v)
{
	return v && !(v & (v - 1));
}

int shm_validate_hdr(const struct iiot_ring_hdr *h, uint64_t file_size,
		     const char *path)
{
	IIOT_RING_ABI_CHECK();

	if (h->magic != IIOT_RING_MAGIC) {
		shm_set_error("%s: not an iiot ring (magic 0x%08x)", path,
			      h->magic);
		return -EPROTO;
	}
	if (h->abi_version != IIOT_RING_ABI_VERSION ||
	    h->hdr_size != sizeof(*h)) {
		shm_set_error("%s: ring ABI %u (header %u bytes), this build "
			      "speaks ABI %u (%zu bytes)", path,
			      h->abi_version, h->hdr_size,
			      IIOT_RING_ABI_VERSION, sizeof(*h));
		return -EPROTONOSUPPORT;
	}
	if (h->page_size != IIOT_RING_PAGE || h->data_off != IIOT_RING_DATA_OFF) {
		shm_set_error("%s: unexpected page size %u or data offset %llu",
			      path, h->page_size,
			      (unsigned long long)h->data_off);
		return -EPROTO;
	}
	if (!is_pow2(h->data_size) || h->data_size < IIOT_RING_MIN_DATA ||
	    h->data_size > IIOT_RING_MAX_DATA) {
		shm_set_error("%s: data size %llu is not a power of two in "
			      "[%u, %u]", path,
			      (unsigned long long)h->data_size,
			      IIOT_RING_MIN_DATA, IIOT_RING_MAX_DATA);
		return -EPROTO;
	}
	if (file_size && file_size < IIOT_RING_MAP_SIZE(h->data_size)) {
		shm_set_error("%s: file holds %llu bytes, ring needs %llu",
			      path, (unsigned long long)file_size,
			      (unsigned long long)IIOT_RING_MAP_SIZE(h->data_size));
		return -EPROTO;
	}
	if (h->snap_len == 0 || h->snap_len > IIOT_RING_MAX_SNAP ||
	    IIOT_REC_LEN(h->snap_len) > h->data_size / 4) {
		shm_set_error("%s: snap length %u out of range", path,
			      h->snap_len);
		return -EPROTO;
	}
	return 0;
}

static void *map_part(int fd, uint64_t off, uint64_t len, int prot,
		      bool populate)
{
	/* populate: take the page faults now, not in the first lap */
	void *p = mmap(NULL, len, prot,
		       MAP_SHARED | (populate ? MAP_POPULATE : 0), fd,
		       (off_t)off);

	return p == MAP_FAILED ? NULL : p;
}

/*
 * The consumer maps header, producer page and data read-only: a bug in the
 * daemon can never corrupt what the producer relies on.
 */
int shm_map_parts(struct shm_ring *r, bool producer)
{
	int ro = producer ? PROT_READ | PROT_WRITE : PROT_READ;
	int cons_prot = PROT_READ | PROT_WRITE;

	if (producer)
		cons_prot = PROT_READ;
	r->prod = map_part(r->fd, IIOT_RING_PROD_OFF, IIOT_RING_PAGE, ro,
			   true);
	r->cons = map_part(r->fd, IIOT_RING_CONS_OFF, IIOT_RING_PAGE,
			   cons_prot, true);
	/* a consumer of a ring file holds only what it reads (ring_cons.c):
	 * populating all of it would make its peak RSS the whole ring */
	r->data = map_part(r->fd, IIOT_RING_DATA_OFF, r->size, ro,
			   producer || r->is_device);
	if (!r->prod || !r->cons || !r->data) {
		int err = errno;

		shm_set_error("%s: mmap: %s", r->path, strerror(err));
		shm_unmap_parts(r);
		return -err;
	}
	return 0;
}

void shm_unmap_parts(struct shm_ring *r)
{
	if (r->hdr)
		munmap(r->hdr, IIOT_RING_PAGE);
	if (r->prod)
		munmap(r->prod, IIOT_RING_PAGE);
	if (r->cons)
		munmap(r->cons, IIOT_RING_PAGE);
	if (r->data)
		munmap(r->data, r->size);
	r->hdr = NULL;
	r->prod = NULL;
	r->cons = NULL;
	r->data = NULL;
}
