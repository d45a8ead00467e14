/* jobfile.h - reading a job .so as an ELF file, without loading it. */
#ifndef PD_JOBFILE_H
#define PD_JOBFILE_H

#include <stddef.h>

#include "buf.h"

/* Files larger than this are refused before anything is read. */
#define PD_JOBFILE_MAX (512L << 20)
/* The largest job file a tool reads, uploads or a server accepts. */
#define PD_JOB_MAX (256u << 20)
/* Names longer than this after the prefix are not listed. */
#define PD_JOB_NAME_MAX 255

/*
 * Inspect the ELF shared object at path: check it is a readable ELF file
 * for this machine (same EI_CLASS, EI_DATA and e_machine as the running
 * program, ET_DYN), and list the names of its defined dynamic symbols
 * (.dynsym, st_shndx != SHN_UNDEF) that start with PD_DESC_PREFIX
 * ("pd_desc_"), without the prefix, into `names` (struct pd_buf,
 * NUL-separated, count in *n).  Returns 0, or -1 with err such as
 * "square.so: not an ELF file", "square.so: built for aarch64, this
 * machine is x86_64", "square.so: not a shared object", "open square.so:
 * No such file or directory".
 *
 * Details: names is reset first and holds each name followed by a NUL
 * ("square\0sum\0"); it is left empty (and *n 0) on error.  Local
 * symbols (which dlsym() cannot find) and duplicates are skipped, as are
 * names that are empty, longer than PD_JOB_NAME_MAX or hold bytes other
 * than [A-Za-z0-9_] and non-ASCII.  A shared object without a .dynsym
 * section lists nothing.  Damaged files give "square.so: truncated or
 * corrupt ELF file (WHAT)".  Messages use the basename of path.
 */
int pd_jobfile_inspect(const char *path, struct pd_buf *names, int *n, char *err);

/*
 * Choose the job symbol: `want` (may be NULL) must be among the names
 * ("square.so has no job 'cube'; it has: square, sum"); with want NULL
 * there must be exactly one ("square.so defines no Playdoh job (no
 * pd_desc_ symbol; see playdoh(3))" / "square.so defines several jobs
 * (a, b); name one as square.so:NAME").  Copies the chosen name into out
 * (size outsz).  Returns 0 or -1 with err.  An empty want counts as NULL.
 */
int pd_jobfile_choose(const char *path, const struct pd_buf *names, int n, const char *want,
		      char *out, size_t outsz, char *err);

/* As pd_jobfile_inspect, also appending to kinds one byte per name: its
 * descriptor's enum pd_kind read from the file, or 0 when unreadable. */
int pd_jobfile_inspect_kinds(const char *path, struct pd_buf *names, struct pd_buf *kinds, int *n,
			     char *err);

/*
 * pd_jobfile_choose among the jobs whose kind is in mask (bits 1 << kind)
 * or unknown: "sq.so: job 'sq' is a map job, not a fitness function"
 * when want names one of another kind, "sq.so defines no fitness
 * function (...)" when none is left; `what` names the wanted kind.
 */
int pd_jobfile_pick(const char *path, const struct pd_buf *names, const struct pd_buf *kinds, int n,
		    const char *want, unsigned mask, const char *what, char *out, size_t outsz, char *err);

/* The descriptor flags (PD_NEEDS_GPU, ...) of job sym in the file, read
 * without loading it; 0 when the descriptor cannot be read from the file
 * (the worker decides then).  0, or -1 with err (not a job file, no such
 * job). */
int pd_jobfile_flags(const char *path, const char *sym, unsigned *flags, char *err);

/*
 * Split a tool's JOB[:NAME] argument in place: NAME (after the last
 * colon), or NULL when there is none or the whole argument names an
 * existing file (a path may hold colons).  arg keeps the file's path.
 */
char *pd_jobfile_split(char *arg);

#endif
