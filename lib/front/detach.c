/* detach.c - talking to pd-serve about detached runs. */
#include "detach.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cache.h"
#include "client.h"
#include "coord.h"
#include "joblog.h"
#include "jsonbytes.h"
#include "err.h"
#include "frame.h"
#include "hostsel.h"
#include "jobx.h"
#include "json.h"
#include "proto.h"
#include "xmalloc.h"

/* Read all of fd (at most max bytes). */
static int read_all(int fd, size_t max, struct pd_buf *b, char *err)
{
	ssize_t r;

	for (;;) {
		pd_buf_grow(b, 65536);
		r = read(fd, b->data + b->len, 65536);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			pd_err(err, "read input: %s", strerror(errno));
			return -1;
		}
		if (r == 0)
			return 0;
		b->len += (size_t)r;
		b->data[b->len] = 0;
		if (b->len > max) {
			pd_err(err, "input over %zu bytes: too large for a detached run", max);
			return -1;
		}
	}
}

int pd_detach_submit(const struct pd_target *t, const struct pd_detach_req *r,
		     char id[PD_RUN_ID_LEN], char *err)
{
	struct pd_buf input = PD_BUF_INIT;
	char hash[PD_HASH_HEX];
	struct pd_session *s;
	struct pd_msg m;
	cJSON *j;
	int code;

	if (read_all(r->in_fd, PD_BLOB_MAX, &input, err)) {
		pd_buf_release(&input);
		return PD_EX_DATAERR;
	}
	pd_hash_hex(r->job, r->job_len, hash);
	s = pd_session_open(t, NULL, "pd-map", &code, err);
	if (!s) {
		pd_buf_release(&input);
		return code;
	}
	pd_msg_init(&m);
	code = pd_jobx_ensure(s, hash, r->sym, r->job_path, r->job, r->job_len, err);
	if (!code) {
		j = cJSON_CreateObject();
		cJSON_AddStringToObject(j, "op", PD_OP_SUBMIT);
		cJSON_AddStringToObject(j, "hash", hash);
		cJSON_AddStringToObject(j, "sym", r->sym);
		if (r->hosts)
			cJSON_AddStringToObject(j, "hosts", r->hosts);
		cJSON_AddNumberToObject(j, "retries", r->retries);
		pd_runopts_put(j, &r->run);
		cJSON_AddBoolToObject(j, "unordered", r->unordered);
		code = pd_session_call(s, j, input.data, input.len, 60, &m, err);
		cJSON_Delete(j);
	}
	if (!code)
		snprintf(id, PD_RUN_ID_LEN, "%s", pd_json_str(m.json, "id", ""));
	pd_msg_release(&m);
	pd_session_close(s);
	pd_buf_release(&input);
	return code;
}

int pd_detach_submit_task(const struct pd_target *t, const struct pd_detach_req *job, cJSON *task,
			  char id[PD_RUN_ID_LEN], char *err)
{
	char hash[PD_HASH_HEX];
	struct pd_session *s;
	struct pd_msg m;
	int code;

	pd_hash_hex(job->job, job->job_len, hash);
	s = pd_session_open(t, NULL, "pd-task", &code, err);
	if (!s)
		return code;
	pd_msg_init(&m);
	code = pd_jobx_ensure(s, hash, job->sym, job->job_path, job->job, job->job_len, err);
	if (!code) {
		cJSON_AddStringToObject(task, "op", PD_OP_SUBMIT);
		cJSON_AddStringToObject(task, "kind", "task");
		cJSON_AddStringToObject(task, "hash", hash);
		cJSON_AddStringToObject(task, "sym", job->sym);
		code = pd_session_call(s, task, NULL, 0, 60, &m, err);
	}
	if (!code)
		snprintf(id, PD_RUN_ID_LEN, "%s", pd_json_str(m.json, "id", ""));
	pd_msg_release(&m);
	pd_session_close(s);
	return code;
}

