/* joblog.c - append-only log of finished records, for --resume. */
#include "joblog.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <sodium.h>

#include "err.h"
#include "fdio.h"
#include "jsonbytes.h"
#include "proto.h"
#include "xmalloc.h"

#define PEND_MAX 65536 /* gathered bytes that make a write due */

/* 64-bit keyed hash of an input line (not secret, just a checksum). */
static unsigned long long line_hash(const char *in, size_t n)
{
	unsigned char h[8];
	unsigned long long v = 0;
	int i;

	crypto_generichash(h, sizeof h, (const unsigned char *)in, n, NULL, 0);
	for (i = 0; i < 8; i++)
		v = v << 8 | h[i];
	return v;
}

/* Make room for entry `line`. */
static void fit(struct pd_joblog *j, long line)
{
	long ncap = j->cap ? j->cap : 1024, i;

	if (line < j->cap)
		return;
	while (ncap <= line)
		ncap *= 2;
	j->out = pd_xrealloc(j->out, sizeof *j->out * (size_t)ncap);
	j->outlen = pd_xrealloc(j->outlen, sizeof *j->outlen * (size_t)ncap);
	j->hash = pd_xrealloc(j->hash, sizeof *j->hash * (size_t)ncap);
	j->host = pd_xrealloc(j->host, sizeof *j->host * (size_t)ncap);
	j->ms = pd_xrealloc(j->ms, sizeof *j->ms * (size_t)ncap);
	j->state = pd_xrealloc(j->state, (size_t)ncap);
	for (i = j->cap; i < ncap; i++) {
		j->out[i] = j->host[i] = NULL;
		j->state[i] = PD_JOBLOG_NONE;
	}
	j->cap = ncap;
}

/* Take one log line: the last entry of a line number says its state; an
 * "ok" one also keeps its output. */
static void load_entry(struct pd_joblog *j, const char *text, size_t len)
{
	struct pd_buf in = PD_BUF_INIT, st = PD_BUF_INIT, out = PD_BUF_INIT, host = PD_BUF_INIT;
	double line = pd_json_flat_num(text, len, "line"), ms = pd_json_flat_num(text, len, "ms");
	long n = line >= 1 && line <= (double)(1L << 40) ? (long)line : 0; /* 0 for NaN too */
	int ok;

	if (!n || pd_json_flat_str(text, len, "in", &in) ||
	    pd_json_flat_str(text, len, "status", &st) || pd_rstatus_parse(st.data) < 0)
		goto out;
	ok = !strcmp(st.data, "ok");
	if (ok && pd_json_flat_str(text, len, "output", &out))
		goto out;
	fit(j, n);
	free(j->out[n]);
	j->out[n] = NULL;
	j->state[n] = ok ? PD_JOBLOG_OK : PD_JOBLOG_FAILED;
	if (!ok)
		goto out;
	j->outlen[n] = out.len;
	j->out[n] = pd_buf_detach(&out, NULL);
	j->hash[n] = strtoull(in.data, NULL, 16);
	free(j->host[n]);
	j->host[n] = pd_json_flat_str(text, len, "host", &host) ? NULL : pd_buf_detach(&host, NULL);
	j->ms[n] = isnan(ms) ? 0 : ms;
	j->loaded++;
out:
	pd_buf_release(&host);
	pd_buf_release(&in);
	pd_buf_release(&st);
	pd_buf_release(&out);
}

/* Read the existing log; a torn last line (no newline: a kill in the
 * middle of a write) is cut off the file, its size kept in j->torn. */
static int load(struct pd_joblog *j, const char *path, char *err)
{
	FILE *f = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0;
	off_t whole = 0;
	ssize_t n;

	if (!f)
		return errno == ENOENT ? 0 : (pd_err(err, "open %s: %s", path, strerror(errno)), -1);
	while ((n = getline(&line, &cap, f)) > 0) {
		if (line[n - 1] != '\n') {
			j->torn = (long)n;
			break;
		}
		whole += n;
		load_entry(j, line, (size_t)n - 1);
	}
	free(line);
	fclose(f);
	if (j->torn && truncate(path, whole) < 0)
		return pd_err(err, "%s: cut torn last line: %s", path, strerror(errno)), -1;
	return 0;
}

