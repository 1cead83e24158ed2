#include "aws/aws.h"

#include <string.h>

int aws_call(struct aws *a, struct aws_call *call, struct http_response *resp, struct aws_error *err)
{
	const struct aws_credentials *c;

	memset(err, 0, sizeof(*err));
	http_response_init(resp);
	if (aws_get_credentials(a, &c)) {
		aws_error_set(err, "NoCredentials", "no usable AWS credentials");
		err->reported = 1;
		return -1;
	}
	return aws_call_as(a, c, call, resp, err);
}
