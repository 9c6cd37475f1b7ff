/* Inside diag: master, slave and cyclic-datagram tables, the rule files'
 * entry points. */
#ifndef IIOTD_DIAG_INT_H
#define IIOTD_DIAG_INT_H

#include "core/mac48.h"
#include "decode/decode.h"
#include "diag/diag.h"

#define DIAG_MASTERS	8
#define DIAG_SLAVES	1024	/* all masters together, power of two */
#define DIAG_CYCLIC	32	/* cyclic datagrams per master, power of 2 */
#define DIAG_PORTS	4
#define DIAG_PN		2048	/* PROFINET cyclic senders, power of two */
#define DIAG_TREND	16	/* samples a trend fits */
#define DIAG_RATE_NS	60000000000ULL	/* a rate sample spans >= 1 min */
#define DIAG_TOPO_NS	1000000000ULL	/* expected topology compared */
#define DIAG_LINKS	512	/* links with trends, power of two */
#define DIAG_SEEDS	4096	/* trends reseeded from the history */

/* ESC registers diag follows */
#define ESC_AL_STATUS		0x0130
#define ESC_AL_CODE		0x0134
#define ESC_AL_CONTROL		0x0120
#define ESC_ERR_FIRST		0x0300	/* invalid frame / RX error per port */
#define ESC_ERR_FWD		0x0308	/* forwarded RX error per port */
#define ESC_ERR_PU		0x030C	/* ECAT processing unit errors */
#define ESC_ERR_PDI		0x030D
#define ESC_ERR_LOST		0x0310	/* lost link per port */
#define ESC_ERR_END		0x0314
#define ESC_ERR_BYTES		(ESC_ERR_END - ESC_ERR_FIRST)
#define ESC_WD_PD		0x0442	/* watchdog counter process data */
#define ESC_WD_PDI		0x0443
#define ESC_DC_DIFF		0x092C	/* system time difference */
#define ESC_DL_STATUS		0x0110

#define AL_STATE_OP		0x08
#define AL_STATE_MASK		0x0F
#define AL_ERROR		0x10

/* A robust trend: the last DIAG_TREND (t, value) samples of an indicator. */
struct trend {
	uint64_t t[DIAG_TREND];
	double v[DIAG_TREND];
	uint8_t n, pos;
	uint8_t predicted;		/* a prediction is out */
};

struct dslave {
	uint32_t key;			/* (master slot + 1) << 16 | station */
	uint16_t station;
	uint8_t ms;			/* master slot */
	/* AL */
	uint16_t al, al_code;
	uint8_t al_known, code_known;
	uint8_t answered;		/* ever answered an addressed read */
	uint8_t lost;			/* its last addressed read: no answer */
	uint8_t not_op;			/* reported out of OP */
	uint8_t was_op;			/* read in OP once */
	uint8_t op_left_by_master;	/* its master asked for less */
	uint8_t extra;			/* reported: not in its master's ENI */
	uint8_t dl_status;		/* 0x0110, link per port in bits 4-7 */
	uint8_t dl_known;
	/* error counters 0x0300-0x0313 as last read, byte i = reg 0x300+i */
	uint8_t esc[ESC_ERR_BYTES];
	uint32_t esc_have;		/* bit i: esc[i] known */
	uint32_t esc_sat;		/* bit i: reported saturated */
	uint8_t wd[2];
	uint8_t wd_have;
	uint64_t own_total[DIAG_PORTS];	/* own errors since first read */
	uint64_t lost_total;		/* lost links, all ports */
	uint64_t reads;			/* error counter and DC reads */
	uint64_t rx_ns[DIAG_PORTS];	/* last RX error finding per port */
	uint64_t lost_ns[DIAG_PORTS];	/* last lost-link finding per port */
	struct trend rate[DIAG_PORTS];	/* own errors per second */
	uint64_t rate_t0[DIAG_PORTS];	/* start of the sample being summed */
	uint32_t rate_acc[DIAG_PORTS];	/* own errors since rate_t0 */
	/* DC */
	uint8_t dc_known, dc_bad;
	int64_t dc_diff;		/* ns, signed */
	struct trend dc;		/* |difference|, a minute's mean */
	uint64_t dc_t0;			/* start of the mean being summed */
	double dc_sum;
	uint32_t dc_n;
};

