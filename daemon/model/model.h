/*
 * Models built from traffic alone: the device inventory (EtherCAT masters
 * and slaves, PROFINET controllers and devices), cyclic links with timing
 * statistics, and signals (process values named by a mapping file).
 *
 * Threading: a model belongs to one thread (iiotd's capture thread);
 * readers on other threads read snapshots of it (model_snapshot).
 * Pointers returned by the getters stay valid until the next
 * model_frame()/model_tick().
 *
 * Limits: MODEL_MAX_DEVICES devices, MODEL_MAX_LINKS links and
 * MODEL_MAX_SIGNALS signals; what does not fit is counted
 * (model_counters), never allocated.  A full device table makes room by
 * evicting a device nobody admitted that has nothing hanging on it
 * (model.c, mdev_evict): an offline one first, else the one silent
 * longest; its slot and id go to the new device (MODEL_EV_EVICTED says
 * so first).  Admitted devices are never evicted.
 */
#ifndef IIOTD_MODEL_H
#define IIOTD_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MODEL_MAX_DEVICES	8192
#define MODEL_MAX_LINKS		8192
#define MODEL_MAX_SIGNALS	65536
#define MODEL_NAME_MAX		64	/* display names, station names cut */
#define MODEL_STATION_MAX	241	/* PROFINET NameOfStation + NUL */
#define MODEL_MAX_FRAME_IDS	8
#define MODEL_JITTER_WINDOW	512	/* intervals kept per link */
#define MODEL_LABEL_MAX		80	/* model_device_label + NUL */
#define MODEL_ALIAS_CHARS	64	/* a device's alias: characters */
#define MODEL_ALIAS_MAX		257	/* and bytes of UTF-8 + NUL */
#define MODEL_MAX_ALIASES	MODEL_MAX_DEVICES

enum model_dev_kind {
	MODEL_DEV_UNKNOWN = 0,
	MODEL_DEV_ECAT_MASTER,
	MODEL_DEV_ECAT_SLAVE,
	MODEL_DEV_PN_CONTROLLER,
	MODEL_DEV_PN_DEVICE,
	MODEL_DEV_MODBUS,		/* a Modbus TCP device iiotd polls */
	MODEL_DEV_MQTT,			/* a device publishing to a broker */
	MODEL_DEV_KIND_COUNT
};

/* Lifecycle (DESIGN §2): a new device starts discovered → pending. */
enum model_lifecycle {
	MODEL_LC_DISCOVERED = 0,
	MODEL_LC_PENDING,
	MODEL_LC_COMMISSIONED,
	MODEL_LC_ACTIVE,
	MODEL_LC_MAINTENANCE,
	MODEL_LC_RETIRED,
	MODEL_LC_COUNT
};

/* "ecat-master", "ecat-slave", "pn-controller", "pn-device", "modbus",
 * "mqtt", "unknown" */
const char *model_kind_name(unsigned int kind);
/* "discovered", "pending", ... */
const char *model_lifecycle_name(unsigned int lc);
/* The enum model_lifecycle named name, or -1. */
int model_lifecycle_parse(const char *name);
/*
 * Whether a device may move from one state to the other (staying put is
 * allowed): discovered → pending → commissioned → active ⇄ maintenance →
 * retired (daemon/model/model_lifecycle.c).
 */
bool model_lifecycle_allowed(unsigned int from, unsigned int to);
/* "INIT", "PREOP", "BOOT", "SAFEOP", "OP" (low nibble), "?" otherwise */
const char *model_al_state_name(unsigned int al_state);

/* which identity fields are known */
#define MODEL_HAS_VENDOR	0x0001
#define MODEL_HAS_PRODUCT	0x0002
#define MODEL_HAS_REVISION	0x0004
#define MODEL_HAS_SERIAL	0x0008
#define MODEL_HAS_STATION	0x0010	/* ecat station address */
#define MODEL_HAS_AL		0x0020
#define MODEL_HAS_NAME		0x0040	/* PROFINET station name */
#define MODEL_HAS_IP		0x0080
#define MODEL_HAS_ROLE		0x0100
#define MODEL_HAS_ALIAS		0x0200
#define MODEL_HAS_MAC		0x0400
#define MODEL_HAS_PD		0x0800	/* ecat: sync managers configured */
#define MODEL_HAS_PD_IN_LAD	0x1000	/* ecat: an FMMU maps the inputs */
#define MODEL_HAS_PD_OUT_LAD	0x2000	/* ecat: an FMMU maps the outputs */

