/* mapout.c - pd-map's results: stdout (plain, tagged, verbatim, JSON lines), the job log, --results, the progress bar. */
#include <math.h>
#include <signal.h>
#include <string.h>

#include "cli.h"
#include "err.h"
#include "esc.h"
#include "jsonbytes.h"
#include "proto.h"
#include "map.h"

static const char *status_name(int st)
{
	static const char *names[] = {"ok", "error", "crash", "timeout", "lost"};

	return st >= 0 && st <= 4 ? names[st] : "error";
}

/* One record as a JSON line on stdout; any bytes, escaped as
 * jsonbytes.h says, so that every line parses. */
static void print_json(const struct pd_coord_result *r)
{
	struct pd_buf b = PD_BUF_INIT;

	pd_buf_addf(&b, "{\"line\":%ld,\"input\":", r->lineno);
	pd_json_quote(&b, r->in ? r->in : "", r->in ? r->inlen : 0);
	if (r->status == PD_R_OK) {
		pd_buf_add(&b, ",\"output\":", 10);
	} else {
		pd_buf_addf(&b, ",\"status\":\"%s\",\"error\":", status_name(r->status));
	}
	pd_json_quote(&b, r->out, r->outlen);
	pd_buf_add(&b, ",\"host\":", 8);
	pd_json_quote(&b, r->host, strlen(r->host));
	pd_buf_addf(&b, ",\"ms\":%.15g", round(r->ms * 1000) / 1000);
	if (r->tries > 1)
		pd_buf_addf(&b, ",\"tries\":%d", r->tries);
	pd_buf_add(&b, "}\n", 2);
	fwrite(b.data, 1, b.len, stdout);
	pd_buf_release(&b);
}

/* Input text for a message on stderr: at most max bytes, control
 * characters escaped, so that one message stays one line.  Two buffers
 * in turn: one message may show two texts. */
const char *shown(const char *s, size_t n, size_t max)
{
	static struct pd_buf bufs[2] = {PD_BUF_INIT, PD_BUF_INIT};
	static int turn;
	struct pd_buf *b = &bufs[turn ^= 1];

	pd_buf_reset(b);
	pd_esc_buf(b, s, n < max ? n : max, PD_ESC_TAB);
	if (n > max)
		pd_buf_add(b, "...", 3);
	return b->data;
}

/* Write what the joblog has gathered; say the first failure. */
void flush_joblog(void)
{
	char err[PD_ERRLEN];

	if (!M.have_joblog)
		return;
	if (pd_joblog_flush(&M.joblog, err) == 0 && M.joblog.error)
		snprintf(err, sizeof err, "write: %s", strerror(M.joblog.error));
	if (M.joblog.error && !M.joblog_said) {
		say("joblog %s: %s (records not logged run again on --resume)", M.joblog_path, err);
		M.joblog_said = 1;
	}
}

/* Standard output is gone or failing.  A reader that went away (EPIPE,
 * `pd-map ... | head -1`) ends the run quietly, as SIGPIPE ends the
 * standard tools: the records still out are cancelled, the joblog keeps
 * what finished, and the process dies of SIGPIPE.  Other errors are said
 * at the end (exit 71). */
static void stdout_failed(int e)
{
	if (e != EPIPE)
		return;
	if (M.coord)
		pd_coord_cancel(M.coord);
	flush_joblog();
	if (M.rc)
		pd_rcache_flush(M.rc, NULL);
	pd_cli_epipe(e);
}

/* A stop signal (^C, kill): the joblog keeps its whole lines, then the
 * process ends by that signal, as it would have without this. */
void on_stop_signal(evutil_socket_t sig, short what, void *arg)
{
	(void)what;
	(void)arg;
	fflush(stdout);
	flush_joblog();
	if (M.rc)
		pd_rcache_flush(M.rc, NULL); /* what finished is not computed again */
	signal((int)sig, SIG_DFL);
	raise((int)sig);
}

/* --results DIR: the record's files; the first failure is said, and
 * the run ends with 71 (see finish_results). */
static void put_results(const struct pd_coord_result *r)
{
	char err[PD_ERRLEN];

	if (M.results.fd < 0 || M.results_said)
		return;
	if (pd_results_put(&M.results, r, err)) {
		say("--results %s: %s (no more results are written there)", M.results_dir, err);
		M.results_said = 1;
	}
}

/* Open --results DIR; 0 or an exit status. */
int open_results(void)
{
	char err[PD_ERRLEN];

	M.results.fd = -1;
	if (!M.results_dir)
		return 0;
	if (pd_results_open(&M.results, M.results_dir, M.nul, err)) {
		say("--results %s: %s", M.results_dir, err);
		return PD_EX_OSERR;
	}
	return 0;
}

