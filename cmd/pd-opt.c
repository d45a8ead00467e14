/* pd-opt - minimise or maximise a fitness function with CMA-ES, PSO or an island GA. */
#include <errno.h>
#include <getopt.h>
#include <malloc.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <event2/event.h>

#include "fdio.h"
#include "buf.h"
#include "cli.h"
#include "coord.h"
#include "err.h"
#include "f64.h"
#include "hostsel.h"
#include "jobcc.h"
#include "jobfile.h"
#include "json.h"
#include "execjob.h"
#include "num.h"
#include "opt/checkpoint.h"
#include "opt/fitbatch.h"
#include "opt/ga.h"
#include "opt/optim.h"
#include "opt/param.h"
#include "opt/pso.h"
#include "opt/svgplot.h"
#include "opt/trace.h"
#include "memlimit.h"
#include "pathfmt.h"
#include "playdoh.h"
#include "proto.h"
#include "runcli.h"
#include "xmalloc.h"

static const char *usage_text =
    "usage: pd-opt [-h] [--version] [-a cmaes|pso|ga] [--minimize | --maximize]\n"
    "              [-p NAME=LO:HI | -p NAME=MIN:LO:HI:MAX ...] [--dim N --bounds LO:HI]\n"
    "              [--popsize N] [--iterations N] [--max-evals N] [--target F] [--seed N]\n"
    "              [--x0 V[,V...]] [--sigma0 S | --step S[,S...]] [--restarts N]\n"
    "              [--restart-mode ipop|bipop] [--noise-handling] [--omega W] [--cl C] [--cg C]\n"
    "              [--pso-rule linear|classic] [--islands K]\n"
    "              [--elite P] [--crossover P] [--mutation P] [--migration-interval N]\n"
    "              [--migration-proportion P] [-n NODES] [--gpu N] [-H HOSTS] [-S SSH-HOSTS]\n"
    "              [--timeout SEC] [--mem SIZE]\n"
    "              [--json] [-q] [--trace FILE] [--plot FILE.svg] [--checkpoint FILE]\n"
    "              [--checkpoint-every N] [--resume FILE] FITNESS.so[:NAME]\n"
    "       pd-opt [options as above] --fitness-cmd CMD [--fitness-input args|json|lines]\n"
    "              [--fitness-batch K]\n";

#define DEFAULT_ITERATIONS 1000	 /* PSO and GA */
#define DEFAULT_EVALS_PER_DIM 10000 /* CMA-ES: its own stop tests usually end it first */
#define DEFAULT_BIPOP_LARGE 9	    /* BIPOP: large-population runs, as Hansen 2009 */

/* Options. */
struct opts {
	struct pd_params params;
	struct pd_optim_conf conf;
	int maximize, json, quiet, have_target, seed_given;
	long dim, iterations, max_evals, nodes, every;
	long gpu; /* --gpu N; -1: a GPU job without it (every shared GPU slot) */
	struct pd_runopts run; /* --timeout, --mem, ... (runcli.h) */
	double target;
	const char *bounds, *hosts, *ssh, *trace, *plot, *checkpoint, *resume;
	const char *x0, *step; /* lists, parsed once the parameters are known */
	const char *fitness_cmd; /* --fitness-cmd: a program is the fitness */
	int fitness_in;		 /* --fitness-input: 'a'rgs, 'j'son, 'l'ines; 0: not given */
	long fitness_batch;	 /* --fitness-batch K: points per call (lines); 0: default */
	double *x0v, *stepv;
	int restarts_given, rule_given, sigma0_given;
};

