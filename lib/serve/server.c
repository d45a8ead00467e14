/* server.c - pd-serve: accept peers, answer messages, feed the pool. */
#include "server.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <event2/listener.h>
#include <netinet/in.h>

#include <sodium.h>

#include "buf.h"
#include "cache.h"
#include "err.h"
#include "pathfmt.h"
#include "fdio.h"
#include "jobfile.h"
#include "json.h"
#include "log.h"
#include "memlimit.h"
#include "msgcheck.h"
#include "peer.h"
#include "pool.h"
#include "proto.h"
#include "runs.h"
#include "serverint.h"
#include "taskserve.h"
#include "xmalloc.h"

static void conn_msg(struct pd_peer *p, const struct pd_msg *m, const char *why, void *arg);

/* Send {op, ...} built by the caller to one client. */
void srv_reply(struct sconn *c, cJSON *j, const void *blob, size_t n)
{
	pd_peer_send(c->peer, j, blob, n);
	cJSON_Delete(j);
}

/* A new JSON object with its op set. */
cJSON *srv_msg_new(const char *op)
{
	cJSON *j = cJSON_CreateObject();

	cJSON_AddStringToObject(j, "op", op);
	return j;
}

/* Leave the loop once nothing runs and every reply is flushed. */
static void maybe_stop(evutil_socket_t fd, short what, void *arg)
{
	struct pd_server *s = arg;
	struct timeval tv = {0, 20000};
	struct sconn *c;
	int pending = 0;

	(void)fd;
	(void)what;
	if (!s->stopping || pd_pool_busy(s->pool) || pd_pool_gpus_busy(s->pool))
		return;
	LIST_FOREACH(c, &s->conns, link)
		pending += pd_peer_pending(c->peer) > 0;
	if (pending && !(what & EV_TIMEOUT && s->stopping > 250)) {
		s->stopping++;
		evtimer_add(s->stop_timer, &tv);
		return;
	}
	event_base_loopexit(s->base, NULL);
}

/* One log line for each record of a result blob that failed, naming the
 * client, the record's input line and the cause (its first 300 bytes, on
 * one line). */
static void log_failed_records(struct sconn *c, const unsigned char *e, size_t len, long first,
			       const cJSON *linenos)
{
	static const char *what[] = {"ok", "failed", "crashed", "timed out", "lost"};
	const cJSON *ln = linenos ? linenos->child : NULL;
	size_t off = 0, i;
	long line = first, tlen;
	char msg[301];

	while ((tlen = pd_rentry_len(e + off, e + len)) >= 0) {
		if (ln)
			line = (long)cJSON_GetNumberValue(ln);
		if (e[off] != PD_R_OK && e[off] <= PD_R_LOST) {
			for (i = 0; i < (size_t)tlen && i + 1 < sizeof msg; i++)
				msg[i] = e[off + PD_RENTRY_HDR + i] == '\n' ? ' ' : (char)e[off + PD_RENTRY_HDR + i];
			msg[i] = 0;
			pd_log(PD_LOG_WARN, "%s (%s): line %ld %s: %s", pd_peer_name(c->peer), c->client, line,
			       what[e[off]], msg);
		}
		off += PD_RENTRY_HDR + (size_t)tlen;
		line++;
		ln = ln ? ln->next : NULL;
	}
}

/* Stop reading a client while its queued batches hold more than
 * PD_CONN_QUEUE_MAX bytes of records (a flood of pipelined runs), and
 * read it again once workers took enough of them. */
static void conn_recheck(struct sconn *c)
{
	if (c->peer)
		pd_peer_hold(c->peer, pd_pool_queued_bytes(c->s->pool, c) > PD_CONN_QUEUE_MAX);
}

/* Pool: a batch finished; send its results to its client. */
static void batch_done(void *arg, void *owner, uint64_t id, const unsigned char *entries,
		       size_t len, int n, long first, const cJSON *linenos, const char *load_error)
{
	struct sconn *c = owner;
	cJSON *j = srv_msg_new(PD_OP_RESULT);

	(void)arg;
	if (load_error && c->s->log_records)
		pd_log(PD_LOG_WARN, "%s (%s): %d records not run: %s", pd_peer_name(c->peer), c->client, n,
		       load_error);
	else if (c->s->log_records)
		log_failed_records(c, entries, len, first, linenos);
	c->records += n;
	cJSON_AddNumberToObject(j, "batch", (double)id);
	cJSON_AddNumberToObject(j, "n", n);
	if (load_error)
		cJSON_AddStringToObject(j, "load_error", load_error);
	srv_reply(c, j, entries, len);
	conn_recheck(c);
}

