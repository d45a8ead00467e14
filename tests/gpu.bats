#!/usr/bin/env bats
# GPUs: detection, GPU slots, binding, pd-alloc/pd-status, GPU jobs in
# pd-map and pd-opt.  There is no GPU in CI: a fake libcuda.so.1
# (tests/fakecuda/fakecuda.c, two devices by default) is found by the
# real dlopen("libcuda.so.1") through LD_LIBRARY_PATH, and test jobs
# (tests/jobs/gpuprobe.c, gpufit.c) are marked PD_NEEDS_GPU but compute on
# the CPU.  The tests that need a real GPU and nvcc skip, saying why.

load helpers/common

setup_file() {
	local d=$BATS_FILE_TMPDIR
	mkdir -p "$d/fake"
	cc -std=c11 -Wall -Wextra -Werror -shared -fPIC -O2 tests/fakecuda/fakecuda.c -o "$d/fake/libcuda.so.1"
	cc -std=c11 -Wall -Wextra -Werror -shared -fPIC -O2 -Ilib tests/jobs/gpuprobe.c -o "$d/gpuprobe.so"
	cc -std=c11 -Wall -Wextra -Werror -shared -fPIC -O2 -Ilib tests/jobs/gpufit.c -o "$d/gpufit.so"
}

setup() {
	pd_setup
	FAKE=$BATS_FILE_TMPDIR/fake
	PROBE=$BATS_FILE_TMPDIR/gpuprobe.so
	FIT=$BATS_FILE_TMPDIR/gpufit.so
	PD_OPT="$B/bin/pd-opt"
	unset CUDA_VISIBLE_DEVICES GPUFIT_LOG FAKECUDA_DEVICES FAKECUDA_FAIL
}

teardown() {
	pd_teardown
}

# A pd-serve that finds the fake driver's devices.
start_gpu_server() {
	pd_keygen
	LD_LIBRARY_PATH=$FAKE pd_start_server "$@"
}

# Member $1 of pd-alloc --json.
alloc_field() {
	"$PD_ALLOC" --json | "$B/tests/pd_json" "$1"
}

# 0 when member $1 of pd-alloc --json is $2 now (for wait_for).
alloc_is() {
	[ "$(alloc_field "$1")" = "$2" ]
}

# nvcc on PATH or in the CUDA toolkit's usual place, printed; 1 if none.
find_nvcc() {
	command -v nvcc 2>/dev/null || { [ -x /usr/local/cuda/bin/nvcc ] && echo /usr/local/cuda/bin/nvcc; }
}

@test "no CUDA driver: 0 GPUs found, --gpu shares refused, CPU jobs run as before" {
	if has_cuda_driver; then
		skip "this machine has a CUDA driver (libcuda.so.1): the no-driver case cannot be shown here"
	fi
	pd_keygen
	pd_start_server -v --cpu 2
	pdrun "$PD_ALLOC"
	[ "$status" -eq 0 ]
	[ "${lines[1]}" = "gpu 0 total, 0 shared, 0 busy" ]
	run "$B/tests/pd_json" gpus gpus_shared gpus_busy gpu_devices <<<"$("$PD_ALLOC" --json)"
	[ "$output" = "$(printf '0\t0\t0\t[]')" ]
	grep -q "no GPU: no CUDA driver (libcuda.so.1: " "$PD_LOG"
	pdrun "$PD_ALLOC" --gpu 1
	[ "$status" -eq 65 ]
	[[ $stderr == *"this host has 0 GPUs to share"* ]]
	seq 50 >"$T/in"
	pdrun_to "$T/out" "$PD_MAP" "$EX/square.so" <"$T/in"
	[ "$status" -eq 0 ]
	diff "$T/out" <(expect_squares "$T/in")
}

@test "the fake driver's two devices are found with their names and memory, all shared" {
	start_gpu_server --cpu 2
	pdrun "$PD_ALLOC"
	[ "$status" -eq 0 ]
	[ "${lines[1]}" = "gpu 2 total, 2 shared, 0 busy" ]
	run "$B/tests/pd_json" gpus gpus_shared gpus_busy gpu_devices <<<"$("$PD_ALLOC" --json)"
	[ "$output" = "$(printf '2\t2\t0\t[{"index":0,"name":"Fake GPU 0","memory":1073741824},{"index":1,"name":"Fake GPU 1","memory":2147483648}]')" ]
}

