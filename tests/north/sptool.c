/*
 * sptool: the tests' Sparkplug B host side, from the same generated code
 * as the edge node.
 *
 *   sptool sub -p PORT [-h HOST] [-k KEEPALIVE] [--cafile F] [-u USER -P PW] [-t TOPIC]
 *	subscribe (QoS 1, spBv1.0/# by default) and print one JSON line per
 *	message: {"topic", "rx" (when it came, ms of the wall clock, for
 *	bench/north.bench's latency), "qos", "retain", "timestamp", "seq", "metrics": [{"name", "alias",
 *	"type", "value", "historical", "timestamp", "props": {key: value}}]};
 *	STATE messages as
 *	{"topic", "state": <their JSON>}; undecodable ones as {"topic",
 *	"bad": LEN}
 *   sptool cmd rebirth | rebirth-alias ALIAS | write NAME [VALUE] |
 *	write-alias ALIAS VALUE | write-int NAME VALUE | garbage
 *	a command payload on stdout (for mosquitto_pub -s): write without a
 *	VALUE sends Boolean true, with one a Double, write-int an Int64
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <mosquitto.h>

#include "north/sparkplug_b.pb-c.h"

static const char *topics[16];
static int ntopics;

static json_t *metric_json(const Spb__Payload__Metric *m)
{
	json_t *o = json_object();

	if (m->name)
		json_object_set_new(o, "name", json_string(m->name));
	if (m->has_alias)
		json_object_set_new(o, "alias", json_integer((json_int_t)m->alias));
	if (m->has_datatype)
		json_object_set_new(o, "type", json_integer(m->datatype));
	if (m->has_timestamp)
		json_object_set_new(o, "timestamp",
				    json_integer((json_int_t)m->timestamp));
	if (m->has_is_historical && m->is_historical)
		json_object_set_new(o, "historical", json_true());
	switch (m->value_case) {
	case SPB__PAYLOAD__METRIC__VALUE_INT_VALUE:
		json_object_set_new(o, "value", json_integer(m->int_value));
		break;
	case SPB__PAYLOAD__METRIC__VALUE_LONG_VALUE:
		json_object_set_new(o, "value",
				    json_integer((json_int_t)m->long_value));
		break;
	case SPB__PAYLOAD__METRIC__VALUE_FLOAT_VALUE:
		json_object_set_new(o, "value", json_real(m->float_value));
		break;
	case SPB__PAYLOAD__METRIC__VALUE_DOUBLE_VALUE:
		json_object_set_new(o, "value", json_real(m->double_value));
		break;
	case SPB__PAYLOAD__METRIC__VALUE_BOOLEAN_VALUE:
		json_object_set_new(o, "value", json_boolean(m->boolean_value));
		break;
	case SPB__PAYLOAD__METRIC__VALUE_STRING_VALUE:
		json_object_set_new(o, "value", json_string(m->string_value));
		break;
	default:
		break;
	}
	if (m->properties) {
		json_t *pr = json_object();
		size_t i;

		for (i = 0; i < m->properties->n_keys &&
		     i < m->properties->n_values; i++) {
			const Spb__Payload__PropertyValue *v =
				m->properties->values[i];

			json_object_set_new(pr, m->properties->keys[i],
				v->value_case == SPB__PAYLOAD__PROPERTY_VALUE__VALUE_BOOLEAN_VALUE ?
				json_boolean(v->boolean_value) : json_null());
		}
		json_object_set_new(o, "props", pr);
	}
	return o;
}

static void on_message(struct mosquitto *mosq, void *arg,
		       const struct mosquitto_message *msg)
{
	json_t *o = json_object(), *ms;
	struct timespec ts;
	Spb__Payload *p;
	char *s;
	size_t i;

	(void)mosq;
	(void)arg;
	clock_gettime(CLOCK_REALTIME, &ts);
	json_object_set_new(o, "topic", json_string(msg->topic));
	json_object_set_new(o, "rx", json_integer((json_int_t)ts.tv_sec * 1000 +
						  ts.tv_nsec / 1000000));
	json_object_set_new(o, "qos", json_integer(msg->qos));
	json_object_set_new(o, "retain", json_boolean(msg->retain));
	if (strstr(msg->topic, "/STATE/")) {
		json_object_set_new(o, "state", json_loadb(msg->payload,
			(size_t)msg->payloadlen, 0, NULL));
	} else if ((p = spb__payload__unpack(NULL, (size_t)msg->payloadlen,
					     msg->payload))) {
		if (p->has_timestamp)
			json_object_set_new(o, "timestamp",
					    json_integer((json_int_t)p->timestamp));
		if (p->has_seq)
			json_object_set_new(o, "seq",
					    json_integer((json_int_t)p->seq));
		ms = json_array();
		for (i = 0; i < p->n_metrics; i++)
			json_array_append_new(ms, metric_json(p->metrics[i]));
		json_object_set_new(o, "metrics", ms);
		spb__payload__free_unpacked(p, NULL);
	} else {
		json_object_set_new(o, "bad", json_integer(msg->payloadlen));
	}
	s = json_dumps(o, JSON_COMPACT);
	printf("%s\n", s);
	fflush(stdout);
	free(s);
	json_decref(o);
}

static void on_connect(struct mosquitto *mosq, void *arg, int rc)
{
	int i;

	(void)arg;
	if (rc) {
		fprintf(stderr, "sptool: %s\n", mosquitto_connack_string(rc));
		exit(1);
	}
	for (i = 0; i < ntopics; i++)
		mosquitto_subscribe(mosq, NULL, topics[i], 1);
	fprintf(stderr, "sptool: subscribed\n");
}

static int sub(int argc, char **argv)
{
	const char *host = "127.0.0.1", *cafile = NULL, *user = NULL, *pw = NULL;
	struct mosquitto *m;
	int i, port = 1883, keepalive = 30;

	for (i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "-p") && i + 1 < argc)
			port = atoi(argv[++i]);
		/* a host far behind a replay reads the broker's PINGRESP only
		 * after the backlog: a keepalive longer than the backlog keeps
		 * it from closing the session (and losing what the broker
		 * held for it) */
		else if (!strcmp(argv[i], "-k") && i + 1 < argc)
			keepalive = atoi(argv[++i]);
		else if (!strcmp(argv[i], "-h") && i + 1 < argc)
			host = argv[++i];
		else if (!strcmp(argv[i], "--cafile") && i + 1 < argc)
			cafile = argv[++i];
		else if (!strcmp(argv[i], "-u") && i + 1 < argc)
			user = argv[++i];
		else if (!strcmp(argv[i], "-P") && i + 1 < argc)
			pw = argv[++i];
		else if (!strcmp(argv[i], "-t") && i + 1 < argc && ntopics < 16)
			topics[ntopics++] = argv[++i];
	}
	if (!ntopics)
		topics[ntopics++] = "spBv1.0/#";
	mosquitto_lib_init();
	m = mosquitto_new(NULL, true, NULL);
	if (!m)
		return 1;
	mosquitto_connect_callback_set(m, on_connect);
	mosquitto_message_callback_set(m, on_message);
	if (cafile && mosquitto_tls_set(m, cafile, NULL, NULL, NULL, NULL))
		return 1;
	if (user && mosquitto_username_pw_set(m, user, pw))
		return 1;
	/* the broker may come up after us, or go away and come back: try
	 * again every 100 ms, sooner than the edge node under test */
	while (mosquitto_connect(m, host, port, keepalive))
		usleep(100000);
	for (;;) {
		if (mosquitto_loop(m, 100, 1) == MOSQ_ERR_SUCCESS)
			continue;
		usleep(100000);
		mosquitto_reconnect(m);
	}
	return 0;
}

