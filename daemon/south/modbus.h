/*
 * Modbus TCP devices in iiotd (subsys_modbus.c, docs/modbus.md): what the
 * core, the API and iiotctl call.
 */
#ifndef IIOTD_MODBUS_H
#define IIOTD_MODBUS_H

#include <stdbool.h>
#include <stddef.h>

struct iiotd;
struct conf;
struct json_t;

/*
 * Before the capture thread runs: the configured devices into the
 * inventory (kind modbus) and their points into the model's signals.
 * 0, or -1 with err.
 */
int modbus_model_setup(struct iiotd *d, const struct conf *c, char *err,
		       size_t errlen);

/*
 * The configured points of c as m's external signals, without devices:
 * checking a configuration (analytics rules name them).  0, or -1 with err.
 */
struct model;
int modbus_conf_signals(struct model *m, const struct conf *c, char *err,
			size_t errlen);

/* Every device with its state, counters and points (new reference; an
 * empty array when there are none). */
struct json_t *modbus_devices_json(void);
/* One device by name or inventory id, NULL when there is none. */
struct json_t *modbus_device_json(const char *key);

/* The device's inventory id (key: name or id), 0 when there is none. */
unsigned int modbus_device_id(const char *key);

/*
 * [modbus] per_device and per_user: the writes a minute to one device and
 * by one user the API and iiotctl allow (control_rate_check).
 */
void modbus_write_limits(unsigned int *per_device, unsigned int *per_user);

/*
 * The point behind a signal's name (DEVICE.POINT): 1 a holding register
 * or coil (writable), 0 an input register or discrete input, -1 no point
 * of a configured device.  dev and point are set for 0 and 1.  Any
 * thread: the devices do not change while iiotd runs.
 */
int modbus_signal_point(const char *signal, char *dev, size_t devlen,
			char *point, size_t pointlen);

enum modbus_write_result {
	MODBUS_W_OK = 0,
	MODBUS_W_NO_DEVICE,		/* no such device or point */
	MODBUS_W_BAD_VALUE,		/* read-only, out of range */
	MODBUS_W_FAILED,		/* sent, not verified */
	MODBUS_W_QUEUED,		/* modbus_write_async: under way */
	MODBUS_W_STOPPING,		/* iiotd is stopping: nothing sent */
};

/*
 * Write value to the point of device key and read it back (blocks for
 * the device's timeout and retries: not on an event loop).  dry_run
 * checks and encodes, and sends nothing.  The registers or coil that
 * would be (or were) written are set in *sent (a new JSON object).
 * Returns an enum modbus_write_result, why says what happened.
 */
int modbus_write(const char *key, const char *point, double value,
		 bool dry_run, struct json_t **sent, double *readback,
		 char *why, size_t whylen);

/*
 * An asynchronous write's end, on the device's poller thread (not the
 * caller's): result MODBUS_W_OK (readback set) or MODBUS_W_FAILED (also
 * a write dropped as iiotd stops), why says what happened.
 */
typedef void modbus_write_done_fn(void *arg, int result, double readback,
				  const char *why);

/*
 * modbus_write without waiting for the device: checked and encoded here
 * (*sent set as above), then queued to the device's poller, which calls
 * done(arg, ...) once it is written and read back or failed.  Returns
 * MODBUS_W_QUEUED (done will be called exactly once), or another result
 * with why and no call (no device or point, a bad value, the device's
 * queue full or its poller stopped: MODBUS_W_FAILED, nothing sent;
 * iiotd stopping: MODBUS_W_STOPPING).
 */
int modbus_write_async(const char *key, const char *point, double value,
		       modbus_write_done_fn *done, void *arg,
		       struct json_t **sent, char *why, size_t whylen);

#endif
