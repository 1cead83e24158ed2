#!/usr/bin/env python3
"""A loopback Lambda Runtime API that behaves like AWS's Runtime Interface
Emulator, for testing bootstrap.

  runtime_api.py PORTFILE EVENTS RESULTS

Binds 127.0.0.1 on a free port and writes it to PORTFILE. EVENTS holds one
event per line, each written as a JSON string (so an event may hold any
bytes, line breaks included), handed out in order by GET .../invocation/next with the
Runtime API's headers (request id, deadline, function ARN, trace id, client
context, identity); once they are used up, /next answers 410 so that
bootstrap ends. Every response, error and init error posted is appended to
RESULTS as one JSON line: {"kind", "id", "body", "error_type"}.

As in AWS's emulator: answers are 202; a response body over 6291556 bytes
gets 413 and fails the invocation (recorded as "too-large" with the error
type Function.ResponseSizeTooLarge), which is then closed: posting again for
it gets 400, as posting twice for one invocation does; /runtime/init/error is
accepted once. RUNTIME_API_NEXT_DELAY (seconds) delays every /next after
the first.
"""
import json, os, sys, threading, time, uuid
import loopback

portfile, events_path, results_path = sys.argv[1:4]
events = [json.loads(l) for l in open(events_path).read().splitlines() if l.strip()]
lock = threading.Lock()
state = {"next": 0, "open": {}, "init_errors": 0}
LIMIT = 6291556


def record(kind, rid, body, error_type):
    with lock, open(results_path, "a") as f:
        f.write(json.dumps({"kind": kind, "id": rid, "body": body.decode("utf-8", "replace"),
                            "error_type": error_type}) + "\n")


class Handler(loopback.Handler):
    def reply(self, status, body, headers=()):
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        if self.path != "/2018-06-01/runtime/invocation/next":
            return self.reply(404, '{"errorMessage":"not found"}')
        with lock:
            i = state["next"]
            state["next"] += 1
        if i and os.environ.get("RUNTIME_API_NEXT_DELAY"):
            # time for whatever the runtime does between invocations (a bb that exits late)
            time.sleep(float(os.environ["RUNTIME_API_NEXT_DELAY"]))
        if i >= len(events):
            return self.reply(410, '{"errorMessage":"no more events"}', [("Connection", "close")])
        rid = str(uuid.uuid4())
        with lock:
            state["open"][rid] = True
        deadline = int(time.time() * 1000) + 30000
        headers = [("Lambda-Runtime-Aws-Request-Id", rid),
                   ("Lambda-Runtime-Deadline-Ms", str(deadline)),
                   ("Lambda-Runtime-Invoked-Function-Arn", "arn:aws:lambda:eu-west-1:123456789012:function:test"),
                   ("Lambda-Runtime-Trace-Id", f"Root=1-{i:08x}-000000000000000000000001;Parent=1;Sampled=0"),
                   ("Lambda-Runtime-Client-Context", '{"custom":{"k":"v"}}'),
                   ("Lambda-Runtime-Cognito-Identity", '{"cognitoIdentityId":"id-1"}')]
        self.reply(200, events[i], headers)

    def do_POST(self):
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n)
        parts = self.path.split("/")
        etype = self.headers.get("Lambda-Runtime-Function-Error-Type")
        if self.path == "/2018-06-01/runtime/init/error":
            with lock:
                state["init_errors"] += 1
                first = state["init_errors"] == 1
            record("init-error", None, body, etype)
            return self.reply(202 if first else 403, '{"status":"OK"}')
        if len(parts) == 6 and parts[3] == "invocation" and parts[5] in ("response", "error"):
            rid = parts[4]
            with lock:
                is_open = state["open"].get(rid)
            if not is_open:
                return self.reply(400, '{"errorMessage":"Invalid request ID","errorType":"InvalidRequestID"}')
            if parts[5] == "response" and len(body) > LIMIT:
                with lock:
                    state["open"].pop(rid, None)
                record("too-large", rid, b"", "Function.ResponseSizeTooLarge")
                return self.reply(413, json.dumps({
                    "errorMessage": f"Exceeded maximum allowed payload size ({LIMIT} bytes).",
                    "errorType": "RequestEntityTooLarge"}))
            with lock:
                state["open"].pop(rid, None)
            record(parts[5], rid, body, etype)
            return self.reply(202, '{"status":"OK"}')
        self.reply(404, '{"errorMessage":"not found"}')


loopback.serve(Handler, portfile)
