/*
 * The local mosquitto iiotd manages (mqbroker.c, mqtt.manage = local).
 */
#ifndef IIOTD_MQBROKER_H
#define IIOTD_MQBROKER_H

#include <stddef.h>

#include "south/mqconf.h"

/* pw hashed as mosquitto_passwd does ($7$, a fresh salt): 0 or -1. */
int mq_hash_password(const char *pw, char *out, size_t len);
/* A fresh random password of 24 letters and digits: 0 or -1. */
int mq_new_password(char *out, size_t len);
/* The password and ACL files' text for mc (iiotd's user with own_hash):
 * 0 with two malloc'd strings, or -1. */
int mq_broker_files(const struct mq_conf *mc, const char *own_hash,
		    char **passwd, char **acl);
/* Both files written (atomically): 0, or -1 with why. */
int mq_broker_write(const struct mq_conf *mc, const char *own_hash,
		    char *why, size_t whylen);
/* text into path through path.tmp, synced, renamed over it: 0, or -1
 * with why. */
int mq_write_file(const char *path, const char *text, unsigned int mode,
		  char *why, size_t whylen);
/* SIGHUP to the process in mqtt.pid_file: 0, or -1 with why. */
int mq_broker_reload(const struct mq_conf *mc, char *why, size_t whylen);

#endif
