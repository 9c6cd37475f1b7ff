/*
 * Units of capture's threading: the drain-gap probe; changes through
 * capture_call on a running capture thread, seen by the next snapshot and
 * not by an older one a reader still holds; a call queued as the thread
 * halts is still run.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <errno.h>
#include <event2/event.h>
#include <event2/thread.h>
#include <time.h>
#include <unistd.h>
#include <jansson.h>
#include <pthread.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <modbus/modbus.h>

#include "capture/capture.h"
#include "capture/capture_int.h"
#include "capture/probe.h"
#include "core/conf.h"
#include "core/iiotd.h"
#include "core/subsys.h"
#include "model/model.h"
#include "south/modbus.h"

/* room for a signal assembled by model_signal_get on a snapshot */
static struct model_signal stmp;

#define MS 1000000ULL

/* records left behind by a full batch waited since that turn ended */
static void probe_backlog(void **state)
{
	struct probe p = { 0 };

	(void)state;
	/* the loop last woke before the turn ended; 7 ms later the next */
	probe_turn(&p, 100 * MS, 99 * MS, 107 * MS);
	assert_int_equal(p.turns, 1);
	assert_int_equal(p.max_ns, 7 * MS);
	assert_int_equal(p.hist[6], 1);		/* ≤ 10 ms */
}

/* a ring idle for a second: the gap counts from the loop's wakeup */
static void probe_idle_ring(void **state)
{
	struct probe p = { 0 };

	(void)state;
	probe_turn(&p, 100 * MS, 1100 * MS, 1100 * MS + 20000);
	assert_int_equal(p.turns, 1);
	assert_int_equal(p.max_ns, 20000);
	assert_int_equal(p.hist[0], 1);
}

/* a ring's first turn is not measured */
static void probe_first_turn(void **state)
{
	struct probe p = { 0 };

	(void)state;
	probe_turn(&p, 0, 5 * MS, 7 * MS);
	assert_int_equal(p.turns, 0);
}

static void probe_json_buckets(void **state)
{
	struct probe p = { 0 };
	json_t *o;

	(void)state;
	probe_add(&p, 60 * 1000, 100000 * MS);		/* 60 µs */
	probe_add(&p, 2 * MS, 100000 * MS);
	probe_add(&p, 5 * MS, 100500 * MS);
	probe_add(&p, 20ULL * 1000 * MS, 101000 * MS);	/* 20 s */
	o = probe_json(&p, 101000 * MS);
	assert_int_equal(json_integer_value(json_object_get(o, "turns")), 4);
	assert_int_equal(json_integer_value(json_object_get(o, "max_us")),
			 20000000);
	assert_int_equal(json_integer_value(json_object_get(
		json_object_get(o, "hist"), "le_100us")), 1);
	assert_int_equal(json_integer_value(json_object_get(
		json_object_get(o, "hist"), "le_2500us")), 1);
	/* per second: the one before now held 2 ms and 5 ms, now 20 s */
	assert_int_equal(json_integer_value(json_array_get(
		json_object_get(o, "max_us_last_s"), 58)), 5000);
	assert_int_equal(json_integer_value(json_array_get(
		json_object_get(o, "max_us_last_s"), 59)), 20000000);
	assert_int_equal(json_integer_value(json_array_get(
		json_object_get(o, "max_us_last_s"), 0)), 0);
	assert_int_equal(json_integer_value(json_object_get(
		json_object_get(o, "hist"), "gt_10s")), 1);
	json_decref(o);
}

struct map_call {
	struct model *m;
	const char *text;
	bool on_capture;	/* ran on another thread than the caller */
	pthread_t caller;
};

static void load_map(void *arg)
{
	struct map_call *c = arg;
	char err[256];

	c->on_capture = !pthread_equal(pthread_self(), c->caller);
	assert_int_equal(model_parse_signals(c->m, c->text, strlen(c->text),
					     "t.map", err, sizeof(err)), 0);
}