@test "a driver whose cuInit fails counts as no GPU, and the log says why" {
	pd_keygen
	FAKECUDA_FAIL=1 LD_LIBRARY_PATH=$FAKE pd_start_server -v --cpu 1
	run alloc_field gpus
	[ "$output" = 0 ]
	grep -q "no GPU: cuInit failed (CUDA error 100)" "$PD_LOG"
}

@test "a GPU slot's worker is bound before init: CUDA_VISIBLE_DEVICES, pd_ctx_gpu 0; two slots, two devices" {
	start_gpu_server --cpu 1
	mkdir "$T/meet"
	# Both records wait until both run: only two GPU slots at once can answer.
	printf 'meet %s 2\nmeet %s 2\n' "$T/meet" "$T/meet" >"$T/in"
	pdrun "$PD_MAP" "$PROBE" <"$T/in"
	[ "$status" -eq 0 ]
	run sort <<<"$output"
	[ "${lines[0]}" = "cvd=0 init_cvd=0 init_gpu=0" ]
	[ "${lines[1]}" = "cvd=1 init_cvd=1 init_gpu=0" ]
}

@test "CUDA_VISIBLE_DEVICES given to pd-serve: a slot's device is its entry in that list" {
	pd_keygen
	CUDA_VISIBLE_DEVICES=5,7 LD_LIBRARY_PATH=$FAKE pd_start_server --cpu 1
	mkdir "$T/meet"
	printf 'meet %s 2\nmeet %s 2\n' "$T/meet" "$T/meet" >"$T/in"
	pdrun "$PD_MAP" "$PROBE" <"$T/in"
	[ "$status" -eq 0 ]
	run sort <<<"$output"
	[ "${lines[0]}" = "cvd=5 init_cvd=5 init_gpu=0" ]
	[ "${lines[1]}" = "cvd=7 init_cvd=7 init_gpu=0" ]
}

@test "pd-alloc --gpu 1: one GPU slot, one record at a time, on the shared device only" {
	start_gpu_server --cpu 4
	pdrun "$PD_ALLOC" --gpu 1
	[ "$status" -eq 0 ]
	[ "${lines[1]}" = "gpu 2 total, 1 shared, 0 busy" ]
	mkdir "$T/c"
	for i in $(seq 12); do echo "count $T/c"; done >"$T/in"
	pdrun "$PD_MAP" "$PROBE" <"$T/in"
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 12 ]
	[ "$(sort -u <<<"$output")" = "cvd=0 init_cvd=0 init_gpu=0" ]
	[ "$(cat "$T/c/max")" = 1 ]
}

@test "pd-status and pd-alloc show GPUs total, shared and busy while records hold them" {
	start_gpu_server --cpu 1
	mkdir "$T/hold"
	printf 'hold %s\nhold %s\n' "$T/hold" "$T/hold" >"$T/in"
	"$PD_MAP" "$PROBE" <"$T/in" >"$T/out" 2>"$T/err" &
	local map=$!
	pd_track "$map"
	wait_for -t 20 alloc_is gpus_busy 2
	pdrun "$PD_STATUS"
	[ "$status" -eq 0 ]
	[[ $output == *"gpu 2/2 busy 2"* ]]
	run "$B/tests/pd_json" gpus gpus_shared gpus_busy <<<"$("$PD_STATUS" --json)"
	[ "$output" = "$(printf '2\t2\t2')" ]
	# the CPU slot stays free for CPU work meanwhile
	[ "$(alloc_field busy)" = 0 ]
	touch "$T/hold/release"
	st=0
	wait "$map" || st=$?
	cat "$T/err"
	[ "$st" -eq 0 ]
	[ "$(wc -l <"$T/out")" -eq 2 ]
	wait_for -t 10 alloc_is gpus_busy 0
}

@test "shrinking the GPU share mid-run: running records finish, the rest run on the devices still shared" {
	start_gpu_server --cpu 1
	mkdir "$T/hold"
	{ printf 'hold %s\nhold %s\n' "$T/hold" "$T/hold"; for i in $(seq 6); do echo info; done; } >"$T/in"
	"$PD_MAP" "$PROBE" <"$T/in" >"$T/out" 2>"$T/err" &
	local map=$!
	pd_track "$map"
	wait_for -t 20 alloc_is gpus_busy 2
	pdrun "$PD_ALLOC" --gpu 1
	[ "$status" -eq 0 ]
	[ "${lines[1]}" = "gpu 2 total, 1 shared, 2 busy" ]
	touch "$T/hold/release"
	st=0
	wait "$map" || st=$?
	cat "$T/err"
	[ "$st" -eq 0 ]
	[ "$(wc -l <"$T/out")" -eq 8 ]
	[ "$(head -n 2 "$T/out" | sort | tr '\n' ' ')" = "cvd=0 init_cvd=0 init_gpu=0 cvd=1 init_cvd=1 init_gpu=0 " ]
	[ "$(tail -n 6 "$T/out" | sort -u)" = "cvd=0 init_cvd=0 init_gpu=0" ]
	wait_for -t 10 alloc_is gpus_busy 0
}

