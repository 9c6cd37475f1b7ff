/* INI-style configuration parser with line numbers for every entry. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/conf.h"

struct conf {
	char *name;
	struct conf_entry *ents;
	size_t n, cap;
	/* section headers, for messages about a section as a whole */
	struct conf_entry *secs;
	size_t nsecs, capsecs;
	/* every string lives in one arena freed with the conf */
	char **strs;
	size_t nstrs, capstrs;
};

static char *conf_strdup(struct conf *c, const char *s, size_t len)
{
	char *p;

	if (c->nstrs == c->capstrs) {
		size_t cap = c->capstrs ? c->capstrs * 2 : 64;
		char **n = realloc(c->strs, cap * sizeof(*n));

		if (!n)
			return NULL;
		c->strs = n;
		c->capstrs = cap;
	}
	p = malloc(len + 1);
	if (!p)
		return NULL;
	memcpy(p, s, len);
	p[len] = '\0';
	c->strs[c->nstrs++] = p;
	return p;
}

void conf_free(struct conf *c)
{
	size_t i;

	if (!c)
		return;
	for (i = 0; i < c->nstrs; i++)
		free(c->strs[i]);
	free(c->strs);
	free(c->ents);
	free(c->secs);
	free(c->name);
	free(c);
}

struct conf *conf_empty(void)
{
	struct conf *c = calloc(1, sizeof(*c));

	if (c && !(c->name = strdup("(defaults)"))) {
		free(c);
		return NULL;
	}
	return c;
}

const char *conf_name(const struct conf *c)
{
	return c->name;
}

static int push(struct conf_entry **v, size_t *n, size_t *cap,
		const struct conf_entry *e)
{
	if (*n == *cap) {
		size_t nc = *cap ? *cap * 2 : 32;
		struct conf_entry *nv = realloc(*v, nc * sizeof(*nv));

		if (!nv)
			return -1;
		*v = nv;
		*cap = nc;
	}
	(*v)[(*n)++] = *e;
	return 0;
}

static bool name_ok(const char *s, size_t len)
{
	size_t i;

	if (len == 0 || len >= CONF_MAX_NAME)
		return false;
	for (i = 0; i < len; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '_' &&
		    s[i] != '-' && s[i] != '.')
			return false;
	return true;
}

static void trim(const char **s, size_t *len)
{
	while (*len && isspace((unsigned char)**s)) {
		(*s)++;
		(*len)--;
	}
	while (*len && isspace((unsigned char)(*s)[*len - 1]))
		(*len)--;
}

#define PARSE_ERR(...) do {						\
	snprintf(err, errlen, "%s:%d: ", name, lineno);			\
	snprintf(err + strlen(err), errlen - strlen(err), __VA_ARGS__);	\
	goto fail;							\
} while (0)

