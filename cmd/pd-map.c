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
#include "paths.h"
#include "proto.h"
#include "results.h"
#include "xmalloc.h"
#include "rcache.h"
#include "runcli.h"

static const char *usage_text =
    "usage: pd-map [-h] [--version] [-0] [-c N] [--gpu N] [-H HOSTS] [-S SSH-HOSTS] [--unordered] [--tag]\n"
    "              [--json] [--joblog FILE [--resume | --resume-failed | --retry-failed]] [--retries N]\n"
    "              [--halt] [--timeout SEC] [--mem SIZE] [--bar | --no-bar] [--share FILE] [--results DIR]\n"
    "              [--cache [--cache-size SIZE]] [--detach] JOB.so[:NAME] < RECORDS\n"
    "       pd-map [options as above but --detach] [--shell] COMMAND [ARG ...] < RECORDS\n"
    "       pd-map [-H HOST] [-0] [--tag | --json] [--results DIR] --fetch ID [--wait]\n"
    "       pd-map [-H HOST] --cancel ID\n"
    "       pd-map --cache-list | --cache-prune [--cache-size SIZE]\n";

static void usage(int code)
{
	fputs(usage_text, code ? stderr : stdout);
	exit(code);
}

/* Options and run state. */
struct map {
	const char *hosts, *ssh, *joblog_path, *fetch, *cancel, *share, *results_dir;
	int detach, wait;
	long slots, retries, gpu; /* gpu: --gpu N, -1 for a GPU job without it */
	struct pd_runopts run;	  /* --timeout, --mem, ... (runcli.h) */
	int unordered, tag, json, halt, resume, bar;
	int retry_failed; /* --retry-failed: run only what the log says failed */
	long left_out;	  /* records --retry-failed did not run */
	int nul;	  /* -0: records and results end in NUL, not newline */
	char **cmd;	  /* COMMAND [ARG ...], or NULL for a job file */
	int ncmd, shell;  /* its words; --shell */
	long unprintable; /* ok results that plain output cannot hold (a separator in them) */
	struct pd_joblog joblog;
	int have_joblog, joblog_said;
	struct pd_results results; /* --results DIR, fd -1 until opened */
	int results_said;
	struct pd_coord *coord;
	struct event *bar_ev, *flush_ev;
	int cache, cache_list, cache_prune, nondet;
	long long cache_size;	/* --cache-size, 0 when not given */
	struct pd_rcache *rc;	/* open during a --cache run */
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
	if (M.rc)
		pd_rcache_flush(M.rc, NULL);
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
static int open_results(void)
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
static int finish_results(int code)
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
static void result_cb(void *arg, const struct pd_coord_result *r)
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
static int resume_cb(void *arg, long lineno, const char *line, size_t len, struct pd_buf *out,
		     const char **host, double *ms)
{
	(void)arg;
	if (pd_joblog_lookup(&M.joblog, lineno, line, len, out, host, ms))
		return 1;
	/* --retry-failed runs a record only when its last entry failed */
	return M.retry_failed && pd_joblog_state(&M.joblog, lineno) != PD_JOBLOG_FAILED ? 2 : 0;
}

/* Coordinator: is this record's result in the cache? */
static int cached_cb(void *arg, const char *line, size_t len, struct pd_coord_hit *hit)
{
	struct pd_rcache_hit h;

	(void)arg;
	if (!pd_rcache_get(M.rc, line, len, &h))
		return 0;
	*hit = (struct pd_coord_hit){h.out, h.host, h.outlen, h.ms, h.tries};
	return 1;
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

/* --resume and --resume-failed (the same: records whose log entry
 * failed run again), or --retry-failed (only those); one of them. */
static void resume_opt(const char *name, int retry)
{
	static const char *given;

	if (given && (retry != M.retry_failed))
		say("%s and %s cannot be combined", given, name), exit(PD_EX_USAGE);
	given = name;
	M.resume = 1;
	M.retry_failed = retry;
}

/* --cache and its fellows: cross-option checks. */
static void check_cache_options(int argc)
{
	if (M.cache_list + M.cache_prune + M.cache > 1)
		say("--cache, --cache-list and --cache-prune cannot be combined"), exit(PD_EX_USAGE);
	if ((M.cache_list || M.cache_prune) && (optind != argc || M.fetch || M.cancel))
		say("--cache-%s takes no job", M.cache_list ? "list" : "prune"), exit(PD_EX_USAGE);
	if (M.cache_size && !M.cache && !M.cache_prune)
		say("--cache-size goes with --cache or --cache-prune"), exit(PD_EX_USAGE);
	if (M.cache && M.detach)
		say("--cache runs attached only, not with --detach (the cache is this host's)"), exit(PD_EX_USAGE);
	if (M.cache && (M.fetch || M.cancel))
		say("--cache goes with a run, not with --%s", M.fetch ? "fetch" : "cancel"), exit(PD_EX_USAGE);
}

/* getopt_long, stopping at the first operand ("+": a command's options
 * are its own), except that options may follow a job file, whose index
 * goes to *job. */
static int next_option(int argc, char **argv, const struct option *longopts, int *job)
{
	int ch;

	for (;;) {
		ch = getopt_long(argc, argv, "+h0c:H:S:", longopts, NULL);
		if (ch != -1 || *job >= 0 || optind >= argc || !pd_execjob_is_jobfile(argv[optind]))
			return ch;
		*job = optind++;
	}
}

/* Options of pd-map. */
static void parse_options(int argc, char **argv)
{
	enum { O_VERSION = 256, O_UNORDERED, O_TAG, O_JSON, O_JOBLOG, O_RESUME, O_RETRIES, O_HALT,
	       O_BAR, O_NOBAR, O_DETACH, O_FETCH, O_WAIT, O_CANCEL, O_SHARE, O_GPU,
	       O_RESUME_FAILED, O_RETRY_FAILED, O_RESULTS, O_CACHE, O_CACHE_SIZE, O_CACHE_LIST, O_CACHE_PRUNE,
	       O_SHELL };
	static const struct option longopts[] = {
	    {"help", no_argument, 0, 'h'},	   {"version", no_argument, 0, O_VERSION},
	    {"null", no_argument, 0, '0'},
	    {"cpu", required_argument, 0, 'c'},   {"hosts", required_argument, 0, 'H'},
	    {"ssh", required_argument, 0, 'S'},
	    {"unordered", no_argument, 0, O_UNORDERED}, {"tag", no_argument, 0, O_TAG},
	    {"json", no_argument, 0, O_JSON},	   {"joblog", required_argument, 0, O_JOBLOG},
	    {"resume", no_argument, 0, O_RESUME}, {"retries", required_argument, 0, O_RETRIES},
	    {"resume-failed", no_argument, 0, O_RESUME_FAILED}, {"retry-failed", no_argument, 0, O_RETRY_FAILED},
	    {"results", required_argument, 0, O_RESULTS},
	    {"halt", no_argument, 0, O_HALT},
	    {"bar", no_argument, 0, O_BAR},	   {"no-bar", no_argument, 0, O_NOBAR},
	    {"detach", no_argument, 0, O_DETACH}, {"fetch", required_argument, 0, O_FETCH},
	    {"wait", no_argument, 0, O_WAIT},	   {"cancel", required_argument, 0, O_CANCEL},
	    {"share", required_argument, 0, O_SHARE}, {"gpu", required_argument, 0, O_GPU},
	    {"cache", no_argument, 0, O_CACHE}, {"cache-size", required_argument, 0, O_CACHE_SIZE},
	    {"cache-list", no_argument, 0, O_CACHE_LIST}, {"cache-prune", no_argument, 0, O_CACHE_PRUNE},
	    {"shell", no_argument, 0, O_SHELL},
	    {0, 0, 0, 0}};
	int ch, job = -1;

	M.bar = -1;
	const struct option *all = pd_runcli_longopts(longopts);

	while ((ch = next_option(argc, argv, all, &job)) != -1) {
		if (pd_runcli_parse(ch, optarg, &M.run))
			continue;
		switch (ch) {
		case 'h': usage(0); break;
		case '0': M.nul = 1; break;
		case O_VERSION: printf("pd-map %s (protocol %d)\n", PD_VERSION, PD_PROTO_VERSION); exit(0);
		case 'c':
			if (pd_parse_long(optarg, 1, 100000, &M.slots))
				say("-c: '%s' is not a number of slots from 1 to 100000", optarg), exit(PD_EX_USAGE);
			break;
		case 'H': M.hosts = optarg; break;
		case 'S': M.ssh = optarg; break;
		case O_UNORDERED: M.unordered = 1; break;
		case O_TAG: M.tag = 1; break;
		case O_JSON: M.json = 1; break;
		case O_JOBLOG: M.joblog_path = optarg; break;
		case O_RESUME: resume_opt("--resume", 0); break;
		case O_RESUME_FAILED: resume_opt("--resume-failed", 0); break;
		case O_RETRY_FAILED: resume_opt("--retry-failed", 1); break;
		case O_RETRIES:
			if (pd_parse_long(optarg, 0, 100, &M.retries))
				say("--retries: '%s' is not a number from 0 to 100", optarg), exit(PD_EX_USAGE);
			break;
		case O_HALT: M.halt = 1; break;
		case O_BAR: M.bar = 1; break;
		case O_NOBAR: M.bar = 0; break;
		case O_DETACH: M.detach = 1; break;
		case O_FETCH: M.fetch = optarg; break;
		case O_WAIT: M.wait = 1; break;
		case O_CANCEL: M.cancel = optarg; break;
		case O_SHARE: M.share = optarg; break;
		case O_RESULTS: M.results_dir = optarg; break;
		case O_SHELL: M.shell = 1; break;
		case O_GPU:
			if (pd_parse_long(optarg, 1, 100000, &M.gpu))
				say("--gpu: '%s' is not a number of GPU slots from 1 to 100000", optarg), exit(PD_EX_USAGE);
			break;
		case O_CACHE: M.cache = 1; break;
		case O_CACHE_SIZE:
			if (pd_size_parse(optarg, &M.cache_size))
				say("--cache-size: '%s' is not a size (bytes, or a number with K, M, G or T)", optarg),
				    exit(PD_EX_USAGE);
			break;
		case O_CACHE_LIST: M.cache_list = 1; break;
		case O_CACHE_PRUNE: M.cache_prune = 1; break;
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
	check_cache_options(argc);
	if (M.fetch && M.cancel)
		say("--fetch and --cancel cannot be combined"), exit(PD_EX_USAGE);
	if (M.wait && !M.fetch)
		say("--wait goes with --fetch ID"), exit(PD_EX_USAGE);
	if ((M.fetch || M.cancel) && optind != argc)
		say("--%s takes a run id, not a job", M.fetch ? "fetch" : "cancel"), exit(PD_EX_USAGE);
	if (!M.fetch && !M.cancel && !M.cache_list && !M.cache_prune && optind != argc - 1) {
		say(optind == argc ? "no job given" : "too many arguments");
		usage(PD_EX_USAGE);
	}
	if (M.ssh && (M.detach || M.fetch || M.cancel))
		say("-S starts servers for an attached run only, not with --%s",
		    M.detach ? "detach" : M.fetch ? "fetch" : "cancel"), exit(PD_EX_USAGE);
	if (M.detach && M.gpu)
		say("--gpu runs attached only, not with --detach"), exit(PD_EX_USAGE);
	if (M.detach && (M.joblog_path || M.halt || M.tag || M.json || M.bar > 0 || M.share || M.results_dir))
		say("--detach runs without --joblog, --halt, --tag, --json, --bar, --share or --results (give --tag, --json "
		    "or --results to --fetch)"),
		    exit(PD_EX_USAGE);
	if (M.cancel && M.results_dir)
		say("--results goes with a run or --fetch, not --cancel"), exit(PD_EX_USAGE);
	if (M.resume && !M.joblog_path)
		say("%s needs --joblog FILE", M.retry_failed ? "--retry-failed" : "--resume"), exit(PD_EX_USAGE);
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
	M.nondet = (flags & PD_NONDETERMINISTIC) != 0;
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
	/* Its flags are known only where it compiles: a source that names
	 * the flag anywhere counts as non-deterministic for --cache. */
	M.nondet = memmem(*data, *len, "PD_NONDETERMINISTIC", 19) != NULL;
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
	if ((code = open_results()) != 0)
		goto out;
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
	return finish_results(code);
}

/* --detach: hand the records to the local pd-serve, print the run id. */
static int detach(struct pd_hostsel *sel, const char *jobpath, const char *sym, const char *job, size_t joblen)
{
	struct pd_detach_req r = {jobpath, sym, job, joblen, NULL, (int)M.retries, M.unordered, 0, M.run};
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

/* 1 when the command given (not a job file) holds {#}: its result
 * depends on the record's number. */
static int command_uses_lineno(void)
{
	int i;

	for (i = 0; M.cmd && i < M.ncmd; i++)
		if (strstr(M.cmd[i], "{#}"))
			return 1;
	return 0;
}

/* --cache: open the result cache for this run's context, unless the job
 * says its results are not worth keeping.  0 or an exit status. */
static int open_cache(const struct pd_hostsel *sel, const struct files *f)
{
	struct pd_rcache_ctx *ctx;
	char dir[PD_PATH_MAX], err[PD_ERRLEN];
	long long limit = M.cache_size ? M.cache_size : pd_rcache_limit_env();

	if (!M.cache)
		return 0;
	if (M.nondet) {
		say("--cache: job '%s' is marked PD_NONDETERMINISTIC: its results are not cached",
		    *f->sym ? f->sym : f->jobpath);
		return 0;
	}
	if (command_uses_lineno()) {
		say("--cache: the command uses {#}, the record's number, which is not in the cache's key: its results "
		    "are not cached");
		return 0;
	}
	if (limit < 0) {
		say("PD_CACHE_SIZE: '%s' is not a size (bytes, or a number with K, M, G or T)", getenv("PD_CACHE_SIZE"));
		return PD_EX_USAGE;
	}
	ctx = pd_xmalloc(sizeof *ctx);
	pd_rcache_ctx_make(ctx, &(struct pd_rcache_job){
	    .job_path = f->jobpath, .sym = f->sym, .job = f->job, .job_len = f->joblen,
	    .src = pd_jobcc_is_source(f->jobpath), .gpu = M.gpu != 0,
	    .share_path = M.share ? f->sharepath : NULL, .share = f->share, .share_len = f->sharelen,
	    .args = f->args,
	});
	if (pd_rcache_dir(sel->paths.state, dir, err) == 0)
		M.rc = pd_rcache_open(dir, ctx, limit, err);
	free(ctx);
	if (!M.rc) {
		say("--cache: %s", err);
		return PD_EX_OSERR;
	}
	return 0;
}

/* --cache: write out what the run adds and say what the cache did. */
static void close_cache(long records)
{
	struct pd_rcache_stats st;
	char err[PD_ERRLEN];

	if (!M.rc)
		return;
	if (pd_rcache_close(M.rc, &st, err))
		say("--cache: %s (the results not written run again next time)", err);
	M.rc = NULL;
	if (st.damaged)
		say("--cache: skipped %lld bytes of damaged or torn entries (a result there is computed again)",
		    st.damaged);
	say("--cache: %ld of %ld records from the cache, %ld results stored%s", st.hits, records, st.stored,
	    st.evicted ? ", least recently used ones dropped to keep the size limit" : "");
}

/* An attached run: coordinate the records over the selected hosts. */
static int attached(struct pd_hostsel *sel, struct files *f)
{
	static const int stop_sigs[3] = {SIGINT, SIGTERM, SIGHUP};
	struct pd_coord_cb cb = {result_cb, note_cb, M.resume ? resume_cb : NULL, NULL, NULL,
				 M.rc ? cached_cb : NULL};
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
	    .run = M.run,
	    .halt = M.halt,
	    .keep_input = M.tag || M.json || M.have_joblog || M.results_dir || M.rc,
	    .share = M.share ? f->sharepath : NULL,
	    .share_data = f->share,
	    .share_len = f->sharelen,
	    .args = f->args,
	}, &cb, NULL, &embedded, note_plain, err);
	if (!M.coord) {
		say("%s", err);
		if (M.rc) {
			struct pd_rcache_stats cst;

			pd_rcache_close(M.rc, &cst, err);
			M.rc = NULL;
		}
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
	pd_coord_stats(M.coord, &st);
	close_cache(st.done);
	if (M.bar_drawn)
		fputs("\r\033[K", stderr);
	fflush(stdout);
	pd_coord_stats(M.coord, &st);
	if (code && code != PD_EX_JOBFAIL)
		say("%s", err);
	else if (code == PD_EX_JOBFAIL)
		say("%s after %ld records (%ld failed)", err, st.done, st.failed + M.unprintable);
	else if (st.failed + M.unprintable) {
		say("%ld of %ld records failed", st.failed + M.unprintable, st.done - M.left_out);
		code = PD_EX_JOBFAIL;
	}
	if (M.left_out)
		say("--retry-failed left out %ld record%s that the joblog does not show as failed (--resume-failed "
		    "runs those not yet run)", M.left_out, M.left_out == 1 ? "" : "s");
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
	code = pd_hostsel_init(&sel, M.hosts, M.ssh, err);
	if (code)
		say("%s", err);
	if (!code && M.detach && pd_hosts_count_ssh(&sel.hosts)) {
		say("%s: ssh hosts take attached runs only, not --detach", sel.source);
		code = PD_EX_USAGE;
	}
	if (!code)
		code = load_share(&f);
	if (!code && !M.detach)
		code = open_results();
	if (!code)
		code = open_cache(&sel, &f);
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
	code = finish_results(code);
	pd_hostsel_release(&sel);
	free(f.job);
	free(f.share);
	free(f.args);
	return code;
}

/* One context of the cache, a line of --cache-list. */
static void list_one(void *arg, const struct pd_rcache_info *i)
{
	char when[32];
	time_t t = (time_t)i->last_used;
	struct tm tm;

	(void)arg;
	strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&t, &tm));
	printf("%s %8ld %12lld  %s  %s\n", i->id, i->entries, i->bytes, when, shown(i->desc, strlen(i->desc), 400));
}

/* --cache-list and --cache-prune [--cache-size SIZE]. */
static int cache_admin(void)
{
	struct pd_rcache_stats st;
	struct pd_paths paths;
	char dir[PD_PATH_MAX], err[PD_ERRLEN];

	if (pd_paths_init(&paths, err) || pd_rcache_dir(paths.state, dir, err)) {
		say("%s", err);
		return PD_EX_USAGE;
	}
	if (M.cache_list) {
		printf("%-24s %8s %12s  %-20s  %s\n", "CONTEXT", "RESULTS", "BYTES", "LAST USED", "JOB");
		if (pd_rcache_list(dir, list_one, NULL, &st, err)) {
			say("--cache-list: %s", err);
			return PD_EX_OSERR;
		}
		printf("%-24s %8ld %12lld  (the log, in %s)\n", "total", st.entries, st.size, dir);
		if (st.damaged)
			say("--cache-list: %lld bytes of damaged or torn entries (dropped at the next --cache-prune)", st.damaged);
		return 0;
	}
	if (pd_rcache_prune(dir, M.cache_size, &st, err)) {
		say("--cache-prune: %s", err);
		return PD_EX_OSERR;
	}
	say("--cache-prune: %ld results dropped, %ld kept (%lld bytes)", st.evicted, st.entries, st.size);
	return 0;
}

int main(int argc, char **argv)
{
	struct pd_hostsel sel;
	char err[PD_ERRLEN];
	int code;

	pd_cli_start(argv, "pd-map", usage_text);
	M.results.fd = -1;
	signal(SIGPIPE, SIG_IGN);
	parse_options(argc, argv);
	if (M.cache_list || M.cache_prune) {
		code = cache_admin();
	} else if (M.fetch || M.cancel) {
		code = pd_hostsel_init(&sel, M.hosts, NULL, err);
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
