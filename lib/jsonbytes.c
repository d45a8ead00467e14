/* jsonbytes.c - arbitrary bytes in JSON strings, and back, losslessly. */
#include "jsonbytes.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Length of the valid UTF-8 sequence at s (at most n bytes), 0 if none:
 * no overlong forms, no surrogates, nothing past U+10FFFF. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	unsigned c = s[0], cp;
	size_t len, i;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		len = 2, cp = c & 0x1f;
	else if (c >= 0xe0 && c <= 0xef)
		len = 3, cp = c & 0x0f;
	else if (c >= 0xf0 && c <= 0xf4)
		len = 4, cp = c & 0x07;
	else
		return 0;
	if (n < len)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

void pd_json_quote(struct pd_buf *b, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + n;
	size_t k;

	pd_buf_addc(b, '"');
	while (p < end) {
		if (*p == '"' || *p == '\\') {
			pd_buf_addc(b, '\\');
			pd_buf_addc(b, (char)*p++);
		} else if (*p == '\n') {
			pd_buf_add(b, "\\n", 2), p++;
		} else if (*p == '\t') {
			pd_buf_add(b, "\\t", 2), p++;
		} else if (*p == '\r') {
			pd_buf_add(b, "\\r", 2), p++;
		} else if (*p < 0x20) {
			pd_buf_addf(b, "\\u%04x", *p++);
		} else if ((k = utf8_len(p, (size_t)(end - p))) > 0) {
			pd_buf_add(b, (const char *)p, k);
			p += k;
		} else {
			pd_buf_addf(b, "\\udc%02x", *p++);
		}
	}
	pd_buf_addc(b, '"');
}

/* Value of 4 hex digits at p, or -1. */
static long hex4(const char *p, const char *end)
{
	long v = 0;
	int i;

	if (end - p < 4)
		return -1;
	for (i = 0; i < 4; i++) {
		char c = p[i];
		v = v << 4 | (c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 :
			      c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1000);
		if (v < 0)
			return -1;
	}
	return v;
}

/* Append code point cp as UTF-8. */
static void put_utf8(struct pd_buf *out, unsigned long cp)
{
	char u[4];

	if (cp < 0x80) {
		pd_buf_addc(out, (char)cp);
	} else if (cp < 0x800) {
		u[0] = (char)(0xc0 | cp >> 6), u[1] = (char)(0x80 | (cp & 0x3f));
		pd_buf_add(out, u, 2);
	} else if (cp < 0x10000) {
		u[0] = (char)(0xe0 | cp >> 12), u[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		u[2] = (char)(0x80 | (cp & 0x3f));
		pd_buf_add(out, u, 3);
	} else {
		u[0] = (char)(0xf0 | cp >> 18), u[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
		u[2] = (char)(0x80 | ((cp >> 6) & 0x3f)), u[3] = (char)(0x80 | (cp & 0x3f));
		pd_buf_add(out, u, 4);
	}
}

/* Decode the \uXXXX escape at p (after the backslash and 'u'); the
 * pointer past it, or NULL. */
static const char *unicode_escape(const char *p, const char *end, struct pd_buf *out)
{
	long cp = hex4(p, end), lo;

	if (cp < 0)
		return NULL;
	p += 4;
	if (cp >= 0xdc80 && cp <= 0xdcff) { /* an escaped raw byte */
		pd_buf_addc(out, (char)(cp - 0xdc00));
		return p;
	}
	if (cp >= 0xd800 && cp <= 0xdbff && end - p >= 6 && p[0] == '\\' && p[1] == 'u' &&
	    (lo = hex4(p + 2, end)) >= 0xdc00 && lo <= 0xdfff) {
		put_utf8(out, 0x10000 + ((unsigned long)(cp - 0xd800) << 10) + (unsigned long)(lo - 0xdc00));
		return p + 6;
	}
	if (cp >= 0xd800 && cp <= 0xdfff)
		return NULL;
	put_utf8(out, (unsigned long)cp);
	return p;
}

const char *pd_json_unquote(const char *p, const char *end, struct pd_buf *out)
{
	static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
	const char *e;

	if (p >= end || *p++ != '"')
		return NULL;
	while (p < end && *p != '"') {
		if (*p != '\\') {
			pd_buf_addc(out, *p++);
			continue;
		}
		if (++p >= end)
			return NULL;
		if (*p == 'u') {
			p = unicode_escape(p + 1, end, out);
			if (!p)
				return NULL;
		} else if ((e = memchr(from, *p, sizeof from - 1))) {
			pd_buf_addc(out, to[e - from]);
			p++;
		} else {
			return NULL;
		}
	}
	return p < end ? p + 1 : NULL;
}

/* Skip blanks. */
static const char *skip_ws(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
		p++;
	return p;
}

/* The end of the string token at p (past its closing quote), or NULL. */
static const char *string_end(const char *p, const char *end)
{
	for (p++; p < end; p++) {
		if (*p == '\\')
			p++;
		else if (*p == '"')
			return p + 1;
	}
	return NULL;
}

int pd_json_flat_get(const char *line, size_t n, const char *key, const char **val, size_t *vlen)
{
	const char *p = skip_ws(line, line + n), *end = line + n, *k, *ke, *v;
	size_t klen = strlen(key);

	if (p >= end || *p++ != '{')
		return -1;
	for (;;) {
		p = skip_ws(p, end);
		if (p >= end || *p != '"' || !(ke = string_end(p, end)))
			return -1;
		k = p;
		p = skip_ws(ke, end);
		if (p >= end || *p++ != ':')
			return -1;
		v = p = skip_ws(p, end);
		if (p < end && *p == '"')
			p = string_end(p, end);
		else
			while (p < end && *p != ',' && *p != '}' && *p != ' ')
				p++;
		if (!p || p == v)
			return -1;
		if ((size_t)(ke - k) == klen + 2 && !memcmp(k + 1, key, klen)) {
			*val = v;
			*vlen = (size_t)(p - v);
			return 0;
		}
		p = skip_ws(p, end);
		if (p >= end || *p != ',')
			return -1;
		p++;
	}
}

double pd_json_flat_num(const char *line, size_t n, const char *key)
{
	const char *v;
	size_t len;
	char tmp[64], *end;
	double d;

	if (pd_json_flat_get(line, n, key, &v, &len) || len >= sizeof tmp || *v == '"')
		return NAN;
	memcpy(tmp, v, len);
	tmp[len] = 0;
	d = strtod(tmp, &end);
	return *end ? NAN : d;
}

int pd_json_flat_str(const char *line, size_t n, const char *key, struct pd_buf *out)
{
	const char *v;
	size_t len;

	pd_buf_reset(out);
	if (pd_json_flat_get(line, n, key, &v, &len) || *v != '"')
		return -1;
	return pd_json_unquote(v, v + len, out) ? 0 : -1;
}
