/* MQTT devices: the JSON path map, times, topic filters, the [mqtt]
 * configuration and the broker's files (daemon/south/mqmap.c, mqconf.c,
 * mqbroker.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/evp.h>

#include "core/conf.h"
#include "south/mqbroker.h"
#include "south/mqconf.h"
#include "south/mqmap.h"

static struct mq_sig sig(const char *line)
{
	struct mq_sig s;
	char why[160];

	if (mq_sig_parse(line, &s, why, sizeof(why)))
		fail_msg("%s: %s", line, why);
	return s;
}

static void path_errors(const char *p, const char *want)
{
	struct mq_path mp;
	char why[160] = "";

	assert_int_equal(mq_path_parse(p, &mp, why, sizeof(why)), -1);
	if (!strstr(why, want))
		fail_msg("'%s': '%s' does not say '%s'", p, why, want);
}

static void paths(void **state)
{
	struct mq_path p;
	char why[160];

	(void)state;
	assert_int_equal(mq_path_parse("a.b[2].c", &p, why, sizeof(why)), 0);
	assert_int_equal(p.nsteps, 4);
	assert_string_equal(p.step[0].key, "a");
	assert_string_equal(p.step[1].key, "b");
	assert_true(p.step[2].index && p.step[2].n == 2);
	assert_string_equal(p.step[3].key, "c");
	assert_int_equal(mq_path_parse("[0][1].v-x_2", &p, why, sizeof(why)), 0);
	assert_int_equal(p.nsteps, 3);
	path_errors("", "1-127 bytes");
	path_errors(".a", "starts with");
	path_errors("a..b", "step 2: a name");
	path_errors("a[x]", "step 2: an index");
	path_errors("a[70000]", "[0-65535]");
	path_errors("a[1", "an index");
	path_errors("a b", "step 2: ' '");
	path_errors("a$", "'$'");
	path_errors("a.b.c.d.e.f.g.h.i.j.k.l.m.n.o.p.q", "more than 16");
}

static void apply(void **state)
{
	struct mq_sig s[5] = {
		sig("m.t temp number scale=0.1 unit=degC"),
		sig("m.arr[1] second int"),
		sig("on run bool"),
		sig("missing x"),
		sig("m.t wrongtype bool"),
	};
	struct mq_path tp;
	struct mq_result r;
	const char *pl = "{\"m\":{\"t\":215,\"arr\":[1,42,3]},\"on\":true,"
			 "\"ts\":\"2026-12-05T13:00:00.250Z\"}";
	double v[5];
	bool has[5];
	char why[80];

	(void)state;
	assert_int_equal(mq_path_parse("ts", &tp, why, sizeof(why)), 0);
	assert_int_equal(mq_apply(s, 5, &tp, pl, strlen(pl), 65536, 7, v, has,
				  &r), 3);
	assert_true(has[0] && fabs(v[0] - 21.5) < 1e-9);
	assert_true(has[1] && v[1] == 42);
	assert_true(has[2] && v[2] == 1);
	assert_false(has[3]);
	assert_false(has[4]);
	assert_int_equal(r.missing, 1);
	assert_int_equal(r.bad_type, 1);
	assert_false(r.time_bad);
	assert_true(r.ts_ns == 1796475600250000000ULL);
	/* not JSON, too large, cut short: malformed, nothing taken */
	assert_int_equal(mq_apply(s, 1, NULL, "{\"m\":", 5, 65536, 7, v, has,
				  &r), 0);
	assert_true(r.malformed);
	assert_int_equal(mq_apply(s, 1, NULL, pl, strlen(pl), 16, 7, v, has,
				  &r), 0);
	assert_true(r.malformed);
	/* the receive time when the payload's is unreadable */
	assert_int_equal(mq_apply(s, 1, &tp, "{\"m\":{\"t\":1},\"ts\":\"x\"}",
				  22, 65536, 7, v, has, &r), 1);
	assert_true(r.time_bad && r.ts_ns == 7);
	/* an int that is not whole is the wrong type */
	assert_int_equal(mq_apply(&s[1], 1, NULL, "{\"m\":{\"arr\":[0,1.5]}}",
				  21, 65536, 7, v, has, &r), 0);
	assert_int_equal(r.bad_type, 1);
}