static void call_then_snapshot(void **state)
{
	struct iiotd d = { 0 };
	struct map_call mc = { 0 };
	struct capsnap *before, *after;
	struct capture *cap;
	json_t *cj;
	struct conf *c;
	char err[256];

	(void)state;
	evthread_use_pthreads();
	c = conf_parse("", 0, "t.conf", err, sizeof(err));
	assert_non_null(c);
	d.model = model_new(NULL);
	cap = capture_new(&d);
	assert_non_null(cap);
	assert_int_equal(capture_start(cap, c, err, sizeof(err)), 0);
	assert_int_equal(capture_run(cap, err, sizeof(err)), 0);
	before = capture_snapshot(cap);
	assert_non_null(before);
	assert_int_equal(model_signal_count(before->model), 0);

	mc.m = d.model;
	mc.text = "a ecat 0 u8\nb ecat 1 u8\n";
	mc.caller = pthread_self();
	capture_call(cap, load_map, &mc);
	assert_true(mc.on_capture);
	after = capture_snapshot(cap);
	assert_int_equal(model_signal_count(after->model), 2);
	assert_string_equal(model_signal_get(after->model, 2, &stmp)->name, "b");
	/* the older snapshot is unchanged for whoever still reads it */
	assert_int_equal(model_signal_count(before->model), 0);
	cj = capsnap_counters_json(after);
	assert_non_null(json_object_get(cj, "drain_gap"));
	json_decref(cj);
	capsnap_put(before);
	capsnap_put(after);
	capture_halt(cap);
	capture_free(cap);
	model_free(d.model);
	conf_free(c);
}

/*
 * Regression: iiotd hung at shutdown.  The baseline saver saw the capture
 * thread up, queued its capture_read, and the loop broke for
 * capture_halt before running it: the saver waited for ever, and the main
 * thread with it, joining the saver.  Here the capture thread is held in
 * one call while a second is queued and the halt breaks its loop; the
 * second must still run and its caller return.
 */
struct gate {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool in, open;
};

static struct gate gate = { PTHREAD_MUTEX_INITIALIZER,
			    PTHREAD_COND_INITIALIZER, false, false };

static void held(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&gate.mu);
	gate.in = true;
	pthread_cond_broadcast(&gate.cv);
	while (!gate.open)
		pthread_cond_wait(&gate.cv, &gate.mu);
	pthread_mutex_unlock(&gate.mu);
}

static void mark(void *arg)
{
	*(bool *)arg = true;
}

static struct capture *hcap;
static bool read_ran;

static void *do_held(void *arg)
{
	(void)arg;
	capture_call(hcap, held, NULL);
	return NULL;
}

static void *do_read(void *arg)
{
	(void)arg;
	capture_read(hcap, mark, &read_ran);
	return NULL;
}

static void *do_halt(void *arg)
{
	(void)arg;
	capture_halt(hcap);
	return NULL;
}

static int active(void)
{
	return event_base_get_num_events(hcap->base, EVENT_BASE_COUNT_ACTIVE);
}

/* generous: only a hang reaches it */
static int join_within(pthread_t t, int s)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += s;
	return pthread_timedjoin_np(t, NULL, &ts);
}

static void read_queued_at_halt_hang(void **state)
{
	struct iiotd d = { 0 };
	pthread_t a, b, h;
	struct conf *c;
	char err[256];
	int before;

	(void)state;
	evthread_use_pthreads();
	c = conf_parse("", 0, "t.conf", err, sizeof(err));
	assert_non_null(c);
	d.model = model_new(NULL);
	hcap = capture_new(&d);
	assert_non_null(hcap);
	assert_int_equal(capture_start(hcap, c, err, sizeof(err)), 0);
	assert_int_equal(capture_run(hcap, err, sizeof(err)), 0);
	/* the capture thread held in a call */
	assert_int_equal(pthread_create(&a, NULL, do_held, NULL), 0);
	pthread_mutex_lock(&gate.mu);
	while (!gate.in)
		pthread_cond_wait(&gate.cv, &gate.mu);
	pthread_mutex_unlock(&gate.mu);
	/* a read queued behind it (its event made active) */
	before = active();
	assert_int_equal(pthread_create(&b, NULL, do_read, NULL), 0);
	while (active() == before)
		usleep(1000);
	/* the halt breaks the loop while the thread is still held */
	assert_int_equal(pthread_create(&h, NULL, do_halt, NULL), 0);
	while (!event_base_got_break(hcap->base))
		usleep(1000);
	pthread_mutex_lock(&gate.mu);
	gate.open = true;
	pthread_cond_broadcast(&gate.cv);
	pthread_mutex_unlock(&gate.mu);
	assert_int_equal(join_within(a, 60), 0);
	assert_int_equal(join_within(h, 60), 0);
	assert_int_equal(join_within(b, 60), 0);
	assert_true(read_ran);
	/* and one after the halt runs on its caller */
	read_ran = false;
	capture_read(hcap, mark, &read_ran);
	assert_true(read_ran);
	capture_free(hcap);
	model_free(d.model);
	conf_free(c);
}

/*
 * Regression: a Modbus flush ran beside the final drain.  At shutdown
 * capture halts and the main thread drains what producers committed into
 * the model; the Modbus pollers and their flusher were still running, and
 * a flush after the halt ran on the flusher's own thread (capture_read
 * runs on its caller once capture halted), writing the same model at the
 * same time.  Shut down as iiotd_stop does (every subsystem's quiesce,
 * then the halt): after the halt no poller reads and nothing reaches the
 * model, while a local server would have answered several polls.
 */
