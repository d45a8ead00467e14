#!/usr/bin/env bats
# pd-map --results DIR: every record's output, error and line number in
# files of its own under DIR/1/NAME/, named from the record as pd-map(1)
# says, checked against a tree computed independently (Python) from the
# input alone; unsafe names never lead outside DIR.

load helpers/common

setup() {
	pd_setup
}

teardown() {
	pd_teardown
}

# check_tree DIR INPUT SEP: DIR holds exactly the files pd-map(1)
# describes for the records of INPUT (separated by SEP: "nl" or "nul")
# run through square.so: stdout "n*n" and the separator for an integer
# record, empty stderr; for any other record an empty stdout and a
# non-empty stderr; seq the line number of the last record of that name.
check_tree() {
	python3 - "$@" <<'PY'
import hashlib, os, sys
root, inp, sep = sys.argv[1], sys.argv[2], sys.argv[3]
end = b"\0" if sep == "nul" else b"\n"
data = open(inp, "rb").read()
recs = data.split(end)
if recs and recs[-1] == b"":
    recs.pop()

def esc(b):
    out = b""
    for c in b:
        m = {0x5c: b"\\\\", 0x2f: b"\\_", 0x09: b"\\t", 0x0a: b"\\n", 0: b"\\0"}
        if c in m: out += m[c]
        elif c < 0x20 or c == 0x7f: out += b"\\x%02x" % c
        else: out += bytes([c])
    return out

def name(rec):
    if rec == b"": return b"\\e"
    if rec in (b".", b".."): return b"\\." * len(rec)
    if len(esc(rec)) <= 240: return esc(rec)
    # whole UTF-8 characters while the name stays within 200 bytes
    chunks, cur = [], b""
    for c in rec:
        if (c & 0xc0) != 0x80 and cur:
            chunks.append(cur); cur = b""
        cur += bytes([c])
    chunks.append(cur)
    kept = b""
    for ch in chunks:
        if len(kept) + len(esc(ch)) > 200: break
        kept += esc(ch)
    return kept + b"\\~" + hashlib.blake2b(rec, digest_size=8).hexdigest().encode()

want = {}
for i, rec in enumerate(recs, 1):
    try:
        n = int(rec)
        ok = rec.strip() == rec and len(rec) < 10
    except ValueError:
        ok = False
    want[name(rec)] = (str(n * n).encode() + end if ok else b"", not ok, b"%d\n" % i)

top = os.listdir(root.encode())
if top != [b"1"]:
    sys.exit("DIR holds %r, not just 1" % top)
got = sorted(os.listdir(os.path.join(root.encode(), b"1")))
if got != sorted(want):
    sys.exit("names: got %r\nwant %r" % (got, sorted(want)))
for nm, (out, failed, seq) in want.items():
    d = os.path.join(root.encode(), b"1", nm)
    if sorted(os.listdir(d)) != [b"seq", b"stderr", b"stdout"]:
        sys.exit("%r holds %r" % (nm, os.listdir(d)))
    rd = lambda f: open(os.path.join(d, f), "rb").read()
    if rd(b"stdout") != out or rd(b"seq") != seq or (len(rd(b"stderr")) > 0) != failed:
        sys.exit("%r: stdout %r seq %r stderr %r; want %r %r failed=%r" %
                 (nm, rd(b"stdout"), rd(b"seq"), rd(b"stderr"), out, seq, failed))
    if failed and not rd(b"stderr").endswith(b"\n"):
        sys.exit("%r: stderr without its newline" % nm)
print("checked %d names" % len(want))
PY
}

@test "--results: one directory per record, named from it, its output, error and line; stdout unchanged" {
	{
		seq 1 40
		printf '%s\n' 'a/b' '../../escape' '.' '..' '' $'x\ty' '\_z' '-7' 'x y' 7 '.hidden' $'caf\xc3\xa9'
		# 300 bytes, and 1 + 2 x 150 bytes of UTF-8: cut, with a hash
		printf 'a%.0s' $(seq 300); echo
		printf 'b'; printf '\xc3\xa9%.0s' $(seq 150); echo
		printf 'b'; printf '\xc3\xa9%.0s' $(seq 149); printf 'x\n'
	} >"$T/in"
	mkdir "$T/work"
	cd "$T/work"
	pdrun "$PD_MAP" -c 2 "$EX/square.so" <"$T/in"
	printf '%s\n' "$output" >"$T/plain"
	plain_status=$status
	pdrun "$PD_MAP" -c 2 --results res "$EX/square.so" <"$T/in"
	[ "$status" -eq "$plain_status" ]
	[ "$status" -eq 1 ]
	# standard output is what it is without --results
	[ "$(printf '%s\n' "$output")" = "$(cat "$T/plain")" ]
	check_tree res "$T/in" nl
	# nothing was written outside res: the work directory holds res only
	[ "$(ls -A "$T/work")" = res ]
	[ ! -e "$T/escape" ]
	[ ! -e /escape ]
	# a failed record's stderr file holds the message --json reports
	pdrun "$PD_MAP" --json "$EX/square.so" < <(printf 'x y\n')
	[ "$(cat 'res/1/x y/stderr')" = "$(printf '%s' "$output" | python3 -c 'import json,sys; print(json.load(sys.stdin)["error"])')" ]
}