static void times(void **state)
{
	(void)state;
	assert_true(mq_time_parse_str("1970-01-01T00:00:01Z") == 1000000000ULL);
	assert_true(mq_time_parse_str("2026-12-05T14:00:00+01:00") ==
		    1796475600000000000ULL);
	assert_true(mq_time_parse_str("2026-12-05 13:00:00.5Z") ==
		    1796475600500000000ULL);
	assert_true(mq_time_parse_str("2026-13-05T13:00:00Z") == 0);
	assert_true(mq_time_parse_str("2026-12-05T13:00:00") == 0);
	assert_true(mq_time_parse_str("2026-12-05T13:00:00Zx") == 0);
	assert_true(mq_time_from_number(1796475600) == 1796475600000000000ULL);
	assert_true(mq_time_from_number(1796475600250.0) ==
		    1796475600250000000ULL);
	assert_true(mq_time_from_number(-1) == 0);
	assert_true(mq_time_from_number(NAN) == 0);
}

static void topics(void **state)
{
	char why[80];

	(void)state;
	assert_true(mq_topic_match("a/b", "a/b"));
	assert_false(mq_topic_match("a/b", "a/b/c"));
	assert_false(mq_topic_match("a/b/c", "a/b"));
	assert_true(mq_topic_match("a/+/c", "a/x/c"));
	assert_false(mq_topic_match("a/+/c", "a/x/d"));
	assert_true(mq_topic_match("a/#", "a/x/y"));
	assert_true(mq_topic_match("a/#", "a"));
	assert_true(mq_topic_match("a/+", "a/"));
	assert_false(mq_topic_match("+/x", "$SYS/x"));
	assert_false(mq_topic_match("a/bc", "a/b"));
	assert_int_equal(mq_filter_check("a/+/#", why, sizeof(why)), 0);
	assert_int_equal(mq_filter_check("a/b#", why, sizeof(why)), -1);
	assert_int_equal(mq_filter_check("a/#/b", why, sizeof(why)), -1);
	assert_int_equal(mq_filter_check("", why, sizeof(why)), -1);
}

static const char conf_ok[] =
	"[mqtt]\n"
	"broker = mqtt://127.0.0.1:1884\n"
	"root = plant/dev\n"
	"\n"
	"[mqtt.meter-1]\n"
	"password_hash = $7$101$abc$def\n"
	"interval = 2s\n"
	"time = ts\n"
	"signal = p.kw power number unit=kW\n"
	"signal = p.on running bool\n"
	"\n"
	"[mqtt.cam]\n"
	"topic = plant/dev/cam/+/state\n"
	"cert_cn = cam.plant\n"
	"signal = [0].v level int\n";

static int parse(const char *text, struct mq_conf *mc, char *err,
		 size_t errlen)
{
	struct conf *c = conf_parse(text, strlen(text), "iiotd.conf", err,
				    errlen);
	int rc;

	if (!c)
		return -1;
	rc = mq_conf_parse(c, NULL, mc, err, errlen);
	conf_free(c);
	return rc;
}

static void config(void **state)
{
	struct mq_conf mc;
	char err[300];

	(void)state;
	if (parse(conf_ok, &mc, err, sizeof(err)))
		fail_msg("%s", err);
	assert_true(mc.enabled);
	assert_int_equal(mc.broker.port, 1884);
	assert_int_equal(mc.ndevs, 2);
	assert_int_equal(mc.nsigs, 3);
	assert_string_equal(mc.devs[0].topic, "plant/dev/meter-1");
	assert_string_equal(mc.devs[0].username, "meter-1");
	assert_int_equal(mc.devs[0].interval_ms, 2000);
	assert_true(mc.devs[0].has_time);
	assert_string_equal(mc.devs[1].cert_cn, "cam.plant");
	assert_int_equal(mc.devs[1].first, 2);
	assert_int_equal(mc.sigs[2].type, MQ_INT);
	mq_conf_free(&mc);
}

