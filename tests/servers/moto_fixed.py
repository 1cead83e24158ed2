#!/usr/bin/env python3
"""Runs ../shared/tools/moto-sigcheck with one more fix to moto 5.2.1.

Usage: moto_fixed.py MOTO_SIGCHECK PORT KEYFILE [REQUEST_LOG]

moto-sigcheck turns Docker off, which makes moto keep functions and layers
in its "lambda-simple" backend; but moto checks the layers named by
CreateFunction and UpdateFunctionConfiguration against the other backend,
so every layer version ARN is refused as "One or more LayerVersion does not
exist". This looks them up where they were published, then runs
moto-sigcheck unchanged.
"""
import runpy
import sys

from moto.awslambda import models
from moto.awslambda.exceptions import UnknownLayerVersionException
from moto.awslambda.utils import get_backend


def _get_layers_data(self, arns):
    backend = get_backend(self.account_id, self.region)
    versions = [backend.layers_versions_by_arn(arn) for arn in arns]
    if not all(versions):
        raise UnknownLayerVersionException(arns)
    return [{"Arn": v.arn, "CodeSize": v.code_size} for v in versions]


models.LambdaFunction._get_layers_data = _get_layers_data

script = sys.argv[1]
sys.argv = [script] + sys.argv[2:]
runpy.run_path(script, run_name="__main__")
