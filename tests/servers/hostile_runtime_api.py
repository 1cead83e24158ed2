#!/usr/bin/env python3
"""A Runtime API that answers in ways the real one may but rarely does, to
test how bootstrap copes. Raw sockets, so every byte is as written here.

  hostile_runtime_api.py PORTFILE RESULTS MODE

MODE:
  many-headers  /next answers with 40 headers before the request id and
                Content-Length
  continue      every answer is preceded by "100 Continue"
  no-content    posts are answered 204 with no body and no length
  bad-id        the first /next gives a request id with a space and '/'s, the
                second a good one
Every POST is appended to RESULTS as a JSON line {"path", "body"}; after one
good invocation /next answers 410 and closes, so bootstrap ends.
"""
import json, os, socket, sys, threading

portfile, results, mode = sys.argv[1:4]
state = {"next": 0}


def record(path, body):
    with open(results, "a") as f:
        f.write(json.dumps({"path": path, "body": body.decode("utf-8", "replace")}) + "\n")


def read_request(f):
    line = f.readline()
    if not line:
        return None
    method, path, _ = line.decode().split(" ", 2)
    headers = {}
    while True:
        h = f.readline().decode()
        if h in ("\r\n", "\n", ""):
            break
        k, _, v = h.partition(":")
        headers[k.strip().lower()] = v.strip()
    body = f.read(int(headers.get("content-length", 0)))
    return method, path, body


def answer(conn, status, headers, body=b""):
    out = b""
    if mode == "continue":
        out += b"HTTP/1.1 100 Continue\r\n\r\n"
    out += f"HTTP/1.1 {status}\r\n".encode()
    for k, v in headers:
        out += f"{k}: {v}\r\n".encode()
    out += b"\r\n" + body
    conn.sendall(out)


def serve(conn):
    f = conn.makefile("rb")
    while True:
        req = read_request(f)
        if not req:
            break
        method, path, body = req
        if method == "GET" and path.endswith("/invocation/next"):
            i = state["next"]
            state["next"] += 1
            event = b'{"name":"hostile"}'
            if mode == "bad-id" and i == 0:
                rid = "bad id/../../x"
            elif (mode == "bad-id" and i == 1) or i == 0:
                rid = "c0ffee00-0000-4000-8000-000000000001"
            else:
                answer(conn, 410, [("Content-Length", "2"), ("Connection", "close")], b"{}")
                break
            hs = [("X-Junk-%d" % k, "v" * 20) for k in range(40)] if mode == "many-headers" else []
            hs += [("Lambda-Runtime-Aws-Request-Id", rid), ("Lambda-Runtime-Deadline-Ms", "9999999999999"),
                   ("Content-Length", str(len(event)))]
            answer(conn, 200, hs, event)
        else:
            record(path, body)
            if mode == "no-content":
                answer(conn, 204, [])
            else:
                answer(conn, 202, [("Content-Length", "16")], b'{"status":"OK"}\n')
    conn.close()


s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", 0))
s.listen(8)
with open(portfile + ".tmp", "w") as pf:
    pf.write(str(s.getsockname()[1]))
os.rename(portfile + ".tmp", portfile)
while True:
    c, _ = s.accept()
    threading.Thread(target=serve, args=(c,), daemon=True).start()
