#!/bin/sh
# tests/bench/gpu.sh - the GPU benchmark (`make bench-gpu`).
#
#   B=build NVCC=/path/to/nvcc sh tests/bench/gpu.sh
#
# [1] evaluations per second of 10-D Rosenbrock for 10^6 points: the CUDA
#     batch fitness (share/examples/gpu/rosenbrock_gpu.cu) against the CPU
#     batch fitness (rosenbrock_batch in share/examples/rosenbrock.c) on
#     one core, in the same run (tests/bench/gpubench.c; goal 100x), with
#     the values compared (1e-9 relative).
# [2] pd-opt -a cmaes --gpu 1 with a population of 10^5 on a local
#     pd-serve: each iteration's time split into fitness (the batch call,
#     copies to and from the device included), transfer (the rest of the
#     evaluation round trip: formatting the points, the frames, parsing the
#     values) and update (CMA-ES's ask and tell), from pd-opt's --trace.
#
# Where there is no GPU (pd-serve finds none) or no nvcc, it says so,
# measures nothing and exits 69.  Environment: B, NVCC, CC,
# PD_BENCH_GPU_POINTS (default 1000000), PD_BENCH_GPU_POP (100000),
# PD_BENCH_GPU_ITERS (10).
set -u
B=${B:-build}
POINTS=${PD_BENCH_GPU_POINTS:-1000000}
POP=${PD_BENCH_GPU_POP:-100000}
ITERS=${PD_BENCH_GPU_ITERS:-10}
say() { echo "bench-gpu: $*" >&2; }

T=$(mktemp -d "${TMPDIR:-/tmp}/pdgpu.XXXXXX") || exit 71
SERVE_PID=
cleanup() {
	[ -n "$SERVE_PID" ] && kill "$SERVE_PID" 2>/dev/null && wait "$SERVE_PID" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT INT TERM

# The product's own detection: a pd-serve on a private PD_HOME.
export PD_HOME="$T/h"
mkdir -p "$PD_HOME" && chmod 700 "$PD_HOME"
"$B/bin/pd-serve" -f --local -v --cpu 1 </dev/null >"$T/serve.log" 2>&1 &
SERVE_PID=$!
i=0
while [ ! -S "$PD_HOME/sock" ] && [ $i -lt 200 ]; do
	sleep 0.05
	i=$((i + 1))
done
gpus=$("$B/bin/pd-alloc" --json 2>/dev/null | "$B/tests/pd_json" gpus 2>/dev/null)
if [ -z "$gpus" ] || [ "$gpus" = 0 ]; then
	say "no GPU on this machine ($(grep -o 'no GPU: .*' "$T/serve.log" | head -n 1 || echo 'pd-serve found none')): nothing measured"
	exit 69
fi
if [ -z "${NVCC:-}" ] || [ ! -f "$B/examples/gpu/rosenbrock_gpu.so" ]; then
	say "nvcc not found (PATH, /usr/local/cuda/bin): the CUDA examples are not built, nothing measured"
	exit 69
fi
say "GPUs: $("$B/bin/pd-alloc" | sed -n 's/^gpu //p'); $(grep -o 'GPU 0: .*' "$T/serve.log" | head -n 1)"

${CC:-cc} -std=c11 -O2 -Wall -Wextra -Ilib -o "$T/gpubench" tests/bench/gpubench.c -ldl -lm || exit 70
echo "[1] 10-D Rosenbrock, $POINTS points: GPU batch fitness against one CPU core"
"$T/gpubench" -n "$POINTS" -d 10 -r 5 --check 1e-9 "$B/examples/gpu/rosenbrock_gpu.so:rosenbrock_gpu" \
	"$B/examples/rosenbrock.so:rosenbrock_batch" || { say "[1] failed (values differ or the GPU job failed)"; exit 1; }

echo "[2] pd-opt -a cmaes --gpu 1, population $POP, $ITERS iterations (10-D Rosenbrock)"
if ! "$B/bin/pd-opt" -q -a cmaes --gpu 1 --popsize "$POP" --iterations "$ITERS" --seed 1 --dim 10 \
	--bounds -5:5 --trace "$T/trace" "$B/examples/gpu/rosenbrock_gpu.so" >"$T/best" 2>"$T/opt.err"; then
	cat "$T/opt.err" >&2
	say "[2] pd-opt failed"
	exit 1
fi
awk '
	function num(k,   s) { s = $0; sub(".*\"" k "\":", "", s); sub("[,}].*", "", s); return s + 0 }
	{ e = num("eval_ms"); f = num("fitness_ms"); u = num("update_ms"); n++
	  te += e; tf += f; tu += u
	  printf "  iter %3d: %9.1f ms = fitness %8.1f + transfer %8.1f + update %8.1f\n", num("iter"), e + u, f, e - f, u }
	END { if (!n) exit 1
	  printf "  mean     : %9.1f ms = fitness %8.1f (%4.1f%%) + transfer %8.1f (%4.1f%%) + update %8.1f (%4.1f%%)\n",
		(te + tu) / n, tf / n, 100 * tf / (te + tu), (te - tf) / n, 100 * (te - tf) / (te + tu), tu / n, 100 * tu / (te + tu) }' \
	"$T/trace" || { say "[2] no trace written"; exit 1; }
