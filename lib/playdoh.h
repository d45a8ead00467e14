/*
 * playdoh.h - the Playdoh-C job interface (see playdoh(3)).
 *
 * Header-only: a job needs no library to link against, only
 *
 *	cc -shared -fPIC -O2 -I/path/to/lib job.c -o job.so
 *
 * Every entry point a job defines is published through a descriptor,
 * `pd_desc_NAME`, that the worker finds with dlsym() and checks (magic,
 * ABI version, kind) before calling anything.  The functions a job calls
 * (pd_num, pd_put_double, pd_error, ...) are static inline wrappers
 * around a table of function pointers that the worker hands in with
 * each record, so the job's .so has no undefined Playdoh symbols.
 *
 * A map job:
 *
 *	#include <playdoh.h>
 *	PD_MAP(square)
 *	{
 *		double x = pd_num(in, 0);
 *		return pd_put_double(out, x * x);
 *	}
 */
#ifndef PLAYDOH_H
#define PLAYDOH_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Bumped whenever struct pd_api or struct pd_job_desc changes shape. */
#define PD_ABI_VERSION 1
#define PD_DESC_MAGIC 0x50444a42u /* "PDJB" */
#define PD_DESC_PREFIX "pd_desc_"

/* What a descriptor describes. */
enum pd_kind {
	PD_KIND_MAP = 1,	   /* int f(const pd_rec *, pd_out *) */
	PD_KIND_FITNESS = 2,	   /* double f(const double *x, int dim) */
	PD_KIND_FITNESS_BATCH = 3, /* void f(const double *x, int n, int dim, double *f) */
	PD_KIND_TASK = 4	   /* callbacks in struct pd_task_ops (pd-task) */
};

/* Descriptor flags. */
#define PD_NEEDS_GPU 0x1u
/* Results may differ from run to run for the same record (random numbers,
 * the clock, the line number, files read): pd-map --cache never caches them. */
#define PD_NONDETERMINISTIC 0x2u
/* A map job that reads only pd_line and pd_lineno: the worker does not
 * split its records into fields (pd_nfields is 0), so that no line, not
 * even one that starts with '{' and is not JSON, fails before the job runs. */
#define PD_RAW_RECORD 0x4u

/* Return values of a map job. */
#define PD_OK 0
#define PD_ERROR (-1)

typedef struct pd_rec pd_rec;
typedef struct pd_out pd_out;
typedef struct pd_ctx pd_ctx;
typedef struct pd_task pd_task;
struct pd_api;

/* An input record, valid only during the call it is passed to. */
struct pd_rec { const struct pd_api *api; void *impl; };

/* The result being built for one record. */
struct pd_out { const struct pd_api *api; void *impl; };

/* One node of a running task (pd-task), valid from init to result. */
struct pd_task { const struct pd_api *api; void *impl; };

/* Per-worker context handed to a job's init hook. */
struct pd_ctx { const struct pd_api *api; void *impl; };

/*
 * The functions the worker provides.  `size` is sizeof(struct pd_api) as
 * the worker was built; new members are only ever appended.
 */
struct pd_api {
	uint32_t abi;
	uint32_t size;
	/* records */
	int (*nfields)(const pd_rec *r);
	const char *(*str)(const pd_rec *r, int i);
	double (*num)(const pd_rec *r, int i);
	long long (*integer)(const pd_rec *r, int i);
	const char *(*named_str)(const pd_rec *r, const char *name);
	double (*named_num)(const pd_rec *r, const char *name);
	long long (*named_int)(const pd_rec *r, const char *name);
	const char *(*line)(const pd_rec *r, size_t *len);
	long (*lineno)(const pd_rec *r);
	/* output */
	int (*write)(pd_out *o, const void *p, size_t n);
	int (*vprintf)(pd_out *o, const char *fmt, va_list ap);
	int (*put_double)(pd_out *o, double v);
	int (*put_int)(pd_out *o, long long v);
	int (*put_str)(pd_out *o, const char *s);
	int (*verror)(pd_out *o, const char *fmt, va_list ap);
	/* shared read-only data (--share FILE); NULL and 0 when none */
	const void *(*share)(size_t *len);
	/* this worker's GPU device index, or -1 on a CPU slot */
	int (*gpu)(void);
	/* tasks (pd-task): members appended in ABI version 1's lifetime */
	int (*node)(const pd_task *t);
	int (*nodes)(const pd_task *t);
	int (*push)(pd_task *t, const char *tube, const void *data, size_t len);
	const void *(*pop)(pd_task *t, const char *tube, size_t *len);
	int (*barrier)(pd_task *t);
	int (*ntubes)(const pd_task *t, int out);
	const char *(*tube)(const pd_task *t, int out, int i);
	int (*has_tube)(const pd_task *t, int out, const char *name);
	void (*set_data)(pd_task *t, void *data);
	void *(*data)(const pd_task *t);
	int (*task_verror)(pd_task *t, const char *fmt, va_list ap);
	/* the run's argument string (pd_args), or NULL */
	const char *(*args)(size_t *len);
};

