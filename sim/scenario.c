/*
 * Scenario files: "[section name]" headers and "key = value" lines,
 * '#' comments.  Strict: anything not understood is an error naming
 * the file and line.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "scenario_parse.h"

static const struct {
	const char *name;
	enum section sect;
	bool named;		/* the header may carry a name */
	bool station;		/* ... and it is a PROFINET station name */
} sections[] = {
	{ "scenario", SECT_SCENARIO, false, false },
	{ "ethercat-master", SECT_MASTER, true, false },
	{ "ethercat-slave", SECT_SLAVE, true, false },
	{ "profinet-controller", SECT_CTRL, true, true },
	{ "profinet-device", SECT_DEVICE, true, true },
	{ "signal", SECT_SIGNAL, false, false },
	{ "fault", SECT_FAULT, false, false },
	{ "attack", SECT_ATTACK, false, false },
	{ "profinet-module", SECT_MODULE, false, false },
};

static char *trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		*--e = '\0';
	return s;
}

static int open_section(struct parser *p, char *s)
{
	char *end = strchr(s, ']'), *kind, *name;
	size_t i;

	if (!end || trim(end + 1)[0])
		return perr(p, "a section header is [kind] or [kind name]");
	*end = '\0';
	kind = trim(s + 1);
	name = kind + strcspn(kind, " \t");
	if (*name)
		*name++ = '\0';
	name = trim(name);
	if (section_finish(p))
		return -1;
	for (i = 0; i < sizeof(sections) / sizeof(sections[0]); i++) {
		if (strcmp(kind, sections[i].name))
			continue;
		p->sect = sections[i].sect;
		p->sect_line = p->line;
		p->sect_name[0] = '\0';
		section_defaults(p);
		if (!*name)
			return 0;
		if (!sections[i].named)
			return perr(p, "[%s] takes no name", kind);
		return val_name(p, "name", name, sections[i].station,
				p->sect_name);
	}
	return perr(p, "unknown section [%s]; known: scenario, "
		    "ethercat-master, ethercat-slave, profinet-controller, "
		    "profinet-device, signal, fault, attack", kind);
}

static int parse_line(struct parser *p, char *s)
{
	char *eq, *key, *val, *c;

	/* comments may hold any text; the rest must be printable ASCII */
	if ((c = strchr(s, '#')))
		*c = '\0';
	for (c = s; *c; c++)
		if (!isprint((unsigned char)*c) && *c != '\t' && *c != '\r')
			return perr(p, "a control or non-ASCII character");
	s = trim(s);
	if (!*s)
		return 0;
	if (*s == '[')
		return open_section(p, s);
	eq = strchr(s, '=');
	if (!eq)
		return perr(p, "expected 'key = value' or '[section]', got "
			    "'%.40s'", s);
	*eq = '\0';
	key = trim(s);
	val = trim(eq + 1);
	if (!*key || strspn(key, "abcdefghijklmnopqrstuvwxyz_") != strlen(key))
		return perr(p, "a key is lower case letters and '_', not "
			    "'%.40s'", key);
	if (!*val)
		return perr(p, "key '%s' has no value", key);
	return section_key(p, key, val);
}

static int check_whole(struct parser *p)
{
	const struct sim_scenario *sc = p->sc;
	uint32_t i;

	/* an attack alone is a scenario: a flood on an empty wire */
	if (!sc->nmasters && !sc->nctrls && !sc->nattacks)
		return perr(p, "no [ethercat-master], [profinet-controller] or "
			    "[attack]: nothing to simulate");
	for (i = 0; i < sc->nmasters; i++)
		if (!sc->masters[i].nslaves)
			return perr(p, "master %s has no slaves",
				    sc->masters[i].name);
	return 0;
}

int scenario_parse(struct sim_scenario *sc, const char *text, size_t len,
		   const char *fname, char *err, size_t errlen)
{
	struct parser p = { .sc = sc, .fname = fname, .err = err,
			    .errlen = errlen };
	char line[SIM_MAX_LINE + 2];
	size_t pos = 0, n;

	memset(sc, 0, sizeof(*sc));
	snprintf(sc->name, sizeof(sc->name), "unnamed");
	if (len > SIM_MAX_FILE) {
		perr(&p, "larger than %u bytes", SIM_MAX_FILE);
		goto fail;
	}
	while (pos < len) {
		p.line++;
		n = 0;
		while (pos + n < len && text[pos + n] != '\n')
			n++;
		if (n > SIM_MAX_LINE) {
			perr(&p, "line longer than %d characters",
			     SIM_MAX_LINE);
			goto fail;
		}
		if (memchr(text + pos, '\0', n)) {
			perr(&p, "a NUL byte");
			goto fail;
		}
		memcpy(line, text + pos, n);
		line[n] = '\0';
		pos += n + 1;
		if (parse_line(&p, line))
			goto fail;
	}
	if (section_finish(&p) || check_whole(&p))
		goto fail;
	return 0;
fail:
	scenario_free(sc);
	return -1;
}

int scenario_load(struct sim_scenario *sc, const char *path, char *err,
		  size_t errlen)
{
	struct stat st;
	ssize_t got;
	char *buf;
	int fd, rc;

	memset(sc, 0, sizeof(*sc));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st)) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	if (!S_ISREG(st.st_mode) || st.st_size > (off_t)SIM_MAX_FILE) {
		snprintf(err, errlen, "%s: not a regular file of at most %u "
			 "bytes", path, SIM_MAX_FILE);
		close(fd);
		return -1;
	}
	buf = malloc((size_t)st.st_size + 1);
	got = buf ? read(fd, buf, (size_t)st.st_size) : -1;
	close(fd);
	if (got != st.st_size) {
		snprintf(err, errlen, "%s: cannot read it", path);
		free(buf);
		return -1;
	}
	rc = scenario_parse(sc, buf, (size_t)got, path, err, errlen);
	free(buf);
	return rc;
}

void scenario_free(struct sim_scenario *sc)
{
	free(sc->masters);
	free(sc->slaves);
	free(sc->ctrls);
	free(sc->devices);
	free(sc->signals);
	free(sc->faults);
	free(sc->attacks);
	free(sc->modules);
	memset(sc, 0, sizeof(*sc));
}