/* Pool: a batch will not run here. */
static void batch_handback(void *arg, void *owner, uint64_t id)
{
	cJSON *j = srv_msg_new(PD_OP_HANDBACK);

	(void)arg;
	cJSON_AddNumberToObject(j, "batch", (double)id);
	srv_reply(owner, j, NULL, 0);
}

/* Pool: a worker became idle. */
static void pool_idle(void *arg)
{
	struct pd_server *s = arg;
	struct sconn *c;

	/* A worker took a queued batch or ended one: caps may have eased. */
	LIST_FOREACH(c, &s->conns, link)
		conn_recheck(c);
	if (s->stopping)
		maybe_stop(-1, 0, s);
}

/* The preload is done: the client waiting for its job answer gets it. */
static void preload_ready(void *arg)
{
	struct pd_server *s = arg;

	if (s->preload_conn)
		srv_reply(s->preload_conn, s->preload_reply, NULL, 0);
	s->preload_conn = NULL;
	s->preload_reply = NULL;
}

static int ident_ok(const char *s);

/* A server for one run: the answer j about its job, held, waits until
 * every worker has loaded it; 1 when it does (j is taken), 0 to answer
 * now. */
static int preload(struct sconn *c, const struct pd_msg *m, cJSON *j)
{
	struct pd_server *s = c->s;
	const char *hash = pd_json_str(m->json, "hash", ""), *sym = pd_json_str(m->json, "sym", "");
	const char *file = pd_json_str(m->json, "path", NULL), *name = file ? strrchr(file, '/') : NULL;
	char path[PD_PATH_MAX];

	if (!s->preload || s->preload_conn || !pd_cache_has(s->cache, hash) || !ident_ok(sym))
		return 0;
	pd_cache_path(s->cache, hash, path, sizeof path);
	s->preload = 0; /* the run's job only, once (not its --share data) */
	s->preload_conn = c;
	s->preload_reply = j;
	/* Load errors name the client's file, as a run's "name" does. */
	pd_pool_preload(s->pool, path, sym, name && name[1] && strlen(name) <= 200 ? name + 1 : file, preload_ready, s);
	return 1;
}

/* job {hash, sym, path?}: do we hold this job file? */
static void on_job(struct sconn *c, const struct pd_msg *m)
{
	struct pd_server *s = c->s;
	const char *hash = pd_json_str(m->json, "hash", ""), *path = pd_json_str(m->json, "path", NULL);
	char err[PD_ERRLEN], *data;
	size_t n;
	cJSON *j;

	if (pd_json_str(m->json, "src", NULL)) {
		srv_on_job_src(c, m);
		return;
	}
	if (!pd_hash_valid(hash)) {
		pd_peer_fail(c->peer, PD_EX_DATAERR, "message 'job': malformed hash");
		return;
	}
	/* A local client's file is read directly; remote ones upload it. */
	if (!pd_cache_has(s->cache, hash) && c->local && path &&
	    pd_read_file(path, PD_JOB_MAX, &data, &n, err) == 0) {
		if (pd_cache_put(s->cache, hash, data, n, s->persist, err))
			pd_log(PD_LOG_WARN, "caching %s: %s", path, err);
		free(data);
	}
	j = srv_msg_new(PD_OP_JOB);
	cJSON_AddStringToObject(j, "hash", hash);
	cJSON_AddBoolToObject(j, pd_cache_has(s->cache, hash) ? "ok" : "need", 1);
	if (!preload(c, m, j))
		srv_reply(c, j, NULL, 0);
}

