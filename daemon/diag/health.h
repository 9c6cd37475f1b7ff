/*
 * Health scores (docs/diagnostics.md, "Health"): 0-100 per device and per
 * cyclic link, with every reason that took points off, from the
 * diagnoses open in the alert table and the link statistics of the
 * model.  Nothing is learnt or kept here: a score is a pure function of
 * one model snapshot and one copy of the open alerts, so iiotd's API, its
 * control socket and "iiotctl health FILE.pcap" compute the same thing.
 */
#ifndef IIOTD_HEALTH_H
#define IIOTD_HEALTH_H

#include <stddef.h>
#include <stdint.h>

#define HEALTH_REASONS		8	/* kept per score; more are counted */
#define HEALTH_CODE_MAX		32
#define HEALTH_TEXT_MAX		192

/* Grades: good >= HEALTH_GOOD, check >= HEALTH_CHECK, else fault. */
#define HEALTH_GOOD		80
#define HEALTH_CHECK		50

struct health_reason {
	int points;			/* taken off, > 0 */
	char code[HEALTH_CODE_MAX];	/* "offline", "al_state", "jitter",
					 * "lost", "wkc_errors", or the
					 * diagnosis' rule id */
	uint64_t alert;			/* the alert it rests on, 0 none */
	uint32_t link;			/* through this link, 0 none */
	double value, limit;		/* the measured value and its limit
					 * (jitter µs, ratios %), 0 none */
	char text[HEALTH_TEXT_MAX];	/* English, for the CLI and logs */
	char text_zh[HEALTH_TEXT_MAX];	/* a diagnosis' zh-CN message; the
					 * UI words the others itself */
};

struct health {
	int score;			/* 100 minus the points, at least 0 */
	unsigned int n;			/* reasons kept, most points first */
	unsigned int more;		/* reasons beyond HEALTH_REASONS
					 * (their points are taken too) */
	struct health_reason r[HEALTH_REASONS];
};

struct model;
struct model_device;
struct model_link;
struct alert;
struct alerts;
struct json_t;

/* "good", "check" or "fault" */
const char *health_grade(int score);

/* Points a diagnosis' open alert takes off; 0: not a diagnosis. */
int health_rule_points(unsigned int rule);

/*
 * Score one link or one device.  al: the open alerts (alerts_snapshot),
 * nal of them.  A device's score includes the links it sends; a
 * diagnosis counted on such a link is not counted again on the device.
 */
void health_link(struct model *m, const struct model_link *l,
		 const struct alert *al, size_t nal, struct health *h);
void health_device(struct model *m, const struct model_device *d,
		   const struct alert *al, size_t nal, struct health *h);

/* {"score":N,"grade":"good","reasons":[...]} */
struct json_t *health_json(const struct health *h);
/*
 * Every device and link (device 0), or one device (then NULL when there
 * is none): {"devices":[...],"links":[...],"summary":{...}}.
 */
struct json_t *health_report_json(struct model *m, const struct alert *al,
				  size_t nal, uint32_t device);
/* A copy of the open alerts for the calls above (malloc'd; NULL and 0
 * without a table or memory); for the event-loop thread. */
struct alert *health_open_alerts(struct alerts *al, size_t *n);
/* The same, reading the open alerts of the table itself (al may be NULL:
 * no alerts); for the event-loop thread. */
struct json_t *health_report(struct model *m, struct alerts *al,
			     uint32_t device);

#endif
