/* Producer side: create or take over a ring, reserve, commit, close. */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "shm_internal.h"

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static int mkdir_parent(const char *path)
{
	char tmp[256];
	char *dir;
	bool made;

	snprintf(tmp, sizeof(tmp), "%s", path);
	dir = dirname(tmp);
	made = mkdir(dir, 0750) == 0;
	if (!made && errno != EEXIST) {
		shm_set_error("cannot create %s: %s", dir, strerror(errno));
		return -errno;
	}
	shm_own_ring_dir(dir, made);
	return 0;
}

static int check_opts(const struct shm_ring_opts *o, uint64_t *size,
		      uint32_t *snap)
{
	*size = o->data_size ? o->data_size : SHM_DEFAULT_DATA;
	*snap = o->snap_len ? o->snap_len : IIOT_RING_DEFAULT_SNAP;
	if ((*size & (*size - 1)) || *size < IIOT_RING_MIN_DATA ||
	    *size > IIOT_RING_MAX_DATA) {
		shm_set_error("ring size %llu must be a power of two between "
			      "%u and %u bytes", (unsigned long long)*size,
			      IIOT_RING_MIN_DATA, IIOT_RING_MAX_DATA);
		return -EINVAL;
	}
	if (*snap > IIOT_RING_MAX_SNAP || IIOT_REC_LEN(*snap) > *size / 4) {
		shm_set_error("snap length %u too large (max %u, and a quarter "
			      "of the ring)", *snap, IIOT_RING_MAX_SNAP);
		return -EINVAL;
	}
	return 0;
}

/*
 * An existing ring we may resume: same geometry.  Judged on a private
 * copy, which is also what this producer goes by from then on.
 */
static bool can_take_over(struct shm_ring *r, uint64_t file_size)
{
	const struct iiot_ring_hdr *h = &r->hdr_copy;

	memcpy(&r->hdr_copy, r->hdr, sizeof(r->hdr_copy));
	if (shm_validate_hdr(h, file_size, r->path))
		return false;
	return h->data_size == r->size && h->snap_len == r->snap_len;
}

/* Build the header in the private copy, then publish it to the file. */
static void init_hdr(struct shm_ring *r, const struct shm_ring_opts *o)
{
	struct iiot_ring_hdr *h = &r->hdr_copy;
	const char *name = o->name;
	char tmp[256];

	if (!name) {
		snprintf(tmp, sizeof(tmp), "%s", r->path);
		name = basename(tmp);
	}
	memset(h, 0, sizeof(*h));
	h->abi_version = IIOT_RING_ABI_VERSION;
	h->hdr_size = sizeof(*h);
	h->page_size = IIOT_RING_PAGE;
	h->data_off = IIOT_RING_DATA_OFF;
	h->data_size = r->size;
	h->snap_len = r->snap_len;
	h->ifindex = o->ifindex;
	h->source = o->source;
	h->linktype = IIOT_LINK_ETHERNET;
	h->producer_pid = (uint32_t)getpid();
	snprintf((char *)h->name, sizeof(h->name), "%s", name);
	h->created_ns = shm_now_ns();
	h->magic = IIOT_RING_MAGIC;
	/* magic (the first field) last: a half-initialised ring never
	 * validates */
	memcpy((uint8_t *)r->hdr + sizeof(h->magic),
	       (const uint8_t *)h + sizeof(h->magic),
	       sizeof(*h) - sizeof(h->magic));
	SHM_STORE_REL(&r->hdr->magic, h->magic);
}

static int lock_and_stat(struct shm_ring *r, uint64_t *size)
{
	struct stat st;

	if (flock(r->fd, LOCK_EX | LOCK_NB)) {
		shm_set_error("ring %s already has a producer", r->path);
		return -EBUSY;
	}
	if (fstat(r->fd, &st)) {
		shm_set_error("%s: %s", r->path, strerror(errno));
		return -errno;
	}
	*size = (uint64_t)st.st_size;
	r->dev = st.st_dev;
	r->ino = st.st_ino;
	return 0;
}

