# tests/bench/scale.sh - section [10] of the benchmarks: the scaling curve.
#
# Sourced by tests/bench/run.sh after section [9]; uses its helpers
# (section, row, note, calc, median, ns_section, fig_set, fig,
# descendants) and settings (MODE, B, BIN, EX, T, TMO, PDB).  Runs alone
# too, with the same rows and a TSV file of its own:
#
#   B=build sh tests/bench/scale.sh [--smoke] [--hosts "1 2 4 8 16 32"]
#
# For each host count N (1, 2, 4, 8, 16, 32; 1 and 2 with --smoke; or
# --hosts, or PD_BENCH_SCALE_HOSTS when sourced), N network-namespace
# hosts with one pd-serve --cpu 1 each (tests/helpers/netns.bash), and in
# the client namespace:
#   (a) pd-map -H ALL sum.so on 1,000,000 trivial records: records/s;
#   (b) pd-map -H ALL sleep.so on 2,000 x N records of 1 ms: efficiency =
#       ideal (records x 1 ms / N) / wall time;
#   (c) pd-opt -H ALL -a cmaes --popsize 256 on tests/jobs/optprobe.c's
#       slow1 (the sphere after a 1 ms sleep): the median time of an
#       iteration (eval_ms + update_ms of --trace, the first left out),
#       against the ideal 256 x 1 ms / N.
# Runs (a) and (b) are timed by pdbench cpu inside the client namespace,
# which also gives pd-map's user and system CPU (getrusage): the client's
# CPU per record.  Around each run the CPU time of every pd-serve and of
# its workers is read from /proc/PID/schedstat: their CPU per record.
# One untimed run first ships each job to every host.  A loop of
# nanosleep(1 ms) (pdbench sleep) gives this machine's floor for (b).  Every output is
# checked (cksum against awk's, or pd-opt's fitness recomputed at its
# point), so a broken run cannot report a figure (FAILED, exit status 1).
# A table of the curve ends the section.  Goals (full mode): records/s
# at N hosts at least 0.95 x the best with fewer hosts (never falling, 5 %
# for noise); 1 ms records at efficiency 0.9 or more.  The model drawn
# from the curve, up to 1,000 hosts, is in playdoh(7), "How far it scales".

# ----------------------------------------------------- standalone set-up

SC_ALONE=0
if ! declare -F row >/dev/null 2>&1; then
	if [ -z "${BASH_VERSION:-}" ]; then
		if command -v bash >/dev/null 2>&1; then
			exec bash "$0" "$@"
		fi
		echo "bench: bash is needed to run tests/bench/scale.sh" >&2
		exit 2
	fi
	SC_ALONE=1
	MODE=full
	while [ $# -gt 0 ]; do
		case $1 in
		--smoke) MODE=smoke ;;
		--hosts) PD_BENCH_SCALE_HOSTS=${2:-}; shift ;;
		--hosts=*) PD_BENCH_SCALE_HOSTS=${1#--hosts=} ;;
		-h | --help) awk 'NR > 1 && !/^#/ { exit } NR > 1 { sub(/^# ?/, ""); print }' "$0"; exit 0 ;;
		*)
			echo "usage: tests/bench/scale.sh [--smoke] [--hosts \"N ...\"]" >&2
			exit 64
			;;
		esac
		shift
	done
	ALONE_NAME=scale ALONE_TITLE="scaling only"
	# shellcheck source=tests/bench/alone.sh
	. "$(dirname "${BASH_SOURCE[0]}")/alone.sh"
fi

# ----------------------------------------------------------------- sizes

if [ "$MODE" = smoke ]; then
	SC_HOSTS=${PD_BENCH_SCALE_HOSTS:-1 2}
	SC_TP_N=2000 SC_MS_PER_HOST=40 SC_REPS=1 SC_POP=8 SC_IT=3
else
	SC_HOSTS=${PD_BENCH_SCALE_HOSTS:-1 2 4 8 16 32}
	SC_TP_N=1000000 SC_MS_PER_HOST=2000 SC_REPS=3 SC_POP=256 SC_IT=12
fi
OPT_HOME=$T/home-opt # PD_HOME for opt_run (netns_client sets the client's)
mkdir -p "$OPT_HOME"
# shellcheck source=tests/bench/optrun.sh
. tests/bench/optrun.sh
SC_OPT=(-a cmaes --popsize "$SC_POP" --iterations "$SC_IT" --dim 5 --bounds -1:1 --seed 1)

