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
#include "south/mqindex.h"
#include "south/mqmap.h"
#include "mqref.h"

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

/*
 * mqjson.c against jansson, which the map read payloads with before:
 * the same result for every payload (values, counts, time, malformed).
 */
static const char *const diff_lines[] = {
	"a x", "a.b[2].c y int scale=0.5", "[0] z bool", "[0][1][2] w",
	"m.t t number scale=0.1 offset=-40", "v.s s int", "x[3] far",
	"k-1 kk bool", "u.key_2 u",
};
static const char *const diff_times[] = { "ts", "m.ts", "[2]", "a.b[1]" };

static void diff_one(const char *pl, size_t len, unsigned int pick)
{
	struct mq_sig s[9];
	struct mq_path tp;
	struct mq_result a, b;
	double va[9], vb[9];
	bool ha[9], hb[9];
	char why[80];
	size_t i, n = sizeof(s) / sizeof(s[0]);

	for (i = 0; i < n; i++)
		s[i] = sig(diff_lines[(i + pick) % n]);
	assert_int_equal(mq_path_parse(diff_times[pick % 4], &tp, why,
				       sizeof(why)), 0);
	mq_apply(s, n, &tp, pl, len, 65536, 7, va, ha, &a);
	mq_apply_jansson(s, n, &tp, pl, len, 65536, 7, vb, hb, &b);
	if (!mq_same(&a, &b, n, va, ha, vb, hb))
		fail_msg("'%.*s' (map %u): malformed %d/%d values %u/%u missing "
			 "%u/%u bad_type %u/%u time %d/%d %llu/%llu",
			 (int)len, pl, pick, a.malformed, b.malformed, a.values,
			 b.values, a.missing, b.missing, a.bad_type, b.bad_type,
			 a.time_bad, b.time_bad, (unsigned long long)a.ts_ns,
			 (unsigned long long)b.ts_ns);
}

static const char *const diff_payloads[] = {
	"{\"a\":{\"b\":[0,1,{\"c\":7}]},\"m\":{\"t\":215,\"ts\":1796475600250},"
	"\"v\":{\"s\":-3},\"ts\":\"2026-12-05T13:00:00.250Z\",\"k-1\":1,"
	"\"x\":[1,2,3,4.5],\"u\":{\"key_2\":null}}",
	"[true,[0,[1,2,3.5e2]],\"2026-12-05T13:00:00\\u005a\"]",
	"{\"a\":1,\"a\":{\"b\":[1,2,{\"c\":-0}]}}",
	"{\"a\":{\"b\":[1,2,{\"c\":1}]},\"a\":2}",
	"{\"\\u0061\":5,\"m\":{\"\\u0074\":1e2,\"ts\":\"x\"}}",
	"{\"a\":1e400}", "{\"a\":-1e400}", "{\"a\":1e-400}", "[1E+2,2e-2]",
	"{\"a\":9223372036854775807}", "{\"a\":9223372036854775808}",
	"{\"a\":-9223372036854775808}", "{\"a\":-9223372036854775809}",
	"{\"a\":12345678901234567890123}", "{\"a\":1234567890123456789}",
	"{\"a\":01}", "{\"a\":-}", "{\"a\":1.}", "{\"a\":.5}", "{\"a\":1e}",
	"{\"a\":1e+}", "{\"a\":+1}", "{\"a\":0x1}", "{\"a\":-0.0}",
	"{\"a\":tru}", "{\"a\":truex}", "{\"a\":nul}", "{\"a\":NaN}",
	"{\"a\":true1}", "[1,]", "{\"a\":1,}", "{,}", "[,1]", "{\"a\"}",
	"{\"a\" 1}", "{1:2}", "{\"a\":1}x", "{\"a\":1} ", " \t\r\n{} \n",
	"", " ", "1", "\"s\"", "true", "null", "[]", "{}", "[[]]", "]", "[",
	"{\"a\":\"\\ud800\\udc00\"}", "{\"a\":\"\\ud800\"}",
	"{\"a\":\"\\udc00\"}", "{\"a\":\"\\ud800\\u0041\"}",
	"{\"a\":\"\\ud800x\"}", "{\"a\":\"\\u00e9\\u20ac\"}",
	"{\"a\":\"\\x\"}", "{\"a\":\"\\u12\"}", "{\"a\":\"\\u12g4\"}",
	"{\"ts\":\"2026-12-05T13:00:00Z\\u0000x\",\"m\":{\"ts\":1}}",
	"{\"a\\u0000\":1}", "{\"a\":\"tab\there\"}",
	"{\"a\":\"\xc3\xa9\"}", "{\"a\":\"\xc3\"}", "{\"a\":\"\xc0\x80\"}",
	"{\"a\":\"\xed\xa0\x80\"}", "{\"a\":\"\xf4\x90\x80\x80\"}",
	"{\"a\":\"\xe0\x80\xaf\"}", "{\"a\":\"\xf0\x9f\x98\x80\"}",
	"{\"a\":\"\xff\"}", "\xef\xbb\xbf{}", "{\"k-1\":0,\"k-1\":2}",
	"{\"k-1\":true}", "{\"k-1\":1.0}", "{\"v\":{\"s\":2.0}}",
	"{\"v\":{\"s\":2.5}}", "{\"v\":{\"s\":\"3\"}}", "{\"v\":{\"s\":[3]}}",
	"{\"ts\":1796475600}", "{\"ts\":-5}", "{\"ts\":1.5e9}",
	"{\"ts\":\"2026-12-05T13:00:00.123456789012345678901234567890Z\"}",
	"[\"a\",\"b\",1796475600250000]", "{\"a\":{\"b\":{\"c\":1}}}",
	"{\"x\":[0,1,2]}", "{\"x\":{\"3\":1}}",
};

