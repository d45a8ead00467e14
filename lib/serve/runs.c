/* runs.c - detached runs: submit, persist, resume, report, cancel. */
#include "runs.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>
#include <signal.h>
#include <pwd.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "cache.h"
#include "coord.h"
#include "err.h"
#include "fdio.h"
#include "hosts.h"
#include "jobfile.h"
#include "joblog.h"
#include "json.h"
#include "log.h"
#include "pathfmt.h"
#include "proto.h"
#include "target.h"
#include "taskdetach.h"
#include "xmalloc.h"

#define FLUSH_MS 200

/* One detached run. */
struct run {
	struct pd_runs *rs;
	char id[PD_RUN_ID_LEN];
	char client[32]; /* the name its coordinator gives servers: "pd-serve run ID" */
	char dir[PD_PATH_MAX];
	cJSON *meta;
	struct pd_coord *coord; /* while running */
	struct pd_joblog log;
	int in_fd;
	char *job;
	size_t job_len;
	long done, failed;
	pid_t pid; /* a detached task's coordinator, while it runs */
	char werr[PD_ERRLEN]; /* a write to its log failed (disk full): why, else "" */
	LIST_ENTRY(run) link;
};

struct pd_runs {
	struct event_base *base;
	char state[PD_PATH_MAX], dir[PD_PATH_MAX], cache[PD_PATH_MAX], sock[108];
	unsigned char key[PD_KEY_LEN];
	int have_key;
	pd_runs_end_fn end;
	void *arg;
	struct event *flush;
	LIST_HEAD(, run) runs;
};

