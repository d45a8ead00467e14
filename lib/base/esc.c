/* esc.c - make peer-supplied text safe for a log line or a terminal. */
#include "esc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xmalloc.h"

/* The escape for control byte c (and its UTF-8 C1 form when c1). */
static void esc_one(char *out, size_t n, unsigned char c, int c1)
{
	if (c1)
		snprintf(out, n, "\\u%04x", c);
	else if (c == '\n')
		snprintf(out, n, "\\n");
	else if (c == '\r')
		snprintf(out, n, "\\r");
	else if (c == 033)
		snprintf(out, n, "\\e");
	else
		snprintf(out, n, "\\x%02x", c);
}

char *pd_esc_ctl(char *dst, size_t sz, const char *src, int flags)
{
	const unsigned char *s = (const unsigned char *)src;
	size_t o = 0, l;
	char e[8];
	int c1;

	if (!sz)
		return dst;
	for (; *s; s++) {
		c1 = s[0] == 0xc2 && s[1] >= 0x80 && s[1] <= 0x9f;
		if ((*s >= 0x20 && *s != 0x7f && !c1) || *s == '\t' || (*s == '\n' && (flags & PD_ESC_KEEP_NL))) {
			if (o + 1 >= sz)
				break;
			dst[o++] = (char)*s;
			continue;
		}
		esc_one(e, sizeof e, c1 ? s[1] : *s, c1);
		l = strlen(e);
		if (o + l >= sz)
			break;
		memcpy(dst + o, e, l);
		o += l;
		s += c1;
	}
	dst[o] = 0;
	return dst;
}

char *pd_esc_vfmt(int flags, const char *fmt, va_list ap)
{
	char *raw, *safe;
	size_t n;
	va_list ap2;
	int len;

	va_copy(ap2, ap);
	len = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (len < 0)
		len = 0; /* a bad format: an empty message */
	raw = pd_xmalloc((size_t)len + 1);
	if (vsnprintf(raw, (size_t)len + 1, fmt, ap) < 0)
		raw[0] = 0;
	n = strlen(raw) * 6 + 1; /* the longest escape, \u009f, for 2 bytes */
	safe = pd_xmalloc(n);
	pd_esc_ctl(safe, n, raw, flags);
	free(raw);
	return safe;
}
