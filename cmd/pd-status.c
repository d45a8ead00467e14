/* pd-status - hosts, their shared and busy resources, and runs. */
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "client.h"
#include "detach.h"
#include "cli.h"
#include "err.h"
#include "hostsel.h"
#include "json.h"
#include "num.h"
#include "proto.h"
#include "watch.h"
#include "why.h"
#include "xmalloc.h"

static const char *usage_text =
    "usage: pd-status [-h] [--version] [-H HOSTS] [--json] [ID]\n"
    "       pd-status [-H HOSTS] [--json] --watch [--interval SECS] [--count N]\n"
    "       pd-status [-H HOSTS] --why ID\n";

/* The signal that ends --watch, 0 until one came. */
static volatile sig_atomic_t stop_signal;

/* State word for a host: up, down or refused. */
static const char *state_of(const struct pd_reply *r)
{
	return r->json ? "up" : r->code == PD_EX_NOPERM ? "refused" : "down";
}

/* One host as a JSON object. */
static cJSON *host_json(const struct pd_target *t, const struct pd_reply *r)
{
	cJSON *j = r->json ? cJSON_Duplicate(r->json, 1) : cJSON_CreateObject();

	cJSON_DeleteItemFromObjectCaseSensitive(j, "op");
	cJSON_AddStringToObject(j, "address", t->name);
	cJSON_AddStringToObject(j, "state", state_of(r));
	if (!r->json)
		cJSON_AddStringToObject(j, "error", r->err);
	return j;
}

/* One host as a table row. */
static void host_line(const struct pd_target *t, const struct pd_reply *r)
{
	const cJSON *j = r->json;

	if (!j) {
		printf("%-20s %-22s %-8s %s\n", "-", t->name, state_of(r), r->err);
		return;
	}
	printf("%-20s %-22s %-8s cpu %3g/%-3g busy %-3g gpu %g/%g busy %g  %s\n", pd_json_str(j, "host", "?"),
	       t->name, "up", pd_json_num(j, "shared", 0), pd_json_num(j, "cpus", 0), pd_json_num(j, "busy", 0),
	       pd_json_num(j, "gpus_shared", 0), pd_json_num(j, "gpus", 0), pd_json_num(j, "gpus_busy", 0),
	       pd_json_str(j, "version", "?"));
}

/* One detached run as a line. */
static void run_line(const cJSON *r)
{
	printf("run %s %-9s %g/%g done, %g failed  %s\n", pd_json_str(r, "id", "?"), pd_json_str(r, "state", "?"),
	       pd_json_num(r, "done", 0), pd_json_num(r, "total", 0), pd_json_num(r, "failed", 0),
	       pd_json_str(r, "sym", ""));
}

/* The runs each host has: attached clients' work, then detached runs. */
static void runs_lines(const struct pd_reply *r, int n)
{
	const cJSON *run;
	int i;

	for (i = 0; i < n; i++) {
		if (!r[i].json)
			continue;
		cJSON_ArrayForEach(run, cJSON_GetObjectItemCaseSensitive(r[i].json, "attached"))
			printf("attached %s from %s on %s: %g running, %g queued batches, %g records done\n",
			       pd_json_str(run, "client", "?"), pd_json_str(run, "from", "?"),
			       pd_json_str(r[i].json, "host", "?"), pd_json_num(run, "running", 0),
			       pd_json_num(run, "queued", 0), pd_json_num(run, "records", 0));
		cJSON_ArrayForEach(run, cJSON_GetObjectItemCaseSensitive(r[i].json, "runs"))
			run_line(run);
	}
}

/* pd-status ID: one run's detail from the first host (or the local one). */
static int show_run(const struct pd_target *t, const unsigned char *key, const char *id, int json)
{
	char err[PD_ERRLEN];
	cJSON *st = NULL;
	int code = pd_detach_ask(t, key, PD_OP_RUNSTAT, id, 0, &st, NULL, err);

	if (code)
		pd_cli_die(code, "%s", err);
	cJSON_DeleteItemFromObjectCaseSensitive(st, "op");
	if (json) {
		char *text = cJSON_PrintUnformatted(st);

		puts(text);
		cJSON_free(text);
	} else {
		run_line(st);
		if (pd_json_str(st, "error", NULL))
			printf("error: %s\n", pd_json_str(st, "error", ""));
	}
	cJSON_Delete(st);
	return 0;
}

