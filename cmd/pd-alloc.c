/* pd-alloc - show or change how many of this host's CPUs are shared. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "client.h"
#include "cli.h"
#include "err.h"
#include "hostsel.h"
#include "json.h"
#include "num.h"
#include "paths.h"
#include "proto.h"

static const char *usage_text = "usage: pd-alloc [-h] [--version] [--json] [--cpu N] [--gpu N]\n";

int main(int argc, char **argv)
{
	enum { O_VERSION = 256, O_JSON, O_CPU, O_GPU };
	static const struct option longopts[] = {
	    {"help", no_argument, 0, 'h'}, {"version", no_argument, 0, O_VERSION},
	    {"json", no_argument, 0, O_JSON}, {"cpu", required_argument, 0, O_CPU},
	    {"gpu", required_argument, 0, O_GPU}, {0, 0, 0, 0}};
	long cpu = -1, gpu = -1;
	int ch, json = 0, code;
	struct pd_paths paths;
	char err[PD_ERRLEN];
	cJSON *req, *info;

	pd_cli_start(argv, "pd-alloc", usage_text);

	while ((ch = pd_cli_getopt(argc, argv, "h", longopts, O_VERSION)) != -1) {
		switch (ch) {
		case O_JSON: json = 1; break;
		case O_CPU:
			if (pd_parse_long(optarg, 0, 100000, &cpu))
				pd_cli_die(PD_EX_USAGE, "--cpu: '%s' is not a number of CPUs", optarg);
			break;
		case O_GPU:
			if (pd_parse_long(optarg, 0, 1024, &gpu))
				pd_cli_die(PD_EX_USAGE, "--gpu: '%s' is not a number of GPUs", optarg);
			break;
		default: pd_cli_usage(PD_EX_USAGE);
		}
	}
	if (optind != argc)
		pd_cli_die(PD_EX_USAGE, "unexpected argument '%s'", argv[optind]);
	if (pd_paths_init(&paths, err))
		pd_cli_die(PD_EX_USAGE, "%s", err);
	req = cJSON_CreateObject();
	cJSON_AddStringToObject(req, "op", cpu >= 0 || gpu >= 0 ? PD_OP_ALLOC : PD_OP_INFO);
	if (cpu >= 0)
		cJSON_AddNumberToObject(req, "cpu", (double)cpu);
	if (gpu >= 0)
		cJSON_AddNumberToObject(req, "gpu", (double)gpu);
	code = pd_client_local_request(paths.sock, "pd-alloc", req, &info, err);
	cJSON_Delete(req);
	if (code)
		pd_cli_die(code, "%s", err);
	if (json) {
		char *text = cJSON_PrintUnformatted(info);

		puts(text);
		cJSON_free(text);
	} else {
		printf("cpu %g total, %g shared, %g busy\n", pd_json_num(info, "cpus", 0),
		       pd_json_num(info, "shared", 0), pd_json_num(info, "busy", 0));
		printf("gpu %g total, %g shared, %g busy\n", pd_json_num(info, "gpus", 0),
		       pd_json_num(info, "gpus_shared", 0), pd_json_num(info, "gpus_busy", 0));
	}
	cJSON_Delete(info);
	return 0;
}
