/* libFuzzer: XML answers (IAM, STS, S3): the expat tree and AWS error parsing. */
#include <stdint.h>
#include <string.h>

#include "aws/client.h"
#include "aws/xml.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf why = BUF_INIT;
	struct xml_node *doc = xml_parse((const char *)data, size, 0, &why);
	struct http_response resp;
	struct error err = ERROR_INIT;

	for (const struct xml_node *m = xml_child(xml_find(doc, "AttachedPolicies"), "member"); m; m = xml_next(m))
		xml_find_text(m, "PolicyArn");
	xml_find_text(doc, "Code");
	xml_free(doc);
	buf_release(&why);
	http_response_init(&resp);
	resp.status = 400;
	buf_add(&resp.body, data, size);
	aws_error_parse(&resp, &err);
	error_release(&err);
	http_response_release(&resp);
	return 0;
}