struct dcyc {
	uint64_t key;			/* cmd << 56 | len << 40 | lad; 0 free */
	uint16_t expected, cand, up;
	uint8_t votes, up_votes;
	uint8_t learned;
	uint8_t bad;			/* a mismatch is being reported */
	uint32_t good_run;		/* right counters since the last wrong */
	uint64_t checked, errors;
};

/* A PROFINET cyclic sender: device (or controller) MAC and FrameID,
 * one IOCR of an AR. */
struct dpn {
	uint64_t key;			/* 1 << 63 | mac48 << 16 | frame id */
	uint8_t mac[6];
	uint16_t frame_id;
	uint8_t ds, have_ds;		/* last APDU data status */
	uint8_t lost;			/* reported silent */
	uint8_t frames;			/* intervals seen, up to PN_MIN_FRAMES */
	uint64_t last_ts, period;
	/* cycle counter (31.25 us units): the step per frame, from the
	 * connect request (SendClockFactor x ReductionRatio) or learnt */
	uint16_t cc, cc_step, cc_cand;
	uint8_t have_cc, cc_votes;
	uint8_t from_cr;		/* from a connect: 1 watchdog, 2 step */
	uint16_t watchdog;		/* WatchdogFactor of the connect */
	uint64_t cr_period;		/* update time of the connect, ns */
	uint64_t lost_frames;		/* since first seen */
	uint64_t gap_ts;		/* last gap raised or repeated */
	uint16_t layout;		/* dg->lay index + 1, 0 none */
	uint8_t no_primary;		/* reported: backup, no primary AR */
};

/* Where an IOCR's frames carry each submodule's IOPS or IOCS. */
#define DIAG_LAYOUT	256		/* IOCRs with a layout */
struct dsub {
	uint16_t slot, subslot;
	uint16_t pos;			/* status byte in the C_SDU; 0xFFFF:
					 * not known */
	uint8_t iocs;			/* consumer status, else provider */
	uint8_t known, bad;		/* last state seen */
};
struct dlayout {
	uint64_t owner;			/* the dpn's key using it, 0 free */
	uint8_t dev[6];			/* the IO device the submodules are of */
	uint8_t n;
	struct dsub s[DECODE_CM_IO];
};

/* An IOCR of a connect request, until its response names the FrameID. */
#define DIAG_CR		64		/* connects in flight */
struct dcr {
	struct dlayout lay;
	uint8_t ctrl[6], dev[6];
	uint16_t ref, type, frame_id;
	uint16_t step;			/* SendClockFactor x ReductionRatio */
	uint16_t watchdog;
	uint8_t used;
};

/* A cyclic link's trends, fed once a minute from the model's statistics. */
enum { DL_WKC, DL_LOST, DL_JITTER, DL_COUNT };
struct dlink {
	uint32_t id;			/* model link id; 0 free */
	uint64_t frames, lost, wkc;	/* at the last tick */
	struct trend t[DL_COUNT];	/* per minute; jitter p99 in µs */
};

/* A trend from the stored history, waiting for its slave or link. */
struct dseed {
	char key[48];
	uint8_t what;			/* DSEED_* */
	struct trend t;
};
enum { DSEED_LINK_WKC, DSEED_LINK_LOST, DSEED_LINK_JITTER,
       DSEED_PORT0, DSEED_DC = DSEED_PORT0 + DIAG_PORTS, DSEED_COUNT };

/* An outgoing frame waiting for its return (diag_lost.c). */
#define DIAG_INFLIGHT	256
struct dlost {
	uint32_t seq;			/* order sent */
	uint8_t waiting;
	uint8_t cmd, n;			/* first datagram, datagrams */
	uint16_t adp, ado;
	uint64_t frame_no;
};
struct dfifo {
	uint8_t idx;
	uint32_t seq;
};

