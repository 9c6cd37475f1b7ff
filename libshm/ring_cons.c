/* Consumer side: open, validate every record, release, sleep and wake. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "shm_internal.h"

static int open_wake(struct shm_ring *r)
{
	char wpath[272];
	struct stat st;
	int err;

	if (r->is_device) {
		r->wake_fd = r->fd;	/* the module's poll() */
		return 0;
	}
	err = shm_wake_path(r->path, wpath, sizeof(wpath));
	if (err)
		return err;
	/* O_RDWR keeps a writer open so poll() never reports a hang-up */
	r->wake_fd = open(wpath, O_RDWR | O_NONBLOCK | O_NOFOLLOW |
			  O_CLOEXEC);
	if (r->wake_fd < 0)
		return shm_explain_open(wpath, errno);
	if (fstat(r->wake_fd, &st) || !S_ISFIFO(st.st_mode)) {
		shm_set_error("wakeup %s is not a FIFO", wpath);
		return -EPROTO;
	}
	return 0;
}

static int read_hdr(struct shm_ring *r, uint64_t file_size)
{
	struct iiot_ring_hdr *copy = &r->hdr_copy;
	int err;

	r->hdr = mmap(NULL, IIOT_RING_PAGE, PROT_READ, MAP_SHARED, r->fd, 0);
	if (r->hdr == MAP_FAILED) {
		r->hdr = NULL;
		shm_set_error("%s: mmap header: %s", r->path, strerror(errno));
		return -errno;
	}
	/* validate a private copy: the producer could change it under us */
	memcpy(copy, r->hdr, sizeof(*copy));
	err = shm_validate_hdr(copy, file_size, r->path);
	if (err)
		return err;
	r->size = copy->data_size;
	r->mask = r->size - 1;
	r->snap_len = copy->snap_len;
	return 0;
}

/*
 * Where reading starts: the position this side last released, aligned
 * down when it is not (anyone who can write the file can write it); what
 * lies there is validated like any record.
 */
static void start_position(struct shm_ring *r)
{
	r->tail = SHM_LOAD(&r->cons->pos);
	if (!SHM_POS_OK(r->tail)) {
		SHM_STORE(&r->cons->corrupt, r->cons->corrupt + 1);
		r->tail &= ~(uint64_t)(IIOT_RING_ALIGN - 1);
		SHM_STORE_REL(&r->cons->pos, r->tail);
	}
	r->prod_cache = r->tail;
}

/*
 * A consumer of a ring file holds only the part it is reading: each
 * SHM_DROP_CHUNK it has released leaves its page tables (MADV_DONTNEED on
 * a shared mapping drops our mappings, not the data, which stays in the
 * file for the producer), and the next lap faults the pages back in, a
 * fault-around batch at a time.  Without it every page of the ring counts
 * in the consumer's RSS once the producer wrapped (iiotd held a 16 MiB
 * ring resident for 2 MiB of frames in flight).  A device ring (the kernel
 * module's) keeps its pages: its mapping is not the page cache's.
 */
#define SHM_DROP_CHUNK	(512U * 1024U)

static void drop_init(struct shm_ring *r)
{
	if (r->is_device)
		return;
	r->drop_chunk = r->size / 4 < SHM_DROP_CHUNK ? r->size / 4 :
			SHM_DROP_CHUNK;
	r->unmapped = r->tail & ~(r->drop_chunk - 1);
}

static void drop_read_pages(struct shm_ring *r)
{
	uint64_t c = r->drop_chunk;

	if (!c)
		return;
	/* a resync can move tail anywhere: start again from there */
	if (r->tail - r->unmapped > r->size) {
		r->unmapped = r->tail & ~(c - 1);
		return;
	}
	/* chunks divide the data area: none crosses its end */
	for (; r->tail - r->unmapped >= c; r->unmapped += c)
		if (madvise(r->data + (r->unmapped & r->mask), c,
			    MADV_DONTNEED)) {
			r->drop_chunk = 0;
			return;
		}
}

int shm_cons_open(struct shm_ring **out, const char *path)
{
	struct shm_ring *r;
	struct stat st;
	int err;

	*out = NULL;
	r = calloc(1, sizeof(*r));
	if (!r)
		return -ENOMEM;
	r->role = SHM_CONSUMER;
	r->wake_fd = -1;
	err = -ENAMETOOLONG;
	if (!shm_ring_path(path, r->path, sizeof(r->path)))
		goto free_ring;
	/* a configured path is opened as it is, never through a link */
	r->fd = open(r->path, O_RDWR | O_NOFOLLOW | O_CLOEXEC);
	if (r->fd < 0) {
		err = shm_explain_open(r->path, errno);
		goto free_ring;
	}
	if (fstat(r->fd, &st)) {
		err = -errno;
		goto close_fd;
	}
	r->is_device = S_ISCHR(st.st_mode);
	if (!r->is_device &&
	    (uint64_t)st.st_size < IIOT_RING_MAP_SIZE(IIOT_RING_MIN_DATA)) {
		err = -EPROTO;
		shm_set_error("%s: %lld bytes is too small for an iiot ring",
			      r->path, (long long)st.st_size);
		goto close_fd;
	}
	r->dev = st.st_dev;
	r->ino = st.st_ino;
	err = read_hdr(r, r->is_device ? 0 : (uint64_t)st.st_size);
	if (err)
		goto unmap;
	err = shm_map_parts(r, false);
	if (err)
		goto unmap;
	err = open_wake(r);
	if (err)
		goto unmap;
	start_position(r);
	drop_init(r);
	*out = r;
	return 0;
unmap:
	shm_unmap_parts(r);
close_fd:
	close(r->fd);
free_ring:
	free(r);
	return err;
}

