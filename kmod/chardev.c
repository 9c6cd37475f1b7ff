// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/iiot/<ifname>: a misc device per capture that maps the ring and
 * wakes readers through poll().  The mapping layout is the ring ABI's:
 * only the consumer page may be mapped writable, so a reader can never
 * corrupt what the hook relies on.
 */
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/poll.h>
#include <linux/vmalloc.h>

#include "iiot.h"

static int iiot_open(struct inode *inode, struct file *file)
{
	struct miscdevice *misc = file->private_data;
	struct iiot_cap *cap = container_of(misc, struct iiot_cap, misc);

	/* misc_open() holds misc_mtx: detach cannot have dropped its ref */
	iiot_cap_get(cap);
	file->private_data = cap;
	return stream_open(inode, file);
}

static int iiot_release(struct inode *inode, struct file *file)
{
	iiot_cap_put(file->private_data);
	return 0;
}

static int iiot_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct iiot_cap *cap = file->private_data;
	struct iiot_ring *r = &cap->ring;
	unsigned long len = vma->vm_end - vma->vm_start;
	u64 off = (u64)vma->vm_pgoff << PAGE_SHIFT;
	bool cons_only;

	if (off >= r->mem_size || len > r->mem_size - off)
		return -EINVAL;
	cons_only = off == IIOT_RING_CONS_OFF && len == IIOT_RING_PAGE;
	if (!cons_only) {
		if (vma->vm_flags & VM_WRITE)
			return -EPERM;
		/* and no mprotect() to writable later */
		vma->vm_flags &= ~VM_MAYWRITE;
	}
	vma->vm_flags |= VM_DONTEXPAND | VM_DONTDUMP;
	return remap_vmalloc_range(vma, r->mem, vma->vm_pgoff);
}

static __poll_t iiot_poll(struct file *file, poll_table *wait)
{
	struct iiot_cap *cap = file->private_data;
	struct iiot_ring *r = &cap->ring;
	__poll_t mask = 0;

	poll_wait(file, &cap->wq, wait);
	if (smp_load_acquire(&r->prod->pos) != READ_ONCE(r->cons->pos))
		mask |= EPOLLIN | EPOLLRDNORM;
	if (READ_ONCE(cap->closed))
		mask |= EPOLLHUP;
	return mask;
}

static const struct file_operations iiot_fops = {
	.owner = THIS_MODULE,
	.open = iiot_open,
	.release = iiot_release,
	.mmap = iiot_mmap,
	.poll = iiot_poll,
	.llseek = no_llseek,
};

int iiot_chardev_add(struct iiot_cap *cap)
{
	snprintf(cap->misc_name, sizeof(cap->misc_name), "iiot-%s",
		 cap->ifname);
	snprintf(cap->node_name, sizeof(cap->node_name), "iiot/%s",
		 cap->ifname);
	cap->misc.minor = MISC_DYNAMIC_MINOR;
	cap->misc.name = cap->misc_name;
	cap->misc.nodename = cap->node_name;
	cap->misc.fops = &iiot_fops;
	/*
	 * The ring holds plant traffic: root and the ring group only (devtmpfs
	 * makes it root's; "iiotctl kmod attach" or the udev rule gives it to
	 * group iiot, whose members include iiotd's user).
	 */
	cap->misc.mode = 0660;
	cap->misc.groups = iiot_sysfs_groups();
	return misc_register(&cap->misc);
}

void iiot_chardev_del(struct iiot_cap *cap)
{
	misc_deregister(&cap->misc);
}