/* Optional per-worker hooks: init runs once before the first call into the
 * job in a worker process, fini when the worker retires.  A non-zero return
 * from init fails every record the worker would run, with that message. */
typedef int (*pd_init_fn)(const pd_ctx *ctx);
typedef void (*pd_fini_fn)(void);

typedef int (*pd_map_fn)(const pd_rec *in, pd_out *out);

/*
 * A task's callbacks, run on every node in turn: init with the node's
 * argument line, start (the computation, talking to other nodes through
 * tubes), result (the node's output).  Each returns PD_OK, or PD_ERROR
 * (say why with pd_task_error) to fail the node, which ends the task on
 * every node.
 */
struct pd_task_ops {
	int (*init)(pd_task *t, const char *args);
	int (*start)(pd_task *t);
	int (*result)(pd_task *t, pd_out *out);
};
typedef double (*pd_fitness_fn)(const double *x, int dim);
typedef void (*pd_fitness_batch_fn)(const double *x, int n, int dim, double *f);

/* The descriptor a worker looks up as pd_desc_NAME. */
struct pd_job_desc {
	uint32_t magic;	  /* PD_DESC_MAGIC */
	uint32_t abi;	  /* PD_ABI_VERSION the job was built with */
	uint32_t kind;	  /* enum pd_kind */
	uint32_t flags;	  /* PD_NEEDS_GPU, ... */
	const char *name; /* NAME, as in pd_desc_NAME */
	pd_map_fn map;
	pd_fitness_fn fitness;
	pd_fitness_batch_fn fitness_batch;
	const void *task; /* struct pd_task_ops, for pd-task */
	pd_init_fn init;
	pd_fini_fn fini;
	void *reserved[4];
};

/* In C++ (a CUDA .cu file is C++) a const object at namespace scope is
 * local to its file: extern "C" gives the descriptor external linkage
 * and its plain C name, so the worker's dlsym finds it. */
#if defined(__cplusplus)
#define PD_LINKAGE extern "C"
#else
#define PD_LINKAGE
#endif
#if defined(__GNUC__)
#define PD_EXPORT PD_LINKAGE __attribute__((visibility("default"), used))
#else
#define PD_EXPORT PD_LINKAGE
#endif

/*
 * Descriptor-defining macros.  Each expands to a prototype, the exported
 * descriptor, and the start of the function definition, so it is followed
 * by the function body.  The _WITH forms also name a job's init and fini
 * hooks: PD_MAP_WITH(name, init, fini).  The _FLAGS forms take descriptor
 * flags: a job marked PD_NEEDS_GPU runs on GPU slots
 * only (see playdoh(3), GPU jobs); one marked PD_NONDETERMINISTIC is
 * never cached by pd-map --cache (flags combine with |).
 */
#define PD_MAP_FLAGS_WITH(fn, fl, initf, finif)                                \
	static int fn(const pd_rec *in, pd_out *out);                          \
	PD_EXPORT const struct pd_job_desc pd_desc_##fn = {                    \
	    PD_DESC_MAGIC, PD_ABI_VERSION, PD_KIND_MAP, fl, #fn, fn, 0, 0, 0,  \
	    initf, finif, {0, 0, 0, 0}};                                       \
	static int fn(const pd_rec *in, pd_out *out)

#define PD_MAP_WITH(fn, initf, finif) PD_MAP_FLAGS_WITH(fn, 0, initf, finif)
#define PD_MAP(fn) PD_MAP_WITH(fn, 0, 0)

