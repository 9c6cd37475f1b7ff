/*
 * The simulation engine: a timeline of events (EtherCAT master steps,
 * PROFINET device cycles, controller start-up, fault events) that emit
 * frames into a time-ordered output queue, drained through a sink.
 * Times inside the engine are ns since the start of the run.
 */
#ifndef SIM_ENGINE_H
#define SIM_ENGINE_H

#include <stdbool.h>
#include <stdint.h>

#include "frames.h"
#include "scenario.h"

/* Where frames go: a capture file, a ring, an interface. */
struct sim_sink {
	int (*emit)(void *ctx, uint64_t ts_ns, const uint8_t *frame,
		    uint32_t len);
	void *ctx;
};

enum ev_kind { EV_MASTER, EV_DEVICE, EV_CTRL, EV_FAULT, EV_ATTACK, EV_LLDP };

struct sim_event {
	uint64_t t;
	uint32_t kind;
	uint32_t idx;
};

struct sim_qframe {
	uint64_t ts;
	uint64_t seq;
	uint32_t len;
	int32_t attack;		/* the attack that sent it, or -1 */
	uint8_t data[SIM_FRAME_MAX + 8];	/* room for two VLAN tags */
};

/* What an attack put on the wire: its ground truth (docs/sim.md). */
struct attack_state {
	uint32_t done;		/* occurrences so far */
	uint64_t frames;	/* frames emitted */
	uint64_t first_ts, last_ts;	/* CLOCK_REALTIME ns of those */
	uint64_t first_no;	/* frame number of the first, 1-based */
	uint32_t xid;
	uint16_t station;	/* ecat-station-write: the slave's address */
	uint64_t ar_lost_ts;	/* CLOCK_REALTIME ns of the broken AR's last
				 * cyclic frame; 0 none */
	uint32_t ar_device;	/* the device whose AR it broke */
};

enum master_phase {
	PH_BRD, PH_STATION, PH_SII, PH_PREOP, PH_PREOP_CHECK, PH_SDO,
	PH_SAFEOP, PH_SAFEOP_CHECK, PH_OP, PH_OP_CHECK, PH_CYCLIC,
};

struct master_state {
	enum master_phase phase;
	uint32_t step;		/* progress inside the phase */
	uint64_t cycles;
	uint32_t diag_rounds;
	uint32_t mbox_slave;	/* next slave for a CoE upload */
	uint8_t dg_idx;		/* datagram index, as masters count them */
	uint8_t mbox_cnt;	/* mailbox counter 1..7 */
	uint8_t *image;		/* process image: per slave outputs, inputs */
	bool counters;		/* reads ESC error counters (rx-errors) */
	bool al_codes;		/* reads AL status codes too (al-error) */
	bool dc_drift;		/* a dc-drift fault on one of its slaves */
	uint32_t dc_every;	/* cycles between 0x092C reads; 0 off */
	uint64_t counted_ns;	/* error counters advanced up to here */
	int32_t sig_head;	/* signals on this master's slaves */
};

struct device_state {
	uint64_t cycles;
	/* a DCP Set (rename, reset to factory) broke the AR at broken_ns */
	bool broken, polling;
	uint64_t broken_ns, last_out_ns;
	uint32_t broken_by;	/* the attack */
	uint16_t alarm_seq, ack_seq;
	uint8_t *in, *out;
	int32_t sig_head;
};

struct sim_engine {
	const struct sim_scenario *sc;
	struct sim_device *dev;		/* devices: DCP Set may rename them */
	struct master_state *ms;
	struct device_state *ds;
	struct attack_state *as;	/* per scenario attack */
	uint64_t frame_base;		/* frames of earlier passes */
	int32_t *sig_next;		/* signal lists per target */
	double *rx_err;			/* per slave x port: own RX errors */
	double *fwd_err;		/* per slave x port: forwarded ones */
	/* per slave: the AL status a foreign AL control write left it in
	 * (0: the state its master runs it in), and its AL status code */
	uint16_t *al_forced, *al_forced_code;
	uint64_t rng;
	uint64_t t0_ns;			/* CLOCK_REALTIME of time 0 */
	uint64_t now;			/* time of the event being run */
	uint64_t xid;

