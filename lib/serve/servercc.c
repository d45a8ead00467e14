/* servercc.c - pd-serve's answers about jobs sent as C source: compiled here, cached. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "err.h"
#include "jobcc.h"
#include "jobfile.h"
#include "json.h"
#include "log.h"
#include "peer.h"
#include "proto.h"
#include "serverint.h"
#include "xmalloc.h"

#define COMPILES_MAX 8		/* compiles running at once on one server */
#define REPORT_MAX (1u << 20)	/* a helper's report, capped */

/* A compile running in a helper process for a client. */
struct srvcc {
	struct pd_server *s;
	struct sconn *owner; /* NULL once the client has left */
	char hash[PD_HASH_HEX], name[PD_JOBCC_NAME_MAX + 1];
	pid_t pid;
	int fd;
	struct event *ev;
	struct pd_buf report;
	LIST_ENTRY(srvcc) link;
};

/* The source's file name from a message, or NULL when it is not plain. */
static const char *src_name(const cJSON *j)
{
	const char *name = pd_json_str(j, "name", "job.c");

	return pd_jobcc_name_ok(name) ? name : NULL;
}

/* Answer job {hash, compile_error}: the run cannot use this host's compile. */
static void reply_error(struct sconn *c, const char *hash, const char *msg)
{
	cJSON *j = srv_msg_new(PD_OP_JOB);

	cJSON_AddStringToObject(j, "hash", hash);
	cJSON_AddStringToObject(j, "compile_error", msg);
	srv_reply(c, j, NULL, 0);
}

/* Answer job {hash, ok, so, jobs: [{name, kind}...]} for the compiled .so. */
static void reply_compiled(struct sconn *c, const char *hash, const char *name, const char *so)
{
	struct pd_buf names = PD_BUF_INIT, kinds = PD_BUF_INIT, msg = PD_BUF_INIT;
	char path[PD_PATH_MAX], err[PD_ERRLEN];
	const char *p;
	cJSON *j, *jobs, *one;
	int n, i;

	pd_cache_path(c->s->cache, so, path, sizeof path);
	if (pd_jobfile_inspect_kinds(path, &names, &kinds, &n, err)) {
		pd_buf_addf(&msg, "%s compiled, but: %s", name, err);
		reply_error(c, hash, msg.data);
		goto out;
	}
	j = srv_msg_new(PD_OP_JOB);
	cJSON_AddStringToObject(j, "hash", hash);
	cJSON_AddBoolToObject(j, "ok", 1);
	cJSON_AddStringToObject(j, "so", so);
	jobs = cJSON_AddArrayToObject(j, "jobs");
	for (i = 0, p = names.data; i < n; i++, p += strlen(p) + 1) {
		one = cJSON_CreateObject();
		cJSON_AddStringToObject(one, "name", p);
		cJSON_AddNumberToObject(one, "kind", (unsigned char)kinds.data[i]);
		cJSON_AddItemToArray(jobs, one);
	}
	srv_reply(c, j, NULL, 0);
out:
	pd_buf_release(&names);
	pd_buf_release(&kinds);
	pd_buf_release(&msg);
}

/* The key of a source on this host: 0, or -1 after answering the error. */
static int source_key(struct sconn *c, const char *hash, const char *name, char key[PD_HASH_HEX])
{
	struct pd_buf msg = PD_BUF_INIT;
	char err[PD_ERRLEN];

	if (pd_jobcc_key(hash, key, err) == 0)
		return 0;
	pd_buf_addf(&msg, "cannot compile %s: %s", name, err);
	pd_log(PD_LOG_INFO, "%s: %s", pd_peer_name(c->peer), msg.data);
	reply_error(c, hash, msg.data);
	pd_buf_release(&msg);
	return -1;
}

/* job {hash, sym, src: "c", name}: is this source compiled here already? */
void srv_on_job_src(struct sconn *c, const struct pd_msg *m)
{
	const char *hash = pd_json_str(m->json, "hash", ""), *name = src_name(m->json);
	char key[PD_HASH_HEX], so[PD_HASH_HEX];
	cJSON *j;

	if (!pd_hash_valid(hash) || !name || strcmp(pd_json_str(m->json, "src", ""), "c")) {
		pd_peer_fail(c->peer, PD_EX_DATAERR, "message 'job': malformed hash, source kind or source name");
		return;
	}
	if (source_key(c, hash, name, key))
		return;
	if (pd_jobcc_lookup(c->s->cache, key, so)) {
		reply_compiled(c, hash, name, so);
		return;
	}
	j = srv_msg_new(PD_OP_JOB);
	cJSON_AddStringToObject(j, "hash", hash);
	cJSON_AddBoolToObject(j, "need", 1);
	srv_reply(c, j, NULL, 0);
}

/* End of a compile: free it (its helper is reaped by the pool). */
static void cc_free(struct srvcc *cc)
{
	LIST_REMOVE(cc, link);
	cc->s->ncompiles--;
	event_free(cc->ev);
	close(cc->fd);
	pd_buf_release(&cc->report);
	free(cc);
}

