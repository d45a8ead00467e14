/* taskdetach.c - the coordinator child of a detached task. */
#include "taskdetach.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "buf.h"
#include "cache.h"
#include "child.h"
#include "fdio.h"
#include "err.h"
#include "hosts.h"
#include "joblog.h"
#include "json.h"
#include "pathfmt.h"
#include "proto.h"
#include "taskplan.h"
#include "topology.h"
#include "xmalloc.h"

int pd_taskdetach_check(const cJSON *req, char *err)
{
	const cJSON *args = cJSON_GetObjectItemCaseSensitive(req, "args"), *a;
	long long nodes;
	const char *s;

	if (pd_json_need_str(req, "hash", &s, err) || !pd_hash_valid(s) || pd_json_need_str(req, "sym", &s, err) ||
	    pd_json_need_int(req, "nodes", 1, PD_TOPOLOGY_NODES_MAX, &nodes, err) ||
	    !cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(req, "tubes")) || !cJSON_IsArray(args) ||
	    cJSON_GetArraySize(args) != nodes) {
		if (!err[0] || !strstr(err, "member"))
			pd_err(err, "submit: a task needs hash, sym, nodes, tubes and one args line per node");
		return -1;
	}
	cJSON_ArrayForEach(a, args)
		if (!cJSON_IsString(a)) {
			pd_err(err, "submit: args are not strings");
			return -1;
		}
	return 0;
}

/* The topology of the meta's tube list. */
static int meta_topology(const cJSON *meta, int nodes, struct pd_topology *topo, char *err)
{
	const cJSON *t;
	struct pd_buf spec = PD_BUF_INIT;
	int rc;

	cJSON_ArrayForEach(t, cJSON_GetObjectItemCaseSensitive(meta, "tubes")) {
		const cJSON *name = cJSON_GetArrayItem(t, 0), *src = cJSON_GetArrayItem(t, 1), *dst = cJSON_GetArrayItem(t, 2);

		if (!cJSON_IsString(name) || !cJSON_IsNumber(src) || !cJSON_IsNumber(dst)) {
			pd_buf_release(&spec);
			pd_err(err, "task: a tube is not [name, src, dst]");
			return -1;
		}
		pd_buf_addf(&spec, "%s %d %d\n", name->valuestring, (int)src->valuedouble, (int)dst->valuedouble);
	}
	rc = pd_topology_parse(topo, spec.data, "task", nodes, err);
	pd_buf_release(&spec);
	return rc;
}

/* A host that did not resolve: its error, into the buffer arg. */
static void keep_error(void *arg, const char *msg)
{
	snprintf(arg, PD_ERRLEN, "%s", msg);
}

/* The hosts: those submitted with the task, else this server. */
static int meta_targets(const cJSON *meta, const char *sock, struct pd_target **t, char *err)
{
	const char *hosts = pd_json_str(meta, "hosts", NULL);
	int n;

	if (!hosts) {
		*t = pd_xcalloc(1, sizeof **t);
		pd_target_unix(*t, sock);
		return 1;
	}
	n = pd_targets_parse(hosts, "hosts", t, keep_error, err, err);
	return n > 0 ? n : -1;
}

/* Write why the task failed, for pd-serve to read. */
static void write_error(const char *dir, const char *msg)
{
	char path[PD_PATH_MAX];
	FILE *f;
	int fd;

	pd_path_fmt(path, "%s/error", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	f = fd < 0 ? NULL : fdopen(fd, "w");
	if (!f && fd >= 0)
		close(fd);
	if (f) {
		fprintf(f, "%s\n", msg);
		fclose(f);
	}
}

/* Log every node that finished, as pd-task would print it. */
static void write_log(const char *dir, const cJSON *meta, const struct pd_taskplan *p,
		      const struct pd_node_result *res, int nodes)
{
	struct pd_joblog log;
	char path[PD_PATH_MAX], err[PD_ERRLEN];
	const char *args;
	int i;

	pd_path_fmt(path, "%s/log", dir);
	if (pd_joblog_open(&log, path, 0, 0600, err))
		return;
	log.with_input = 1;
	for (i = 0; i < nodes; i++) {
		if (!res[i].ok && !res[i].error[0])
			continue;
		args = cJSON_GetStringValue(cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(meta, "args"), i));
		pd_joblog_add(&log, i + 1, args ? args : "", strlen(args ? args : ""), res[i].ok ? PD_R_OK : PD_R_ERROR,
			      res[i].ms, p->t[p->place[i]].name, res[i].ok ? res[i].output : res[i].error,
			      res[i].ok ? res[i].len : strlen(res[i].error));
	}
	pd_joblog_close(&log);
}

