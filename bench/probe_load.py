"""A realistic socket load for bench/probe.sh: N processes, each holding one TCP listener on
its own loopback port plus about 19 other sockets (established connections to itself and a
bound UDP socket), so the socket tables and /proc/*/fd look like a busy developer machine.

Usage: python3 probe_load.py BASE_PORT N
Prints "ready" once every child holds its sockets, then waits; SIGTERM to it (or to its
process group) ends every child. Children are forked after import so 300 of them cost little memory.
"""

import os
import signal
import socket
import sys

base, n = int(sys.argv[1]), int(sys.argv[2])
CONNS = 9  # 1 listener + 9 client ends + 9 accepted ends + 1 UDP = 20 sockets


def child(port, ready_w):
    lst = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    lst.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    lst.bind(("127.0.0.1", port))
    lst.listen(64)
    held = [lst]
    for _ in range(CONNS):
        c = socket.create_connection(("127.0.0.1", port))
        a, _ = lst.accept()
        held += [c, a]
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    u.bind(("127.0.0.1", 0))
    held.append(u)
    os.write(ready_w, b"x")
    os.close(ready_w)
    signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
    while True:
        signal.pause()


def main():
    os.setpgrp()
    r, w = os.pipe()
    kids = []
    for i in range(n):
        pid = os.fork()
        if pid == 0:
            os.close(r)
            try:
                child(base + i, w)
            finally:
                os._exit(1)
        kids.append(pid)
    os.close(w)
    got = 0
    while got < n:
        chunk = os.read(r, n)
        if not chunk:
            sys.exit(f"only {got} of {n} load processes came up")
        got += len(chunk)

    def stop(*_):
        for k in kids:
            try:
                os.kill(k, signal.SIGTERM)
            except ProcessLookupError:
                pass
        for k in kids:
            try:
                os.waitpid(k, 0)
            except ChildProcessError:
                pass
        os._exit(0)

    signal.signal(signal.SIGTERM, stop)
    print("ready", flush=True)
    while True:
        signal.pause()


main()