struct mbsrv {
	modbus_t *ctx;
	int ls;
	int polls;		/* requests answered, atomic */
	bool stop;		/* atomic */
};

static void *mbsrv_run(void *arg)
{
	struct mbsrv *v = arg;
	modbus_mapping_t *map = modbus_mapping_new(0, 0, 16, 0);
	uint8_t q[MODBUS_TCP_MAX_ADU_LENGTH];
	int c, n;

	while (!__atomic_load_n(&v->stop, __ATOMIC_ACQUIRE)) {
		c = accept(v->ls, NULL, NULL);
		if (c < 0)
			break;
		modbus_set_socket(v->ctx, c);
		while ((n = modbus_receive(v->ctx, q)) > 0) {
			map->tab_registers[0]++;
			modbus_reply(v->ctx, q, n, map);
			__atomic_add_fetch(&v->polls, 1, __ATOMIC_RELEASE);
		}
		close(c);
	}
	modbus_mapping_free(map);
	return NULL;
}

static uint64_t model_samples(struct model *m)
{
	struct model_counters mc;

	model_get_counters(m, &mc);
	return mc.samples;
}

static void read_samples(void *arg)
{
	void **a = arg;

	*(uint64_t *)a[1] = model_samples(a[0]);
}

static void modbus_flush_after_capture_halt(void **state)
{
	struct mbsrv v = { 0 };
	struct sockaddr_in sa;
	socklen_t sl = sizeof(sa);
	struct iiotd d = { 0 };
	struct capture *cap;
	struct conf *c;
	pthread_t srv;
	uint64_t got = 0, at_halt;
	void *rd[2] = { NULL, &got };
	char text[512], err[256];
	int i, polls;

	(void)state;
	evthread_use_pthreads();
	v.ctx = modbus_new_tcp("127.0.0.1", 0);
	assert_non_null(v.ctx);
	v.ls = modbus_tcp_listen(v.ctx, 1);
	assert_true(v.ls >= 0);
	assert_int_equal(getsockname(v.ls, (struct sockaddr *)&sa, &sl), 0);
	assert_int_equal(pthread_create(&srv, NULL, mbsrv_run, &v), 0);
	snprintf(text, sizeof(text), "[modbus.plc]\nhost = 127.0.0.1\n"
		 "port = %u\npoint = p0 hr 0 u16 every=100ms\n",
		 ntohs(sa.sin_port));
	c = conf_parse(text, strlen(text), "t.conf", err, sizeof(err));
	assert_non_null(c);
	d.conf = c;
	d.model = model_new(NULL);
	assert_int_equal(modbus_model_setup(&d, c, err, sizeof(err)), 0);
	cap = d.capture = capture_new(&d);
	assert_non_null(cap);
	assert_int_equal(capture_start(cap, c, err, sizeof(err)), 0);
	assert_int_equal(capture_run(cap, err, sizeof(err)), 0);
	assert_int_equal(subsys_modbus.start(&d), 0);
	/* values reach the model through the capture thread */
	rd[0] = d.model;
	for (i = 0; i < 6000 && got < 2; i++) {
		usleep(10000);
		capture_read(cap, read_samples, rd);
	}
	assert_true(got >= 2);
	/* iiotd_stop's order */
	if (subsys_modbus.quiesce)
		subsys_modbus.quiesce(&d);
	capture_halt(cap);
	capture_drain_all(cap);
	at_halt = model_samples(d.model);
	polls = __atomic_load_n(&v.polls, __ATOMIC_ACQUIRE);
	/* long enough for several polls and a flush, had any poller run */
	for (i = 0; i < 100 && __atomic_load_n(&v.polls, __ATOMIC_ACQUIRE) <
	     polls + 3; i++)
		usleep(10000);
	usleep(300000);
	assert_int_equal(__atomic_load_n(&v.polls, __ATOMIC_ACQUIRE), polls);
	assert_int_equal(model_samples(d.model), at_halt);
	subsys_modbus.stop(&d);
	__atomic_store_n(&v.stop, true, __ATOMIC_RELEASE);
	shutdown(v.ls, SHUT_RDWR);
	close(v.ls);
	pthread_join(srv, NULL);
	modbus_free(v.ctx);
	capture_free(cap);
	model_free(d.model);
	conf_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(probe_backlog),
		cmocka_unit_test(probe_idle_ring),
		cmocka_unit_test(probe_first_turn),
		cmocka_unit_test(probe_json_buckets),
		cmocka_unit_test(call_then_snapshot),
		cmocka_unit_test(read_queued_at_halt_hang),
		cmocka_unit_test(modbus_flush_after_capture_halt),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