/* upload {hash} + the job file. */
static void on_upload(struct sconn *c, const struct pd_msg *m)
{
	const char *hash = pd_json_str(m->json, "hash", ""), *why = NULL;
	char err[PD_ERRLEN], want[PD_HASH_HEX];
	cJSON *j;

	if (pd_json_str(m->json, "src", NULL)) {
		srv_on_upload_src(c, m);
		return;
	}
	if (m->blob_len > PD_JOB_MAX)
		why = "job file too large";
	else if (!pd_hash_valid(hash) || (pd_hash_hex(m->blob, m->blob_len, want), strcmp(want, hash)))
		why = "job file does not match its hash";
	if (why) {
		pd_peer_fail(c->peer, PD_EX_DATAERR, "upload refused: %s", why);
		return;
	}
	if (pd_cache_put(c->s->cache, hash, m->blob, m->blob_len, c->s->persist, err)) {
		/* Not the client's fault: the disk is full, or the like. */
		pd_log(PD_LOG_ERR, "%s: upload refused: %s", pd_peer_name(c->peer), err);
		pd_peer_fail(c->peer, PD_EX_OSERR, "upload refused: %s", err);
		return;
	}
	pd_log(PD_LOG_INFO, "%s: uploaded %.12s (%zu bytes) to the cache", pd_peer_name(c->peer), hash, m->blob_len);
	j = srv_msg_new(PD_OP_JOB);
	cJSON_AddStringToObject(j, "hash", hash);
	cJSON_AddBoolToObject(j, "ok", 1);
	srv_reply(c, j, NULL, 0);
}

