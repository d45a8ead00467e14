/* pd-map - run a job on every input record, across the cluster: options, the job, the run's flow. */
#include <getopt.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fdio.h"
#include "cli.h"
#include "err.h"
#include "execjob.h"
#include "jobcc.h"
#include "jobfile.h"
#include "num.h"
#include "playdoh.h"
#include "memlimit.h"
#include "proto.h"
#include "xmalloc.h"
#include "runcli.h"
#include "map.h"

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

struct map M;

/* A line on stderr in the project's error grammar. */
void say(const char *fmt, ...)
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
	    .order = M.unordered ? PD_ORDER_NONE : PD_ORDER_INPUT,
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
