/* pd-task - run a task on k nodes joined by tubes. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "fdio.h"
#include "buf.h"
#include "cli.h"
#include "err.h"
#include "hosts.h"
#include "hostsel.h"
#include "jobcc.h"
#include "jobfile.h"
#include "json.h"
#include "num.h"
#include "pathfmt.h"
#include "playdoh.h"
#include "proto.h"
#include "coord.h"
#include "detach.h"
#include "taskplan.h"
#include "taskrun.h"
#include "topology.h"
#include "xmalloc.h"

static const char *usage_text =
    "usage: pd-task [-h] [--version] [-n NODES] [-t TOPOLOGY] [--args ARGS] [--json] [-H HOSTS]\n"
    "               [-S SSH-HOSTS] [--timeout SEC] [-c N] [--oversubscribe] [--detach]\n"
    "               TASK.so[:NAME] [< ARGS-LINES]\n"
    "       pd-task [-H HOST] [--json] --fetch ID [--wait]\n"
    "       pd-task [-H HOST] --cancel ID\n";

/* Options. */
struct opts {
	long nodes, slots, timeout_ms;
	const char *topology, *args, *hosts, *ssh, *fetch, *cancel;
	int json, oversubscribe, detach, wait;
};

/* A grid or torus topology: its size is checked now (exit 64), and
 * without -n it gives the number of nodes. */
static void grid_nodes(struct opts *o)
{
	char err[PD_ERRLEN];
	int rows, cols, rc = pd_topology_grid(o->topology, &rows, &cols, NULL, err);

	if (rc < 0)
		pd_cli_die(PD_EX_USAGE, "-t: %s", err);
	if (rc > 0 && !o->nodes) {
		if ((long)rows * cols > PD_TOPOLOGY_NODES_MAX)
			pd_cli_die(PD_EX_USAGE, "-t: topology '%s' has %ld nodes (at most %d)", o->topology,
				   (long)rows * cols, PD_TOPOLOGY_NODES_MAX);
		o->nodes = (long)rows * cols;
	}
}

