#include "aws/sqs.h"

#include <stdlib.h>
#include <string.h>

#include "aws/protocol.h"
#include "core/xalloc.h"

static void start_form(struct buf *form, const char *action)
{
	aws_form_add(form, "Action", action);
	aws_form_add(form, "Version", "2012-11-05");
}

/* SQS names a missing queue in two ways, by the protocol it speaks */
static int no_queue(int r, struct error *err)
{
	if (r == 1 && (error_is(err, "AWS.SimpleQueueService.NonExistentQueue") || error_is(err, "QueueDoesNotExist"))) {
		free(err->code);
		err->code = xstrdup("QueueDoesNotExist");
	}
	return r;
}

/*
 * The URL of the queue `queue` (its name in this region and account, or its
 * ARN) into *url (caller frees).
 */
static int queue_url(struct aws *a, const char *region, const char *queue, char **url, struct error *err)
{
	struct buf form = BUF_INIT, name = BUF_INIT, account = BUF_INIT;
	struct xml_node *doc = NULL;
	const char *v;
	int r;

	*url = NULL;
	if (!strncmp(queue, "arn:", 4)) { /* arn:PARTITION:sqs:REGION:ACCOUNT:NAME */
		const char *last = strrchr(queue, ':'), *acct = last - 1;

		while (acct > queue && *acct != ':')
			acct--;
		buf_adds(&name, last + 1);
		buf_add(&account, acct + 1, (size_t)(last - acct - 1));
	} else {
		buf_adds(&name, queue);
	}
	start_form(&form, "GetQueueUrl");
	aws_form_add(&form, "QueueName", name.ptr);
	if (account.len)
		aws_form_add(&form, "QueueOwnerAWSAccountId", account.ptr);
	r = no_queue(aws_query_call(a, "sqs", region, &form, &doc, err), err);
	if (!r && !(v = xml_find_text(doc, "QueueUrl"))) {
		aws_error_set(err, "MalformedAnswer", "SQS's answer to GetQueueUrl has no QueueUrl");
		r = 1;
	}
	if (!r)
		*url = xstrdup(v);
	xml_free(doc);
	buf_release(&form);
	buf_release(&name);
	buf_release(&account);
	return r;
}

int sqs_queue_arn(struct aws *a, const char *region, const char *queue, char **arn, struct error *err)
{
	struct buf form = BUF_INIT;
	struct xml_node *doc = NULL;
	char *url = NULL;
	const char *v;
	int r;

	*arn = NULL;
	r = queue_url(a, region, queue, &url, err);
	if (!r) {
		start_form(&form, "GetQueueAttributes");
		aws_form_add(&form, "QueueUrl", url);
		aws_form_add(&form, "AttributeName.1", "QueueArn");
		r = no_queue(aws_query_call(a, "sqs", region, &form, &doc, err), err);
	}
	if (!r) {
		for (const struct xml_node *at = xml_child(xml_find(doc, "GetQueueAttributesResult"), "Attribute"); at;
		     at = xml_next(at))
			if ((v = xml_find_text(at, "Name")) && !strcmp(v, "QueueArn") && xml_find_text(at, "Value"))
				*arn = xstrdup(xml_find_text(at, "Value"));
		if (!*arn) {
			aws_error_set(err, "MalformedAnswer", "SQS's answer to GetQueueAttributes has no QueueArn");
			r = 1;
		}
	}
	xml_free(doc);
	free(url);
	buf_release(&form);
	return r;
}

int sqs_send_message(struct aws *a, const char *region, const char *queue, const char *body, char **id,
		     struct error *err)
{
	struct buf form = BUF_INIT;
	struct xml_node *doc = NULL;
	char *url = NULL;
	const char *v;
	int r;

	*id = NULL;
	r = queue_url(a, region, queue, &url, err);
	if (!r) {
		start_form(&form, "SendMessage");
		aws_form_add(&form, "QueueUrl", url);
		aws_form_add(&form, "MessageBody", body);
		r = no_queue(aws_query_call(a, "sqs", region, &form, &doc, err), err);
	}
	if (!r && !(v = xml_find_text(doc, "MessageId"))) {
		aws_error_set(err, "MalformedAnswer", "SQS's answer to SendMessage has no MessageId");
		r = 1;
	}
	if (!r)
		*id = xstrdup(v);
	xml_free(doc);
	free(url);
	buf_release(&form);
	return r;
}
