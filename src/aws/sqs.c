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

/*
 * Action on the queue `queue` (a name or an ARN), with the form's other
 * fields in `fields` (name, value, ..., NULL); SQS's answer into *doc.
 */
static int queue_call(struct aws *a, const char *region, const char *queue, const char *action,
		      const char *const *fields, struct xml_node **doc, struct error *err)
{
	struct buf form = BUF_INIT;
	char *url = NULL;
	int r = queue_url(a, region, queue, &url, err);

	if (!r) {
		start_form(&form, action);
		aws_form_add(&form, "QueueUrl", url);
		for (size_t i = 0; fields[i]; i += 2)
			aws_form_add(&form, fields[i], fields[i + 1]);
		r = no_queue(aws_query_call(a, "sqs", region, &form, doc, err), err);
	}
	free(url);
	buf_release(&form);
	return r;
}

int sqs_queue_arn(struct aws *a, const char *region, const char *queue, char **arn, struct error *err)
{
	const char *const fields[] = { "AttributeName.1", "QueueArn", NULL };
	struct xml_node *doc = NULL;
	const char *v;
	int r;

	*arn = NULL;
	r = queue_call(a, region, queue, "GetQueueAttributes", fields, &doc, err);
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
	return r;
}

int sqs_send_message(struct aws *a, const char *region, const char *queue, const char *body, char **id,
		     struct error *err)
{
	const char *const fields[] = { "MessageBody", body, NULL };
	struct xml_node *doc = NULL;
	const char *v;
	int r;

	*id = NULL;
	r = queue_call(a, region, queue, "SendMessage", fields, &doc, err);
	if (!r && !(v = xml_find_text(doc, "MessageId"))) {
		aws_error_set(err, "MalformedAnswer", "SQS's answer to SendMessage has no MessageId");
		r = 1;
	}
	if (!r)
		*id = xstrdup(v);
	xml_free(doc);
	return r;
}
