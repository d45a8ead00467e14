#!/usr/bin/python3
"""tests/bench/bbob_bench.py - pd-opt against reference CMA-ES on COCO's BBOB suite.

    /usr/bin/python3 tests/bench/bbob_bench.py BUILD_DIR OUT_DIR

Runs every optimiser on the functions and instances chosen below, all
calling the same C functions (BUILD_DIR/examples/bbob.so: pd-opt loads it
as its fitness job, the Python optimisers through ctypes), and writes to
OUT_DIR: runs.tsv (one line per run), table.txt (per function: runs
solved and ERT per optimiser), ecdf.svg (the fraction of (run, target)
pairs reached against evaluations / D, targets f_opt + 10^[2..-8] as
COCO draws its runtime ECDFs, without COCO's bootstrapping), and prints
table.txt.

Optimisers (BBOB_OPTS, comma-separated; default all six):
  pdopt-ipop       pd-opt -a cmaes --restarts 20 (IPOP: population doubled)
  pdopt-bipop      pd-opt --restart-mode bipop, where this pd-opt has it
                   (else the column is skipped, with a note)
  pdopt-nbipop     pd-opt --restart-mode nbipop, the same way
  pdopt-bipop-box  the same, kept inside the box [-5, 5]^D (--bounds -5:5)
  cmaes            python3-cmaes (CyberAgent's cmaes.CMA), IPOP by hand
  deap             DEAP's cma.Strategy, IPOP by hand
All start as pd-opt does: the first mean at the middle of the box
[-5, 5]^D, sigma0 = 0.3 of its width; every restart from a uniform point
of the box with the population doubled.  All but pdopt-bipop-box run
unbounded, as COCO lets them (the functions are defined everywhere: f5
flat past its wall, penalties outside the box elsewhere): pd-opt with
--bounds -inf:-5:5:inf, the box as its start interval and no walls, so
the comparison is of the algorithms alone.  pdopt-bipop-box shows what
keeping inside the box costs (its transformation puts f5's optimum, on
the wall, at a smooth minimum inside, which is approached at the linear
rate of a sphere where the unbounded ones step past the wall into f5's
flat region).  cmaes's own bounds resample each point up to 100 times,
which on f5 costs it 30 ms a generation and a stall 0.6 above f_opt.  A run stops at f_opt + 1e-8 or after BUDGET x D evaluations,
counted per whole generation (the way pd-opt counts).

Environment: BBOB_DIM (10; 2-40), BBOB_FUNCS (1-24; "1,8,15-17" form),
BBOB_INSTANCES (1-5; at most 15, the jobs bbob.so has), BBOB_BUDGET
(100000: evaluations per D), BBOB_OPTS, BBOB_SEED (added to every run's
seed, 0), BBOB_PDOPT (another pd-opt binary, e.g. a branch's, against the
same bbob.so), BBOB_JOBS (runs at once, default the number of CPUs; each
run is one process, pd-opt with one worker, and its result does not
depend on how many run beside it).

Every pd-opt result is checked: its printed point is evaluated again
through ctypes and must give its printed fitness, bit for bit.  A
failed check is reported and makes the exit status 1.
"""
import ctypes
import json
import math
import multiprocessing
import os
import random
import re
import resource
import subprocess
import sys
import tempfile
import time

import numpy as np

TARGETS = [10.0 ** (2 - 0.2 * k) for k in range(51)]  # 1e2 ... 1e-8
FINAL = 1e-8


class Usage(Exception):
    """A setting this bench cannot run with; main exits 64 with it."""


def ranges(spec):
    out = []
    for part in spec.split(","):
        a, _, b = part.partition("-")
        out.extend(range(int(a), int(b or a) + 1))
    return out


def env_ranges(name, default, lo, hi, why):
    """The numbers of environment variable name ("1,8,15-17" form), each
    in lo..hi (why says where that range comes from), else Usage."""
    spec = os.environ.get(name, default)
    try:
        out = ranges(spec)
    except ValueError:
        raise Usage("%s=%s: want numbers and ranges, as in 1,8,15-17" % (name, spec))
    bad = [v for v in out if not lo <= v <= hi]
    if not out or bad:
        raise Usage("%s=%s: %s is out of range %d-%d (%s)"
                    % (name, spec, bad[0] if bad else "nothing", lo, hi, why))
    return out


def env_int(name, default, lo):
    """Environment variable name as an integer of at least lo, else Usage."""
    spec = os.environ.get(name, default)
    try:
        v = int(spec)
    except ValueError:
        raise Usage("%s=%s: want a whole number" % (name, spec))
    if v < lo:
        raise Usage("%s=%s: want %d or more" % (name, spec, lo))
    return v


