# tests/bench/exec.sh - section [9] of the benchmarks: a program per record.
#
# Sourced by tests/bench/run.sh after section [7]; uses its helpers
# (section, row, note, measure, calc, fig_set, fig, ratio_row) and
# settings (MODE, B, BIN, T, TMO, NCPU).
#
# N records (20,000; 20 with --smoke), each run as `/bin/echo RECORD` on
# 2 slots by, in the same run:
#   pd-map -c 2 /bin/echo        (embedded local workers, the runner job)
#   xargs -P2 -d '\n' -n1 /bin/echo
#   parallel -j2 /bin/echo       (GNU parallel, when installed)
#   spawnfloor 2 /bin/echo       (tests/bench/spawnfloor.c: posix_spawn and
#                                 a pipe per record, 2 at a time, nothing else)
# Figures: records per second (median of the repetitions), pd-map's time
# over the floor's (goal <= 1.2) and pd-map's rate over parallel's (goal
# >= 5).  GNU parallel gets the first EX_PAR_N records only (2,000): it
# starts about 45 a second on a slow 2-CPU machine, and 20,000 would pass
# the bench's time limit per run.  Rates are records over seconds either way.  Every run's output is checked: its sorted cksum against the
# records' own (echo prints the record), and pd-map's in input order.

if [ "$MODE" = smoke ]; then
	EX_N=20 EX_PAR_N=20 EX_REPS=1
else
	EX_N=20000 EX_PAR_N=2000 EX_REPS=3
fi

FLOOR=$B/bench/spawnfloor
if [ ! -x "$FLOOR" ] || [ tests/bench/spawnfloor.c -nt "$FLOOR" ]; then
	mkdir -p "$B/bench"
	${CC:-cc} -std=c11 -D_GNU_SOURCE -O2 -Wall -Wextra -o "$FLOOR.tmp.$$" tests/bench/spawnfloor.c &&
		mv -f "$FLOOR.tmp.$$" "$FLOOR" || FLOOR=
fi


section 9 "Commands: /bin/echo per record, 2 slots" \
	"input: $EX_N lines 'record I' ($EX_PAR_N for GNU parallel); each tool runs /bin/echo RECORD per line, 2 at a time" \
	"figure: records / median wall time of $EX_REPS run(s); every output checked (cksum vs the input)"

# ex_case KEY LABEL SORTED CMD...: measure, a row, the rate kept as a
# figure; on the first ${EX_CASE_N:-$EX_N} records.
ex_case() {
	local key=$1 label=$2 sorted=$3 n=${EX_CASE_N:-$EX_N} r want
	shift 3
	seq 1 "$n" | sed 's/^/record /' >"$T/ex.in"
	if [ "$sorted" = 1 ]; then
		want=$(sort "$T/ex.in" | cksum)
	else
		want=$(cksum <"$T/ex.in")
	fi
	if measure "$EX_REPS" "$T/ex.in" "$want" "$sorted" "$@"; then
		r=$(calc %.0f "$n / $M_MED")
		fig_set "ex_$key" "$r"
		fig_set "ex_t_$key" "$M_MED"
		row exec "$label" records_per_s "$r" rec/s "" ok \
			"$*; N=$n; reps=$EX_REPS; median_s=$M_MED; best_s=$M_BEST; all_s=$M_ALL"
	else
		row exec "$label" records_per_s "$M_ERR" rec/s "" FAILED "$*"
	fi
}

mkdir -p "$T/home-ex"
PD_HOME=$T/home-ex ex_case pdmap "pd-map -c 2 /bin/echo (embedded)" 0 "$BIN/pd-map" -c 2 /bin/echo
if [ -n "$FLOOR" ]; then
	ex_case floor "posix_spawn floor (spawnfloor.c, 2 at a time)" 1 "$FLOOR" 2 /bin/echo
else
	row exec "posix_spawn floor (spawnfloor.c, 2 at a time)" records_per_s "cannot build spawnfloor.c" rec/s "" FAILED ""
fi
ex_case xargs "xargs -P2 -n1 /bin/echo" 1 xargs -P2 -d '\n' -n1 /bin/echo
if command -v parallel >/dev/null 2>&1 && parallel --version 2>/dev/null | grep -q 'GNU parallel'; then
	EX_CASE_N=$EX_PAR_N ex_case par "GNU parallel -j2 /bin/echo ($EX_PAR_N records)" 1 parallel --will-cite -j2 /bin/echo
else
	row exec "GNU parallel -j2 /bin/echo ($EX_PAR_N records)" records_per_s "GNU parallel not installed (apt-get install parallel)" \
		rec/s "" skipped ""
fi
ratio_row exec "time pd-map / time floor" ex_t_pdmap ex_t_floor 1 %.2f x "<=1.2" \
	"median wall time of pd-map over the floor's, this run"
ratio_row exec "rate pd-map / rate GNU parallel" ex_pdmap ex_par 1 %.1f x ">=5" \
	"records per second of pd-map over parallel's, this run"
ratio_row exec "rate pd-map / rate xargs -P2" ex_pdmap ex_xargs 1 %.2f x "" \
	"records per second of pd-map over xargs', this run"
rm -f "$T/ex.in" "$T/out"
