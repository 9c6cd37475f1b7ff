/*
 * Unit tests of the Sparkplug B edge node's parts (daemon/north): the
 * sequence number appended to a queued payload, command decoding within
 * its limits and command values by datatype, the bounded store-and-forward
 * queue, report by exception, births marking what a command may write
 * (readOnly), changes reported from the signals' change set (a real
 * model) and [north] configuration.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "core/conf.h"
#include "model/model.h"
#include "model/sigfeed.h"
#include "north/edge.h"
#include "north/north.h"
#include "north/saf.h"
#include "north/spb.h"

static uint8_t *one_metric(size_t *len, bool with_seq, unsigned int seq)
{
	struct spb_buf b;
	struct spb_value v = { .type = SPB_DOUBLE, .d = 21.5 };
	uint8_t *out;

	spb_init(&b, 1700000000000ULL);
	assert_int_equal(spb_add(&b, "Signals/temp", false, 0, 1700000000001ULL,
				 &v, true), 0);
	*len = spb_pack(&b, with_seq, seq, &out);
	spb_free(&b);
	assert_non_null(out);
	return out;
}

static void seq_appended_to_a_queued_payload(void **state)
{
	unsigned int seqs[] = { 0, 5, 127, 128, 200, 255 };
	size_t i, len, n;
	uint8_t *buf = one_metric(&len, false, 0), *out = malloc(len + 3);
	Spb__Payload *p;

	(void)state;
	for (i = 0; i < sizeof(seqs) / sizeof(seqs[0]); i++) {
		n = spb_with_seq(out, buf, len, seqs[i]);
		p = spb__payload__unpack(NULL, n, out);
		assert_non_null(p);
		assert_true(p->has_seq);
		assert_int_equal(p->seq, seqs[i]);
		assert_int_equal(p->timestamp, 1700000000000ULL);
		assert_int_equal(p->n_metrics, 1);
		assert_string_equal(p->metrics[0]->name, "Signals/temp");
		assert_true(p->metrics[0]->is_historical);
		assert_true(p->metrics[0]->double_value == 21.5);
		spb__payload__free_unpacked(p, NULL);
	}
	free(out);
	free(buf);
}

struct got {
	int n;
	struct spb_cmd last;
};

static int on_cmd(void *arg, const struct spb_cmd *c)
{
	struct got *g = arg;

	g->n++;
	g->last = *c;
	return 0;
}

static size_t cmd_payload(uint8_t **out, size_t nmetrics, const char *name,
			  bool alias)
{
	struct spb_buf b;
	struct spb_value v = { .type = SPB_BOOL, .u = 1 };
	size_t i, len;

	spb_init(&b, 1);
	for (i = 0; i < nmetrics; i++)
		spb_add(&b, name, alias, 7, 1, &v, false);
	len = spb_pack(&b, false, 0, out);
	spb_free(&b);
	return len;
}

static void commands_decoded_within_limits(void **state)
{
	char why[160], longname[SPB_NAME_MAX + 8];
	struct got g = { 0 };
	uint8_t *buf;
	size_t len;

	(void)state;
	len = cmd_payload(&buf, 1, SPB_REBIRTH, false);
	assert_int_equal(spb_cmd_parse(buf, len, on_cmd, &g, why, sizeof(why)), 0);
	assert_int_equal(g.n, 1);
	assert_string_equal(g.last.name, SPB_REBIRTH);
	assert_true(g.last.is_bool && g.last.bval);
	free(buf);

	memset(&g, 0, sizeof(g));
	len = cmd_payload(&buf, 1, NULL, true);
	assert_int_equal(spb_cmd_parse(buf, len, on_cmd, &g, why, sizeof(why)), 0);
	assert_true(g.last.has_alias && g.last.alias == 7 && !g.last.name[0]);
	free(buf);

	/* neither name nor alias; too many; a name too long: nothing acted on */
	memset(&g, 0, sizeof(g));
	len = cmd_payload(&buf, 1, NULL, false);
	assert_int_equal(spb_cmd_parse(buf, len, on_cmd, &g, why, sizeof(why)), -1);
	free(buf);
	len = cmd_payload(&buf, SPB_CMD_METRICS + 1, SPB_REBIRTH, false);
	assert_int_equal(spb_cmd_parse(buf, len, on_cmd, &g, why, sizeof(why)), -1);
	free(buf);
	memset(longname, 'x', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = 0;
	len = cmd_payload(&buf, 1, longname, false);
	assert_int_equal(spb_cmd_parse(buf, len, on_cmd, &g, why, sizeof(why)), -1);
	free(buf);
	assert_int_equal(spb_cmd_parse((const uint8_t *)"\x0a\xff\xff\xff\xff\x0f",
				       6, on_cmd, &g, why, sizeof(why)), -1);
	assert_int_equal(g.n, 0);
}