static void config_error(const char *text, const char *want)
{
	struct mq_conf mc;
	char err[300] = "";

	if (parse(text, &mc, err, sizeof(err)) != -1)
		fail_msg("'%s' was taken", text);
	if (!strstr(err, want))
		fail_msg("'%s' does not say '%s'", err, want);
}

static void config_errors(void **state)
{
	(void)state;
	config_error("[mqtt]\nbroker = http://x\n", "iiotd.conf:2: mqtt.broker");
	config_error("[mqtt]\nroot = a/#\n", "iiotd.conf:2: mqtt.root");
	config_error("[mqtt]\nmanage = local\n", "needs passwd_file");
	config_error("[mqtt.d1]\nsignal = a..b x\n",
		     "iiotd.conf:2: mqtt.d1.signal: path 'a..b': step 2");
	config_error("[mqtt.d1]\nsignal = a x\nsignal = b x\n",
		     "iiotd.conf:3: mqtt.d1.signal: 'x' already defined on line 2");
	config_error("[mqtt.d1]\nsignal = a x text\n",
		     "iiotd.conf:2: mqtt.d1.signal: type 'text'");
	config_error("[mqtt.d1]\ntopic = other/d1\nsignal = a x\n",
		     "iiotd.conf:2: mqtt.d1.topic: \"other/d1\" is not under");
	config_error("[mqtt.d1]\npassword_hash = secret\nsignal = a x\n",
		     "iiotd.conf:2: mqtt.d1.password_hash: a mosquitto hash");
	config_error("[mqtt.d1]\ninterval = 1ms\nsignal = a x\n",
		     "iiotd.conf:2");
	config_error("[mqtt.d1]\ninterval = 1s\n",
		     "iiotd.conf:1: [mqtt.d1] needs at least one");
	config_error("[mqtt.d1]\nsignal = a x\n[mqtt.d2]\nusername = d1\n"
		     "signal = a x\n", "iiotd.conf:3: [mqtt.d2]: the name or "
		     "username of another device");
	config_error("[mqtt.d1]\nusername = iiotd\nsignal = a x\n",
		     "is iiotd's own");
	config_error("[mqtt.d1]\nbogus = 1\nsignal = a x\n", "iiotd.conf:2");
}

static void b64(const char *in, unsigned char *out, int *n)
{
	*n = EVP_DecodeBlock(out, (const unsigned char *)in, (int)strlen(in));
}

/* the $7$ hash is PBKDF2-SHA512 over the salt it names, as mosquitto
 * checks it */
static void broker_files(void **state)
{
	struct mq_conf mc;
	char err[300], hash[MQ_HASH_MAX], salt64[64], h64[128];
	unsigned char salt[64], h[128], want[64];
	char *pw, *acl;
	int ns, nh;

	(void)state;
	assert_int_equal(mq_hash_password("s3cret", hash, sizeof(hash)), 0);
	assert_int_equal(sscanf(hash, "$7$101$%63[^$]$%127s", salt64, h64), 2);
	b64(salt64, salt, &ns);
	b64(h64, h, &nh);
	assert_int_equal(ns, 12 + 0);
	assert_true(nh >= 64);
	PKCS5_PBKDF2_HMAC("s3cret", 6, salt, 12, 101, EVP_sha512(), 64, want);
	assert_memory_equal(h, want, 64);
	if (parse(conf_ok, &mc, err, sizeof(err)))
		fail_msg("%s", err);
	assert_int_equal(mq_broker_files(&mc, "$7$101$o$w", &pw, &acl), 0);
	assert_string_equal(pw, "iiotd:$7$101$o$w\nmeter-1:$7$101$abc$def\n");
	assert_non_null(strstr(acl, "user iiotd\ntopic read plant/dev/#\n"));
	assert_non_null(strstr(acl, "user meter-1\ntopic write plant/dev/meter-1\n"));
	assert_non_null(strstr(acl, "user cam.plant\ntopic write plant/dev/cam/+/state\n"));
	free(pw);
	free(acl);
	mq_conf_free(&mc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(paths),
		cmocka_unit_test(apply),
		cmocka_unit_test(times),
		cmocka_unit_test(topics),
		cmocka_unit_test(config),
		cmocka_unit_test(config_errors),
		cmocka_unit_test(broker_files),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
