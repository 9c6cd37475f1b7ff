/*
 * The peer of bench/mqtt.bench: a bare libmosquitto subscriber on FILTER
 * (QoS 1, as iiotd's own subscription) that only counts what arrives.
 * Each SIGUSR1 prints "messages seconds" (the count so far and a
 * monotonic time), so that the bench reads it over the same window as
 * iiotd's counters; SIGTERM ends it.  "subscribed" on stderr once the
 * broker has granted the subscription.
 *
 *   mqtt_bare_bench PORT FILTER
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <mosquitto.h>

static volatile sig_atomic_t report, done;
static unsigned long long messages;

static void on_sig(int sig)
{
	if (sig == SIGUSR1)
		report = 1;
	else
		done = 1;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void on_message(struct mosquitto *m, void *arg,
		       const struct mosquitto_message *msg)
{
	(void)m;
	(void)arg;
	(void)msg;
	messages++;
}

static void on_subscribe(struct mosquitto *m, void *arg, int mid, int n,
			 const int *granted)
{
	(void)m;
	(void)arg;
	(void)mid;
	(void)n;
	(void)granted;
	fprintf(stderr, "subscribed\n");
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_sig };
	struct mosquitto *m;
	int rc;

	if (argc != 3) {
		fprintf(stderr, "usage: mqtt_bare_bench PORT FILTER\n");
		return 2;
	}
	/* a broker that goes away is an error line, not a silent death */
	signal(SIGPIPE, SIG_IGN);
	sigaction(SIGUSR1, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	mosquitto_lib_init();
	m = mosquitto_new("bare-bench", true, NULL);
	if (!m)
		return 1;
	mosquitto_message_callback_set(m, on_message);
	mosquitto_subscribe_callback_set(m, on_subscribe);
	rc = mosquitto_connect(m, "127.0.0.1", atoi(argv[1]), 30);
	if (rc || mosquitto_subscribe(m, NULL, argv[2], 1)) {
		fprintf(stderr, "mqtt_bare_bench: %s\n", mosquitto_strerror(rc));
		return 1;
	}
	while (!done) {
		rc = mosquitto_loop(m, 100, 1);
		if (rc != MOSQ_ERR_SUCCESS && rc != MOSQ_ERR_INVAL) {
			fprintf(stderr, "mqtt_bare_bench: %s\n",
				mosquitto_strerror(rc));
			return 1;
		}
		if (report) {
			report = 0;
			printf("%llu %.6f\n", messages, now_s());
			fflush(stdout);
		}
	}
	mosquitto_destroy(m);
	mosquitto_lib_cleanup();
	return 0;
}
