/*
 * Fieldbus diagnostics (DESIGN §12, docs/diagnostics.md): what the wire
 * shows about a line's health, turned into findings an engineer can act
 * on, raised into the one alert model (daemon/alerts/).
 *
 * EtherCAT: the expected working counter of each cyclic datagram, ESC
 * error counters whenever the master reads them (deltas, saturation,
 * clearing writes, localisation of the faulty cable), AL status and AL
 * status codes, slaves that stop answering, DC system time difference,
 * and a robust trend of the error rates that predicts a threshold.
 *
 * diag_frame() is on the capture thread's per-frame path: O(1) per
 * datagram, no allocation; its tables are fixed at diag_new().  The same
 * code runs in iiotd and in "iiotctl diagnose FILE.pcap".
 */
#ifndef IIOTD_DIAG_H
#define IIOTD_DIAG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "alerts/alerts.h"

#define DIAG_EVIDENCE_MAX	512

/*
 * A prediction's fitted line (diag.predicted only): value(t) = intercept
 * + slope x (t - t0) in the indicator's unit, crossing limit at cross_ns
 * (its interval from the quartile slopes; 0: never within them).
 */
struct diag_fit {
	bool has;
	char metric[24];		/* rx_errors_p0.., dc_diff_ns, wkc_errors,
					 * lost, jitter_p99_us: the chart's */
	char unit[12];			/* "/min", "ns", "us" */
	uint64_t t0_ns, last_ns;	/* first and last sample */
	double intercept, slope_per_min, limit;
	uint64_t cross_ns, cross_lo_ns, cross_hi_ns;
	uint32_t samples;
};

/* One finding: the onset (or end) of a condition, with what it rests on. */
struct diag_finding {
	uint16_t rule;			/* enum alert_rule_id */
	uint8_t severity;		/* enum alert_severity */
	bool cleared;			/* the condition ended */
	uint64_t ts_ns, frame_no;
	uint8_t master[6];		/* EtherCAT master / PN sender */
	int32_t station;		/* EtherCAT station address, -1 none */
	int32_t position;		/* ring position (0 first), -1 unknown */
	int8_t port;			/* ESC port, -1 none */
	char label[ALERT_LABEL_MAX];	/* the device as the model names it */
	char name[48];			/* its product from its SII identity
					 * ("Beckhoff EL3064"), "" unknown */
	char detail[ALERT_DETAIL_MAX];	/* the message's {detail} */
	char evidence[DIAG_EVIDENCE_MAX];	/* what it rests on */
	struct diag_fit fit;
};

typedef void (*diag_sink_fn)(void *arg, const struct diag_finding *f);

struct diag_opts {
	uint32_t wkc_learn;		/* equal cycles that teach the expected
					 * working counter; 0: 8 */
	uint32_t dc_limit_ns;		/* |system time difference| above: a
					 * sync fault; 0: 1000 */
	double rate_limit;		/* own RX errors per minute per port
					 * that is a fault; 0: 10 */
	uint64_t horizon_ns;		/* predict crossings this far; 0: 1 h */
	double wkc_limit;		/* wrong working counters per minute
					 * on a link that is a fault; 0: 10 */
	double lost_limit;		/* lost frames per minute; 0: 10 */
	uint32_t jitter_pct;		/* jitter p99 over this % of the
					 * period is a fault; 0: 50 */
	uint32_t port_mbps;		/* a capture port's speed when the
					 * interface does not say; 0: 100 */
	bool port_sysfs;		/* ask /sys/class/net/LINE/speed */
	bool disabled[ALERT_RULE_COUNT];	/* rules not to raise */
};

#define DIAG_COUNTERS(X) \
	X(frames,	"frames inspected")				\
	X(ecat_returns,	"EtherCAT frames back from the ring")		\
	X(ecat_lost,	"EtherCAT frames that never came back")		\
	X(wkc_checked,	"cyclic datagrams checked")			\
	X(wkc_errors,	"cyclic datagrams with a wrong working counter")\
	X(esc_reads,	"ESC error counter reads")			\
	X(esc_clears,	"ESC error counter clearing writes")		\
	X(al_reads,	"AL status reads")				\
	X(dc_reads,	"DC system time difference reads")		\
	X(findings,	"findings")					\
	X(backwards,	"anomalies: counters that went backwards")	\
	X(bad_al_code,	"anomalies: AL status codes not in the ETG table")\
	X(pn_frames,	"PROFINET cyclic frames checked")		\
	X(pn_lost,	"PROFINET cyclic frames lost (cycle counter gaps)")\
	X(pn_connects,	"PROFINET IOCRs whose cycle a connect request gave")\
	X(pn_layouts,	"PROFINET IOCRs whose submodule layout is known")\
	X(pn_layout_full, "PROFINET layouts not kept: entries beyond 32")\
	X(pn_alarms,	"PROFINET alarm notifications")			\
	X(bad_alarm,	"anomalies: alarms whose lengths do not fit")	\
	X(pn_full,	"PROFINET senders not tracked: table full")	\
	X(masters_full,	"masters not tracked: table full")		\
	X(slaves_full,	"slaves not tracked: table full")		\
	X(topo_checks,	"expected topology comparisons")		\
	X(cyclic_full,	"cyclic datagrams not tracked: table full")	\
	X(links_full,	"links without trends: table full")		\
	X(ports_full,	"capture ports without load: table full")	\
	X(seeds,	"trend samples reseeded from the history")

