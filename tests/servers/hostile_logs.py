#!/usr/bin/env python3
"""A hostile CloudWatch Logs for blambda logs.

  hostile_logs.py PORTFILE MODE

MODE endless: every FilterLogEvents answer holds one event and the same
nextToken, for ever. MODE odd: one page of events that are not what they
should be: one without an eventId, one without a timestamp, one from the
year 33658, and one whose stream name and message carry terminal escape
sequences (C0 and C1)."""
import json, sys
import loopback

portfile, mode = sys.argv[1:3]
T = 1764000000000


class Handler(loopback.Handler):
    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if mode == "endless":
            answer = {"events": [{"eventId": "e1", "timestamp": T, "logStreamName": "s", "message": "again"}],
                      "nextToken": "same"}
        else:
            answer = {"events": [
                {"eventId": "e1", "timestamp": T, "logStreamName": "s", "message": "plain"},
                {"timestamp": T + 1, "logStreamName": "s", "message": "no id"},
                {"eventId": "e3", "logStreamName": "s", "message": "no time"},
                {"eventId": "e4", "timestamp": 1e18, "logStreamName": "s", "message": "far future"},
                {"eventId": "e5", "timestamp": T + 2, "logStreamName": "s\u001b[2J",
                 "message": "red \u001b[31mtext\u009b31m \u001b]0;title\u0007"},
            ]}
        data = json.dumps(answer).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/x-amz-json-1.1")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


loopback.serve(Handler, portfile)
