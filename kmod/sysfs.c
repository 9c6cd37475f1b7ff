// SPDX-License-Identifier: GPL-2.0
/*
 * Per-interface attributes on the ring device,
 * /sys/class/misc/iiot-<ifname>/ (documented in docs/ABI/sysfs-iiot).
 * Counters come from the ring's producer page, the same numbers readers
 * of the ring and netlink see.
 */
#include <linux/device.h>
#include <linux/sysfs.h>

#include "iiot.h"

static struct iiot_cap *to_cap(struct device *dev)
{
	struct miscdevice *misc = dev_get_drvdata(dev);

	return container_of(misc, struct iiot_cap, misc);
}

#define IIOT_PROD_ATTR(_name, _field)					\
static ssize_t _name##_show(struct device *dev,				\
			    struct device_attribute *attr, char *buf)	\
{									\
	return sysfs_emit(buf, "%llu\n",				\
			  READ_ONCE(to_cap(dev)->ring.prod->_field));	\
}									\
static DEVICE_ATTR_RO(_name)

IIOT_PROD_ATTR(frames, records);
IIOT_PROD_ATTR(bytes, bytes);
IIOT_PROD_ATTR(drops, drops);
IIOT_PROD_ATTR(drop_bytes, drop_bytes);
IIOT_PROD_ATTR(truncated, truncated);
IIOT_PROD_ATTR(bad_cons, bad_cons);

static ssize_t state_show(struct device *dev, struct device_attribute *attr,
			  char *buf)
{
	struct iiot_cap *cap = to_cap(dev);

	return sysfs_emit(buf, "%s\n", iiot_cap_state(cap) ==
			  IIOT_STATE_OVERFLOW ? "overflow" : "capturing");
}
static DEVICE_ATTR_RO(state);

static ssize_t ifname_show(struct device *dev, struct device_attribute *attr,
			   char *buf)
{
	return sysfs_emit(buf, "%s\n", to_cap(dev)->ifname);
}
static DEVICE_ATTR_RO(ifname);

static ssize_t ifindex_show(struct device *dev, struct device_attribute *attr,
			    char *buf)
{
	return sysfs_emit(buf, "%d\n", to_cap(dev)->ifindex);
}
static DEVICE_ATTR_RO(ifindex);

static ssize_t ring_size_show(struct device *dev,
			      struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%llu\n", to_cap(dev)->ring.size);
}
static DEVICE_ATTR_RO(ring_size);

static ssize_t fill_show(struct device *dev, struct device_attribute *attr,
			 char *buf)
{
	return sysfs_emit(buf, "%llu\n", iiot_ring_fill(&to_cap(dev)->ring));
}
static DEVICE_ATTR_RO(fill);

static ssize_t snaplen_show(struct device *dev, struct device_attribute *attr,
			    char *buf)
{
	return sysfs_emit(buf, "%u\n", READ_ONCE(to_cap(dev)->snaplen));
}
static DEVICE_ATTR_RO(snaplen);

static ssize_t snap_max_show(struct device *dev,
			     struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%u\n", to_cap(dev)->ring.snap_max);
}
static DEVICE_ATTR_RO(snap_max);

static ssize_t filter_show(struct device *dev, struct device_attribute *attr,
			   char *buf)
{
	return iiot_filter_print(to_cap(dev), buf, PAGE_SIZE);
}
static DEVICE_ATTR_RO(filter);

static ssize_t overflows_show(struct device *dev,
			      struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%llu\n", READ_ONCE(to_cap(dev)->overflows));
}
static DEVICE_ATTR_RO(overflows);

static ssize_t abi_version_show(struct device *dev,
				struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%u\n", IIOT_RING_ABI_VERSION);
}
static DEVICE_ATTR_RO(abi_version);

static struct attribute *iiot_cap_attrs[] = {
	&dev_attr_state.attr,
	&dev_attr_ifname.attr,
	&dev_attr_ifindex.attr,
	&dev_attr_frames.attr,
	&dev_attr_bytes.attr,
	&dev_attr_drops.attr,
	&dev_attr_drop_bytes.attr,
	&dev_attr_truncated.attr,
	&dev_attr_bad_cons.attr,
	&dev_attr_ring_size.attr,
	&dev_attr_fill.attr,
	&dev_attr_snaplen.attr,
	&dev_attr_snap_max.attr,
	&dev_attr_filter.attr,
	&dev_attr_overflows.attr,
	&dev_attr_abi_version.attr,
	NULL,
};
ATTRIBUTE_GROUPS(iiot_cap);

const struct attribute_group **iiot_sysfs_groups(void)
{
	return iiot_cap_groups;
}
