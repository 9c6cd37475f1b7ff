/* Ring accessors and counters, readable by any tool without consuming. */
#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "shm_internal.h"

int shm_ring_fd(const struct shm_ring *r)
{
	return r->wake_fd;
}

const struct iiot_ring_hdr *shm_ring_hdr(const struct shm_ring *r)
{
	return &r->hdr_copy;
}

uint32_t shm_ring_snap_len(const struct shm_ring *r)
{
	return r->snap_len;
}

const char *shm_ring_name(const struct shm_ring *r)
{
	return r->path;
}

static void fill_stats(const struct iiot_ring_hdr *h,
		       const struct iiot_ring_prod *p,
		       const struct iiot_ring_cons *c, uint64_t size,
		       struct shm_stats *st)
{
	uint64_t fill;

	memset(st, 0, sizeof(*st));
	st->data_size = size;
	fill = SHM_LOAD(&p->pos) - SHM_LOAD(&c->pos);
	st->fill = fill > size ? size : fill;
	st->records = SHM_LOAD(&p->records);
	st->bytes = SHM_LOAD(&p->bytes);
	st->drops = SHM_LOAD(&p->drops);
	st->drop_bytes = SHM_LOAD(&p->drop_bytes);
	st->bad_cons = SHM_LOAD(&p->bad_cons);
	st->truncated = SHM_LOAD(&p->truncated);
	st->state = SHM_LOAD(&p->state);
	st->heartbeat_ns = SHM_LOAD(&p->heartbeat_ns);
	st->consumed = SHM_LOAD(&c->records);
	st->corrupt = SHM_LOAD(&c->corrupt);
	st->resyncs = SHM_LOAD(&c->resyncs);
	st->nic.packets = SHM_LOAD(&p->nic_packets);
	st->nic.missed = SHM_LOAD(&p->nic_missed);
	st->nic.errors = SHM_LOAD(&p->nic_errors);
	st->nic.nombuf = SHM_LOAD(&p->nic_nombuf);
	st->producer_pid = h->producer_pid;
	st->snap_len = h->snap_len;
	st->ifindex = h->ifindex;
	st->source = h->source;
	memcpy(st->name, h->name, sizeof(st->name));
	st->name[sizeof(st->name) - 1] = '\0';
}

void shm_ring_stats(const struct shm_ring *r, struct shm_stats *st)
{
	fill_stats(r->hdr, r->prod, r->cons, r->size, st);
}

/* Read-only: a monitoring tool needs no write access to the ring. */
int shm_stats_read(const char *path, struct shm_stats *st)
{
	struct iiot_ring_hdr hdr;
	struct stat sb;
	char full[256];
	uint8_t *map;
	int fd, err;

	if (!shm_ring_path(path, full, sizeof(full)))
		return -ENAMETOOLONG;
	fd = open(full, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return shm_explain_open(full, errno);
	if (fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode) &&
	    sb.st_size < (off_t)IIOT_RING_DATA_OFF) {
		close(fd);
		shm_set_error("%s: %lld bytes is too small for an iiot ring",
			      full, (long long)sb.st_size);
		return -EPROTO;
	}
	map = mmap(NULL, IIOT_RING_DATA_OFF, PROT_READ, MAP_SHARED, fd, 0);
	err = map == MAP_FAILED ? -errno : 0;
	close(fd);
	if (err) {
		shm_set_error("%s: mmap: %s", full, strerror(-err));
		return err;
	}
	memcpy(&hdr, map, sizeof(hdr));
	err = shm_validate_hdr(&hdr, 0, full);
	if (!err)
		fill_stats(&hdr, (const void *)(map + IIOT_RING_PROD_OFF),
			   (const void *)(map + IIOT_RING_CONS_OFF),
			   hdr.data_size, st);
	munmap(map, IIOT_RING_DATA_OFF);
	return err;
}

void shm_ring_close(struct shm_ring *r, bool unlink_file)
{
	char wpath[272];

	if (!r)
		return;
	if (r->role == SHM_PRODUCER && r->prod)
		shm_prod_close(r);
	shm_unmap_parts(r);
	if (r->wake_fd >= 0 && r->wake_fd != r->fd)
		close(r->wake_fd);
	if (r->fd >= 0)
		close(r->fd);
	if (unlink_file && r->role == SHM_PRODUCER && !r->is_device) {
		unlink(r->path);
		if (!shm_wake_path(r->path, wpath, sizeof(wpath)))
			unlink(wpath);
	}
	free(r);
}
