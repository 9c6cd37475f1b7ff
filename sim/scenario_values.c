/* Value syntax of scenario files: numbers, times, MACs, IPs, names. */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scenario_parse.h"

int perr(struct parser *p, const char *fmt, ...)
{
	va_list ap;
	int n;

	n = snprintf(p->err, p->errlen, "%s:%u: ", p->fname, p->line);
	if (n < 0 || (size_t)n >= p->errlen)
		return -1;
	va_start(ap, fmt);
	vsnprintf(p->err + n, p->errlen - (size_t)n, fmt, ap);
	va_end(ap);
	return -1;
}

int val_uint(struct parser *p, const char *key, const char *v, uint64_t min,
	     uint64_t max, uint64_t *out)
{
	unsigned long long x;
	char *end;

	errno = 0;
	x = strtoull(v, &end, 0);
	if (errno || end == v || *end || !isdigit((unsigned char)*v) ||
	    x < min || x > max)
		return perr(p, "%s must be a whole number from %llu to %llu, "
			    "not '%s'", key, (unsigned long long)min,
			    (unsigned long long)max, v);
	*out = x;
	return 0;
}

int val_u32(struct parser *p, const char *key, const char *v, uint32_t min,
	    uint32_t max, uint32_t *out)
{
	uint64_t x;

	if (val_uint(p, key, v, min, max, &x))
		return -1;
	*out = (uint32_t)x;
	return 0;
}

int val_u16(struct parser *p, const char *key, const char *v, uint16_t min,
	    uint16_t max, uint16_t *out)
{
	uint64_t x;

	if (val_uint(p, key, v, min, max, &x))
		return -1;
	*out = (uint16_t)x;
	return 0;
}

int val_double(struct parser *p, const char *key, const char *v, double min,
	       double max, double *out)
{
	char *end;
	double x;

	errno = 0;
	x = strtod(v, &end);
	if (errno || end == v || *end || !isfinite(x) || x < min || x > max)
		return perr(p, "%s must be a number from %g to %g, not '%s'",
			    key, min, max, v);
	*out = x;
	return 0;
}

static const struct { const char *unit; double ns; } time_units[] = {
	{ "ns", 1 }, { "us", 1e3 }, { "ms", 1e6 }, { "s", 1e9 },
};

int val_time(struct parser *p, const char *key, const char *v, uint64_t min,
	     uint64_t max, uint64_t *out)
{
	char *end;
	double x;
	size_t i;

	errno = 0;
	x = strtod(v, &end);
	if (errno || end == v || !isfinite(x) || x < 0 || !isdigit((unsigned char)*v))
		goto bad;
	for (i = 0; i < sizeof(time_units) / sizeof(time_units[0]); i++) {
		if (strcmp(end, time_units[i].unit))
			continue;
		x *= time_units[i].ns;
		if (x < (double)min || x > (double)max)
			return perr(p, "%s must be from %llu ns to %llu ns, "
				    "not '%s'", key, (unsigned long long)min,
				    (unsigned long long)max, v);
		*out = (uint64_t)llround(x);
		return 0;
	}
bad:
	return perr(p, "%s must be a time with a unit (ns, us, ms, s), "
		    "such as 1ms, not '%s'", key, v);
}

int val_mac(struct parser *p, const char *key, const char *v, uint8_t mac[6])
{
	unsigned int b[6];
	char tail;
	int i;

	if (strlen(v) != 17 ||
	    sscanf(v, "%2x:%2x:%2x:%2x:%2x:%2x%c", &b[0], &b[1], &b[2], &b[3],
		   &b[4], &b[5], &tail) != 6)
		return perr(p, "%s must be a MAC address like "
			    "00:1b:21:00:00:01, not '%s'", key, v);
	for (i = 0; i < 6; i++)
		mac[i] = (uint8_t)b[i];
	if (mac[0] & 1)
		return perr(p, "%s %s is a multicast address", key, v);
	return 0;
}

int val_ipv4(struct parser *p, const char *key, const char *v, uint32_t *out)
{
	struct in_addr a;

	if (inet_pton(AF_INET, v, &a) != 1)
		return perr(p, "%s must be an IPv4 address, not '%s'", key, v);
	*out = a.s_addr;
	return 0;
}

/*
 * EtherCAT names: letters, digits, '_', '-', '.'.  PROFINET station
 * names follow IEC 61158-6-10: lower case letters, digits, '-' and '.'.
 * Both leave room for the "-N" suffix count = N adds.
 */
int val_name(struct parser *p, const char *key, const char *v, bool station,
	     char *out)
{
	size_t n = strlen(v), i;

	if (n == 0 || n > SIM_NAME_MAX - 6)
		return perr(p, "%s must be 1 to %d characters", key,
			    SIM_NAME_MAX - 6);
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)v[i];

		if (station ? (islower(c) || isdigit(c) || c == '-' ||
			       c == '.')
			    : (isalnum(c) || c == '-' || c == '.' || c == '_'))
			continue;
		return perr(p, "%s '%s': %s", key, v, station ?
			    "a PROFINET station name takes only a-z, 0-9, "
			    "'-' and '.'" :
			    "a name takes only letters, digits, '-', '_', '.'");
	}
	if (station && (v[0] == '-' || v[n - 1] == '-' || v[0] == '.'))
		return perr(p, "%s '%s' must not start or end with '-' or "
			    "start with '.'", key, v);
	memcpy(out, v, n + 1);
	return 0;
}

int val_text(struct parser *p, const char *key, const char *v, char *out,
	     size_t outlen)
{
	size_t n = strlen(v), i;

	if (n == 0 || n >= outlen)
		return perr(p, "%s must be 1 to %zu characters", key,
			    outlen - 1);
	for (i = 0; i < n; i++)
		if (!isprint((unsigned char)v[i]))
			return perr(p, "%s holds a non-printable character",
				    key);
	memcpy(out, v, n + 1);
	return 0;
}

int val_enum(struct parser *p, const char *key, const char *v,
	     const char *const *names, int n, int *out)
{
	char list[256] = "";
	int i;

	for (i = 0; i < n; i++) {
		if (!strcmp(v, names[i])) {
			*out = i;
			return 0;
		}
		snprintf(list + strlen(list), sizeof(list) - strlen(list),
			 "%s%s", i ? ", " : "", names[i]);
	}
	return perr(p, "%s must be one of %s, not '%s'", key, list, v);
}

/* A MAC address plus n, carried through all six bytes. */
void mac_add(uint8_t mac[6], uint32_t n)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < 6; i++)
		v = v << 8 | mac[i];
	v += n;
	for (i = 5; i >= 0; i--, v >>= 8)
		mac[i] = (uint8_t)v;
}

uint32_t ip_add(uint32_t ip_be, uint32_t n)
{
	return htonl(ntohl(ip_be) + n);
}