/* The run: the optimiser, the generation being evaluated, the history. */
struct run {
	struct pd_optim *o;
	char job[256], jobpath[PD_PATH_MAX];
	char sym[256];		 /* the job asked of hosts ("" for a source without :NAME) */
	int src;		 /* the job is C source, compiled by each host */
	char *args;		 /* --fitness-cmd: the runner's argument string */
	struct pd_coord *coord;
	double *f;		 /* its values */
	const double *x;	 /* the generation's points (valid until the next ask) */
	long base, np;		 /* line number before the generation, its size */
	long nrec;		 /* its records: np, or fewer with --fitness-input lines */
	long got;		 /* values received */
	char fail[2 * PD_ERRLEN]; /* why an evaluation failed (the first) */
	FILE *trace;
	double *hx, *hy;	 /* evaluations and best so far, per iteration */
	size_t hn, hcap;
	const char *stop;	 /* why the run ended */
	int code;
	struct timespec last_progress;
	int progress_drawn;
	/* the iteration's time, for the trace: fed at, job time reported by
	 * the workers, the optimiser's ask and tell */
	double fed_s, eval_ms, fitness_ms, update_ms;
};

static struct opts O;
static struct run R;

enum {
	O_VERSION = 256, O_MIN, O_MAX, O_DIM, O_BOUNDS, O_POPSIZE, O_ITER, O_EVALS, O_TARGET, O_SEED,
	O_SIGMA0, O_RESTARTS, O_OMEGA, O_CL, O_CG, O_ISLANDS, O_ELITE, O_CROSS, O_MUT, O_MIGINT, O_MIGPROP,
	O_RULE, O_JSON, O_TRACE, O_PLOT, O_CKPT, O_EVERY, O_RESUME, O_GPU, O_FCMD, O_FIN, O_FBATCH,
	O_X0, O_STEP, O_RMODE, O_NOISE
};

static const struct option longopts[] = {
    {"help", no_argument, 0, 'h'}, {"version", no_argument, 0, O_VERSION},
    {"algorithm", required_argument, 0, 'a'}, {"minimize", no_argument, 0, O_MIN},
    {"maximize", no_argument, 0, O_MAX}, {"param", required_argument, 0, 'p'},
    {"dim", required_argument, 0, O_DIM}, {"bounds", required_argument, 0, O_BOUNDS},
    {"popsize", required_argument, 0, O_POPSIZE}, {"iterations", required_argument, 0, O_ITER},
    {"max-evals", required_argument, 0, O_EVALS}, {"target", required_argument, 0, O_TARGET},
    {"seed", required_argument, 0, O_SEED}, {"sigma0", required_argument, 0, O_SIGMA0},
    {"restarts", required_argument, 0, O_RESTARTS}, {"omega", required_argument, 0, O_OMEGA},
    {"x0", required_argument, 0, O_X0}, {"step", required_argument, 0, O_STEP},
    {"restart-mode", required_argument, 0, O_RMODE}, {"noise-handling", no_argument, 0, O_NOISE},
    {"cl", required_argument, 0, O_CL}, {"cg", required_argument, 0, O_CG},
    {"pso-rule", required_argument, 0, O_RULE},
    {"islands", required_argument, 0, O_ISLANDS}, {"elite", required_argument, 0, O_ELITE},
    {"crossover", required_argument, 0, O_CROSS}, {"mutation", required_argument, 0, O_MUT},
    {"migration-interval", required_argument, 0, O_MIGINT},
    {"migration-proportion", required_argument, 0, O_MIGPROP}, {"nodes", required_argument, 0, 'n'},
    {"gpu", required_argument, 0, O_GPU},
    {"hosts", required_argument, 0, 'H'}, {"ssh", required_argument, 0, 'S'},
    {"json", no_argument, 0, O_JSON}, {"quiet", no_argument, 0, 'q'}, {"trace", required_argument, 0, O_TRACE},
    {"plot", required_argument, 0, O_PLOT}, {"checkpoint", required_argument, 0, O_CKPT},
    {"checkpoint-every", required_argument, 0, O_EVERY}, {"resume", required_argument, 0, O_RESUME},
    {"fitness-cmd", required_argument, 0, O_FCMD}, {"fitness-input", required_argument, 0, O_FIN},
    {"fitness-batch", required_argument, 0, O_FBATCH},
    {0, 0, 0, 0}};