int pd_run_id_valid(const char *s)
{
	int i;

	if (s[0] != 'r')
		return 0;
	for (i = 1; i < PD_RUN_ID_LEN - 1; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return s[i] == 0;
}

/* Write DIR/meta.json durably: temporary file, fsync, rename. */
static int meta_save(struct run *r, char *err)
{
	char path[PD_PATH_MAX], e[PD_ERRLEN], *text = cJSON_Print(r->meta);
	int rc;

	pd_path_fmt(path, "%s/meta.json", r->dir);
	rc = pd_replace_file(path, text, strlen(text), 0600, 1, e);
	cJSON_free(text);
	if (rc)
		pd_err(err, "save %s", e);
	return rc;
}

/* Set the run's state (and error), save it. */
static void set_state(struct run *r, const char *state, const char *error)
{
	char err[PD_ERRLEN];

	cJSON_DeleteItemFromObjectCaseSensitive(r->meta, "state");
	cJSON_AddStringToObject(r->meta, "state", state);
	if (error && *error) {
		cJSON_DeleteItemFromObjectCaseSensitive(r->meta, "error");
		cJSON_AddStringToObject(r->meta, "error", error);
	}
	if (strcmp(state, "running")) {
		cJSON_DeleteItemFromObjectCaseSensitive(r->meta, "ended");
		cJSON_AddNumberToObject(r->meta, "ended", (double)time(NULL));
		cJSON_DeleteItemFromObjectCaseSensitive(r->meta, "done");
		cJSON_AddNumberToObject(r->meta, "done", (double)r->done);
		cJSON_DeleteItemFromObjectCaseSensitive(r->meta, "failed");
		cJSON_AddNumberToObject(r->meta, "failed", (double)r->failed);
	}
	if (meta_save(r, err))
		pd_log(PD_LOG_ERR, "run %s: %s", r->id, err);
}

static long count_file_lines(const char *path);
static long count_file_matches(const char *path, const char *s, int want);

/* Note the first failed write of r's log (errno e, 0: unknown). */
static void log_failed(struct run *r, int e)
{
	if (!r->werr[0])
		pd_err(r->werr, "write %s/log: %s", r->dir, e ? strerror(e) : "write error");
}

/*
 * Cut a log back to its last whole line, so that what it holds stays
 * readable after a write that failed half-way (disk full).
 */
static void log_trim(struct run *r)
{
	char path[PD_PATH_MAX], buf[4096];
	off_t end;
	ssize_t n;
	int fd;

	pd_path_fmt(path, "%s/log", r->dir);
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return;
	for (end = lseek(fd, 0, SEEK_END); end > 0; end -= n) {
		n = end < (off_t)sizeof buf ? (ssize_t)end : (ssize_t)sizeof buf;
		if (pread(fd, buf, (size_t)n, end - n) != n) {
			end = -1;
			break;
		}
		while (n > 0 && buf[n - 1] != '\n')
			n--, end--;
		if (n > 0)
			break;
	}
	if (end >= 0 && (ftruncate(fd, end) || fsync(fd)))
		pd_log(PD_LOG_ERR, "run %s: trim %s: %s", r->id, path, strerror(errno));
	close(fd);
	/* What it holds now is what the run has done. */
	r->done = count_file_lines(path);
	r->failed = count_file_matches(path, "\"status\":\"ok\"", 0);
}

/* Close what a running run holds; a failed log write is left in r->werr. */
static void run_stop(struct run *r)
{
	if (r->coord) {
		pd_coord_cancel(r->coord);
		pd_coord_free(r->coord);
		r->coord = NULL;
	}
	if (r->log.is_open) {
		if (pd_joblog_flush(&r->log, NULL))
			log_failed(r, errno);
		else if (r->log.error)
			log_failed(r, r->log.error);
		else if (fsync(r->log.fd))
			log_failed(r, errno);
		pd_joblog_close(&r->log);
		if (r->werr[0])
			log_trim(r);
	}
	if (r->in_fd >= 0)
		close(r->in_fd);
	r->in_fd = -1;
	free(r->job);
	r->job = NULL;
}

/* Coordinator: a record's final result goes to the log. */
static void on_result(void *arg, const struct pd_coord_result *res)
{
	struct run *r = arg;

	r->done++;
	if (res->status != PD_R_OK)
		r->failed++;
	if (res->host[0] && !res->resumed) { /* not one the log already held */
		errno = 0;
		pd_joblog_add(&r->log, res->lineno, res->in ? res->in : "", res->inlen,
			      res->status, res->ms, res->host, res->out, res->outlen);
		if (r->log.error) /* the run fails at the next flush */
			log_failed(r, r->log.error);
	}
}

/* Coordinator: skip what the log already holds. */
static int on_resume(void *arg, long lineno, const char *line, size_t len, struct pd_buf *out,
		     const char **host, double *ms)
{
	struct run *r = arg;

	return pd_joblog_lookup(&r->log, lineno, line, len, out, host, ms);
}

/* Coordinator: a host event, for the server's log. */
static void on_note(void *arg, const char *msg)
{
	struct run *r = arg;

	pd_log(PD_LOG_WARN, "run %s: %s", r->id, msg);
}

/* Coordinator: the run ended. */
static void on_done(void *arg, int code, const char *err)
{
	struct run *r = arg;
	struct pd_runs *rs = r->rs;
	char id[PD_RUN_ID_LEN];

	run_stop(r);
	if (r->werr[0]) {
		code = PD_EX_OSERR;
		err = r->werr;
		cJSON_AddNumberToObject(r->meta, "code", code);
	}
	set_state(r, code == PD_EX_OK ? "done" : "failed", code == PD_EX_OK ? NULL : err);
	pd_log(code == PD_EX_OSERR ? PD_LOG_ERR : PD_LOG_INFO, "run %s ended: %ld records, %ld failed%s%s",
	       r->id, r->done, r->failed, code ? ": " : "", code ? err : "");
	memcpy(id, r->id, sizeof id);
	if (rs->end)
		rs->end(rs->arg, id);
}

/* A host of run arg that did not resolve: a warning in the log. */
static void warn_host(void *arg, const char *msg)
{
	const struct run *r = arg;

	pd_log(PD_LOG_WARN, "run %s: %s", r->id, msg);
}

/* Targets of a run: the hosts it was submitted with, else this server. */
static int run_targets(struct run *r, struct pd_target **t, int *n, char *err)
{
	const char *hosts = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(r->meta, "hosts"));

	*n = 0;
	if (!hosts) {
		*t = pd_xcalloc(1, sizeof **t);
		pd_target_unix(*t, r->rs->sock);
		*n = 1;
		return 0;
	}
	if (!r->rs->have_key) {
		pd_err(err, "this server has no cluster key to reach other hosts");
		return -1;
	}
	*n = pd_targets_parse(hosts, "hosts", t, warn_host, r, err);
	if (*n < 0) {
		*n = 0;
		return -1;
	}
	if (!*n) {
		pd_err(err, "no host of the run could be resolved");
		return -1;
	}
	return 0;
}

