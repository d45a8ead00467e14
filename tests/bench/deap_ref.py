#!/usr/bin/python3
"""tests/bench/deap_ref.py - reference optimisers for section [7] of tests/bench/run.sh.

    /usr/bin/python3 tests/bench/deap_ref.py cmaes DIM LO HI TARGET MAX_EVALS SEED...
    /usr/bin/python3 tests/bench/deap_ref.py pso DIM LO HI POPSIZE ITERATIONS SEED...
    /usr/bin/python3 tests/bench/deap_ref.py check deap|numpy   (exit 0 when importable)

cmaes: DEAP's CMA-ES (deap.cma.Strategy(centroid, sigma), its default
population 4 + 3 ln(DIM)) on the Rosenbrock function, as pd-opt starts:
the centroid is the middle of [LO, HI]^DIM and sigma = 0.3 (HI - LO).
Each generation is evaluated whole, then the run stops when its best value
is below TARGET (evaluations counted up to and including that generation,
as pd-opt counts), or after MAX_EVALS evaluations, or when the
distribution has collapsed (sigma * max sqrt(eig C) < 1e-12 sigma0, or
the condition number of C over 1e14), or on a numerical error.  DEAP has
no stop tests of its own.  Prints per seed: "SEED EVALUATIONS BEST REACHED".

pso: a textbook global-best PSO in numpy with the constriction
coefficients of Clerc and Kennedy in inertia form (omega 0.7298,
c1 = c2 = 1.49618; r1, r2 uniform per particle and dimension), positions
uniform in [LO, HI]^DIM, velocities zero, positions clamped to the domain
after each move.  ITERATIONS generations of POPSIZE evaluations, the
first being the initial positions (POPSIZE x ITERATIONS evaluations, as
pd-opt -a pso --popsize POPSIZE --iterations ITERATIONS counts them).
Prints per seed: "SEED EVALUATIONS BEST".

Both seed numpy's global generator (and random) with SEED.
"""
import math
import random
import sys


def rosenbrock(x):
    return sum(100.0 * (x[i + 1] - x[i] * x[i]) ** 2 + (1.0 - x[i]) ** 2
               for i in range(len(x) - 1))


def run_cmaes(dim, lo, hi, target, max_evals, seed):
    import numpy
    from deap import base, cma, creator

    if not hasattr(creator, "FitnessMin"):
        creator.create("FitnessMin", base.Fitness, weights=(-1.0,))
        creator.create("Individual", list, fitness=creator.FitnessMin)
    random.seed(seed)
    numpy.random.seed(seed)
    sigma0 = 0.3 * (hi - lo)
    centroid = [0.5 * (lo + hi)] * dim
    strategy = cma.Strategy(centroid=centroid, sigma=sigma0)
    evals, best = 0, math.inf
    try:
        while evals < max_evals:
            pop = strategy.generate(creator.Individual)
            for ind in pop:
                ind.fitness.values = (rosenbrock(ind),)
                best = min(best, ind.fitness.values[0])
            evals += len(pop)
            if best < target:
                break
            strategy.update(pop)
            if strategy.sigma * max(strategy.diagD) < 1e-12 * sigma0 or strategy.cond > 1e14:
                break
    except (numpy.linalg.LinAlgError, FloatingPointError, ValueError, OverflowError):
        pass
    return evals, best, int(best < target)


def run_pso(dim, lo, hi, popsize, iterations, seed):
    import numpy

    random.seed(seed)
    numpy.random.seed(seed)
    omega, c1, c2 = 0.7298, 1.49618, 1.49618

    def f(x):  # Rosenbrock, one row per particle
        return numpy.sum(100.0 * (x[:, 1:] - x[:, :-1] ** 2) ** 2 + (1.0 - x[:, :-1]) ** 2, axis=1)

    x = numpy.random.uniform(lo, hi, (popsize, dim))
    v = numpy.zeros((popsize, dim))
    fx = f(x)
    evals = popsize
    p, fp = x.copy(), fx.copy()
    g = p[numpy.argmin(fp)].copy()
    for _ in range(iterations - 1):
        r1 = numpy.random.uniform(0.0, 1.0, (popsize, dim))
        r2 = numpy.random.uniform(0.0, 1.0, (popsize, dim))
        v = omega * v + c1 * r1 * (p - x) + c2 * r2 * (g - x)
        x = numpy.clip(x + v, lo, hi)
        fx = f(x)
        evals += popsize
        better = fx < fp
        p[better], fp[better] = x[better], fx[better]
        g = p[numpy.argmin(fp)].copy()
    return evals, float(numpy.min(fp))


def main(argv):
    if len(argv) == 3 and argv[1] == "check":
        import numpy  # noqa: F401
        if argv[2] == "deap":
            from deap import base, cma, creator  # noqa: F401
        return 0
    if len(argv) >= 8 and argv[1] == "cmaes":
        dim, lo, hi = int(argv[2]), float(argv[3]), float(argv[4])
        target, max_evals = float(argv[5]), int(argv[6])
        for s in argv[7:]:
            e, b, r = run_cmaes(dim, lo, hi, target, max_evals, int(s))
            print("%s %d %.17g %d" % (s, e, b, r), flush=True)
        return 0
    if len(argv) >= 8 and argv[1] == "pso":
        dim, lo, hi = int(argv[2]), float(argv[3]), float(argv[4])
        popsize, iterations = int(argv[5]), int(argv[6])
        for s in argv[7:]:
            e, b = run_pso(dim, lo, hi, popsize, iterations, int(s))
            print("%s %d %.17g" % (s, e, b), flush=True)
        return 0
    sys.stderr.write(__doc__)
    return 64


if __name__ == "__main__":
    sys.exit(main(sys.argv))