@test "pd-alloc --gpu beyond the host's GPUs fails (65) naming them, and changes nothing" {
	start_gpu_server --cpu 1
	pdrun "$PD_ALLOC" --gpu 3
	[ "$status" -eq 65 ]
	[[ $stderr == "pd-alloc: "*"this host has 2 GPUs"* ]]
	[ "$(alloc_field gpus_shared)" = 2 ]
	pdrun "$PD_ALLOC" --gpu 0 --cpu 5000
	[ "$status" -eq 65 ]
	[ "$(alloc_field gpus_shared)" = 2 ]
}

@test "the GPU share is kept across a restart" {
	start_gpu_server --cpu 1
	pdrun "$PD_ALLOC" --gpu 1
	[ "$status" -eq 0 ]
	pd_stop_server "$PD_PID"
	LD_LIBRARY_PATH=$FAKE pd_start_server
	[ "$(alloc_field gpus_shared)" = 1 ]
	[ "$(alloc_field gpus)" = 2 ]
}

@test "a GPU job where no GPU is shared fails at once (69) naming each host's GPUs" {
	start_gpu_server --cpu 2
	pdrun "$PD_ALLOC" --gpu 0
	[ "$status" -eq 0 ]
	echo info >"$T/in"
	pdrun "$PD_MAP" "$PROBE" <"$T/in"
	[ "$status" -eq 69 ]
	[ -z "$output" ]
	[[ $stderr == "pd-map: no host shares a GPU ("*": 0 of 2 GPUs shared)" ]]
	# --gpu sends even a CPU job to GPU slots only
	pdrun "$PD_MAP" --gpu 1 "$EX/square.so" <"$T/in"
	[ "$status" -eq 69 ]
	[[ $stderr == *"0 of 2 GPUs shared"* ]]
	pdrun "$PD_OPT" --gpu 1 --dim 2 --bounds -1:1 --iterations 2 "$FIT:rosen_cpu"
	[ "$status" -eq 69 ]
	[[ $stderr == *"0 of 2 GPUs shared"* ]]
	# CPU work on the same host is unaffected
	pdrun "$PD_MAP" "$EX/square.so" <<<"3"
	[ "$status" -eq 0 ]
	[ "$output" = 9 ]
}

@test "embedded mode: no GPU found means a GPU job fails with 69; the fake driver's GPUs are used" {
	echo info >"$T/in"
	if ! has_cuda_driver; then
		pdrun "$PD_MAP" "$PROBE" <"$T/in"
		[ "$status" -eq 69 ]
		[[ $stderr == *"no host shares a GPU (embedded: 0 of 0 GPUs shared)"* ]]
	fi
	LD_LIBRARY_PATH=$FAKE pdrun "$PD_MAP" --gpu 1 "$PROBE" <"$T/in"
	[ "$status" -eq 0 ]
	[ "$output" = "cvd=0 init_cvd=0 init_gpu=0" ]
}

@test "embedded mode: a run that asks for no GPU starts without looking for one; a GPU run looks once" {
	seq 4 >"$T/in"
	FAKECUDA_LOG=$T/cuinit LD_LIBRARY_PATH=$FAKE pdrun "$PD_MAP" -c 2 "$EX/square.so" <"$T/in"
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '1\n4\n9\n16')" ]
	[ ! -e "$T/cuinit" ]
	FAKECUDA_LOG=$T/cuinit LD_LIBRARY_PATH=$FAKE pdrun "$PD_OPT" --dim 2 --bounds -1:1 --iterations 2 --seed 1 \
		"$EX/rosenbrock.so:rosenbrock"
	[ "$status" -eq 0 ]
	[ ! -e "$T/cuinit" ]
	echo info >"$T/in"
	FAKECUDA_LOG=$T/cuinit LD_LIBRARY_PATH=$FAKE pdrun "$PD_MAP" --gpu 1 "$PROBE" <"$T/in"
	[ "$status" -eq 0 ]
	[ "$(cat "$T/cuinit")" = cuInit ]
}