struct model_device {
	uint32_t id;			/* stable while iiotd runs, from 1 */
	uint8_t kind;			/* enum model_dev_kind */
	uint8_t lifecycle;		/* enum model_lifecycle */
	bool online;
	uint32_t has;			/* MODEL_HAS_* */
	uint8_t mac[6];			/* masters, PROFINET; slaves: none */
	uint32_t parent;		/* slave → its master's id; else 0 */
	uint64_t first_seen_ns, last_seen_ns;	/* frame timestamps */
	uint64_t frames;		/* frames from/to this device */
	uint64_t errors;		/* wkc errors, AL errors, alarms, bad
					 * data status, anomalies */
	/* EtherCAT slave */
	uint16_t ring_pos;		/* auto-increment position, 0 first */
	uint16_t station_addr;		/* configured station address */
	uint16_t alias;
	uint16_t al_state;		/* AL status register (0x0130) */
	uint16_t al_status_code;	/* 0x0134 */
	uint16_t pd_in, pd_out;		/* process data bytes its master set
					 * up (buffered sync managers) */
	uint32_t pd_in_lad, pd_out_lad;	/* where FMMUs map them */
	uint32_t vendor_id;		/* SII (EtherCAT) or DCP (PROFINET) */
	uint32_t product_code;		/* SII product / DCP device ID */
	uint32_t revision;
	uint32_t serial;
	/* PROFINET */
	char station_name[MODEL_STATION_MAX];
	uint32_t ip, netmask, gateway;	/* host order */
	uint8_t role;			/* DCP device role bits */
	uint8_t nframe_ids;
	uint16_t frame_ids[MODEL_MAX_FRAME_IDS];	/* cyclic, sent by it */
	/* EtherCAT master */
	uint16_t nslaves;		/* slaves seen behind this master */
};

enum model_link_kind {
	MODEL_LINK_ECAT = 1,		/* master's cyclic frames, by LRW/LRD/
					 * LWR logical address */
	MODEL_LINK_PN_RT,		/* PROFINET cyclic, by src + FrameID */
};

struct model_link {
	/* what every frame of the link updates shares the first cache
	 * line (the small fields fill the hole after clock_hw) */
	uint32_t id;
	uint8_t kind;			/* enum model_link_kind */
	uint32_t src;			/* device id of the sender */
	uint32_t dst;			/* device id of the receiver, 0 unknown */
	uint16_t frame_id;		/* PN_RT */
	uint32_t lad;			/* ECAT: logical address of the first
					 * logical datagram */
	uint64_t frames;
	uint64_t first_ns, last_ns;
	bool clock_hw;			/* every stamp from a NIC clock */
	uint8_t data_status;		/* PN: last APDU data status */
	uint16_t cycle_counter;
	uint16_t wkc_expected;		/* ECAT: the usual working counter */
	uint16_t wkc_last;
	uint64_t period_ns;		/* median interval of the window */
	uint64_t jitter_p50_ns, jitter_p99_ns, jitter_max_ns;
					/* |interval - period|, window */
	uint64_t jitter_max_all_ns;	/* since the link was first seen */
	uint64_t wkc_errors;		/* frames whose wkc != expected */
	uint64_t lost;			/* PN: cycle-counter gaps; ECAT: gaps
					 * in the master's datagram index */
	uint64_t data_status_changes;
};

enum sig_type {
	SIG_U8 = 1, SIG_I8, SIG_U16LE, SIG_U16BE, SIG_I16LE, SIG_I16BE,
	SIG_U32LE, SIG_U32BE, SIG_I32LE, SIG_I32BE, SIG_F32LE, SIG_F32BE,
	SIG_BIT,			/* bit (0..7) of the byte at offset */
	SIG_TYPE_COUNT
};

const char *sig_type_name(unsigned int t);
unsigned int sig_type_size(unsigned int t);

struct model_signal {
	uint32_t id;			/* from 1, in mapping-file order */
	char name[MODEL_NAME_MAX];
	char device[MODEL_STATION_MAX];	/* as written in the mapping */
	char unit[16];
	uint8_t type;			/* enum sig_type */
	uint8_t bit;			/* SIG_BIT */
	uint32_t offset;
	double scale, add;
	/* live fields, after the definition (model_signal_at copies up to
	 * dev_id from a table the model thread writes in) */
	uint32_t dev_id;		/* resolved device, 0 until seen */
	uint64_t samples;
	uint64_t last_ns;
	double last;
	int line;			/* in the mapping file */
};