/* The exit status of a round of replies: 0 when a host is up, 77 when
 * every host refused the key, else 69. */
static int replies_code(const struct pd_reply *r, int n)
{
	int i, up = 0, refused = 0;

	for (i = 0; i < n; i++) {
		up += r[i].json != NULL;
		refused += r[i].code == PD_EX_NOPERM;
	}
	return up ? 0 : refused == n ? PD_EX_NOPERM : PD_EX_UNAVAILABLE;
}

/* Ask every host for its info at once; r[i] gets host i's reply. */
static void ask_info(const struct pd_target *t, int n, const unsigned char *key, struct pd_reply *r)
{
	cJSON *req = cJSON_CreateObject();
	int i;

	cJSON_AddStringToObject(req, "op", PD_OP_INFO);
	for (i = 0; i < n; i++)
		memset(&r[i], 0, sizeof r[i]);
	pd_client_multi(t, n, key, "pd-status", req, 5, r);
	cJSON_Delete(req);
}

/* Forget a round of replies. */
static void replies_release(struct pd_reply *r, int n)
{
	int i;

	for (i = 0; i < n; i++) {
		cJSON_Delete(r[i].json);
		r[i].json = NULL;
	}
}

/* The views of n hosts for watch.c and why.c, from their replies. */
static void views_of(const struct pd_target *t, const struct pd_reply *r, int n, struct pd_host_view *v)
{
	int i;

	for (i = 0; i < n; i++)
		v[i] = (struct pd_host_view){t[i].name, r[i].json, state_of(&r[i]), r[i].json ? "" : r[i].err};
}

/* One frame as the JSON array of hosts (--watch --json). */
static void print_json(const struct pd_target *t, const struct pd_reply *r, int n)
{
	cJSON *all = cJSON_CreateArray();
	char *text;
	int i;

	for (i = 0; i < n; i++)
		cJSON_AddItemToArray(all, host_json(&t[i], &r[i]));
	text = cJSON_PrintUnformatted(all);
	puts(text);
	cJSON_free(text);
	cJSON_Delete(all);
}

/* The terminal's size when stdout is one; else COLUMNS (or 80) wide and
 * no row limit. */
static void screen_size(int tty, int *cols, int *rows)
{
	struct winsize ws;
	long c;

	*cols = 80;
	*rows = 0;
	if (tty && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) {
		*cols = ws.ws_col;
		*rows = ws.ws_row;
	} else if (getenv("COLUMNS") && pd_parse_long(getenv("COLUMNS"), 1, 10000, &c) == 0) {
		*cols = (int)c;
	}
}

/* Print a frame: on a terminal over the last one (cursor home, each line
 * cut to the width and cleared to its end, the rest of the screen
 * cleared); elsewhere as plain lines and an empty line after. */
static void print_frame(const struct pd_buf *f, int tty, int cols, int rows)
{
	const char *p = f->data, *nl;
	int len, line = 0;

	if (!tty) {
		printf("%s\n", f->data);
		return;
	}
	fputs("\033[H", stdout);
	for (; *p && (!rows || line < rows - 1); p = *nl ? nl + 1 : nl, line++) {
		nl = strchrnul(p, '\n');
		len = (int)(nl - p) < cols ? (int)(nl - p) : cols;
		printf("%.*s\033[K\n", len, p);
	}
	fputs("\033[J", stdout);
}

/* --watch: ends the loop at its next turn. */
static void on_stop(int sig)
{
	stop_signal = sig;
}

/* Sleep until monotonic time `until` (seconds), or a signal in
 * `unblocked` (the mask with SIGINT and SIGTERM let through) comes. */
static void sleep_until(double until, const sigset_t *unblocked)
{
	struct timespec now, ts;
	double left;

	while (!stop_signal) {
		clock_gettime(CLOCK_MONOTONIC, &now);
		left = until - (now.tv_sec + now.tv_nsec / 1e9);
		if (left <= 0)
			return;
		ts.tv_sec = (time_t)left;
		ts.tv_nsec = (long)((left - (double)ts.tv_sec) * 1e9);
		ppoll(NULL, 0, &ts, unblocked);
	}
}

