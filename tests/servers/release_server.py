#!/usr/bin/env python3
"""A loopback mirror of the Babashka releases, for the fetch tests.

  release_server.py PORTFILE DIR [--mode ok|error|truncate|notfound|slow|endless] [--log FILE]

Serves the files under DIR (laid out as v{V}/babashka-{V}-linux-{arch}-static.tar.gz
and its .sha256). --mode error answers 500 to everything, truncate sends half
of each file under its full Content-Length, notfound answers 404, slow sends tarballs 4 KB every 50 ms, endless sends
tarballs without a length and never stops (until the client hangs up). --log
appends "GET PATH" per request.
"""
import os, sys
import loopback

portfile, root = sys.argv[1], os.path.abspath(sys.argv[2])
args = sys.argv[3:]
mode, log = "ok", None
while args:
    k, v = args.pop(0), args.pop(0)
    if k == "--mode":
        mode = v
    elif k == "--log":
        log = v


class Handler(loopback.Handler):
    def do_GET(self):
        if log:
            with open(log, "a") as f:
                f.write(f"GET {self.path}\n")
        path = os.path.normpath(os.path.join(root, self.path.lstrip("/")))
        if mode == "error":
            return self.plain(500, b"internal error")
        if mode == "notfound" or not path.startswith(root) or not os.path.isfile(path):
            return self.plain(404, b"not found")
        data = open(path, "rb").read()
        if mode == "endless" and self.path.endswith(".tar.gz"):
            self.send_response(200)
            self.send_header("Connection", "close")
            self.end_headers()
            self.close_connection = True
            chunk = os.urandom(65536)
            try:
                while True:
                    self.wfile.write(chunk)
            except OSError:
                return
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if mode == "slow" and self.path.endswith(".tar.gz"):
            import time
            for i in range(0, len(data), 4096):
                self.wfile.write(data[i:i + 4096])
                self.wfile.flush()
                time.sleep(0.05)
            return
        if mode == "truncate" and self.path.endswith(".tar.gz"):
            self.wfile.write(data[: len(data) // 2])
            self.wfile.flush()
            self.close_connection = True
            return
        self.wfile.write(data)

    def plain(self, status, body):
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


loopback.serve(Handler, portfile)