/* 1 when s is a plausible C identifier (job names). */
static int ident_ok(const char *s)
{
	size_t i;

	if (!s[0] || strlen(s) > 200)
		return 0;
	for (i = 0; s[i]; i++)
		if (!(s[i] == '_' || (s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
		      (i && s[i] >= '0' && s[i] <= '9')))
			return 0;
	return 1;
}

/* The job's display name from a run message: a plain file name, or NULL. */
static const char *job_name(const cJSON *j)
{
	const char *name = pd_json_str(j, "name", NULL);

	if (!name || !*name || strlen(name) > 200 || strchr(name, '/'))
		return NULL;
	return name;
}

/* run + records; its shape (msgcheck.c) was checked before dispatch. */
static void on_run(struct sconn *c, const struct pd_msg *m)
{
	struct pd_server *s = c->s;
	struct pd_pool_job job = {0};
	long long id = (long long)pd_json_num(m->json, "batch", 0), first = (long long)pd_json_num(m->json, "first", 1);
	long long n = (long long)pd_json_num(m->json, "n", 1);
	int f64 = (int)pd_json_num(m->json, "f64", 0);
	const char *hash = pd_json_str(m->json, "hash", ""), *sym = pd_json_str(m->json, "sym", "");
	const char *share = pd_json_str(m->json, "share", NULL), *kind = pd_json_str(m->json, "kind", "map");
	const cJSON *gpu_item = cJSON_GetObjectItemCaseSensitive(m->json, "gpu");
	char err[PD_ERRLEN], path[PD_PATH_MAX], share_path[PD_PATH_MAX];
	int gpu;

	if (strcmp(kind, "map") && strcmp(kind, "fitness")) {
		pd_peer_fail(c->peer, PD_EX_DATAERR, "message 'run': kind '%.40s' is neither map nor fitness", kind);
		return;
	}
	if (f64 && strcmp(kind, "fitness")) {
		pd_peer_fail(c->peer, PD_EX_DATAERR, "message 'run': f64 (binary points) without kind fitness");
		return;
	}
	if (strlen(pd_json_str(m->json, "args", "")) > PD_JOB_ARGS_MAX) {
		pd_peer_fail(c->peer, PD_EX_DATAERR, "message 'run': args longer than %u bytes", PD_JOB_ARGS_MAX);
		return;
	}
	if (gpu_item && !cJSON_IsBool(gpu_item)) {
		pd_peer_fail(c->peer, PD_EX_DATAERR, "message 'run': gpu is not true or false");
		return;
	}
	if (!pd_hash_valid(hash) || !pd_cache_has(s->cache, hash) || !ident_ok(sym) ||
	    (share && !pd_cache_has(s->cache, share))) {
		pd_peer_fail(c->peer, PD_EX_DATAERR, "message 'run': unknown job or share hash, or bad job name");
		return;
	}
	gpu = cJSON_IsTrue(gpu_item);
	if (s->stopping || (gpu ? s->gpus_shared : s->shared) == 0) {
		batch_handback(s, c, (uint64_t)id);
		return;
	}
	pd_cache_path(s->cache, hash, path, sizeof path);
	if (share)
		pd_cache_path(s->cache, share, share_path, sizeof share_path);
	job = (struct pd_pool_job){
	    .owner = c,
	    .id = (uint64_t)id,
	    .path = path,
	    .name = job_name(m->json),
	    .sym = sym,
	    .share = share ? share_path : NULL,
	    .args = pd_json_str(m->json, "args", NULL),
	    .first = (long)first,
	    .linenos = cJSON_GetObjectItemCaseSensitive(m->json, "linenos"),
	    .recs = m->blob,
	    .nul = !strcmp(pd_json_str(m->json, "sep", "nl"), "nul"),
	    .len = m->blob_len,
	    .n = (int)n,
	    .fitness = !strcmp(kind, "fitness"),
	    .f64_dim = f64,
	    .gpu = gpu,
	    .mem_cap = s->mem_cap,
	};
	pd_runopts_get(m->json, &job.run);
	if (pd_pool_submit(s->pool, &job, err))
		pd_peer_fail(c->peer, PD_EX_DATAERR, "message 'run': %s", err);
	else
		conn_recheck(c);
}

/* hello {client?}: the program's name, for the log and pd-status. */
static void on_hello(struct sconn *c, const struct pd_msg *m)
{
	snprintf(c->client, sizeof c->client, "%s", pd_json_str(m->json, "client", "?"));
	pd_log(PD_LOG_INFO, "%s: %s connected (sealed: %s)", pd_peer_name(c->peer), c->client,
	       pd_peer_aead(c->peer));
}

/* info {}: this server's state. */
static void on_info(struct sconn *c, const struct pd_msg *m)
{
	srv_reply(c, srv_info_json(c->s), NULL, 0);
}

/* ping {}: pong. */
static void on_ping(struct sconn *c, const struct pd_msg *m)
{
	srv_reply(c, srv_msg_new(PD_OP_PONG), NULL, 0);
}

/* The requests a ready client may send, each with its handler; their
 * shapes are in the message table (msgcheck.c), checked first. */
static const struct srv_op {
	const char *op;
	void (*handle)(struct sconn *c, const struct pd_msg *m);
} ops[] = {
    {PD_OP_HELLO, on_hello},
    {PD_OP_INFO, on_info},
    {PD_OP_RUN, on_run},
    {PD_OP_JOB, on_job},
    {PD_OP_UPLOAD, on_upload},
    {PD_OP_ALLOC, srv_on_alloc},
    {PD_OP_SUBMIT, srv_on_submit},
    {PD_OP_TASK, srv_on_task},
    {PD_OP_NODE_CMD, srv_on_node_cmd},
    {PD_OP_RUNSTAT, srv_on_run_query},
    {PD_OP_FETCH, srv_on_run_query},
    {PD_OP_CANCEL, srv_on_run_query},
    {PD_OP_PING, on_ping},
};

const char *pd_server_op(size_t i)
{
	return i < sizeof ops / sizeof ops[0] ? ops[i].op : NULL;
}

/* Dispatch one message from a ready client: check its shape, then its
 * handler from the table. */
static void conn_dispatch(struct sconn *c, const struct pd_msg *m)
{
	char err[PD_ERRLEN];
	size_t i;

	if (pd_msg_check(m->json, PD_ROLE_CLIENT, err)) {
		pd_peer_fail(c->peer, PD_EX_DATAERR, "%s", err);
		return;
	}
	for (i = 0; i < sizeof ops / sizeof ops[0]; i++)
		if (!strcmp(m->op, ops[i].op)) {
			ops[i].handle(c, m);
			return;
		}
	pd_peer_fail(c->peer, PD_EX_DATAERR, "unknown operation '%.64s'", m->op);
}

/* 1 when a peer left the ordinary way (closed or reset its connection),
 * not through a fault of the protocol worth a warning. */
static int departure(const char *why)
{
	return !strcmp(why, "connection closed by peer") || strstr(why, "reset by peer") != NULL ||
	       strstr(why, "Broken pipe") != NULL;
}

/* Peer callback: a message, or the client is gone. */
static void conn_msg(struct pd_peer *p, const struct pd_msg *m, const char *why, void *arg)
{
	struct sconn *c = arg;
	struct pd_server *s = c->s;

	(void)p;
	if (m) {
		conn_dispatch(c, m);
		return;
	}
	if (c->refused) /* its one line was written at accept */
		pd_log(PD_LOG_INFO, "%s: refused connection closed: %s", pd_peer_name(c->peer), why);
	else if (pd_peer_refused(c->peer))
		pd_log(PD_LOG_WARN, "%s: authentication failed; connection refused", pd_peer_name(c->peer));
	else if (!departure(why))
		pd_log(PD_LOG_WARN, "%s: dropped: %s", pd_peer_name(c->peer), why);
	else
		pd_log(PD_LOG_INFO, "%s: gone: %s", pd_peer_name(c->peer), why);
	pd_pool_drop_owner(s->pool, c);
	pd_taskserve_drop_owner(s->tasks, c);
	srv_cc_drop_owner(s, c);
	if (s->preload_conn == c) { /* gone while its job answer waited */
		cJSON_Delete(s->preload_reply);
		s->preload_conn = NULL;
		s->preload_reply = NULL;
	}
	LIST_REMOVE(c, link);
	s->nconns--;
	free(c);
	if (s->exit_when_alone && s->nconns == 0)
		event_base_loopexit(s->base, NULL);
	if (s->stopping)
		maybe_stop(-1, 0, s);
}

/* Wrap an accepted socket in a peer (refused at its hello with `refuse`
 * as the reason, when not NULL). */
static void add_conn(struct pd_server *s, int fd, int local, const char *name, const char *refuse)
{
	struct pd_peer_opts o = {PD_ROLE_SERVER, !local, s->key, name, PD_BLOB_MAX, NULL, 0};
	struct sconn *c;

	if (!local)
		srv_make_room(s);
	if (s->nconns >= PD_CONN_MAX) {
		pd_log(PD_LOG_WARN, "%s: refused: %d connections already", name, PD_CONN_MAX);
		close(fd);
		return;
	}
	c = pd_xcalloc(1, sizeof *c);
	c->s = s;
	c->local = local && !refuse; /* never the owner's rights, whatever follows */
	c->refused = refuse != NULL;
	c->peer = pd_peer_new(s->base, fd, &o, conn_msg, c);
	if (refuse)
		pd_peer_refuse(c->peer, refuse);
	LIST_INSERT_HEAD(&s->conns, c, link);
	s->nconns++;
}

/* A TCP client connected. */
static void on_accept_tcp(struct evconnlistener *l, evutil_socket_t fd, struct sockaddr *sa,
			  int salen, void *arg)
{
	char host[INET6_ADDRSTRLEN], name[300];
	int port = 0;

	(void)l;
	(void)salen;
	host[0] = 0;
	if (sa->sa_family == AF_INET) {
		inet_ntop(AF_INET, &((struct sockaddr_in *)sa)->sin_addr, host, sizeof host);
		port = ntohs(((struct sockaddr_in *)sa)->sin_port);
	} else if (sa->sa_family == AF_INET6) {
		inet_ntop(AF_INET6, &((struct sockaddr_in6 *)sa)->sin6_addr, host, sizeof host);
		port = ntohs(((struct sockaddr_in6 *)sa)->sin6_port);
	}
	snprintf(name, sizeof name, "%s:%d", host, port);
	srv_tcp_keepalive(fd);
	pd_peer_nodelay(fd);
	add_conn(arg, fd, 0, name, NULL);
}

/* A local client connected: only our own uid gets in. */
static void on_accept_unix(struct evconnlistener *l, evutil_socket_t fd, struct sockaddr *sa,
			   int salen, void *arg)
{
	struct ucred cred = {0, (uid_t)-1, (gid_t)-1};
	socklen_t len = sizeof cred;
	char name[64], refuse[200] = "";

	(void)l;
	(void)sa;
	(void)salen;
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len))
		cred.uid = (uid_t)-1;
	snprintf(name, sizeof name, "local:%d", (int)cred.pid);
	if (cred.uid != getuid()) {
		/* Its hello is answered with the refusal: it learns why. */
		snprintf(refuse, sizeof refuse, "local connection from uid %d refused: this pd-serve runs as "
			 "uid %d, and only its owner may use its socket", (int)cred.uid, (int)getuid());
		pd_log(PD_LOG_WARN, "%s: %s", name, refuse);
	} else
		pd_fd_wide(fd); /* its results may be large */
	add_conn(arg, fd, 1, name, refuse[0] ? refuse : NULL);
}

