/* hosts.c - host lists: -H, $PD_HOSTS and the hosts file. */
#include "hosts.h"

#include "buf.h"
#include "err.h"
#include "xmalloc.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define NAME_MAX_LEN 255  /* sizeof ((struct pd_host *)0)->name - 1 */
#define SHOW_MAX 64	  /* longest entry quoted whole in a message */
#define LINE_MAX_LEN 4095 /* longest hosts-file line */

/* Whitespace as the C locale has it, without depending on the locale. */
static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

/* Copy s[0..len) into out (SHOW_MAX + 4 bytes) for quoting in a message:
 * long entries are cut with "...", non-printing bytes become '?'. */
static void show(const char *s, size_t len, char *out)
{
	size_t i, n = len > SHOW_MAX ? SHOW_MAX : len;

	for (i = 0; i < n; i++)
		out[i] = s[i] >= 0x20 && s[i] < 0x7f ? s[i] : '?';
	strcpy(out + n, len > n ? "..." : "");
}

/* Fill err with "WHERE: WHAT 'ENTRY'". */
static void bad(char *err, const char *where, const char *what, const char *s, size_t len)
{
	char q[SHOW_MAX + 4];

	show(s, len, q);
	pd_err(err, "%s: %s '%s'", where, what, q);
}

/* A host name or address: 1 to 255 bytes of [A-Za-z0-9._:-]. */
static int valid_name(const char *s, size_t len)
{
	return pd_name_ok(s, len, NAME_MAX_LEN, ".:-");
}

/* A port: 1 to 5 decimal digits, no sign or junk, value 1..65535. */
static int parse_port(const char *s, size_t len, int *port)
{
	size_t i;
	long v = 0;

	if (len < 1 || len > 5)
		return -1;
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	if (v < 1 || v > 65535)
		return -1;
	*port = (int)v;
	return 0;
}

/* The capacity l->v has for l->n entries: 0, then powers of two from 8. */
static int needs_room(int n)
{
	return n == 0 || (n >= 8 && (n & (n - 1)) == 0);
}

/* Append name:port unless already present (same port, name compared
 * without case); -1 with err when the list is full. */
static int add_host(struct pd_hostlist *l, const char *name, size_t len, int port,
		    const char *where, char *err)
{
	struct pd_host *v;
	int i;

	for (i = 0; i < l->n; i++)
		if (l->v[i].port == port && strlen(l->v[i].name) == len &&
		    !strncasecmp(l->v[i].name, name, len))
			return 0;
	if (l->n >= PD_HOSTS_MAX) {
		pd_err(err, "%s: too many hosts (at most %d)", where, PD_HOSTS_MAX);
		return -1;
	}
	if (needs_room(l->n)) {
		v = pd_xrealloc(l->v, (size_t)(l->n ? 2 * l->n : 8) * sizeof *v);
		l->v = v;
	}
	memcpy(l->v[l->n].name, name, len);
	l->v[l->n].name[len] = 0;
	l->v[l->n].port = port;
	l->n++;
	return 0;
}

/* Parse one entry s[0..len): "-", host, host:port, [v6addr], [v6addr]:port,
 * or a bare IPv6 address (two or more colons, default port). */
static int parse_entry(struct pd_hostlist *l, const char *s, size_t len,
		       const char *where, char *err)
{
	const char *name = s, *port = NULL, *close, *colon;
	size_t nlen = len, plen = 0, rest;
	int p = PD_DEFAULT_PORT;

	if (len == 1 && s[0] == '-')
		return 0;
	if (s[0] == '[') {
		if (!(close = memchr(s, ']', len))) {
			bad(err, where, "bad host name", s, len);
			return -1;
		}
		name = s + 1;
		nlen = (size_t)(close - name);
		rest = len - (size_t)(close + 1 - s);
		if (rest) {
			if (close[1] != ':') {
				bad(err, where, "bad host name", s, len);
				return -1;
			}
			port = close + 2;
			plen = rest - 1;
		}
	} else if ((colon = memchr(s, ':', len)) && !memchr(colon + 1, ':', len - (size_t)(colon + 1 - s))) {
		nlen = (size_t)(colon - s);
		port = colon + 1;
		plen = len - nlen - 1;
	}
	if (!valid_name(name, nlen)) {
		bad(err, where, "bad host name", s, len);
		return -1;
	}
	if (port && parse_port(port, plen, &p)) {
		bad(err, where, "bad port in", s, len);
		return -1;
	}
	return add_host(l, name, nlen, p, where, err);
}

/* Parse a list of entries separated by commas (and whitespace when ws is
 * set; otherwise whitespace around an entry is trimmed and inside one is
 * an error).  Empty entries are skipped; on error l is left as it was. */
static int parse_list(struct pd_hostlist *l, const char *spec, const char *where,
		      int ws, char *err)
{
	const char *p = spec, *start, *end;
	int n0 = l->n;

	while (*p) {
		start = p;
		while (*p && *p != ',' && !(ws && is_space(*p)))
			p++;
		end = p;
		if (*p)
			p++;
		while (start < end && is_space(*start))
			start++;
		while (end > start && is_space(end[-1]))
			end--;
		if (start == end)
			continue;
		if (parse_entry(l, start, (size_t)(end - start), where, err)) {
			l->n = n0;
			return -1;
		}
	}
	return 0;
}

int pd_hosts_parse(struct pd_hostlist *l, const char *spec, const char *where, char *err)
{
	if (!spec)
		return 0;
	return parse_list(l, spec, where ? where : "hosts", 1, err);
}

/* Parse the open hosts file f line by line; on error l is left as it was. */
static int parse_file(struct pd_hostlist *l, FILE *f, const char *path, char *err)
{
	char line[LINE_MAX_LEN + 1], where[PD_ERRLEN + 32], *hash;
	int n0 = l->n, rc;
	long lineno = 0;

	while ((rc = pd_read_line(f, line, LINE_MAX_LEN)) != 0) {
		lineno++;
		snprintf(where, sizeof where, "%s:%ld", path, lineno);
		if (rc == -1)
			pd_err(err, "read %s: %s", path, strerror(errno));
		else if (rc == -2)
			pd_err(err, "%s: line too long (at most %d bytes)", where, LINE_MAX_LEN);
		else if (rc == -3)
			pd_err(err, "%s: NUL byte in line (not a text file?)", where);
		if (rc < 0)
			goto fail;
		if ((hash = strchr(line, '#')))
			*hash = 0;
		if (parse_list(l, line, where, 0, err))
			goto fail;
	}
	return 0;
fail:
	l->n = n0;
	return -1;
}

int pd_hosts_file(struct pd_hostlist *l, const char *path, int *found, char *err)
{
	FILE *f;
	int rc;

	if (found)
		*found = 0;
	if (!(f = fopen(path, "re"))) {
		if (errno == ENOENT)
			return 0;
		pd_err(err, "open %s: %s", path, strerror(errno));
		return -1;
	}
	if (found)
		*found = 1;
	rc = parse_file(l, f, path, err);
	fclose(f);
	return rc;
}

void pd_hosts_release(struct pd_hostlist *l)
{
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

char *pd_hosts_spec(const struct pd_hostlist *l)
{
	struct pd_buf b = PD_BUF_INIT;
	int i;

	for (i = 0; i < l->n; i++)
		pd_buf_addf(&b, strchr(l->v[i].name, ':') ? "%s[%s]:%d" : "%s%s:%d", i ? "," : "",
			    l->v[i].name, l->v[i].port);
	return pd_buf_detach(&b, NULL);
}
