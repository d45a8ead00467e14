/* esc.c - make peer-supplied text safe for a log line or a terminal. */
#include "esc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
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
	else if (c == '\t')
		snprintf(out, n, "\\t");
	else if (c == 033)
		snprintf(out, n, "\\e");
	else
		snprintf(out, n, "\\x%02x", c);
}

/* The text that stands for the first of the left bytes at s, as a
 * string in out: the byte itself when it is safe, else its escape (a C1
 * control takes its two bytes).  Returns how many bytes it stands for. */
static size_t esc_next(char out[8], const unsigned char *s, size_t left, int flags)
{
	int c1 = left > 1 && s[0] == 0xc2 && s[1] >= 0x80 && s[1] <= 0x9f;

	if (!c1 && ((s[0] >= 0x20 && s[0] != 0x7f) || (s[0] == '\t' && !(flags & PD_ESC_TAB)) ||
		    (s[0] == '\n' && (flags & PD_ESC_KEEP_NL)))) {
		out[0] = (char)s[0];
		out[1] = 0;
		return 1;
	}
	esc_one(out, 8, c1 ? s[1] : s[0], c1);
	return 1 + (size_t)c1;
}

char *pd_esc_ctl(char *dst, size_t sz, const char *src, int flags)
{
	const unsigned char *s = (const unsigned char *)src;
	size_t o = 0, l, k, left = strlen(src);
	char e[8];

	if (!sz)
		return dst;
	for (; left; s += k, left -= k) {
		k = esc_next(e, s, left, flags);
		l = strlen(e);
		if (o + l >= sz)
			break;
		memcpy(dst + o, e, l);
		o += l;
	}
	dst[o] = 0;
	return dst;
}

void pd_esc_buf(struct pd_buf *b, const void *src, size_t n, int flags)
{
	const unsigned char *s = src;
	size_t k;
	char e[8];

	for (; n; s += k, n -= k) {
		k = esc_next(e, s, n, flags);
		pd_buf_add(b, e, strlen(e));
	}
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