struct rows {
	int n;
	int64_t ids[16];
	char dev[16][8];
};

static int on_row(void *arg, int64_t id, const char *device, const void *buf,
		  size_t len)
{
	struct rows *r = arg;

	(void)buf;
	(void)len;
	r->ids[r->n] = id;
	snprintf(r->dev[r->n], sizeof(r->dev[0]), "%s", device);
	r->n++;
	return 0;
}

static void queue_bounded_in_order(void **state)
{
	char path[] = "/tmp/test_north.XXXXXX", db[64], err[256];
	struct rows r = { 0 };
	struct saf *q;
	int i;

	(void)state;
	assert_non_null(mkdtemp(path));
	snprintf(db, sizeof(db), "%s/q.db", path);
	q = saf_open(db, 3, true, err, sizeof(err));
	assert_non_null(q);
	assert_int_equal(saf_begin(q), 0);
	for (i = 0; i < 5; i++) {
		char dev[8];

		snprintf(dev, sizeof(dev), "d%d", i);
		assert_int_equal(saf_put(q, dev, (uint64_t)i, "x", 1), 1);
	}
	assert_int_equal(saf_commit(q), 0);
	assert_int_equal(saf_depth(q), 3);
	assert_int_equal(saf_dropped(q), 2);
	assert_int_equal(saf_peek(q, 0, 10, on_row, &r), 3);
	assert_string_equal(r.dev[0], "d2");	/* the oldest went */
	assert_string_equal(r.dev[2], "d4");
	assert_true(r.ids[0] < r.ids[1] && r.ids[1] < r.ids[2]);
	assert_int_equal(saf_done(q, r.ids[1]), 0);
	assert_int_equal(saf_depth(q), 1);
	saf_close(q);

	/* kept across a restart; a drop_new queue keeps what it has */
	q = saf_open(db, 3, false, err, sizeof(err));
	assert_non_null(q);
	assert_int_equal(saf_depth(q), 1);
	assert_int_equal(saf_put(q, "e1", 1, "x", 1), 1);
	assert_int_equal(saf_put(q, "e2", 1, "x", 1), 1);
	assert_int_equal(saf_put(q, "e3", 1, "x", 1), 0);
	assert_int_equal(saf_dropped(q), 1);
	memset(&r, 0, sizeof(r));
	assert_int_equal(saf_peek(q, 0, 10, on_row, &r), 3);
	assert_string_equal(r.dev[0], "d4");
	assert_string_equal(r.dev[2], "e2");
	saf_close(q);
	unlink(db);
	snprintf(db, sizeof(db), "%s/q.db-wal", path);
	unlink(db);
	snprintf(db, sizeof(db), "%s/q.db-shm", path);
	unlink(db);
	rmdir(path);
}

struct sent {
	int n;
	unsigned int msg[8];
	size_t metrics[8];
	bool named[8], hist[8], alias[8];
	double d0[8];			/* the first metric's double */
};

static void on_emit(void *arg, unsigned int msg, const char *device,
		    struct spb_buf *b)
{
	struct sent *s = arg;
	size_t i;

	(void)device;
	if (s->n >= 8)
		return;
	s->msg[s->n] = msg;
	s->metrics[s->n] = b->n;
	s->d0[s->n] = b->n ? b->m[0].double_value : 0;
	s->named[s->n] = s->hist[s->n] = s->alias[s->n] = true;
	for (i = 0; i < b->n; i++) {
		s->named[s->n] &= b->m[i].name != NULL;
		s->hist[s->n] &= b->m[i].is_historical;
		s->alias[s->n] &= b->m[i].has_alias;
	}
	s->n++;
}

