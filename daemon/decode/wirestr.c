/*
 * Strings from the wire made safe to show and keep.  A frame can carry any
 * bytes in a station name or a file name: terminal escape sequences, CR/LF
 * that forge lines, bytes that are not UTF-8 (jansson refuses those, and
 * the object they belong to silently loses the key).
 */
#include <stdbool.h>
#include <stdio.h>

#include "decode.h"

size_t wire_utf8_seq(const uint8_t *s, size_t len, uint32_t *cp)
{
	size_t n, i;
	uint32_t c = s[0];

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xc2 && c <= 0xdf)
		n = 2, c &= 0x1f;
	else if (c >= 0xe0 && c <= 0xef)
		n = 3, c &= 0x0f;
	else if (c >= 0xf0 && c <= 0xf4)
		n = 4, c &= 0x07;
	else
		return 0;
	if (len < n)
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (s[i] & 0x3f);
	}
	/* overlong forms, UTF-16 surrogates, beyond Unicode */
	if ((n == 3 && c < 0x800) || (n == 4 && c < 0x10000) ||
	    c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return n;
}

/*
 * Control characters (C0, DEL, C1: U+009B is a CSI on some terminals),
 * and the bidirectional controls and separators that reorder or break
 * what a terminal or a page shows.
 */
static bool printable(uint32_t cp)
{
	if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0))
		return false;
	return !(cp == 0x061c || cp == 0x200e || cp == 0x200f ||
		 (cp >= 0x2028 && cp <= 0x202e) ||
		 (cp >= 0x2066 && cp <= 0x2069));
}

size_t wire_str(char *dst, size_t size, const void *src, size_t len)
{
	const uint8_t *s = src;
	size_t off = 0, i = 0, n, k;
	uint32_t cp;

	if (!size)
		return 0;
	while (i < len) {
		n = wire_utf8_seq(s + i, len - i, &cp);
		if (n && printable(cp)) {
			if (size - off <= n)
				break;
			for (k = 0; k < n; k++)
				dst[off++] = (char)s[i + k];
		} else {
			/* a bad byte alone, a control character whole */
			n = n ? n : 1;
			if (size - off <= 4 * n)
				break;
			for (k = 0; k < n; k++)
				off += (size_t)snprintf(dst + off, size - off,
							"\\x%02x", s[i + k]);
		}
		i += n;
	}
	dst[off] = '\0';
	return off;
}
