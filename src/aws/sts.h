#ifndef BLAMBDA_AWS_STS_H
#define BLAMBDA_AWS_STS_H

#include "aws/aws.h"

struct sts_identity {
	char *account, *arn, *user_id;
};

/*
 * STS GetCallerIdentity: who the credentials belong to. `region` NULL uses
 * the region in use. Returns as aws_call() does: 0, 1 (AWS error in *err), -1.
 */
int sts_get_caller_identity(struct aws *a, const char *region, struct sts_identity *id, struct aws_error *err);
void sts_identity_release(struct sts_identity *id);

#endif