class Bbob:
    """The C functions of bbob.so, through ctypes."""

    def __init__(self, so):
        self.lib = ctypes.CDLL(so)
        self.lib.bbob_fopt.restype = ctypes.c_double
        self.lib.bbob_eval.restype = ctypes.c_double
        self.lib.bbob_name.restype = ctypes.c_char_p

    def fopt(self, f, inst, d):
        return self.lib.bbob_fopt(f, inst, d)

    def name(self, f):
        return self.lib.bbob_name(f).decode()

    def eval_n(self, f, inst, xs):
        xs = np.ascontiguousarray(xs, dtype=np.float64)
        n, d = xs.shape
        out = np.empty(n)
        self.lib.bbob_eval_n(f, inst, xs.ctypes.data_as(ctypes.c_void_p), n, d,
                             out.ctypes.data_as(ctypes.c_void_p))
        return out

    def eval1(self, f, inst, x):
        a = (ctypes.c_double * len(x))(*x)
        return self.lib.bbob_eval(f, inst, a, len(x))


class Recorder:
    """Counts evaluations and keeps (evals, best so far) after each generation."""

    def __init__(self, bbob, f, inst, d, budget):
        self.bbob, self.f, self.inst, self.d = bbob, f, inst, d
        self.fopt = bbob.fopt(f, inst, d)
        self.budget, self.evals, self.best, self.hist = budget, 0, math.inf, []

    def __call__(self, xs):
        v = self.bbob.eval_n(self.f, self.inst, xs)
        self.evals += len(v)
        m = float(np.min(v))
        if m < self.best:
            self.best = m
            self.hist.append((self.evals, m - self.fopt))
        return v

    def done(self):
        return self.best - self.fopt <= FINAL or self.evals >= self.budget


def run_cmaes(rec, d, seed):
    """python3-cmaes with IPOP restarts."""
    from cmaes import CMA
    rng = np.random.default_rng(seed)
    mean, lam = np.zeros(d), None
    while not rec.done():
        opt = CMA(mean=mean, sigma=3.0, seed=int(rng.integers(2**31)),
                  population_size=lam)
        lam = opt.population_size
        while not rec.done() and not opt.should_stop():
            xs = np.array([opt.ask() for _ in range(lam)])
            v = rec(xs)
            opt.tell(list(zip(xs, v)))
        mean, lam = rng.uniform(-5, 5, d), 2 * lam


def run_deap(rec, d, seed):
    """DEAP's cma.Strategy with IPOP restarts and Hansen's usual stop tests
    (DEAP has none of its own): TolHistFun 1e-12 over 10 + 30 D / lambda
    generations, TolX 1e-12 sigma0, condition number 1e14."""
    from deap import base, cma, creator
    if not hasattr(creator, "BbobFitnessMin"):
        creator.create("BbobFitnessMin", base.Fitness, weights=(-1.0,))
        creator.create("BbobIndividual", list, fitness=creator.BbobFitnessMin)
    random.seed(seed)
    np.random.seed(seed % 2**32)
    mean, lam = [0.0] * d, 4 + int(3 * math.log(d))
    while not rec.done():
        st = cma.Strategy(centroid=list(mean), sigma=3.0, lambda_=lam)
        hist, flat = [], 10 + int(math.ceil(30 * d / lam))
        try:
            while not rec.done():
                pop = st.generate(creator.BbobIndividual)
                v = rec(np.array(pop, dtype=float))
                for ind, fv in zip(pop, v):
                    ind.fitness.values = (float(fv),)
                st.update(pop)
                hist.append(float(np.min(v)))
                if (len(hist) >= flat and max(hist[-flat:]) - min(hist[-flat:]) < 1e-12
                        and np.ptp(v) < 1e-12):
                    break
                if st.sigma * max(st.diagD) < 1e-12 * 3.0 or st.cond > 1e14:
                    break
        except (np.linalg.LinAlgError, FloatingPointError, ValueError, OverflowError):
            pass
        mean, lam = np.random.uniform(-5, 5, d).tolist(), 2 * lam


def restart_mode(column):
    """pd-opt's restart strategy in a column's name: pdopt-bipop-box -> bipop."""
    return column.split("-")[1]


