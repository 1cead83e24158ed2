#!/usr/bin/env python3
"""moto on loopback, refusing every request whose SigV4 signature is wrong.

  moto_server.py PORT KEYFILE [REQUEST_LOG]

Serves every AWS service moto has on 127.0.0.1:PORT. At start it makes an
IAM user allowed everything and writes "ACCESS_KEY_ID SECRET" to KEYFILE
(atomically: a test waits for the file); from then on a request must be
signed with that key, and moto checks each signature with botocore's
signer. AWS's managed policies exist, as in a real account. Runs until it
is killed.

REQUEST_LOG, when given, gets one line a request after start-up, written
before the answer: "METHOD RAW-URI ACTION", ACTION being the query
protocol's Action, else the X-Amz-Target, else "-" (REST). A test counts a
command's write calls with it.

moto 5.2.1 is mended in three places so that a correct signature passes
and a wrong one does not, and a function's layers resolve:

- For a GET, DELETE or HEAD without a body, moto hashed something other
  than the empty body; the signature covers the empty body.
- moto checked the signature against a path rebuilt from the decoded URI;
  AWS signs the path as it was sent (percent-encoded: an ARN in a Lambda
  path, a space in an S3 key), so the raw request URI is used.
- Without Docker, moto publishes layer versions into its "lambda-simple"
  backend but looked up the layer ARNs of CreateFunction and
  UpdateFunctionConfiguration in the other one, refusing them all.

- moto's GetFunction gives a code location on an AWS host (or none for a
  zip uploaded directly); here it is a URL on a second loopback port that
  serves the zip, with a query standing in for a presigned URL's signature
  ("X-Amz-Signature=presigned-secret": tests check it is never printed).

- moto's UpdateFunctionConfiguration left TracingConfig and
  EphemeralStorage as CreateFunction set them; it applies them now. Its
  PutFunctionEventInvokeConfig added a second config that Get never showed;
  a put replaces the function's one.

STS's AssumeRoleWithWebIdentity and AssumeRoleWithSAML are answered without
a signature, as AWS answers them (the caller has no credentials yet).

Lambda's Invoke runs no code (Docker is off): moto answers with the
request's payload, or with the next answer queued by POSTing
{"results": [...], "region": "..."} to /moto-api/static/lambda-simple/response.
It sends no log tail: tests of logs and function errors use a server of
their own (tests/servers/hostile_invoke.py).
"""
import json
import os
import sys
import time

# Before moto is imported: its IAM loads AWS's managed policies only when asked.
os.environ.setdefault("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")

from moto import settings  # noqa: E402
from moto.awslambda import models as lambda_models  # noqa: E402
from moto.awslambda.exceptions import UnknownLayerVersionException  # noqa: E402
from moto.awslambda.utils import get_backend as lambda_backend  # noqa: E402
from moto.core.authorization import ActionAuthenticatorMixin  # noqa: E402
from moto.core.config import default_user_config  # noqa: E402
from moto.core.responses import BaseResponse  # noqa: E402
from moto.iam import access_control  # noqa: E402
from moto.server import ThreadedMotoServer  # noqa: E402

SIGNATURE_FREE = {"AssumeRoleWithWebIdentity", "AssumeRoleWithSAML"}


class Recorder:
    """Where each request is logged, once the server is ready for tests."""

    def __init__(self, path):
        self.path = path
        self.on = False

    def note(self, method, uri, action):
        if self.path and self.on:
            with open(self.path, "a") as f:
                f.write(f"{method} {uri} {action}\n")


def mend_empty_body_hash():
    original = access_control.IAMRequestBase._create_aws_request

    def create(self):
        if self._body or self._method not in ("GET", "DELETE", "HEAD"):
            return original(self)
        kept, self._data = self._data, b""
        try:
            return original(self)
        finally:
            self._data = kept

    access_control.IAMRequestBase._create_aws_request = create


def mend_signed_path(recorder):
    original_setup = BaseResponse.setup_class
    original_auth = ActionAuthenticatorMixin._authenticate_and_authorize_action

    def setup(self, request, full_url, headers, use_raw_body=False):
        original_setup(self, request, full_url, headers, use_raw_body)
        env = getattr(request, "environ", None) or {}
        self._sent_uri = env.get("RAW_URI") or env.get("REQUEST_URI")
        action = (self.querystring.get("Action") or [None])[0] or headers.get("X-Amz-Target") or "-"
        recorder.note(request.method, self._sent_uri or full_url, action)

    def authenticate(self, iam_request_cls, resource="*"):
        action = (self.querystring.get("Action") or [None])[0]
        if action in SIGNATURE_FREE and "Authorization" not in self.headers:
            return None
        sent = getattr(self, "_sent_uri", None)
        if not sent:
            return original_auth(self, iam_request_cls, resource)
        decoded, self.uri = self.uri, sent
        try:
            return original_auth(self, iam_request_cls, resource)
        finally:
            self.uri = decoded

    BaseResponse.setup_class = setup
    ActionAuthenticatorMixin._authenticate_and_authorize_action = authenticate


