/*
 * What the devices iiotd talks to share (south.c): a point's or a
 * signal's scale, offset and unit options, and a device named by name or
 * by inventory id.
 */
#ifndef IIOTD_SOUTH_H
#define IIOTD_SOUTH_H

#include <stddef.h>
#include <stdint.h>

/*
 * The option key=v (the key kl bytes) when it is scale= (a number other
 * than 0), offset= (a number) or unit= (less than ulen bytes): 0 with it
 * set, -1 with why, 1 when the key is another.
 */
int south_scale_opt(const char *key, size_t kl, const char *v, double *scale,
		    double *offset, char *unit, size_t ulen, char *why,
		    size_t whylen);
/* A number without trailing text, finite: 0, or -1. */
int south_parse_double(const char *s, double *out);
/*
 * s split at blanks into tok[0..*ntok) (at most maxtok words), in buf:
 * 0, or -1 with why (what: "point", "signal").
 */
int south_words(const char *s, char *buf, size_t buflen, char **tok,
		size_t maxtok, size_t *ntok, const char *what, char *why,
		size_t whylen);
/* key as an inventory id (all digits, not 0), else 0 */
uint32_t south_key_id(const char *key);

#endif