	struct sim_event *ev;		/* min-heap by t */
	uint32_t nev, cap_ev;
	struct sim_qframe **q;		/* min-heap by (ts, seq) */
	uint32_t nq, cap_q;
	struct sim_qframe **free_q;
	uint32_t nfree;
	uint64_t seq;

	/* counters */
	uint64_t frames, bytes;
	uint64_t dcp_answered, dcp_ignored, dcp_bad;
	uint64_t faults_applied[FAULT_KINDS];
};

struct sim_engine *engine_new(const struct sim_scenario *sc, uint64_t seed,
			      uint64_t t0_ns);
void engine_free(struct sim_engine *e);
/* Time of the next event (UINT64_MAX when none). */
uint64_t engine_next(const struct sim_engine *e);
/* Run the next event; frames due up to its time go to the sink first. */
int engine_step(struct sim_engine *e, const struct sim_sink *sink);
/* Emit queued frames stamped at or before t (UINT64_MAX: all). */
int engine_flush(struct sim_engine *e, uint64_t t,
		 const struct sim_sink *sink);

/*
 * A frame received on a live interface at time now: answer DCP requests
 * for the simulated devices (answers queued at now).  Returns the number
 * of answers queued, 0 when the frame was not for us, -1 when malformed
 * (counted in dcp_bad).
 */
int engine_receive(struct sim_engine *e, uint64_t now, const uint8_t *frame,
		   uint32_t len);

/* Internal, shared by the engine's files */
void engine_schedule(struct sim_engine *e, uint64_t t, enum ev_kind kind,
		     uint32_t idx);
/* A slot for a frame stamped ts; commit it with engine_queue_commit. */
struct sim_qframe *engine_frame(struct sim_engine *e, uint64_t ts);
void engine_queue_commit(struct sim_engine *e, struct sim_qframe *f,
			 uint32_t len);
double engine_rand(struct sim_engine *e);
/* Is a fault of this kind on this target active now and does it hit? */
const struct sim_fault *engine_fault(struct sim_engine *e,
				     enum sim_fault_kind kind,
				     enum sim_target_kind tk, uint32_t idx,
				     bool roll);
bool engine_slave_alive(struct sim_engine *e, uint32_t slave);
/* The al-error fault on this slave now, or NULL (not counted). */
const struct sim_fault *engine_al_error(struct sim_engine *e, uint32_t slave);
bool engine_device_present(const struct sim_engine *e, uint32_t dev);

void ecat_master_step(struct sim_engine *e, uint32_t m);
void pn_device_step(struct sim_engine *e, uint32_t d);
void pn_ctrl_step(struct sim_engine *e, uint32_t c);
void pn_lldp_step(struct sim_engine *e, uint32_t c);
void pn_fault_step(struct sim_engine *e, uint32_t f);
/* Device d accepted a Set that ends its AR (attack a) at time t. */
void pn_device_break(struct sim_engine *e, uint32_t d, uint32_t a,
		     uint64_t t);
void attack_step(struct sim_engine *e, uint32_t a);
/* Commit an attack's frame, 802.1Q-tagged when the attack says so. */
void attack_commit(struct sim_engine *e, uint32_t a, struct sim_qframe *f,
		   uint32_t len, bool tag);
/* Insert an 802.1Q tag after the MACs; returns the new length. */
/*
 * A write of AL control (0x0120) reached slave sl outside its master's
 * start-up: it leaves OP for the state asked, as an ESC does (BOOT from
 * OP is no valid transition: SAFEOP with the error flag, code 0x0011).
 */
void engine_al_write(struct sim_engine *e, uint32_t sl, uint16_t state);
/* the AL status of slave sl: 0x0008 (OP) unless a write changed it */
uint16_t engine_al_status(const struct sim_engine *e, uint32_t sl);

uint32_t frame_tag(uint8_t *buf, uint32_t len, uint16_t vid, uint8_t pcp);
/* the same with another TPID (0x88a8: an 802.1ad service tag) */
uint32_t frame_tag_tpid(uint8_t *buf, uint32_t len, uint16_t tpid,
			uint16_t vid, uint8_t pcp);

/* values.c: write the signals of a list into an input buffer */
void values_apply(struct sim_engine *e, int32_t head, uint8_t *base,
		  bool slave_image);

#endif