/* Model-wide counters: X(name, "what it counts") */
#define MODEL_COUNTERS(X) \
	X(frames,		"frames fed to the model")		\
	X(ecat_frames,		"EtherCAT frames")			\
	X(pn_frames,		"PROFINET frames")			\
	X(other_frames,		"frames of other protocols")		\
	X(anomalous,		"frames with a decode anomaly")		\
	X(devices_full,		"devices not added: table full")	\
	X(devices_evicted,	"unadmitted devices evicted: table full")\
	X(links_full,		"links not added: table full")		\
	X(keys_full,		"lookup keys not added: out of memory")	\
	X(samples,		"signal samples produced")		\
	X(samples_dropped,	"samples the sink refused")		\
	X(sii_identities,	"SII identity words seen")		\
	X(dcp_frames,		"DCP frames")				\
	X(alarms,		"PROFINET alarms")			\
	X(wkc_errors,		"EtherCAT working counter errors")	\
	X(lost_frames,		"cyclic frames lost (counter gaps)")	\
	X(ecat_unmatched,	"EtherCAT frames back from no known master")\
	X(ecat_unpaired,	"EtherCAT returns whose outgoing copy was missed")\
	X(ecat_unplaced,	"answers from a slave at no provable position")\
	X(ecat_merged,		"slaves found to be one seen otherwise")	\
	X(device_events,	"device history events")		\
	X(lldp_frames,		"LLDP frames")				\
	X(lldp_dropped,		"LLDP ports not kept: table full")

struct model_counters {
#define MODEL_X_FIELD(n, d) uint64_t n;
	MODEL_COUNTERS(MODEL_X_FIELD)
#undef MODEL_X_FIELD
};

struct model_opts {
	uint64_t offline_ns;		/* silent this long → offline; 0: 3 s */
	uint64_t link_timeout_ns;	/* 0: same as offline_ns */
};

/* A sample for the store. */
struct model_sample {
	uint32_t signal;
	uint64_t ts_ns;
	double value;
};

/* Device history events handed to the store. */
enum model_event {
	MODEL_EV_DISCOVERED = 1,
	MODEL_EV_ONLINE,
	MODEL_EV_OFFLINE,
	MODEL_EV_IDENTITY,		/* identity learnt or changed */
	MODEL_EV_AL_STATE,		/* EtherCAT AL state change */
	MODEL_EV_NAME,			/* PROFINET station name/IP change */
	MODEL_EV_ALARM,
	MODEL_EV_LIFECYCLE,
	MODEL_EV_EVICTED,		/* slot and id reused (table full) */
};

const char *model_event_name(unsigned int ev);

struct model_sink {
	/* return false when full: the sample is counted as dropped */
	bool (*sample)(void *arg, const struct model_sample *s);
	void (*device_event)(void *arg, const struct model_device *d,
			     unsigned int ev, const char *detail,
			     uint64_t ts_ns);
	void *arg;
};

struct model;
struct decoded;

struct model *model_new(const struct model_opts *opts);
void model_free(struct model *m);
void model_set_sink(struct model *m, const struct model_sink *sink);
struct sigfeed;
/*
 * Mark each change of a signal's value in f (model/sigfeed.h; NULL: none),
 * on the thread that owns the model.  f is not the model's: it outlives
 * the setting.
 */
void model_set_feed(struct model *m, struct sigfeed *f);

/*
 * Load signal mappings (daemon/model/sigmap.h for the format).  Replaces
 * the current signals; returns 0 or -1 with "FILE:LINE: why" in err.
 */
int model_load_signals(struct model *m, const char *path, char *err,
		       size_t errlen);
int model_parse_signals(struct model *m, const char *text, size_t len,
			const char *name, char *err, size_t errlen);
/*
 * The mapping file (path, or none: NULL) and after it extra's lines (more
 * mapping lines, from device descriptions; NULL: none), but those naming
 * a signal the file has: the hand-written one stays.
 */
int model_load_signals_with(struct model *m, const char *path,
			    const char *extra, char *err, size_t errlen);

/* At most one sample per signal per interval (0: every frame). */
void model_set_sample_interval(struct model *m, uint64_t ns);

/* Feed one decoded frame (flags: IIOT_RECF_*). */
void model_frame(struct model *m, const struct decoded *d, uint64_t ts_ns,
		 uint32_t wire_len, uint16_t flags);
/* Decode and feed raw bytes (offline tools, tests). */
void model_frame_raw(struct model *m, const uint8_t *frame, uint32_t len,
		     uint32_t wire_len, uint64_t ts_ns, uint16_t flags);