/* Take over an existing ring of the same geometry; 1 when done. */
static int try_resume(struct shm_ring *r)
{
	uint64_t size;
	int err;

	r->fd = open(r->path, O_RDWR | O_CLOEXEC | O_NOFOLLOW);
	if (r->fd < 0)
		return 0;
	err = lock_and_stat(r, &size);
	if (err)
		return err;
	if (size < IIOT_RING_MAP_SIZE(r->size))
		goto not_ours;
	r->hdr = mmap(NULL, IIOT_RING_PAGE, PROT_READ | PROT_WRITE,
		      MAP_SHARED, r->fd, 0);
	if (r->hdr == MAP_FAILED) {
		r->hdr = NULL;
		goto not_ours;
	}
	if (can_take_over(r, size)) {
		shm_own_ring_fd(r->fd);	/* made by an older producer */
		return 1;
	}
	munmap(r->hdr, IIOT_RING_PAGE);
	r->hdr = NULL;
not_ours:
	close(r->fd);
	r->fd = -1;
	return 0;
}

/*
 * A fresh ring is built under a temporary name and renamed into place once
 * its header is valid (publish_fresh), so a consumer never sees a file that
 * is empty or half-sized.  It is a new inode: consumers of an old ring keep
 * a valid mapping and notice the replacement (shm_cons_replaced).
 */
static int tmp_path(const struct shm_ring *r, char *buf, size_t len)
{
	int n = snprintf(buf, len, "%s.new-%d", r->path, (int)getpid());

	if (n < 0 || (size_t)n >= len) {
		shm_set_error("ring path %s is too long", r->path);
		return -ENAMETOOLONG;
	}
	return 0;
}

static int create_fresh(struct shm_ring *r)
{
	char tmp[300];
	uint64_t size;
	int err;

	err = tmp_path(r, tmp, sizeof(tmp));
	if (err)
		return err;
	unlink(tmp);
	r->fd = open(tmp, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
		     0660);
	if (r->fd < 0)
		goto fail_errno;
	shm_own_ring_fd(r->fd);
	err = lock_and_stat(r, &size);
	if (err)
		return err;
	if (ftruncate(r->fd, (off_t)IIOT_RING_MAP_SIZE(r->size)))
		goto fail_errno;
	r->hdr = mmap(NULL, IIOT_RING_PAGE, PROT_READ | PROT_WRITE,
		      MAP_SHARED, r->fd, 0);
	if (r->hdr == MAP_FAILED) {
		r->hdr = NULL;
		goto fail_errno;
	}
	return 0;
fail_errno:
	err = -errno;
	shm_set_error("cannot create ring %s: %s", r->path, strerror(errno));
	unlink(tmp);
	return err;
}

static int publish_fresh(struct shm_ring *r)
{
	char tmp[300];
	int err = tmp_path(r, tmp, sizeof(tmp));

	if (err)
		return err;
	if (rename(tmp, r->path)) {
		err = -errno;
		shm_set_error("cannot publish ring %s: %s", r->path,
			      strerror(errno));
		unlink(tmp);
		return err;
	}
	return 0;
}

static int make_wake_fifo(struct shm_ring *r)
{
	char wpath[272];
	int err = shm_wake_path(r->path, wpath, sizeof(wpath));

	if (err)
		return err;
	if (mkfifo(wpath, 0660) && errno != EEXIST) {
		shm_set_error("cannot create %s: %s", wpath, strerror(errno));
		return -errno;
	}
	shm_own_wake_fifo(wpath);
	r->wake_fd = -1;	/* opened lazily: a reader may come later */
	return 0;
}

/*
 * Where a producer goes on: its predecessor's published position when
 * that is aligned and at most a ring ahead of the consumer's, else an
 * empty ring at the consumer's position (aligned down).  Both positions
 * lie in pages any writer of the file can change.  A bad consumer
 * position is not ours to fix: the room checks count it and see a full
 * ring until the consumer publishes a good one.
 */