@test "usage: --gpu needs a number of GPU slots, and runs attached only" {
	pdrun "$PD_MAP" --gpu 0 "$EX/square.so"
	[ "$status" -eq 64 ]
	[[ $stderr == *"--gpu: '0'"* ]]
	pdrun "$PD_MAP" --gpu x "$EX/square.so"
	[ "$status" -eq 64 ]
	pdrun "$PD_MAP" --gpu 1 --detach "$EX/square.so"
	[ "$status" -eq 64 ]
	[[ $stderr == *"--detach"* ]]
	pdrun "$PD_MAP" --detach "$PROBE"
	[ "$status" -eq 64 ]
	[[ $stderr == *"needs a GPU"* ]]
	pdrun "$PD_OPT" --gpu -2 --dim 2 --bounds -1:1 "$FIT:rosen_cpu"
	[ "$status" -eq 64 ]
}

@test "pd-opt --gpu 1: the same result as on CPU slots, bit for bit, in one batch call per generation" {
	export GPUFIT_LOG=$T/fit.log
	start_gpu_server --cpu 2
	pdrun "$PD_ALLOC" --gpu 1
	[ "$status" -eq 0 ]
	args=(-a cmaes --seed 11 --popsize 16 --iterations 20 --json --dim 10 --bounds -5:5)
	pdrun_to "$T/cpu" "$PD_OPT" -n 2 "${args[@]}" "$FIT:rosen_cpu"
	[ "$status" -eq 0 ]
	pdrun_to "$T/gpu" "$PD_OPT" "${args[@]}" "$FIT:rosen_gpu"
	[ "$status" -eq 0 ]
	cat "$T/gpu" "$T/gpu.err"
	[ -s "$T/gpu" ]
	cmp "$T/cpu" "$T/gpu"
	# every GPU call took a whole generation, on the one shared device
	grep '^gpu ' "$T/fit.log" >"$T/gpu.log"
	[ "$(wc -l <"$T/gpu.log")" -eq 20 ]
	[ "$(sort -u "$T/gpu.log")" = "gpu 16 0" ]
	# CPU slots got ~5 ms batches instead: the first call had one point
	grep '^cpu ' "$T/fit.log" >"$T/cpu.log"
	[ "$(head -n 1 "$T/cpu.log")" = "cpu 1 unset" ]
	[ "$(wc -l <"$T/cpu.log")" -gt 20 ]
}

@test "pd-opt on two GPU slots: each generation is split into two equal batch calls" {
	export GPUFIT_LOG=$T/gpu.log
	start_gpu_server --cpu 1
	pdrun_to "$T/out" "$PD_OPT" -a pso --seed 3 --popsize 20 --iterations 10 --dim 4 --bounds -2:2 "$FIT:rosen_gpu"
	[ "$status" -eq 0 ]
	[ "$(wc -l <"$T/gpu.log")" -eq 20 ]
	[ "$(cut -d' ' -f1,2 "$T/gpu.log" | sort -u)" = "gpu 10" ]
	awk '$3 != 0 && $3 != 1 { exit 1 }' "$T/gpu.log"
}

@test "pd-opt's trace splits each iteration's time into eval, fitness and update" {
	LD_LIBRARY_PATH=$FAKE pdrun "$PD_OPT" -q -a cmaes --seed 2 --popsize 50 --iterations 3 --dim 10 \
		--bounds -5:5 --trace "$T/trace" "$FIT:rosen_gpu"
	[ "$status" -eq 0 ]
	[ "$(wc -l <"$T/trace")" -eq 3 ]
	awk '{ for (k = 0; k < 3; k++) { key = k == 0 ? "eval_ms" : k == 1 ? "fitness_ms" : "update_ms"
		s = $0; if (!sub(".*\"" key "\":", "", s)) exit 1; sub("[,}].*", "", s)
		if (s !~ /^[0-9]+\.[0-9]+$/) exit 1; v[key] = s + 0 }
		if (v["fitness_ms"] > v["eval_ms"]) exit 1 }' "$T/trace"
}

