/* libshm internals shared by the producer, consumer and mapping code. */
#ifndef SHM_INTERNAL_H
#define SHM_INTERNAL_H

#include <sys/types.h>

#include "libshm.h"

#define SHM_LOAD_ACQ(p)		__atomic_load_n((p), __ATOMIC_ACQUIRE)
#define SHM_LOAD(p)		__atomic_load_n((p), __ATOMIC_RELAXED)
#define SHM_STORE_REL(p, v)	__atomic_store_n((p), (v), __ATOMIC_RELEASE)
#define SHM_STORE(p, v)		__atomic_store_n((p), (v), __ATOMIC_RELAXED)
#define SHM_FENCE()		__atomic_thread_fence(__ATOMIC_SEQ_CST)

/*
 * Every record starts at a multiple of IIOT_RING_ALIGN, so every position
 * either side publishes is one.  A position that is not can only come from
 * a hostile or broken writer of the ring file, and used as a record start
 * it lets an 8-byte header run past the end of the data area.
 */
#define SHM_POS_OK(pos)		(((pos) & (IIOT_RING_ALIGN - 1)) == 0)

enum shm_role { SHM_PRODUCER, SHM_CONSUMER };

struct shm_ring {
	enum shm_role role;
	bool is_device;		/* kernel module character device */
	int fd;			/* ring file or device */
	int wake_fd;		/* FIFO (user-space rings) or the device */
	char path[256];
	dev_t dev;
	ino_t ino;

	struct iiot_ring_hdr *hdr;
	/*
	 * The header as validated (consumer) or written (producer): what both
	 * sides size things by.  The mapped header belongs to the file, which
	 * any writer of it can change under us.
	 */
	struct iiot_ring_hdr hdr_copy;
	struct iiot_ring_prod *prod;
	struct iiot_ring_cons *cons;
	uint8_t *data;
	uint64_t size;		/* data_size, validated copy */
	uint64_t mask;
	uint32_t snap_len;	/* validated copy */
	uint16_t source;	/* producer: header's source, cached */

	/* producer */
	uint64_t head;		/* next write position, private */
	uint64_t pub;		/* last position published, private */
	uint64_t cons_cache;	/* last cons.pos seen */
	uint64_t pend_records;
	uint64_t pend_bytes;
	uint64_t pend_trunc;

	/* consumer */
	uint64_t tail;		/* next read position, private */
	uint64_t prod_cache;	/* last good prod.pos seen */
	uint64_t bad_pos;	/* last unaligned prod.pos, counted once */
	uint64_t peeked;
	struct iiot_ring_rec cur;
	/* data before this position left our resident set (ring_cons.c) */
	uint64_t unmapped;
	uint64_t drop_chunk;	/* 0: every page stays mapped */
};

void shm_set_error(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));
int shm_map_parts(struct shm_ring *r, bool producer);
void shm_unmap_parts(struct shm_ring *r);
int shm_validate_hdr(const struct iiot_ring_hdr *h, uint64_t file_size,
		     const char *path);
bool shm_prod_has_room_bytes(struct shm_ring *r, uint64_t need);
int shm_wake_path(const char *path, char *buf, size_t len);

/* ring_perm.c: ownership of what a producer makes, and why a consumer
 * cannot open a ring (sets shm_error(), returns -err) */
void shm_own_ring_fd(int fd);
void shm_own_ring_dir(const char *dir, bool created);
void shm_own_wake_fifo(const char *wpath);
int shm_explain_open(const char *path, int err);

#endif