int pd_joblog_open(struct pd_joblog *j, const char *path, int resume, int mode, char *err)
{
	memset(j, 0, sizeof *j);
	j->fd = -1;
	if (resume && load(j, path, err))
		return -1;
	pd_buf_init(&j->pend);
	j->fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | (resume ? 0 : O_TRUNC), mode);
	if (j->fd >= 0)
		j->good = lseek(j->fd, 0, SEEK_END);
	if (j->fd < 0 || j->good < 0) {
		pd_err(err, "open %s: %s", path, strerror(errno));
		pd_joblog_close(j);
		return -1;
	}
	j->is_open = 1;
	return 0;
}

static const char *rstatus_names[] = {"ok", "error", "crash", "timeout", "lost"};

const char *pd_rstatus_name(int status)
{
	return status >= 0 && status <= PD_R_LOST ? rstatus_names[status] : "error";
}

int pd_rstatus_parse(const char *name)
{
	int i;

	for (i = 0; i <= PD_R_LOST; i++)
		if (!strcmp(name, rstatus_names[i]))
			return i;
	return -1;
}

void pd_joblog_add(struct pd_joblog *j, long line, const char *in, size_t inlen, int status,
		   double ms, const char *host, const char *out, size_t outlen)
{
	struct pd_buf *b = &j->pend;

	pd_buf_addf(b, "{\"line\":%ld,\"in\":\"%016llx\"", line, line_hash(in, inlen));
	if (j->with_input) {
		pd_buf_add(b, ",\"input\":", 9);
		pd_json_quote(b, in, inlen);
	}
	pd_buf_addf(b, ",\"status\":\"%s\",\"ms\":%.15g,\"host\":", pd_rstatus_name(status),
		    round(ms * 1000) / 1000);
	pd_json_quote(b, host, strlen(host));
	pd_buf_addf(b, ",\"%s\":", status == PD_R_OK ? "output" : "error");
	pd_json_quote(b, out, outlen);
	pd_buf_add(b, "}\n", 2);
	if (b->len >= PEND_MAX)
		pd_joblog_flush(j, NULL);
}

int pd_joblog_state(const struct pd_joblog *j, long line)
{
	return line >= 1 && line < j->cap ? j->state[line] : PD_JOBLOG_NONE;
}

int pd_joblog_lookup(const struct pd_joblog *j, long line, const char *in, size_t inlen,
		     struct pd_buf *out, const char **host, double *ms)
{
	if (line >= j->cap || !j->out[line] || j->hash[line] != line_hash(in, inlen))
		return 0;
	pd_buf_add(out, j->out[line], j->outlen[line]);
	*host = j->host[line] ? j->host[line] : "";
	*ms = j->ms[line];
	return 1;
}

int pd_joblog_flush(struct pd_joblog *j, char *err)
{
	int rc = 0;

	if (j->fd < 0 || !j->pend.len)
		return 0;
	if (pd_write_all(j->fd, j->pend.data, j->pend.len) == 0) {
		j->good += (off_t)j->pend.len;
	} else {
		int e = errno;

		if (!j->error)
			j->error = e;
		if (err)
			pd_err(err, "write: %s", strerror(e));
		/* a part written is cut back: the log ends with a whole line */
		if (ftruncate(j->fd, j->good) < 0 && err)
			pd_err(err, "write: %s; cutting back the partial line: %s", strerror(e), strerror(errno));
		errno = e;
		rc = -1;
	}
	pd_buf_reset(&j->pend);
	return rc;
}

void pd_joblog_close(struct pd_joblog *j)
{
	long i;

	pd_joblog_flush(j, NULL);
	if (j->fd >= 0)
		close(j->fd);
	pd_buf_release(&j->pend);
	for (i = 0; i < j->cap; i++) {
		free(j->out[i]);
		free(j->host[i]);
	}
	free(j->host);
	free(j->ms);
	free(j->out);
	free(j->outlen);
	free(j->hash);
	free(j->state);
	memset(j, 0, sizeof *j);
	j->fd = -1;
}
