/*
 * A ring's libshm counters as JSON, one shape for iiotd (status, stats, the
 * API's /capture) and "iiotctl rings --json".
 */
#include <stddef.h>
#include <time.h>

#include <jansson.h>

#include "capture/capture.h"
#include "libshm.h"

const char *capture_source_name(unsigned int source)
{
	static const char *const names[] = {
		"unknown", "kmod", "xdp", "dpdk", "replay", "sim",
	};

	return source < sizeof(names) / sizeof(names[0]) ? names[source] :
	       "?";
}

#define U64(key, field) { key, offsetof(struct shm_stats, field) }

static const struct {
	const char *key;
	size_t off;
} u64_fields[] = {
	U64("records", records),
	U64("bytes", bytes),
	U64("drops", drops),
	U64("drop_bytes", drop_bytes),
	U64("bad_cons", bad_cons),
	U64("truncated", truncated),
	U64("consumed", consumed),
	U64("corrupt", corrupt),
	U64("resyncs", resyncs),
	U64("fill", fill),
	U64("size", data_size),
	U64("nic_packets", nic.packets),
	U64("nic_missed", nic.missed),
	U64("nic_errors", nic.errors),
	U64("nic_nombuf", nic.nombuf),
};

#undef U64

void capture_ring_stats_json(json_t *o, const struct shm_stats *st)
{
	size_t i;

	json_object_set_new(o, "name", json_string(st->name));
	json_object_set_new(o, "source", json_string(
		capture_source_name(st->source)));
	json_object_set_new(o, "state", json_string(
		st->state == IIOT_RING_CLOSED ? "closed" : "active"));
	json_object_set_new(o, "producer_pid", json_integer(st->producer_pid));
	json_object_set_new(o, "ifindex", json_integer(st->ifindex));
	json_object_set_new(o, "snap_len", json_integer(st->snap_len));
	/* how long since the producer last committed: /api/v1/health's "alive" */
	if (st->heartbeat_ns) {
		struct timespec ts;
		uint64_t now;

		clock_gettime(CLOCK_MONOTONIC, &ts);	/* the heartbeat's clock */
		now = (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;

		json_object_set_new(o, "heartbeat_age_ns", json_integer(
			(json_int_t)(now > st->heartbeat_ns ? now - st->heartbeat_ns : 0)));
	}
	for (i = 0; i < sizeof(u64_fields) / sizeof(u64_fields[0]); i++) {
		const uint64_t *v = (const uint64_t *)(const void *)
			((const char *)st + u64_fields[i].off);

		json_object_set_new(o, u64_fields[i].key,
				    json_integer((json_int_t)*v));
	}
}
