#!/usr/bin/env python3
"""A minimal GDB remote protocol client for tests: connects to
127.0.0.1:PORT and performs ACTIONs in order, printing what comes back.

  send:PACKET   send PACKET, print each reply ("reply ..."), 'O' console
                output decoded ("console ..."), until a non-'O' reply
  go:PACKET     send PACKET without waiting (c, s, k)
  wait          print replies as for send, for the last go
  int           send Ctrl-C (0x03)
  sleep:SECONDS
"""
import socket
import sys
import time

sock = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=60)
pending = b""


def frame(payload):
    return b"$" + payload + b"#" + b"%02x" % (sum(payload) % 256)


def next_packet():
    global pending
    while True:
        start = pending.find(b"$")
        end = pending.find(b"#", start + 1) if start >= 0 else -1
        if start >= 0 and end >= 0 and len(pending) >= end + 3:
            body = pending[start + 1:end]
            pending = pending[end + 3:]
            sock.sendall(b"+")
            return body
        data = sock.recv(4096)
        if not data:
            raise SystemExit("connection closed")
        pending += data


def replies():
    while True:
        body = next_packet()
        if body.startswith(b"O") and body != b"OK":
            for line in bytes.fromhex(body[1:].decode()).decode().splitlines():
                print("console", line)
            continue
        print("reply", body.decode())
        return


for action in sys.argv[2:]:
    verb, _, arg = action.partition(":")
    if verb == "send":
        sock.sendall(frame(arg.encode()))
        replies()
    elif verb == "go":
        sock.sendall(frame(arg.encode()))
    elif verb == "wait":
        replies()
    elif verb == "int":
        sock.sendall(b"\x03")
    elif verb == "sleep":
        time.sleep(float(arg))
    else:
        raise SystemExit("unknown action " + action)
    sys.stdout.flush()
