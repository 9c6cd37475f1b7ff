/*
 * Scenario model of iiot-sim: the line it simulates (EtherCAT masters and
 * their slaves, PROFINET controllers and their IO devices), the process
 * values the devices report and the faults to inject.  Parsed from the
 * line-based format documented in docs/sim.md.
 */
#ifndef SIM_SCENARIO_H
#define SIM_SCENARIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SIM_NAME_MAX		64	/* names, incl. NUL */
#define SIM_TYPE_MAX		32	/* PROFINET DeviceVendorValue, incl. NUL */
#define SIM_MAX_LINE		512	/* longest scenario line */
#define SIM_MAX_FILE		(4U << 20)
#define SIM_MAX_SLAVES		65535U	/* all masters together */
#define SIM_MAX_SLAVES_PER	1000U
#define SIM_MAX_DEVICES		7000U	/* RT class 1 FrameIDs for two CRs each */
#define SIM_MAX_ENTITIES	4096U	/* masters, controllers, signals, faults */
#define SIM_MAX_COUNT		1000U	/* count = N in one section */
#define SIM_MIN_CYCLE_NS	31250ULL
#define SIM_MAX_CYCLE_NS	1000000000ULL
#define SIM_PN_MIN_DATA		40U	/* RT frames are >= 60 bytes on the wire */
#define SIM_PN_MAX_DATA		1440U
#define SIM_ECAT_MAX_PD		512U	/* process data bytes per slave, each way */
#define SIM_ECAT_MAX_SLAVE_PD	730U	/* inputs + outputs of one slave */
#define SIM_MAX_MODULES		16U	/* [profinet-module]s per device */
#define SIM_PN_GOOD		0x80	/* IOPS/IOCS: data state GOOD */

enum sim_target_kind { TGT_NONE, TGT_MASTER, TGT_SLAVE, TGT_CTRL, TGT_DEVICE };

enum sim_fault_kind {
	FAULT_LOST_FRAMES,	/* replies / cyclic frames missing */
	FAULT_WKC_ERROR,	/* EtherCAT working counter too low */
	FAULT_JITTER,		/* frames late by up to jitter */
	FAULT_SLAVE_DROP,	/* an EtherCAT slave stops answering */
	FAULT_UNKNOWN_DEVICE,	/* an unconfigured PROFINET device appears */
	FAULT_DCP_SET,		/* a stranger sends DCP Set to a device */
	FAULT_RX_ERRORS,	/* a slave port's RX errors rise (a bad cable) */
	FAULT_AL_ERROR,		/* a slave drops to SAFEOP with an AL code */
	FAULT_DC_DRIFT,		/* a slave's DC time difference drifts away */
	FAULT_KINDS
};

/* attacks (docs/sim.md): each has a ground-truth record and a rule */
enum sim_attack_kind {
	ATK_DCP_SET,		/* DCP Set NameOfStation/IP from a stranger */
	ATK_DCP_RESET,		/* DCP Set reset to factory from a stranger */
	ATK_IDENTIFY_FLOOD,	/* DCP Identify All at a high rate */
	ATK_NAME_RESPONDER,	/* a second MAC answers Identify for a name */
	ATK_ARP_PORT_STEALING,	/* ARP with a device's MAC, another IP */
	ATK_ECAT_ROGUE_MASTER,	/* a second EtherCAT master */
	ATK_ECAT_STATION_WRITE,	/* write of the station address 0x0010 */
	ATK_ECAT_AL_CONTROL,	/* write of AL control 0x0120 */
	ATK_ECAT_FOE,		/* FoE firmware download */
	ATK_ECAT_INJECT,	/* returning frames the master never sent */
	ATK_MAC_FLOOD,		/* random source MACs (a switch CAM flood) */
	ATK_KINDS
};

enum sim_shape { SHAPE_SINE, SHAPE_RAMP, SHAPE_COUNTER, SHAPE_DRIFT,
		 SHAPE_MACHINE_STATE, SHAPE_MACHINE_COUNT, SHAPE_MACHINE_REJECT };
/* ground-truth anomalies injected into a value (docs/sim.md) */
enum sim_anomaly { ANOM_NONE, ANOM_STEP, ANOM_STUCK, ANOM_SPIKE, ANOM_DRIFT,
		   ANOM_NOISE };
enum sim_vtype { VT_U8, VT_U16, VT_I16, VT_U32, VT_I32, VT_F32 };

struct sim_master {
	char name[SIM_NAME_MAX];
	uint8_t mac[6];
	bool split;		/* LRD + LWR instead of one LRW */
	uint64_t cycle_ns;
	uint32_t diag_every;	/* cycles between AL status reads; 0 off */
	uint32_t mbox_every;	/* cycles between CoE SDO uploads; 0 off */
	uint32_t dc_every;	/* cycles between DC 0x092C reads; 0 off */
	uint32_t first_slave, nslaves;
	uint32_t image_len;	/* process image bytes (outputs + inputs) */
};

struct sim_slave {
	char name[SIM_NAME_MAX];
	uint32_t master;
	uint16_t position;	/* 0-based place in the chain */
	uint16_t station;	/* configured station address */
	uint32_t vendor, product, revision, serial;
	uint16_t in_len, out_len;
	uint32_t image_off;	/* outputs here, inputs right after */
};

struct sim_ctrl {
	char name[SIM_NAME_MAX];
	uint8_t mac[6];
	uint32_t ip;		/* network byte order */
	uint32_t first_device, ndevices;
};