static void reported_by_exception(void **state)
{
	struct north_conf nc;
	struct edge_node_info info = { 1, 0 };
	struct sent s = { 0 };
	struct edge_emit out = { on_emit, &s };
	struct edge *e;

	(void)state;
	memset(&nc, 0, sizeof(nc));
	nc.devices = NORTH_DEV_ALL;
	e = edge_new(&nc);
	assert_non_null(e);
	edge_update(e, NULL, &info, 1000);
	edge_births(e, 3, 1000, &out);
	assert_int_equal(s.n, 1);
	assert_int_equal(s.msg[0], EDGE_NBIRTH);
	assert_true(s.named[0]);
	assert_true(edge_node_alias(e, SPB_REBIRTH) > 0);

	/* nothing changed: nothing sent */
	edge_update(e, NULL, &info, 2000);
	edge_report(e, true, 2000, &out);
	assert_int_equal(s.n, 1);

	/* one change: one metric, by alias alone */
	info.frames = 2;
	edge_update(e, NULL, &info, 3000);
	edge_report(e, true, 3000, &out);
	assert_int_equal(s.n, 2);
	assert_int_equal(s.msg[1], EDGE_NDATA);
	assert_int_equal(s.metrics[1], 1);
	assert_true(s.alias[1] && !s.named[1] && !s.hist[1]);

	/* away: by name, historical */
	info.frames = 3;
	edge_lost(e);
	edge_update(e, NULL, &info, 4000);
	edge_report(e, false, 4000, &out);
	assert_int_equal(s.n, 3);
	assert_int_equal(s.msg[2], EDGE_NDATA);
	assert_true(s.named[2] && s.hist[2] && !s.alias[2]);
	edge_free(e);
}

/*
 * Two signals, a and b, on ndevs Modbus devices (plc1, plc2), sampled
 * once (1.0 and 5.0) with the change set on, and an edge whose births
 * have gone out.
 */
struct feedfix {
	struct model *m;
	struct sigfeed *f;
	struct north_conf nc;
	struct edge *e;
	struct sent s;
	struct edge_emit out;
};

static const uint64_t sec = 1000000000ULL;

static void feedfix_init(struct feedfix *x, int ndevs, double deadband)
{
	struct model_opts mo = { 0, 0 };
	struct model_signal defs[2];
	struct edge_node_info info = { 1, 0 };
	uint32_t id[2];
	char err[128];
	int i;

	memset(x, 0, sizeof(*x));
	x->m = model_new(&mo);
	x->f = sigfeed_new();
	assert_non_null(x->m);
	assert_non_null(x->f);
	for (i = 0; i < ndevs; i++) {
		char name[16];

		snprintf(name, sizeof(name), "plc%d", i + 1);
		id[i] = model_ext_device(x->m, MODEL_DEV_MODBUS, name,
					 0x0a000001 + (uint32_t)i, sec);
		assert_true(id[i] > 0);
		model_ext_device_state(x->m, id[i], true, 0, "up", sec);
	}
	memset(defs, 0, sizeof(defs));
	for (i = 0; i < 2; i++) {
		snprintf(defs[i].name, sizeof(defs[i].name), "plc%d.%c",
			 i % ndevs + 1, 'a' + i);
		defs[i].dev_id = id[i % ndevs];
	}
	assert_int_equal(model_ext_signals(x->m, defs, 2, err, sizeof(err)),
			 0);
	model_set_feed(x->m, x->f);
	model_ext_sample(x->m, 0, 2 * sec, 1.0);
	model_ext_sample(x->m, 1, 2 * sec, 5.0);
	assert_int_equal(sigfeed_pending(x->f), 2);

	x->nc.devices = NORTH_DEV_ALL;
	x->nc.deadband = deadband;
	x->e = edge_new(&x->nc);
	assert_non_null(x->e);
	x->out.emit = on_emit;
	x->out.arg = &x->s;
	edge_update(x->e, x->m, &info, 3000);
	edge_births(x->e, 0, 3000, &x->out);
	assert_int_equal(x->s.n, 1 + ndevs);
	assert_int_equal(x->s.msg[1], EDGE_DBIRTH);
	/* what the births carried: nothing more */
	assert_int_equal(edge_feed(x->e, x->f, 3000, &x->out), 2);
	assert_int_equal(x->s.n, 1 + ndevs);
}