/* Turn accepting on or off on both listeners (either may be absent). */
static void listeners_accept(struct pd_server *s, int on)
{
	struct evconnlistener *ls[] = {s->tcp, s->unx};
	size_t i;

	for (i = 0; i < sizeof ls / sizeof ls[0]; i++)
		if (ls[i])
			(void)(on ? evconnlistener_enable(ls[i]) : evconnlistener_disable(ls[i]));
}

/* Accepting resumes after running out of descriptors. */
static void resume_accept(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	listeners_accept(arg, 1);
}

/* accept() failed: on EMFILE pause accepting for a second, not spin;
 * or, when a handshake can make room, close the oldest and go on soon. */
static void on_accept_error(struct evconnlistener *l, void *arg)
{
	struct pd_server *s = arg;
	struct timeval tv = {1, 0};
	int e = EVUTIL_SOCKET_ERROR();

	if ((e == EMFILE || e == ENFILE) && srv_evict_handshake(s))
		tv = (struct timeval){0, 20000}; /* its descriptor closes next turn */
	else
		pd_log(PD_LOG_WARN, "accept: %s; pausing for a second", evutil_socket_error_to_string(e));
	evconnlistener_disable(l);
	evtimer_add(s->resume_timer, &tv);
}

struct pd_server *pd_server_new(struct event_base *base, const struct pd_server_opts *o, char *err)
{
	static const struct pd_pool_cb cb = {batch_done, batch_handback, pool_idle, srv_node_exited};
	static const struct pd_taskserve_cb tcb = {srv_tasks_send, srv_tasks_reserved};
	struct pd_server *s = pd_xcalloc(1, sizeof *s);

