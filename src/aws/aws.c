#include "aws/aws.h"

#include <string.h>

int aws_call(struct aws *a, struct aws_call *call, struct http_response *resp, struct error *err)
{
	const struct aws_credentials *c;

	error_release(err);
	http_response_init(resp);
	if (aws_get_credentials(a, &c, err))
		return -1;
	return aws_call_as(a, c, call, resp, err);
}