static void resume_positions(struct shm_ring *r)
{
	uint64_t cons = SHM_LOAD_ACQ(&r->cons->pos);
	uint64_t head = SHM_LOAD(&r->prod->pos);

	if (!SHM_POS_OK(head) || head - cons > r->size)
		head = cons & ~(uint64_t)(IIOT_RING_ALIGN - 1);
	r->head = head;
	r->pub = head;
	SHM_STORE_REL(&r->prod->pos, head);
	/* believe nothing of the consumer until a room check looked */
	r->cons_cache = head - r->size;
}

static int setup_ring(struct shm_ring *r, const struct shm_ring_opts *o)
{
	int resumed = try_resume(r);
	int err;

	if (resumed < 0)
		return resumed;
	if (!resumed) {
		err = create_fresh(r);
		if (err)
			return err;
	}
	err = shm_map_parts(r, true);
	if (err)
		return err;
	if (!resumed) {
		init_hdr(r, o);
		err = publish_fresh(r);
		if (err)
			return err;
	}
	r->hdr_copy.producer_pid = (uint32_t)getpid();
	r->hdr->producer_pid = r->hdr_copy.producer_pid;
	r->source = r->hdr_copy.source;
	resume_positions(r);
	SHM_STORE(&r->prod->state, IIOT_RING_ACTIVE);
	return 0;
}

int shm_prod_create(struct shm_ring **out, const char *path,
		    const struct shm_ring_opts *opts)
{
	struct shm_ring_opts def = { 0 };
	struct shm_ring *r;
	int err;

	*out = NULL;
	if (!opts)
		opts = &def;
	r = calloc(1, sizeof(*r));
	if (!r)
		return -ENOMEM;
	r->role = SHM_PRODUCER;
	r->fd = -1;
	r->wake_fd = -1;
	err = -ENAMETOOLONG;
	if (!shm_ring_path(path, r->path, sizeof(r->path)))
		goto free_ring;
	err = check_opts(opts, &r->size, &r->snap_len);
	if (err)
		goto free_ring;
	r->mask = r->size - 1;
	err = mkdir_parent(r->path);
	if (err)
		goto free_ring;
	err = setup_ring(r, opts);
	if (err)
		goto unmap;
	err = make_wake_fifo(r);
	if (err)
		goto unmap;
	*out = r;
	return 0;
unmap:
	shm_unmap_parts(r);
	if (r->fd >= 0)
		close(r->fd);
free_ring:
	free(r);
	return err;
}

/*
 * The consumer's position is only believed when it is aligned and lies
 * between what the ring can hold behind the position this producer
 * published (its private copy: the shared one is in the file) and that
 * position itself; anything else is counted and treated as a full ring.
 */
bool shm_prod_has_room_bytes(struct shm_ring *r, uint64_t need)
{
	uint64_t used = r->head - r->cons_cache;
	uint64_t cons;

	if (used <= r->size && r->size - used >= need)
		return true;
	cons = SHM_LOAD_ACQ(&r->cons->pos);
	if (!SHM_POS_OK(cons) || r->pub - cons > r->size) {
		SHM_STORE(&r->prod->bad_cons, r->prod->bad_cons + 1);
		return false;
	}
	r->cons_cache = cons;
	used = r->head - cons;
	return used <= r->size && r->size - used >= need;
}

static uint64_t space_needed(const struct shm_ring *r, uint32_t cap_len)
{
	uint32_t len = IIOT_REC_LEN(cap_len > r->snap_len ? r->snap_len : cap_len);
	uint64_t tail_room = r->size - (r->head & r->mask);

	return tail_room < len ? tail_room + len : len;
}

bool shm_prod_has_room(struct shm_ring *r, uint32_t cap_len)
{
	return shm_prod_has_room_bytes(r, space_needed(r, cap_len));
}

static void count_drop(struct shm_ring *r, uint32_t wire_len)
{
	SHM_STORE(&r->prod->drops, r->prod->drops + 1);
	SHM_STORE(&r->prod->drop_bytes, r->prod->drop_bytes + wire_len);
}