static void feedfix_free(struct feedfix *x)
{
	model_set_feed(x->m, NULL);
	edge_free(x->e);
	sigfeed_free(x->f);
	model_free(x->m);
}

/*
 * Between scans the signals the model marked as changed are reported
 * (edge_feed): a repeated value marks nothing, two changes of a signal go
 * out once with the newest, the deadband holds, and a scan of an older
 * snapshot does not send the older value again.
 */
static void changes_reported_from_the_change_set(void **state)
{
	struct edge_node_info info = { 1, 0 };
	struct feedfix x;
	struct sent *s = &x.s;
	struct model *old;

	(void)state;
	feedfix_init(&x, 1, 0.5);
	model_ext_sample(x.m, 0, 4 * sec, 1.0);
	assert_int_equal(sigfeed_pending(x.f), 0);
	model_ext_sample(x.m, 1, 4 * sec, 6.0);
	model_ext_sample(x.m, 1, 5 * sec, 7.0);
	assert_int_equal(sigfeed_pending(x.f), 1);
	assert_int_equal(edge_feed(x.e, x.f, 5000, &x.out), 1);
	assert_int_equal(s->n, 3);
	assert_int_equal(s->msg[2], EDGE_DDATA);
	assert_int_equal(s->metrics[2], 1);
	assert_true(s->alias[2] && !s->named[2]);
	assert_true(s->d0[2] == 7.0);

	/* within the deadband: not sent */
	model_ext_sample(x.m, 1, 6 * sec, 7.25);
	assert_int_equal(edge_feed(x.e, x.f, 6000, &x.out), 1);
	assert_int_equal(s->n, 3);

	old = model_snapshot(x.m, NULL);
	assert_non_null(old);
	model_ext_sample(x.m, 1, 7 * sec, 9.0);
	assert_int_equal(edge_feed(x.e, x.f, 7000, &x.out), 1);
	assert_int_equal(s->n, 4);
	assert_true(s->d0[3] == 9.0);
	/* the scan reads a snapshot made before 9.0: 7.25 stays unsent */
	edge_update(x.e, old, &info, 7000);
	edge_report(x.e, true, 7000, &x.out);
	assert_int_equal(s->n, 4);

	model_snapshot_free(old);
	feedfix_free(&x);
}

struct midscan {
	struct feedfix *x;
	int calls, sent_inside;
};

/* edge_emit's one arg for both */
static void on_emit_midscan(void *arg, unsigned int msg, const char *device,
			    struct spb_buf *b)
{
	on_emit(&((struct midscan *)arg)->x->s, msg, device, b);
}

static void feed_between(void *arg)
{
	struct midscan *ms = arg;
	struct feedfix *x = ms->x;
	int before = x->s.n;

	ms->calls++;
	edge_feed(x->e, x->f, 8000, &x->out);
	ms->sent_inside += x->s.n - before;
}

/*
 * A change marked while a scan walks goes out between two devices' walks
 * (edge_emit.between), not after the scan; the scan's older snapshot
 * does not send the older value after it.
 */
static void change_set_goes_out_during_a_scan(void **state)
{
	struct edge_node_info info = { 1, 0 };
	struct feedfix x;
	struct midscan ms = { &x, 0, 0 };
	struct edge_emit scan_out = { on_emit_midscan, &ms, feed_between };
	struct model *old;

	(void)state;
	feedfix_init(&x, 2, 0);
	old = model_snapshot(x.m, NULL);
	assert_non_null(old);
	model_ext_sample(x.m, 1, 7 * sec, 9.0);
	edge_scan(x.e, old, &info, 8000, &scan_out);
	assert_int_equal(ms.calls, 2);		/* after each device */
	assert_int_equal(ms.sent_inside, 1);
	assert_int_equal(x.s.n, 4);
	assert_int_equal(x.s.msg[3], EDGE_DDATA);
	assert_true(x.s.d0[3] == 9.0);

	model_snapshot_free(old);
	feedfix_free(&x);
}

