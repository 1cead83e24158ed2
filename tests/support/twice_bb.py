#!/usr/bin/env python3
"""A stand-in for bb that answers through the Runtime API itself (at the
address bootstrap hands on in AWS_LAMBDA_RUNTIME_API): it takes the
invocation, answers it as text/plain, answers it a second time, records
that second answer's status in $HOSTILE_OUT, and waits to be stopped."""
import http.client, json, os, time

host, port = os.environ["AWS_LAMBDA_RUNTIME_API"].split(":")
base = "/2018-06-01/runtime"


def call(method, path, body=None, headers=None):
    c = http.client.HTTPConnection(host, int(port), timeout=30)
    c.request(method, base + path, body=body, headers=headers or {})
    r = c.getresponse()
    data = r.read()
    c.close()
    return r, data


r, _ = call("GET", "/invocation/next")
rid = r.getheader("Lambda-Runtime-Aws-Request-Id")
first, _ = call("POST", "/invocation/%s/response" % rid, b"plain words", {"Content-Type": "text/plain; charset=utf-8"})
second, body = call("POST", "/invocation/%s/response" % rid, b"again", {"Content-Type": "text/plain"})
json.dump({"first": first.status, "second": second.status, "second_body": body.decode()},
          open(os.environ["HOSTILE_OUT"], "w"))
time.sleep(600)