/* One line: [section], key = value, comment or blank. */
static int parse_line(struct conf *c, const char *s, size_t len,
		      const char **section, const char *name, int lineno,
		      char *err, size_t errlen)
{
	struct conf_entry e = { .line = lineno };
	const char *eq, *k, *v;
	size_t klen, vlen, i;

	trim(&s, &len);
	if (len == 0 || s[0] == '#' || s[0] == ';')
		return 0;
	for (i = 0; i < len; i++)
		if (s[i] == '\0' || (iscntrl((unsigned char)s[i]) &&
				     s[i] != '\t'))
			PARSE_ERR("control character in line");
	if (s[0] == '[') {
		const char *sec;
		size_t slen;

		if (s[len - 1] != ']')
			PARSE_ERR("section header without closing ']'");
		sec = s + 1;
		slen = len - 2;
		trim(&sec, &slen);
		if (!name_ok(sec, slen))
			PARSE_ERR("bad section name '%.*s' (letters, digits, "
				  "'_', '-', '.'; at most %d)", (int)slen, sec,
				  CONF_MAX_NAME - 1);
		*section = conf_strdup(c, sec, slen);
		if (!*section)
			PARSE_ERR("out of memory");
		e.section = *section;
		if (push(&c->secs, &c->nsecs, &c->capsecs, &e))
			PARSE_ERR("out of memory");
		return 0;
	}
	eq = memchr(s, '=', len);
	if (!eq)
		PARSE_ERR("expected 'key = value' or '[section]', got '%.*s'",
			  (int)(len > 40 ? 40 : len), s);
	k = s;
	klen = (size_t)(eq - s);
	trim(&k, &klen);
	if (!*section)
		PARSE_ERR("'%.*s' outside any [section]",
			  (int)(klen > 40 ? 40 : klen), k);
	if (!name_ok(k, klen))
		PARSE_ERR("bad key name '%.*s'", (int)(klen > 40 ? 40 : klen),
			  k);
	v = eq + 1;
	vlen = len - (size_t)(v - s);
	trim(&v, &vlen);
	if (vlen && v[0] == '"') {
		const char *end = memchr(v + 1, '"', vlen - 1);

		if (!end)
			PARSE_ERR("unterminated quote in value of '%.*s'",
				  (int)klen, k);
		for (i = (size_t)(end - v) + 1; i < vlen; i++)
			if (!isspace((unsigned char)v[i])) {
				if (v[i] == '#' || v[i] == ';')
					break;
				PARSE_ERR("text after closing quote");
			}
		vlen = (size_t)(end - v) - 1;
		v++;
	} else {
		/* an unquoted value ends at " #" or " ;" */
		for (i = 1; i < vlen; i++)
			if ((v[i] == '#' || v[i] == ';') &&
			    isspace((unsigned char)v[i - 1])) {
				vlen = i;
				trim(&v, &vlen);
				break;
			}
	}
	if (c->n >= CONF_MAX_ENTRIES)
		PARSE_ERR("too many entries (limit %d)", CONF_MAX_ENTRIES);
	e.section = *section;
	e.key = conf_strdup(c, k, klen);
	e.value = conf_strdup(c, v, vlen);
	if (!e.key || !e.value || push(&c->ents, &c->n, &c->cap, &e))
		PARSE_ERR("out of memory");
	return 0;
fail:
	return -1;
}

struct conf *conf_parse(const char *text, size_t len, const char *name,
			char *err, size_t errlen)
{
	const char *section = NULL, *p = text, *end = text + len, *nl;
	struct conf *c;
	int lineno = 0;

	c = calloc(1, sizeof(*c));
	if (!c || !(c->name = strdup(name))) {
		free(c);
		snprintf(err, errlen, "%s: out of memory", name);
		return NULL;
	}
	while (p < end) {
		size_t l;

		lineno++;
		nl = memchr(p, '\n', (size_t)(end - p));
		l = nl ? (size_t)(nl - p) : (size_t)(end - p);
		if (l >= CONF_MAX_LINE) {
			snprintf(err, errlen, "%s:%d: line longer than %d bytes",
				 name, lineno, CONF_MAX_LINE - 1);
			goto fail;
		}
		if (parse_line(c, p, l, &section, name, lineno, err, errlen))
			goto fail;
		p += l + (nl ? 1 : 0);
	}
	return c;
fail:
	conf_free(c);
	return NULL;
}