/* The algorithm options; 0 when ch is not one of them. */
static int algo_option(int ch, const char *arg)
{
	struct pd_optim_conf *k = &O.conf;

	switch (ch) {
	case O_POPSIZE: k->popsize = (int)pd_cli_long("--popsize", arg, 2, 1000000); break;
	case O_SIGMA0: k->sigma0 = pd_cli_double("--sigma0", arg, 1e-12, 1e6), O.sigma0_given = 1; break;
	case O_RESTARTS: k->restarts = (int)pd_cli_long("--restarts", arg, 0, 20), O.restarts_given = 1; break;
	case O_X0: O.x0 = arg; break;
	case O_STEP: O.step = arg; break;
	case O_NOISE: k->noise = 1; break;
	case O_RMODE:
		if (strcmp(arg, "ipop") && strcmp(arg, "bipop"))
			pd_cli_die(PD_EX_USAGE, "--restart-mode: '%s' is neither ipop nor bipop", arg);
		k->bipop = !strcmp(arg, "bipop");
		break;
	case O_OMEGA: k->omega = pd_cli_double("--omega", arg, 1e-9, 2); break;
	case O_CL: k->cl = pd_cli_double("--cl", arg, 1e-9, 10); break;
	case O_CG: k->cg = pd_cli_double("--cg", arg, 1e-9, 10); break;
	case O_RULE:
		if (strcmp(arg, "linear") && strcmp(arg, "classic"))
			pd_cli_die(PD_EX_USAGE, "--pso-rule: '%s' is neither linear nor classic", arg);
		k->pso_rule = !strcmp(arg, "classic") ? PD_PSO_CLASSIC : PD_PSO_LINEAR;
		O.rule_given = 1;
		break;
	case O_ISLANDS: k->islands = (int)pd_cli_long("--islands", arg, 1, 1000); break;
	case O_ELITE: k->elite = pd_cli_double("--elite", arg, 0, 1); break;
	case O_CROSS: k->crossover = pd_cli_double("--crossover", arg, 0, 1); break;
	case O_MUT: k->mutation = pd_cli_double("--mutation", arg, 0, 1); break;
	case O_MIGINT: k->migration_interval = (int)pd_cli_long("--migration-interval", arg, 1, 1000000); break;
	case O_MIGPROP: k->migration_proportion = pd_cli_double("--migration-proportion", arg, 1e-9, 1); break;
	default: return 0;
	}
	return 1;
}

/* The run options; 0 when ch is not one of them. */
static int run_option(int ch, const char *arg)
{
	char err[PD_ERRLEN];
	int a;

	switch (ch) {
	case 'a':
		if ((a = pd_optim_algo_parse(arg)) < 0)
			pd_cli_die(PD_EX_USAGE, "-a: unknown algorithm '%s' (cmaes, pso or ga)", arg);
		O.conf.algo = (enum pd_algo)a;
		break;
	case O_MIN: O.maximize = 0; break;
	case O_MAX: O.maximize = 1; break;
	case 'p':
		if (pd_params_add(&O.params, arg, err))
			pd_cli_die(PD_EX_USAGE, "%s", err);
		break;
	case O_DIM: O.dim = pd_cli_long("--dim", arg, 1, PD_PARAM_MAX); break;
	case O_BOUNDS: O.bounds = arg; break;
	case O_ITER: O.iterations = pd_cli_long("--iterations", arg, 1, 1000000000); break;
	case O_EVALS: O.max_evals = pd_cli_long("--max-evals", arg, 1, 1L << 50); break;
	case O_TARGET: O.target = pd_cli_double("--target", arg, -1e308, 1e308), O.have_target = 1; break;
	case O_SEED: O.conf.seed = (uint64_t)pd_cli_long("--seed", arg, 0, (1L << 62)), O.seed_given = 1; break;
	case 'n': O.nodes = pd_cli_long("-n", arg, 1, 100000); break;
	case O_GPU: O.gpu = pd_cli_long("--gpu", arg, 1, 100000); break;
	case 'H': O.hosts = arg; break;
	case 'S': O.ssh = arg; break;
	case O_JSON: O.json = 1; break;
	case 'q': O.quiet = 1; break;
	case O_TRACE: O.trace = arg; break;
	case O_PLOT: O.plot = arg; break;
	case O_CKPT: O.checkpoint = arg; break;
	case O_EVERY: O.every = pd_cli_long("--checkpoint-every", arg, 1, 1000000000); break;
	case O_RESUME: O.resume = arg; break;
	case O_FCMD: O.fitness_cmd = arg; break;
	case O_FIN:
		if (strcmp(arg, "args") && strcmp(arg, "json") && strcmp(arg, "lines"))
			pd_cli_die(PD_EX_USAGE, "--fitness-input: '%s' is not args, json or lines", arg);
		O.fitness_in = arg[0];
		break;
	case O_FBATCH: O.fitness_batch = pd_cli_long("--fitness-batch", arg, 1, 1000000); break;
	default: return 0;
	}
	return 1;
}

