#!/usr/bin/env python3
"""bbob_ref.py - a second implementation of the 24 BBOB functions, in numpy.

Written from the BBOB 2009 function definitions (Hansen, Finck, Ros,
Auger: "Real-parameter black-box optimization benchmarking 2009:
noiseless functions definitions") with COCO's own deviations from that
text (its code-experiments/src is what COCO runs): f4's x_opt made
positive on odd coordinates, f5's wall, f12's x_opt from seed + 1e6, f20's
two constants, f24's x_opt = +-mu0/2.  Nothing here shares code with
share/examples/bbob.  One thing is pinned down beyond the definitions:
at 1e-12 the order of the floating-point operations matters for f16 and
f19 (a cosine of an argument up to 1e6 turns a last-bit difference into
1e-10), so matrix-vector products are summed as COCO sums them, row by
row from the offset and left to right (mv), composed matrices Q Lambda R
are formed as COCO forms them (compose), and Lambda^alpha is
sqrt(alpha)^(i/(D-1)), COCO's way of writing it.

    bbob_ref.py BBOB_CHECK [DIM...]

draws points (near x_opt, in the box, outside it) for f1-f24, instances
1-15, the dimensions given (default 2 5 10 20), evaluates them here and
through `BBOB_CHECK eval`, and exits 1 if one pair differs by more than
1e-12 relative; prints the largest difference.
"""
import math
import subprocess
import sys

import numpy as np


def unif(n, seed):
    """COCO's legacy uniform generator (Park-Miller with a shuffle)."""
    seed = abs(int(seed))
    seed = max(seed, 1)
    s = seed
    table = [0] * 32
    for i in range(39, -1, -1):
        t = int(math.floor(s / 127773.0))
        s = 16807 * (s - t * 127773) - 2836 * t
        if s < 0:
            s += 2147483647
        if i < 32:
            table[i] = s
    cur = table[0]
    out = np.empty(n)
    for i in range(n):
        t = int(math.floor(s / 127773.0))
        s = 16807 * (s - t * 127773) - 2836 * t
        if s < 0:
            s += 2147483647
        k = int(math.floor(cur / 67108865.0))
        cur = table[k]
        table[k] = s
        out[i] = cur / 2.147483647e9 or 1e-99
    return out


def gauss(n, seed):
    """Box-Muller on 2n uniforms, with libm's log and cos (see tosz)."""
    u = unif(2 * n, seed).tolist()
    g = [math.sqrt(-2 * math.log(u[i])) * math.cos(2 * math.pi * u[n + i]) for i in range(n)]
    return np.array([v if v != 0 else 1e-99 for v in g])


def rotation(d, seed):
    """Gram-Schmidt on the columns of the Gaussian matrix (column-major fill),
    its dot products summed in order: at 1e-12, f16 and f19 see the last bit."""
    b = gauss(d * d, seed).reshape(d, d).T.copy()
    for i in range(d):
        for j in range(i):
            b[:, i] -= dot(b[:, i], b[:, j]) * b[:, j]
        b[:, i] /= math.sqrt(dot(b[:, i], b[:, i]))
    return b


def dot(a, b):
    """a . b summed left to right (numpy's BLAS may use FMA or pairs)."""
    s = 0.0
    for u, v in zip(a.tolist(), b.tolist()):
        s += u * v
    return s


def xopt_of(d, seed):
    x = 8 * np.floor(1e4 * unif(d, seed)) / 1e4 - 4
    x[x == 0] = -1e-5
    return x


def fopt_of(f, inst):
    s = {4: 3, 18: 17}.get(f, f) + 10000 * inst
    v = math.floor(1e4 * gauss(1, s)[0] / gauss(1, s + 1)[0] + 0.5) / 100
    return min(1000.0, max(-1000.0, v))


