#!/usr/bin/python3
"""attack.py - an attacker without the cluster key, for tests/attack.bats.

  attack.py squat SOCK LOG       listen on the Unix socket SOCK as whoever
                                 runs this (another uid), append to LOG one
                                 line "conn N bytes" per connection, answer
                                 each hello with an error frame whose text
                                 carries terminal escape sequences
  attack.py fakeserver PORTFILE LOG  the same on TCP 127.0.0.1 port 0
  attack.py send HOST PORT HEX   connect, send the bytes HEX, read until
                                 the peer closes (at most 5 s), exit
  attack.py unix-hello SOCK       send a hello on a Unix socket without
                                 checking who listens (an old or foreign
                                 client) and print the reply's op and error
  attack.py tubewatch ADDR MODE LOG  watch /proc/net/tcp* of this network
                                 namespace; connect to ADDR:PORT of each
                                 listening port that was not there at the
                                 start (a task node's tube listener) and
                                 junk: send junk, close: close at once,
                                 slow: send a byte every 0.5 s for 45 s;
                                 append "loopback PORT open|refused" (was
                                 it open on 127.0.0.1 too) and "connected
                                 PORT MODE" to LOG
  attack.py hello-op HOST PORT OP  send one plain frame whose op is OP
                                 (with \\n and \\e escapes decoded)

Frames: "PD", version 1, flags, u32 JSON length, u64 blob length (big
endian), then the JSON (playdoh-protocol(7)).
"""
import json
import os
import socket
import struct
import sys

ESC_TEXT = "\x1b]0;pwned\x07\x1b[2J\x1b[31mforged: all records done\x1b[0m"


def frame(obj):
    body = json.dumps(obj).encode()
    return b"PD" + bytes([1, 0]) + struct.pack(">IQ", len(body), 0) + body


def drain(conn, limit_s=3.0):
    """Read until EOF or limit_s of silence; the byte count."""
    conn.settimeout(limit_s)
    n = 0
    try:
        while True:
            b = conn.recv(65536)
            if not b:
                break
            n += len(b)
            if n >= 16:
                # Something arrived: answer it once with the forged text.
                try:
                    conn.sendall(frame({"op": "error", "error": ESC_TEXT, "code": 1}))
                except OSError:
                    pass
    except (socket.timeout, OSError):
        pass
    return n


def serve(sock, log):
    while True:
        conn, _ = sock.accept()
        n = drain(conn)
        conn.close()
        with open(log, "a") as f:
            f.write("conn %d bytes\n" % n)


def squat(path, log):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.bind(path)
    os.chmod(path, 0o777)
    s.listen(16)
    with open(log, "a") as f:
        f.write("listening\n")
    serve(s, log)


def fakeserver(portfile, log):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind(("127.0.0.1", 0))
    s.listen(16)
    with open(portfile + ".tmp", "w") as f:
        f.write("%d\n" % s.getsockname()[1])
    os.rename(portfile + ".tmp", portfile)
    serve(s, log)


def send(host, port, data):
    c = socket.create_connection((host, int(port)), timeout=5)
    c.sendall(data)
    c.settimeout(5)
    try:
        while c.recv(65536):
            pass
    except (socket.timeout, OSError):
        pass
    c.close()


def read_frame(c):
    """One plain frame from c: its JSON object (None on EOF)."""
    buf = b""
    while len(buf) < 16:
        b = c.recv(16 - len(buf))
        if not b:
            return None
        buf += b
    jl, bl = struct.unpack(">IQ", buf[4:16])
    body = b""
    while len(body) < jl + bl:
        b = c.recv(jl + bl - len(body))
        if not b:
            return None
        body += b
    return json.loads(body[:jl])


def unix_hello(path):
    c = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    c.settimeout(10)
    c.connect(path)
    c.sendall(frame({"op": "hello", "proto": 1, "client": "attack.py"}))
    m = read_frame(c)
    print("no reply" if m is None else "%s: %s" % (m.get("op"), m.get("error", "")))


def listening():
    """The TCP ports in state LISTEN in this network namespace."""
    ports = set()
    for name in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(name) as f:
                next(f)
                for line in f:
                    fields = line.split()
                    if fields[3] == "0A":
                        ports.add(int(fields[1].rsplit(":", 1)[1], 16))
        except OSError:
            pass
    return ports


def tubewatch(addr, mode, log):
    import threading
    import time
    seen = listening()
    with open(log, "a") as f:
        f.write("watching\n")

    def hit(port):
        # Is the port open on loopback too (a listener on every address)?
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            lo = "open"
        except OSError:
            lo = "refused"
        with open(log, "a") as f:
            f.write("loopback %d %s\n" % (port, lo))
        try:
            c = socket.create_connection((addr, port), timeout=5)
        except OSError as e:
            with open(log, "a") as f:
                f.write("connect %d failed: %s\n" % (port, e))
            return
        with open(log, "a") as f:
            f.write("connected %d %s\n" % (port, mode))
        try:
            if mode == "junk":
                c.sendall(b"GET / HTTP/1.0\r\n\r\n")
                time.sleep(1)
            elif mode == "slow":
                for b in frame({"op": "hello", "nonce": "00" * 90})[:90]:
                    c.sendall(bytes([b]))
                    time.sleep(0.5)
                with open(log, "a") as f:
                    f.write("slow-end %d\n" % port)
        except OSError:
            pass
        c.close()

    while True:
        now = listening()
        for port in sorted(now - seen):
            threading.Thread(target=hit, args=(port,), daemon=True).start()
        seen |= now
        time.sleep(0.002)


def main(a):
    if a[:1] == ["squat"] and len(a) == 3:
        squat(a[1], a[2])
    elif a[:1] == ["fakeserver"] and len(a) == 3:
        fakeserver(a[1], a[2])
    elif a[:1] == ["send"] and len(a) == 4:
        send(a[1], a[2], bytes.fromhex(a[3]))
    elif a[:1] == ["unix-hello"] and len(a) == 2:
        unix_hello(a[1])
    elif a[:1] == ["tubewatch"] and len(a) == 4:
        tubewatch(a[1], a[2], a[3])
    elif a[:1] == ["hello-op"] and len(a) == 4:
        op = a[3].replace("\\n", "\n").replace("\\e", "\x1b")
        send(a[1], a[2], frame({"op": op, "proto": 1}))
    else:
        sys.stderr.write(__doc__)
        return 64
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