/*
 * Online/offline by timeout.  Offline tools tick with the newest frame
 * timestamp (model_last_ts).  The daemon sets the host's CLOCK_MONOTONIC
 * before each batch and each tick (model_set_rx_clock), and silence is
 * measured on it, so replayed captures with old timestamps still count as
 * live and a wall clock step takes no device offline; now_ns (the wall
 * clock) stamps the events.
 */
void model_tick(struct model *m, uint64_t now_ns);
void model_set_rx_clock(struct model *m, uint64_t now_ns);
uint64_t model_last_ts(const struct model *m);
/* "00:11:22:33:44:55" → mac; 0 or -1 */
int model_parse_mac(const char *s, uint8_t mac[6]);

/*
 * A read-only copy for readers on other threads (NULL: out of memory),
 * made by the model's own thread; reuse is a retired copy to refresh in
 * place (cheaper), or NULL.  Before other threads read it, one reader
 * calls model_snapshot_finish (link statistics, carrying "since first
 * seen" maxima over from the previous finished copy, or NULL); from then
 * on every read function is safe on it from any thread at once.  Never
 * feed it frames or ticks; free it with model_snapshot_free.
 */
struct model *model_snapshot(struct model *m, struct model *reuse);
void model_snapshot_finish(struct model *s, const struct model *prev);
void model_snapshot_free(struct model *s);

/* ---- read API -------------------------------------------------------- */
size_t model_device_count(const struct model *m);
/* i-th device in discovery order (i < model_device_count) */
const struct model_device *model_device_at(const struct model *m, size_t i);
const struct model_device *model_device_get(const struct model *m,
					    uint32_t id);
/* "42", a MAC "00:11:22:33:44:55", a station name, or "MAC/POS" */
const struct model_device *model_device_find(const struct model *m,
					     const char *key);
/* The device (master, PROFINET station) with this MAC, or NULL; O(1). */
const struct model_device *model_device_by_mac(const struct model *m,
					       const uint8_t mac[6]);
/* A short stable name: station name, "ecat:<master mac>/<pos>", mac */
void model_device_label(const struct model *m, const struct model_device *d,
			char *buf, size_t len);
/*
 * Aliases, the names people give devices, by label (model_alias.c): they
 * outlive the device (set before it is seen, kept when it goes offline).
 * The alias of label or NULL; of a device, NULL when it has none.
 */
const char *model_alias_get(const struct model *m, const char *label);
const char *model_device_alias(const struct model *m,
			       const struct model_device *d);
/* Set (text "" or NULL: clear) label's alias; -1 when it does not fit
 * (too long, MODEL_MAX_ALIASES held) or out of memory. */
int model_alias_set(struct model *m, const char *label, const char *text);
/* 0 when len bytes of text make an alias: UTF-8, no control characters,
 * at most MODEL_ALIAS_CHARS characters, no outer spaces; else -1 and why. */
int model_alias_check(const char *text, size_t len, char *why, size_t whylen);
/* An EtherCAT slave's product from its SII identity ("Beckhoff EL3064");
 * false when the identity is not known or not one iiot can name. */
bool model_ecat_product_name(const struct model_device *d, char *buf,
			     size_t len);
/* Results of model_set_lifecycle. */
enum model_lc_result {
	MODEL_LC_OK = 0,
	MODEL_LC_NO_DEVICE,
	MODEL_LC_BAD_STATE,		/* not a state's name */
	MODEL_LC_REFUSED,		/* not allowed from the current state */
};
/*
 * Move device id to the state named state, the rules of
 * model_lifecycle_allowed.  A move is recorded in the device's history as
 * "FROM -> TO NOTE" (note may be NULL: who asked, and why).  Returns an
 * enum model_lc_result; when not MODEL_LC_OK, why says what is allowed
 * and nothing changed.
 */
int model_set_lifecycle(struct model *m, uint32_t id, const char *state,
			const char *note, uint64_t now_ns, char *why,
			size_t whylen);

/*
 * Devices and signals from outside the capture (model_ext.c): devices
 * iiotd polls itself (daemon/south, Modbus TCP).  Such a device is named,
 * never evicted, and online or offline only as its poller says (silence
 * does not take it offline).  Its signals follow the mapping file's
 * (their ids after them, renumbered when the mapping changes) and stay
 * across mapping reloads; they are addressed by their index in the
 * external set.
 *
 * The device named name of kind (created, offline, commissioned: it was
 * configured, not found); its id, 0 when the table is full.
 */
