/* Internals shared by the scenario parser's files. */
#ifndef SIM_SCENARIO_PARSE_H
#define SIM_SCENARIO_PARSE_H

#include <stdarg.h>

#include "scenario.h"

enum section {
	SECT_NONE, SECT_SCENARIO, SECT_MASTER, SECT_SLAVE, SECT_CTRL,
	SECT_DEVICE, SECT_SIGNAL, SECT_FAULT, SECT_ATTACK, SECT_MODULE,
};

#define MAX_KEYS_SEEN	32

struct parser {
	struct sim_scenario *sc;
	const char *fname;
	unsigned int line;
	char *err;
	size_t errlen;

	enum section sect;
	unsigned int sect_line;
	char sect_name[SIM_NAME_MAX];
	const char *seen[MAX_KEYS_SEEN];
	char seen_buf[MAX_KEYS_SEEN][24];
	unsigned int nseen;
	uint32_t count;
	bool has_mac, has_ip, has_station, has_frames, has_target, has_parent;
	struct sim_master m;
	struct sim_slave s;
	struct sim_ctrl c;
	struct sim_device d;
	struct sim_signal g;
	struct sim_fault f;
	struct sim_attack a;
	struct sim_pn_module mod;
};

int perr(struct parser *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int val_uint(struct parser *p, const char *key, const char *v, uint64_t min,
	     uint64_t max, uint64_t *out);
int val_u32(struct parser *p, const char *key, const char *v, uint32_t min,
	    uint32_t max, uint32_t *out);
int val_u16(struct parser *p, const char *key, const char *v, uint16_t min,
	    uint16_t max, uint16_t *out);
int val_double(struct parser *p, const char *key, const char *v, double min,
	       double max, double *out);
int val_time(struct parser *p, const char *key, const char *v, uint64_t min,
	     uint64_t max, uint64_t *out);
int val_mac(struct parser *p, const char *key, const char *v,
	    uint8_t mac[6]);
int val_ipv4(struct parser *p, const char *key, const char *v,
	     uint32_t *out);
int val_name(struct parser *p, const char *key, const char *v, bool station,
	     char *out);
int val_text(struct parser *p, const char *key, const char *v, char *out,
	     size_t outlen);
int val_enum(struct parser *p, const char *key, const char *v,
	     const char *const *names, int n, int *out);
void mac_add(uint8_t mac[6], uint32_t n);
uint32_t ip_add(uint32_t ip_be, uint32_t n);

/* scenario_keys.c: one key of the open section; 0 or -1 */
int section_key(struct parser *p, const char *key, const char *val);
/* scenario_attack.c: keys, defaults and entries of [attack] */
int key_attack(struct parser *p, const char *k, const char *v);
void attack_defaults(struct parser *p);
int finish_attack(struct parser *p);
/* Grow an array by one; the new slot is returned zeroed (NULL: error). */
void *parser_grow(struct parser *p, void **arr, uint32_t *n, size_t elem,
		  uint32_t max, const char *what);
#define GROW(p, arr, n, max, what) \
	parser_grow(p, (void **)&(arr), &(n), sizeof(*(arr)), max, what)
bool parser_key_given(const struct parser *p, const char *key);
int parser_find_target(struct parser *p, const char *v,
		       enum sim_target_kind *kind, uint32_t *idx);
/* scenario_build.c: the open section is complete; add it */
int section_finish(struct parser *p);
void section_defaults(struct parser *p);

#endif
