#!/usr/bin/env python3
"""A hostile stand-in for bb: instead of running the handler it attacks the
Runtime API that `blambda local` serves (the address bootstrap hands on in
AWS_LAMBDA_RUNTIME_API), records each answer's status in $HOSTILE_OUT as
JSON, and exits 7. blambda must answer each one sanely, not crash, and
report the invocation as failed."""
import json, os, socket, sys

host, port = os.environ["AWS_LAMBDA_RUNTIME_API"].split(":")
results = {}


def raw(name, data, read=True):
    try:
        s = socket.create_connection((host, int(port)), timeout=5)
        s.sendall(data)
        if not read:
            return s
        answer = b""
        while b"\r\n" not in answer:
            chunk = s.recv(4096)
            if not chunk:
                break
            answer += chunk
        s.close()
        results[name] = int(answer.split(b" ")[1]) if answer.startswith(b"HTTP/1.1 ") else "closed"
    except OSError as e:
        results[name] = "error: %s" % e


def post(name, path, body=b"", headers=()):
    head = "POST %s HTTP/1.1\r\nHost: 127.0.0.1:%s\r\nContent-Length: %d\r\n" % (path, port, len(body))
    head += "".join("%s: %s\r\n" % h for h in headers)
    raw(name, head.encode() + b"\r\n" + body)


base = "/2018-06-01/runtime"
post("wrong-id", base + "/invocation/not-an-id/response", b"{}")
post("long-id", base + "/invocation/" + "x" * 10000 + "/error", b"{}")
post("unknown-path", base + "/nothing", b"{}")
post("dot-dot", base + "/invocation/../init/error", b"{}")
raw("get-response", ("GET %s/invocation/x/response HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n" % base).encode())
raw("huge-header", ("GET %s/invocation/next HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: %s\r\n\r\n" % (base, "y" * 100000)).encode())
raw("bad-chunks", ("POST %s/init/error HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n" % base).encode())
post("from-a-web-page", base + "/init/error", b"{}", [("Origin", "http://evil.example")])
raw("rebound-host", ("POST %s/init/error HTTP/1.1\r\nHost: evil.example:%s\r\nContent-Length: 2\r\n\r\n{}" % (base, port)).encode())
post("no-such-invocation-error", base + "/invocation/00000000-0000-4000-8000-000000000000/error", b"x" * 7000000)
half = raw("half-open", b"POST " + base.encode() + b"/init/error HTTP/1.1\r\nContent-Len", read=False)
json.dump(results, open(os.environ.get("HOSTILE_OUT", "hostile.json"), "w"))
sys.exit(7)