struct conf *conf_load(const char *path, char *err, size_t errlen)
{
	struct conf *c = NULL;
	struct stat st;
	char *buf;
	ssize_t n;
	size_t got = 0;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s: not a regular file", path);
		close(fd);
		return NULL;
	}
	if ((uint64_t)st.st_size > CONF_MAX_FILE) {
		snprintf(err, errlen, "%s: larger than %u bytes", path,
			 CONF_MAX_FILE);
		close(fd);
		return NULL;
	}
	buf = malloc((size_t)st.st_size + 1);
	if (!buf) {
		snprintf(err, errlen, "%s: out of memory", path);
		close(fd);
		return NULL;
	}
	while (got < (size_t)st.st_size) {
		n = read(fd, buf + got, (size_t)st.st_size - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	c = conf_parse(buf, got, path, err, errlen);
	free(buf);
	return c;
}

const struct conf_entry *conf_next(const struct conf *c, const char *section,
				   const char *key,
				   const struct conf_entry *prev)
{
	size_t i = prev ? (size_t)(prev - c->ents) + 1 : 0;

	for (; i < c->n; i++)
		if (!strcmp(c->ents[i].section, section) &&
		    !strcmp(c->ents[i].key, key))
			return &c->ents[i];
	return NULL;
}

const struct conf_entry *conf_find(const struct conf *c, const char *section,
				   const char *key)
{
	const struct conf_entry *e = NULL, *last = NULL;

	while ((e = conf_next(c, section, key, e)))
		last = e;
	return last;
}

const char *conf_get(const struct conf *c, const char *section,
		     const char *key)
{
	const struct conf_entry *e = conf_find(c, section, key);

	return e ? e->value : NULL;
}

size_t conf_count(const struct conf *c)
{
	return c->n;
}

const struct conf_entry *conf_at(const struct conf *c, size_t i)
{
	return i < c->n ? &c->ents[i] : NULL;
}

int conf_section_line(const struct conf *c, const char *section)
{
	size_t i;

	for (i = 0; i < c->nsecs; i++)
		if (!strcmp(c->secs[i].section, section))
			return c->secs[i].line;
	return 0;
}

bool conf_has_section(const struct conf *c, const char *section)
{
	return conf_section_line(c, section) != 0;
}

void conf_errf(const struct conf *c, const struct conf_entry *e, char *err,
	       size_t errlen, const char *fmt, ...)
{
	va_list ap;
	size_t l;

	if (e && e->line)
		snprintf(err, errlen, "%s:%d: ", c->name, e->line);
	else
		snprintf(err, errlen, "%s: ", c->name);
	l = strlen(err);
	va_start(ap, fmt);
	vsnprintf(err + l, errlen - l, fmt, ap);
	va_end(ap);
}

int conf_parse_u64(const char *s, uint64_t *out)
{
	unsigned long long v;
	char *end;

	if (!*s || *s == '-' || isspace((unsigned char)*s))
		return -1;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || *end)
		return -1;
	*out = v;
	return 0;
}

/* number + suffix, multiplied with overflow check */
static int parse_suffixed(const char *s, uint64_t *out,
			  const char *const *sfx, const uint64_t *mul,
			  size_t nsfx, uint64_t bare)
{
	unsigned long long v;
	char *end;
	size_t i;

	if (!*s || !isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno)
		return -1;
	if (!*end) {
		if (v > UINT64_MAX / bare)
			return -1;
		*out = v * bare;
		return 0;
	}
	for (i = 0; i < nsfx; i++)
		if (!strcmp(end, sfx[i])) {
			if (mul[i] && v > UINT64_MAX / mul[i])
				return -1;
			*out = v * mul[i];
			return 0;
		}
	return -1;
}

int conf_parse_size(const char *s, uint64_t *out)
{
	static const char *const sfx[] = { "k", "K", "M", "G", "KiB", "MiB",
					   "GiB" };
	static const uint64_t mul[] = { 1ULL << 10, 1ULL << 10, 1ULL << 20,
					1ULL << 30, 1ULL << 10, 1ULL << 20,
					1ULL << 30 };

	return parse_suffixed(s, out, sfx, mul, 7, 1);
}

int conf_parse_ms(const char *s, uint64_t *out)
{
	static const char *const sfx[] = { "ms", "s", "m", "h", "d" };
	static const uint64_t mul[] = { 1, 1000, 60000, 3600000, 86400000 };

	return parse_suffixed(s, out, sfx, mul, 5, 1000);
}