@test "multihost: a GPU job runs only on the host that shares GPUs; none shared names every host" {
	load helpers/netns
	netns_setup 2
	LD_LIBRARY_PATH=$FAKE netns_start_server 0 --cpu 1
	netns_start_server 1 --cpu 2
	for i in $(seq 8); do echo info; done >"$T/in"
	st=0
	netns_client timeout -k 5 60 "$B/bin/pd-map" --json -H "$(netns_hosts)" "$PROBE" <"$T/in" >"$T/out" 2>"$T/err" || st=$?
	cat "$T/err"
	[ "$st" -eq 0 ]
	[ "$(wc -l <"$T/out")" -eq 8 ]
	run "$B/tests/pd_json" output <"$T/out"
	[ "$(sort -u <<<"$output")" = "cvd=0 init_cvd=0 init_gpu=0 host=h0" ] ||
		[ "$(sort -u <<<"$output")" = "$(printf 'cvd=0 init_cvd=0 init_gpu=0 host=h0\ncvd=1 init_cvd=1 init_gpu=0 host=h0')" ]
	netns_exec 0 "$B/bin/pd-alloc" --gpu 0 >/dev/null
	st=0
	netns_client timeout -k 5 60 "$B/bin/pd-map" -H "$(netns_hosts)" "$PROBE" <"$T/in" >"$T/out" 2>"$T/err" || st=$?
	cat "$T/err"
	[ "$st" -eq 69 ]
	grep -q ": 0 of 2 GPUs shared, .*: 0 of 0 GPUs shared)" "$T/err"
	netns_teardown
}

@test "make bench-gpu without a GPU, or without nvcc: says so, measures nothing, exits 69" {
	if ! has_cuda_driver; then
		run env B="$B" sh tests/bench/gpu.sh
		[ "$status" -eq 69 ]
		[[ $output == *"bench-gpu: no GPU on this machine"*"nothing measured"* ]]
		[[ $output != *"evaluations/s"* ]]
	fi
	run env B="$B" NVCC= LD_LIBRARY_PATH="$FAKE" sh tests/bench/gpu.sh
	[ "$status" -eq 69 ]
	[[ $output == *"bench-gpu: nvcc not found"*"nothing measured"* ]]
	[[ $output != *"evaluations/s"* ]]
}

@test "make: without nvcc the CUDA examples are skipped with one line" {
	run make -s --no-print-directory B="$B" NVCC= gpu-examples
	[ "$status" -eq 0 ]
	[ "$output" = "nvcc not found: CUDA examples in share/examples/gpu skipped" ]
}

@test "with nvcc: the CUDA examples compile as playdoh(3) says, and define their GPU jobs" {
	nvcc=$(find_nvcc) || skip "nvcc not found (PATH, /usr/local/cuda/bin): CUDA examples not built here"
	for f in rosenbrock_gpu square_gpu; do
		"$nvcc" -O2 -shared -Xcompiler -fPIC -Ilib "share/examples/gpu/$f.cu" -o "$T/$f.so"
		nm -D --defined-only "$T/$f.so" | grep -q " pd_desc_$f\$"
	done
	# the descriptors say they need a GPU: without one, 69 at once
	if ! has_cuda_driver; then
		pdrun "$PD_MAP" "$T/square_gpu.so" <<<"3"
		[ "$status" -eq 69 ]
	fi
}

# gpubench and the CPU twin it compares with, built without sanitizers
# (gpubench is a plain program: it cannot load make SAN=1's examples).
build_bench() {
	cc -std=c11 -O2 -Wall -Wextra -Ilib -o "$T/gpubench" tests/bench/gpubench.c -ldl -lm
	cc -std=c11 -O2 -Wall -Wextra -shared -fPIC -Ilib share/examples/rosenbrock.c -o "$T/rosenbrock.so" -lm
}

# Build share/examples/gpu/$1.cu with g++ against the CPU stand-in of the
# CUDA runtime (tests/fakecuda/cuda_runtime.h): each launch becomes a loop
# over the grid.
build_emulated() {
	sed -E 's/([A-Za-z_]+)<<<([^,]+), ([^>]+)>>>\((.*)\);/for (unsigned b_ = 0; b_ < (unsigned)(\2); b_++) for (unsigned t_ = 0; t_ < (unsigned)(\3); t_++) { blockIdx.x = b_; blockDim.x = (\3); threadIdx.x = t_; \1(\4); }/' \
		"share/examples/gpu/$1.cu" >"$T/$1.cc"
	grep -q "for (unsigned b_" "$T/$1.cc"
	g++ -std=c++11 -Wall -Wextra -Werror -O2 -shared -fPIC -Itests/fakecuda -Ilib "$T/$1.cc" -o "$T/$1.so"
}

