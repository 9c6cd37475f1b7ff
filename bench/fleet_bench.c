/*
 * fleet_bench: the two sides of bench/fleet.bench.
 *
 *   fleet_bench flood PORT GROUP EDGE METRICS RATE SECONDS
 *	an edge node for the platform: NBIRTH with METRICS Double metrics
 *	(aliases 1..METRICS), then NDATA of every metric by alias, in seq
 *	order, RATE metrics a second (0: as fast as mosquitto takes them)
 *	for SECONDS.  Each message's metrics carry their own millisecond
 *	(so that no two rows share a key); the payload carries the time of
 *	publishing, from which the platform counts its latency.
 *   fleet_bench copy CONNINFO BATCH SECONDS METRICS
 *	the peer: a bare libpq loop COPYing the same rows (text format, the
 *	same row shape: a series id, its METRICS series known) in batches
 *	of BATCH into bare_points, the same table as fleet_points
 *	(partitioned by day, the same key), for SECONDS; prints rows/s.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libpq-fe.h>
#include <mosquitto.h>

#include "core/clock.h"
#include "north/sparkplug_b.pb-c.h"

static int publish(struct mosquitto *m, const char *topic, Spb__Payload *p)
{
	size_t len = spb__payload__get_packed_size(p);
	uint8_t *buf = malloc(len);
	int rc;

	spb__payload__pack(p, buf);
	do {
		rc = mosquitto_publish(m, NULL, topic, (int)len, buf, 0, false);
		/* the socket's buffer is full: let the loop write it out */
		if (rc == MOSQ_ERR_SUCCESS)
			break;
		mosquitto_loop(m, 10, 1);
	} while (rc == MOSQ_ERR_OVERSIZE_PACKET || rc == MOSQ_ERR_NOMEM);
	while (mosquitto_want_write(m))
		mosquitto_loop_write(m, 1);
	free(buf);
	return rc;
}

static int flood(int argc, char **argv)
{
	struct mosquitto *m;
	Spb__Payload p = SPB__PAYLOAD__INIT;
	Spb__Payload__Metric *ms, **mp, bd = SPB__PAYLOAD__METRIC__INIT, *bdp = &bd;
	char topic[256], names[64];
	int port, n, secs, i;
	double rate;
	uint64_t t0, now, sent = 0, seq = 0, ts = 0, msgs = 0;

	if (argc < 6)
		return 2;
	port = atoi(argv[0]);
	n = atoi(argv[3]);
	rate = atof(argv[4]);
	secs = atoi(argv[5]);
	if (n < 1 || n > 10000 || secs < 1)
		return 2;
	mosquitto_lib_init();
	m = mosquitto_new(NULL, true, NULL);
	if (!m || mosquitto_connect(m, "127.0.0.1", port, 60)) {
		fprintf(stderr, "fleet_bench: no broker on %d\n", port);
		return 1;
	}
	ms = calloc((size_t)n + 1, sizeof(*ms));
	mp = calloc((size_t)n + 1, sizeof(*mp));
	/* NBIRTH: bdSeq and the metrics by name and alias */
	bd.name = "bdSeq";
	bd.has_datatype = 1;
	bd.datatype = SPB__DATA_TYPE__Int64;
	bd.value_case = SPB__PAYLOAD__METRIC__VALUE_LONG_VALUE;
	mp[0] = bdp;
	for (i = 0; i < n; i++) {
		Spb__Payload__Metric init = SPB__PAYLOAD__METRIC__INIT;

		ms[i] = init;
		snprintf(names, sizeof(names), "Signals/s%d", i);
		ms[i].name = strdup(names);
		ms[i].has_alias = 1;
		ms[i].alias = (uint64_t)i + 1;
		ms[i].has_datatype = 1;
		ms[i].datatype = SPB__DATA_TYPE__Double;
		ms[i].has_timestamp = 1;
		ms[i].value_case = SPB__PAYLOAD__METRIC__VALUE_DOUBLE_VALUE;
		mp[i + 1] = &ms[i];
	}
	ts = wall_ms();
	p.has_timestamp = p.has_seq = 1;
	p.timestamp = ts;
	p.seq = 0;
	p.metrics = mp;
	p.n_metrics = (size_t)n + 1;
	for (i = 0; i < n; i++)
		ms[i].timestamp = ts;
	snprintf(topic, sizeof(topic), "spBv1.0/%s/NBIRTH/%s", argv[1], argv[2]);
	publish(m, topic, &p);
	/* NDATA: by alias only */
	for (i = 0; i < n; i++)
		ms[i].name = NULL;
	p.metrics = mp + 1;
	p.n_metrics = (size_t)n;
	snprintf(topic, sizeof(topic), "spBv1.0/%s/NDATA/%s", argv[1], argv[2]);
	t0 = mono_ms();
	while ((now = mono_ms()) < t0 + (uint64_t)secs * 1000) {
		if (rate > 0 && sent >= rate * (double)(now - t0) / 1000) {
			/* asleep until the next message is due, not spinning
			 * beside the platform on a shared machine */
			double due = (double)sent * 1000 / rate;
			int wait = (int)(due - (double)(now - t0)) + 1;

			mosquitto_loop(m, wait > 100 ? 100 : wait, 1);
			continue;
		}
		now = wall_ms();
		ts = now > ts ? now : ts + 1;
		for (i = 0; i < n; i++) {
			ms[i].timestamp = ts;
			ms[i].double_value = (double)(sent + (uint64_t)i);
		}
		p.timestamp = now;
		seq = (seq + 1) & 0xff;
		p.seq = seq;
		if (publish(m, topic, &p))
			break;
		sent += (uint64_t)n;
		msgs++;
	}
	for (i = 0; i < 50; i++)
		mosquitto_loop(m, 10, 1);
	printf("%" PRIu64 " %" PRIu64 "\n", msgs, sent);
	mosquitto_disconnect(m);
	mosquitto_destroy(m);
	return 0;
}