static int map_start(struct run *r, char *err);

/* 1 for a detached task (pd-task --detach), 0 for a map run. */
static int is_task(const cJSON *meta)
{
	return !strcmp(pd_json_str(meta, "kind", "map"), "task");
}


/* Open the run's files and start (or resume) its coordinator. */
static int run_start(struct run *r, char *err)
{
	if (is_task(r->meta)) {
		r->pid = pd_taskdetach_spawn(r->meta, r->dir, r->rs->cache, r->rs->sock,
					     r->rs->have_key ? r->rs->key : NULL, err);
		return r->pid > 0 ? 0 : -1;
	}
	return map_start(r, err);
}

/* A map run: open its files and start (or resume) its coordinator. */
static int map_start(struct run *r, char *err)
{
	static const struct pd_coord_cb cb = {on_result, on_note, on_resume, on_done, NULL, NULL};
	const cJSON *m = r->meta;
	const char *hash = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(m, "hash"));
	const char *sym = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(m, "sym"));
	char path[PD_PATH_MAX], jobpath[PD_PATH_MAX];
	struct pd_coord_opts o = {0};
	struct pd_target *t = NULL;
	int n, i;

	pd_cache_path(r->rs->cache, hash ? hash : "", jobpath, sizeof jobpath);
	pd_path_fmt(path, "%s/input", r->dir);
	r->in_fd = open(path, O_RDONLY | O_CLOEXEC);
	if (!hash || !sym || r->in_fd < 0 || pd_read_file(jobpath, PD_JOB_MAX, &r->job, &r->job_len, err)) {
		if (r->in_fd < 0 || !hash || !sym)
			pd_err(err, "run %s: missing input or job", r->id);
		return -1;
	}
	pd_path_fmt(path, "%s/log", r->dir);
	if (pd_joblog_open(&r->log, path, 1, 0600, err) || run_targets(r, &t, &n, err)) {
		free(t);
		return -1;
	}
	r->log.with_input = 1;
	/* the hosts' pd-status lists this run's work as this client */
	snprintf(r->client, sizeof r->client, "pd-serve run %s", r->id);
	o = (struct pd_coord_opts){
	    .job_path = jobpath,
	    .sym = sym,
	    .job = r->job,
	    .job_len = r->job_len,
	    .key = r->rs->have_key ? r->rs->key : NULL,
	    .client = r->client,
	    .in_fd = r->in_fd,
	    .order = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(m, "unordered")) ? PD_ORDER_NONE : PD_ORDER_INPUT,
	    .retries = (int)pd_json_num(m, "retries", 0),
	    .keep_input = 1,
	    .wait_slots = 1,
	};
	pd_runopts_get(m, &o.run);
	r->done = r->failed = 0;
	r->coord = pd_coord_new(r->rs->base, &o, &cb, r);
	for (i = 0; i < n; i++)
		pd_coord_add_target(r->coord, &t[i]);
	free(t);
	pd_coord_start(r->coord);
	return 0;
}

