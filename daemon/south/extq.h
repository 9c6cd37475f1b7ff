/*
 * Values and device states of devices iiotd talks to (Modbus pollers,
 * the MQTT subscriber) on their way into the model (extq.c).  Their
 * threads never touch the model: they queue, and one flusher thread per
 * queue hands the batch to the capture thread every EXTQ_FLUSH_MS in one
 * short call (capture_read for values, capture_call for states), so a
 * subsystem costs the drain loop one batch call per 100 ms and no
 * waiting.
 */
#ifndef IIOTD_EXTQ_H
#define IIOTD_EXTQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define EXTQ_FLUSH_MS	100
#define EXTQ_MAX	(1U << 20)	/* values waiting for the model */

struct iiotd;
struct extq;

/* The flusher started: NULL when it cannot. */
struct extq *extq_start(struct iiotd *d, const char *name);
/* The last batch flushed, the thread joined, everything freed. */
void extq_stop(struct extq *q);
/* values of external signals idx[0..n) (model_ext_sample) at ts_ns;
 * a full queue drops and counts them */
void extq_values(struct extq *q, const uint32_t *idx, const double *vals,
		 size_t n, uint64_t ts_ns);
/* a device's state (model_ext_device_state) */
void extq_state(struct extq *q, uint32_t dev_id, bool online,
		uint64_t errors, const char *why);
void extq_counts(struct extq *q, uint64_t *flushed, uint64_t *dropped);
/* CLOCK_REALTIME in ns */
uint64_t extq_wall_ns(void);

#endif
