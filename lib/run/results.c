/* results.c - each record's output in files of its own (--results DIR). */
#include "results.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "err.h"
#include "fdio.h"
#include "paths.h"
#include "proto.h"

#define NAME_LONG 240 /* longer escaped names are cut ... */
#define NAME_KEEP 200 /* ... to about this, plus "\~" and 16 hex digits */

/* Append byte c, escaped as pd_results_name says. */
static void esc_byte(struct pd_buf *b, unsigned char c)
{
	static const char from[] = "\\/\t\n", to[] = "\\_tn";
	const char *p = c ? strchr(from, c) : NULL;

	if (p) {
		pd_buf_addc(b, '\\');
		pd_buf_addc(b, to[p - from]);
	} else if (c == 0)
		pd_buf_add(b, "\\0", 2);
	else if (c < 0x20 || c == 0x7f)
		pd_buf_addf(b, "\\x%02x", c);
	else
		pd_buf_addc(b, (char)c);
}

/* Append in[0..len) escaped, stopping before the character (not byte)
 * that would take the name past max bytes; 1 when all of it fit. */
static int esc_upto(struct pd_buf *name, const unsigned char *in, size_t len, size_t max)
{
	size_t start = name->len, cut = start, i;

	for (i = 0; i < len; i++) {
		if ((in[i] & 0xc0) != 0x80) /* a character starts here */
			cut = name->len;
		esc_byte(name, in[i]);
		if (name->len - start > max) {
			pd_buf_setlen(name, cut);
			return 0;
		}
	}
	return 1;
}

void pd_results_name(struct pd_buf *name, const char *in, size_t len)
{
	const unsigned char *u = (const unsigned char *)in;
	unsigned char h[8];
	size_t start;
	int i;

	if (len == 0) {
		pd_buf_add(name, "\\e", 2);
		return;
	}
	if ((len == 1 && in[0] == '.') || (len == 2 && in[0] == '.' && in[1] == '.')) {
		pd_buf_adds(name, len == 1 ? "\\." : "\\.\\.");
		return;
	}
	start = name->len;
	if (esc_upto(name, u, len, NAME_LONG))
		return;
	pd_buf_setlen(name, start);
	esc_upto(name, u, len, NAME_KEEP);
	crypto_generichash(h, sizeof h, u, len, NULL, 0);
	pd_buf_add(name, "\\~", 2);
	for (i = 0; i < 8; i++)
		pd_buf_addf(name, "%02x", h[i]);
}

int pd_results_open(struct pd_results *rs, const char *dir, int nul, char *err)
{
	int d;

	rs->fd = -1;
	rs->nul = nul;
	if (pd_mkdirs(dir, 0777, err) < 0)
		return -1;
	d = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (d < 0)
		return pd_err(err, "open %s: %s", dir, strerror(errno)), -1;
	if (mkdirat(d, "1", 0777) < 0 && errno != EEXIST) {
		pd_err(err, "mkdir %s/1: %s", dir, strerror(errno));
		close(d);
		return -1;
	}
	rs->fd = openat(d, "1", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (rs->fd < 0)
		pd_err(err, "open %s/1: %s", dir, strerror(errno));
	close(d);
	return rs->fd < 0 ? -1 : 0;
}

/* Write n bytes at p (and a byte `end` unless it is -1) as file `file`
 * of directory d, replacing it: the old name is removed and a new file
 * made, so that a FIFO, a hard link to a file elsewhere or a link put
 * there is never opened; 0 or -1 with errno. */
static int put_file(int d, const char *file, const void *p, size_t n, int end)
{
	char e = (char)end;
	int fd, rc, saved;

	if (unlinkat(d, file, 0) < 0 && errno != ENOENT)
		return -1;
	fd = openat(d, file, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
	if (fd < 0)
		return -1;
	rc = pd_write_all(fd, p, n);
	if (!rc && end >= 0)
		rc = pd_write_all(fd, &e, 1);
	saved = errno;
	if (close(fd) < 0 && !rc)
		return -1;
	errno = saved;
	return rc;
}

int pd_results_put(struct pd_results *rs, const struct pd_coord_result *r, char *err)
{
	struct pd_buf name = PD_BUF_INIT;
	char seq[32];
	int d = -1, ok = r->status == PD_R_OK, rc = -1;
	const char *file = "";

	pd_results_name(&name, r->in ? r->in : "", r->in ? r->inlen : 0);
	if (mkdirat(rs->fd, name.data, 0777) < 0 && errno != EEXIST)
		goto out;
	if ((d = openat(rs->fd, name.data, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0)
		goto out;
	snprintf(seq, sizeof seq, "%ld", r->lineno);
	if (put_file(d, file = "stdout", r->out, ok ? r->outlen : 0, ok ? (rs->nul ? 0 : '\n') : -1) ||
	    put_file(d, file = "stderr", r->out, ok ? 0 : r->outlen, ok ? -1 : '\n') ||
	    put_file(d, file = "seq", seq, strlen(seq), '\n'))
		goto out;
	rc = 0;
out:
	if (rc)
		pd_err(err, "write 1/%s%s%s: %s", name.data, *file ? "/" : "", file, strerror(errno));
	if (d >= 0)
		close(d);
	pd_buf_release(&name);
	return rc;
}

void pd_results_close(struct pd_results *rs)
{
	if (rs->fd >= 0)
		close(rs->fd);
	rs->fd = -1;
}
