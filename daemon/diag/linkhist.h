/*
 * Link statistics as time series in the store (docs/diagnostics.md,
 * "History"): every cyclic link's period, jitter p50/p99/max, and the
 * frames it lost and (EtherCAT) the wrong working counters since the
 * last sample, written as samples of series the store keeps like
 * signals (raw, 1 s and 1 min rollups, retention).
 *
 * A link's model id lives as long as iiotd; its series must outlive it,
 * so a series is named by what identifies the link on the wire (the
 * sender's MAC and the logical address or FrameID: its key) and its id
 * is LINKHIST_BASE + LINKHIST_METRICS * slot + metric, the slot handed
 * out in order and kept in the store's signal definitions (name: the
 * metric, device: the key), from which linkhist_load puts it back.
 *
 * For one thread (iiotd's event loop); fixed memory.
 */
#ifndef IIOTD_LINKHIST_H
#define IIOTD_LINKHIST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LINKHIST_BASE		0x20000u	/* above any mapped signal (MODEL_MAX_SIGNALS); the
					 * store sorts by id with a counting array */
#define LINKHIST_METRICS	8		/* ids per link */
#define LINKHIST_SLOTS		8192		/* links with series */
#define LINKHIST_KEY_MAX	48

enum linkhist_metric {
	LH_PERIOD = 0,		/* µs */
	LH_JITTER_P50,		/* µs */
	LH_JITTER_P99,
	LH_JITTER_MAX,
	LH_LOST,		/* frames lost since the last sample */
	LH_WKC_ERRORS,		/* EtherCAT: wrong working counters since */
	LH_COUNT
};

/* the series of an EtherCAT slave (key "ecatslave:MAC:0xSTATION") */
enum linkhist_slave_metric {
	LHS_RX_P0 = 0,		/* own RX errors on port 0 since the last
				 * sample; ports 1-3 follow */
	LHS_LOST_LINKS = 4,	/* lost links, all ports, since */
	LHS_DC_DIFF,		/* DC system time difference, ns */
	LHS_COUNT
};

struct linkhist_sink {
	bool (*sample)(void *arg, uint32_t id, uint64_t ts_ns, double v);
	/* a new series: its definition for the store */
	void (*define)(void *arg, uint32_t id, const char *metric,
		       const char *key, const char *unit);
	void *arg;
};

struct linkhist;
struct model;
struct model_link;

struct linkhist *linkhist_new(void);
void linkhist_free(struct linkhist *h);

/* "period_us", "jitter_p99_us", "lost", ...; NULL past LH_COUNT */
const char *linkhist_metric_name(unsigned int metric);
const char *linkhist_metric_unit(unsigned int metric);
/* The metric of series id, or -1 when id is not a link series. */
int linkhist_metric_of(uint32_t id);

/* A definition read back from the store; false when it is not one. */
bool linkhist_load(struct linkhist *h, uint32_t id, const char *metric,
		   const char *key);

/* The link's key: "ecat:MAC:0xLAD" or "pn:MAC:0xFRAMEID"; false when the
 * sender is not known (no MAC) */
bool linkhist_key(struct model *m, const struct model_link *l, char *buf,
		  size_t len);

/*
 * One sample of every link of m (a finished snapshot) that has had frames
 * since the last call, stamped ts_ns; new series are defined through the
 * sink first.  Returns the samples written.
 */
size_t linkhist_sample(struct linkhist *h, struct model *m, uint64_t ts_ns,
		       const struct linkhist_sink *sink);

/* The series id of the link's metric, 0 when it has none yet. */
uint32_t linkhist_series(struct linkhist *h, struct model *m,
			 const struct model_link *l, unsigned int metric);

/* The slave series' names and units ("rx_errors_p0", ...). */
const char *linkhist_slave_metric_name(unsigned int metric);
/* The unit of series id (a link's or a slave's), NULL when it is none
 * of h's. */
const char *linkhist_unit_of(const struct linkhist *h, uint32_t id);
/* Whether key names a slave's series (diag_slave_key). */
bool linkhist_is_slave_key(const char *key);

struct diag_slave_stat;
/*
 * One sample of every slave read since the last call (diag_slave_stats):
 * own RX errors per port and lost links since the last sample, the DC
 * difference when known.  Returns the samples written.
 */
size_t linkhist_sample_slaves(struct linkhist *h,
			      const struct diag_slave_stat *st, size_t n,
			      uint64_t ts_ns, const struct linkhist_sink *sink);
/* The series id of the slave's metric, 0 when it has none yet. */
uint32_t linkhist_slave_series(struct linkhist *h, const uint8_t master[6],
			       uint16_t station, unsigned int metric);

/* Each series slot with its key: cb(arg, key, slave, first id). */
void linkhist_each(const struct linkhist *h,
		   void (*cb)(void *arg, const char *key, bool slave,
			      uint32_t base),
		   void *arg);

/* Counters: links without a series because every slot is taken. */
uint64_t linkhist_full(const struct linkhist *h);

#endif
