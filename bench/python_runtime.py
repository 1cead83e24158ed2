#!/usr/bin/env python3
"""The baseline for bench/runtime.sh: the smallest custom runtime one could
write in a scripting language, doing the Runtime API calls itself (keep-alive
HTTP/1.1) and answering {"ok":true}."""
import http.client, os

host, port = os.environ["AWS_LAMBDA_RUNTIME_API"].split(":")
conn = http.client.HTTPConnection(host, int(port))
while True:
    conn.request("GET", "/2018-06-01/runtime/invocation/next")
    r = conn.getresponse()
    r.read()
    if r.status != 200:
        break
    rid = r.getheader("Lambda-Runtime-Aws-Request-Id")
    conn.request("POST", f"/2018-06-01/runtime/invocation/{rid}/response", body=b'{"ok":true}',
                 headers={"Content-Type": "application/json"})
    conn.getresponse().read()
