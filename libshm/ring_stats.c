/* Ring accessors and counters, readable by any tool without consuming. */
#include <errno.h>
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
	return r->hdr;
}

const char *shm_ring_name(const struct shm_ring *r)
{
	return r->path;
}

void shm_ring_stats(const struct shm_ring *r, struct shm_stats *st)
{
	const struct iiot_ring_prod *p = r->prod;
	const struct iiot_ring_cons *c = r->cons;
	uint64_t fill;

	memset(st, 0, sizeof(*st));
	st->data_size = r->size;
	fill = SHM_LOAD(&p->pos) - SHM_LOAD(&c->pos);
	st->fill = fill > r->size ? r->size : fill;
	st->records = SHM_LOAD(&p->records);
	st->bytes = SHM_LOAD(&p->bytes);
	st->drops = SHM_LOAD(&p->drops);
	st->drop_bytes = SHM_LOAD(&p->drop_bytes);
	st->bad_cons = SHM_LOAD(&p->bad_cons);
	st->truncated = SHM_LOAD(&p->truncated);
	st->state = SHM_LOAD(&p->state);
	st->consumed = SHM_LOAD(&c->records);
	st->corrupt = SHM_LOAD(&c->corrupt);
	st->resyncs = SHM_LOAD(&c->resyncs);
	st->producer_pid = r->hdr->producer_pid;
	st->snap_len = r->snap_len;
	st->ifindex = r->hdr->ifindex;
	st->source = r->hdr->source;
	memcpy(st->name, r->hdr->name, sizeof(st->name));
	st->name[sizeof(st->name) - 1] = '\0';
}

int shm_stats_read(const char *path, struct shm_stats *st)
{
	struct shm_ring *r;
	int err = shm_cons_open(&r, path);

	if (err)
		return err;
	shm_ring_stats(r, st);
	shm_ring_close(r, false);
	return 0;
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