/* A new run record (not yet in the list). */
static struct run *run_new(struct pd_runs *rs, const char *id)
{
	struct run *r = pd_xcalloc(1, sizeof *r);

	r->rs = rs;
	r->in_fd = -1;
	snprintf(r->id, sizeof r->id, "%s", id);
	pd_path_fmt(r->dir, "%s/%s", rs->dir, id);
	return r;
}

static struct run *run_find(struct pd_runs *rs, const char *id)
{
	struct run *r;

	LIST_FOREACH(r, &rs->runs, link)
		if (!strcmp(r->id, id))
			return r;
	return NULL;
}

/* Remove what a submission that failed half-way left of its directory
 * (disk full), so that the next start finds no broken run. */
static void run_dir_remove(struct run *r)
{
	static const char *names[] = {"input", "meta.json"};
	char path[PD_PATH_MAX];
	size_t i;

	for (i = 0; i < sizeof names / sizeof names[0]; i++) {
		pd_path_fmt(path, "%s/%s", r->dir, names[i]);
		unlink(path);
	}
	rmdir(r->dir);
}

/* Write the submitted records durably. */
static int write_input(const char *dir, const void *p, size_t n, char *err)
{
	char path[PD_PATH_MAX];
	const char *s = p;
	ssize_t w;
	int fd;

	pd_path_fmt(path, "%s/input", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		goto fail;
	while (n) {
		w = write(fd, s, n);
		if (w <= 0 && errno != EINTR) {
			close(fd);
			goto fail;
		}
		if (w > 0) {
			s += w;
			n -= (size_t)w;
		}
	}
	if (fsync(fd) || close(fd))
		goto fail;
	return 0;
fail:
	pd_err(err, "write %s: %s", path, strerror(errno));
	return -1;
}

/* Count the records in an input (a last line without newline counts). */
static long count_lines(const char *p, size_t n)
{
	long c = 0;
	size_t i;

	for (i = 0; i < n; i++)
		c += p[i] == '\n';
	return c + (n && p[n - 1] != '\n');
}

/* Who submitted runs here: the server's user at its host ("ann@lab1"). */
static const char *owner_name(char *buf, size_t size)
{
	struct passwd *pw = getpwuid(getuid());
	struct utsname u;

	if (uname(&u))
		snprintf(u.nodename, sizeof u.nodename, "?");
	if (pw)
		snprintf(buf, size, "%s@%s", pw->pw_name, u.nodename);
	else
		snprintf(buf, size, "%u@%s", (unsigned)getuid(), u.nodename);
	return buf;
}

/* Copy the members of the submit request that describe the run. */
static cJSON *meta_from(const cJSON *req, const char *id, long total)
{
	static const char *keep[] = {"kind", "hash", "sym", "name", "hosts", "retries", "unordered",
				     "client", "nodes", "tubes", "args", "oversubscribe"};
	struct pd_runopts run;
	cJSON *m = cJSON_CreateObject(), *v;
	char buf[600];
	size_t i;

	cJSON_AddStringToObject(m, "id", id);
	for (i = 0; i < sizeof keep / sizeof keep[0]; i++) {
		v = cJSON_GetObjectItemCaseSensitive(req, keep[i]);
		if (v)
			cJSON_AddItemToObject(m, keep[i], cJSON_Duplicate(v, 1));
	}
	pd_runopts_get(req, &run);
	pd_runopts_put(m, &run);
	cJSON_AddNumberToObject(m, "total", (double)total);
	cJSON_AddStringToObject(m, "owner", owner_name(buf, sizeof buf));
	cJSON_AddNumberToObject(m, "submitted", (double)time(NULL));
	cJSON_AddStringToObject(m, "state", "running");
	return m;
}

int pd_runs_submit(struct pd_runs *rs, const cJSON *req, const void *input, size_t len,
		   char id[PD_RUN_ID_LEN], char *err)
{
	const char *hash = pd_json_str(req, "hash", ""), *sym = pd_json_str(req, "sym", "");
	unsigned char rnd[5];
	char tmp[16];
	struct run *r;
	long total;

	if (!pd_cache_has(rs->cache, hash) || !sym[0]) {
		pd_err(err, "submit: unknown job hash or no job name");
		return PD_EX_DATAERR;
	}
	if (is_task(req) && pd_taskdetach_check(req, err))
		return PD_EX_DATAERR;
	total = is_task(req) ? (long)pd_json_num(req, "nodes", 0) : count_lines(input, len);
	randombytes_buf(rnd, sizeof rnd);
	snprintf(tmp, sizeof tmp, "r%02x%02x%02x%02x%02x", rnd[0], rnd[1], rnd[2], rnd[3], rnd[4]);
	memcpy(id, tmp, PD_RUN_ID_LEN);
	r = run_new(rs, id);
	if (mkdir(r->dir, 0700)) {
		pd_err(err, "mkdir %s: %s", r->dir, strerror(errno));
		free(r);
		return PD_EX_OSERR;
	}
	if (write_input(r->dir, input, len, err)) {
		run_dir_remove(r);
		free(r);
		return PD_EX_OSERR;
	}
	r->meta = meta_from(req, id, total);
	if (meta_save(r, err)) {
		run_dir_remove(r);
		cJSON_Delete(r->meta);
		free(r);
		return PD_EX_OSERR;
	}
	LIST_INSERT_HEAD(&rs->runs, r, link);
	if (run_start(r, err)) {
		run_stop(r);
		set_state(r, "failed", err);
		return PD_EX_DATAERR;
	}
	pd_log(PD_LOG_INFO, "run %s submitted: %ld %s", id, total, is_task(req) ? "nodes" : "records");
	return 0;
}

/* A running map run's hosts as its coordinator sees them: "on" (one
 * object per host) and "inflight" (records sent and not yet answered). */
static void add_hosts(cJSON *j, const struct pd_coord *c)
{
	cJSON *on = cJSON_AddArrayToObject(j, "on"), *o;
	struct pd_coord_host h;
	long inflight = 0;
	int i;

	for (i = 0; pd_coord_host_info(c, i, &h) == 0; i++) {
		o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "address", h.address);
		cJSON_AddStringToObject(o, "host", h.host);
		cJSON_AddStringToObject(o, "state", h.state);
		cJSON_AddNumberToObject(o, "shared", h.slots);
		cJSON_AddNumberToObject(o, "inflight", h.records);
		if (h.why[0])
			cJSON_AddStringToObject(o, "error", h.why);
		cJSON_AddItemToArray(on, o);
		inflight += h.records;
	}
	cJSON_AddNumberToObject(j, "inflight", (double)inflight);
}