/* The helper's report arrives; at its end, answer the client. */
static void on_report(evutil_socket_t fd, short what, void *arg)
{
	struct srvcc *cc = arg;
	struct pd_buf msg = PD_BUF_INIT;
	char buf[4096], so[PD_HASH_HEX];
	ssize_t r = read(fd, buf, sizeof buf);

	(void)what;
	if (r < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (r > 0) {
		if (cc->report.len + (size_t)r <= REPORT_MAX)
			pd_buf_add(&cc->report, buf, (size_t)r);
		return;
	}
	if (pd_jobcc_report(cc->report.data, cc->report.len, so, &msg) == 0) {
		pd_log(PD_LOG_INFO, "compiled %s (source %.12s) into %.12s", cc->name, cc->hash, so);
		if (cc->owner)
			reply_compiled(cc->owner, cc->hash, cc->name, so);
	} else {
		pd_log(PD_LOG_INFO, "compile of %s (source %.12s) failed", cc->name, cc->hash);
		if (cc->owner)
			reply_error(cc->owner, cc->hash, msg.data);
	}
	pd_buf_release(&msg);
	cc_free(cc);
}

/* Start compiling the uploaded source in a helper process. */
static void start_compile(struct sconn *c, const struct pd_msg *m, const char *hash, const char *name,
			  const char *key)
{
	struct pd_server *s = c->s;
	struct srvcc *cc;
	char err[PD_ERRLEN];
	int fd;
	pid_t pid;

	if (s->ncompiles >= COMPILES_MAX) {
		pd_peer_fail(c->peer, PD_EX_TEMPFAIL, "%d compiles are running here already; try again", COMPILES_MAX);
		return;
	}
	err[0] = 0;
	pd_jobcc_timeout_s(err);
	if (err[0])
		pd_log(PD_LOG_WARN, "%s", err);
	pid = pd_jobcc_spawn(s->cache, key, name, m->blob, m->blob_len, s->persist, &fd, err);
	if (pid < 0) {
		pd_peer_fail(c->peer, PD_EX_OSERR, "cannot compile %s: %s", name, err);
		return;
	}
	cc = pd_xcalloc(1, sizeof *cc);
	cc->s = s;
	cc->owner = c;
	cc->pid = pid;
	cc->fd = fd;
	snprintf(cc->hash, sizeof cc->hash, "%s", hash);
	snprintf(cc->name, sizeof cc->name, "%s", name);
	cc->ev = event_new(s->base, fd, EV_READ | EV_PERSIST, on_report, cc);
	event_add(cc->ev, NULL);
	LIST_INSERT_HEAD(&s->compiles, cc, link);
	s->ncompiles++;
	pd_log(PD_LOG_INFO, "%s: compiling %s (source %.12s, %zu bytes) in process %d", pd_peer_name(c->peer),
	       name, hash, m->blob_len, (int)pid);
}

/* upload {hash, src: "c", name} + the source: compile it, answer job {...} when done. */
void srv_on_upload_src(struct sconn *c, const struct pd_msg *m)
{
	const char *hash = pd_json_str(m->json, "hash", ""), *name = src_name(m->json);
	char key[PD_HASH_HEX], so[PD_HASH_HEX], have[PD_HASH_HEX];

	if (!pd_hash_valid(hash) || !name || strcmp(pd_json_str(m->json, "src", ""), "c")) {
		pd_peer_fail(c->peer, PD_EX_DATAERR, "upload refused: malformed hash, source kind or source name");
		return;
	}
	if (m->blob_len > PD_JOBCC_SRC_MAX) {
		pd_peer_fail(c->peer, PD_EX_DATAERR, "upload refused: %s is %zu bytes; a job source may have at most %u",
			     name, m->blob_len, PD_JOBCC_SRC_MAX);
		return;
	}
	pd_hash_hex(m->blob, m->blob_len, have);
	if (strcmp(have, hash)) {
		pd_peer_fail(c->peer, PD_EX_DATAERR, "upload refused: %s does not match its hash", name);
		return;
	}
	if (source_key(c, hash, name, key))
		return;
	if (pd_jobcc_lookup(c->s->cache, key, so))
		reply_compiled(c, hash, name, so);
	else if (c->s->shared == 0)
		/* The compiler would run on CPUs the owner keeps. */
		pd_peer_fail(c->peer, PD_EX_UNAVAILABLE, "this host shares no CPU (pd-alloc --cpu 0): it compiles "
			     "no job sources");
	else
		start_compile(c, m, hash, name, key);
}

/* A client left: its compiles finish (and stay cached) unanswered. */
void srv_cc_drop_owner(struct pd_server *s, struct sconn *c)
{
	struct srvcc *cc;

	LIST_FOREACH(cc, &s->compiles, link)
		if (cc->owner == c)
			cc->owner = NULL;
}

/* The server ends: stop waiting for compiles (their helpers end alone). */
void srv_cc_free_all(struct pd_server *s)
{
	while (!LIST_EMPTY(&s->compiles))
		cc_free(LIST_FIRST(&s->compiles));
}
