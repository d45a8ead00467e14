# scan.awk - judge the memcheck logs of a `make valgrind-check` run.
#
# Input: files named vg.TAG.PID.log (valgrind --log-file=vg.%q{PD_SERVE_TAG}.%p.log),
# one per process: each server the test helpers started (one TAG each) and
# each child it forked (workers, task nodes, probes: same TAG, another PID;
# exec'd programs are not traced).
#
# A server (a process whose parent is not a process of its TAG) fails on
# any memcheck error, any leak definitely or indirectly lost, or a fatal
# signal.  A forked child fails on a memory error in pd-serve's code; its
# leaks are not counted (it leaves by _exit holding a copy of the server's
# heap, which it never owned, and task nodes leave with their tube thread
# still running), nor errors whose stack passes through a job (a .so
# outside the system directories: test jobs fault on purpose).
# Prints a summary and the failing logs; exit status 1 when any fails.

function flush_block() {
	if (blk == "")
		return
	if (blk ~ /are (definitely|indirectly) lost in loss record/ && !(F in first_err))
		first_err[F] = blk
	if (blk ~ /^(Invalid |Mismatched |Conditional jump|Use of uninitialised|Syscall param|Source and destination overlap|Argument '[a-z]*' of function|Fishy value)/ || blk ~ /uninitialised/ && blk !~ /lost in loss record/) {
		if (in_job(blk))
			jobcode[F]++
		else {
			memerr[F]++
			if (!(F in first_err))
				first_err[F] = blk
		}
	}
	blk = ""
}

# 1 when a frame of report b is in a job: a shared object outside the
# system directories, or a job's source file.
function in_job(b,   n, i, fr, path) {
	n = split(b, fr, "\n")
	for (i = 1; i <= n; i++) {
		if (fr[i] ~ /\/share\/examples\/|\/tests\/jobs\//)
			return 1
		if (fr[i] !~ /\(in \/.*\.so[.0-9]*\)$/)
			continue
		path = fr[i]
		sub(/^.*\(in /, "", path)
		if (path !~ /^\/(usr|lib|lib32|lib64)\//)
			return 1
	}
	return 0
}

function bytes(s) {
	sub(/^.*lost: /, "", s)
	sub(/ bytes.*$/, "", s)
	gsub(/,/, "", s)
	return s + 0
}

BEGIN { fails = 0 }

FNR == 1 {
	flush_block()
	F = FILENAME
	name = F
	sub(/^.*\//, "", name)
	sub(/^vg\./, "", name)
	sub(/\.log$/, "", name)
	pid[F] = name
	sub(/^.*\./, "", pid[F])
	tag[F] = substr(name, 1, length(name) - length(pid[F]) - 1)
	files[++nf] = F
}

{
	line = $0
	if (line !~ /^==[0-9]+== /)
		next
	sub(/^==[0-9]+== /, "", line)
	if (line ~ /^ *$/) {
		flush_block()
		next
	}
	if (blk == "")
		blk = line
	else
		blk = blk "\n" line
}

/== Parent PID: / { ppid[F] = $NF }
/== ERROR SUMMARY: / { done[F] = 1; nerr[F] = $4 + 0 }
/==    definitely lost: / { deflost[F] = bytes($0) }
/==    indirectly lost: / { indlost[F] = bytes($0) }
/== Process terminating with default action of signal / { sig[F] = $9 }

END {
	flush_block()
	for (i = 1; i <= nf; i++)
		ofkind[tag[files[i]] SUBSEP pid[files[i]]] = 1
	for (i = 1; i <= nf; i++) {
		F = files[i]
		server = !((tag[F] SUBSEP ppid[F]) in ofkind)
		bad = ""
		if (!done[F]) {
			# No summary: killed by SIGKILL (a test's, or a stop that
			# timed out) before valgrind could check anything.
			if (server) { nkilled++; killed_list = killed_list " " F }
			else ckilled++
			continue
		}
		if (server) {
			nserv++
			serr += nerr[F]
			sdef += deflost[F]
			sind += indlost[F]
			if (nerr[F] || deflost[F] || indlost[F])
				bad = nerr[F] " errors (leaks included), definitely lost " deflost[F] \
				    " bytes, indirectly lost " indlost[F] " bytes"
			if (F in sig)
				bad = bad (bad ? "; " : "") "killed by signal " sig[F]
		} else {
			nchild++
			cerr += memerr[F]
			cjob += jobcode[F]
			cdef += deflost[F]
			if (memerr[F])
				bad = memerr[F] " memory errors in pd-serve's code"
		}
		if (bad != "") {
			fails++
			printf "valgrind-check: FAIL %s (%s): %s\n", F, server ? "server" : "forked child", bad
			# The first report of the first few failing logs.
			if (fails <= 3 && (F in first_err))
				printf "%s\n", first_err[F]
		}
	}
	printf "valgrind-check: %d pd-serve processes checked: %d servers, %d forked children (workers, task nodes, probes)\n", \
	    nserv + nchild, nserv, nchild
	printf "valgrind-check: servers: %d errors, definitely lost %d bytes, indirectly lost %d bytes\n", serr, sdef, sind
	printf "valgrind-check: forked children: %d memory errors in pd-serve's code; not counted: %d errors in job code (jobs that fault on purpose), %d bytes \"definitely lost\" (copies of the server's heap, or a running thread's buffers, left by _exit)\n", \
	    cerr, cjob, cdef
	if (nkilled + ckilled)
		printf "valgrind-check: not checked (killed by SIGKILL before exiting): %d servers, %d forked children%s\n", \
		    nkilled, ckilled, nkilled ? "; servers:" killed_list : ""
	if (nserv == 0) {
		print "valgrind-check: FAIL no server was checked: no finished server log"
		fails++
	}
	exit fails ? 1 : 0
}
