/* pd-status - hosts, their shared and busy resources, and runs. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "client.h"
#include "detach.h"
#include "cli.h"
#include "err.h"
#include "frame.h"
#include "hostsel.h"
#include "proto.h"

static const char *usage_text = "usage: pd-status [-h] [--version] [-H HOSTS] [--json] [ID]\n";

static void note(const char *msg) { pd_cli_say("%s", msg); }

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

int main(int argc, char **argv)
{
	enum { O_VERSION = 256, O_JSON };
	static const struct option longopts[] = {
	    {"help", no_argument, 0, 'h'}, {"version", no_argument, 0, O_VERSION},
	    {"hosts", required_argument, 0, 'H'}, {"json", no_argument, 0, O_JSON}, {0, 0, 0, 0}};
	const char *hosts = NULL;
	struct pd_target *t;
	struct pd_reply *r;
	struct pd_hostsel sel;
	char err[PD_ERRLEN];
	int ch, json = 0, n, i, code, up = 0;
	pid_t none;
	cJSON *req, *all;

	pd_cli_init("pd-status", usage_text);

	while ((ch = getopt_long(argc, argv, "hH:", longopts, NULL)) != -1) {
		switch (ch) {
		case 'h': pd_cli_usage(0); break;
		case O_VERSION: pd_cli_version();
		case 'H': hosts = optarg; break;
		case O_JSON: json = 1; break;
		default: pd_cli_usage(PD_EX_USAGE);
		}
	}
	if (optind < argc - 1)
		pd_cli_die(PD_EX_USAGE, "unexpected argument '%s'", argv[optind + 1]);
	code = pd_hostsel_init(&sel, hosts, err);
	if (code)
		pd_cli_die(code, "%s", err);
	if (sel.kind == PD_SEL_EMBEDDED)
		pd_cli_die(PD_EX_UNAVAILABLE, "no hosts configured and no pd-serve running here (see playdoh(7))");
	t = calloc((size_t)sel.hosts.n + 1, sizeof *t);
	r = calloc((size_t)sel.hosts.n + 1, sizeof *r);
	n = pd_hostsel_targets(&sel, 0, t, &none, note, err);
	if (n < 0)
		pd_cli_die(PD_EX_UNAVAILABLE, "%s", err);
	if (optind < argc) {
		code = show_run(&t[0], sel.kind == PD_SEL_REMOTE ? sel.key : NULL, argv[optind], json);
		pd_hostsel_release(&sel);
		free(t);
		free(r);
		return code;
	}
	req = cJSON_CreateObject();
	cJSON_AddStringToObject(req, "op", PD_OP_INFO);
	pd_client_multi(t, n, sel.key, "pd-status", req, 5, r);
	all = cJSON_CreateArray();
	for (i = 0; i < n; i++) {
		up += r[i].json != NULL;
		if (json)
			cJSON_AddItemToArray(all, host_json(&t[i], &r[i]));
		else
			host_line(&t[i], &r[i]);
	}
	if (!json)
		runs_lines(r, n);
	if (json) {
		char *text = cJSON_PrintUnformatted(all);

		puts(text);
		cJSON_free(text);
	}
	for (i = 0; i < n && r[i].code == PD_EX_NOPERM; i++)
		;
	code = up ? 0 : i == n ? PD_EX_NOPERM : PD_EX_UNAVAILABLE;
	for (i = 0; i < n; i++)
		cJSON_Delete(r[i].json);
	cJSON_Delete(all);
	cJSON_Delete(req);
	pd_hostsel_release(&sel);
	free(t);
	free(r);
	return code;
}
