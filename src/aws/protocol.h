#ifndef BLAMBDA_AWS_PROTOCOL_H
#define BLAMBDA_AWS_PROTOCOL_H

#include <cjson/cJSON.h>
#include <stdint.h>
#include <stdio.h>

#include "aws/aws.h"
#include "aws/xml.h"

/*
 * The three protocols blambda speaks, over aws_call(): REST+JSON (Lambda),
 * query+XML (IAM; STS has its own, below the credentials chain), and
 * REST+XML with streamed bodies (S3, which uses aws_call directly). Each
 * returns as aws_call() does: 0, 1 (AWS's error in *err), -1 (no answer).
 */

/*
 * REST+JSON: body (NULL: none, or call->source when set) sent as JSON
 * (call->content_type when set, else application/json); a 2xx
 * answer with a body is parsed into *answer (caller frees; NULL when empty).
 * A 2xx answer that is not JSON is 1 with err->code "MalformedAnswer".
 */
int aws_json_call(struct aws *a, struct aws_call *call, const cJSON *body, cJSON **answer, struct error *err);

/*
 * JSON 1.1 (CloudWatch Logs): the body posted to the service's "/" with
 * X-Amz-Target: target ("Logs_20140328.FilterLogEvents"); the answer as
 * aws_json_call gives it.
 */
int aws_json_target_call(struct aws *a, const char *service, const char *region, const char *target,
			 const cJSON *body, cJSON **answer, struct error *err);

/*
 * Query+XML: the form (Action=...&Version=...&...) posted to service's "/";
 * the answer parsed into *doc (caller frees with xml_free).
 */
int aws_query_call(struct aws *a, const char *service, const char *region, const struct buf *form,
		   struct xml_node **doc, struct error *err);

/*
 * A JSON body holding a file base64-encoded in one string, produced as it is
 * sent: `before` (the JSON up to the opening quote), the file's base64, then
 * `after` (from the closing quote on). Memory stays a few KB whatever the
 * file's size. A file whose size changes between passes fails the read.
 */
struct aws_zip_json {
	struct http_body_source source;
	char *before, *after;
	FILE *file;
	uint64_t file_size, file_read;
	int phase;          /* 0 before, 1 base64, 2 after, 3 done */
	size_t pos;         /* within before/after or the encoded chunk */
	unsigned char chunk[4100];
	size_t chunk_len;
};

/* Open path for a body (before and after are copied); -1 with errno set when it cannot be read. */
int aws_zip_json_init(struct aws_zip_json *z, const char *before, const char *after, const char *path);
void aws_zip_json_release(struct aws_zip_json *z);

#endif
