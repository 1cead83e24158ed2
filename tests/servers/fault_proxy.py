#!/usr/bin/env python3
"""A loopback proxy in front of moto that injects faults.

Usage: fault_proxy.py PORTFILE UPSTREAM_URL

Requests are passed to UPSTREAM_URL unchanged (the Host header too, so the
signature the client made still checks out upstream), except those matched
by a rule. Rules are set with POST /__fault/rules, a JSON list of
  {"match": "POST /2018-10-31/layers",   method and a prefix of "PATH ACTION" ("*" any method;
                                         ACTION is "Action=CreateRole" for query APIs, else "")
   "region": "us-east-1",                 optional: only requests signed for it
   "times": 2,                            how many matching requests it takes (then passes them)
   "status": 429, "body": "{...}",        the answer to give instead, or
   "headers": {"x-amzn-ErrorType": ...},
   "drop": true,                          close the connection without an answer
   "after": true,                         forward first, then fault (the call was made upstream)
   "delay": 3,                            wait this many seconds first (alone: then pass it on)
   "rate": [5, 0.1]}                      a rate limit: the rule takes only the matching requests
                                         that come when 5 others came in the last 0.1 s (AWS's
                                         throttling; those it passes count, those it takes do not)
GET /__fault/hits answers the number of requests the rules took since they
were set.
"""
import http.client
import json
import sys
import threading
import time
import urllib.parse

from loopback import Handler, serve

portfile, upstream = sys.argv[1], urllib.parse.urlsplit(sys.argv[2])
lock = threading.Lock()
rules = []
hits = 0


def take_rule(method, path, authz):
    global hits
    with lock:
        for r in rules:
            m, _, prefix = r["match"].partition(" ")
            if m not in ("*", method) or not path.startswith(prefix):
                continue
            if r.get("region") and f"/{r['region']}/" not in authz:
                continue
            if r["times"] <= 0:
                continue
            if r.get("rate"):
                now, (limit, window) = time.monotonic(), r["rate"]
                seen = r.setdefault("_seen", [])
                while seen and seen[0] < now - window:
                    seen.pop(0)
                if len(seen) < limit:
                    seen.append(now)
                    continue
            r["times"] -= 1
            hits += 1
            return {k: v for k, v in r.items() if k != "_seen"}
    return None


class Proxy(Handler):
    def handle_any(self):
        global rules, hits
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        if self.path == "/__fault/rules":
            with lock:
                rules = json.loads(body or b"[]")
                hits = 0
            return self.answer(200, b"{}", {})
        if self.path == "/__fault/hits":
            return self.answer(200, str(hits).encode(), {})
        rule = take_rule(self.command, self.path + " " + self.action(body), self.headers.get("Authorization", ""))
        if rule and rule.get("delay"):
            time.sleep(rule["delay"])
            if not rule.get("status") and not rule.get("drop"):
                rule = None
        if rule and not rule.get("after"):
            return self.drop() if rule.get("drop") else self.fault(rule)
        status, headers, data = self.forward(body)
        if rule:
            return self.drop() if rule.get("drop") else self.fault(rule)
        self.answer(status, data, headers)

    def action(self, body):
        """The query API's Action (IAM, STS), so rules can match "POST / Action=CreateRole"."""
        form = urllib.parse.parse_qs(body.decode("latin-1")) if self.command == "POST" else {}
        return "Action=" + form["Action"][0] if "Action" in form else ""

    def drop(self):
        self.close_connection = True
        self.connection.shutdown(2)

    def forward(self, body):
        conn = http.client.HTTPConnection(upstream.hostname, upstream.port, timeout=60)
        headers = {k: v for k, v in self.headers.items()}
        conn.request(self.command, self.path, body=body, headers=headers)
        resp = conn.getresponse()
        data = resp.read()
        out = {k: v for k, v in resp.getheaders()
               if k.lower() not in ("content-length", "transfer-encoding", "connection")}
        conn.close()
        return resp.status, out, data

    def fault(self, rule):
        body = rule.get("body", "").encode()
        headers = dict(rule.get("headers", {}))
        headers.setdefault("Content-Type", "application/json")
        self.answer(rule.get("status", 500), body, headers)

    def answer(self, status, data, headers):
        self.send_response(status)
        for k, v in headers.items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = handle_any


serve(Proxy, portfile)