def tosz(x):
    """T_osz, written as COCO writes it (exp(t ...)^0.1 with t = 10 log|x|)
    and with libm's functions: f16 magnifies its last bit a millionfold."""
    def one(v):
        if v == 0:
            return 0.0
        t = math.log(abs(v)) / 0.1
        a, b = (1.0, 0.79) if v > 0 else (0.55, 0.31)
        return math.copysign(math.exp(t + 0.49 * (math.sin(a * t) + math.sin(b * t))) ** 0.1, v)
    if np.ndim(x) == 0:
        return one(float(x))
    return np.array([one(v) for v in np.asarray(x, dtype=float).tolist()])


def tasy(x, beta):
    d = len(x)
    e = 1 + beta * np.arange(d) / (d - 1) * np.sqrt(np.maximum(x, 0))
    return np.where(x > 0, np.abs(x) ** e, x)


def lamv(d, alpha):
    """The diagonal of Lambda^alpha."""
    return np.array([math.sqrt(alpha) ** (i / (d - 1)) for i in range(d)])  # libm's pow


def mv(m, x, b=0.0):
    """m x + b, each row summed from b, left to right."""
    y = np.full(m.shape[0], b)
    for j in range(m.shape[1]):
        y = y + x[j] * m[:, j]
    return y


def compose(q, alpha, r):
    """Q Lambda^alpha R, each entry summed over k in order."""
    lv = lamv(len(q), alpha)
    m = np.zeros_like(q)
    for k in range(len(q)):
        m = m + np.outer(q[:, k] * lv[k], r[k, :])
    return m


def fpen(x):
    return np.sum(np.maximum(0, np.abs(x) - 5) ** 2)


def rastrigin(z):
    return 10 * (len(z) - np.sum(np.cos(2 * np.pi * z))) + z @ z


def rosen(z):
    return np.sum(100 * (z[:-1] ** 2 - z[1:]) ** 2 + (z[:-1] - 1) ** 2)


def schaffer(z):
    s = np.sqrt(z[:-1] ** 2 + z[1:] ** 2)
    return (np.mean(np.sqrt(s) + np.sqrt(s) * np.sin(50 * s ** 0.2) ** 2)) ** 2


