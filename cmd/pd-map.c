/* pd-map - run a job on every input record, across the cluster. */
#include <errno.h>
#include <math.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <event2/event.h>

#include "fdio.h"
#include "cli.h"
#include "coord.h"
#include "detach.h"
#include "err.h"
#include "esc.h"
#include "execjob.h"
#include "hosts.h"
#include "hostsel.h"
#include "jobcc.h"
#include "jobfile.h"
#include "json.h"
#include "num.h"
#include "pathfmt.h"
#include "playdoh.h"
#include "joblog.h"
#include "jsonbytes.h"
#include "memlimit.h"
#include "proto.h"
#include "xmalloc.h"

static const char *usage_text =
    "usage: pd-map [-h] [--version] [-0] [-c N] [--gpu N] [-H HOSTS] [--unordered] [--tag] [--json]\n"
    "              [--joblog FILE [--resume]] [--retries N] [--halt] [--timeout SEC] [--mem SIZE]\n"
    "              [--bar | --no-bar] [--share FILE] [--detach] JOB.so[:NAME] < RECORDS\n"
    "       pd-map [options as above but --detach] [--shell] COMMAND [ARG ...] < RECORDS\n"
    "       pd-map [-H HOST] [-0] [--tag | --json] --fetch ID [--wait]\n"
    "       pd-map [-H HOST] --cancel ID\n";

static void usage(int code)
{
	fputs(usage_text, code ? stderr : stdout);
	exit(code);
}

/* Options and run state. */
struct map {
	const char *hosts, *joblog_path, *fetch, *cancel, *share;
	int detach, wait;
	long slots, retries, timeout_ms, gpu; /* gpu: --gpu N, -1 for a GPU job without it */
	long long mem;
	int unordered, tag, json, halt, resume, bar;
	int nul;	  /* -0: records and results end in NUL, not newline */
	char **cmd;	  /* COMMAND [ARG ...], or NULL for a job file */
	int ncmd, shell;  /* its words; --shell */
	long unprintable; /* ok results that plain output cannot hold (a separator in them) */
	struct pd_joblog joblog;
	int have_joblog, joblog_said;
	struct pd_coord *coord;
	struct event *bar_ev, *flush_ev;
	off_t in_size;
	struct timespec start;
	int bar_drawn;
};

static struct map M;

/* A line on stderr in the project's error grammar. */
static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...)
{
	va_list ap;

	if (M.bar_drawn) {
		fputs("\r\033[K", stderr);
		M.bar_drawn = 0;
	}
	va_start(ap, fmt);
	pd_cli_vsay(fmt, ap); /* servers' and jobs' words: control characters escaped */
	va_end(ap);
}

static void note_cb(void *arg, const char *msg)
{
	(void)arg;
	say("%s", msg);
}

static void note_plain(const char *msg) { say("%s", msg); }

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
static const char *shown(const char *s, size_t n, size_t max)
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
static void flush_joblog(void)
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
	pd_cli_epipe(e);
}

/* A stop signal (^C, kill): the joblog keeps its whole lines, then the
 * process ends by that signal, as it would have without this. */