@test "the CUDA examples, run on a CPU stand-in of the CUDA runtime, give their CPU twins' results" {
	command -v g++ >/dev/null || skip "g++ not installed"
	build_emulated rosenbrock_gpu
	build_emulated square_gpu
	build_bench
	pdrun "$T/gpubench" -n 20000 -r 1 --check 1e-9 "$T/rosenbrock_gpu.so:rosenbrock_gpu" \
		"$T/rosenbrock.so:rosenbrock_batch"
	[ "$status" -eq 0 ]
	[[ $output == *"max relative difference gpu/cpu: 0"* ]]
	# the jobs are marked as needing a GPU: they run on the fake driver's slots
	awk 'BEGIN { for (i = 1; i <= 200; i++) printf "%.6f\n", (i - 100) * 0.731 }' >"$T/in"
	LD_LIBRARY_PATH=$FAKE pdrun_to "$T/gpu" "$PD_MAP" "$T/square_gpu.so" <"$T/in"
	[ "$status" -eq 0 ]
	pdrun_to "$T/cpu" "$PD_MAP" "$EX/square.so" <"$T/in"
	[ "$status" -eq 0 ]
	cmp "$T/gpu" "$T/cpu"
	args=(-a cmaes --seed 4 --popsize 64 --iterations 15 --json --dim 10 --bounds -5:5)
	LD_LIBRARY_PATH=$FAKE pdrun_to "$T/og" "$PD_OPT" "${args[@]}" "$T/rosenbrock_gpu.so"
	[ "$status" -eq 0 ]
	pdrun_to "$T/oc" "$PD_OPT" "${args[@]}" "$EX/rosenbrock.so:rosenbrock_batch"
	[ "$status" -eq 0 ]
	cmp "$T/og" "$T/oc"
}

@test "with a GPU: the CUDA examples give their CPU twins' results to 1e-9 relative" {
	nvcc=$(find_nvcc) || skip "nvcc not found (PATH, /usr/local/cuda/bin): CUDA examples not built here"
	has_cuda_driver || skip "no CUDA driver (libcuda.so.1) on this machine: no GPU to run on"
	pd_keygen
	pd_start_server --cpu 1
	[ "$(alloc_field gpus)" -gt 0 ] || skip "the CUDA driver reports no GPU"
	for f in rosenbrock_gpu square_gpu; do
		"$nvcc" -O2 -shared -Xcompiler -fPIC -Ilib "share/examples/gpu/$f.cu" -o "$T/$f.so"
	done
	build_bench
	pdrun "$T/gpubench" -n 100000 -r 1 --check 1e-9 "$T/rosenbrock_gpu.so:rosenbrock_gpu" \
		"$T/rosenbrock.so:rosenbrock_batch"
	echo "$output"
	[ "$status" -eq 0 ]
	awk 'BEGIN { for (i = 1; i <= 500; i++) printf "%.6f\n", (i - 250) * 0.731 }' >"$T/in"
	pdrun_to "$T/gpu" "$PD_MAP" "$T/square_gpu.so" <"$T/in"
	[ "$status" -eq 0 ]
	pdrun_to "$T/cpu" "$PD_MAP" "$EX/square.so" <"$T/in"
	[ "$status" -eq 0 ]
	paste "$T/gpu" "$T/cpu" | awk '{ d = $1 - $2; if (d < 0) d = -d; m = $2 < 0 ? -$2 : $2
		if (NF != 2 || d > 1e-9 * (m > 1e-300 ? m : 1e-300)) bad = 1 } END { exit bad || NR != 500 }'
	args=(-a cmaes --seed 4 --popsize 64 --iterations 30 --json --dim 10 --bounds -5:5)
	pdrun_to "$T/og" "$PD_OPT" --gpu 1 "${args[@]}" "$T/rosenbrock_gpu.so"
	[ "$status" -eq 0 ]
	pdrun_to "$T/oc" "$PD_OPT" "${args[@]}" "$EX/rosenbrock.so:rosenbrock_batch"
	[ "$status" -eq 0 ]
	fg=$("$B/tests/pd_json" fitness <"$T/og")
	fc=$("$B/tests/pd_json" fitness <"$T/oc")
	awk -v g="$fg" -v c="$fc" 'BEGIN { d = g - c; if (d < 0) d = -d; exit !(d <= 1e-9 * (c < 0 ? -c : c) + 1e-300) }'
}