class Problem:
    """f_fn of instance inst in dimension d, as the definitions read."""

    def __init__(self, fn, inst, d):
        self.fn, self.d = fn, d
        self.seed = {4: 3, 18: 17}.get(fn, fn) + 10000 * inst
        self.fopt = fopt_of(fn, inst)
        self.xopt = xopt_of(d, self.seed + (1000000 if fn == 12 else 0))
        self.R = rotation(d, self.seed)
        self.Q = rotation(d, self.seed + 1000000)
        if fn == 4:
            self.xopt[0::2] = np.abs(self.xopt[0::2])
        if fn == 8:
            self.xopt *= 0.75
        if fn in (21, 22):
            self.gallagher()

    def gallagher(self):
        d, npk = self.d, 101 if self.fn == 21 else 21
        b, c, c0 = (10.0, 5.0, 1000 ** 0.5) if npk == 101 else (9.8, 4.9, 1000.0)
        order = np.argsort(unif(npk - 1, self.seed), kind="stable")
        alpha = np.concatenate(([c0], 1000.0 ** (order / (npk - 2))))
        self.w = np.concatenate(([10.0], 1.1 + 8 * np.arange(npk - 1) / (npk - 2)))
        self.C = np.empty((npk, d))
        for i in range(npk):
            perm = np.argsort(unif(d, self.seed + 1000 * i), kind="stable")
            self.C[i] = alpha[i] ** (perm / (d - 1) - 0.5)
        y = b * unif(d * npk, self.seed).reshape(npk, d) - c
        self.yl = np.array([mv(self.R, yi) for yi in y])  # R y_i
        self.yl[0] *= 0.8  # the best peak, at x_opt = 0.8 y_0

    def __call__(self, x):
        f, d, R, Q, xo = self.fn, self.d, self.R, self.Q, self.xopt
        z = x - xo
        i = np.arange(d)
        if f == 1:
            v = z @ z
        elif f == 2:
            v = np.sum(1e6 ** (i / (d - 1)) * tosz(z) ** 2)
        elif f == 3:
            v = rastrigin(lamv(d, 10) * tasy(tosz(z), 0.2))
        elif f == 4:
            t = tosz(z)
            s = 10 ** (0.5 * i / (d - 1)) * np.where((t > 0) & (i % 2 == 0), 10, 1)
            v = rastrigin(s * t) + 100 * fpen(x)
        elif f == 5:
            s = np.sign(xo) * 10 ** (i / (d - 1))
            best = 5 * np.sign(xo)
            xw = np.where(x * best < 25, x, best)
            v = np.sum(5 * np.abs(s) - s * xw)
        elif f == 6:
            z = mv(compose(Q, 10, R), z)
            v = tosz(np.sum(np.where(z * xo > 0, 100.0, 1.0) ** 2 * z ** 2)) ** 0.9
        elif f == 7:
            zh = mv(lamv(d, 10)[:, None] * R, z)
            zt = np.where(np.abs(zh) > 0.5, np.floor(0.5 + zh), np.floor(0.5 + 10 * zh) / 10)
            zz = mv(Q, zt)
            v = 0.1 * max(abs(zh[0]) / 1e4, np.sum(100 ** (i / (d - 1)) * zz ** 2)) + fpen(x)
        elif f == 8:
            v = rosen(max(1, math.sqrt(d) / 8) * z + 1)
        elif f == 9:
            v = rosen(mv(max(1, math.sqrt(d) / 8) * R, x, 0.5))
        elif f == 10:
            v = np.sum(1e6 ** (i / (d - 1)) * tosz(mv(Q, z)) ** 2)
        elif f == 11:
            t = tosz(mv(Q, z))
            v = 1e6 * t[0] ** 2 + t[1:] @ t[1:]
        elif f == 12:
            t = mv(Q, tasy(mv(Q, z), 0.5))
            v = t[0] ** 2 + 1e6 * (t[1:] @ t[1:])
        elif f == 13:
            t = mv(compose(Q, 10, R), z)
            v = t[0] ** 2 + 100 * math.sqrt(t[1:] @ t[1:])
        elif f == 14:
            t = mv(Q, z)
            v = math.sqrt(np.sum(np.abs(t) ** (2 + 4 * i / (d - 1))))
        elif f == 15:
            v = rastrigin(mv(compose(Q, 10, R), tasy(tosz(mv(Q, z)), 0.2)))
        elif f == 16:
            t = mv(compose(Q, 0.01, R), tosz(mv(Q, z)))
            # summed in order with libm's cos: near f_opt the cube of a
            # difference of two sums of 24 to 480 cosines cancels digits
            f0 = s = 0.0
            for k in range(12):
                f0 += 0.5 ** k * math.cos(math.pi * 3.0 ** k)
            for ti in t.tolist():
                for k in range(12):
                    s += math.cos(2 * math.pi * (ti + 0.5) * 3.0 ** k) * 0.5 ** k
            v = 10 * (s / d - f0) ** 3 + 10 / d * fpen(x)
        elif f in (17, 18):
            t = mv(lamv(d, 10 if f == 17 else 1000)[:, None] * R, tasy(mv(Q, z), 0.5))
            v = schaffer(t) + 10 * fpen(x)
        elif f == 19:
            s = mv(R * max(1, math.sqrt(d) / 8), x) + 0.5
            c1 = s[:-1] ** 2 - s[1:]
            s = 100 * c1 * c1 + (1 - s[:-1]) ** 2  # COCO's order: t is up to 1e6
            v = 10 / (d - 1) * np.sum(s / 4000 - np.cos(s)) + 10
        elif f == 20:
            sign = np.where(unif(d, self.seed) < 0.5, -1.0, 1.0)
            xabs = 4.2096874637 / 2
            xh = 2 * sign * x
            zh = xh.copy()
            zh[1:] += 0.25 * (xh[:-1] - 2 * xabs)
            z = 100 * (lamv(d, 10) * (zh - 2 * xabs) + 2 * xabs)
            v = 0.01 * (np.sum(np.maximum(0, np.abs(z) - 500) ** 2) + 418.9828872724339
                        - np.sum(z * np.sin(np.sqrt(np.abs(z)))) / d)
        elif f in (21, 22):
            t = mv(R, x)
            g = self.w * np.exp(-0.5 / d * np.sum(self.C * (t - self.yl) ** 2, axis=1))
            v = tosz(10 - np.max(np.append(g, 0.0))) ** 2 + fpen(x)
        elif f == 23:
            t = mv(compose(Q, 100, R), z)
            prod = 1.0
            for k, ti in enumerate(t.tolist()):
                s = 0.0
                for j in (2.0 ** np.arange(1, 33)).tolist():
                    s += abs(j * ti - math.floor(j * ti + 0.5)) / j
                prod *= 1 + (k + 1) * s
            v = 10 / d ** 2 * (prod ** (10 / d ** 1.2) - 1) + fpen(x)
        elif f == 24:
            mu0, dd = 2.5, 1.0
            s = 1 - 1 / (2 * math.sqrt(d + 20) - 8.2)
            mu1 = -math.sqrt((mu0 ** 2 - dd) / s)
            xo = np.where(gauss(d, self.seed) < 0, -1.25, 1.25)
            xh = 2 * np.sign(xo) * x
            t = mv(Q, mv(lamv(d, 100)[:, None] * R, xh - mu0))
            v = (min(np.sum((xh - mu0) ** 2), dd * d + s * np.sum((xh - mu1) ** 2))
                 + 10 * (d - np.sum(np.cos(2 * np.pi * t))) + 1e4 * fpen(x))
        return float(v) + self.fopt