@test "--results with -0: records holding newlines get names of their own, outputs end in NUL" {
	printf '3\0a\nb\0/\0\0012\0' >"$T/in"
	pdrun "$PD_MAP" -0 --results "$T/res" "$EX/square.so" <"$T/in"
	[ "$status" -eq 1 ]
	check_tree "$T/res" "$T/in" nul
	[ -d "$T/res/1/a\\nb" ]
	[ -d "$T/res/1/\\x012" ]
}

@test "--results: a missing DIR is made with its parents, a rerun replaces the files, --resume fills them from the log" {
	seq 1 30 >"$T/in"
	pdrun "$PD_MAP" -c 2 --results "$T/a/b/res" --joblog "$T/log" "$EX/square.so" <"$T/in"
	[ "$status" -eq 0 ]
	check_tree "$T/a/b/res" "$T/in" nl
	echo stale >"$T/a/b/res/1/5/stdout"
	rm -r "$T/a/b/res/1/6"
	pdrun "$PD_MAP" -c 2 --results "$T/a/b/res" --joblog "$T/log" --resume "$EX/square.so" <"$T/in"
	[ "$status" -eq 0 ]
	check_tree "$T/a/b/res" "$T/in" nl
}

@test "--results never follows a symbolic link out of DIR: the record's files fail, 71, the target untouched" {
	mkdir -p "$T/res/1" "$T/outside"
	ln -s "$T/outside" "$T/res/1/4"
	ln -s "$T/outside" "$T/res2"
	seq 1 5 >"$T/in"
	pdrun "$PD_MAP" -c 1 --results "$T/res" "$EX/square.so" <"$T/in"
	[ "$status" -eq 71 ]
	[[ $stderr == *"--results $T/res: write 1/4: "* ]]
	[ "$output" = "$(printf '1\n4\n9\n16\n25')" ]
	[ -z "$(ls -A "$T/outside")" ]
	# DIR itself may be a link the user made: it is where they want it
	pdrun "$PD_MAP" -c 1 --results "$T/res2" "$EX/square.so" <"$T/in"
	[ "$status" -eq 0 ]
	check_tree "$T/outside" "$T/in" nl
}

@test "--results replaces a FIFO or a hard link planted as a record's file: no hang, nothing written outside DIR" {
	mkdir -p "$T/res/1/2" "$T/res/1/3"
	mkfifo "$T/res/1/2/stdout"
	echo untouched >"$T/outside"
	ln "$T/outside" "$T/res/1/3/stdout"
	seq 1 3 >"$T/in"
	pdrun "$PD_MAP" -c 1 --results "$T/res" "$EX/square.so" <"$T/in"
	[ "$status" -eq 0 ]
	[ "$(cat "$T/outside")" = untouched ]
	[ -f "$T/res/1/2/stdout" ]
	[ ! -p "$T/res/1/2/stdout" ]
	[ "$(cat "$T/res/1/2/stdout")" = 4 ]
	[ "$(cat "$T/res/1/3/stdout")" = 9 ]
	[ "$(stat -c %h "$T/res/1/3/stdout")" -eq 1 ]
}

@test "--results: a DIR that cannot be made is 71 before any record runs; with --detach or --cancel it is 64" {
	echo x >"$T/file"
	export PD_COUNTER_FILE="$T/calls"
	pdrun "$PD_MAP" --results "$T/file/res" "$EX/counter.so" < <(seq 3)
	[ "$status" -eq 71 ]
	[[ $stderr == *"--results $T/file/res: mkdir $T/file"*": Not a directory"* ]]
	[ ! -e "$T/calls" ]
	[ -z "$output" ]
	pdrun "$PD_MAP" --detach --results "$T/res" "$EX/square.so" </dev/null
	[ "$status" -eq 64 ]
	pdrun "$PD_MAP" --cancel 1234 --results "$T/res"
	[ "$status" -eq 64 ]
}

@test "--fetch ID --results DIR: a detached run's files, as an attached run writes them" {
	pd_start_server --local --cpu 2
	{ seq 1 20; printf '%s\n' 'a/b' '..' 'x y'; } >"$T/in"
	pdrun "$PD_MAP" -c 2 --results "$T/attached" "$EX/square.so" <"$T/in"
	[ "$status" -eq 1 ]
	pdrun "$PD_MAP" --detach "$EX/square.so" <"$T/in"
	[ "$status" -eq 0 ]
	id=$output
	pdrun "$PD_MAP" --fetch "$id" --wait --results "$T/fetched"
	[ "$status" -eq 1 ]
	check_tree "$T/fetched" "$T/in" nl
	diff -r "$T/attached" "$T/fetched"
}