/* The child: coordinate the task, leave log and error, exit with its status. */
static void child_main(const cJSON *meta, const char *dir, const char *cache, const char *sock,
		       const unsigned char *key) __attribute__((noreturn));
static void child_main(const cJSON *meta, const char *dir, const char *cache, const char *sock,
		       const unsigned char *key)
{
	int nodes = (int)pd_json_num(meta, "nodes", 0), n, code, failed = -1, i;
	char err[PD_ERRLEN] = "", path[PD_PATH_MAX], msg[PD_ERRLEN * 3], **args;
	struct pd_taskplan p = {0};
	struct pd_topology topo = {0};
	struct pd_node_result *res;
	struct pd_target *t = NULL;

	pd_cache_path(cache, pd_json_str(meta, "hash", ""), path, sizeof path);
	args = pd_xcalloc((size_t)nodes, sizeof *args);
	res = pd_xcalloc((size_t)nodes, sizeof *res);
	for (i = 0; i < nodes; i++)
		args[i] = (char *)cJSON_GetStringValue(cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(meta, "args"), i));
	if (meta_topology(meta, nodes, &topo, err) || (n = meta_targets(meta, sock, &t, err)) < 0) {
		write_error(dir, err);
		code = PD_EX_DATAERR;
		goto out;
	}
	code = pd_taskplan_make(&p, t, n, pd_json_str(meta, "hosts", NULL) ? key : NULL, nodes,
				cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(meta, "oversubscribe")), NULL, err);
	if (!code)
		code = pd_taskplan_run(&p, &(struct pd_taskjob){path, pd_json_str(meta, "sym", ""),
								pd_json_str(meta, "name", "task"), nodes, &topo, args,
								(long)pd_json_num(meta, "timeout_ms", 0),
								cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(meta, "oversubscribe")),
								pd_json_str(meta, "hosts", NULL) ? key : NULL},
				       res, &failed, err);
	if (p.place)
		write_log(dir, meta, &p, res, nodes);
	if (code && failed >= 0)
		snprintf(msg, sizeof msg, "node %d on %s failed in %s: %s", failed, p.t[p.place[failed]].name,
			 res[failed].phase, res[failed].error);
	else
		snprintf(msg, sizeof msg, "%s", err);
	if (code)
		write_error(dir, msg);
	pd_node_results_release(res, nodes);
out:
	/* Freed though _exit follows: memcheck then sees this child's own
	 * allocations as freed, as make valgrind-check expects. */
	pd_taskplan_release(&p);
	pd_topology_release(&topo);
	free(t);
	free(res);
	free(args);
	_exit(code);
}

pid_t pd_taskdetach_spawn(const cJSON *meta, const char *dir, const char *cache, const char *sock,
			  const unsigned char *key, char *err)
{
	pid_t pid = fork();

	if (pid < 0) {
		pd_err(err, "fork: %s", strerror(errno));
		return -1;
	}
	if (pid > 0)
		return pid;
	/* Nothing of the server's: its sockets, its signals, its loop. */
	pd_fd_close_from(3);
	pd_child_reset_signals();
	signal(SIGPIPE, SIG_IGN);
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	child_main(meta, dir, cache, sock, key);
}