	if (strlen(o->state) > PD_PATH_MAX - PD_PATH_ROOM) {
		pd_err(err, "state directory path too long (%zu bytes; at most %d): %.60s...", strlen(o->state),
		       PD_PATH_MAX - PD_PATH_ROOM, o->state);
		free(s);
		return NULL;
	}
	s->base = base;
	pd_path_fmt(s->state, "%s", o->state);
	pd_path_fmt(s->cache, "%s/cache", o->state);
	pd_path_fmt(s->alloc, "%s/alloc", o->state);
	snprintf(s->host, sizeof s->host, "%s", o->host ? o->host : "localhost");
	snprintf(s->tube_addr, sizeof s->tube_addr, "%s", o->tube_addr ? o->tube_addr : "");
	if (o->key) {
		sodium_mlock(s->key, sizeof s->key); /* best effort: kept out of swap */
		memcpy(s->key, o->key, PD_KEY_LEN);
		s->have_key = 1;
	}
	s->cpus_total = o->cpus_total;
	s->shared = o->cpus_shared < 0 ? o->cpus_total : o->cpus_shared;
	s->persist = o->persist_alloc;
	s->log_records = o->log_records;
	s->mem_cap = o->mem_cap;
	s->preload = o->preload;
	LIST_INIT(&s->conns);
	if (mkdir(s->cache, 0700) && errno != EEXIST) {
		pd_err(err, "mkdir %s: %s", s->cache, strerror(errno));
		free(s);
		return NULL;
	}
	if (o->no_gpus) {
		s->gpus.backend = pd_gpu_none.name;
		snprintf(s->gpus.why, sizeof s->gpus.why, "not looked for: the run asks for no GPU");
	} else {
		srv_gpus_find(s);
	}
	if (s->persist && o->cpus_shared < 0)
		srv_alloc_load(s);
	s->tasks = pd_taskserve_new(base, s->cache, o->key, &tcb, s);
	s->stop_timer = evtimer_new(base, maybe_stop, s);
	s->resume_timer = evtimer_new(base, resume_accept, s);
	s->pool = pd_pool_new(base, s->shared, &cb, s, err);
	if (s->pool && o->grace_ms > 0)
		pd_pool_set_grace(s->pool, o->grace_ms);
	if (!s->pool) {
		pd_server_free(s);
		return NULL;
	}
	pd_pool_set_gpus(s->pool, s->gpus.n, s->gpus_shared);
	return s;
}

