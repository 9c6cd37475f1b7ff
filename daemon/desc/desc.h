/*
 * Device descriptions (docs/descriptions.md): PROFINET GSDML, EtherCAT ESI
 * and EtherCAT network configurations (ENI), read with libxml2 into one
 * flat form: devices (a GSDML's access points and modules, an ESI's
 * devices, an ENI's slaves), their groups (submodules, PDOs) and the
 * groups' entries (IO data items, PDO entries).
 *
 * Parsing never touches the network, never loads or substitutes entities
 * and refuses any DOCTYPE; a bad file gives "LINE: why" and no result.
 */
#ifndef IIOT_DESC_H
#define IIOT_DESC_H

#include <stddef.h>
#include <stdint.h>

#define DESC_MAX_FILE		(16U << 20)	/* bytes */
#define DESC_MAX_DEVICES	4096
#define DESC_MAX_GROUPS		32768
#define DESC_MAX_ENTRIES	262144
#define DESC_MAX_CMDS		256
#define DESC_NAME_MAX		64
#define DESC_TYPE_MAX		32

enum desc_kind {
	DESC_GSDML = 1,
	DESC_ESI,
	DESC_ENI,
};

enum desc_dir {
	DESC_IN = 1,		/* device → controller/master (TxPdo, Input) */
	DESC_OUT,		/* controller/master → device (RxPdo, Output) */
};

/* a device is a GSDML access point or module, an ESI device, an ENI slave */
enum desc_dev_role {
	DESC_ROLE_DAP = 1,
	DESC_ROLE_MODULE,
	DESC_ROLE_SUBMODULE,	/* GSDML SubmoduleList item */
	DESC_ROLE_DEVICE,
	DESC_ROLE_SLAVE,
};

struct desc_entry {
	char name[DESC_NAME_MAX];
	char type[DESC_TYPE_MAX];	/* as the file says: INT, Float32 */
	char unit[16];			/* when the file gives one */
	uint16_t index;			/* EtherCAT object; 0: padding */
	uint8_t subindex;
	uint32_t bitlen;		/* 0: unknown (GSDML type we lack) */
	int64_t bitoff;			/* in its group; -1: unknown */
};

struct desc_group {
	char name[DESC_NAME_MAX];
	uint8_t dir;			/* enum desc_dir */
	uint8_t assigned;		/* ENI/ESI: has an Sm (in the image) */
	uint32_t index;			/* PDO index, submodule ident */
	uint32_t first, n;		/* entries */
};

struct desc_device {
	char name[DESC_NAME_MAX];	/* ENI: the slave's name */
	char type[DESC_NAME_MAX];	/* ESI Type, GSDML ID */
	uint8_t role;			/* enum desc_dev_role */
	uint32_t vendor_id;
	uint32_t product;		/* ProductCode, ModuleIdentNumber */
	uint32_t revision;
	uint16_t phys_addr;		/* ENI */
	int64_t in_bitstart, out_bitstart;	/* ENI Recv/Send; -1 none */
	uint32_t in_bitlen, out_bitlen;
	uint32_t first, n;		/* groups */
	int line;
};

/* an ENI cyclic logical command: image bytes ↔ logical addresses */
struct desc_cmd {
	uint8_t cmd;			/* 10 LRD, 11 LWR, 12 LRW */
	uint32_t addr;
	uint32_t len;
	int64_t in_offs, out_offs;	/* -1: none */
};

struct desc {
	uint8_t kind;			/* enum desc_kind */
	char vendor[DESC_NAME_MAX];
	uint32_t vendor_id;
	char name[DESC_NAME_MAX];	/* first device's, for lists */
	char master[18];		/* ENI: the master's MAC, or "" */
	struct desc_device *devs;
	struct desc_group *groups;
	struct desc_entry *ents;
	struct desc_cmd *cmds;
	size_t ndevs, ngroups, nents, ncmds;
};

const char *desc_kind_name(unsigned int kind);
/* "gsdml", "esi", "eni" → kind; 0 unknown */
unsigned int desc_kind_parse(const char *s);

/*
 * Parse a description (the kind from its root element).  Returns NULL
 * with "line N: why" (or a whole-file reason) in err.
 */
struct desc *desc_parse(const char *buf, size_t len, char *err,
			size_t errlen);
void desc_free(struct desc *d);

/*
 * The signal mapping's TYPE for an entry at image bit bit (u8, i16, f32be,
 * bit3; EtherCAT little endian, PROFINET big endian), or NULL when no
 * signal can hold it (padding, strings, a value not on a byte boundary).
 */
const char *desc_sig_token(unsigned int kind, const struct desc_entry *e,
			   uint64_t bit, char *buf, size_t buflen);

/*
 * ENI → signal mapping lines (docs/descriptions.md): one a PDO entry that
 * lies in a cyclic logical command, "ecat" (or ecat:MASTER) at its logical
 * address; padding and types no signal can hold are left out and counted
 * in *skipped.  Returns a malloc'd NUL-terminated text (maybe empty) or
 * NULL (out of memory).
 */
char *desc_eni_sigmap(const struct desc *d, const char *master,
		      size_t *nsig, size_t *skipped);

/*
 * GSDML → mapping lines for a PROFINET station: the modules named in
 * slots (ModuleItem IDs or ident numbers, slot 1 first, "" for an empty
 * slot) in slot order from offset 0, each input data object followed by
 * its IOPS, as a device's input frame carries them (and the simulator's,
 * whose connect request places them so).
 */
char *desc_gsdml_sigmap(const struct desc *d, const char *station,
			const char *const *slots, size_t nslots,
			size_t *nsig, size_t *skipped, char *err,
			size_t errlen);

/*
 * A submodule of a PROFINET connect request (ExpectedSubmoduleBlockReq
 * and the input IOCR's IODataObjects): which GSDML module and submodule
 * sits in its slot and subslot, and where its input data starts in the
 * cyclic frame (FrameOffset, from the first byte after the FrameID).
 */
struct desc_pn_sub {
	uint16_t slot, subslot;
	uint32_t module, submodule;	/* ident numbers */
	uint32_t offset;
};

/*
 * GSDML + connect request → mapping lines: each input DataItem of each
 * submodule at its data object's frame offset, on selector (pn:STATION
 * or pn:MAC@FRAMEID), named STATION.TEXT.  Submodules whose ident
 * numbers this GSDML lacks are counted in *unknown, items no signal can
 * hold in *skipped.  A malloc'd text (maybe empty) or NULL (out of
 * memory).
 */
char *desc_gsdml_cr_sigmap(const struct desc *d, const char *station,
			   const char *selector,
			   const struct desc_pn_sub *subs, size_t nsubs,
			   size_t *nsig, size_t *skipped, size_t *unknown);

#endif
