#ifndef BLAMBDA_AWS_SQS_H
#define BLAMBDA_AWS_SQS_H

#include "aws/aws.h"

/*
 * SQS (query+XML): what a queue named in blambda.yml is. Returns as
 * aws_call() does: 0, 1 (AWS's error in *err; a queue that does not exist
 * is "QueueDoesNotExist"), -1.
 */

/*
 * The ARN of the queue `queue` (its name in this region and account, or
 * its ARN, checked to exist) into *arn (caller frees).
 */
int sqs_queue_arn(struct aws *a, const char *region, const char *queue, char **arn, struct error *err);

#endif
