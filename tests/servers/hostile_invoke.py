#!/usr/bin/env python3
"""A hostile Lambda Invoke for blambda invoke.

  hostile_invoke.py PORTFILE

Every invocation answers 200 with a function error whose header, type,
message and stack trace carry terminal escape sequences, and a log tail
chosen by the function name in the path: "badlog" gets an X-Amz-Log-Result
that is not base64, "chain" an error whose ex-data and 50 causes hold escape
sequences, any other name a tail full of escape sequences."""
import base64, json, sys
import loopback

portfile = sys.argv[1]
ESC = "\u001b]0;pwned\u0007\u001b[2J\u001b[31m"


class Handler(loopback.Handler):
    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        doc = {"errorType": "T" + ESC, "errorMessage": "m" + ESC, "stackTrace": ["at " + ESC + "X"]}
        if "/chain/" in self.path:  # ex-data and a cause chain 50 deep, escapes in each
            inner = None
            for i in range(50):
                inner = {"errorType": "C%d" % i + ESC, "errorMessage": "c" + ESC, "errorData": "{:k " + ESC + "}",
                         "stackTrace": ["deep" + ESC], **({"cause": inner} if inner else {})}
            doc.update(errorData="{:id 7" + ESC + "}", cause=inner)
        body = json.dumps(doc).encode()
        log = "%%%not base64" if "/badlog/" in self.path else \
            base64.b64encode(("START\n" + ESC + "line\nREPORT\n").encode()).decode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("X-Amz-Function-Error", "Unhandled" + "\u001b[2J")
        self.send_header("X-Amz-Log-Result", log)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


loopback.serve(Handler, portfile)