/* a command's value: integers by their datatype's sign, floats, booleans;
 * a string is no number */
static void command_values_by_datatype(void **state)
{
	Spb__Payload p = SPB__PAYLOAD__INIT;
	Spb__Payload__Metric m[5], *mp[5];
	double want[4] = { -1, -5, 4000000000.0, 2.5 };
	char why[160];
	struct got g;
	uint8_t *buf;
	size_t i, len;
	int k;

	(void)state;
	for (i = 0; i < 5; i++) {
		Spb__Payload__Metric init = SPB__PAYLOAD__METRIC__INIT;

		m[i] = init;
		m[i].name = "Signals/x";
		m[i].has_datatype = 1;
		mp[i] = &m[i];
	}
	m[0].datatype = SPB__DATA_TYPE__Int8;
	m[0].value_case = SPB__PAYLOAD__METRIC__VALUE_INT_VALUE;
	m[0].int_value = 0xffffffffu;
	m[1].datatype = SPB__DATA_TYPE__Int64;
	m[1].value_case = SPB__PAYLOAD__METRIC__VALUE_LONG_VALUE;
	m[1].long_value = (uint64_t)-5;
	m[2].datatype = SPB__DATA_TYPE__UInt32;
	m[2].value_case = SPB__PAYLOAD__METRIC__VALUE_INT_VALUE;
	m[2].int_value = 4000000000u;
	m[3].datatype = SPB__DATA_TYPE__Float;
	m[3].value_case = SPB__PAYLOAD__METRIC__VALUE_FLOAT_VALUE;
	m[3].float_value = 2.5f;
	m[4].datatype = SPB__DATA_TYPE__String;
	m[4].value_case = SPB__PAYLOAD__METRIC__VALUE_STRING_VALUE;
	m[4].string_value = "7";
	for (k = 0; k < 5; k++) {
		p.n_metrics = 1;
		p.metrics = &mp[k];
		len = spb__payload__get_packed_size(&p);
		buf = malloc(len);
		spb__payload__pack(&p, buf);
		memset(&g, 0, sizeof(g));
		assert_int_equal(spb_cmd_parse(buf, len, on_cmd, &g, why,
					       sizeof(why)), 0);
		free(buf);
		if (k == 4) {
			assert_false(g.last.has_num);
			continue;
		}
		assert_true(g.last.has_num);
		assert_true(g.last.num == want[k]);
	}
}

/* births mark each metric readOnly; the node's controls are writable */
static struct {
	int n, ro, rw;
	bool rebirth_rw;
} props;

static void on_birth(void *arg, unsigned int msg, const char *device,
		     struct spb_buf *b)
{
	uint8_t *buf;
	size_t i, len = spb_pack(b, true, 0, &buf);
	Spb__Payload *p = spb__payload__unpack(NULL, len, buf);

	(void)arg;
	(void)msg;
	(void)device;
	assert_non_null(p);
	for (i = 0; i < p->n_metrics; i++) {
		const Spb__Payload__Metric *m = p->metrics[i];

		if (!strcmp(m->name, "bdSeq")) {
			assert_null(m->properties);
			continue;
		}
		assert_non_null(m->properties);
		assert_int_equal(m->properties->n_keys, 1);
		assert_string_equal(m->properties->keys[0], SPB_PROP_READONLY);
		assert_int_equal(m->properties->values[0]->type,
				 SPB__DATA_TYPE__Boolean);
		if (m->properties->values[0]->boolean_value)
			props.ro++;
		else
			props.rw++;
		if (!strcmp(m->name, SPB_REBIRTH))
			props.rebirth_rw = !m->properties->values[0]->boolean_value;
	}
	props.n++;
	spb__payload__free_unpacked(p, NULL);
	free(buf);
}