/* Close --results DIR; code, or 71 when a record's files could not be
 * written and nothing worse happened. */
int finish_results(int code)
{
	pd_results_close(&M.results);
	return !code && M.results_said ? PD_EX_OSERR : code;
}

/* A command's output as it printed it, every byte; with --tag each of
 * its lines starts with the input and a tab. */
static void print_verbatim(const struct pd_coord_result *r)
{
	const char *p = r->out, *end = r->out + r->outlen, *nl;

	if (!M.tag) {
		fwrite(r->out, 1, r->outlen, stdout);
		return;
	}
	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		nl = nl ? nl + 1 : end;
		fwrite(r->in, 1, r->inlen, stdout);
		putchar('\t');
		fwrite(p, 1, (size_t)(nl - p), stdout);
		p = nl;
	}
}

/* Coordinator: one record's final result, in order. */
void result_cb(void *arg, const struct pd_coord_result *r)
{
	const char *sep;

	(void)arg;
	if (r->resumed == 2) {
		M.left_out++;
		return;
	}
	if (M.rc && r->status == PD_R_OK && !r->resumed && !r->cached)
		pd_rcache_put(M.rc, r->in, r->inlen,
			      &(struct pd_rcache_hit){r->out, r->host, r->outlen, r->ms, r->tries});
	put_results(r);
	/* a cached record is logged as the run that computed it logged it */
	if (M.have_joblog && r->host[0] && !r->resumed)
		pd_joblog_add(&M.joblog, r->lineno, r->in ? r->in : "", r->inlen, r->status,
			      r->ms, r->host, r->out, r->outlen);
	if (M.json) {
		print_json(r);
	} else if (r->status != PD_R_OK) {
		say("line %ld: %s (input: %s)", r->lineno, shown(r->out, r->outlen, 400),
		    shown(r->in ? r->in : "", r->inlen, 60));
	} else if (M.cmd) {
		print_verbatim(r);
	} else if ((sep = memchr(r->out, M.nul ? 0 : '\n', r->outlen))) {
		/* One result is one line (one NUL-terminated string with -0):
		 * a result holding the separator cannot be printed as one. */
		M.unprintable++;
		say("line %ld: the result holds a %s at byte %zu; %s (input: %s)", r->lineno,
		    M.nul ? "NUL" : "newline", (size_t)(sep - r->out) + 1,
		    M.nul ? "--json keeps it whole" : "--json or -0 keep it whole",
		    shown(r->in ? r->in : "", r->inlen, 60));
	} else {
		if (M.tag) {
			fwrite(r->in, 1, r->inlen, stdout);
			putchar('\t');
		}
		fwrite(r->out, 1, r->outlen, stdout);
		putchar(M.nul ? 0 : '\n');
	}
	if (ferror(stdout))
		stdout_failed(errno);
}

/* Coordinator: is this record already in the joblog? */
int resume_cb(void *arg, long lineno, const char *line, size_t len, struct pd_buf *out,
		     const char **host, double *ms)
{
	(void)arg;
	if (pd_joblog_lookup(&M.joblog, lineno, line, len, out, host, ms))
		return 1;
	/* --retry-failed runs a record only when its last entry failed */
	return M.retry_failed && pd_joblog_state(&M.joblog, lineno) != PD_JOBLOG_FAILED ? 2 : 0;
}

/* Redraw the progress line on stderr. */
void draw_bar(evutil_socket_t fd, short what, void *arg)
{
	struct pd_coord_stats st;
	struct timespec now;
	double secs, rate;

	(void)fd;
	(void)what;
	(void)arg;
	pd_coord_stats(M.coord, &st);
	clock_gettime(CLOCK_MONOTONIC, &now);
	secs = (double)(now.tv_sec - M.start.tv_sec) + (now.tv_nsec - M.start.tv_nsec) / 1e9;
	rate = secs > 0 ? st.done / secs : 0;
	fprintf(stderr, "\r\033[K%ld done, %ld failed, %ld running on %d slot%s of %d host%s, %.0f/s",
		st.done, st.failed, st.inflight, st.slots, st.slots == 1 ? "" : "s", st.hosts_up,
		st.hosts_up == 1 ? "" : "s", rate);
	if (st.eof && rate > 0)
		fprintf(stderr, ", ETA %.0fs", (st.read - st.done) / rate);
	M.bar_drawn = 1;
}

/* Results reach a pipe or file as they complete, not only when a 4 KiB
 * buffer fills; the joblog likewise. */
void flush_output(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	(void)arg;
	if (fflush(stdout))
		stdout_failed(errno);
	flush_joblog();
}
