#ifndef BLAMBDA_LOCAL_DESTINATION_H
#define BLAMBDA_LOCAL_DESTINATION_H

#include "aws/aws.h"
#include "local/instance.h"

/*
 * An asynchronous (Event) invocation's record, as Lambda makes it for
 * function.async.on-success and on-failure, and its delivery to the
 * destination as Lambda delivers it. Never prints.
 */

/* What a destination takes in one message (SNS, EventBridge, SQS; an Event invocation's payload) */
#define LOCAL_DESTINATION_MAX LOCAL_EVENT_MAX

struct local_record {
	const char *request_id;
	const char *function_arn;     /* arn:...:function:NAME:$LATEST */
	const char *condition;        /* "Success", "RetriesExhausted" or "EventAgeExceeded" */
	long invokes;                 /* approximateInvokeCount: 0 when it never ran (reserved concurrency 0) */
	long long at_ms;              /* its timestamp: when it was made, in ms since the epoch */
	const char *payload;          /* the event */
	size_t payload_len;
	const struct local_result *res; /* the last attempt, or NULL when none ran */
};

/* The record's JSON, compact (caller frees); `no_payloads` leaves the two payloads out. */
char *local_destination_record(const struct local_record *r, int no_payloads);

/* What a delivery did. */
struct local_delivery {
	char *receipt;  /* what the service calls it: a message id, an event id, an object key, a request id */
	int trimmed;    /* the payloads were left out: with them the record was past LOCAL_DESTINATION_MAX */
};
void local_delivery_release(struct local_delivery *d);

/*
 * Send r to the destination `arn` as Lambda does: SQS SendMessage, SNS
 * Publish, EventBridge PutEvents (source "lambda", detail-type "Lambda
 * Function Invocation Result - Success" or "- Failure", the bus and the
 * function as resources), Lambda Invoke of type Event, S3 PutObject under
 * aws/lambda/async/FUNCTION/YYYY/MM/DD/ (on failure only). A record past
 * LOCAL_DESTINATION_MAX goes without its payloads (not to S3), as Lambda
 * sends it. The call goes to the destination's region (a bucket:
 * `region`, the function's). Returns as aws_call() does, 0, 1 or -1, with
 * err. The ARN is taken as blambda.yml's check let it through.
 */
int local_destination_send(struct aws *a, const char *arn, const char *region, const char *function_name,
			   const struct local_record *r, struct local_delivery *out, struct error *err);

#endif