/* Options of pd-task. */
static void parse_options(int argc, char **argv, struct opts *o)
{
	enum { O_VERSION = 256, O_ARGS, O_JSON, O_TIMEOUT, O_OVER, O_DETACH, O_FETCH, O_WAIT, O_CANCEL };
	static const struct option longopts[] = {
	    {"help", no_argument, 0, 'h'},	    {"version", no_argument, 0, O_VERSION},
	    {"nodes", required_argument, 0, 'n'},  {"topology", required_argument, 0, 't'},
	    {"args", required_argument, 0, O_ARGS}, {"json", no_argument, 0, O_JSON},
	    {"timeout", required_argument, 0, O_TIMEOUT}, {"cpu", required_argument, 0, 'c'},
	    {"oversubscribe", no_argument, 0, O_OVER}, {"hosts", required_argument, 0, 'H'},
	    {"ssh", required_argument, 0, 'S'},
	    {"detach", no_argument, 0, O_DETACH},   {"fetch", required_argument, 0, O_FETCH},
	    {"wait", no_argument, 0, O_WAIT},	    {"cancel", required_argument, 0, O_CANCEL},
	    {0, 0, 0, 0}};
	int ch;

	o->topology = "none";
	while ((ch = pd_cli_getopt(argc, argv, "hn:t:c:H:S:", longopts, O_VERSION)) != -1) {
		switch (ch) {
		case 'n':
			if (pd_parse_long(optarg, 1, PD_TOPOLOGY_NODES_MAX, &o->nodes))
				pd_cli_die(PD_EX_USAGE, "-n: '%s' is not a number of nodes from 1 to %d", optarg,
					   PD_TOPOLOGY_NODES_MAX);
			break;
		case 't': o->topology = optarg; break;
		case O_ARGS: o->args = optarg; break;
		case O_JSON: o->json = 1; break;
		case O_TIMEOUT:
			if (pd_parse_seconds_ms(optarg, &o->timeout_ms) || o->timeout_ms < 1)
				pd_cli_die(PD_EX_USAGE, "--timeout: '%s' is not a positive number of seconds", optarg);
			break;
		case 'c':
			if (pd_parse_long(optarg, 1, PD_SLOTS_MAX, &o->slots))
				pd_cli_die(PD_EX_USAGE, "-c: '%s' is not a number of slots from 1 to %d", optarg, PD_SLOTS_MAX);
			break;
		case O_OVER: o->oversubscribe = 1; break;
		case 'H': o->hosts = optarg; break;
		case 'S': o->ssh = optarg; break;
		case O_DETACH: o->detach = 1; break;
		case O_FETCH: o->fetch = optarg; break;
		case O_WAIT: o->wait = 1; break;
		case O_CANCEL: o->cancel = optarg; break;
		default: pd_cli_usage(PD_EX_USAGE);
		}
	}
	if (o->wait && !o->fetch)
		pd_cli_die(PD_EX_USAGE, "--wait goes with --fetch ID");
	if (o->ssh && (o->detach || o->fetch || o->cancel))
		pd_cli_die(PD_EX_USAGE, "-S starts servers for an attached run only, not with --%s",
			   o->detach ? "detach" : o->fetch ? "fetch" : "cancel");
	if (o->fetch && o->cancel)
		pd_cli_die(PD_EX_USAGE, "--fetch and --cancel cannot be combined");
	if ((o->fetch || o->cancel) && optind != argc)
		pd_cli_die(PD_EX_USAGE, "--%s takes a run id, not a task", o->fetch ? "fetch" : "cancel");
	if (!o->fetch && !o->cancel && optind != argc - 1) {
		pd_cli_say(optind == argc ? "no task given" : "too many arguments");
		pd_cli_usage(PD_EX_USAGE);
	}
	grid_nodes(o);
	if (o->args && !o->nodes)
		pd_cli_die(PD_EX_USAGE, "--args gives every node the same line: say how many nodes with -n");
}

/* Read the nodes' argument lines from stdin (at most max). */
static char **read_arg_lines(long max, long *count)
{
	struct pd_buf line = PD_BUF_INIT;
	char **v = NULL;
	long n = 0;
	int c;

	while ((c = getchar()) != EOF) {
		if (c != '\n') {
			pd_buf_addc(&line, (char)c);
			continue;
		}
		if (n == max)
			pd_cli_die(PD_EX_DATAERR, "more than %ld argument lines on stdin", max);
		v = pd_xrealloc(v, sizeof *v * (size_t)(n + 1));
		v[n++] = pd_buf_detach(&line, NULL);
	}
	if (line.len) {
		v = pd_xrealloc(v, sizeof *v * (size_t)(n + 1));
		v[n++] = pd_buf_detach(&line, NULL);
	}
	pd_buf_release(&line);
	*count = n;
	return v;
}

/* Each node's argument line: --args, stdin's lines, or empty. */
static char **node_args(struct opts *o)
{
	char **v;
	long n, i;

	if (o->args || (o->nodes && isatty(0))) {
		v = pd_xcalloc((size_t)o->nodes, sizeof *v);
		for (i = 0; i < o->nodes; i++)
			v[i] = pd_xstrdup(o->args ? o->args : "");
		return v;
	}
	v = read_arg_lines(o->nodes ? o->nodes : PD_TOPOLOGY_NODES_MAX, &n);
	if (!o->nodes && !n)
		pd_cli_die(PD_EX_USAGE, "no nodes: give -n NODES, or one argument line per node on stdin");
	if (!o->nodes)
		o->nodes = n;
	if (n != o->nodes)
		pd_cli_die(PD_EX_DATAERR, "stdin has %ld argument line%s for %ld nodes (one per node, or --args)", n,
			   n == 1 ? "" : "s", o->nodes);
	return v;
}