def mend_layer_lookup():
    def layers(self, arns):
        versions = [lambda_backend(self.account_id, self.region).layers_versions_by_arn(a) for a in arns]
        if not all(versions):
            raise UnknownLayerVersionException(arns)
        return [{"Arn": v.arn, "CodeSize": v.code_size} for v in versions]

    lambda_models.LambdaFunction._get_layers_data = layers


def serve_code():
    """A loopback server for functions' zips: GET /ACCOUNT/REGION/NAME answers $LATEST's bytes. Its port."""
    import http.server
    import threading
    from urllib.parse import unquote, urlsplit

    class Code(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            parts = [unquote(p) for p in urlsplit(self.path).path.split("/")[1:]]
            try:
                account, region, name = parts
                body = lambda_backend(account, region).get_function(name).code_bytes
            except Exception:  # noqa: BLE001 (any lookup failure is a 404, as S3 would answer)
                self.send_response(404)
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    class Server(http.server.ThreadingHTTPServer):
        request_queue_size = 128  # not socketserver's 5: functions' zips are fetched side by side

    server = Server(("127.0.0.1", 0), Code)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server.server_address[1]


def mend_code_location(port):
    from urllib.parse import quote

    original = lambda_models.LambdaFunction.get_code

    def get_code(self):
        resp = original(self)
        if self.package_type != "Image":
            resp["Code"] = {
                "RepositoryType": "S3",
                "Location": f"http://127.0.0.1:{port}/{self.account_id}/{self.region}/{quote(self.function_name)}"
                            "?X-Amz-Signature=presigned-secret",
            }
        return resp

    lambda_models.LambdaFunction.get_code = get_code


def mend_configuration_update():
    original = lambda_models.LambdaFunction.update_configuration

    def update(self, updates):
        if "TracingConfig" in updates:
            self.tracing_config = updates["TracingConfig"]
        if "EphemeralStorage" in updates:
            self.ephemeral_storage = updates["EphemeralStorage"]["Size"]
        return original(self, updates)

    lambda_models.LambdaFunction.update_configuration = update

    def put_invoke_config(self, function_name, config):
        fn = self.get_function(function_name)
        fn.event_invoke_config = []  # one config a function: a put replaces it
        return original_put(self, function_name, config)

    original_put = lambda_models.LambdaBackend.put_function_event_invoke_config
    lambda_models.LambdaBackend.put_function_event_invoke_config = put_invoke_config


def make_tester(endpoint):
    """An IAM user allowed everything, made while moto still takes unsigned calls; its key."""
    import boto3

    iam = boto3.client("iam", endpoint_url=endpoint, region_name="us-east-1",
                       aws_access_key_id="setup", aws_secret_access_key="setup")
    iam.create_user(UserName="tester")
    everything = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
    iam.put_user_policy(UserName="tester", PolicyName="everything", PolicyDocument=json.dumps(everything))
    return iam.create_access_key(UserName="tester")["AccessKey"]


def main():
    if len(sys.argv) not in (3, 4):
        sys.exit(__doc__)
    port, keyfile = int(sys.argv[1]), sys.argv[2]
    recorder = Recorder(sys.argv[3] if len(sys.argv) == 4 else None)

    mend_empty_body_hash()
    mend_signed_path(recorder)
    mend_layer_lookup()
    mend_code_location(serve_code())
    mend_configuration_update()
    default_user_config["lambda"]["use_docker"] = False

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    key = make_tester(f"http://127.0.0.1:{port}")
    # from here on every request must be signed (the server shares this process's settings)
    ActionAuthenticatorMixin.request_count = 0
    settings.INITIAL_NO_AUTH_ACTION_COUNT = 0
    recorder.on = True
    with open(keyfile + ".tmp", "w") as f:
        f.write(f"{key['AccessKeyId']} {key['SecretAccessKey']}\n")
    os.rename(keyfile + ".tmp", keyfile)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        server.stop()


if __name__ == "__main__":
    main()
