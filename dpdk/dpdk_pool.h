/* mbuf pool helpers shared by iiot-dpdk and its benchmark peers. */
#ifndef DPDK_POOL_H
#define DPDK_POOL_H

#include <rte_mempool.h>

/*
 * Touch every page of every mbuf's data room now: without hugepages the
 * pool is ordinary memory, faulted in page by page on first use, and a
 * page fault costs tens of microseconds in some VMs: paid in the burst
 * loop, that is thousands of frames behind at line rate on the first pass.
 */
void pool_fault_in(struct rte_mempool *mp);

#endif