def points(p, rng):
    """Points near x_opt, in the box, and a few outside it."""
    d = p.d
    out = [p.xopt + 1e-3 * rng.standard_normal(d), rng.uniform(-5, 5, d),
           rng.uniform(-5, 5, d), rng.uniform(-7, 7, d)]
    return out


def main():
    if len(sys.argv) < 2:
        print(__doc__, file=sys.stderr)
        return 64
    dims = [int(a) for a in sys.argv[2:]] or [2, 5, 10, 20]
    rng = np.random.default_rng(16)
    cases, want = [], []
    for d in dims:
        for f in range(1, 25):
            for inst in range(1, 16):
                p = Problem(f, inst, d)
                for x in points(p, rng):
                    cases.append("%d %d %d %s" % (f, inst, d, " ".join(repr(float(v)) for v in x)))
                    want.append((f, inst, d, p(x)))
    run = subprocess.run([sys.argv[1], "eval"], input="\n".join(cases) + "\n",
                         capture_output=True, text=True)
    if run.returncode != 0:
        print("bbob_ref: %s eval failed: %s" % (sys.argv[1], run.stderr.strip()), file=sys.stderr)
        return 1
    got = [float(v) for v in run.stdout.split()]
    if len(got) != len(want):
        print("bbob_ref: %d values for %d points" % (len(got), len(want)), file=sys.stderr)
        return 1
    worst, bad = (0.0, None), 0
    for (f, inst, d, w), g in zip(want, got):
        rel = abs(g - w) / max(abs(w), 1e-300)
        if rel > worst[0]:
            worst = (rel, (f, inst, d, w, g))
        if not rel <= 1e-12:
            bad += 1
            if bad <= 10:
                print("f%d i%d %dD: C %.17g, numpy %.17g" % (f, inst, d, g, w), file=sys.stderr)
    print("%d values compared, %d differ by more than 1e-12 relative; largest %.3g at %s"
          % (len(want), bad, worst[0], worst[1][:3] if worst[1] else "-"))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