cJSON *pd_runs_status(struct pd_runs *rs, const char *id)
{
	struct run *r = run_find(rs, id);
	cJSON *j;

	if (!r)
		return NULL;
	j = cJSON_Duplicate(r->meta, 1);
	if (r->coord) {
		cJSON_DeleteItemFromObjectCaseSensitive(j, "done");
		cJSON_DeleteItemFromObjectCaseSensitive(j, "failed");
		cJSON_AddNumberToObject(j, "done", (double)r->done);
		cJSON_AddNumberToObject(j, "failed", (double)r->failed);
		add_hosts(j, r->coord);
	}
	return j;
}

cJSON *pd_runs_list(struct pd_runs *rs)
{
	cJSON *a = cJSON_CreateArray();
	struct run *r;

	LIST_FOREACH(r, &rs->runs, link)
		cJSON_AddItemToArray(a, pd_runs_status(rs, r->id));
	return a;
}

int pd_runs_ended(struct pd_runs *rs, const char *id)
{
	struct run *r = run_find(rs, id);

	return r && !r->coord && !r->pid;
}

/* Lines of a file that contain (want 1) or lack (want 0) a string. */
static long count_file_matches(const char *path, const char *s, int want)
{
	FILE *f = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0;
	long n = 0;

	if (!f)
		return 0;
	while (getline(&line, &cap, f) > 0)
		n += (strstr(line, s) != NULL) == want;
	free(line);
	fclose(f);
	return n;
}