/* Check the task file; its name and its chosen task. */
static void check_task(char *arg, char *path, size_t pathsz, char *sym, size_t symsz)
{
	struct pd_buf names = PD_BUF_INIT, kinds = PD_BUF_INIT;
	char err[PD_ERRLEN];
	const char *want = pd_jobfile_split(arg);
	int n;

	if (pd_jobcc_is_source(arg))
		pd_cli_die(PD_EX_DATAERR, "%s: pd-task runs a compiled task; build it into a .so (see playdoh(3))", arg);
	if (pd_jobfile_inspect_kinds(arg, &names, &kinds, &n, err) ||
	    pd_jobfile_pick(arg, &names, &kinds, n, want, 1u << PD_KIND_TASK, "task", sym, symsz, err))
		pd_cli_die(PD_EX_DATAERR, "%s", err);
	pd_buf_release(&names);
	pd_buf_release(&kinds);
	if (!realpath(arg, path))
		snprintf(path, pathsz, "%s", arg);
}

/* Print every node's result, in node order. */
static void print_results(const struct opts *o, const struct pd_node_result *res, const struct pd_taskplan *p)
{
	cJSON *j;
	char *text;
	long i;

	for (i = 0; i < o->nodes; i++) {
		if (!o->json) {
			fwrite(res[i].output, 1, res[i].len, stdout);
			if (!res[i].len || res[i].output[res[i].len - 1] != '\n')
				putchar('\n');
			if (ferror(stdout))
				pd_cli_epipe(errno);
			continue;
		}
		j = cJSON_CreateObject();
		cJSON_AddNumberToObject(j, "node", (double)i);
		cJSON_AddStringToObject(j, "host", p->place ? p->t[p->place[i]].name : "local");
		cJSON_AddStringToObject(j, "output", res[i].output);
		cJSON_AddNumberToObject(j, "ms", round(res[i].ms * 1000) / 1000);
		text = cJSON_PrintUnformatted(j);
		puts(text);
		cJSON_free(text);
		cJSON_Delete(j);
	}
}

/* Choose hosts and places for the nodes, from -H, PD_HOSTS, the hosts
 * file or the local pd-serve.  0 when nodes run here (no server). */
static int plan_hosts(const struct opts *o, struct pd_hostsel *sel, struct pd_taskplan *p)
{
	struct pd_target *t;
	char err[PD_ERRLEN];
	int code = pd_hostsel_init(sel, o->hosts, o->ssh, err), n;
	pid_t none;

	if (code)
		pd_cli_die(code, "%s", err);
	if (sel->kind == PD_SEL_EMBEDDED)
		return 0;
	t = pd_xcalloc((size_t)sel->hosts.n + 1, sizeof *t);
	sel->tubes = 1; /* nodes on different hosts connect to each other */
	n = pd_hostsel_targets(sel, 0, t, &none, pd_cli_note, err);
	if (n < 0) {
		pd_hostsel_release(sel); /* what was made for ssh hosts goes */
		pd_cli_die(PD_EX_UNAVAILABLE, "%s", err);
	}
	code = pd_taskplan_make(p, t, n, sel->kind == PD_SEL_REMOTE ? sel->key : NULL, (int)o->nodes,
				o->oversubscribe, pd_cli_note, err);
	free(t);
	if (code) {
		pd_hostsel_release(sel);
		pd_cli_die(code, "%s", err);
	}
	return 1;
}

/* Replay a fetched log: node results in node order, as pd-task prints. */
static long fetched_failed;
static void print_fetched(void *arg, const struct pd_coord_result *r)
{
	const struct opts *o = arg;
	cJSON *j;
	char *text;

	if (r->status != PD_R_OK) {
		fetched_failed++;
		return;
	}
	if (!o->json) {
		fwrite(r->out, 1, r->outlen, stdout);
		if (!r->outlen || r->out[r->outlen - 1] != '\n')
			putchar('\n');
		return;
	}
	j = cJSON_CreateObject();
	cJSON_AddNumberToObject(j, "node", (double)(r->lineno - 1));
	cJSON_AddStringToObject(j, "host", r->host);
	cJSON_AddStringToObject(j, "output", r->out);
	cJSON_AddNumberToObject(j, "ms", r->ms);
	text = cJSON_PrintUnformatted(j);
	puts(text);
	cJSON_free(text);
	cJSON_Delete(j);
}

