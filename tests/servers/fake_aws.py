#!/usr/bin/env python3
"""A loopback stand-in for the AWS endpoints that moto does not serve, and a
fault injector for the retry tests.

  fake_aws.py PORTFILE [--creds FILE] [--faults LIST] [--log FILE]
              [--token TOKEN] [--expired] [--expires-in SECONDS]

Binds 127.0.0.1 on a free port and writes the port to PORTFILE. Serves:

  PUT  /latest/api/token                           IMDSv2 session token
  GET  /latest/meta-data/iam/security-credentials/ the role name (token required)
  GET  /latest/meta-data/iam/security-credentials/ROLE   credentials
  GET  /container-creds                            container credentials
                                                   (Authorization must be TOKEN)
  GET  /federation/credentials?account_id&role_name  SSO role credentials
                                                   (x-amz-sso_bearer_token must be TOKEN)
  POST /                                           STS GetCallerIdentity, through
                                                   the --faults script

The credentials handed out are the key pair in --creds (as moto-sigcheck
writes it), so callers can go on to use them against moto.

--faults is a comma-separated script, one entry per request to POST /:
a status code (an AWS error answer with that status; 429 and 503 carry
Throttling / ServiceUnavailable, 400 a non-retryable ValidationError),
"retry-after" (503 with Retry-After: 1), "reset" (connection reset),
"stall" (accept, never answer), "truncate" (a body shorter than its
Content-Length), "ok" (a GetCallerIdentity answer), "hostile-identity" (one
whose Arn carries a line break and a C1 control, as &#13;&#10; and &#155;
decode to: XML 1.0 allows no ESC), "short-account" (one whose Account is not twelve
digits), "echo" (a 400 whose message repeats the request's body, as a
careless proxy might). The last entry repeats.
--log appends "METHOD PATH" per request.
"""
import html
import json, socket, struct, sys, threading, time
import loopback
from urllib.parse import urlparse, parse_qs

args = sys.argv[1:]
portfile = args.pop(0)
opts = {}
while args:
    k = args.pop(0)
    if k == "--expired":
        opts["expired"] = True
    else:
        opts[k] = args.pop(0)

akid, secret = ("AKIDFAKE", "fake-secret")
if "--creds" in opts:
    akid, secret = open(opts["--creds"]).read().split()
token = opts.get("--token", "test-token")
faults = opts.get("--faults", "ok").split(",")
logfile = opts.get("--log")
lock = threading.Lock()
counter = [0]
expiry = "2000-01-01T00:00:00Z" if opts.get("expired") else \
    time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + int(opts.get("--expires-in", 3600))))

IDENTITY = """<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
<GetCallerIdentityResult><Arn>arn:aws:iam::123456789012:user/fake</Arn><UserId>AIDAFAKE</UserId>
<Account>123456789012</Account></GetCallerIdentityResult>
<ResponseMetadata><RequestId>fake-request-1</RequestId></ResponseMetadata></GetCallerIdentityResponse>"""


def error_xml(code, message):
    return (f"<ErrorResponse><Error><Type>Sender</Type><Code>{code}</Code><Message>{message}</Message>"
            f"</Error><RequestId>fake-request-err</RequestId></ErrorResponse>")


class Handler(loopback.Handler):
    def record(self):
        if logfile:
            with lock, open(logfile, "a") as f:
                f.write(f"{self.command} {self.path}\n")

    def send(self, status, body, ctype="application/json", headers=()):
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def creds_json(self, token_key="Token"):
        return json.dumps({"AccessKeyId": akid, "SecretAccessKey": secret, token_key: "",
                           "Expiration": expiry, "Code": "Success"})

    def do_PUT(self):
        self.record()
        if self.path == "/latest/api/token" and self.headers.get("X-aws-ec2-metadata-token-ttl-seconds"):
            return self.send(200, "imds-session-token", "text/plain")
        self.send(400, "bad token request", "text/plain")

    def do_GET(self):
        self.record()
        url = urlparse(self.path)
        if url.path.startswith("/latest/meta-data/iam/security-credentials/"):
            if self.headers.get("X-aws-ec2-metadata-token") != "imds-session-token":
                return self.send(401, "", "text/plain")
            role = url.path[len("/latest/meta-data/iam/security-credentials/"):]
            if not role:
                return self.send(200, "test-role", "text/plain")
            if role != "test-role":
                return self.send(404, "", "text/plain")
            return self.send(200, self.creds_json())
        if url.path == "/container-creds":
            if self.headers.get("Authorization") != token:
                return self.send(403, json.dumps({"message": "bad authorization token"}))
            return self.send(200, self.creds_json())
        if url.path == "/federation/credentials":
            q = parse_qs(url.query)
            if self.headers.get("x-amz-sso_bearer_token") != token:
                return self.send(401, json.dumps({"message": "Session token not found or invalid"}),
                                 headers=[("x-amzn-ErrorType", "UnauthorizedException")])
            if q.get("account_id") != ["123456789012"] or q.get("role_name") != ["Dev"]:
                return self.send(403, json.dumps({"message": "No access"}),
                                 headers=[("x-amzn-ErrorType", "ForbiddenException")])
            exp_ms = int((time.time() - 60 if opts.get("expired") else time.time() + 3600) * 1000)
            return self.send(200, json.dumps({"roleCredentials": {
                "accessKeyId": akid, "secretAccessKey": secret, "sessionToken": "", "expiration": exp_ms}}))
        self.send(404, "not found", "text/plain")

    def do_POST(self):
        self.record()
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n)
        with lock:
            i = counter[0]
            counter[0] += 1
        step = faults[min(i, len(faults) - 1)]
        if step == "ok":
            return self.send(200, IDENTITY, "text/xml")
        if step == "echo":
            return self.send(400, error_xml("InvalidIdentityToken",
                                            "bad request: " + html.escape(body.decode(errors="replace"))),
                             "text/xml")
        if step == "hostile-identity":
            forged = "arn:aws:iam::123456789012:user/x&#13;&#10;caller:       arn:aws:iam::999999999999:root&#155;31m"
            return self.send(200, IDENTITY.replace("arn:aws:iam::123456789012:user/fake", forged), "text/xml")
        if step == "short-account":
            return self.send(200, IDENTITY.replace("<Account>123456789012</Account>",
                                                   "<Account>1234&#10;5678</Account>"), "text/xml")
        if step == "reset":
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()
            self.close_connection = True
            return
        if step == "stall":
            time.sleep(30)
            self.close_connection = True
            return
        if step == "truncate":
            self.send_response(200)
            self.send_header("Content-Type", "text/xml")
            self.send_header("Content-Length", str(len(IDENTITY) + 100))
            self.end_headers()
            self.wfile.write(IDENTITY[:50].encode())
            self.wfile.flush()
            self.close_connection = True
            return
        if step == "retry-after":
            return self.send(503, error_xml("ServiceUnavailable", "busy"), "text/xml", [("Retry-After", "1")])
        status = int(step)
        code = {429: "Throttling", 503: "ServiceUnavailable", 400: "ValidationError",
                500: "InternalFailure"}.get(status, "Error")
        self.send(status, error_xml(code, f"injected {status}"), "text/xml")


loopback.serve(Handler, portfile)