/* A list of one number per parameter, or one for all (--x0, --step);
 * exits 64 naming the option. */
static double *per_param(const char *name, const char *s)
{
	char err[PD_ERRLEN];
	double *v = pd_params_list(&O.params, name, s, err);

	if (!v)
		pd_cli_die(PD_EX_USAGE, "%s", err);
	return v;
}

/* GA proportions: when some are given, the others take their defaults and
 * --mutation the rest; the GA checks that they sum to 1. */
static void fill_proportions(struct pd_optim_conf *k)
{
	if (k->elite < 0 && k->crossover < 0 && k->mutation < 0)
		return; /* all defaults */
	if (k->elite < 0)
		k->elite = PD_GA_ELITE_DEFAULT;
	if (k->crossover < 0)
		k->crossover = PD_GA_CROSSOVER_DEFAULT;
	if (k->mutation < 0)
		k->mutation = fmax(0, 1 - k->elite - k->crossover);
}

/* Options of pd-opt, then the checks between them. */
static void parse_options(int argc, char **argv)
{
	const struct option *all = pd_runcli_longopts(longopts);
	char err[PD_ERRLEN];
	int ch;

	pd_params_init(&O.params);
	O.conf.elite = O.conf.crossover = O.conf.mutation = -1;
	O.conf.pso_rule = PD_PSO_DEFAULT;
	O.every = 10;
	while ((ch = pd_cli_getopt(argc, argv, "ha:p:n:H:S:q", all, O_VERSION)) != -1)
		if (!algo_option(ch, optarg) && !run_option(ch, optarg) && !pd_runcli_parse(ch, optarg, &O.run))
			pd_cli_usage(PD_EX_USAGE);
	if (O.fitness_cmd && optind != argc)
		pd_cli_die(PD_EX_USAGE, "--fitness-cmd is the fitness: give no FITNESS.so as well");
	if ((O.fitness_in || O.fitness_batch) && !O.fitness_cmd)
		pd_cli_die(PD_EX_USAGE, "--fitness-input and --fitness-batch go with --fitness-cmd");
	if (O.fitness_batch && O.fitness_in && O.fitness_in != 'l')
		pd_cli_die(PD_EX_USAGE, "--fitness-batch goes with --fitness-input lines");
	if (O.fitness_batch)
		O.fitness_in = 'l';
	if (O.fitness_cmd && O.gpu)
		pd_cli_die(PD_EX_USAGE, "--gpu is for a FITNESS.so marked for GPUs, not --fitness-cmd");
	if (!O.fitness_cmd && optind != argc - 1) {
		pd_cli_say(optind == argc ? "no fitness function given" : "too many arguments");
		pd_cli_usage(PD_EX_USAGE);
	}
	if ((O.dim != 0) != (O.bounds != NULL))
		pd_cli_die(PD_EX_USAGE, "--dim N and --bounds LO:HI go together");
	if (O.dim && pd_params_add_anon(&O.params, (int)O.dim, O.bounds, err))
		pd_cli_die(PD_EX_USAGE, "%s", err);
	if (!O.params.dim && !O.resume)
		pd_cli_die(PD_EX_USAGE, "no parameters: give -p NAME=LO:HI or --dim N --bounds LO:HI");
	if (O.conf.islands && O.conf.algo != PD_ALGO_GA)
		pd_cli_die(PD_EX_USAGE, "--islands is for the GA (-a ga)");
	if (O.rule_given && O.conf.algo != PD_ALGO_PSO)
		pd_cli_die(PD_EX_USAGE, "--pso-rule is for PSO (-a pso)");
	if ((O.restarts_given || O.conf.bipop || O.conf.noise || O.step || O.sigma0_given) &&
	    O.conf.algo != PD_ALGO_CMAES)
		pd_cli_die(PD_EX_USAGE, "--restarts, --restart-mode, --noise-handling, --sigma0 and --step "
			   "are for CMA-ES (-a cmaes)");
	if (O.step && O.sigma0_given)
		pd_cli_die(PD_EX_USAGE, "--step and --sigma0 both set the initial step: give one");
	if (O.conf.bipop && !O.restarts_given)
		O.conf.restarts = DEFAULT_BIPOP_LARGE;
	O.conf.x0 = O.x0 && O.params.dim ? O.x0v = per_param("--x0", O.x0) : NULL;
	O.conf.step = O.step && O.params.dim ? O.stepv = per_param("--step", O.step) : NULL;
	fill_proportions(&O.conf);
}

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