static int exec(PGconn *c, const char *sql)
{
	PGresult *r = PQexec(c, sql);
	int ok = PQresultStatus(r) == PGRES_COMMAND_OK ||
		 PQresultStatus(r) == PGRES_COPY_IN;

	if (!ok)
		fprintf(stderr, "fleet_bench: %s: %s", sql, PQerrorMessage(c));
	PQclear(r);
	return ok ? 0 : -1;
}

static int copy(int argc, char **argv)
{
	PGconn *c;
	PGresult *r;
	char *buf, day[16], sql[512];
	size_t cap = 64 << 20, len;
	int batch, secs, n, i;
	uint64_t t0, rows = 0, ts = wall_ms(), k = 0;
	time_t t = time(NULL);
	struct tm tm;

	if (argc < 4)
		return 2;
	batch = atoi(argv[1]);
	secs = atoi(argv[2]);
	n = atoi(argv[3]);
	c = PQconnectdb(argv[0]);
	if (PQstatus(c) != CONNECTION_OK) {
		fprintf(stderr, "fleet_bench: %s", PQerrorMessage(c));
		return 1;
	}
	gmtime_r(&t, &tm);
	strftime(day, sizeof(day), "%Y-%m-%d", &tm);
	if (exec(c, "SET TimeZone = 'UTC'; DROP TABLE IF EXISTS bare_points;"
		 "CREATE TABLE bare_points (series integer NOT NULL,"
		 " ts timestamptz NOT NULL, value double precision,"
		 " text_value text, historical boolean NOT NULL,"
		 " PRIMARY KEY (series, ts))"
		 " PARTITION BY RANGE (ts)"))
		return 1;
	snprintf(sql, sizeof(sql), "CREATE TABLE bare_points_p PARTITION OF "
		 "bare_points FOR VALUES FROM ('%s+00') TO ('%s+00'::date + 2)",
		 day, day);
	if (exec(c, sql))
		return 1;
	buf = malloc(cap);
	t0 = mono_ms();
	while (mono_ms() < t0 + (uint64_t)secs * 1000) {
		len = 0;
		for (i = 0; i < batch; i++) {
			time_t s;
			int metric = (int)(k % (uint64_t)n);

			if (!metric)
				ts++;
			s = (time_t)(ts / 1000);
			gmtime_r(&s, &tm);
			len += (size_t)sprintf(buf + len, "%d\t", metric + 1);
			len += strftime(buf + len, 32, "%Y-%m-%d %H:%M:%S", &tm);
			len += (size_t)sprintf(buf + len, ".%03d+00\t%.17g\t\\N\tf\n",
					       (int)(ts % 1000), (double)k);
			k++;
		}
		if (exec(c, "BEGIN") ||
		    exec(c, "COPY bare_points (series, ts, value, text_value,"
			 " historical) FROM STDIN") ||
		    PQputCopyData(c, buf, (int)len) != 1 ||
		    PQputCopyEnd(c, NULL) != 1)
			return 1;
		while ((r = PQgetResult(c))) {
			if (PQresultStatus(r) != PGRES_COMMAND_OK) {
				fprintf(stderr, "fleet_bench: COPY: %s",
					PQerrorMessage(c));
				return 1;
			}
			PQclear(r);
		}
		if (exec(c, "COMMIT"))
			return 1;
		rows += (uint64_t)batch;
	}
	printf("%.0f\n", (double)rows * 1000 / (double)(mono_ms() - t0));
	exec(c, "DROP TABLE bare_points");
	PQfinish(c);
	free(buf);
	return 0;
}

int main(int argc, char **argv)
{
	int rc = 2;

	if (argc > 1 && !strcmp(argv[1], "flood"))
		rc = flood(argc - 2, argv + 2);
	else if (argc > 1 && !strcmp(argv[1], "copy"))
		rc = copy(argc - 2, argv + 2);
	if (rc == 2)
		fprintf(stderr, "usage: fleet_bench flood PORT GROUP EDGE "
			"METRICS RATE SECONDS | copy CONNINFO BATCH SECONDS "
			"METRICS\n");
	return rc;
}