static void on_stop_signal(evutil_socket_t sig, short what, void *arg)
{
	(void)what;
	(void)arg;
	fflush(stdout);
	flush_joblog();
	signal((int)sig, SIG_DFL);
	raise((int)sig);
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
static void result_cb(void *arg, const struct pd_coord_result *r)
{
	const char *sep;

	(void)arg;
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
static int resume_cb(void *arg, long lineno, const char *line, size_t len, struct pd_buf *out,
		     const char **host, double *ms)
{
	(void)arg;
	return pd_joblog_lookup(&M.joblog, lineno, line, len, out, host, ms);
}

/* Redraw the progress line on stderr. */
static void draw_bar(evutil_socket_t fd, short what, void *arg)
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
static void flush_output(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	(void)arg;
	if (fflush(stdout))
		stdout_failed(errno);
	flush_joblog();
}

/* getopt_long, stopping at the first operand ("+": a command's options
 * are its own), except that options may follow a job file, whose index
 * goes to *job. */
static int next_option(int argc, char **argv, const struct option *longopts, int *job)
{
	int ch;

	for (;;) {
		ch = getopt_long(argc, argv, "+h0c:H:", longopts, NULL);
		if (ch != -1 || *job >= 0 || optind >= argc || !pd_execjob_is_jobfile(argv[optind]))
			return ch;
		*job = optind++;
	}
}

/* Options of pd-map. */
static void parse_options(int argc, char **argv)
{
	enum { O_VERSION = 256, O_UNORDERED, O_TAG, O_JSON, O_JOBLOG, O_RESUME, O_RETRIES, O_HALT,
	       O_TIMEOUT, O_BAR, O_NOBAR, O_DETACH, O_FETCH, O_WAIT, O_CANCEL, O_SHARE, O_GPU, O_MEM, O_SHELL };
	static const struct option longopts[] = {
	    {"help", no_argument, 0, 'h'},	   {"version", no_argument, 0, O_VERSION},
	    {"null", no_argument, 0, '0'},
	    {"cpu", required_argument, 0, 'c'},   {"hosts", required_argument, 0, 'H'},
	    {"unordered", no_argument, 0, O_UNORDERED}, {"tag", no_argument, 0, O_TAG},
	    {"json", no_argument, 0, O_JSON},	   {"joblog", required_argument, 0, O_JOBLOG},
	    {"resume", no_argument, 0, O_RESUME}, {"retries", required_argument, 0, O_RETRIES},
	    {"halt", no_argument, 0, O_HALT},	   {"timeout", required_argument, 0, O_TIMEOUT},
	    {"bar", no_argument, 0, O_BAR},	   {"no-bar", no_argument, 0, O_NOBAR},
	    {"detach", no_argument, 0, O_DETACH}, {"fetch", required_argument, 0, O_FETCH},
	    {"wait", no_argument, 0, O_WAIT},	   {"cancel", required_argument, 0, O_CANCEL},
	    {"share", required_argument, 0, O_SHARE}, {"gpu", required_argument, 0, O_GPU}, {"mem", required_argument, 0, O_MEM},
	    {"shell", no_argument, 0, O_SHELL},
	    {0, 0, 0, 0}};
	int ch, job = -1;

	M.bar = -1;
	while ((ch = next_option(argc, argv, longopts, &job)) != -1) {
		switch (ch) {
		case 'h': usage(0); break;
		case '0': M.nul = 1; break;
		case O_VERSION: printf("pd-map %s (protocol %d)\n", PD_VERSION, PD_PROTO_VERSION); exit(0);
		case 'c':
			if (pd_parse_long(optarg, 1, 100000, &M.slots))
				say("-c: '%s' is not a number of slots from 1 to 100000", optarg), exit(PD_EX_USAGE);
			break;
		case 'H': M.hosts = optarg; break;
		case O_UNORDERED: M.unordered = 1; break;
		case O_TAG: M.tag = 1; break;
		case O_JSON: M.json = 1; break;
		case O_JOBLOG: M.joblog_path = optarg; break;
		case O_RESUME: M.resume = 1; break;
		case O_RETRIES:
			if (pd_parse_long(optarg, 0, 100, &M.retries))
				say("--retries: '%s' is not a number from 0 to 100", optarg), exit(PD_EX_USAGE);
			break;
		case O_HALT: M.halt = 1; break;
		case O_TIMEOUT:
			if (pd_parse_seconds_ms(optarg, &M.timeout_ms) || M.timeout_ms < 1)
				say("--timeout: '%s' is not a positive number of seconds", optarg), exit(PD_EX_USAGE);
			break;
		case O_MEM:
			if (pd_size_parse(optarg, &M.mem))
				say("--mem: '%s' is not a size (bytes, or a number with K, M, G or T)", optarg), exit(PD_EX_USAGE);
			break;
		case O_BAR: M.bar = 1; break;
		case O_NOBAR: M.bar = 0; break;
		case O_DETACH: M.detach = 1; break;
		case O_FETCH: M.fetch = optarg; break;
		case O_WAIT: M.wait = 1; break;
		case O_CANCEL: M.cancel = optarg; break;
		case O_SHARE: M.share = optarg; break;
		case O_SHELL: M.shell = 1; break;
		case O_GPU:
			if (pd_parse_long(optarg, 1, 100000, &M.gpu))
				say("--gpu: '%s' is not a number of GPU slots from 1 to 100000", optarg), exit(PD_EX_USAGE);
			break;
		default: usage(PD_EX_USAGE);
		}
	}
	if (job >= 0 && optind != argc)
		say("too many arguments (a job file takes no arguments; a command is not named *.so or *.c)"),
		    usage(PD_EX_USAGE);
	if (job >= 0) {
		/* The job is the last operand, as the checks below expect. */
		argv[argc - 1] = argv[job];
		optind = argc - 1;
	} else if (!M.fetch && !M.cancel && optind < argc) {
		M.cmd = argv + optind;
		M.ncmd = argc - optind;
		optind = argc - 1;
	}
	if (M.shell && !M.cmd)
		say("--shell goes with a command, not a job file"), exit(PD_EX_USAGE);
	if (M.cmd && M.detach)
		say("--detach runs a job file; a command runs attached only"), exit(PD_EX_USAGE);
	if (M.fetch && M.cancel)
		say("--fetch and --cancel cannot be combined"), exit(PD_EX_USAGE);
	if (M.wait && !M.fetch)
		say("--wait goes with --fetch ID"), exit(PD_EX_USAGE);
	if ((M.fetch || M.cancel) && optind != argc)
		say("--%s takes a run id, not a job", M.fetch ? "fetch" : "cancel"), exit(PD_EX_USAGE);
	if (!M.fetch && !M.cancel && optind != argc - 1) {
		say(optind == argc ? "no job given" : "too many arguments");
		usage(PD_EX_USAGE);
	}
	if (M.detach && M.gpu)
		say("--gpu runs attached only, not with --detach"), exit(PD_EX_USAGE);
	if (M.detach && (M.joblog_path || M.halt || M.tag || M.json || M.bar > 0 || M.share))
		say("--detach runs without --joblog, --halt, --tag, --json, --bar or --share (give --tag or --json to --fetch)"),
		    exit(PD_EX_USAGE);
	if (M.resume && !M.joblog_path)
		say("--resume needs --joblog FILE"), exit(PD_EX_USAGE);
	if (M.tag && M.json)
		say("--tag and --json cannot be combined"), exit(PD_EX_USAGE);
	if (M.nul && M.detach)
		say("-0 runs attached only, not with --detach (give -0 to --fetch)"), exit(PD_EX_USAGE);
	if (M.bar < 0)
		M.bar = isatty(2);
}

/* Check the job file before any record runs; exit 65 on failure. */
static void check_job(const char *path, const char *want, char *sym, size_t symsz, char **data, size_t *len)
{
	struct pd_buf names = PD_BUF_INIT, kinds = PD_BUF_INIT;
	char err[PD_ERRLEN];
	unsigned flags = 0;
	int n;

	if (pd_jobfile_inspect_kinds(path, &names, &kinds, &n, err) ||
	    pd_jobfile_pick(path, &names, &kinds, n, want, 1u << PD_KIND_MAP, "map job", sym, symsz, err) ||
	    pd_jobfile_flags(path, sym, &flags, err) || pd_read_file(path, PD_JOB_MAX, data, len, err)) {
		say("%s", err);
		pd_buf_release(&names);
		pd_buf_release(&kinds);
		exit(PD_EX_DATAERR);
	}
	pd_buf_release(&names);
	pd_buf_release(&kinds);
	/* A job that needs a GPU runs on GPU slots only: every shared one
	 * unless --gpu limits them. */
	if ((flags & PD_NEEDS_GPU) && !M.gpu)
		M.gpu = -1;
	if ((flags & PD_NEEDS_GPU) && M.detach)
		say("%s: job '%s' needs a GPU, and GPU jobs run attached only, not with --detach", path, sym),
		    exit(PD_EX_USAGE);
}

/* A job given as C source: read it (each host compiles it; the job is
 * picked from what it made); exit 65 on failure. */
static void read_source(const char *path, const char *want, char *sym, size_t symsz, char **data, size_t *len)
{
	char err[PD_ERRLEN];
	struct stat st;

	if (stat(path, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > (off_t)PD_JOBCC_SRC_MAX) {
		say("%s: %lld bytes; a job source may have at most %u", path, (long long)st.st_size, PD_JOBCC_SRC_MAX);
		exit(PD_EX_DATAERR);
	}
	if (pd_read_file(path, PD_JOBCC_SRC_MAX, data, len, err)) {
		say("%s", err);
		exit(PD_EX_DATAERR);
	}
	snprintf(sym, symsz, "%s", want ? want : "");
}

/* Replay callback: count failures like an attached run. */
static long fetched_failed;
static void fetched_cb(void *arg, const struct pd_coord_result *r)
{
	fetched_failed += r->status != PD_R_OK;
	result_cb(arg, r);
}

/* --fetch ID [--wait] and --cancel ID. */
static int ask_run(struct pd_hostsel *sel)
{
	const unsigned char *key;
	struct pd_buf log = PD_BUF_INIT;
	char err[PD_ERRLEN];
	struct pd_target t;
	const char *state;
	cJSON *st = NULL;
	long n;
	int code = pd_detach_server(sel, M.hosts != NULL, &t, &key, err);

	if (!code)
		code = pd_detach_ask(&t, key, M.fetch ? PD_OP_FETCH : PD_OP_CANCEL, M.fetch ? M.fetch : M.cancel,
				     M.wait, &st, M.fetch ? &log : NULL, err);
	if (code) {
		say("%s", err);
		goto out;
	}
	state = pd_json_str(st, "state", "?");
	if (M.cancel) {
		say("run %s cancelled (%g of %g records done)", M.cancel, pd_json_num(st, "done", 0),
		    pd_json_num(st, "total", 0));
		goto out;
	}
	if (!strcmp(state, "running")) {
		say("run %s is still running (%g of %g records done); --wait waits for it", M.fetch,
		    pd_json_num(st, "done", 0), pd_json_num(st, "total", 0));
		code = PD_EX_TEMPFAIL;
		goto out;
	}
	n = pd_detach_replay(&log, fetched_cb, NULL, err);
	if (n < 0) {
		say("%s", err);
		code = PD_EX_DATAERR;
	} else if (strcmp(state, "done")) {
		say("run %s %s%s%s (%ld of %g records have results)", M.fetch, state,
		    pd_json_str(st, "error", NULL) ? ": " : "", pd_json_str(st, "error", ""), n,
		    pd_json_num(st, "total", 0));
		code = pd_json_num(st, "code", 0) == PD_EX_OSERR ? PD_EX_OSERR : PD_EX_JOBFAIL;
	} else if (fetched_failed + M.unprintable) {
		say("%ld of %ld records failed", fetched_failed + M.unprintable, n);
		code = PD_EX_JOBFAIL;
	}
out:
	cJSON_Delete(st);
	pd_buf_release(&log);
	return code;
}

/* --detach: hand the records to the local pd-serve, print the run id. */
static int detach(struct pd_hostsel *sel, const char *jobpath, const char *sym, const char *job, size_t joblen)
{
	struct pd_detach_req r = {jobpath, sym, job, joblen, NULL, (int)M.retries, (int)M.timeout_ms,
				  M.unordered, 0, M.mem};
	char err[PD_ERRLEN], id[PD_RUN_ID_LEN];
	struct pd_target t;
	int code;

	if (!pd_target_unix_alive(sel->paths.sock)) {
		say("--detach needs a pd-serve running on this host (no answer on %s)", sel->paths.sock);
		return PD_EX_UNAVAILABLE;
	}
	pd_target_unix(&t, sel->paths.sock);
	if (sel->kind == PD_SEL_REMOTE)
		r.hosts = pd_hosts_spec(&sel->hosts);
	code = pd_detach_submit(&t, &r, id, err);
	free((char *)r.hosts);
	if (code) {
		say("%s", err);
		return code;
	}
	printf("%s\n", id);
	return 0;
}

/* The job and --share files, checked and read. */
struct files {
	char sym[256], jobpath[PD_PATH_MAX], sharepath[PD_PATH_MAX];
	char *job, *share;
	size_t joblen, sharelen;
	char *args; /* the runner's command template, or NULL */
};

/* Read the share file named by --share; 0 or an exit status. */
static int load_share(struct files *f)
{
	char err[PD_ERRLEN];

	if (!M.share)
		return 0;
	if (!realpath(M.share, f->sharepath)) {
		say("--share %s: %s", M.share, strerror(errno));
		return PD_EX_DATAERR;
	}
	if (pd_read_file(f->sharepath, PD_JOB_MAX, &f->share, &f->sharelen, err)) {
		say("--share %s: %s", M.share, err);
		return PD_EX_DATAERR;
	}
	return 0;
}

/* An attached run: coordinate the records over the selected hosts. */
static int attached(struct pd_hostsel *sel, struct files *f)
{
	static const int stop_sigs[3] = {SIGINT, SIGTERM, SIGHUP};
	struct pd_coord_cb cb = {result_cb, note_cb, M.resume ? resume_cb : NULL, NULL, NULL};
	struct event *stop_ev[3];
	struct timeval tv = {0, 200000};
	struct pd_coord_stats st;
	struct event_base *base;
	char err[PD_ERRLEN];
	pid_t embedded;
	int code, i;

	base = event_base_new();
	M.coord = pd_hostsel_coord(sel, M.slots ? (int)M.slots : pd_ncpus(), base, &(struct pd_coord_opts){
	    .job_path = f->jobpath,
	    .sym = f->sym,
	    .src = pd_jobcc_is_source(f->jobpath),
	    .job = f->job,
	    .job_len = f->joblen,
	    .key = sel->key,
	    .client = "pd-map",
	    .in_fd = 0,
	    .nul = M.nul,
	    .max_slots = (int)M.slots,
	    .gpu = (int)M.gpu,
	    .unordered = M.unordered,
	    .retries = (int)M.retries,
	    .timeout_ms = (int)M.timeout_ms,
	    .mem = M.mem,
	    .halt = M.halt,
	    .keep_input = M.tag || M.json || M.have_joblog,
	    .share = M.share ? f->sharepath : NULL,
	    .share_data = f->share,
	    .share_len = f->sharelen,
	    .args = f->args,
	}, &cb, NULL, &embedded, note_plain, err);
	if (!M.coord) {
		say("%s", err);
		event_base_free(base);
		return PD_EX_UNAVAILABLE;
	}
	if (M.bar) {
		clock_gettime(CLOCK_MONOTONIC, &M.start);
		M.bar_ev = event_new(base, -1, EV_PERSIST, draw_bar, NULL);
		event_add(M.bar_ev, &tv);
	}
	tv.tv_usec = 100000;
	M.flush_ev = event_new(base, -1, EV_PERSIST, flush_output, NULL);
	event_add(M.flush_ev, &tv);
	for (i = 0; i < 3; i++) {
		stop_ev[i] = evsignal_new(base, stop_sigs[i], on_stop_signal, NULL);
		event_add(stop_ev[i], NULL);
	}
	code = pd_coord_run(M.coord, err);
	flush_joblog();
	if (M.bar_drawn)
		fputs("\r\033[K", stderr);
	fflush(stdout);
	pd_coord_stats(M.coord, &st);
	if (code && code != PD_EX_JOBFAIL)
		say("%s", err);
	else if (code == PD_EX_JOBFAIL)
		say("%s after %ld records (%ld failed)", err, st.done, st.failed + M.unprintable);
	else if (st.failed + M.unprintable) {
		say("%ld of %ld records failed", st.failed + M.unprintable, st.done);
		code = PD_EX_JOBFAIL;
	}
	if (!code && M.joblog_said)
		code = PD_EX_OSERR; /* the results are out, but the log lacks some */
	if (M.bar_ev)
		event_free(M.bar_ev);
	event_free(M.flush_ev);
	for (i = 0; i < 3; i++)
		event_free(stop_ev[i]);
	pd_coord_free(M.coord);
	M.coord = NULL;
	event_base_loop(base, EVLOOP_NONBLOCK); /* closed peers free themselves */
	event_base_free(base);
	/* The embedded server exits and cleans up by itself once the socket
	 * closes; waiting for it would only delay the caller. */
	(void)embedded;
	return code;
}

/* A command: the built-in runner job, with the command as its argument
 * string; exit 64 when the command is too long. */
static void command_job(struct files *f)
{
	char err[PD_ERRLEN];
	int script = M.shell || (M.ncmd == 1 && pd_execjob_is_script(M.cmd[0]));

	f->args = pd_execjob_args(script ? PD_EXEC_SHELL : PD_EXEC_ARGV, PD_EXEC_IN_NULL, PD_EXEC_OUT_RAW,
				  M.cmd, M.ncmd, err);
	if (!f->args)
		say("%s", err), exit(PD_EX_USAGE);
	f->job = pd_xmalloc(pd_execjob_so_len);
	memcpy(f->job, pd_execjob_so, pd_execjob_so_len);
	f->joblen = pd_execjob_so_len;
	snprintf(f->sym, sizeof f->sym, "%s", PD_EXECJOB_SYM);
	pd_path_fmt(f->jobpath, "%s", PD_EXECJOB_NAME);
}

/* Run the job given on the command line: attached or detached. */
static int run_job(char *arg)
{
	struct files f = {0};
	struct pd_hostsel sel;
	char err[PD_ERRLEN], *path = arg, *want = M.cmd ? NULL : pd_jobfile_split(arg);
	int code;

	if (M.cmd)
		command_job(&f);
	else if (pd_jobcc_is_source(path) && M.detach) {
		say("--detach runs a compiled job; compile %s into a .so first", path);
		return PD_EX_USAGE;
	}
	else if (pd_jobcc_is_source(path))
		read_source(path, want, f.sym, sizeof f.sym, &f.job, &f.joblen);
	else
		check_job(path, want, f.sym, sizeof f.sym, &f.job, &f.joblen);
	if (!M.cmd && !realpath(path, f.jobpath))
		pd_path_fmt(f.jobpath, "%s", path);
	code = pd_hostsel_init(&sel, M.hosts, err);
	if (code)
		say("%s", err);
	if (!code)
		code = load_share(&f);
	if (!code && M.detach)
		code = detach(&sel, f.jobpath, f.sym, f.job, f.joblen);
	else if (!code && M.joblog_path && pd_joblog_open(&M.joblog, M.joblog_path, M.resume, 0666, err)) {
		say("%s", err);
		code = PD_EX_OSERR;
	} else if (!code) {
		M.have_joblog = M.joblog_path != NULL;
		if (M.have_joblog && M.joblog.torn)
			say("joblog %s: cut a torn last line (%ld bytes, left by an interrupted run); its record runs again",
			    M.joblog_path, M.joblog.torn);
		code = attached(&sel, &f);
		if (M.have_joblog)
			pd_joblog_close(&M.joblog);
	}
	pd_hostsel_release(&sel);
	free(f.job);
	free(f.share);
	free(f.args);
	return code;
}

int main(int argc, char **argv)
{
	struct pd_hostsel sel;
	char err[PD_ERRLEN];
	int code;

	pd_cli_start(argv, "pd-map", usage_text);
	signal(SIGPIPE, SIG_IGN);
	parse_options(argc, argv);
	if (M.fetch || M.cancel) {
		code = pd_hostsel_init(&sel, M.hosts, err);
		if (code)
			say("%s", err);
		else
			code = ask_run(&sel);
		pd_hostsel_release(&sel);
	} else
		code = run_job(argv[optind]);
	if (ferror(stdout) || fclose(stdout)) {
		fprintf(stderr, "pd-map: write output: %s\n", strerror(errno));
		return code ? code : PD_EX_OSERR;
	}
	return code;
}