int pd_detach_ask(const struct pd_target *t, const unsigned char *key, const char *op,
		  const char *id, int wait, cJSON **status, struct pd_buf *log, char *err)
{
	struct pd_session *s = NULL;
	struct pd_msg m;
	cJSON *j;
	int code;

	*status = NULL;
	if (!pd_run_id_valid(id)) {
		pd_err(err, "'%s' is not a run id (like r0123456789)", id);
		return PD_EX_USAGE;
	}
	s = pd_session_open(t, key, "pd-map", &code, err);
	if (!s)
		return code;
	pd_msg_init(&m);
	j = cJSON_CreateObject();
	cJSON_AddStringToObject(j, "op", op);
	cJSON_AddStringToObject(j, "id", id);
	if (wait)
		cJSON_AddBoolToObject(j, "wait", 1);
	code = pd_session_call(s, j, NULL, 0, wait ? 0 : 30, &m, err);
	cJSON_Delete(j);
	if (!code) {
		*status = cJSON_Duplicate(m.json, 1);
		if (log)
			pd_buf_add(log, m.blob, m.blob_len);
	}
	pd_msg_release(&m);
	pd_session_close(s);
	return code;
}

/* An entry of a fetched log. */
struct entry {
	long line;
	long order; /* position in the log: later wins */
	const char *p; /* its text in the log, without the newline */
	size_t n;
};

static int by_line(const void *a, const void *b)
{
	const struct entry *x = a, *y = b;

	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	return x->order < y->order ? -1 : x->order > y->order;
}

/* Index the log's lines into entries (pointing into log). */
static long parse_log(const struct pd_buf *log, struct entry **out, char *err)
{
	const char *p = log->data, *end = p + log->len, *nl;
	struct entry *v = NULL;
	long n = 0, cap = 0;
	double line;

	for (; p < end; p = nl + 1) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl)
			break; /* a line cut short: the server was interrupted */
		line = pd_json_flat_num(p, (size_t)(nl - p), "line");
		if (isnan(line)) {
			pd_err(err, "malformed entry %ld in the run's log", n + 1);
			free(v);
			return -1;
		}
		if (n == cap) {
			cap = cap ? 2 * cap : 1024;
			v = pd_xrealloc(v, sizeof *v * (size_t)cap);
		}
		v[n] = (struct entry){(long)line, n, p, (size_t)(nl - p)};
		n++;
	}
	*out = v;
	return n;
}

long pd_detach_replay(const struct pd_buf *log, void (*fn)(void *arg, const struct pd_coord_result *r),
		      void *arg, char *err)
{
	struct pd_buf out = PD_BUF_INIT, in = PD_BUF_INIT, host = PD_BUF_INIT, st = PD_BUF_INIT;
	struct pd_coord_result r;
	struct entry *v = NULL;
	long n, i, count = 0;
	double ms;
	int s;

	n = parse_log(log, &v, err);
	if (n < 0)
		return -1;
	if (n > 0)
		qsort(v, (size_t)n, sizeof *v, by_line);
	for (i = 0; i < n; i++) {
		if (i + 1 < n && v[i + 1].line == v[i].line)
			continue; /* superseded by a later run of the same record */
		s = pd_json_flat_str(v[i].p, v[i].n, "status", &st) ? -1 : pd_rstatus_parse(st.data);
		pd_json_flat_str(v[i].p, v[i].n, s == PD_R_OK ? "output" : "error", &out);
		pd_json_flat_str(v[i].p, v[i].n, "input", &in);
		pd_json_flat_str(v[i].p, v[i].n, "host", &host);
		ms = pd_json_flat_num(v[i].p, v[i].n, "ms");
		r = (struct pd_coord_result){v[i].line, s < 0 ? PD_R_ERROR : s, isnan(ms) ? 0 : ms,
					     host.data, out.data, out.len, in.data, in.len, 1, 0, 0};
		fn(arg, &r);
		count++;
	}
	free(v);
	pd_buf_release(&out);
	pd_buf_release(&in);
	pd_buf_release(&host);
	pd_buf_release(&st);
	return count;
}

int pd_detach_server(struct pd_hostsel *sel, int by_host, struct pd_target *t, const unsigned char **key, char *err)
{
	*key = NULL;
	if (by_host) {
		*key = sel->key;
		return pd_target_tcp(t, &sel->hosts.v[0], err) ? PD_EX_UNAVAILABLE : 0;
	}
	if (!pd_target_unix_alive(sel->paths.sock)) {
		pd_err(err, "no pd-serve is running on this host (no answer on %s); detached runs need one",
		       sel->paths.sock);
		return PD_EX_UNAVAILABLE;
	}
	pd_target_unix(t, sel->paths.sock);
	return 0;
}