struct dmaster {
	uint64_t key;			/* mac48(mac) | 1 << 48 when used */
	uint8_t mac[6];			/* U/L bit cleared */
	uint8_t used;
	uint16_t nslaves;		/* learnt from BRD AL status */
	uint16_t cand_n;
	uint8_t n_votes;
	uint8_t n_known;
	uint8_t short_n;		/* reporting fewer slaves */
	uint16_t nslaves_seen;		/* slaves in the table */
	uint16_t wire_n;		/* the last broadcast AL status count */
	uint8_t wire_known;
	struct dcyc cyc[DIAG_CYCLIC];
	/* lost frames */
	struct dlost out[256];		/* by datagram index */
	struct dfifo fifo[DIAG_INFLIGHT];	/* in the order sent */
	uint32_t fifo_head, nfifo, seq;
	uint64_t back, lost, lost_ns;
};

/* An expected slave of an ENI (diag_topo.c) and what was reported. */
struct dexp {
	struct diag_expect e;
	uint8_t missing, unexpected;
};

/* A capture port's load (diag_load.c), summed over a second of frames. */
#define DIAG_PORTS_MAX	16
struct dport {
	struct diag_port_stat st;
	uint64_t t0, acc;		/* the second being summed */
	uint8_t calm;			/* seconds below the raised grade */
};

/*
 * The fields every frame touches come first, together (a few cache
 * lines); the tables follow, of which a frame touches one entry or two.
 */
struct diag {
	/* the frame being inspected */
	const struct decoded *d;
	uint64_t ts, frame_no;
	bool returned;			/* came back through the ring */
	unsigned int cur_ms;
	uint64_t link_tick;		/* the last minute's tick, 0 none */
	uint64_t pn_scan_ts;		/* the last silence scan */
	/* the earliest a cyclic sender can be silent too long: no scan
	 * before it (never above any sender's own deadline) */
	uint64_t pn_due;
	size_t nsl, npn, nlk, nport, nseeds;
	unsigned int cr_next;		/* slot a new IOCR replaces */
	unsigned int lay_next;
	struct alerts *al;
	struct model *m;
	diag_sink_fn sink;
	void *sink_arg;
	struct dseed *seeds;		/* malloc'd at the first diag_seed */
	struct dexp *exp;		/* the ENIs' slaves, malloc'd */
	size_t nexp;
	uint64_t topo_tick;		/* the last comparison, frame time */
	const struct diag_fit *fit;	/* the next finding's fitted line */
	struct diag_counters ctr;
	struct diag_opts o;
	/* pn's index by (MAC, FrameID): the entry + 1, 0 free.  The
	 * entries themselves are packed in the order they came, so a line's
	 * few senders share a few cache lines and a page; hashed straight
	 * into pn they were spread over 180 KB */
	uint16_t pn_slot[DIAG_PN];
	struct dmaster ms[DIAG_MASTERS];
	struct dslave sl[DIAG_SLAVES];
	struct dpn pn[DIAG_PN * 3 / 4];
	struct dcr cr[DIAG_CR];
	struct dlayout lay[DIAG_LAYOUT];
	struct dlink lk[DIAG_LINKS];
	struct dport port[DIAG_PORTS_MAX];
};