/* --watch: a frame every interval, count frames (0: until a signal).
 * SIGINT and SIGTERM are held while a frame is made and taken while
 * waiting, so a frame is never cut and the cursor comes back.  Returns
 * 0 after a signal, else the last frame's exit status. */
static int watch(const struct pd_target *t, int n, const unsigned char *key, int json, long interval_ms,
		 long count)
{
	struct pd_reply *r = pd_xcalloc((size_t)n, sizeof *r);
	struct pd_host_view *v = pd_xcalloc((size_t)n, sizeof *v);
	struct pd_watch *w = pd_watch_new();
	struct pd_buf f = PD_BUF_INIT;
	struct sigaction sa = {0};
	struct timespec ts;
	sigset_t block, unblocked;
	int tty = !json && isatty(STDOUT_FILENO), code = 0, cols, rows;
	double start;
	long i;

	sa.sa_handler = on_stop;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigprocmask(SIG_BLOCK, &block, &unblocked);
	sigdelset(&unblocked, SIGINT);
	sigdelset(&unblocked, SIGTERM);
	if (tty)
		fputs("\033[?25l\033[H\033[2J", stdout); /* hide the cursor, clear */
	clock_gettime(CLOCK_MONOTONIC, &ts);
	start = ts.tv_sec + ts.tv_nsec / 1e9;
	for (i = 0; !stop_signal && (!count || i < count); i++) {
		if (i)
			sleep_until(start + i * (interval_ms / 1000.0), &unblocked);
		if (stop_signal)
			break;
		ask_info(t, n, key, r);
		code = replies_code(r, n);
		if (json) {
			print_json(t, r, n);
		} else {
			views_of(t, r, n, v);
			clock_gettime(CLOCK_MONOTONIC, &ts);
			screen_size(tty, &cols, &rows);
			pd_buf_reset(&f);
			pd_watch_frame(w, v, n, ts.tv_sec + ts.tv_nsec / 1e9, time(NULL), cols, &f);
			print_frame(&f, tty, cols, rows);
		}
		fflush(stdout);
		replies_release(r, n);
	}
	if (tty)
		fputs("\033[?25h", stdout); /* the cursor back */
	fflush(stdout);
	pd_buf_release(&f);
	pd_watch_free(w);
	free(v);
	free(r);
	return stop_signal ? 0 : code;
}

/* The targets of a run's host list ("a:1,b:2"); -1 with err. */
static int run_targets(const char *hosts, struct pd_target **t, char *err)
{
	return pd_targets_parse(hosts, "the run's hosts", t, pd_cli_note_cb, NULL, err);
}

/* --why ID: the run's status from its keeper (as for pd-status ID), its
 * hosts' info, and the explanation. */
static int why(struct pd_hostsel *sel, const struct pd_target *keeper, const char *id)
{
	const unsigned char *key = sel->kind == PD_SEL_REMOTE ? sel->key : NULL;
	const char *hosts;
	struct pd_target *t = NULL;
	struct pd_reply *r;
	struct pd_host_view *v;
	struct pd_buf out = PD_BUF_INIT;
	char err[PD_ERRLEN];
	cJSON *st = NULL;
	int code = pd_detach_ask(keeper, key, PD_OP_RUNSTAT, id, 0, &st, NULL, err), n, perm;

	if (code)
		pd_cli_die(code, "%s", err);
	hosts = pd_json_str(st, "hosts", NULL);
	if (hosts && !key && pd_key_load(sel->paths.key, sel->key, &perm, err) == 0)
		key = sel->key;
	n = hosts ? run_targets(hosts, &t, err) : 1;
	if (n < 0)
		pd_cli_die(PD_EX_DATAERR, "run %s: %s", id, err);
	r = pd_xcalloc((size_t)n + 1, sizeof *r);
	v = pd_xcalloc((size_t)n + 1, sizeof *v);
	if (hosts && !key) /* they cannot be asked: the run's own view only */
		for (int i = 0; i < n; i++)
			snprintf(r[i].err, sizeof r[i].err, "not asked: %.200s", err);
	else
		ask_info(hosts ? t : keeper, n, key, r);
	views_of(hosts ? t : keeper, r, n, v);
	pd_why_explain(st, v, n, &out);
	fputs(out.data, stdout);
	replies_release(r, n);
	pd_buf_release(&out);
	cJSON_Delete(st);
	free(v);
	free(r);
	free(t);
	return 0;
}

