// SPDX-License-Identifier: GPL-2.0
/*
 * iiot.ko: passive capture of industrial Ethernet (EtherCAT, PROFINET)
 * into per-interface shared-memory rings in the iiot ring ABI.
 *
 * Module glue: the netdevice notifier that detaches an interface when it
 * goes away, and load/unload.
 */
#include <linux/module.h>
#include <linux/netdevice.h>
#include <linux/rtnetlink.h>
#include <net/genetlink.h>

#include "iiot.h"

static int iiot_netdev_event(struct notifier_block *nb, unsigned long event,
			     void *ptr)
{
	struct net_device *dev = netdev_notifier_info_to_dev(ptr);
	struct iiot_cap *cap;

	/* runs under RTNL, like every change to a capture */
	if (event != NETDEV_UNREGISTER)
		return NOTIFY_DONE;
	cap = iiot_cap_find(dev);
	if (cap)
		iiot_cap_detach(cap);
	return NOTIFY_DONE;
}

static struct notifier_block iiot_netdev_nb = {
	.notifier_call = iiot_netdev_event,
};

static int __init iiot_init(void)
{
	int err;

	/* the ring ABI gives each part its own 4 KiB page */
	if (PAGE_SIZE != IIOT_RING_PAGE) {
		pr_err("iiot: needs %u byte pages, this kernel uses %lu\n",
		       IIOT_RING_PAGE, PAGE_SIZE);
		return -EOPNOTSUPP;
	}
	err = register_netdevice_notifier(&iiot_netdev_nb);
	if (err)
		return err;
	err = iiot_genl_init();
	if (err)
		goto unregister_notifier;
	pr_info("iiot: version %s, ring ABI %u\n", IIOT_VERSION,
		IIOT_RING_ABI_VERSION);
	return 0;

unregister_notifier:
	unregister_netdevice_notifier(&iiot_netdev_nb);
	return err;
}

static void __exit iiot_exit(void)
{
	/* detach first: detach events still need the family */
	rtnl_lock();
	iiot_cap_detach_all();
	rtnl_unlock();
	iiot_genl_exit();
	unregister_netdevice_notifier(&iiot_netdev_nb);
}

module_init(iiot_init);
module_exit(iiot_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("iiot: capture of EtherCAT and PROFINET frames into mmap'd rings");
MODULE_AUTHOR("iiot developers");
MODULE_VERSION(IIOT_VERSION);
MODULE_INFO(abi_version, __stringify(IIOT_RING_ABI_VERSION));
MODULE_INFO(genl_version, __stringify(IIOT_GENL_VERSION));
MODULE_ALIAS_GENL_FAMILY(IIOT_GENL_NAME);