/* --fetch ID [--wait] and --cancel ID. */
static int ask_run(const struct opts *o)
{
	struct pd_buf log = PD_BUF_INIT;
	const unsigned char *key;
	struct pd_hostsel sel = {0};
	struct pd_target t;
	char err[PD_ERRLEN];
	const char *state;
	cJSON *st = NULL;
	int code = pd_hostsel_init(&sel, o->hosts, NULL, err);

	if (!code)
		code = pd_detach_server(&sel, o->hosts != NULL, &t, &key, err);
	if (!code)
		code = pd_detach_ask(&t, key, o->fetch ? PD_OP_FETCH : PD_OP_CANCEL, o->fetch ? o->fetch : o->cancel,
				     o->wait, &st, o->fetch ? &log : NULL, err);
	if (code)
		pd_cli_say("%s", err);
	else if (o->cancel)
		pd_cli_say("run %s cancelled", o->cancel);
	else if (!strcmp((state = pd_json_str(st, "state", "?")), "running")) {
		pd_cli_say("run %s is still running; --wait waits for it", o->fetch);
		code = PD_EX_TEMPFAIL;
	} else if (strcmp(state, "done")) {
		/* As an attached run that fails: no results, the reason. */
		pd_cli_say("run %s %s: %s", o->fetch, state, pd_json_str(st, "error", "no result"));
		code = PD_EX_JOBFAIL;
	} else if (pd_detach_replay(&log, print_fetched, (void *)o, err) < 0) {
		pd_cli_say("%s", err);
		code = PD_EX_DATAERR;
	}
	cJSON_Delete(st);
	pd_buf_release(&log);
	pd_hostsel_release(&sel);
	return code;
}

/* --detach: hand the task to the local pd-serve; print the run id. */
static int detach_task(const struct opts *o, const char *path, const char *sym, const struct pd_topology *topo,
		       char **args)
{
	struct pd_hostsel sel = {0};
	struct pd_target t;
	char err[PD_ERRLEN], id[PD_RUN_ID_LEN], *job, *hosts = NULL;
	size_t joblen;
	cJSON *task, *a, *tube;
	long i;
	int code;

	code = pd_hostsel_init(&sel, o->hosts, NULL, err);
	if (!code && pd_hosts_count_ssh(&sel.hosts)) {
		pd_err(err, "%s: ssh hosts take attached runs only, not --detach", sel.source);
		code = PD_EX_USAGE;
	}
	if (!code && !pd_target_unix_alive(sel.paths.sock)) {
		pd_err(err, "--detach needs a pd-serve running on this host (no answer on %s)", sel.paths.sock);
		code = PD_EX_UNAVAILABLE;
	}
	if (!code && pd_read_file(path, PD_JOB_MAX, &job, &joblen, err))
		code = PD_EX_DATAERR;
	if (code) {
		pd_hostsel_release(&sel);
		pd_cli_die(code, "%s", err);
	}
	pd_target_unix(&t, sel.paths.sock);
	task = cJSON_CreateObject();
	cJSON_AddStringToObject(task, "name", strrchr(path, '/') ? strrchr(path, '/') + 1 : path);
	cJSON_AddNumberToObject(task, "nodes", (double)o->nodes);
	cJSON_AddNumberToObject(task, "timeout_ms", (double)o->timeout_ms);
	cJSON_AddBoolToObject(task, "oversubscribe", o->oversubscribe);
	if (sel.kind == PD_SEL_REMOTE) {
		hosts = pd_hosts_spec(&sel.hosts);
		cJSON_AddStringToObject(task, "hosts", hosts);
	}
	a = cJSON_AddArrayToObject(task, "args");
	for (i = 0; i < o->nodes; i++)
		cJSON_AddItemToArray(a, cJSON_CreateString(args[i]));
	a = cJSON_AddArrayToObject(task, "tubes");
	for (i = 0; i < topo->n; i++) {
		tube = cJSON_CreateArray();
		cJSON_AddItemToArray(tube, cJSON_CreateString(topo->v[i].name));
		cJSON_AddItemToArray(tube, cJSON_CreateNumber(topo->v[i].src));
		cJSON_AddItemToArray(tube, cJSON_CreateNumber(topo->v[i].dst));
		cJSON_AddItemToArray(a, tube);
	}
	code = pd_detach_submit_task(&t, &(struct pd_detach_req){.job_path = path, .sym = sym, .job = job,
								 .job_len = joblen},
				     task, id, err);
	cJSON_Delete(task);
	free(hosts);
	free(job);
	pd_hostsel_release(&sel);
	if (code)
		pd_cli_die(code, "%s", err);
	printf("%s\n", id);
	return 0;
}