static void births_mark_writable_metrics(void **state)
{
	struct north_conf nc;
	struct edge_node_info info = { 1, 0 };
	struct edge_emit out = { on_birth, NULL };
	struct edge *e;

	(void)state;
	memset(&nc, 0, sizeof(nc));
	nc.scan_ms = 1000;
	e = edge_new(&nc);
	assert_non_null(e);
	edge_update(e, NULL, &info, 1000);
	edge_births(e, 0, 1000, &out);
	assert_int_equal(props.n, 1);
	/* Rebirth, Next Server, Scan Rate; the rest is read-only */
	assert_int_equal(props.rw, 3);
	assert_true(props.ro > 0);
	assert_true(props.rebirth_rw);
	edge_free(e);
}

static struct conf *conf_of(const char *text)
{
	char err[256];
	struct conf *c = conf_parse(text, strlen(text), "t.conf", err, sizeof(err));

	assert_non_null(c);
	return c;
}

static void north_config(void **state)
{
	struct north_conf nc;
	char err[256];
	struct conf *c;

	(void)state;
	c = conf_of("[iiotd]\n");
	assert_int_equal(north_conf_read(c, &nc, err, sizeof(err)), 0);
	assert_false(nc.enabled);	/* off unless a broker is named */
	conf_free(c);

	c = conf_of("[north]\nbroker = mqtt://127.0.0.1:1884\n"
		    "broker = mqtts://[::1]\ngroup = g1\nedge_node = e1\n"
		    "devices = all\nqueue_full = drop_new\nprotocol = 5\n");
	assert_int_equal(north_conf_read(c, &nc, err, sizeof(err)), 0);
	assert_true(nc.enabled);
	assert_int_equal(nc.link.nbrokers, 2);
	assert_int_equal(nc.link.brokers[0].port, 1884);
	assert_false(nc.link.brokers[0].tls);
	assert_string_equal(nc.link.brokers[1].host, "::1");
	assert_int_equal(nc.link.brokers[1].port, 8883);
	assert_true(nc.link.brokers[1].tls);
	assert_string_equal(nc.link.client_id, "g1-e1");
	assert_int_equal(nc.devices, NORTH_DEV_ALL);
	assert_false(nc.drop_oldest);
	assert_int_equal(nc.link.protocol, 5);
	assert_int_equal(nc.scan_ms, 1000);
	assert_false(nc.remote_commands);	/* off unless asked for */
	assert_int_equal(nc.per_device, 6);
	assert_int_equal(nc.per_host, 20);
	conf_free(c);
	c = conf_of("[north]\nbroker = mqtt://x\nremote_commands = yes\n"
		    "per_device = 2\n");
	assert_int_equal(north_conf_read(c, &nc, err, sizeof(err)), 0);
	assert_true(nc.remote_commands);
	assert_int_equal(nc.per_device, 2);
	conf_free(c);
	c = conf_of("[north]\nbroker = mqtt://x\nremote_commands = maybe\n");
	assert_int_equal(north_conf_read(c, &nc, err, sizeof(err)), -1);
	conf_free(c);

	c = conf_of("[north]\nbroker = http://x\n");
	assert_int_equal(north_conf_read(c, &nc, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "t.conf:2:"));
	conf_free(c);
	c = conf_of("[north]\nbroker = mqtt://x\ngroup = a/b\n");
	assert_int_equal(north_conf_read(c, &nc, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "not a Sparkplug id"));
	conf_free(c);
	c = conf_of("[north]\nbroker = mqtt://x\nbogus = 1\n");
	assert_int_equal(north_conf_read(c, &nc, err, sizeof(err)), -1);
	conf_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(seq_appended_to_a_queued_payload),
		cmocka_unit_test(commands_decoded_within_limits),
		cmocka_unit_test(queue_bounded_in_order),
		cmocka_unit_test(reported_by_exception),
		cmocka_unit_test(changes_reported_from_the_change_set),
		cmocka_unit_test(change_set_goes_out_during_a_scan),
		cmocka_unit_test(north_config),
		cmocka_unit_test(command_values_by_datatype),
		cmocka_unit_test(births_mark_writable_metrics),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
