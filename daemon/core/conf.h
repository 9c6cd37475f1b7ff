/*
 * iiotd configuration: INI style.
 *
 *	# comment            ; comment
 *	[section]
 *	key = value          (a key may repeat, e.g. "ring = ...")
 *
 * Every entry keeps its line number so that errors name it.  Values may be
 * quoted ("...") to keep leading/trailing blanks or a '#'.  Limits:
 * CONF_MAX_LINE bytes a line, CONF_MAX_ENTRIES entries, names of
 * CONF_MAX_NAME bytes.  Subsystems check their own sections in check_conf
 * with the conf_get_* helpers, which format "FILE:LINE: why" into err.
 */
#ifndef IIOTD_CONF_H
#define IIOTD_CONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CONF_MAX_LINE		4096
#define CONF_MAX_ENTRIES	32768	/* a Modbus point is one (docs/modbus.md) */
#define CONF_MAX_NAME		64
#define CONF_MAX_FILE		(1U << 20)

struct conf_entry {
	const char *section;
	const char *key;
	const char *value;
	int line;
};

struct conf;

/* Parse text (not NUL-terminated); name is used in messages. */
struct conf *conf_parse(const char *text, size_t len, const char *name,
			char *err, size_t errlen);
struct conf *conf_load(const char *path, char *err, size_t errlen);
/* An empty configuration: every key takes its default. */
struct conf *conf_empty(void);
void conf_free(struct conf *c);

const char *conf_name(const struct conf *c);

/* The last value of section.key (later lines win), or NULL. */
const char *conf_get(const struct conf *c, const char *section,
		     const char *key);
const struct conf_entry *conf_find(const struct conf *c, const char *section,
				   const char *key);
/* Iterate every entry of section.key in file order: prev NULL starts. */
const struct conf_entry *conf_next(const struct conf *c, const char *section,
				   const char *key,
				   const struct conf_entry *prev);
/* Every entry in file order (i < conf_count). */
size_t conf_count(const struct conf *c);
const struct conf_entry *conf_at(const struct conf *c, size_t i);
bool conf_has_section(const struct conf *c, const char *section);
/* Every section named PREFIX... (e.g. "modbus.") in file order, once,
 * into secs; their count, max + 1 when there are more than max. */
size_t conf_subsections(const struct conf *c, const char *prefix,
			const char **secs, size_t max);
/* Line of the [section] header, 0 when absent. */
int conf_section_line(const struct conf *c, const char *section);

/*
 * Typed getters: 0 with *out set (def when absent), or -1 with
 * "FILE:LINE: section.key: why" in err.
 */
int conf_get_u64(const struct conf *c, const char *section, const char *key,
		 uint64_t def, uint64_t min, uint64_t max, uint64_t *out,
		 char *err, size_t errlen);
/* Sizes: 4096, 64k, 64K, 16M, 2G (powers of 1024). */
int conf_get_size(const struct conf *c, const char *section, const char *key,
		  uint64_t def, uint64_t min, uint64_t max, uint64_t *out,
		  char *err, size_t errlen);
/* Durations in ms: 250ms, 10s, 5m, 2h, 7d; a bare number is seconds. */
int conf_get_ms(const struct conf *c, const char *section, const char *key,
		uint64_t def, uint64_t min, uint64_t max, uint64_t *out,
		char *err, size_t errlen);
int conf_get_bool(const struct conf *c, const char *section, const char *key,
		  bool def, bool *out, char *err, size_t errlen);
/* Any key of section not in allowed (NULL-terminated) is an error. */
int conf_check_keys(const struct conf *c, const char *section,
		    const char *const *allowed, char *err, size_t errlen);
/* Format "FILE:LINE: " + message for entry e (line 0: no line). */
void conf_errf(const struct conf *c, const struct conf_entry *e, char *err,
	       size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

/* Parse helpers shared with other parsers (signal maps, requests). */
int conf_parse_size(const char *s, uint64_t *out);
int conf_parse_ms(const char *s, uint64_t *out);
int conf_parse_u64(const char *s, uint64_t *out);

#endif