/* Lines of a file (finished nodes of a detached task). */
static long count_file_lines(const char *path)
{
	FILE *f = fopen(path, "r");
	long n = 0;
	int c;

	if (!f)
		return 0;
	while ((c = getc(f)) != EOF)
		n += c == '\n';
	fclose(f);
	return n;
}

int pd_runs_child(struct pd_runs *rs, pid_t pid, int status)
{
	char path[PD_PATH_MAX], *text = NULL, err[PD_ERRLEN];
	struct run *r;
	size_t n;

	if (!rs)
		return 0;
	LIST_FOREACH(r, &rs->runs, link)
		if (r->pid == pid)
			break;
	if (!r)
		return 0;
	r->pid = 0;
	pd_path_fmt(path, "%s/log", r->dir);
	r->done = count_file_lines(path);
	pd_path_fmt(path, "%s/error", r->dir);
	if (pd_read_file(path, 1 << 16, &text, &n, err) == 0 && n && text[n - 1] == '\n')
		text[n - 1] = 0;
	pd_path_fmt(path, "%s/log", r->dir);
	r->failed = count_file_matches(path, "\"status\":\"ok\"", 0);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		set_state(r, "done", NULL);
	else
		set_state(r, "failed", text ? text : "the task's coordinator died");
	free(text);
	pd_log(PD_LOG_INFO, "task run %s ended", r->id);
	if (rs->end)
		rs->end(rs->arg, r->id);
	return 1;
}

int pd_runs_log(struct pd_runs *rs, const char *id, struct pd_buf *out, char *err)
{
	struct run *r = run_find(rs, id);
	char path[PD_PATH_MAX], *data;
	size_t n;

	if (!r) {
		pd_err(err, "no run %s on this host", id);
		return -1;
	}
	if (r->log.is_open)
		pd_joblog_flush(&r->log, NULL);
	pd_path_fmt(path, "%s/log", r->dir);
	if (access(path, F_OK))
		return 0; /* nothing finished yet */
	if (pd_read_file(path, PD_BLOB_MAX, &data, &n, err))
		return -1;
	pd_buf_add(out, data, n);
	free(data);
	return 0;
}

int pd_runs_cancel(struct pd_runs *rs, const char *id, char *err)
{
	struct run *r = run_find(rs, id);

	if (!r) {
		pd_err(err, "no run %s on this host", id);
		return -1;
	}
	if (!r->coord && !r->pid) {
		pd_err(err, "run %s has already ended (%s)", id, pd_json_str(r->meta, "state", "?"));
		return -1;
	}
	if (r->pid) {
		kill(r->pid, SIGKILL);
		r->pid = 0;
	}
	run_stop(r);
	set_state(r, "cancelled", NULL);
	pd_log(PD_LOG_INFO, "run %s cancelled", id);
	if (rs->end)
		rs->end(rs->arg, id);
	return 0;
}

/* A run whose log cannot be written (disk full) ends now, failed: its
 * results could not be kept. */
static void run_write_failed(struct run *r)
{
	char id[PD_RUN_ID_LEN];

	run_stop(r);
	cJSON_AddNumberToObject(r->meta, "code", PD_EX_OSERR);
	set_state(r, "failed", r->werr);
	pd_log(PD_LOG_ERR, "run %s failed: %s", r->id, r->werr);
	memcpy(id, r->id, sizeof id);
	if (r->rs->end)
		r->rs->end(r->rs->arg, id);
}

/* Flush the logs of running runs, so a crash loses little work; a log
 * that cannot be written fails its run. */
