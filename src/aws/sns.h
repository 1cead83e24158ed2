#ifndef BLAMBDA_AWS_SNS_H
#define BLAMBDA_AWS_SNS_H

#include "aws/aws.h"

/*
 * SNS (query+XML): a message published to a topic, as Lambda publishes an
 * asynchronous invocation's record. Returns as aws_call() does: 0, 1
 * (AWS's error in *err; a topic that does not exist is "NotFound"), -1.
 */

/* Publish `message` to the topic `topic_arn`; SNS's message id into *id (caller frees). */
int sns_publish(struct aws *a, const char *region, const char *topic_arn, const char *message, char **id,
		struct error *err);

#endif
