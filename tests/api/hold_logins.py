#!/usr/bin/env python3
"""Hold wrong-password logins in iiotd's password-check queue (login_flood.t).

hold_logins.py PORT SOURCE_ADDR N MODE IIOTCTL SOCKET

Opens N + 1 TLS connections from SOURCE_ADDR and sends a login on each, so
the last one waits behind N others.  Once iiotd has taken all of them:
  rst   resets the last connection (close with SO_LINGER 0),
  fin   half-closes it (shutdown SHUT_WR),
  keep  leaves it;
then prints what happened, one "key value" per line, and the status line of
every reply ("closed" when the server closed without one).
"""
import json
import socket
import ssl
import struct
import subprocess
import sys
import time

port, src, n, mode, ctl, sock_path = sys.argv[1], sys.argv[2], int(sys.argv[3]), \
    sys.argv[4], sys.argv[5], sys.argv[6]
body = b'{"username":"ghost","password":"not the password"}'
request = (b"POST /api/v1/login HTTP/1.1\r\nHost: localhost\r\n"
           b"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n" % len(body) + body)


def api():
    out = subprocess.run([ctl, "stats", "-s", sock_path, "--json"], capture_output=True, check=True)
    return json.loads(out.stdout)["api"]


def wait(pred, secs=10):
    end = time.time() + secs
    while time.time() < end:
        a = api()
        if pred(a):
            return a
        time.sleep(0.005)
    return None


ctx = ssl.create_default_context()
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE
conns = [ctx.wrap_socket(socket.create_connection(("127.0.0.1", int(port)), source_address=(src, 0)))
         for _ in range(n + 1)]
before = api()
for c in conns:
    c.sendall(request)
taken = wait(lambda a: a["hash_jobs"] >= before["hash_jobs"] + n + 1)
print("taken", "yes" if taken else "no")
last = conns[-1]
if mode == "rst":
    last.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    last.close()
elif mode == "fin":
    last.shutdown(socket.SHUT_WR)
if mode != "keep":
    after = wait(lambda a: a["hash_cancelled"] > before["hash_cancelled"], 5)
    print("cancelled", "yes" if after else "no")
    # the others still waited: the one that left was cancelled in the queue
    print("others_waiting", after["held"] if after else -1)
sys.stdout.flush()


def reply(c):
    """The status line, or "closed" when the server closed without a reply."""
    c.settimeout(30)
    try:
        return c.recv(200).split(b"\r\n")[0].decode() or "closed"
    except (ConnectionError, ssl.SSLError):
        return "closed"
    except OSError:
        return "timeout"


def closed_raw(c):
    """After shutdown() the TLS layer is gone: only the server's close is seen."""
    c.settimeout(5)
    try:
        while c.recv(4096):
            pass
    except ConnectionError:
        pass
    except OSError:
        return "open"
    return "closed"


for c in conns:
    if c is last and mode == "rst":
        continue
    print("reply", closed_raw(c) if c is last and mode == "fin" else reply(c))
