/* mbuf pool helpers shared by iiot-dpdk and its benchmark peers. */
#include <rte_mbuf.h>

#include "dpdk_pool.h"

static void touch_mbuf(struct rte_mempool *mp, void *arg, void *obj,
		       unsigned int idx)
{
	struct rte_mbuf *m = obj;
	volatile uint8_t *p = m->buf_addr;
	uint32_t off;

	(void)mp;
	(void)arg;
	(void)idx;
	for (off = 0; off < m->buf_len; off += 4096)
		p[off] = 0;
	p[m->buf_len - 1] = 0;
}

void pool_fault_in(struct rte_mempool *mp)
{
	rte_mempool_obj_iter(mp, touch_mbuf, NULL);
}
