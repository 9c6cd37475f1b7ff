/*
 * The MQTT devices by topic (subsys_mqtt.c): which device a message's
 * topic belongs to, without a scan of every device.  Topics without a
 * wildcard are in a hash table; filters with + or # in a list looked
 * through in order, so a line of a thousand devices with their own
 * topics costs one hash per message.  Where several devices' topics
 * match, the one added first wins, as a scan of the device list in its
 * order found it.  Not thread-safe: the caller's lock guards it.
 */
#ifndef IIOT_SOUTH_MQINDEX_H
#define IIOT_SOUTH_MQINDEX_H

#include <stddef.h>

struct mq_index;

struct mq_index *mq_index_new(void);
void mq_index_free(struct mq_index *ix);
/*
 * Item (the caller's) under topic, a topic or a filter kept by the caller
 * as long as item is listed; pos its place in the caller's order, larger
 * for each add.  0, or -1 out of memory (nothing added).
 */
int mq_index_add(struct mq_index *ix, const char *topic, size_t pos,
		 void *item);
/* item out (a removed device); no-op when it is not there */
void mq_index_del(struct mq_index *ix, const char *topic, void *item);
/* the first-added item whose topic or filter matches topic, or NULL */
void *mq_index_find(const struct mq_index *ix, const char *topic);

#endif
