/*
 * The NIC's counters on the producer page (struct iiot_ring_prod's nic_*),
 * so every tool that reads a ring's counters sees what was lost before
 * the ring, whatever the capture source.
 */
#include "shm_internal.h"

void shm_prod_set_nic(struct shm_ring *r, const struct shm_nic_counters *nic)
{
	struct iiot_ring_prod *p = r->prod;

	/* relaxed: readers poll, and no record depends on these */
	SHM_STORE(&p->nic_packets, nic->packets);
	SHM_STORE(&p->nic_missed, nic->missed);
	SHM_STORE(&p->nic_errors, nic->errors);
	SHM_STORE(&p->nic_nombuf, nic->nombuf);
}
