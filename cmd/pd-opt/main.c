/* pd-opt - minimise or maximise a fitness function with CMA-ES, PSO or an
 * island GA.  main.c: the job (a FITNESS.so, its source, or --fitness-cmd),
 * the optimiser, fresh or resumed, and the flow; pdopt.h names the others. */
#include <errno.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "cli.h"
#include "err.h"
#include "execjob.h"
#include "fdio.h"
#include "hostsel.h"
#include "jobcc.h"
#include "jobfile.h"
#include "opt/checkpoint.h"
#include "opt/optim.h"
#include "opt/param.h"
#include "pathfmt.h"
#include "playdoh.h"
#include "xmalloc.h"
#include "pdopt.h"

struct opts O;
struct run R;

/* Check the job file: a fitness function for this machine; exit 65 if not. */
static void check_job(char *arg, char **data, size_t *len)
{
	struct pd_buf names = PD_BUF_INIT, kinds = PD_BUF_INIT;
	char err[PD_ERRLEN], *want = pd_jobfile_split(arg);
	unsigned flags = 0;
	int n;

	if (pd_jobcc_is_source(arg)) {
		/* Each host compiles it and picks the fitness function; the
		 * job's name for messages and checkpoints is NAME or the file's. */
		if (pd_read_file(arg, PD_JOBCC_SRC_MAX, data, len, err))
			pd_cli_die(PD_EX_DATAERR, "%s (a job source may have at most %u bytes)", err, PD_JOBCC_SRC_MAX);
		R.src = 1;
		snprintf(R.sym, sizeof R.sym, "%s", want ? want : "");
		snprintf(R.job, sizeof R.job, "%s", want ? want : strrchr(arg, '/') ? strrchr(arg, '/') + 1 : arg);
	} else if (pd_jobfile_inspect_kinds(arg, &names, &kinds, &n, err) ||
		   pd_jobfile_pick(arg, &names, &kinds, n, want, 1u << PD_KIND_FITNESS | 1u << PD_KIND_FITNESS_BATCH,
				   "fitness function", R.job, sizeof R.job, err) ||
		   pd_jobfile_flags(arg, R.job, &flags, err) ||
		   pd_read_file(arg, PD_JOB_MAX, data, len, err))
		pd_cli_die(PD_EX_DATAERR, "%s", err);
	else
		snprintf(R.sym, sizeof R.sym, "%s", R.job);
	pd_buf_release(&names);
	pd_buf_release(&kinds);
	/* A fitness that needs a GPU is evaluated on GPU slots only. */
	if ((flags & PD_NEEDS_GPU) && !O.gpu)
		O.gpu = -1;
	if (!realpath(arg, R.jobpath))
		pd_path_fmt(R.jobpath, "%s", arg);
}

/* --fitness-cmd: the runner job, with the command as a sh -c script
 * (execjob.h).  Exit 64 when the command is too long. */
static void command_fitness(char **data, size_t *len)
{
	char err[PD_ERRLEN];

	R.args = pd_execjob_fitness_args(O.fitness_cmd, O.fitness_in ? O.fitness_in : 'a', pd_optim_dim(R.o), err);
	if (!R.args)
		pd_cli_die(PD_EX_USAGE, "--fitness-cmd: %s", err);
	*data = pd_xmalloc(pd_execjob_so_len);
	memcpy(*data, pd_execjob_so, pd_execjob_so_len);
	*len = pd_execjob_so_len;
	snprintf(R.sym, sizeof R.sym, "%s", PD_EXECJOB_SYM);
	snprintf(R.job, sizeof R.job, "%s", O.fitness_cmd);
	pd_path_fmt(R.jobpath, "%s", PD_EXECJOB_NAME);
}

/* The checkpoint to resume: same job, direction and parameters. */
static void resume(void)
{
	struct pd_checkpoint cp;
	char err[PD_ERRLEN];

	if (pd_checkpoint_read(O.resume, &cp, err))
		pd_cli_die(PD_EX_DATAERR, "%s", err);
	if (strcmp(cp.job, R.job) || cp.maximize != O.maximize)
		pd_cli_die(PD_EX_DATAERR, "--resume %s: saved for %s (%s), not %s (%s)", O.resume, cp.job,
			   cp.maximize ? "maximize" : "minimize", R.job, O.maximize ? "maximize" : "minimize");
	if (O.params.dim && !pd_params_same(&cp.params, &O.params))
		pd_cli_die(PD_EX_DATAERR, "--resume %s: saved with other parameters than these", O.resume);
	if (pd_optim_algo(cp.optim) != O.conf.algo)
		pd_cli_die(PD_EX_DATAERR, "--resume %s: saved by -a %s, not -a %s", O.resume,
			   pd_optim_algo_name(pd_optim_algo(cp.optim)), pd_optim_algo_name(O.conf.algo));
	pd_params_release(&O.params);
	O.params = cp.params;
	R.o = cp.optim;
}

/* Set up the optimiser, fresh or resumed; exits on bad settings. */
static void make_optimiser(void)
{
	char err[PD_ERRLEN];

	if (O.resume) {
		resume();
		return;
	}
	if (!O.seed_given)
		O.conf.seed = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32);
	R.o = pd_optim_new(&O.params, &O.conf, err);
	if (!R.o)
		pd_cli_die(PD_EX_USAGE, "%s", err);
}

int main(int argc, char **argv)
{
	struct pd_hostsel sel;
	char err[PD_ERRLEN], *job = NULL;
	size_t joblen;
	int code;

	pd_cli_start(argv, "pd-opt", usage_text);
	signal(SIGPIPE, SIG_IGN);
	/* Every generation moves the same large buffers (points, batches,
	 * frames) through this process, its embedded server and workers
	 * (forked: they inherit this): keep freed memory for the next one
	 * instead of mapping fresh pages, whose faults cost more than the
	 * copies. */
	mallopt(M_MMAP_THRESHOLD, 64 << 20);
	mallopt(M_TRIM_THRESHOLD, 256 << 20);
	parse_options(argc, argv);
	if (!O.fitness_cmd)
		check_job(argv[optind], &job, &joblen);
	else
		snprintf(R.job, sizeof R.job, "%s", O.fitness_cmd);
	make_optimiser();
	if (O.fitness_cmd)
		command_fitness(&job, &joblen);
	default_budget();
	if (O.resume && !O.checkpoint)
		O.checkpoint = O.resume;
	if (O.trace && O.resume)
		trace_resume();
	if (O.trace && !(R.trace = fopen(O.trace, O.resume ? "a" : "w")))
		pd_cli_die(PD_EX_OSERR, "--trace %s: %s", O.trace, strerror(errno));
	code = pd_hostsel_init(&sel, O.hosts, O.ssh, err);
	if (code)
		pd_cli_say("%s", err);
	else
		code = run_search(&sel, job, joblen);
	pd_hostsel_release(&sel);
	code = finish(code);
	if (R.trace)
		fclose(R.trace);
	pd_optim_free(R.o);
	pd_params_release(&O.params);
	free(R.f);
	free(R.hx);
	free(R.hy);
	free(job);
	free(R.args);
	free(O.x0v);
	free(O.stepv);
	if (fflush(stdout) || ferror(stdout)) {
		pd_cli_epipe(errno);
		return code ? code : PD_EX_OSERR;
	}
	return code;
}
