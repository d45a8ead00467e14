/* serverint.h - pd-serve's state, shared by server.c and serverjobs.c only. */
#ifndef PD_SERVERINT_H
#define PD_SERVERINT_H

#include <sys/queue.h>
#include <sys/types.h>

#include <cjson/cJSON.h>
#include <event2/event.h>
#include <event2/listener.h>

#include "frame.h"
#include "gpu.h"
#include "key.h"
#include "pathfmt.h"
#include "runs.h"

/* A connected client as the server sees it. */
struct sconn {
	struct pd_server *s;
	struct pd_peer *peer;
	int local; /* Unix socket or embedded: owner-level trust */
	int refused; /* refused at accept (another uid), already logged */
	char waiting[PD_RUN_ID_LEN]; /* fetch --wait: the run awaited, or "" */
	char client[32];	      /* program named in its hello; "" before the handshake ends */
	long records;		      /* results sent to it */
	LIST_ENTRY(sconn) link;
};

struct pd_server {
	struct event_base *base;
	char state[PD_PATH_MAX], cache[PD_PATH_MAX], alloc[PD_PATH_MAX], host[256];
	char tube_addr[64]; /* pd_server_opts.tube_addr, or "" */
	unsigned char key[PD_KEY_LEN];
	int have_key, cpus_total, shared, persist, log_records;
	struct pd_gpus gpus; /* found at start (gpu.h) */
	int gpus_shared;
	long long mem_cap; /* --mem (memlimit.h), 0 = none */
	struct pd_pool *pool;
	struct pd_runs *runs;
	struct pd_taskserve *tasks;
	struct evconnlistener *tcp, *unx;
	char unix_path[108];
	LIST_HEAD(, sconn) conns;
	int nconns, stopping, exit_when_alone;
	struct event *stop_timer, *resume_timer;
	LIST_HEAD(, srvcc) compiles; /* servercc.c: jobs compiling from source */
	int ncompiles;
};

/* server.c: send a message to one client (j is freed); a new message. */
void srv_reply(struct sconn *c, cJSON *j, const void *blob, size_t n);
cJSON *srv_msg_new(const char *op);
/* serverhost.c: map workers = the share less the slots task nodes hold;
 * the info reply; alloc {cpu?, gpu?} from the local owner; the saved
 * shares; slots {shared, gpus_shared} to every client; this host's GPUs. */
void srv_pool_resize(struct pd_server *s);
cJSON *srv_info_json(struct pd_server *s);
void srv_on_alloc(struct sconn *c, const struct pd_msg *m);
void srv_alloc_load(struct pd_server *s);
void srv_broadcast_slots(struct pd_server *s, int shared, int gpus_shared);
void srv_gpus_find(struct pd_server *s);

/* serveradmit.c: TCP keepalive on an accepted socket; before adding a
 * TCP connection, close the oldest handshake when PD_HANDSHAKE_MAX are
 * in progress or PD_CONN_MAX connections are open; close the oldest
 * handshake now (1) or find none (0). */
void srv_tcp_keepalive(int fd);
void srv_make_room(struct pd_server *s);
int srv_evict_handshake(struct pd_server *s);

/* serverjobs.c: detached runs. */
void srv_on_submit(struct sconn *c, const struct pd_msg *m);
void srv_on_run_query(struct sconn *c, const struct pd_msg *m);

/* serverjobs.c: task nodes (taskserve.h) and their callbacks. */
void srv_on_task(struct sconn *c, const struct pd_msg *m);
void srv_on_node_cmd(struct sconn *c, const struct pd_msg *m);
void srv_tasks_reserved(void *arg, int reserved);
void srv_tasks_send(void *arg, void *owner, cJSON *msg, const void *blob, size_t len);
void srv_node_exited(void *arg, pid_t pid, int status);

/* servercc.c: jobs sent as C source (jobcc.h). */
void srv_on_job_src(struct sconn *c, const struct pd_msg *m);
void srv_on_upload_src(struct sconn *c, const struct pd_msg *m);
void srv_cc_drop_owner(struct pd_server *s, struct sconn *c);
void srv_cc_free_all(struct pd_server *s);

#endif