static void diff_check(const char *pl, size_t len)
{
	unsigned int pick;

	for (pick = 0; pick < 9; pick++)
		diff_one(pl, len, pick);
}

static void as_jansson(void **state)
{
	static char deep[2 * 2050 + 8];
	unsigned long long x = 88172645463325252ULL;
	static const char alpha[] = "{}[]\":,.-+0123456789eEtrufalsn \\\x80"
				    "\xc3\xa9\xff\x00ux";
	char buf[512];
	size_t i, k, len, d;

	(void)state;
	for (i = 0; i < sizeof(diff_payloads) / sizeof(diff_payloads[0]); i++)
		diff_check(diff_payloads[i], strlen(diff_payloads[i]));
	/* a NUL byte inside a string and outside one */
	diff_check("{\"a\":\"x\0y\"}", 11);
	diff_check("{\"a\":1}\0", 8);
	/* jansson skips one NUL after a number or a word, not two */
	diff_check("{\"a\":1\0}", 8);
	diff_check("[true\0,null\0]", 13);
	diff_check("{\"a\":1\0\0}", 9);
	/* depth: jansson reads 2048 levels of values, not 2049 */
	for (d = 2046; d <= 2050; d++) {
		memset(deep, '[', d);
		len = d;
		deep[len++] = '1';
		memset(deep + len, ']', d);
		diff_check(deep, len + d);
		memset(deep + d, ']', d);
		diff_check(deep, 2 * d);
	}
	/* the payloads above, mutated: replaced, inserted, removed bytes */
	for (k = 0; k < 40000; k++) {
		const char *seed = diff_payloads[k % 8];

		len = strlen(seed);
		memcpy(buf, seed, len);
		for (i = 0; i < 1 + k % 3; i++) {
			size_t at;
			char c;

			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
			at = len ? (size_t)(x >> 8) % len : 0;
			c = alpha[(x >> 40) % (sizeof(alpha) - 1)];
			switch (x % 3) {
			case 0:
				if (len)
					buf[at] = c;
				break;
			case 1:
				if (len + 1 < sizeof(buf)) {
					memmove(buf + at + 1, buf + at, len - at);
					buf[at] = c;
					len++;
				}
				break;
			default:
				if (len) {
					memmove(buf + at, buf + at + 1,
						len - at - 1);
					len--;
				}
			}
		}
		diff_one(buf, len, (unsigned int)(k % 9));
	}
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

/*
 * The topic index finds what a scan of the devices in their order finds
 * (the first whose topic or filter matches, removed ones left out), over
 * exact topics, shared topics, + and # filters and removals; 2,000
 * devices make the table grow several times.
 */
#define IX_DEVS	2000
static const char *ix_topic(char *buf, size_t len, unsigned int i)
{
	switch (i % 10) {
	case 0: snprintf(buf, len, "r/+/%u", i % 7); break;	/* a filter */
	case 1: snprintf(buf, len, "r/d%u/#", i * 7 % IX_DEVS); break;	/* before or after its exact topic */
	case 2: snprintf(buf, len, "r/d%u", i % 50); break;	/* shared */
	default: snprintf(buf, len, "r/d%u", i); break;
	}
	return buf;
}

static void *ix_scan(char (*topics)[32], const bool *gone, const char *t)
{
	unsigned int i;

	for (i = 0; i < IX_DEVS; i++)
		if (!gone[i] && mq_topic_match(topics[i], t))
			return topics[i];
	return NULL;
}

static void topic_index(void **state)
{
	static char topics[IX_DEVS][32];
	static bool gone[IX_DEVS];
	struct mq_index *ix = mq_index_new();
	char t[64];
	unsigned int i, r, found = 0;

	(void)state;
	assert_non_null(ix);
	assert_null(mq_index_find(ix, "r/d1"));
	for (i = 0; i < IX_DEVS; i++)
		assert_int_equal(mq_index_add(ix, ix_topic(topics[i], 32, i), i,
					      topics[i]), 0);
	for (r = 0; r < 2; r++) {
		for (i = 0; i < IX_DEVS + 40; i++) {
			snprintf(t, sizeof(t), i % 3 ? "r/d%u" : "r/d%u/x",
				 i);
			assert_ptr_equal(mq_index_find(ix, t),
					 ix_scan(topics, gone, t));
			found += mq_index_find(ix, t) != NULL;
			snprintf(t, sizeof(t), "r/x/%u", i % 9);
			assert_ptr_equal(mq_index_find(ix, t),
					 ix_scan(topics, gone, t));
		}
		/* then a third of them removed, filters and shared included */
		for (i = 0; i < IX_DEVS; i += 3) {
			mq_index_del(ix, topics[i], topics[i]);
			gone[i] = true;
		}
	}
	assert_true(found > IX_DEVS / 2);	/* the lookups did find devices */
	assert_ptr_equal(mq_index_find(ix, "r/d4"), topics[4]);
	mq_index_del(ix, topics[4], topics[4]);
	assert_null(mq_index_find(ix, "r/d4"));	/* no r/d4/#: 7i = 4 wants i = 572 */
	mq_index_free(ix);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(paths),
		cmocka_unit_test(apply),
		cmocka_unit_test(as_jansson),
		cmocka_unit_test(times),
		cmocka_unit_test(topics),
		cmocka_unit_test(topic_index),
		cmocka_unit_test(config),
		cmocka_unit_test(config_errors),
		cmocka_unit_test(broker_files),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
