#!/usr/bin/env python3
"""The baseline for bench/local.sh: Lambda's Invoke API and a Runtime API in
Python, as the tests' emulator (tests/servers) serves them, joined by a
queue: an invoke waits for the runtime to answer its event.

  py_emulator.py PORTFILE

Writes "INVOKE_PORT RUNTIME_PORT" to PORTFILE."""
import os, queue, sys, threading, time, uuid
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "servers"))
import loopback
from http.server import ThreadingHTTPServer

events = queue.Queue()
waiting = {}


class Runtime(loopback.Handler):
    def reply(self, status, body, headers=()):
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        rid, body = events.get()
        self.reply(200, body, [("Lambda-Runtime-Aws-Request-Id", rid),
                               ("Lambda-Runtime-Deadline-Ms", str(int(time.time() * 1000) + 30000)),
                               ("Lambda-Runtime-Invoked-Function-Arn", "arn:aws:lambda:us-east-1:000000000000:function:f")])

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        rid = self.path.split("/")[4]
        slot = waiting.pop(rid)
        slot[1] = body
        slot[0].set()
        self.reply(202, b'{"status":"OK"}')


class Invoke(Runtime):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        rid = str(uuid.uuid4())
        slot = [threading.Event(), None]
        waiting[rid] = slot
        events.put((rid, body))
        slot[0].wait()
        self.reply(200, slot[1], [("X-Amz-Executed-Version", "$LATEST")])


servers = [ThreadingHTTPServer(("127.0.0.1", 0), h) for h in (Invoke, Runtime)]
for s in servers:
    s.daemon_threads = True
    threading.Thread(target=s.serve_forever, daemon=True).start()
with open(sys.argv[1] + ".tmp", "w") as f:
    f.write("%d %d" % (servers[0].server_address[1], servers[1].server_address[1]))
os.rename(sys.argv[1] + ".tmp", sys.argv[1])
threading.Event().wait()