# ----------------------------------------------------------------- helpers

# CPU nanoseconds of the servers and of their workers: "SERVERS WORKERS"
# (/proc/PID/schedstat, else utime + stime of /proc/PID/stat).  Uses the
# netns helper's NS_N and NS_PID_I.
sc_cpu() {
	local i pid p s w=0 v ss=0 st
	for ((i = 0; i < NS_N; i++)); do
		pid=NS_PID_$i
		pid=${!pid:-}
		[ -n "$pid" ] || continue
		for p in "$pid" $(descendants "$pid"); do
			if read -r v _ <"/proc/$p/schedstat" 2>/dev/null; then
				:
			elif st=$(cat "/proc/$p/stat" 2>/dev/null); then
				st=${st##*) }
				# shellcheck disable=SC2086 # the fields, one a word
				set -- $st
				v=$(((${12} + ${13}) * 1000000000 / $(getconf CLK_TCK)))
			else
				continue
			fi
			if [ "$p" = "$pid" ]; then ss=$((ss + v)); else w=$((w + v)); fi
		done
	done
	echo "$ss $w"
}

# sc_map REPS HOSTS INPUT EXPECT JOB: REPS timed runs of pd-map -H HOSTS
# JOB < INPUT in the client namespace, each output's cksum checked
# against EXPECT.  Sets, as medians over the runs, S_WALL (s), S_USR,
# S_SYS (client CPU s), S_VCSW (client's voluntary context switches),
# S_SRV and S_WRK (servers' and workers' CPU, ns); 1 with M_ERR.
sc_map() {
	local reps=$1 hosts=$2 in=$3 expect=$4 job=$5 i rc got a b m0 m1 t wall=() usr=() sys=() vcsw=() srv=() wrk=() busy=()
	M_ERR=""
	for ((i = 1; i <= reps; i++)); do
		rm -f "$T/time"
		a=$(sc_cpu)
		m0=$(head -n 1 /proc/stat)
		netns_client timeout -k 5 "$TMO" "$PDB" cpu "$T/time" "$BIN/pd-map" -H "$hosts" "$job" \
			<"$in" >"$T/out" 2>"$T/err"
		rc=$?
		m1=$(head -n 1 /proc/stat)
		b=$(sc_cpu)
		if [ $rc -ne 0 ] || [ ! -s "$T/time" ]; then
			[ $rc -eq 124 ] && M_ERR="timed out after ${TMO}s" || M_ERR="exit status $rc"
			[ -s "$T/err" ] && M_ERR="$M_ERR: $(grep -v '^ *$' "$T/err" | tail -n 1)"
			return 1
		fi
		got=$(cksum <"$T/out")
		if [ "$got" != "$expect" ]; then
			M_ERR="wrong output: cksum '$got', expected '$expect' ($(wc -l <"$T/out") lines)"
			return 1
		fi
		read -r -a t <"$T/time"
		wall+=("${t[0]}") usr+=("${t[1]}") sys+=("${t[2]}") vcsw+=("${t[3]}")
		srv+=("$((${b% *} - ${a% *}))") wrk+=("$((${b#* } - ${a#* }))")
		# The machine's busy share: 1 - (idle + iowait) / all, of /proc/stat.
		busy+=("$(printf '%s\n%s\n' "$m0" "$m1" | awk '{ t = 0; for (i = 2; i <= NF; i++) t += $i
			all[NR] = t; idle[NR] = $5 + $6 } END { d = all[2] - all[1]; print (d > 0 ? 1 - (idle[2] - idle[1]) / d : 0) }')")
	done
	S_WALL=$(printf '%s\n' "${wall[@]}" | median) S_ALL="${wall[*]}"
	S_USR=$(printf '%s\n' "${usr[@]}" | median) S_SYS=$(printf '%s\n' "${sys[@]}" | median)
	S_VCSW=$(printf '%s\n' "${vcsw[@]}" | median)
	S_SRV=$(printf '%s\n' "${srv[@]}" | median) S_WRK=$(printf '%s\n' "${wrk[@]}" | median)
	S_BUSY=$(printf '%s\n' "${busy[@]}" | median)
}

# sc_cpu_rows N RECORDS KEY LABEL CONFIG: the CPU per record of a sc_map
# run (client user+sys, servers, workers), each a row and a figure.
sc_cpu_rows() {
	local n=$1 recs=$2 key=$3 what=$4 cfg=$5 c s w
	c=$(calc %.2f "($S_USR + $S_SYS) * 1e6 / $recs")
	s=$(calc %.2f "$S_SRV / 1e3 / $recs")
	w=$(calc %.2f "$S_WRK / 1e3 / $recs")
	fig_set "sc_${key}_cli_$n" "$c"
	fig_set "sc_${key}_srv_$n" "$s"
	fig_set "sc_${key}_wrk_$n" "$w"
	fig_set "sc_${key}_cores_$n" "$(calc %.2f "($S_USR + $S_SYS + ($S_SRV + $S_WRK) / 1e9) / $S_WALL")"
	fig_set "sc_${key}_busy_$n" "$(calc %.0f "$S_BUSY * 100")"
	row scale "  $what: client CPU per record" client_cpu_us "$c" us "" ok \
		"$cfg; pd-map user ${S_USR}s + sys ${S_SYS}s (getrusage, median of the runs) / $recs records; voluntary context switches $S_VCSW" \
		"$c us"
	row scale "  $what: servers / workers CPU per record" server_cpu_us "$s" us "" ok \
		"$cfg; CPU of the $n pd-serve processes (/proc/PID/schedstat) / $recs records; their workers: $w us; the machine busy $(calc %.0f "$S_BUSY * 100")% (all processes, /proc/stat)" \
		"$s / $w us"
}

# sc_opt HOSTS: pd-opt -H HOSTS SC_OPT optprobe.so:slow1 in the client
# namespace, checked by opt_run (tests/bench/optrun.sh: the fitness
# recomputed at its point), then its evaluations and trace.  Sets S_ITER
# (median ms of an iteration, the first left out) and S_WALL; 1 with M_ERR.
sc_opt() {
	OPT_RUN_IN=netns_client opt_run sphere 5 --trace "$T/opt.trace" -H "$1" "${SC_OPT[@]}" "$OPT_PROBE:slow1" ||
		return 1
	S_WALL=$O_WALL
	if [ "$O_EVALS" != $((SC_POP * SC_IT)) ] || [ "$(wc -l <"$T/opt.trace")" -ne "$SC_IT" ]; then
		M_ERR="pd-opt made $O_EVALS evaluations in $(wc -l <"$T/opt.trace") iterations, wanted $((SC_POP * SC_IT)) in $SC_IT"
		return 1
	fi
	S_ITER=$(sed -n '2,$ s/.*"eval_ms":\([0-9.]*\),.*"update_ms":\([0-9.]*\).*/\1 \2/p' "$T/opt.trace" |
		awk '{ print $1 + $2 }' | median)
	[ -n "$S_ITER" ] || { M_ERR="no eval_ms and update_ms in the trace"; return 1; }
}

# The body for N hosts (in ns_section's subshell): runs (a), (b), (c).
sc_body() {
	local hosts=$1 n=$NS_N recs ideal e r cfg best
	cfg="$n hosts x pd-serve --cpu 1; pd-map -H (all $n) in the client namespace"
	# Ship the jobs once (content-addressed: the timed runs find them
	# there), then time a run of one record: the start-up with N hosts.
	head -n 1 "$T/sc_tp.in" | netns_client timeout -k 5 "$TMO" "$BIN/pd-map" -H "$hosts" "$EX/sum.so" >/dev/null 2>&1
	echo 1 | netns_client timeout -k 5 "$TMO" "$BIN/pd-map" -H "$hosts" "$EX/sleep.so" >/dev/null 2>&1
	head -n 1 "$T/sc_tp.in" >"$T/sc_one.in"
	if sc_map "$SC_REPS" "$hosts" "$T/sc_one.in" "$(echo 4 | cksum)" "$EX/sum.so"; then
		fig_set "sc_start_$n" "$(calc %.1f "$S_WALL * 1000")"
		fig_set "sc_startcpu_$n" "$(calc %.1f "($S_USR + $S_SYS) * 1000")"
		row scale "$n host(s): a run of one record" wall_ms "$(calc %.1f "$S_WALL * 1000")" ms "" ok \
			"$cfg sum.so, 1 record: connections, job check, one batch; median_s=$S_WALL; all_s=$S_ALL; client CPU user ${S_USR}s sys ${S_SYS}s" \
			"$(calc %.1f "$S_WALL * 1000") ms, client CPU $(calc %.1f "($S_USR + $S_SYS) * 1000") ms"
	else
		row scale "$n host(s): a run of one record" wall_ms "$M_ERR" ms "" FAILED "$cfg sum.so"
	fi
	# (a) trivial records.
	if sc_map "$SC_REPS" "$hosts" "$T/sc_tp.in" "$SC_TP_EXPECT" "$EX/sum.so"; then
		r=$(calc %.0f "$SC_TP_N / $S_WALL")
		best=$(fig sc_best)
		fig_set "sc_rate_$n" "$r"
		if [ -n "$best" ]; then
			row scale "$n host(s): trivial records" records_per_s "$r" rec/s "" ok \
				"$cfg sum.so; N=$SC_TP_N; reps=$SC_REPS; median_s=$S_WALL; all_s=$S_ALL"
			row scale "  over the best with fewer hosts ($best rec/s)" ratio "$(calc %.3f "$r / $best")" x ">=0.95" ok \
				"records/s at $n hosts over the best at fewer, this run; 5% allowed for noise"
		else
			row scale "$n host(s): trivial records" records_per_s "$r" rec/s "" ok \
				"$cfg sum.so; N=$SC_TP_N; reps=$SC_REPS; median_s=$S_WALL; all_s=$S_ALL"
		fi
		[ -z "$best" ] || [ "$r" -gt "$best" ] && fig_set sc_best "$r"
		sc_cpu_rows "$n" "$SC_TP_N" tp trivial "$cfg sum.so"
	else
		row scale "$n host(s): trivial records" records_per_s "$M_ERR" rec/s "" FAILED "$cfg sum.so"
	fi
	# (b) 1 ms records.
	recs=$((SC_MS_PER_HOST * n))
	yes 1 | head -n "$recs" >"$T/sc_ms.in"
	ideal=$(calc %.6f "$recs * 0.001 / $n")
	if sc_map "$SC_REPS" "$hosts" "$T/sc_ms.in" "$(cksum <"$T/sc_ms.in")" "$EX/sleep.so"; then
		e=$(calc %.3f "$ideal / $S_WALL")
		fig_set "sc_eff_$n" "$e"
		row scale "$n host(s): 1 ms records, efficiency" efficiency "$e" "" ">=0.9" ok \
			"$cfg sleep.so; $recs records x 1 ms; ideal_s=$ideal; median_s=$S_WALL; all_s=$S_ALL" \
			"$e ($(calc %.0f "$S_WALL * 1000") ms)"
		sc_cpu_rows "$n" "$recs" ms "1 ms" "$cfg sleep.so"
	else
		row scale "$n host(s): 1 ms records, efficiency" efficiency "$M_ERR" "" ">=0.9" FAILED "$cfg sleep.so"
	fi
	# (c) pd-opt, 1 ms fitness.
	cfg="pd-opt -H (all $n) ${SC_OPT[*]} optprobe.so:slow1"
	ideal=$(calc %.1f "$SC_POP * 1.0 / $n")
	if [ -n "$OPT_PROBE_ERR" ]; then
		row scale "$n host(s): pd-opt, time per iteration" iter_ms "$OPT_PROBE_ERR" ms "" FAILED "$cfg"
	elif sc_opt "$hosts"; then
		fig_set "sc_iter_$n" "$S_ITER"
		fig_set "sc_iideal_$n" "$ideal"
		row scale "$n host(s): pd-opt, time per iteration" iter_ms "$S_ITER" ms "" ok \
			"$cfg; median eval_ms + update_ms over iterations 2..$SC_IT; ideal ${ideal} ms; wall ${S_WALL}s" \
			"$S_ITER ms (ideal $ideal)"
	else
		row scale "$n host(s): pd-opt, time per iteration" iter_ms "$M_ERR" ms "" FAILED "$cfg"
	fi
}

# When the hosts cannot be made: one row saying why.
sc_skip() { row scale "$SC_N host(s)" setup "$1" "" "" "$2" ""; }

# ----------------------------------------------------------------- section

section 10 "Scaling: pd-map and pd-opt over 1 to N namespace hosts of 1 slot each" \
	"hosts: $SC_HOSTS; each a network namespace with pd-serve --cpu 1; client pd-map/pd-opt -H ALL in its own namespace" \
	"(a) $SC_TP_N trivial records (sum.so); (b) $SC_MS_PER_HOST x N records of 1 ms (sleep.so), ideal $SC_MS_PER_HOST ms" \
	"(c) pd-opt ${SC_OPT[*]} on a 1 ms fitness; median of $SC_REPS run(s) for (a) and (b); outputs checked" \
	"load average now: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null) ($(nproc) CPUs shared by the client, every server and worker)"

paste <(seq 1 "$SC_TP_N") <(seq 3 3 $((3 * SC_TP_N))) >"$T/sc_tp.in"
SC_TP_EXPECT=$(awk '{ print $1 + $2 }' "$T/sc_tp.in" | cksum)
opt_probe_build
rm -f "$T"/fig.sc_*
# The floor of a 1 ms record here: what one nanosleep(1 ms) really takes.
if SC_SLEEP=$(timeout -k 5 "$TMO" "$PDB" sleep "$SC_MS_PER_HOST" 1 2>"$T/err") && [[ $SC_SLEEP =~ ^[0-9.]+$ ]]; then
	row scale "floor: nanosleep(1 ms) on this machine" sleep_us "$SC_SLEEP" us "" ok \
		"pdbench sleep $SC_MS_PER_HOST 1: mean of $SC_MS_PER_HOST sleeps, one process; 1 ms / this bounds every efficiency below" \
		"$SC_SLEEP us (efficiency at most $(calc %.3f "1000 / $SC_SLEEP"))"
else
	row scale "floor: nanosleep(1 ms) on this machine" sleep_us "pdbench sleep failed: $(tail -n 1 "$T/err")" us "" FAILED ""
fi
for SC_N in $SC_HOSTS; do
	if ! [[ $SC_N =~ ^[0-9]+$ ]] || ((SC_N < 1 || SC_N > 99)); then
		sc_skip "'$SC_N' is not a host count from 1 to 99" FAILED
		continue
	fi
	ns_section "$SC_N" sc_body sc_skip
done

# The curve, one line per host count ("-": no figure, see the rows above).
sc_f() { local v; v=$(fig "sc_$1_$SC_N"); echo "${v:--}"; }
SC_FMT='    %5s %10s %7s %7s %7s %5s %5s  %s\n'
# sc_table HEAD UNIT KEY PART LAST-HEAD LAST-UNIT LAST IN-PARENS: a table
# of the curve: figure KEY, the CPU per record and busy shares of PART
# (tp or ms), and "LAST (IN-PARENS)" last.
sc_table() {
	# shellcheck disable=SC2059 # the format is SC_FMT
	printf "\n$SC_FMT" hosts "$1" "cli us" "srv us" "wrk us" cores busy "$5"
	# shellcheck disable=SC2059
	printf "$SC_FMT" "" "$2" "/rec" "/rec" "/rec" used "%" "$6"
	for SC_N in $SC_HOSTS; do
		# shellcheck disable=SC2059
		printf "$SC_FMT" "$SC_N" "$(sc_f "$3")" "$(sc_f "$4_cli")" "$(sc_f "$4_srv")" "$(sc_f "$4_wrk")" \
			"$(sc_f "$4_cores")" "$(sc_f "$4_busy")" "$(sc_f "$7") ($(sc_f "$8"))"
	done
}
sc_table trivial rec/s rate tp "a run of 1 record:" "ms (client CPU ms)" start startcpu
sc_table "1 ms: eff" "" eff ms "pd-opt ms/iteration" "(ideal)" iter iideal
note "cli/srv/wrk: CPU per record of pd-map, of the pd-serve processes, of their workers; cores: their CPU / wall"
note "busy: the whole machine's busy share during the runs (/proc/stat; other work on the machine included)"
note "a run of 1 record: wall time (and the client's CPU) of a run of one trivial record: the start-up with N hosts"
rm -f "$T/sc_tp.in" "$T/sc_ms.in" "$T/sc_one.in" "$T/out"

# ----------------------------------------------------------------- alone

if [ "$SC_ALONE" = 1 ]; then
	alone_end
fi
