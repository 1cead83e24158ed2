#include "aws/sns.h"

#include <stdlib.h>

#include "aws/protocol.h"
#include "core/xalloc.h"

int sns_publish(struct aws *a, const char *region, const char *topic_arn, const char *message, char **id,
		struct error *err)
{
	struct buf form = BUF_INIT;
	struct xml_node *doc = NULL;
	const char *v;
	int r;

	*id = NULL;
	aws_form_add(&form, "Action", "Publish");
	aws_form_add(&form, "Version", "2010-03-31");
	aws_form_add(&form, "TopicArn", topic_arn);
	aws_form_add(&form, "Message", message);
	r = aws_query_call(a, "sns", region, &form, &doc, err);
	if (!r && !(v = xml_find_text(doc, "MessageId"))) {
		aws_error_set(err, "MalformedAnswer", "SNS's answer to Publish has no MessageId");
		r = 1;
	}
	if (!r)
		*id = xstrdup(v);
	xml_free(doc);
	buf_release(&form);
	return r;
}