int main(int argc, char **argv)
{
	enum { O_VERSION = 256, O_JSON, O_WATCH, O_INTERVAL, O_COUNT, O_WHY };
	static const struct option longopts[] = {
	    {"help", no_argument, 0, 'h'}, {"version", no_argument, 0, O_VERSION},
	    {"hosts", required_argument, 0, 'H'}, {"json", no_argument, 0, O_JSON},
	    {"watch", no_argument, 0, O_WATCH}, {"interval", required_argument, 0, O_INTERVAL},
	    {"count", required_argument, 0, O_COUNT}, {"why", required_argument, 0, O_WHY}, {0, 0, 0, 0}};
	const char *hosts = NULL, *why_id = NULL;
	struct pd_target *t;
	struct pd_reply *r;
	struct pd_hostsel sel;
	char err[PD_ERRLEN];
	int ch, json = 0, watching = 0, timing = 0, n, i, code;
	long interval_ms = 1000, count = 0; /* count 0: until a signal */
	pid_t none;

	pd_cli_start(argv, "pd-status", usage_text);

	while ((ch = pd_cli_getopt(argc, argv, "hH:", longopts, O_VERSION)) != -1) {
		switch (ch) {
		case 'H': hosts = optarg; break;
		case O_JSON: json = 1; break;
		case O_WATCH: watching = 1; break;
		case O_INTERVAL:
			timing = 1;
			if (pd_parse_seconds_ms(optarg, &interval_ms) || interval_ms < 1)
				pd_cli_die(PD_EX_USAGE, "--interval: '%s' is not a number of seconds above 0", optarg);
			break;
		case O_COUNT:
			timing = 1;
			if (pd_parse_long(optarg, 1, 1L << 30, &count))
				pd_cli_die(PD_EX_USAGE, "--count: '%s' is not a number of frames from 1", optarg);
			break;
		case O_WHY: why_id = optarg; break;
		default: pd_cli_usage(PD_EX_USAGE);
		}
	}
	if (optind < argc - 1)
		pd_cli_die(PD_EX_USAGE, "unexpected argument '%s'", argv[optind + 1]);
	if (!watching && timing)
		pd_cli_die(PD_EX_USAGE, "--interval and --count go with --watch");
	if (watching && (why_id || optind < argc))
		pd_cli_die(PD_EX_USAGE, "--watch shows every host and run; it takes no run ID and no --why");
	if (why_id && (json || optind < argc))
		pd_cli_die(PD_EX_USAGE, "--why takes no other run ID and no --json");
	code = pd_hostsel_init(&sel, hosts, err);
	if (code)
		pd_cli_die(code, "%s", err);
	if (sel.kind == PD_SEL_EMBEDDED)
		pd_cli_die(PD_EX_UNAVAILABLE, "no hosts configured and no pd-serve running here (see playdoh(7))");
	t = pd_xcalloc((size_t)sel.hosts.n + 1, sizeof *t);
	r = pd_xcalloc((size_t)sel.hosts.n + 1, sizeof *r);
	n = pd_hostsel_targets(&sel, 0, t, &none, pd_cli_note, err);
	if (n < 0)
		pd_cli_die(PD_EX_UNAVAILABLE, "%s", err);
	if (optind < argc || why_id)
		code = why_id ? why(&sel, &t[0], why_id)
			      : show_run(&t[0], sel.kind == PD_SEL_REMOTE ? sel.key : NULL, argv[optind], json);
	else if (watching)
		code = watch(t, n, sel.kind == PD_SEL_REMOTE ? sel.key : NULL, json, interval_ms, count);
	else {
		ask_info(t, n, sel.key, r);
		if (json)
			print_json(t, r, n);
		for (i = 0; i < n && !json; i++)
			host_line(&t[i], &r[i]);
		if (!json)
			runs_lines(r, n);
		code = replies_code(r, n);
		replies_release(r, n);
	}
	pd_hostsel_release(&sel);
	free(t);
	free(r);
	return code;
}