/* User-facing fitness from the minimised one. */
static double user_f(double f) { return O.maximize ? -f : f; }

/* Seconds since t. */
static double since(const struct timespec *t)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - t->tv_sec) + (now.tv_nsec - t->tv_nsec) / 1e9;
}

/* One progress line on stderr: redrawn in place on a terminal, else at
 * most every two seconds. */
static void progress(int force)
{
	int tty = isatty(2);

	if (O.quiet || (!force && !tty && since(&R.last_progress) < 2))
		return;
	if (tty && !force && since(&R.last_progress) < 0.1)
		return;
	clock_gettime(CLOCK_MONOTONIC, &R.last_progress);
	fprintf(stderr, "%spd-opt: iteration %lld, %lld evaluations, best %.10g, step %.3g%s", tty ? "\r\033[K" : "",
		pd_optim_iter(R.o), pd_optim_evals(R.o), user_f(pd_optim_best(R.o, NULL)), pd_optim_step(R.o),
		tty ? "" : "\n");
	R.progress_drawn = tty;
}

/* Clear a progress line drawn in place. */
static void progress_clear(void)
{
	if (R.progress_drawn)
		fputs("\r\033[K", stderr);
	R.progress_drawn = 0;
}

/* The iteration's record in the trace file and the plot's history. */
static void record_iteration(const double *f, long n, int restarted)
{
	double best = user_f(pd_optim_best(R.o, NULL)), sum = 0;
	long i, k = 0;

	for (i = 0; i < n; i++)
		if (isfinite(f[i]))
			sum += f[i], k++;
	if (R.trace) {
		fprintf(R.trace, "{\"iter\":%lld,\"evals\":%lld,\"best\":%.17g,\"mean\":", pd_optim_iter(R.o),
			pd_optim_evals(R.o), best);
		if (k)
			fprintf(R.trace, "%.17g", user_f(sum / (double)k));
		else
			fputs("null", R.trace);
		fprintf(R.trace, ",\"step\":%.17g,\"nonfinite\":%lld,\"restarts\":%d%s", pd_optim_step(R.o),
			pd_optim_nonfinite(R.o), pd_optim_restarts(R.o), restarted ? ",\"restarted\":true" : "");
		fprintf(R.trace, ",\"eval_ms\":%.3f,\"fitness_ms\":%.3f,\"update_ms\":%.3f}\n", R.eval_ms,
			R.fitness_ms, R.update_ms);
		if (fflush(R.trace) || ferror(R.trace)) {
			pd_cli_epipe(errno); /* --trace /dev/stdout | head: quietly */
			pd_cli_die(PD_EX_OSERR, "--trace %s: %s", O.trace, strerror(errno));
		}
	}
	if (R.hn == R.hcap) {
		R.hcap = R.hcap ? 2 * R.hcap : 256;
		R.hx = pd_xrealloc(R.hx, sizeof *R.hx * R.hcap);
		R.hy = pd_xrealloc(R.hy, sizeof *R.hy * R.hcap);
	}
	R.hx[R.hn] = (double)pd_optim_evals(R.o);
	R.hy[R.hn++] = best;
}

