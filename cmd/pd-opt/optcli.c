/* optcli.c - pd-opt's options: the table, each option's check, the checks
 * between them, the default budget. */
#include <getopt.h>
#include <math.h>
#include <string.h>

#include "cli.h"
#include "err.h"
#include "opt/cmaes.h"
#include "opt/ga.h"
#include "opt/optim.h"
#include "opt/param.h"
#include "opt/pso.h"
#include "runcli.h"
#include "pdopt.h"

const char *const usage_text =
    "usage: pd-opt [-h] [--version] [-a cmaes|pso|ga] [--minimize | --maximize]\n"
    "              [-p NAME=LO:HI | -p NAME=MIN:LO:HI:MAX ...] [--dim N --bounds LO:HI]\n"
    "              [--popsize N] [--iterations N] [--max-evals N] [--target F] [--seed N]\n"
    "              [--x0 V[,V...]] [--sigma0 S | --step S[,S...]] [--restarts N]\n"
    "              [--restart-mode ipop|bipop|nbipop] [--noise-handling] [--omega W] [--cl C] [--cg C]\n"
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

/* The words of the word options, in the order of their enums
 * (pd_cmaes_restart_mode, pd_pso_rule) or of --fitness-input's letters. */
static const char *const restart_modes[] = {"ipop", "bipop", "nbipop", NULL};
static const char *const pso_rules[] = {"linear", "classic", NULL};
static const char *const fitness_inputs[] = {"args", "json", "lines", NULL};

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
	case O_RMODE: k->restart_mode = pd_cli_word("--restart-mode", arg, restart_modes); break;
	case O_OMEGA: k->omega = pd_cli_double("--omega", arg, 1e-9, 2); break;
	case O_CL: k->cl = pd_cli_double("--cl", arg, 1e-9, 10); break;
	case O_CG: k->cg = pd_cli_double("--cg", arg, 1e-9, 10); break;
	case O_RULE:
		k->pso_rule = pd_cli_word("--pso-rule", arg, pso_rules);
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
		pd_cli_word("--fitness-input", arg, fitness_inputs);
		O.fitness_in = arg[0]; /* 'a', 'j' or 'l' */
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
void parse_options(int argc, char **argv)
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
	if ((O.restarts_given || O.conf.restart_mode || O.conf.noise || O.step || O.sigma0_given) &&
	    O.conf.algo != PD_ALGO_CMAES)
		pd_cli_die(PD_EX_USAGE, "--restarts, --restart-mode, --noise-handling, --sigma0 and --step "
			   "are for CMA-ES (-a cmaes)");
	if (O.step && O.sigma0_given)
		pd_cli_die(PD_EX_USAGE, "--step and --sigma0 both set the initial step: give one");
	if (O.conf.restart_mode && !O.restarts_given)
		O.conf.restarts = DEFAULT_BIPOP_LARGE;
	O.conf.x0 = O.x0 && O.params.dim ? O.x0v = per_param("--x0", O.x0) : NULL;
	O.conf.step = O.step && O.params.dim ? O.stepv = per_param("--step", O.step) : NULL;
	fill_proportions(&O.conf);
}

/* Without --iterations or --max-evals: the default budget. */
void default_budget(void)
{
	if (!O.iterations && !O.max_evals) {
		if (O.conf.algo == PD_ALGO_CMAES)
			O.max_evals = DEFAULT_EVALS_PER_DIM * (long)O.params.dim;
		else
			O.iterations = DEFAULT_ITERATIONS;
	}
}