struct diag_counters {
#define DIAG_X_FIELD(n, d) uint64_t n;
	DIAG_COUNTERS(DIAG_X_FIELD)
#undef DIAG_X_FIELD
};

struct diag;
struct model;
struct decoded;
struct json_t;

/* al, m may be NULL (then findings only go to the sink, named by
 * station address). */
struct diag *diag_new(struct alerts *al, struct model *m,
		      const struct diag_opts *o);
void diag_free(struct diag *dg);
/* New options (SIGHUP); what was learnt stays. */
void diag_set_opts(struct diag *dg, const struct diag_opts *o);
/* Every finding also goes to fn (offline printing, tests). */
void diag_set_sink(struct diag *dg, diag_sink_fn fn, void *arg);

/* One decoded frame (frame_no: 1-based in a file, 0 live). */
void diag_frame(struct diag *dg, const struct decoded *d, uint64_t ts_ns,
		uint64_t frame_no);

void diag_get_counters(const struct diag *dg, struct diag_counters *out);

/*
 * One sample of an indicator's trend from the stored history (before the
 * first frame: iiotd's start), so a restart does not forget a slow
 * degradation.  key: the series' key (linkhist.h: a link's, or a slave's
 * from diag_slave_key), metric: its LH_* or LHS_* metric; avg and
 * count: the stored minute's (store_point).  -1 when out of memory
 * or not an indicator that has a trend.
 */
int diag_seed(struct diag *dg, const char *key, unsigned int metric,
	      bool slave, uint64_t ts_ns, double avg, uint64_t count);

/* "ecatslave:MAC:0xSTATION", the key of a slave's series */
void diag_slave_key(const uint8_t master[6], uint16_t station, char *buf,
		    size_t len);

/*
 * What the history keeps of each slave (linkhist.h): copied out on the
 * capture thread.  Cumulative since iiotd's start; reads counts the
 * reads that fed them, so an idle slave writes no samples.
 */
struct diag_slave_stat {
	uint8_t master[6];
	uint16_t station;
	uint64_t reads;
	uint64_t rx[4];			/* own errors per port */
	uint64_t lost_links;		/* all ports */
	int64_t dc_diff;		/* last read, ns */
	bool dc_known;
};
/* Up to max slaves into out; how many. */
size_t diag_slave_stats(const struct diag *dg, struct diag_slave_stat *out,
			size_t max);

/*
 * Network load per capture port (diag_load.c): one frame of wire_len
 * bytes seen on line (the capture ring's name, the file offline) at
 * ts_ns.  Call before diag_frame; O(ports) string compares, no
 * allocation.
 */
void diag_load(struct diag *dg, const char *line, uint32_t wire_len,
	       uint64_t ts_ns);

#define DIAG_PORT_NAME	32
enum diag_load_grade { DIAG_LOAD_FINE, DIAG_LOAD_CHECK, DIAG_LOAD_REDUCE };
struct diag_port_stat {
	char name[DIAG_PORT_NAME];
	uint32_t speed_mbps;
	bool speed_from_if;		/* the interface said, not the config */
	uint64_t frames, bytes;		/* wire bytes, overhead included */
	double bytes_per_ms;		/* the last whole second's */
	double load_pct, peak_pct;	/* the last second's, the highest */
	uint8_t grade;			/* enum diag_load_grade, as raised */
	bool measured;			/* a whole second was seen */
};
/* Up to max ports into out; how many. */
size_t diag_port_stats(const struct diag *dg, struct diag_port_stat *out,
		       size_t max);
const char *diag_load_grade_name(unsigned int grade);
/* {"port":..,"speed_mbps":..,"bytes_per_ms":..,"load_pct":..,
 *  "peak_pct":..,"grade":..,"score":..,"reasons":[..]} */
struct json_t *diag_port_json(const struct diag_port_stat *p);

/*
 * The expected EtherCAT topology of the imported ENIs (diag_topo.c,
 * docs/diagnostics.md "Expected slaves"): each slave in line order.
 * Compared once a second of frame time with what the wire shows:
 * ecat.slave.missing, ecat.slave.unexpected.
 */
#define DIAG_EXPECT_MAX	4096	/* expected slaves, all ENIs together */
struct diag_expect {
	uint8_t master[6];		/* the ENI's master */
	bool any_master;		/* the ENI names none: the only master */
	uint16_t pos;			/* in its ENI's line, 0 first */
	uint16_t station;		/* PhysAddr */
	uint32_t vendor, product, revision;
	char name[48];			/* the slave's name in the ENI */
};
/* Replaces the expected slaves (copied); -1 out of memory or too many. */
int diag_set_expected(struct diag *dg, const struct diag_expect *e,
		      size_t n);
struct desc;
/* An ENI's slaves (desc.h) appended to out, at most max; how many. */
size_t diag_expect_desc(const struct desc *x, struct diag_expect *out,
			size_t max);
/* Expected vs seen, one object per expected slave (state "present",
 * "missing", "unexpected" or "unknown"); on the capture thread. */
struct json_t *diag_expected_json(struct diag *dg);

/* The ETG.1020 text of an AL status code; NULL when it is not one. */
const char *diag_al_code_text(uint16_t code);

/* The finding as "iiotctl diagnose" prints it. */
struct json_t *diag_finding_json(const struct diag_finding *f);
/* {"metric":..,"intercept":..,"slope_per_min":..,"cross_ns":..,...} */
struct json_t *diag_fit_json(const struct diag_fit *x);

#endif