/* Why the run should stop now, or NULL to go on. */
static const char *should_stop(int *restarted)
{
	double best = pd_optim_best(R.o, NULL);
	char err[PD_ERRLEN];
	const char *why;

	*restarted = 0;
	if (O.have_target && (O.maximize ? -best >= O.target : best <= O.target))
		return "target reached";
	if (O.iterations && pd_optim_iter(R.o) >= O.iterations)
		return "iterations done";
	if (O.max_evals && pd_optim_evals(R.o) >= O.max_evals)
		return "evaluation budget spent";
	why = pd_optim_converged(R.o, restarted, err);
	if (why && !strcmp(why, "restart failed")) {
		pd_cli_say("restart: %s", err);
		return "could not restart";
	}
	return why;
}

/* Monotonic seconds. */
static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* Points per program call with --fitness-input lines: --fitness-batch,
 * or the generation spread over the slots in use, one call each (before
 * any host has answered: -c, or this machine's CPUs). */
static long batch_points(void)
{
	struct pd_coord_stats s;
	long slots;

	if (O.fitness_batch)
		return O.fitness_batch;
	pd_coord_stats(R.coord, &s);
	slots = s.slots > 0 ? s.slots : O.nodes ? O.nodes : pd_ncpus();
	return (R.np + slots - 1) / slots;
}

/* Ask for the next generation and hand it to the coordinator. */
static void feed_generation(void)
{
	double t0 = now_s();
	struct pd_buf recs = PD_BUF_INIT;

	R.x = pd_optim_ask(R.o);
	R.np = R.nrec = pd_optim_npoints(R.o);
	R.f = pd_xrealloc(R.f, sizeof *R.f * (size_t)R.np);
	R.got = 0;
	R.fitness_ms = 0;
	if (O.fitness_in == 'l')
		R.nrec = pd_fitbatch_pack(&recs, R.x, R.np, pd_optim_dim(R.o), batch_points());
	R.fed_s = now_s();
	R.update_ms = (R.fed_s - t0) * 1e3;
	if (O.fitness_in == 'l')
		pd_coord_feed(R.coord, recs.data, recs.len);
	else
		pd_coord_feed_points(R.coord, R.x, R.np);
	pd_buf_release(&recs);
}

/* Why record i failed, into R.fail (the first failure only); without
 * --fitness-input lines, record i is point i. */
static void record_failed(long i, const char *why, size_t whylen)
{
	long first = pd_fitbatch_first(R.np, R.nrec, i), n = pd_fitbatch_first(R.np, R.nrec, i + 1) - first;

	if (!R.fail[0])
		pd_fitbatch_failure(R.fail, sizeof R.fail, R.x + first * pd_optim_dim(R.o), n, pd_optim_dim(R.o),
				    why, whylen);
}

/* Coordinator: one record's value, or with --fitness-input lines its
 * points' values, in order. */
static void result_cb(void *arg, const struct pd_coord_result *r)
{
	long i = r->lineno - 1 - R.base, first, n;
	char err[PD_ERRLEN], why[PD_ERRLEN + 80];

	(void)arg;
	if (i < 0 || i >= R.nrec)
		return;
	if (r->status != PD_R_OK) {
		record_failed(i, r->out, r->outlen);
		return;
	}
	R.fitness_ms += r->ms;
	if (O.fitness_in != 'l') {
		pd_f64_get(&R.f[i], r->out, 1);
		R.got++;
		return;
	}
	first = pd_fitbatch_first(R.np, R.nrec, i);
	n = pd_fitbatch_first(R.np, R.nrec, i + 1) - first;
	if (pd_fitbatch_values(r->out, r->outlen, n, R.f + first, err, sizeof err)) {
		/* the generation stays short: drained_cb ends the run */
		snprintf(why, sizeof why, "'%.60s%s' printed %s", O.fitness_cmd, strlen(O.fitness_cmd) > 60 ? "..." : "",
			 err);
		record_failed(i, why, strlen(why));
		return;
	}
	R.got += n;
}

static void note_cb(void *arg, const char *msg)
{
	(void)arg;
	progress_clear();
	pd_cli_say("%s", msg);
}

static void note_plain(const char *msg) { note_cb(NULL, msg); }

/* Coordinator: the generation is evaluated; tell, record, go on or end. */
static void drained_cb(void *arg)
{
	char err[PD_ERRLEN];
	int restarted;
	double t0;
	long i;

	(void)arg;
	if (R.got != R.np) {
		pd_coord_end_input(R.coord);
		return;
	}
	R.eval_ms = (now_s() - R.fed_s) * 1e3;
	t0 = now_s();
	if (O.maximize)
		for (i = 0; i < R.np; i++)
			R.f[i] = -R.f[i];
	pd_optim_tell(R.o, R.f);
	R.update_ms += (now_s() - t0) * 1e3;
	R.base += R.nrec;
	R.stop = should_stop(&restarted);
	record_iteration(R.f, R.np, restarted);
	if (restarted && !O.quiet) {
		progress_clear();
		pd_cli_say("restart %d: population %d%s%s", pd_optim_restarts(R.o), pd_optim_npoints(R.o),
			   pd_optim_regime(R.o) ? ", " : "", pd_optim_regime(R.o) ? pd_optim_regime(R.o) : "");
	}
	progress(0);
	if (O.checkpoint && (R.stop || pd_optim_iter(R.o) % O.every == 0) &&
	    pd_checkpoint_write(O.checkpoint, R.job, O.maximize, &O.params, R.o, err)) {
		progress_clear();
		pd_cli_say("%s", err);
		R.code = PD_EX_OSERR;
		R.stop = "checkpoint failed";
	}
	if (R.stop)
		pd_coord_end_input(R.coord);
	else
		feed_generation();
}

/* Evaluate generations over the selected hosts until a stop; exit status. */
static int run_search(struct pd_hostsel *sel, const char *job, size_t joblen)
{
	struct pd_coord_cb cb = {result_cb, note_cb, NULL, NULL, drained_cb, NULL};
	struct event_base *base = event_base_new();
	char err[PD_ERRLEN];
	pid_t embedded;
	int code;

	R.coord = pd_hostsel_coord(sel, O.nodes ? (int)O.nodes : pd_ncpus(), base, &(struct pd_coord_opts){
	    .job_path = R.jobpath, .sym = R.sym, .src = R.src, .job = job, .job_len = joblen, .key = sel->key,
	    .client = "pd-opt", .in_fd = -1, .fitness = !R.args, .args = R.args, .nul = O.fitness_in == 'l',
	    .f64_dim = O.fitness_in == 'l' ? 0 : pd_optim_dim(R.o),
	    /* a program's points go as text lines: the runner is a map job */
	    .f64_text = R.args || (getenv("PD_OPT_TEXT_POINTS") && *getenv("PD_OPT_TEXT_POINTS")),
	    .max_slots = (int)O.nodes, .gpu = (int)O.gpu,
	    .run = O.run, .halt = 1}, &cb, NULL, &embedded, note_plain, err);
	if (!R.coord) {
		pd_cli_say("%s", err);
		event_base_free(base);
		return PD_EX_UNAVAILABLE;
	}
	clock_gettime(CLOCK_MONOTONIC, &R.last_progress);
	feed_generation();
	code = pd_coord_run(R.coord, err);
	progress_clear();
	if (!code && R.fail[0]) /* a batch's output that gave no values */
		code = PD_EX_JOBFAIL;
	if (code == PD_EX_JOBFAIL)
		pd_cli_say("fitness failed %s", R.fail[0] ? R.fail : err);
	else if (code)
		pd_cli_say("%s", err);
	pd_coord_free(R.coord);
	event_base_loop(base, EVLOOP_NONBLOCK);
	event_base_free(base);
	(void)embedded;
	return code ? code : R.code;
}

/* The best point on stdout: name=value lines, or one JSON object. */
static void print_result(void)
{
	double *x = pd_xmalloc(sizeof *x * (size_t)O.params.dim), best = user_f(pd_optim_best(R.o, x));
	cJSON *j, *p;
	char *text;
	int i;

	if (!O.json) {
		for (i = 0; i < O.params.dim; i++)
			printf("%s=%.17g\n", O.params.name[i], x[i]);
		printf("fitness=%.17g\n", best);
	} else {
		j = cJSON_CreateObject();
		p = cJSON_AddObjectToObject(j, "params");
		for (i = 0; i < O.params.dim; i++)
			pd_json_add_double(p, O.params.name[i], x[i]);
		pd_json_add_double(j, "fitness", isfinite(best) ? best : 0);
		cJSON_AddStringToObject(j, "algorithm", pd_optim_algo_name(pd_optim_algo(R.o)));
		cJSON_AddNumberToObject(j, "evaluations", (double)pd_optim_evals(R.o));
		cJSON_AddNumberToObject(j, "iterations", (double)pd_optim_iter(R.o));
		cJSON_AddNumberToObject(j, "restarts", pd_optim_restarts(R.o));
		cJSON_AddNumberToObject(j, "nonfinite", (double)pd_optim_nonfinite(R.o));
		cJSON_AddStringToObject(j, "stop", R.stop ? R.stop : "");
		text = cJSON_PrintUnformatted(j);
		puts(text);
		cJSON_free(text);
		cJSON_Delete(j);
	}
	free(x);
}

/* Write the --plot file; 0 or an exit status. */
static int write_plot(void)
{
	struct pd_buf svg = PD_BUF_INIT;
	char title[400];
	FILE *f;
	int ok;

	snprintf(title, sizeof title, "pd-opt %s: %s, best %s fitness", pd_optim_algo_name(pd_optim_algo(R.o)),
		 R.job, O.maximize ? "(highest)" : "(lowest)");
	pd_svg_plot(&svg, R.hx, R.hy, (int)R.hn, title, "evaluations", "best fitness");
	f = fopen(O.plot, "w");
	ok = f && fwrite(svg.data, 1, svg.len, f) == svg.len;
	if (f)
		ok &= fclose(f) == 0;
	pd_buf_release(&svg);
	if (!ok) {
		pd_cli_say("--plot %s: %s", O.plot, strerror(errno));
		return PD_EX_OSERR;
	}
	return 0;
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

/* Without --iterations or --max-evals: the default budget. */
static void default_budget(void)
{
	if (!O.iterations && !O.max_evals) {
		if (O.conf.algo == PD_ALGO_CMAES)
			O.max_evals = DEFAULT_EVALS_PER_DIM * (long)O.params.dim;
		else
			O.iterations = DEFAULT_ITERATIONS;
	}
}

/* The end of a run: summary on stderr, result on stdout, plot. */
static int finish(int code)
{
	char restarts[40] = "";

	if (pd_optim_restarts(R.o))
		snprintf(restarts, sizeof restarts, ", %d restarts", pd_optim_restarts(R.o));
	/* A run that stopped before any evaluation has said why already: a
	 * "0 evaluations ... stopped early" summary would only bury it. */
	if ((!O.quiet || code) && (!code || pd_optim_evals(R.o) > 0))
		pd_cli_say("%s: %lld evaluations in %lld iterations%s; %s", pd_optim_algo_name(pd_optim_algo(R.o)),
			   pd_optim_evals(R.o), pd_optim_iter(R.o), restarts,
			   code ? "stopped early" : R.stop ? R.stop : "done");
	if (pd_optim_nonfinite(R.o))
		pd_cli_say("%lld evaluations gave NaN or infinity (ranked worst)", pd_optim_nonfinite(R.o));
	if (!code && pd_optim_evals(R.o))
		print_result();
	if (O.plot && R.hn && !code)
		code = write_plot();
	return code;
}

/* A resumed run's trace goes on from the checkpoint's iteration: the
 * lines a killed run wrote after its last checkpoint go. */
static void trace_resume(void)
{
	char err[PD_ERRLEN];
	long dropped;

	if (pd_trace_cut(O.trace, pd_optim_iter(R.o), &dropped, err))
		pd_cli_die(PD_EX_OSERR, "--trace %s", err);
	if (dropped && !O.quiet)
		pd_cli_say("--trace %s: %ld line%s after the checkpoint's iteration %lld removed", O.trace, dropped,
			   dropped == 1 ? "" : "s", pd_optim_iter(R.o));
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
