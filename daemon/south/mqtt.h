/*
 * MQTT devices in iiotd (subsys_mqtt.c, docs/devices.md "MQTT devices"):
 * what the core, the API and iiotctl call.
 */
#ifndef IIOTD_MQTT_H
#define IIOTD_MQTT_H

#include <stddef.h>

struct iiotd;
struct conf;
struct model;
struct json_t;

/*
 * Before the capture thread runs: the configured devices (iiotd.conf's
 * and the devices file's) into the inventory (kind mqtt) and their
 * signals into the model, after the Modbus devices'.  0, or -1 with err.
 */
int mqtt_model_setup(struct iiotd *d, const struct conf *c, char *err,
		     size_t errlen);
/* The configured signals of c as m's external signals, added to those
 * there are (checking a configuration).  0, or -1 with err. */
int mqtt_conf_signals(struct model *m, const struct conf *c, char *err,
		      size_t errlen);

/* Every device (new reference; an empty array when there are none). */
struct json_t *mqtt_devices_json(void);
/* One device by name or inventory id, NULL when there is none. */
struct json_t *mqtt_device_json(const char *key);

/*
 * Add a device from the API's object (name, signals, topic, interval,
 * time, cert_cn): written to the devices file, into the inventory and
 * the model, the broker's files rewritten.  Returns an HTTP status: 201
 * with *out the device and, unless it uses a certificate, its password
 * (the one time it is shown); else why.
 */
int mqtt_device_add(const struct json_t *spec, struct json_t **out,
		    char *why, size_t whylen);
/* Remove a device added through the API (404, 409, or 200); it is
 * retired in the inventory, its signals stay with their history. */
int mqtt_device_remove(const char *key, char *why, size_t whylen);

/*
 * mqctl.c: the control socket's "mqtt list|show|add|remove" for iiotctl
 * as who (uid: the peer's); adds and removes audited.  On a reader
 * thread: an add waits for the capture thread.
 */
struct ctl_req;
struct json_t *mqtt_ctl(struct iiotd *d, const struct ctl_req *req,
			const char *who, unsigned int uid);

#endif
