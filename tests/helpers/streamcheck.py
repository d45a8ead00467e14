#!/usr/bin/env python3
"""streamcheck.py - the independent side of tests/streams.bats.

It computes, from the input bytes alone, what pd-map running
tests/jobs/echo.c must print, and checks what it did print:

  streamcheck.py expect SEP IN          expected stdout of a plain run
  streamcheck.py tag SEP IN             expected stdout of a --tag run
  streamcheck.py json SEP IN OUT        check a --json run's output
  streamcheck.py joblog SEP IN LOG      check a joblog: every line parses,
                                        each ok entry's output is right,
                                        no record logged twice
  streamcheck.py records SEP IN         number of records
  streamcheck.py failures SEP IN        records that fail in plain output
  streamcheck.py oks SEP IN             records the job runs (logged ok)
  streamcheck.py awkward SEP IN         fail unless IN holds long lines,
                                        CRs, bad UTF-8, NULs or newlines
  streamcheck.py unordered SEP IN OUT   OUT holds the expected results in
                                        any order, each exactly once
  streamcheck.py jsonu SEP IN OUT       as json, objects in any order
  streamcheck.py gen SEP SEED N         write N torture records: random
                                        bytes, NULs (newline mode), CRs,
                                        tabs, invalid UTF-8, long lines,
                                        results with newlines and NULs

SEP is "nl" (records end in a newline) or "nul" (-0).  The echo job's
result is the record, except that a record starting with '!' asks for
the rest with '|' turned into a newline and '~' into a NUL.  A record
fails (and has no result on stdout) when it holds a NUL in newline mode
or when its result holds the output separator.  Bytes that are not
UTF-8 appear in JSON as lone surrogates U+DC80..U+DCFF (Python's
"surrogateescape"), so decoding with that error handler gives them back.
"""
import json
import sys


def records(sep, data):
    s = b"\n" if sep == "nl" else b"\0"
    if not data:
        return []
    parts = data.split(s)
    if parts[-1] == b"":
        parts.pop()
    return parts


def result(rec):
    if rec[:1] != b"!":
        return rec
    return rec[1:].replace(b"|", b"\n").replace(b"~", b"\0")


def fails(sep, rec):
    """Why the record fails in plain/--tag output, or None."""
    if sep == "nl" and b"\0" in rec:
        return "nul in record"
    if (b"\n" if sep == "nl" else b"\0") in result(rec):
        return "separator in result"
    return None


def gen(sep, seed, n):
    import random
    rnd = random.Random(seed)
    bad = b"\n" if sep == "nl" else b"\0"
    out = []
    for i in range(n):
        k = 4 if i % 100 == 7 else rnd.randrange(12)
        if k == 0:
            r = bytes(rnd.randrange(256) for _ in range(rnd.randrange(200)))
        elif k == 1:
            r = b"caf\xe9 \xff\xfe half\xf0\x9f\x98 ok \xe2\x82\xac"
        elif k == 2:
            r = b"cr\r" if rnd.randrange(2) else b"\rmid\rdle\r"
        elif k == 3:
            r = b"!" + bytes(rnd.choice(b"ab|~\t\r\xc3") for _ in range(rnd.randrange(1, 40)))
        elif k == 4 and i % 100 == 7:
            r = bytes(rnd.choice(b"xyz\x80") for _ in range(rnd.randrange(100000, 1500000)))
        elif k == 5:
            r = b"tab\there\t\"q\" \\ {json?} \x7f\x01\x1b[31m"
        elif k == 6:
            r = b"with\0nul" if sep == "nl" else b"multi\nline\nrecord"
        elif k == 7:
            r = b""
        else:
            r = ("r%d \u00e9\u4e2d\U0001f600" % i).encode()
        out.append(r.replace(bad, b"_") if k != 6 else r)
    sys.stdout.buffer.write(b"".join(r + (b"\n" if sep == "nl" else b"\0") for r in out))


def unjson(s):
    return s.encode("utf-8", "surrogateescape")


def die(msg):
    sys.stderr.write("streamcheck: " + msg + "\n")
    sys.exit(1)


def main():
    mode, sep, inp = sys.argv[1], sys.argv[2], sys.argv[3]
    if mode == "gen":
        gen(sep, int(inp), int(sys.argv[4]))
        return
    recs = records(sep, open(inp, "rb").read())
    term = b"\n" if sep == "nl" else b"\0"
    out = sys.stdout.buffer
    if mode == "records":
        print(len(recs))
    elif mode == "failures":
        print(sum(1 for r in recs if fails(sep, r)))
    elif mode == "oks":
        print(sum(1 for r in recs if not (sep == "nl" and b"\0" in r)))
    elif mode == "awkward":
        # the input holds what a torture input must
        assert max(len(r) for r in recs) > 100000, "no long record"
        assert any(b"\r" in r for r in recs), "no CR"
        assert any(b"\0" in r if sep == "nl" else b"\n" in r for r in recs), "no NUL / newline"
        bad = 0
        for r in recs:
            try:
                r.decode("utf-8")
            except UnicodeDecodeError:
                bad += 1
        assert bad > 0, "no invalid UTF-8"
        assert any(b"\n" in result(r) for r in recs) and any(b"\0" in result(r) for r in recs)
    elif mode in ("expect", "tag"):
        for r in recs:
            if fails(sep, r):
                continue
            out.write((r + b"\t" if mode == "tag" else b"") + result(r) + term)
    elif mode == "unordered":
        got = open(sys.argv[4], "rb").read()
        if got and not got.endswith(term):
            die("last result has no terminator")
        got = sorted(got.split(term)[:-1]) if got else []
        want = sorted(result(r) for r in recs if not fails(sep, r))
        if got != want:
            die("%d results, %d expected, or not the same ones" % (len(got), len(want)))
    elif mode in ("json", "jsonu"):
        lines = open(sys.argv[4], "rb").read().split(b"\n")
        if lines[-1] != b"":
            die("last --json line has no newline")
        lines.pop()
        if mode == "jsonu":
            try:
                lines.sort(key=lambda l: json.loads(l.decode("utf-8"))["line"])
            except Exception as e:
                die("a line does not parse: %s" % e)
        if len(lines) != len(recs):
            die("%d JSON lines for %d records" % (len(lines), len(recs)))
        for i, (ln, r) in enumerate(zip(lines, recs), 1):
            try:
                o = json.loads(ln.decode("utf-8"))
            except Exception as e:
                die("line %d does not parse (%s): %r" % (i, e, ln[:80]))
            if o.get("line") != i or unjson(o["input"]) != r:
                die("line %d: wrong line number or input: %r" % (i, ln[:80]))
            bad = sep == "nl" and b"\0" in r
            if bad:
                if o.get("status") != "error":
                    die("line %d: a record with a NUL did not fail" % i)
            elif unjson(o.get("output", "")) != result(r) or "status" in o:
                die("line %d: wrong output %r" % (i, ln[:80]))
    elif mode == "joblog":
        seen = set()
        for i, ln in enumerate(open(sys.argv[4], "rb").read().split(b"\n")[:-1], 1):
            try:
                o = json.loads(ln.decode("utf-8"))
            except Exception as e:
                die("joblog line %d does not parse (%s): %r" % (i, e, ln[:80]))
            n = o["line"]
            if o["status"] != "ok":
                continue
            if n in seen:
                die("record %d logged ok twice" % n)
            seen.add(n)
            if unjson(o["output"]) != result(recs[n - 1]):
                die("joblog line %d: wrong output for record %d" % (i, n))
        print(len(seen))
    else:
        die("unknown mode " + mode)


main()