static void flush_logs(evutil_socket_t fd, short what, void *arg)
{
	struct pd_runs *rs = arg;
	struct run *r;

	(void)fd;
	(void)what;
	LIST_FOREACH(r, &rs->runs, link) {
		if (!r->log.is_open)
			continue;
		if (pd_joblog_flush(&r->log, NULL))
			log_failed(r, errno);
		if (r->werr[0] && r->coord)
			run_write_failed(r);
	}
}

/* Load one run directory; resume it if it was running. */
static void load_run(struct pd_runs *rs, const char *id)
{
	struct run *r = run_new(rs, id);
	char path[PD_PATH_MAX], *text = NULL, err[PD_ERRLEN] = "unreadable meta.json";
	size_t n = 0;

	pd_path_fmt(path, "%s/meta.json", r->dir);
	if (pd_read_file(path, 1 << 20, &text, &n, err) || !(r->meta = cJSON_Parse(text))) {
		pd_log(PD_LOG_WARN, "ignoring run directory %s: %s", r->dir, err);
		free(text);
		free(r);
		return;
	}
	free(text);
	LIST_INSERT_HEAD(&rs->runs, r, link);
	if (strcmp(pd_json_str(r->meta, "state", ""), "running"))
		return;
	if (is_task(r->meta)) {
		set_state(r, "failed", "interrupted: pd-serve stopped, and a task does not resume");
		return;
	}
	pd_log(PD_LOG_INFO, "resuming run %s", id);
	if (run_start(r, err)) {
		pd_log(PD_LOG_ERR, "run %s: cannot resume: %s", id, err);
		run_stop(r);
		set_state(r, "failed", err);
	}
}

struct pd_runs *pd_runs_new(struct event_base *base, const char *state, const char *sock,
			    const unsigned char *key, pd_runs_end_fn end, void *arg, char *err)
{
	struct timeval tv = {0, FLUSH_MS * 1000};
	struct pd_runs *rs = pd_xcalloc(1, sizeof *rs);
	struct dirent *d;
	DIR *dp;

	if (strlen(state) > PD_PATH_MAX - PD_PATH_ROOM) {
		pd_err(err, "state directory path too long (%zu bytes; at most %d): %.60s...", strlen(state),
		       PD_PATH_MAX - PD_PATH_ROOM, state);
		free(rs);
		return NULL;
	}
	rs->base = base;
	pd_path_fmt(rs->state, "%s", state);
	pd_path_fmt(rs->dir, "%s/runs", state);
	pd_path_fmt(rs->cache, "%s/cache", state);
	snprintf(rs->sock, sizeof rs->sock, "%s", sock);
	if (key) {
		memcpy(rs->key, key, PD_KEY_LEN);
		rs->have_key = 1;
	}
	rs->end = end;
	rs->arg = arg;
	LIST_INIT(&rs->runs);
	if (mkdir(rs->dir, 0700) && errno != EEXIST) {
		pd_err(err, "mkdir %s: %s", rs->dir, strerror(errno));
		free(rs);
		return NULL;
	}
	rs->flush = event_new(base, -1, EV_PERSIST, flush_logs, rs);
	event_add(rs->flush, &tv);
	dp = opendir(rs->dir);
	while (dp && (d = readdir(dp)))
		if (pd_run_id_valid(d->d_name))
			load_run(rs, d->d_name);
	if (dp)
		closedir(dp);
	return rs;
}

void pd_runs_free(struct pd_runs *rs)
{
	struct run *r;

	if (!rs)
		return;
	while ((r = LIST_FIRST(&rs->runs))) {
		LIST_REMOVE(r, link);
		if (r->pid > 0) /* a task ends with its server */
			kill(r->pid, SIGKILL);
		run_stop(r); /* still "running" on disk: resumed at the next start */
		cJSON_Delete(r->meta);
		free(r);
	}
	event_free(rs->flush);
	free(rs);
}