def run_pdopt(pdopt, so, f, inst, d, budget, seed, fopt, mode, bbob):
    """One pd-opt run (mode: ipop, bipop, nbipop or bipop-box); the history from
    its trace, its result checked."""
    with tempfile.TemporaryDirectory(prefix="pd-bbob.") as tmp:
        tr = os.path.join(tmp, "trace.jsonl")
        bounds = "-5:5" if mode.endswith("-box") else "-inf:-5:5:inf"
        cmd = [pdopt, "-q", "-n", "1", "--dim", str(d), "--bounds", bounds,
               "--seed", str(seed), "--max-evals", str(budget),
               "--target", repr(fopt + FINAL), "--trace", tr]
        rmode = restart_mode("pdopt-" + mode)
        cmd += ["--restart-mode", rmode] if rmode != "ipop" else ["--restarts", "20"]
        cmd.append("%s:f%d_i%d" % (so, f, inst))
        env = dict(os.environ, PD_HOME=tmp)
        r = subprocess.run(cmd, capture_output=True, text=True, env=env)
        if r.returncode != 0:
            raise RuntimeError("pd-opt exit %d: %s" % (r.returncode, r.stderr.strip()))
        # the plain output, not --json: cJSON may print 15 digits where
        # 17 are needed (its round-trip test allows one ulp)
        res = dict(line.split("=", 1) for line in r.stdout.split())
        hist, best, evals = [], math.inf, 0
        with open(tr) as fh:
            for line in fh:
                t = json.loads(line)
                evals = t["evals"]
                if t["best"] < best:
                    best = t["best"]
                    hist.append((evals, best - fopt))
    x = [float(res["x%d" % i]) for i in range(d)]
    fit = float(res["fitness"])
    again = bbob.eval1(f, inst, x)
    if again != fit or fit != best:
        raise RuntimeError("pd-opt f%d i%d: printed fitness %.17g, trace %.17g, the point gives %.17g"
                           % (f, inst, fit, best, again))
    return evals, hist


def cpu():
    """CPU seconds of this process and its finished children (pd-opt and
    its workers): the cost of a run whatever else loads the machine."""
    a = resource.getrusage(resource.RUSAGE_SELF)
    b = resource.getrusage(resource.RUSAGE_CHILDREN)
    return a.ru_utime + a.ru_stime + b.ru_utime + b.ru_stime


def first_hit(hist, target):
    for e, df in hist:
        if df <= target:
            return e
    return None


def ert(runs):
    """Expected running time to f_opt + 1e-8: evaluations summed / solved."""
    solved = sum(1 for r in runs if r["hit"] is not None)
    spent = sum(r["hit"] if r["hit"] is not None else r["evals"] for r in runs)
    return solved, (spent / solved if solved else math.inf)


def ecdf_svg(path, title, curves, d, budget):
    """COCO's runtime ECDF: fraction of (run, target) pairs reached by
    evaluations / D, one line per optimiser, log10 x axis."""
    w, h, l, r, t, b = 720, 460, 60, 170, 40, 50
    xmax = math.log10(budget / d) + 0.2
    cols = ["#d62728", "#1f77b4", "#2ca02c", "#9467bd", "#ff7f0e"]
    X = lambda v: l + (w - l - r) * v / xmax
    Y = lambda v: h - b - (h - t - b) * v
    out = ['<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" '
           'font-family="sans-serif" font-size="12">' % (w, h),
           '<rect width="100%" height="100%" fill="white"/>',
           '<text x="%d" y="22" font-size="14">%s</text>' % (l, title)]
    for k in range(int(xmax) + 1):
        out.append('<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="#ddd"/>'
                   % (X(k), t, X(k), h - b))
        out.append('<text x="%.1f" y="%d" text-anchor="middle">%d</text>' % (X(k), h - b + 16, k))
    for k in range(6):
        out.append('<line x1="%d" y1="%.1f" x2="%d" y2="%.1f" stroke="#ddd"/>'
                   % (l, Y(k / 5), w - r, Y(k / 5)))
        out.append('<text x="%d" y="%.1f" text-anchor="end">%.1f</text>' % (l - 6, Y(k / 5) + 4, k / 5))
    out.append('<text x="%.1f" y="%d" text-anchor="middle">log10(evaluations / D)</text>'
               % ((l + w - r) / 2, h - 12))
    out.append('<text transform="translate(16,%.1f) rotate(-90)" text-anchor="middle">'
               'fraction of function-target pairs</text>' % ((t + h - b) / 2))
    for i, (name, hits, total) in enumerate(curves):
        pts, frac = ["%.1f,%.1f" % (X(0), Y(0))], 0.0
        for e in sorted(hits):
            x = X(math.log10(max(e / d, 1)))
            pts.append("%.1f,%.1f" % (x, Y(frac)))
            frac += 1.0 / total
            pts.append("%.1f,%.1f" % (x, Y(frac)))
        pts.append("%.1f,%.1f" % (X(xmax), Y(frac)))
        c = cols[i % len(cols)]
        out.append('<polyline fill="none" stroke="%s" stroke-width="2" points="%s"/>'
                   % (c, " ".join(pts)))
        out.append('<text x="%d" y="%d" fill="%s">%s (%.2f)</text>'
                   % (w - r + 8, t + 16 + 18 * i, c, name, frac))
    out.append("</svg>")
    with open(path, "w") as fh:
        fh.write("\n".join(out) + "\n")


