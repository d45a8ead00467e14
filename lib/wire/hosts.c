/* hosts.c - host lists: -H, $PD_HOSTS and the hosts file. */
#include "hosts.h"

#include "buf.h"
#include "err.h"
#include "proto.h"
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

/* 1 when a and b are the same host: name (ignoring case), port, kind
 * and user. */
static int same_host(const struct pd_host *a, const struct pd_host *b)
{
	return a->port == b->port && a->ssh == b->ssh && !strcasecmp(a->user, b->user) &&
	       !strcasecmp(a->name, b->name);
}

/* Append h unless already present (same_host); -1 with err when the
 * list is full. */
static int add_entry(struct pd_hostlist *l, const struct pd_host *h, const char *where, char *err)
{
	struct pd_host *v;
	int i;

	for (i = 0; i < l->n; i++)
		if (same_host(&l->v[i], h))
			return 0;
	if (l->n >= PD_HOSTS_MAX) {
		pd_err(err, "%s: too many hosts (at most %d)", where, PD_HOSTS_MAX);
		return -1;
	}
	if (needs_room(l->n)) {
		v = pd_xrealloc(l->v, (size_t)(l->n ? 2 * l->n : 8) * sizeof *v);
		l->v = v;
	}
	l->v[l->n++] = *h;
	return 0;
}

/* Split one entry s[0..len): host, host:N, [v6addr], [v6addr]:N, or a
 * bare IPv6 address (two or more colons), into h->name and *n (N, or
 * *n unchanged when none is given; `what` names N in errors: "port"). */
static int split_entry(struct pd_host *h, int *n, const char *s, size_t len, const char *what,
		       const char *where, char *err)
{
	const char *name = s, *port = NULL, *close, *colon;
	size_t nlen = len, plen = 0, rest;
	char msg[32];

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
	if (port && parse_port(port, plen, n)) {
		snprintf(msg, sizeof msg, "bad %s in", what);
		bad(err, where, msg, s, len);
		return -1;
	}
	memcpy(h->name, name, nlen);
	h->name[nlen] = 0;
	return 0;
}

/* Parse one entry s[0..len): "-" (nothing) or a host with an optional
 * port (split_entry). */
static int parse_entry(struct pd_hostlist *l, const char *s, size_t len,
		       const char *where, char *err)
{
	struct pd_host h = {.port = PD_DEFAULT_PORT};

	if (len == 1 && s[0] == '-')
		return 0;
	if (split_entry(&h, &h.port, s, len, "port", where, err))
		return -1;
	return add_entry(l, &h, where, err);
}

/* Parse one ssh entry s[0..len): [user@]host[:slots], the host as in
 * split_entry (brackets for an IPv6 address with slots). */
static int parse_ssh_entry(struct pd_hostlist *l, const char *s, size_t len,
			   const char *where, char *err)
{
	struct pd_host h = {.port = PD_DEFAULT_PORT, .ssh = 1};
	const char *at = memchr(s, '@', len), *host = s;
	size_t ulen, hlen = len;

	if (at) {
		ulen = (size_t)(at - s);
		host = at + 1;
		hlen = len - ulen - 1;
		if (!pd_name_ok(s, ulen, sizeof h.user - 1, "._-") || s[0] == '-') {
			bad(err, where, "bad user in", s, len);
			return -1;
		}
		memcpy(h.user, s, ulen);
	}
	if (!hlen || host[0] == '-') { /* it would reach ssh as an option */
		bad(err, where, "bad host name", s, len);
		return -1;
	}
	if (split_entry(&h, &h.slots, host, hlen, "slots", where, err))
		return -1;
	if (h.name[0] == '-') { /* "[-Fcfg]": an option once the brackets go */
		bad(err, where, "bad host name", s, len);
		return -1;
	}
	if (h.slots > PD_SLOTS_MAX) {
		bad(err, where, "bad slots in", s, len);
		return -1;
	}
	return add_entry(l, &h, where, err);
}

/* Parse a list of entries separated by commas (and whitespace when ws is
 * set; otherwise whitespace around an entry is trimmed and inside one is
 * an error), ssh entries when ssh is set.  Empty entries are skipped; on
 * error l is left as it was. */
static int parse_list(struct pd_hostlist *l, const char *spec, const char *where,
		      int ws, int ssh, char *err)
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
		if ((ssh ? parse_ssh_entry : parse_entry)(l, start, (size_t)(end - start), where, err)) {
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
	return parse_list(l, spec, where ? where : "hosts", 1, 0, err);
}

int pd_hosts_parse_ssh(struct pd_hostlist *l, const char *spec, const char *where, char *err)
{
	if (!spec)
		return 0;
	return parse_list(l, spec, where ? where : "-S", 1, 1, err);
}

int pd_hosts_count_ssh(const struct pd_hostlist *l)
{
	int i, n = 0;

	for (i = 0; i < l->n; i++)
		n += l->v[i].ssh != 0;
	return n;
}

/* The ssh hosts of a hosts-file line "ssh ENTRIES" (leading whitespace
 * allowed): ENTRIES, or NULL for any other line. */
static char *ssh_line(char *line)
{
	while (is_space(*line))
		line++;
	if (strncmp(line, "ssh", 3) || !is_space(line[3]))
		return NULL;
	return line + 4;
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
		if (ssh_line(line) ? parse_list(l, ssh_line(line), where, 0, 1, err)
				   : parse_list(l, line, where, 0, 0, err))
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
