// SPDX-License-Identifier: GPL-2.0
/*
 * The producer side of one ring in the shared ABI (include/iiot/ring_abi.h)
 * over vmalloc_user memory, so the same pages can be mapped into user space.
 *
 * The consumer position lives in a page user space writes: it is read
 * once per frame and never trusted beyond the ring size, nor when it is
 * not 8-byte aligned (no record starts there).
 */
#include <linux/align.h>
#include <linux/ktime.h>
#include <linux/log2.h>
#include <linux/string.h>
#include <linux/vmalloc.h>

#include "iiot.h"

u32 iiot_ring_snap_max(u64 size)
{
	/* a consumer refuses rings where a record exceeds a quarter */
	u64 fit = size / 4 - sizeof(struct iiot_ring_rec);

	return min_t(u64, IIOT_RING_MAX_SNAP, fit);
}

int iiot_ring_alloc(struct iiot_ring *r, u64 size, u32 ifindex,
		    const char *name)
{
	struct iiot_ring_hdr *h;

	IIOT_RING_ABI_CHECK();
	if (!is_power_of_2(size) || size < IIOT_RING_MIN_DATA ||
	    size > IIOT_RING_MAX_DATA)
		return -EINVAL;
	r->mem_size = IIOT_RING_MAP_SIZE(size);
	/* zeroed, and flagged VM_USERMAP for remap_vmalloc_range() */
	r->mem = vmalloc_user(r->mem_size);
	if (!r->mem)
		return -ENOMEM;
	r->hdr = r->mem + IIOT_RING_HDR_OFF;
	r->prod = r->mem + IIOT_RING_PROD_OFF;
	r->cons = r->mem + IIOT_RING_CONS_OFF;
	r->data = r->mem + IIOT_RING_DATA_OFF;
	r->size = size;
	r->head = 0;
	r->snap_max = iiot_ring_snap_max(size);

	h = r->hdr;
	h->abi_version = IIOT_RING_ABI_VERSION;
	h->hdr_size = sizeof(*h);
	h->page_size = IIOT_RING_PAGE;
	h->data_off = IIOT_RING_DATA_OFF;
	h->data_size = size;
	h->snap_len = r->snap_max;
	h->ifindex = ifindex;
	h->source = IIOT_SRC_KMOD;
	h->linktype = IIOT_LINK_ETHERNET;
	strscpy(h->name, name, sizeof(h->name));
	h->created_ns = ktime_get_real_ns();
	/* the magic last: a reader that sees it sees a whole header */
	smp_wmb();
	WRITE_ONCE(h->magic, IIOT_RING_MAGIC);
	return 0;
}

void iiot_ring_free(struct iiot_ring *r)
{
	vfree(r->mem);
	r->mem = NULL;
}

u64 iiot_ring_fill(const struct iiot_ring *r)
{
	u64 used = READ_ONCE(r->prod->pos) - READ_ONCE(r->cons->pos);

	return min(used, r->size);
}

static void ring_count_drop(struct iiot_ring *r, u32 wire_len)
{
	struct iiot_ring_prod *p = r->prod;

	WRITE_ONCE(p->drops, p->drops + 1);
	WRITE_ONCE(p->drop_bytes, p->drop_bytes + wire_len);
}

/*
 * Room for a record of rec_len bytes at the head, or NULL (not counted).
 * Called with cap->lock held.  A record never wraps: the tail of the data
 * area is filled with a PAD record first.
 */
void *iiot_ring_reserve(struct iiot_ring *r, u32 cap_len, u32 wire_len,
			u32 ifindex, u64 ts, u16 flags)
{
	u32 rec_len = IIOT_REC_LEN(cap_len);
	u64 cons = smp_load_acquire(&r->cons->pos);
	u64 used = r->head - cons;
	u64 off = r->head & (r->size - 1);
	u64 tail = r->size - off;
	u64 need = rec_len <= tail ? rec_len : tail + rec_len;
	struct iiot_ring_rec *rec;

	if (used > r->size || !IS_ALIGNED(cons, IIOT_RING_ALIGN)) {
		WRITE_ONCE(r->prod->bad_cons, r->prod->bad_cons + 1);
		ring_count_drop(r, wire_len);
		return NULL;
	}
	if (r->size - used < need) {
		ring_count_drop(r, wire_len);
		return NULL;
	}
	if (rec_len > tail) {
		/* the tail may be as short as 8 bytes: only the PAD's
		 * rec_len, kind and flags fit, and that is all it needs
		 */
		rec = (struct iiot_ring_rec *)(r->data + off);
		rec->rec_len = tail;
		rec->kind = IIOT_REC_PAD;
		rec->flags = 0;
		r->head += tail;
		off = 0;
	}
	rec = (struct iiot_ring_rec *)(r->data + off);
	iiot_rec_init(rec, cap_len, wire_len, ts, ifindex, IIOT_SRC_KMOD,
		      flags);
	/* zero the alignment padding: no stale kernel bytes reach users */
	if (rec_len > sizeof(*rec) + cap_len)
		memset((u8 *)(rec + 1) + cap_len, 0,
		       rec_len - sizeof(*rec) - cap_len);
	r->head += rec_len;

	WRITE_ONCE(r->prod->records, r->prod->records + 1);
	WRITE_ONCE(r->prod->bytes, r->prod->bytes + cap_len);
	if (flags & IIOT_RECF_TRUNCATED)
		WRITE_ONCE(r->prod->truncated, r->prod->truncated + 1);
	return rec + 1;
}

/*
 * Publish what was reserved.  Sleepers are found through the wait queue
 * (wq_has_sleeper() in the hook), not cons.waiting: a reader that only
 * polls the device is woken too.
 */
void iiot_ring_commit(struct iiot_ring *r)
{
	WRITE_ONCE(r->prod->heartbeat_ns, ktime_get_ns());
	smp_store_release(&r->prod->pos, r->head);
}

void iiot_ring_close(struct iiot_ring *r)
{
	smp_store_release(&r->prod->state, IIOT_RING_CLOSED);
}
