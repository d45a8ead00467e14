/* checkpoint.h - pd-opt's checkpoint file: the search and its optimiser state. */
#ifndef PD_OPT_CHECKPOINT_H
#define PD_OPT_CHECKPOINT_H

#include "opt/optim.h"
#include "opt/param.h"

/*
 * A checkpoint is text: a header naming the job and the direction, the
 * parameters with their bounds (as the hex bits of the doubles), then
 * the optimiser's state (pd_optim_save).  Loading it and going on gives
 * the same run, bit for bit, as if it had never stopped.  Files are
 * written whole or not at all (temporary file, fsync, rename).
 */
struct pd_checkpoint {
	char job[256];	/* the fitness function's name */
	int maximize;
	struct pd_params params;
	struct pd_optim *optim; /* owned */
};

/* Write cp to path atomically; 0 or -1 with err. */
int pd_checkpoint_write(const char *path, const char *job, int maximize, const struct pd_params *p,
			const struct pd_optim *o, char *err);

/* Read a checkpoint into cp (released with pd_checkpoint_release); 0 or
 * -1 with err naming the file and what is wrong. */
int pd_checkpoint_read(const char *path, struct pd_checkpoint *cp, char *err);
void pd_checkpoint_release(struct pd_checkpoint *cp);

#endif
