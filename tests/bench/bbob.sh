#!/bin/sh
# tests/bench/bbob.sh - pd-opt against reference CMA-ES on COCO's BBOB suite
# (`make bench-bbob`; not part of `make check` or `make bench`).
#
#   B=build sh tests/bench/bbob.sh
#
# 10-D, the 24 noiseless functions x instances 1-5, target f_opt + 1e-8,
# 10^5 x D evaluations per run with restarts, for pd-opt IPOP, BIPOP and
# NBIPOP (unbounded, as the references run), BIPOP inside the box [-5, 5]^D,
# Debian's python3-cmaes (IPOP) and DEAP's CMA-ES (IPOP), all calling the
# same C functions ($B/examples/bbob.so; the Python ones through ctypes).
# Writes $BBOB_OUT (default $B/bench-bbob): runs.tsv, table.txt (per
# function: runs solved and ERT per optimiser) and ecdf.svg (COCO's
# runtime ECDF), and prints the table.  tests/bench/bbob_bench.py says more.
#
# How long: about 20 CPU-minutes in full (the Python optimisers' runs of
# 10^6 evaluations on the functions nobody solves are most of it), 14
# minutes of wall time on the 2-core development machine with two runs at
# once (BBOB_JOBS, default the CPUs; a run's result does not depend on it).
#
# Environment: B, BBOB_OUT, BBOB_DIM (10; 2-40), BBOB_FUNCS (1-24),
# BBOB_INSTANCES (1-5; 1-15), BBOB_BUDGET (100000, times D), BBOB_OPTS
# (pdopt-ipop,pdopt-bipop,pdopt-nbipop,pdopt-bipop-box,cmaes,deap), BBOB_PDOPT (another
# pd-opt), BBOB_SEED (0), BBOB_JOBS, PD_BENCH_NO_INSTALL (do not apt-get
# the missing Python packages).  Python is Debian's, /usr/bin/python3 (the
# one apt installs into), or $PYTHON.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT" || exit 2
B=${B:-build}
OUT=${BBOB_OUT:-$B/bench-bbob}
PY=${PYTHON:-/usr/bin/python3}

if [ ! -x "$B/bin/pd-opt" ] || [ ! -f "$B/examples/bbob.so" ]; then
	echo "bench-bbob: $B/bin/pd-opt or $B/examples/bbob.so missing; run make first" >&2
	exit 69
fi
if ! "$PY" -c 'import numpy' 2>/dev/null || ! "$PY" -c 'import cmaes' 2>/dev/null ||
	! "$PY" -c 'import deap' 2>/dev/null; then
	if [ -z "${PD_BENCH_NO_INSTALL:-}" ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
		echo "bench-bbob: installing python3-numpy python3-cmaes python3-deap" >&2
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q python3-numpy python3-cmaes \
			python3-deap >/dev/null ||
			echo "bench-bbob: apt-get failed; the missing optimisers are skipped" >&2
	fi
fi
if ! "$PY" -c 'import numpy' 2>/dev/null; then
	echo "bench-bbob: $PY has no numpy (apt-get install python3-numpy)" >&2
	exit 69
fi
exec "$PY" tests/bench/bbob_bench.py "$B" "$OUT"