static int cmd(int argc, char **argv)
{
	Spb__Payload p = SPB__PAYLOAD__INIT;
	Spb__Payload__Metric me = SPB__PAYLOAD__METRIC__INIT, *mp = &me;
	uint8_t *buf;
	size_t len;

	if (argc < 1)
		return 2;
	if (!strcmp(argv[0], "garbage")) {
		fwrite("\x0a\xff\xff\xff\xff\x0f", 1, 6, stdout);
		return 0;
	}
	p.has_timestamp = 1;
	p.timestamp = (uint64_t)time(NULL) * 1000;
	p.n_metrics = 1;
	p.metrics = &mp;
	me.has_datatype = 1;
	me.datatype = SPB__DATA_TYPE__Boolean;
	me.value_case = SPB__PAYLOAD__METRIC__VALUE_BOOLEAN_VALUE;
	me.boolean_value = 1;
	if (!strcmp(argv[0], "rebirth")) {
		me.name = "Node Control/Rebirth";
	} else if (!strcmp(argv[0], "rebirth-alias") && argc > 1) {
		me.has_alias = 1;
		me.alias = strtoull(argv[1], NULL, 10);
	} else if (!strcmp(argv[0], "write") && argc > 1) {
		me.name = argv[1];
		if (argc > 2) {
			me.datatype = SPB__DATA_TYPE__Double;
			me.value_case = SPB__PAYLOAD__METRIC__VALUE_DOUBLE_VALUE;
			me.double_value = strtod(argv[2], NULL);
		}
	} else if (!strcmp(argv[0], "write-alias") && argc > 2) {
		me.has_alias = 1;
		me.alias = strtoull(argv[1], NULL, 10);
		me.datatype = SPB__DATA_TYPE__Double;
		me.value_case = SPB__PAYLOAD__METRIC__VALUE_DOUBLE_VALUE;
		me.double_value = strtod(argv[2], NULL);
	} else if (!strcmp(argv[0], "write-int") && argc > 2) {
		me.name = argv[1];
		me.datatype = SPB__DATA_TYPE__Int64;
		me.value_case = SPB__PAYLOAD__METRIC__VALUE_LONG_VALUE;
		me.long_value = (uint64_t)strtoll(argv[2], NULL, 10);
	} else {
		return 2;
	}
	len = spb__payload__get_packed_size(&p);
	buf = malloc(len);
	spb__payload__pack(&p, buf);
	fwrite(buf, 1, len, stdout);
	free(buf);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "sub"))
		return sub(argc - 2, argv + 2);
	if (argc > 1 && !strcmp(argv[1], "cmd"))
		return cmd(argc - 2, argv + 2);
	fprintf(stderr, "usage: sptool sub -p PORT [-h HOST] [-k KEEPALIVE] [--cafile F] "
		"[-t TOPIC] | cmd rebirth|rebirth-alias N|write NAME [V]|"
		"write-alias N V|write-int NAME V|garbage\n");
	return 2;
}
