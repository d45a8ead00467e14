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


def unjson(s):
    return s.encode("utf-8", "surrogateescape")


def die(msg):
    sys.stderr.write("streamcheck: " + msg + "\n")
    sys.exit(1)


def main():
    mode, sep, inp = sys.argv[1], sys.argv[2], sys.argv[3]
    recs = records(sep, open(inp, "rb").read())
    term = b"\n" if sep == "nl" else b"\0"
    out = sys.stdout.buffer
    if mode == "records":
        print(len(recs))
    elif mode in ("expect", "tag"):
        for r in recs:
            if fails(sep, r):
                continue
            out.write((r + b"\t" if mode == "tag" else b"") + result(r) + term)
    elif mode == "json":
        lines = open(sys.argv[4], "rb").read().split(b"\n")
        if lines[-1] != b"":
            die("last --json line has no newline")
        lines.pop()
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