#define PD_FITNESS(fn)                                                         \
	static double fn(const double *x, int dim);                            \
	PD_EXPORT const struct pd_job_desc pd_desc_##fn = {                    \
	    PD_DESC_MAGIC, PD_ABI_VERSION, PD_KIND_FITNESS, 0, #fn, 0, fn, 0,  \
	    0, 0, 0, {0, 0, 0, 0}};                                            \
	static double fn(const double *x, int dim)

#define PD_FITNESS_BATCH_WITH(fn, fl, initf, finif)                            \
	static void fn(const double *x, int n, int dim, double *f);            \
	PD_EXPORT const struct pd_job_desc pd_desc_##fn = {                    \
	    PD_DESC_MAGIC, PD_ABI_VERSION, PD_KIND_FITNESS_BATCH, fl, #fn, 0,  \
	    0, fn, 0, initf, finif, {0, 0, 0, 0}};                             \
	static void fn(const double *x, int n, int dim, double *f)

#define PD_FITNESS_BATCH_FLAGS(fn, fl) PD_FITNESS_BATCH_WITH(fn, fl, 0, 0)
#define PD_FITNESS_BATCH(fn) PD_FITNESS_BATCH_FLAGS(fn, 0)

/* A task named `name` from three functions defined in the file. */
#define PD_TASK(name, initf, startf, resultf)                                   \
	static const struct pd_task_ops pd_ops_##name = {initf, startf, resultf}; \
	PD_EXPORT const struct pd_job_desc pd_desc_##name = {                      \
	    PD_DESC_MAGIC, PD_ABI_VERSION, PD_KIND_TASK, 0, #name, 0, 0, 0,      \
	    &pd_ops_##name, 0, 0, {0, 0, 0, 0}}

/* Number of whitespace-separated fields in the record (key=value tokens
 * count as fields too; a JSON object line has one field per member). */
static inline int pd_nfields(const pd_rec *r) { return r->api->nfields(r); }

/* Field i (0-based) as a NUL-terminated string, or NULL when absent. */
static inline const char *pd_str(const pd_rec *r, int i) { return r->api->str(r, i); }

/* Field i as a number.  A missing or unparsable field fails the record
 * (whatever the job returns) with a message naming the field; the value
 * returned is then NaN. */
static inline double pd_num(const pd_rec *r, int i) { return r->api->num(r, i); }

/* Field i as an integer; missing, unparsable or out-of-range fails the
 * record as pd_num does, and 0 is returned. */
static inline long long pd_int(const pd_rec *r, int i) { return r->api->integer(r, i); }

/* The value of key=value token `name` (or JSON member), or NULL. */
static inline const char *pd_get(const pd_rec *r, const char *name)
{
	return r->api->named_str(r, name);
}

/* Named value as a number / integer; missing or unparsable fails the record. */
static inline double pd_get_num(const pd_rec *r, const char *name)
{
	return r->api->named_num(r, name);
}
static inline long long pd_get_int(const pd_rec *r, const char *name)
{
	return r->api->named_int(r, name);
}

/* The whole input line (without its newline) and its length. */
static inline const char *pd_line(const pd_rec *r, size_t *len) { return r->api->line(r, len); }

/* The record's 1-based line number in the input. */
static inline long pd_lineno(const pd_rec *r) { return r->api->lineno(r); }

/* Append raw bytes to the result. */
static inline int pd_write(pd_out *o, const void *p, size_t n) { return o->api->write(o, p, n); }

