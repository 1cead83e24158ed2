#ifndef BLAMBDA_AWS_SQS_H
#define BLAMBDA_AWS_SQS_H

#include "aws/aws.h"

/*
 * SQS (query+XML): what a queue named in blambda.yml is; a message sent to
 * one (an asynchronous invocation's record). Returns as
 * aws_call() does: 0, 1 (AWS's error in *err; a queue that does not exist
 * is "QueueDoesNotExist"), -1.
 */

/*
 * The ARN of the queue `queue` (its name in this region and account, or
 * its ARN, checked to exist) into *arn (caller frees).
 */
int sqs_queue_arn(struct aws *a, const char *region, const char *queue, char **arn, struct error *err);

/*
 * SendMessage of `body` to the queue `queue` (a name in this region and
 * account, or an ARN); SQS's message id into *id (caller frees).
 */
int sqs_send_message(struct aws *a, const char *region, const char *queue, const char *body, char **id,
		     struct error *err);

#endif
