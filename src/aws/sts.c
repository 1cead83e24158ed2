#include "aws/sts.h"

#include <stdlib.h>
#include <string.h>

#include "aws/xml.h"

int sts_get_caller_identity(struct aws *a, const char *region, struct sts_identity *id, struct aws_error *err)
{
	static const char form[] = "Action=GetCallerIdentity&Version=2011-06-15";
	struct aws_call call = { 0 };
	struct http_response resp;
	struct buf b = BUF_INIT;
	int r;

	memset(id, 0, sizeof(*id));
	call.service = "sts";
	call.region = region;
	call.method = "POST";
	call.path = "/";
	call.content_type = "application/x-www-form-urlencoded; charset=utf-8";
	call.body = form;
	call.body_len = sizeof(form) - 1;
	r = aws_call(a, &call, &resp, err);
	if (r == 0) {
		const char *body = buf_cstr(&resp.body);

		if (xml_text(body, "Account", &b))
			id->account = buf_detach(&b);
		if (xml_text(body, "Arn", &b))
			id->arn = buf_detach(&b);
		if (xml_text(body, "UserId", &b))
			id->user_id = buf_detach(&b);
	}
	buf_release(&b);
	http_response_release(&resp);
	return r;
}

void sts_identity_release(struct sts_identity *id)
{
	free(id->account);
	free(id->arn);
	free(id->user_id);
	memset(id, 0, sizeof(*id));
}