/* Fill ss from a numeric IPv4 or IPv6 address (NULL: all IPv4). */
static int listen_addr(const char *addr, int port, struct sockaddr_storage *ss, int *len)
{
	struct sockaddr_in *in4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof *ss);
	if (!addr || inet_pton(AF_INET, addr, &in4->sin_addr) == 1) {
		in4->sin_family = AF_INET;
		in4->sin_port = htons((unsigned short)port);
		if (!addr)
			in4->sin_addr.s_addr = htonl(INADDR_ANY);
		*len = sizeof *in4;
		return 0;
	}
	if (inet_pton(AF_INET6, addr, &in6->sin6_addr) == 1) {
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons((unsigned short)port);
		*len = sizeof *in6;
		return 0;
	}
	return -1;
}

int pd_server_listen_tcp(struct pd_server *s, const char *addr, int port, int *bound, char *err)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof ss;
	int sslen;

	if (!s->have_key) {
		pd_err(err, "no cluster key loaded");
		return -1;
	}
	if (listen_addr(addr, port, &ss, &sslen)) {
		pd_err(err, "bad listen address '%s' (give a numeric IPv4 or IPv6 address)", addr);
		return -1;
	}
	s->tcp = evconnlistener_new_bind(s->base, on_accept_tcp, s,
					 LEV_OPT_REUSEABLE | LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC, 128,
					 (struct sockaddr *)&ss, sslen);
	if (!s->tcp) {
		pd_err(err, "listen on %s port %d: %s", addr ? addr : "*", port, strerror(errno));
		return -1;
	}
	evconnlistener_set_error_cb(s->tcp, on_accept_error);
	getsockname(evconnlistener_get_fd(s->tcp), (struct sockaddr *)&ss, &len);
	*bound = ntohs(ss.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
						 : ((struct sockaddr_in *)&ss)->sin_port);
	return 0;
}

int pd_server_listen_unix(struct pd_server *s, const char *path, char *err)
{
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	mode_t old;
	int fd, rc;

	if (strlen(path) >= sizeof sun.sun_path) {
		pd_err(err, "socket path too long: %s", path);
		return -1;
	}
	snprintf(sun.sun_path, sizeof sun.sun_path, "%s", path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	unlink(path); /* stale: the lock says no other server owns it */
	/* The socket is born 0600: no moment between bind and chmod when
	 * the umask leaves it open to others. */
	old = umask(0177);
	rc = fd < 0 ? -1 : bind(fd, (struct sockaddr *)&sun, sizeof sun);
	umask(old);
	if (rc || chmod(path, 0600) || listen(fd, 128)) {
		pd_err(err, "listen on %s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	s->unx = evconnlistener_new(s->base, on_accept_unix, s, LEV_OPT_CLOSE_ON_FREE, -1, fd);
	evconnlistener_set_error_cb(s->unx, on_accept_error);
	snprintf(s->unix_path, sizeof s->unix_path, "%s", path);
	return 0;
}

void pd_server_add_local(struct pd_server *s, int fd)
{
	add_conn(s, fd, 1, "embedded", NULL);
}

void pd_server_exit_when_alone(struct pd_server *s) { s->exit_when_alone = 1; }

void pd_server_shutdown(struct pd_server *s)
{
	if (s->stopping)
		return;
	pd_log(PD_LOG_INFO, "shutting down: handing back queued records, giving running ones a grace period");
	s->stopping = 1;
	pd_pool_stop(s->pool);
	listeners_accept(s, 0);
	/* Detached runs stay "running" on disk and resume at the next start. */
	pd_runs_free(s->runs);
	s->runs = NULL;
	srv_broadcast_slots(s, 0, 0);
	pd_pool_handback_all(s->pool);
	maybe_stop(-1, 0, s);
}

void pd_server_free(struct pd_server *s)
{
	struct sconn *c;

	if (!s)
		return;
	pd_runs_free(s->runs);
	pd_taskserve_free(s->tasks);
	s->tasks = NULL;
	srv_cc_free_all(s);
	while ((c = LIST_FIRST(&s->conns))) {
		LIST_REMOVE(c, link);
		pd_peer_close(c->peer);
		free(c);
	}
	pd_pool_free(s->pool);
	if (s->tcp)
		evconnlistener_free(s->tcp);
	if (s->unx) {
		evconnlistener_free(s->unx);
		unlink(s->unix_path);
	}
	event_free(s->stop_timer);
	event_free(s->resume_timer);
	if (s->have_key)
		sodium_munlock(s->key, sizeof s->key); /* zeroes it */
	sodium_memzero(s->key, sizeof s->key);
	free(s);
}