/* Append formatted text to the result. */
static inline int pd_printf(pd_out *o, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static inline int pd_printf(pd_out *o, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = o->api->vprintf(o, fmt, ap);
	va_end(ap);
	return rc;
}

/* Append a value as a field: separated by one space from the previous
 * field.  Doubles are printed with 17 significant digits (round trip). */
static inline int pd_put_double(pd_out *o, double v) { return o->api->put_double(o, v); }
static inline int pd_put_int(pd_out *o, long long v) { return o->api->put_int(o, v); }
static inline int pd_put_str(pd_out *o, const char *s) { return o->api->put_str(o, s); }

/* Fail this record with a message; returns PD_ERROR, so a job may
 * `return pd_error(out, "x must be positive, got %g", x);`. */
static inline int pd_error(pd_out *o, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static inline int pd_error(pd_out *o, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	o->api->verror(o, fmt, ap);
	va_end(ap);
	return PD_ERROR;
}

/* Read-only data named with --share FILE, mapped once per host. */
static inline const void *pd_share(const pd_rec *r, size_t *len) { return r->api->share(len); }
static inline const void *pd_ctx_share(const pd_ctx *c, size_t *len) { return c->api->share(len); }

/* The run's argument string (given by the client: the command line of
 * `pd-map CMD ...`), NUL-terminated, or NULL when the run has none.
 * Valid during the call; a worker older than this header gives NULL. */
static inline const char *pd_api_args_(const struct pd_api *a, size_t *len)
{
	if (a->size < offsetof(struct pd_api, args) + sizeof a->args || !a->args) {
		if (len)
			*len = 0;
		return NULL;
	}
	return a->args(len);
}
static inline const char *pd_args(const pd_rec *r, size_t *len) { return pd_api_args_(r->api, len); }
static inline const char *pd_ctx_args(const pd_ctx *c, size_t *len) { return pd_api_args_(c->api, len); }

/* The CUDA device a GPU slot's job uses, or -1 on a CPU slot.  The worker
 * sets CUDA_VISIBLE_DEVICES to its one device before the init hook runs,
 * so this is 0 on a GPU slot (CUDA numbers the visible devices from 0). */
static inline int pd_ctx_gpu(const pd_ctx *c) { return c->api->gpu(); }

/* This node's index (0 .. pd_nodes - 1) and the number of nodes. */
static inline int pd_node(const pd_task *t) { return t->api->node(t); }
static inline int pd_nodes(const pd_task *t) { return t->api->nodes(t); }

/*
 * Send len bytes through outgoing tube `tube`.  Returns once the message
 * is queued for the receiver, blocking only while the receiver's bounded
 * buffer for that tube is full.  PD_OK, or PD_ERROR when there is no such
 * tube or the receiving node is gone (then return PD_ERROR from start).
 * When any node fails, pd-task ends every node of the task.
 */
static inline int pd_push(pd_task *t, const char *tube, const void *data, size_t len)
{
	return t->api->push(t, tube, data, len);
}

/*
 * Take the next message from incoming tube `tube`, waiting for it.  The
 * bytes stay valid until the next pd_pop on the same tube.  NULL when
 * there is no such tube, or the sending node has ended (finished or died)
 * with nothing more sent: a pop on a gone peer is an error, not a hang.
 * (Two nodes each waiting for the other still wait: --timeout ends that.)
 */
static inline const void *pd_pop(pd_task *t, const char *tube, size_t *len)
{
	return t->api->pop(t, tube, len);
}

/* Wait until every node has reached its barrier.  PD_OK or PD_ERROR. */
static inline int pd_barrier(pd_task *t) { return t->api->barrier(t); }

/* This node's incoming and outgoing tubes: how many, the i-th's name,
 * and whether one of a name exists (`if (pd_has_tube_out(t, "left"))`). */
static inline int pd_tubes_in(const pd_task *t) { return t->api->ntubes(t, 0); }
static inline int pd_tubes_out(const pd_task *t) { return t->api->ntubes(t, 1); }
static inline const char *pd_tube_in(const pd_task *t, int i) { return t->api->tube(t, 0, i); }
static inline const char *pd_tube_out(const pd_task *t, int i) { return t->api->tube(t, 1, i); }
static inline int pd_has_tube_in(const pd_task *t, const char *name) { return t->api->has_tube(t, 0, name); }
static inline int pd_has_tube_out(const pd_task *t, const char *name) { return t->api->has_tube(t, 1, name); }

/* The node's own state, kept between init, start and result. */
static inline void pd_task_set_data(pd_task *t, void *data) { t->api->set_data(t, data); }
static inline void *pd_task_data(const pd_task *t) { return t->api->data(t); }

/* Say why the node fails; returns PD_ERROR for `return pd_task_error(...)`. */
static inline int pd_task_error(pd_task *t, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static inline int pd_task_error(pd_task *t, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	t->api->task_verror(t, fmt, ap);
	va_end(ap);
	return PD_ERROR;
}

#ifdef __cplusplus
}
#endif
#endif /* PLAYDOH_H */