void *shm_prod_reserve(struct shm_ring *r, uint32_t cap_len,
		       uint32_t wire_len, uint64_t ts_ns, uint32_t ifindex,
		       uint16_t flags)
{
	uint64_t off, tail_room, need;
	struct iiot_ring_rec *rec;
	uint32_t len;

	if (wire_len < cap_len)
		wire_len = cap_len;
	if (cap_len > r->snap_len) {
		cap_len = r->snap_len;
		flags |= IIOT_RECF_TRUNCATED;
		r->pend_trunc++;
	}
	len = IIOT_REC_LEN(cap_len);
	off = r->head & r->mask;
	tail_room = r->size - off;
	need = tail_room < len ? tail_room + len : len;
	if (!shm_prod_has_room_bytes(r, need)) {
		count_drop(r, wire_len);
		return NULL;
	}
	if (tail_room < len) {
		rec = (struct iiot_ring_rec *)(r->data + off);
		rec->rec_len = (uint32_t)tail_room;
		rec->kind = IIOT_REC_PAD;
		rec->flags = 0;
		r->head += tail_room;
		off = 0;
	}
	rec = (struct iiot_ring_rec *)(r->data + off);
	iiot_rec_init(rec, cap_len, wire_len, ts_ns, ifindex, r->source, flags);
	/* zero the alignment tail so no stale bytes leak to readers */
	if (len > sizeof(*rec) + cap_len)
		memset((uint8_t *)(rec + 1) + cap_len, 0,
		       len - sizeof(*rec) - cap_len);
	r->head += len;
	r->pend_records++;
	r->pend_bytes += cap_len;
	return rec + 1;
}

int shm_prod_write(struct shm_ring *r, const void *frame, uint32_t len,
		   uint32_t wire_len, uint64_t ts_ns, uint32_t ifindex,
		   uint16_t flags)
{
	uint32_t cap = len > r->snap_len ? r->snap_len : len;
	void *dst = shm_prod_reserve(r, len, wire_len ? wire_len : len, ts_ns,
				     ifindex, flags);

	if (!dst)
		return -ENOSPC;
	memcpy(dst, frame, cap);
	return 0;
}

static void wake_consumer(struct shm_ring *r)
{
	char wpath[272];
	char one = 1;

	if (r->wake_fd < 0) {
		if (shm_wake_path(r->path, wpath, sizeof(wpath)))
			return;
		/* ENXIO: nobody listens yet; try again at the next commit */
		r->wake_fd = open(wpath, O_WRONLY | O_NONBLOCK | O_NOFOLLOW |
				  O_CLOEXEC);
		if (r->wake_fd < 0)
			return;
	}
	if (write(r->wake_fd, &one, 1) < 0 && errno == EPIPE) {
		close(r->wake_fd);
		r->wake_fd = -1;
	}
}

void shm_prod_publish(struct shm_ring *r)
{
	struct iiot_ring_prod *p = r->prod;

	if (r->pend_records) {
		SHM_STORE(&p->records, p->records + r->pend_records);
		SHM_STORE(&p->bytes, p->bytes + r->pend_bytes);
		SHM_STORE(&p->truncated, p->truncated + r->pend_trunc);
		r->pend_records = 0;
		r->pend_bytes = 0;
		r->pend_trunc = 0;
	}
	r->pub = r->head;
	SHM_STORE_REL(&p->pos, r->head);
	/* pairs with the fence in shm_cons_arm(): no lost wakeup */
	SHM_FENCE();
	if (SHM_LOAD(&r->cons->waiting))
		wake_consumer(r);
}

void shm_prod_commit(struct shm_ring *r)
{
	SHM_STORE(&r->prod->heartbeat_ns, mono_ns());
	shm_prod_publish(r);
}

void shm_prod_add_drops(struct shm_ring *r, uint64_t frames, uint64_t bytes)
{
	SHM_STORE(&r->prod->drops, r->prod->drops + frames);
	SHM_STORE(&r->prod->drop_bytes, r->prod->drop_bytes + bytes);
}

void shm_prod_close(struct shm_ring *r)
{
	shm_prod_commit(r);
	SHM_STORE_REL(&r->prod->state, IIOT_RING_CLOSED);
	SHM_FENCE();
	if (SHM_LOAD(&r->cons->waiting))
		wake_consumer(r);
}