/* Skip everything published: the only safe answer to a corrupt record. */
static void resync(struct shm_ring *r)
{
	SHM_STORE(&r->cons->corrupt, r->cons->corrupt + 1);
	SHM_STORE(&r->cons->resyncs, r->cons->resyncs + 1);
	r->tail = r->prod_cache;
	SHM_STORE_REL(&r->cons->pos, r->tail);
}

/*
 * The producer's position, or the last good one while it publishes one
 * that is not aligned: no record can start there, and resynchronising to
 * it would make the next header read run past the data area.  Counted as
 * corruption once per bad value.
 */
static uint64_t prod_pos(struct shm_ring *r)
{
	uint64_t pos = SHM_LOAD_ACQ(&r->prod->pos);

	if (SHM_POS_OK(pos))
		return pos;
	if (pos != r->bad_pos) {
		r->bad_pos = pos;
		SHM_STORE(&r->cons->corrupt, r->cons->corrupt + 1);
	}
	return r->prod_cache;
}

/* Published bytes after tail, or 0; a producer position out of range is
 * itself corruption. */
static uint64_t available(struct shm_ring *r)
{
	uint64_t avail = r->prod_cache - r->tail;

	if (avail)
		return avail;
	r->prod_cache = prod_pos(r);
	avail = r->prod_cache - r->tail;
	if (avail > r->size) {
		resync(r);
		return 0;
	}
	return avail;
}

static bool frame_ok(const struct shm_ring *r, const struct iiot_ring_rec *h)
{
	return h->rec_len >= sizeof(*h) && h->cap_len <= r->snap_len &&
	       IIOT_REC_LEN(h->cap_len) == h->rec_len &&
	       h->wire_len >= h->cap_len;
}

const struct iiot_ring_rec *shm_cons_peek(struct shm_ring *r,
					  const uint8_t **frame)
{
	uint64_t avail, off;
	const uint8_t *p;

	while ((avail = available(r)) != 0) {
		off = r->tail & r->mask;
		p = r->data + off;
		/* copy before checking: the producer may be hostile */
		if (avail >= sizeof(r->cur) && r->size - off >= sizeof(r->cur)) {
			memcpy(&r->cur, p, sizeof(r->cur));
		} else if (avail >= 8 && r->size - off >= 8) {
			memcpy(&r->cur, p, 8);	/* a PAD's header */
		} else {
			resync(r);
			return NULL;
		}
		if (r->cur.rec_len < 8 || r->cur.rec_len % IIOT_RING_ALIGN ||
		    r->cur.rec_len > avail || r->cur.rec_len > r->size - off) {
			resync(r);
			return NULL;
		}
		if (r->cur.kind == IIOT_REC_PAD &&
		    off + r->cur.rec_len == r->size) {
			r->tail += r->cur.rec_len;
			continue;
		}
		if (r->cur.kind != IIOT_REC_FRAME ||
		    r->cur.rec_len < sizeof(r->cur)) {
			resync(r);
			return NULL;
		}
		if (!frame_ok(r, &r->cur)) {
			resync(r);
			return NULL;
		}
		r->tail += r->cur.rec_len;
		r->peeked++;
		*frame = p + sizeof(r->cur);
		return &r->cur;
	}
	return NULL;
}

void shm_cons_release(struct shm_ring *r)
{
	if (r->peeked) {
		SHM_STORE(&r->cons->records, r->cons->records + r->peeked);
		r->peeked = 0;
	}
	SHM_STORE_REL(&r->cons->pos, r->tail);
	drop_read_pages(r);
}

bool shm_cons_arm(struct shm_ring *r)
{
	SHM_STORE(&r->cons->waiting, 1);
	/* pairs with the fence in shm_prod_commit() */
	SHM_FENCE();
	if (prod_pos(r) != r->tail ||
	    SHM_LOAD(&r->prod->state) == IIOT_RING_CLOSED) {
		SHM_STORE(&r->cons->waiting, 0);
		return true;
	}
	return false;
}

void shm_cons_ack(struct shm_ring *r)
{
	char buf[256];

	SHM_STORE(&r->cons->waiting, 0);
	if (r->is_device)
		return;
	while (read(r->wake_fd, buf, sizeof(buf)) > 0)
		;
}

int shm_cons_wait(struct shm_ring *r, int timeout_ms)
{
	struct pollfd pfd = { .fd = r->wake_fd, .events = POLLIN };
	int n;

	if (shm_cons_arm(r))
		return 1;
	n = poll(&pfd, 1, timeout_ms);
	shm_cons_ack(r);
	if (n < 0)
		return errno == EINTR ? 0 : -errno;
	return prod_pos(r) != r->tail;
}

bool shm_cons_eof(struct shm_ring *r)
{
	return SHM_LOAD_ACQ(&r->prod->state) == IIOT_RING_CLOSED &&
	       prod_pos(r) == r->tail;
}

bool shm_cons_replaced(struct shm_ring *r)
{
	struct stat st;

	if (r->is_device)
		return false;
	if (stat(r->path, &st))
		return true;
	return st.st_dev != r->dev || st.st_ino != r->ino;
}