RUN = {}


def run_init(so, pdopt, d, budget, seed0):
    """A pool worker's own ctypes handle and the run's settings."""
    RUN.update(bbob=Bbob(so), so=so, pdopt=pdopt, d=d, budget=budget, seed0=seed0)


def run_one(task):
    """One optimiser on one (function, instance), in a pool worker: its
    evaluations, history, wall and CPU seconds, and an error or None."""
    o, f, inst = task
    bbob, d, budget = RUN["bbob"], RUN["d"], RUN["budget"]
    seed = RUN["seed0"] + 1000 * f + inst
    fopt = bbob.fopt(f, inst, d)
    t0, c0, err = time.time(), cpu(), None
    try:
        if o.startswith("pdopt"):
            evals, hist = run_pdopt(RUN["pdopt"], RUN["so"], f, inst, d, budget, seed, fopt,
                                    o.split("-", 1)[1], bbob)
        else:
            rec = Recorder(bbob, f, inst, d, budget)
            (run_cmaes if o == "cmaes" else run_deap)(rec, d, seed)
            evals, hist = rec.evals, rec.hist
    except (RuntimeError, ValueError, KeyError, OSError) as e:
        err, evals, hist = str(e), budget, []
    return o, f, inst, evals, hist, time.time() - t0, cpu() - c0, err


def main(argv):
    if len(argv) != 3:
        print(__doc__, file=sys.stderr)
        return 64
    build, outdir = argv[1], argv[2]
    os.makedirs(outdir, exist_ok=True)
    so = os.path.abspath(os.path.join(build, "examples", "bbob.so"))
    pdopt = os.environ.get("BBOB_PDOPT") or os.path.abspath(os.path.join(build, "bin", "pd-opt"))
    bbob = Bbob(so)
    try:
        d = env_ranges("BBOB_DIM", "10", 2, 40, "the dimensions bbob.so serves")
        funcs = env_ranges("BBOB_FUNCS", "1-24", 1, 24, "BBOB's functions")
        insts = env_ranges("BBOB_INSTANCES", "1-5", 1, 15,
                           "pd-opt's jobs in bbob.so are fF_iI for instances 1-15")
        budget_per_d = env_int("BBOB_BUDGET", "100000", 1)
        seed0 = env_int("BBOB_SEED", "0", 0)
    except Usage as e:
        print("bench-bbob: %s" % e, file=sys.stderr)
        return 64
    if len(d) != 1:
        print("bench-bbob: BBOB_DIM=%s: want one dimension" % os.environ["BBOB_DIM"], file=sys.stderr)
        return 64
    d = d[0]
    budget = budget_per_d * d
    opts = os.environ.get("BBOB_OPTS",
                          "pdopt-ipop,pdopt-bipop,pdopt-nbipop,pdopt-bipop-box,cmaes,deap").split(",")
    notes, failed, cpu_total = [], 0, {}
    helptext = subprocess.run([pdopt, "--help"], capture_output=True, text=True).stdout
    for o in ("pdopt-bipop", "pdopt-nbipop", "pdopt-bipop-box"):
        mode = restart_mode(o)
        if o in opts and not re.search(r"--restart-mode [a-z|]*\b%s\b" % mode, helptext):
            opts.remove(o)
            notes.append("%s skipped: this pd-opt has no --restart-mode %s" % (o, mode))
    for mod, name in (("cmaes", "cmaes"), ("deap", "deap")):
        if name in opts:
            try:
                __import__(mod)
            except ImportError:
                opts.remove(name)
                notes.append("%s skipped: python module %s missing" % (name, mod))
    runs = {o: {} for o in opts}
    tsv = open(os.path.join(outdir, "runs.tsv"), "w")
    tsv.write("optimiser\tf\tinstance\tdim\tsolved\tevals\tbest_minus_fopt\tseconds\tcpu_seconds\n")
    t_all = time.time()
    tasks = [(o, f, inst) for f in funcs for inst in insts for o in opts]
    setup = (so, pdopt, d, budget, seed0)
    jobs = max(1, int(os.environ.get("BBOB_JOBS") or os.cpu_count() or 1))
    done = []
    with multiprocessing.get_context("fork").Pool(jobs, initializer=run_init,
                                                   initargs=setup) as pool:
        for o, f, inst, evals, hist, dt, dc, err in pool.imap_unordered(run_one, tasks):
            if err:
                print("bbob: %s f%d i%d: FAILED: %s" % (o, f, inst, err), file=sys.stderr)
                failed += 1
            cpu_total[o] = cpu_total.get(o, 0.0) + dc
            best = hist[-1][1] if hist else math.inf
            hit = first_hit(hist, FINAL)
            done.append((f, inst, o, {"evals": evals, "hit": hit, "hist": hist}))
            tsv.write("%s\t%d\t%d\t%d\t%d\t%d\t%.3e\t%.2f\t%.2f\n"
                      % (o, f, inst, d, hit is not None, evals, best, dt, dc))
            tsv.flush()
            print("bbob: %-11s f%-2d i%d  %s  %8d evals  %6.1fs (cpu %.1fs)  %d/%d"
                  % (o, f, inst, "solved" if hit is not None else "      ", evals, dt, dc,
                     len(done), len(tasks)), file=sys.stderr)
    for f, inst, o, r in sorted(done, key=lambda t: (t[0], t[1])):
        runs[o].setdefault(f, []).append(r)
    tsv.close()
    notes.append("cpu seconds: " + ", ".join("%s %.0f" % (o, cpu_total.get(o, 0)) for o in opts))
    write_report(outdir, bbob, runs, opts, funcs, insts, d, budget, notes, time.time() - t_all)
    return 1 if failed else 0