uint32_t model_ext_device(struct model *m, unsigned int kind,
			  const char *name, uint32_t ip, uint64_t now_ns);
/* The poller's view: online, and the device's error count; why goes into
 * the history event of a change. */
void model_ext_device_state(struct model *m, uint32_t id, bool online,
			    uint64_t errors, const char *why,
			    uint64_t now_ns);
/* Replace the external signals (name, device, unit, dev_id of defs
 * used); 0 or -1 with err (too many signals, a name already taken). */
int model_ext_signals(struct model *m, const struct model_signal *defs,
		      size_t n, char *err, size_t errlen);
/* Add n external signals after those there are (another subsystem's
 * devices; at run time on the capture thread): their first index in
 * *base.  0 or -1 with err. */
int model_ext_signals_add(struct model *m, const struct model_signal *defs,
			  size_t n, size_t *base, char *err, size_t errlen);
/* external signal idx's id now, 0 when there is none */
uint32_t model_ext_signal_id(const struct model *m, size_t idx);
/* A value of external signal idx, as a captured sample (sink, analytics,
 * store); the model's sample interval does not apply: the poller's scan
 * class is the interval. */
void model_ext_sample(struct model *m, size_t idx, uint64_t ts_ns,
		      double v);

size_t model_link_count(const struct model *m);

/*
 * The neighbour table (model_lldp.c): a station's port as its LLDPDUs
 * describe it, and the station and port across the cable when PROFINET's
 * alias TLV names them.  Ages are frame time: expired once the newest
 * frame is TTL seconds past the last LLDPDU.
 */
#define MODEL_NBR_MAX		4096
#define MODEL_NBR_NAME		MODEL_STATION_MAX
#define MODEL_NBR_PORT		32
struct model_nbr {
	char station[MODEL_NBR_NAME];	/* chassis id (wire_str) */
	char port[MODEL_NBR_PORT];	/* "port-001" */
	char peer_station[MODEL_NBR_NAME];	/* "" when not told */
	char peer_port[MODEL_NBR_PORT];
	uint8_t mac[6];			/* PROFINET chassis MAC, else source */
	bool bridge;			/* bridge capability enabled */
	uint16_t ttl;			/* seconds */
	uint16_t rtc3_status;
	uint32_t ip;			/* management IPv4, host order; 0 */
	uint64_t first_ns, last_ns;	/* frame timestamps */
};
size_t model_nbr_count(const struct model *m);
const struct model_nbr *model_nbr_at(const struct model *m, size_t i);
bool model_nbr_expired(const struct model *m, const struct model_nbr *n);
/* Statistics are computed on each call (percentiles over the window). */
const struct model_link *model_link_at(struct model *m, size_t i);

/*
 * A signal by index or id (NULL: none).  A snapshot keeps no whole
 * signals (it shares their definitions): it assembles one in *tmp and
 * returns tmp; the live model returns its own.  Either way the result is
 * good until tmp or the model changes.
 */
size_t model_signal_count(const struct model *m);
/* Bumped whenever the signal table is replaced: indices change. */
uint64_t model_signal_gen(const struct model *m);
const struct model_signal *model_signal_at(const struct model *m, size_t i,
					   struct model_signal *tmp);
const struct model_signal *model_signal_get(const struct model *m,
					    uint32_t id,
					    struct model_signal *tmp);
/*
 * Less than model_signal_at, for a reader of every signal each time (the
 * edge's scan): the live fields alone into *v (-1: no such signal), and
 * the name, good while the model is (NULL: none).
 */
struct model_sigval {
	uint32_t dev_id;
	uint64_t samples, last_ns;
	double last;
};
int model_signal_val(const struct model *m, size_t i, struct model_sigval *v);
const char *model_signal_name(const struct model *m, size_t i);

void model_get_counters(const struct model *m, struct model_counters *out);
size_t model_devices_online(const struct model *m);

/* Counter names for JSON/metrics, in MODEL_COUNTERS order. */
extern const char *const model_counter_names[];
extern const size_t model_counter_count;

/*
 * JSON (jansson) for iiotctl and the API: one device, every device, every
 * link, signals.  New references; NULL when out of memory.
 */
struct json_t;
struct json_t *model_device_json(struct model *m,
				 const struct model_device *d);
struct json_t *model_devices_json(struct model *m);
struct json_t *model_links_json(struct model *m);
struct json_t *model_signals_json(const struct model *m);
struct json_t *model_counters_json(const struct model *m);

#endif
