/* memlimit.h - a worker's memory limit (--mem): sizes, RLIMIT_AS, and
 * recognising a worker that died for want of memory. */
#ifndef PD_MEMLIMIT_H
#define PD_MEMLIMIT_H

#include <stddef.h>
#include <stdint.h>

/*
 * The limit is on each worker process's address space (RLIMIT_AS, as
 * `ulimit -v`), the worker's own code and libraries included.  pd-serve
 * --mem is the owner's cap (the hard limit, which no job can lift); a
 * client's --mem asks for less.  It guards against runaway jobs: a job
 * past it sees malloc return NULL.
 */

/* Largest accepted size: 1 PiB. */
#define PD_MEM_MAX (1LL << 50)

/* Parse a size: a whole number of bytes, or with a K, M, G or T suffix
 * (powers of 1024), in [1, PD_MEM_MAX].  0, or -1 when malformed. */
int pd_size_parse(const char *s, long long *bytes);

/* Write bytes in the shortest exact form: "64M", "3G", "1000". */
void pd_size_format(long long bytes, char *out, size_t n);

/* The limit records run under: the client's `asked` capped by the
 * server's `cap` (0 = none on either side); 0 = no limit. */
long long pd_memlimit_effective(long long asked, long long cap);

/* In a worker, before a batch: address space at most `limit` bytes (0 =
 * up to `cap`), and never past `cap` (0 = no cap).  -1 with err when the
 * worker already uses more than `limit` (a limit too small to run in). */
int pd_memlimit_apply(long long limit, long long cap, char *err);

/* Prefix msg (a worker's death) with "out of memory (--mem SIZE): ". */
void pd_memlimit_blame(long long mem, char *msg, size_t n);

/* In a worker: on SIGSEGV, SIGBUS or SIGABRT, set *flag when memory had
 * run out under the limit (errno ENOMEM, or the address space within
 * 1 MiB of the limit), then die of the signal as before. */
void pd_memlimit_watch(volatile uint32_t *flag);

#endif