static int get_num(const struct conf *c, const char *section, const char *key,
		   uint64_t def, uint64_t min, uint64_t max, uint64_t *out,
		   char *err, size_t errlen, int (*parse)(const char *, uint64_t *),
		   const char *what)
{
	const struct conf_entry *e = conf_find(c, section, key);
	uint64_t v;

	if (!e) {
		*out = def;
		return 0;
	}
	if (parse(e->value, &v)) {
		conf_errf(c, e, err, errlen, "%s.%s: '%s' is not %s", section,
			  key, e->value, what);
		return -1;
	}
	if (v < min || v > max) {
		conf_errf(c, e, err, errlen,
			  "%s.%s: %s is out of range (%llu..%llu)", section, key,
			  e->value, (unsigned long long)min,
			  (unsigned long long)max);
		return -1;
	}
	*out = v;
	return 0;
}

int conf_get_u64(const struct conf *c, const char *section, const char *key,
		 uint64_t def, uint64_t min, uint64_t max, uint64_t *out,
		 char *err, size_t errlen)
{
	return get_num(c, section, key, def, min, max, out, err, errlen,
		       conf_parse_u64, "a non-negative integer");
}

int conf_get_size(const struct conf *c, const char *section, const char *key,
		  uint64_t def, uint64_t min, uint64_t max, uint64_t *out,
		  char *err, size_t errlen)
{
	return get_num(c, section, key, def, min, max, out, err, errlen,
		       conf_parse_size, "a size (e.g. 4096, 64k, 16M, 2G)");
}

int conf_get_ms(const struct conf *c, const char *section, const char *key,
		uint64_t def, uint64_t min, uint64_t max, uint64_t *out,
		char *err, size_t errlen)
{
	return get_num(c, section, key, def, min, max, out, err, errlen,
		       conf_parse_ms, "a duration (e.g. 250ms, 10s, 5m, 2h, 7d)");
}

int conf_get_bool(const struct conf *c, const char *section, const char *key,
		  bool def, bool *out, char *err, size_t errlen)
{
	const struct conf_entry *e = conf_find(c, section, key);

	if (!e) {
		*out = def;
		return 0;
	}
	if (!strcmp(e->value, "yes") || !strcmp(e->value, "true") ||
	    !strcmp(e->value, "on") || !strcmp(e->value, "1")) {
		*out = true;
		return 0;
	}
	if (!strcmp(e->value, "no") || !strcmp(e->value, "false") ||
	    !strcmp(e->value, "off") || !strcmp(e->value, "0")) {
		*out = false;
		return 0;
	}
	conf_errf(c, e, err, errlen, "%s.%s: '%s' is not yes/no", section, key,
		  e->value);
	return -1;
}

int conf_check_keys(const struct conf *c, const char *section,
		    const char *const *allowed, char *err, size_t errlen)
{
	size_t i, j;

	for (i = 0; i < c->n; i++) {
		if (strcmp(c->ents[i].section, section))
			continue;
		for (j = 0; allowed[j]; j++)
			if (!strcmp(allowed[j], c->ents[i].key))
				break;
		if (!allowed[j]) {
			conf_errf(c, &c->ents[i], err, errlen,
				  "unknown key '%s' in [%s]", c->ents[i].key,
				  section);
			return -1;
		}
	}
	return 0;
}

size_t conf_subsections(const struct conf *c, const char *prefix,
			const char **secs, size_t max)
{
	size_t i, j, n = 0, pl = strlen(prefix);

	for (i = 0; i < conf_count(c); i++) {
		const char *s = conf_at(c, i)->section;

		if (strncmp(s, prefix, pl))
			continue;
		for (j = 0; j < n && strcmp(secs[j], s); j++)
			;
		if (j == n && n < max)
			secs[n++] = s;
		else if (j == n)
			return max + 1;
	}
	return n;
}
