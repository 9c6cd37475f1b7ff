/* Shared by the devices iiotd talks to (south.h). */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "south/south.h"

int south_parse_double(const char *s, double *out)
{
	char *end;

	errno = 0;
	*out = strtod(s, &end);
	return errno || end == s || *end || !isfinite(*out) ? -1 : 0;
}

int south_scale_opt(const char *key, size_t kl, const char *v, double *scale,
		    double *offset, char *unit, size_t ulen, char *why,
		    size_t whylen)
{
	if (kl == 5 && !strncmp(key, "scale", kl)) {
		if (south_parse_double(v, scale) || *scale == 0) {
			snprintf(why, whylen, "scale '%s' is not a number "
				 "other than 0", v);
			return -1;
		}
		return 0;
	}
	if (kl == 6 && !strncmp(key, "offset", kl)) {
		if (south_parse_double(v, offset)) {
			snprintf(why, whylen, "offset '%s' is not a number", v);
			return -1;
		}
		return 0;
	}
	if (kl == 4 && !strncmp(key, "unit", kl)) {
		if (strlen(v) >= ulen) {
			snprintf(why, whylen, "unit longer than %zu bytes",
				 ulen - 1);
			return -1;
		}
		snprintf(unit, ulen, "%s", v);
		return 0;
	}
	return 1;
}

int south_words(const char *s, char *buf, size_t buflen, char **tok,
		size_t maxtok, size_t *ntok, const char *what, char *why,
		size_t whylen)
{
	char *save = NULL, *t;

	*ntok = 0;
	if (strlen(s) >= buflen) {
		snprintf(why, whylen, "%s longer than %zu bytes", what,
			 buflen - 1);
		return -1;
	}
	snprintf(buf, buflen, "%s", s);
	for (t = strtok_r(buf, " \t", &save); t;
	     t = strtok_r(NULL, " \t", &save)) {
		if (*ntok == maxtok) {
			snprintf(why, whylen, "too many words");
			return -1;
		}
		tok[(*ntok)++] = t;
	}
	return 0;
}

uint32_t south_key_id(const char *key)
{
	unsigned long id;
	char *end;

	if (!key || !*key || strspn(key, "0123456789") != strlen(key))
		return 0;
	errno = 0;
	id = strtoul(key, &end, 10);
	return errno || id > UINT32_MAX ? 0 : (uint32_t)id;
}