/* diag.c */
/* snprintf for messages: a long one is cut, as the alert model cuts */
void diag_fmt(char *buf, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
struct dslave *diag_slave(struct diag *dg, unsigned int ms, uint16_t station,
			  bool add);
/* A finding on slave s (NULL: the master) of the current frame. */
void diag_emit(struct diag *dg, unsigned int rule, const struct dslave *s,
	       int port, bool cleared, const char *detail,
	       const char *evidence);
/* A finding on the PROFINET station with this MAC (key: what on it). */
void diag_emit_dev(struct diag *dg, unsigned int rule, const uint8_t mac[6],
		   uint64_t key, bool cleared, const char *detail,
		   const char *evidence);
/* diag_load.c: a new [diag] port_speed for the ports whose interface
 * does not say */
void diag_load_speed(struct diag *dg);
/* A finding on a capture port (diag_load.c), named by its line. */
void diag_emit_line(struct diag *dg, unsigned int rule, const char *line,
		    unsigned int idx, bool cleared, const char *detail,
		    const char *evidence);
/* One more occurrence of an open finding on a PROFINET station. */
void diag_repeat_dev(struct diag *dg, unsigned int rule, const uint8_t mac[6],
		     uint64_t key);
/* One more occurrence of an open finding: counted in its alert only. */
void diag_repeat(struct diag *dg, unsigned int rule, const struct dslave *s,
		 int port);
/* "slave 3 (0x1003)" or "slave 0x1003" when its position is unknown */
void diag_slave_name(struct diag *dg, const struct dslave *s, char *buf,
		     size_t len);
struct model_device;
/* the model's slave of master ms at ring position pos, or NULL */
const struct model_device *diag_model_at(struct diag *dg, unsigned int ms,
					 int pos);
/* ring position of s from the model, or -1 */
int diag_slave_pos(struct diag *dg, const struct dslave *s);
/* the register bytes [reg, reg + size) in datagram g, or NULL */
const uint8_t *diag_reg(const struct decode_ecat_dgram *g, unsigned int reg,
			unsigned int size);

/*
 * A first occurrence of rule on s (NULL: the master) and port is a
 * finding; later ones while its alert is open (the rule's clear_s, last:
 * the previous one's time) only count in it (true then).
 */
bool diag_again(struct diag *dg, uint64_t *last, unsigned int rule,
		const struct dslave *s, int port);
/* diag_lost.c: the master's frames that never came back */
void diag_lost(struct diag *dg);
/* diag_wkc.c, diag_esc.c, diag_al.c, diag_dc.c */
void diag_wkc(struct diag *dg, const struct decode_ecat_dgram *g);
void diag_wkc_reset(struct diag *dg, unsigned int ms);
void diag_esc(struct diag *dg, const struct decode_ecat_dgram *g);
void diag_al(struct diag *dg, const struct decode_ecat_dgram *g);
void diag_dc(struct diag *dg, const struct decode_ecat_dgram *g);
/* diag_pn.c: PROFINET frames (and the silence check) */
void diag_pn(struct diag *dg);
/* pn_codes.c: texts, NULL when unknown */
const char *diag_channel_error_text(uint16_t code);
const char *diag_alarm_type_text(uint16_t type);

/* diag_topo.c: the ENIs' slaves against the wire, once a second */
void diag_topo(struct diag *dg);
/* the model's slave of master ms with this station address, or NULL */
const struct model_device *diag_model_station(struct diag *dg,
					      unsigned int ms,
					      uint16_t station);

/* diag_link.c: the links' trends, checked once a minute of frame time */
void diag_links(struct diag *dg);
/* diag_seed.c: a new slave takes its seeded trends */
void diag_seed_slave(struct diag *dg, struct dslave *s);
/* the seeded trend of key, or NULL */
const struct trend *diag_seed_get(const struct diag *dg, const char *key,
				  unsigned int what);

/* diag_trend.c: Theil–Sen over the samples */
void trend_add(struct trend *t, uint64_t ts, double v);
struct trend_fit {
	double slope, slope_lo, slope_hi;	/* per second; quartiles */
	double last;			/* fitted value at the last sample */
	double icpt;			/* fitted value at the first (t0) */
	uint64_t t0_ns, span_ns;
	unsigned int n;
};
/* 0 and the fit when there are enough samples, else -1 */
int trend_fit(const struct trend *t, struct trend_fit *f);
/* seconds until the fitted line reaches limit from its last value at
 * slope s; < 0 when it never does */
double trend_eta(const struct trend_fit *f, double slope, double limit);

/* A crossing of limit within the horizon, with its interval (s). */
struct trend_pred {
	struct trend_fit f;
	double eta, eta_lo, eta_hi;
};
/*
 * After a sample: true when t now predicts a crossing of limit within
 * horizon_ns that was not predicted yet (then p says when).  A trend the
 * quartiles of its slopes do not agree rises, or one already over the
 * limit (a diagnosis then, not a prediction), forgets its prediction.
 */
bool trend_predict(struct trend *t, double limit, uint64_t horizon_ns,
		   struct trend_pred *p);
/*
 * The fitted line of p for a finding, in the indicator's unit (scale:
 * its unit per trend unit, a slope's per second becoming per minute too),
 * and " fitted line ... crossing at ..." appended to its evidence ev.
 */
void trend_fit_out(const struct trend_pred *p, double scale, double limit,
		   const char *metric, const char *unit, struct diag_fit *out,
		   char *ev, size_t evlen);
/* A finding that carries fit (diag_emit*, then forgotten). */
void diag_emit_fit(struct diag *dg, const struct diag_fit *fit);

#endif
