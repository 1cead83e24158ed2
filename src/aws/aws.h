#ifndef BLAMBDA_AWS_AWS_H
#define BLAMBDA_AWS_AWS_H

#include "aws/client.h"
#include "aws/credentials.h"

/*
 * The one way the service modules (lambda, iam, s3, sts) talk to AWS: the
 * credentials chain's credentials, then aws_call_as(). Returns as
 * aws_call_as does; when no credentials can be found, -1 with err->reported
 * set (the chain printed why).
 */
int aws_call(struct aws *a, struct aws_call *call, struct http_response *resp, struct aws_error *err);

#endif