struct sim_device {
	char name[SIM_NAME_MAX];	/* NameOfStation */
	char type[SIM_TYPE_MAX];	/* DeviceVendorValue */
	uint8_t mac[6];
	uint32_t ip, mask, gateway;	/* network byte order */
	uint16_t vendor_id, device_id;
	uint16_t frame_in, frame_out;	/* device→controller, controller→device */
	uint16_t in_len, out_len;
	uint64_t cycle_ns;
	uint32_t ctrl;
	uint32_t alarm_every;	/* cycles between process alarms; 0 off */
	uint32_t dap_ident;	/* the access point's ident number (slot 0) */
	/* where its modules' IOPS and the IOCS lie in its input frame
	 * ([profinet-module]); the simulator writes them GOOD */
	uint16_t status_pos[SIM_MAX_MODULES + 1];
	uint8_t nstatus;
	bool unknown;		/* not configured: appears through a fault */
};

/*
 * A module of a PROFINET device ([profinet-module]): what the controller's
 * connect request expects in its slot (the GSDML's module and submodule
 * ident numbers) and where its inputs lie in the device's input frame:
 * after those of the device's modules in lower slots, each followed by
 * its IOPS, and the access point's IOCS after the last.
 */
struct sim_pn_module {
	uint32_t device;
	uint16_t slot;			/* 1..0x7fff; 0 is the access point */
	uint32_t ident, sub_ident;	/* ModuleIdentNumber, Submodule... */
	uint16_t in_len, out_len;	/* IO data bytes */
	uint16_t in_off;		/* in the input frame (set at parse) */
};


struct sim_signal {
	enum sim_target_kind target_kind;	/* TGT_SLAVE or TGT_DEVICE */
	uint32_t target;
	uint16_t offset;	/* byte offset in the target's input data */
	enum sim_vtype type;
	enum sim_shape shape;
	double min, max, step;
	uint64_t period_ns;
	double noise;		/* standard deviation of added noise */
	enum sim_anomaly anomaly;
	uint64_t anomaly_at_ns;	/* from the start of the run */
	uint64_t anomaly_for_ns;	/* spike length */
	double anomaly_size;	/* step, spike: offset; drift: per second;
				 * noise: added sigma per second */
	uint32_t every;		/* machine_reject: one part in every N */
};

struct sim_fault {
	enum sim_fault_kind kind;
	enum sim_target_kind target_kind;
	uint32_t target;
	uint64_t at_ns, duration_ns;	/* duration 0: until the end */
	double rate;			/* share of cycles hit, 0..1 */
	uint64_t jitter_ns;
	uint8_t mac[6];			/* the stranger's MAC */
	uint32_t device;		/* FAULT_UNKNOWN_DEVICE: its device */
	char set_name[SIM_NAME_MAX];	/* FAULT_DCP_SET: name it sets */
	double ramp;			/* FAULT_RX_ERRORS: errors/min added to
					 * the rate each minute; FAULT_DC_DRIFT:
					 * ns the difference grows a minute */
	double errors;			/* FAULT_RX_ERRORS: errors/min at once */
	uint16_t port;			/* FAULT_RX_ERRORS: the slave's port */
	uint16_t al_code;		/* FAULT_AL_ERROR: AL status code */
};

struct sim_attack {
	enum sim_attack_kind kind;
	enum sim_target_kind target_kind;
	uint32_t target;
	uint64_t at_ns, duration_ns;	/* duration 0: until count */
	double rate;			/* occurrences per second */
	uint32_t count;			/* occurrences; 0: by duration */
	uint8_t mac[6];			/* the attacker's MAC */
	uint32_t ip;			/* an address it sets or claims (BE) */
	uint16_t value;			/* station address / AL state */
	uint16_t vlan;			/* 802.1Q VID of its frames */
	bool tagged;			/* vlan given: tag its frames */
	uint8_t priority;		/* 802.1Q PCP */
	char set_name[SIM_NAME_MAX];	/* dcp-set: the name it sets */
	char file[SIM_NAME_MAX];	/* ecat-foe: the file name */
	bool dcp;			/* mac-flood: DCP Identify requests,
					 * not TCP SYNs */
};

struct sim_scenario {
	char name[SIM_NAME_MAX];
	uint64_t seed;
	struct sim_master *masters;
	struct sim_slave *slaves;
	struct sim_ctrl *ctrls;
	struct sim_device *devices;
	struct sim_signal *signals;
	struct sim_fault *faults;
	struct sim_attack *attacks;
	struct sim_pn_module *modules;	/* by device, then slot */
	uint32_t nmasters, nslaves, nctrls, ndevices, nsignals, nfaults;
	uint32_t nattacks, nmodules;
	bool pn_tagged;			/* 802.1Q-tag every PROFINET frame */
	uint16_t pn_vlan;
	/* iiot-sim --vlan/--qinq: the run as a trunk port's mirror
	 * delivers it, every frame 802.1Q-tagged, and 802.1ad outside */
	bool all_tagged, qinq;
	uint16_t all_vlan, s_vlan;
};

/*
 * Parse a scenario held in text[0..len).  0 on success; -1 with err set
 * to "FILE:LINE: what is wrong" otherwise (sc is then freed).
 */
int scenario_parse(struct sim_scenario *sc, const char *text, size_t len,
		   const char *fname, char *err, size_t errlen);
int scenario_load(struct sim_scenario *sc, const char *path, char *err,
		  size_t errlen);
void scenario_free(struct sim_scenario *sc);

const char *sim_fault_name(enum sim_fault_kind k);
const char *sim_attack_name(enum sim_attack_kind k);
/* the IDS rule id (daemon/alerts/rules.h) an attack must raise */
const char *sim_attack_rule(enum sim_attack_kind k);

#endif
