#ifndef BLAMBDA_AWS_AWS_H
#define BLAMBDA_AWS_AWS_H

#include "aws/client.h"
#include "aws/credentials.h"

/*
 * The one way the service modules (lambda, iam, s3, logs) talk to AWS: the
 * credentials chain's credentials, then aws_call_as(). Returns as
 * aws_call_as does; when no credentials can be found, -1 with err saying why.
 */
int aws_call(struct aws *a, struct aws_call *call, struct http_response *resp, struct error *err);

#endif
