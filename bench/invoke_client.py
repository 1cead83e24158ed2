#!/usr/bin/env python3
"""Invoke a function N times in a row over one kept-alive connection and
print the mean round trip in microseconds.

  invoke_client.py PORT NAME N"""
import http.client, sys, time

port, name, n = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
c = http.client.HTTPConnection("127.0.0.1", port)
path = "/2015-03-31/functions/%s/invocations" % name


def once():
    c.request("POST", path, body=b'{"n":1}', headers={"Content-Type": "application/json"})
    r = c.getresponse()
    body = r.read()
    if r.status != 200:
        sys.exit("invoke answered %d: %s" % (r.status, body[:200]))


for _ in range(20):  # warm: the cold start is not what is measured
    once()
start = time.perf_counter()
for _ in range(n):
    once()
print(int((time.perf_counter() - start) / n * 1e6))