int main(int argc, char **argv)
{
	struct opts o = {0};
	struct pd_topology topo = {0};
	struct pd_taskplan p = {0};
	struct pd_hostsel sel = {0};
	struct pd_node_result *res;
	char err[PD_ERRLEN], path[PD_PATH_MAX], sym[256], **args;
	const char *base;
	int code, failed;
	long slots, i;

	pd_cli_start(argv, "pd-task", usage_text);
	signal(SIGPIPE, SIG_IGN);
	parse_options(argc, argv, &o);
	if (o.fetch || o.cancel)
		return ask_run(&o);
	check_task(argv[optind], path, sizeof path, sym, sizeof sym);
	args = node_args(&o);
	code = pd_topology_build(&topo, o.topology, (int)o.nodes, err);
	if (code)
		pd_cli_die(code == -2 ? PD_EX_USAGE : PD_EX_DATAERR, "%s%s", code == -2 ? "-t: " : "", err);
	if (o.detach) {
		code = detach_task(&o, path, sym, &topo, args);
		for (i = 0; i < o.nodes; i++)
			free(args[i]);
		free(args);
		pd_topology_release(&topo);
		return code;
	}
	base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	res = pd_xcalloc((size_t)o.nodes, sizeof *res);
	if (plan_hosts(&o, &sel, &p)) {
		code = pd_taskplan_run(&p, &(struct pd_taskjob){path, sym, base, (int)o.nodes, &topo, args, o.timeout_ms,
							   o.oversubscribe, sel.kind == PD_SEL_REMOTE ? sel.key : NULL},
				       res, &failed, err);
	} else {
		slots = o.slots ? o.slots : pd_ncpus();
		if (o.nodes > slots && !o.oversubscribe)
			pd_cli_die(PD_EX_UNAVAILABLE, "%ld nodes but %ld slot%s here (-c or the CPUs); --oversubscribe runs them anyway",
				   o.nodes, slots, slots == 1 ? "" : "s");
		code = pd_taskrun(&(struct pd_taskrun_opts){path, sym, base, (int)o.nodes, &topo, args, o.timeout_ms, NULL},
				  res, &failed, err);
	}
	if (code == PD_EX_OK)
		print_results(&o, res, &p);
	else if (failed >= 0)
		pd_cli_say("node %d on %s failed in %s: %s", failed, p.place ? p.t[p.place[failed]].name : "local",
			   res[failed].phase, res[failed].error);
	else
		pd_cli_say("%s", err);
	pd_node_results_release(res, (int)o.nodes);
	free(res);
	for (i = 0; i < o.nodes; i++)
		free(args[i]);
	free(args);
	pd_topology_release(&topo);
	pd_taskplan_release(&p);
	pd_hostsel_release(&sel);
	if (fflush(stdout) || ferror(stdout)) {
		pd_cli_epipe(errno); /* a reader gone: quietly, by SIGPIPE */
		pd_cli_die(PD_EX_OSERR, "write results: %s", strerror(errno));
	}
	return code;
}
