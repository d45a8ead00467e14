/* poolint.h - what pool.c shares with poolproc.c, and no one else. */
#ifndef PD_POOLINT_H
#define PD_POOLINT_H

#include <stdint.h>
#include <sys/queue.h>
#include <sys/types.h>

#include <cjson/cJSON.h>
#include <event2/bufferevent.h>
#include <event2/event.h>

#include "buf.h"
#include "err.h"
#include "fairshare.h"
#include "pool.h"
#include "worker.h"

#define UNDONE 0xff
#define WORKERS_MAX 1024
#define TICK_MS 100
#define FINI_GRACE_MS 2000 /* for idle workers' fini hooks at the end */
#define PRELOAD_WAIT_MS 5000 /* the longest pd_pool_preload holds its answer */

/* One record's result inside a batch. */
struct rslot {
	unsigned char status; /* enum pd_rstatus, or UNDONE */
	uint32_t usec;
	size_t off, len; /* in batch->rbuf */
};

struct owner;

/* A submitted batch and the results gathered for it so far. */
struct batch {
	struct owner *ow;
	uint64_t id;
	char *path, *sym, *share, *name, *args;
	long first;
	cJSON *linenos;
	struct pd_buf recs;
	size_t *off; /* n+1 line start offsets into recs */
	int n, ndone, running, dropped, fitness;
	int gpu; /* runs on GPU slots only */
	char sep; /* what ends each record in recs */
	int f64_dim; /* records are binary points of this many doubles, 0: text */
	struct pd_runopts run; /* the client's, run.mem capped by mem_cap */
	long long mem_cap;     /* the server's cap on worker address space */
	struct rslot *rs;
	struct pd_buf rbuf;
	int whole; /* rbuf is the reply as one worker sent it for all n */
	char load_error[PD_ERRLEN];
	TAILQ_ENTRY(batch) q;
};
TAILQ_HEAD(batchq, batch);

/* A client, for fair share (fairshare.h); fair comes first. */
struct owner {
	struct pd_fair_flow fair;
	void *key;
	struct batchq queue;
	int nbatches; /* queued + running */
	TAILQ_ENTRY(owner) link;
};
TAILQ_HEAD(ownerq, owner);

enum wstate { W_IDLE, W_BUSY, W_RETIRING, W_LOADING /* preloading the job */ };

/* A worker process as the pool sees it. */
struct wproc {
	pid_t pid;
	struct bufferevent *bev;
	struct pd_worker_shm *shm;
	enum wstate state;
	struct batch *batch;
	int a, b; /* record range [a, b) dispatched */
	uint64_t seq;
	int timed_out;
	int withdrawn;	   /* killed when its grace period ran out */
	uint64_t retire_at; /* busy on a slot no longer shared: killed at this
			     * time (ns, pd_now_ns) unless done first; 0 = not */
	int gpu; /* device index of a GPU slot's worker, -1 on a CPU slot */
	uint64_t start_ns, charged; /* for the fair share */
};

struct pd_pool {
	struct event_base *base;
	struct pd_pool_cb cb;
	void *arg;
	int slots;
	int gpus, gpu_slots; /* devices on this host; GPU slots shared */
	struct wproc *w[WORKERS_MAX];
	int nw;
	struct ownerq owners;
	struct pd_fair fair;
	struct event *sigchld, *tick, *grow;
	uint64_t seq;
	int grace_ms; /* a busy worker's time to finish once its slot goes */
	int stopping; /* the server stops: no slot is shared any more */
	/* pd_pool_preload: the job every CPU worker loads, whom to tell
	 * when they all have (NULL: told, or none asked), and until when */
	char *preload_path, *preload_sym, *preload_name;
	void (*preload_ready)(void *arg);
	void *preload_arg;
	uint64_t preload_until;
};


/* poolproc.c: worker processes of either kind (gpu 0: CPU slots, 1: GPU). */
int pd_pool_i_live(const struct pd_pool *p, int gpu);
int pd_pool_i_spawn(struct pd_pool *p, int dev, char *err);
void pd_pool_i_forget(struct pd_pool *p, int i);
/* Kill a worker and every process of its group: the programs a runner
 * job started (pd-map CMD ...) die with it. */
void pd_pool_i_kill(struct wproc *w);
void pd_pool_i_grow(evutil_socket_t fd, short what, void *arg);
void pd_pool_i_grow_soon(struct pd_pool *p);
void pd_pool_i_stop_workers(struct pd_pool *p);
/* poolproc.c: tell the preload's waiter when every CPU slot has a worker
 * with the job loaded, its time is up, or (give_up) a worker died. */
void pd_pool_i_preload_check(struct pd_pool *p, int give_up);
/* poolproc.c: a "loaded" message from worker w. */
void pd_pool_i_loaded(struct pd_pool *p, struct wproc *w);
/* pool.c: hand idle workers queued batches; retire surplus ones. */
void pd_pool_i_pump(struct pd_pool *p);
/* pool.c: a worker's result arrived / its pipe ended. */
void pd_pool_i_worker_read(struct bufferevent *bev, void *arg);
void pd_pool_i_worker_event(struct bufferevent *bev, short what, void *arg);

#endif