def fmt_ert(e):
    return "inf" if e == math.inf else "%.0f" % e


def write_report(outdir, bbob, runs, opts, funcs, insts, d, budget, notes, secs):
    lines = ["BBOB %d-D, functions %s, instances %s, budget %d evaluations per run, target f_opt + 1e-8"
             % (d, ",".join(map(str, funcs)), ",".join(map(str, insts)), budget),
             "ERT: evaluations summed over all runs / runs solved (inf: none solved)", ""]
    head = "%-4s %-21s" % ("f", "function") + "".join(" %19s" % o for o in opts)
    lines += [head, "%-26s" % "" + "".join(" %19s" % "solved       ERT" for _ in opts)]
    totals = {o: 0 for o in opts}
    erts = {}
    for f in funcs:
        row = "f%-3d %-21s" % (f, bbob.name(f)[:21])
        for o in opts:
            s, e = ert(runs[o][f])
            totals[o] += s
            erts[(o, f)] = e
            row += " %7s %11s" % ("%d/%d" % (s, len(runs[o][f])), fmt_ert(e))
        lines.append(row)
    lines.append("%-26s" % "solved in all" + "".join(" %7d %11s" % (totals[o], "") for o in opts))
    refs = [o for o in opts if not o.startswith("pdopt")]
    for me in [o for o in opts if o.startswith("pdopt")]:
        if not refs:
            break
        best_ref = max(totals[o] for o in refs)
        ref = {f: min(erts[(o, f)] for o in refs) for f in funcs}
        no_worse = [f for f in funcs if erts[(me, f)] <= ref[f]]  # inf <= inf: nobody solves it
        unsolved = sum(1 for f in no_worse if ref[f] == math.inf)
        lines.append("%s: %d pairs solved against the best reference's %d; ERT no worse than the "
                     "best reference's on %d of %d functions (%d of them solved by none)"
                     % (me, totals[me], best_ref, len(no_worse), len(funcs), unsolved))
    lines += notes
    lines.append("wall time %.0f s" % secs)
    text = "\n".join(lines) + "\n"
    with open(os.path.join(outdir, "table.txt"), "w") as fh:
        fh.write(text)
    print(text, end="")
    curves = []
    for o in opts:
        hits, total = [], 0
        for f in funcs:
            for r in runs[o][f]:
                for tg in TARGETS:
                    total += 1
                    e = first_hit(r["hist"], tg)
                    if e is not None:
                        hits.append(e)
        curves.append((o, hits, total))
    title = "BBOB %d-D, f%s, instances %s: 51 targets f_opt + 10^[2..-8]" % (
        d, ",".join(map(str, funcs)) if len(funcs) < 24 else "1-24", ",".join(map(str, insts)))
    ecdf_svg(os.path.join(outdir, "ecdf.svg"), title, curves, d, budget)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
