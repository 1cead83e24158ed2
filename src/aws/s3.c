#include "aws/s3.h"

#include <stdlib.h>
#include <string.h>

#include "core/xalloc.h"

/* The bucket's own path ("/" on AWS, "/BUCKET" behind an override), with a subresource query */
static void bucket_call(struct aws *a, struct aws_call *call, const char *region, const char *bucket,
			const char *query, struct buf *path, struct buf *prefix)
{
	struct buf url = BUF_INIT;
	const char *origin = NULL;

	call->service = "s3";
	call->region = region;
	/* behind an endpoint override (a stand-in, a proxy) the bucket goes in the path */
	if (aws_endpoint_in(a, "s3", region, &url, &origin) || origin) {
		buf_addch(path, '/');
		aws_path_segment(path, bucket);
	} else {
		buf_addf(prefix, "%s.", bucket);
		call->host_prefix = prefix->ptr;
		buf_addch(path, '/');
	}
	call->path = path->ptr;
	call->query = query;
	buf_release(&url);
}

static void object_call(struct aws *a, struct aws_call *call, const char *region, const char *bucket,
			const char *key, struct buf *path, struct buf *prefix)
{
	bucket_call(a, call, region, bucket, NULL, path, prefix);
	if (path->ptr[path->len - 1] != '/')
		buf_addch(path, '/');
	aws_path_key(path, key);
	call->path = path->ptr;
}

int s3_head_object(struct aws *a, const char *region, const char *bucket, const char *key, int *exists,
		   uint64_t *size, struct error *err)
{
	struct aws_call call = { 0 };
	struct http_response resp;
	struct buf path = BUF_INIT, prefix = BUF_INIT;
	int r;

	*exists = 0;
	*size = 0;
	object_call(a, &call, region, bucket, key, &path, &prefix);
	call.method = "HEAD";
	r = aws_call(a, &call, &resp, err);
	if (r == 0) {
		const char *len = kvlist_get_nocase(&resp.headers, "content-length");

		*exists = 1;
		*size = len ? strtoull(len, NULL, 10) : 0;
	} else if (r == 1 && resp.status == 404) {
		/* a HEAD answer has no body to name the error: a 404 is no such key (or bucket) */
		error_release(err);
		r = 0;
	} else if (r == 1 && !strncmp(err->code, "HTTP ", 5)) {
		free(err->code);
		err->code = xstrdup(resp.status == 403 ? "AccessDenied" : "HeadObjectFailed");
	}
	if (r != -1)
		http_response_release(&resp);
	buf_release(&path);
	buf_release(&prefix);
	return r;
}

/* A bucket of another region answers 301 PermanentRedirect (or its kin) */
static int in_other_region(const struct error *err)
{
	return error_is(err, "PermanentRedirect") || error_is(err, "AuthorizationHeaderMalformed") ||
	       error_is(err, "IllegalLocationConstraintException");
}

/* ... said plainly, for a bucket whose notifications call a function */
static void other_region(struct error *err, const char *bucket, const char *region)
{
	if (in_other_region(err))
		error_hint(err, "bucket '%s' is not in %s: S3 calls only a function of its own region", bucket,
			   region ? region : "this region");
}

/* A PUT of an object, the body as `call` holds it */
static int put(struct aws *a, const char *region, const char *bucket, const char *key, struct aws_call *call,
	       struct error *err)
{
	struct http_response resp;
	struct buf path = BUF_INIT, prefix = BUF_INIT;
	int r;

	object_call(a, call, region, bucket, key, &path, &prefix);
	call->method = "PUT";
	r = aws_call(a, call, &resp, err);
	if (r == 1 && in_other_region(err))
		error_hint(err, "bucket '%s' is not in %s", bucket, region ? region : "this region");
	if (r != -1)
		http_response_release(&resp);
	buf_release(&path);
	buf_release(&prefix);
	return r;
}

int s3_put_object(struct aws *a, const char *region, const char *bucket, const char *key, const char *path,
		  const char *sha256_hex, uint64_t size, const char *progress_label, struct error *err)
{
	struct aws_call call = { 0 };

	call.content_type = "application/zip";
	call.body_file = path;
	call.body_len = (size_t)size;
	call.payload_sha256 = sha256_hex;
	call.progress_label = progress_label;
	call.timeout_ms = aws_timeout_for((size_t)size);
	return put(a, region, bucket, key, &call, err);
}

int s3_put_data(struct aws *a, const char *region, const char *bucket, const char *key, const char *content_type,
		const void *data, size_t len, struct error *err)
{
	struct aws_call call = { 0 };

	call.content_type = content_type;
	call.body = data;
	call.body_len = len;
	return put(a, region, bucket, key, &call, err);
}

int s3_get_notification(struct aws *a, const char *region, const char *bucket, struct buf *xml, struct error *err)
{
	struct aws_call call = { 0 };
	struct http_response resp;
	struct buf path = BUF_INIT, prefix = BUF_INIT;
	int r;

	bucket_call(a, &call, region, bucket, "notification=", &path, &prefix);
	call.method = "GET";
	r = aws_call(a, &call, &resp, err);
	if (r == 0)
		buf_add(xml, resp.body.ptr, resp.body.len);
	else if (r == 1)
		other_region(err, bucket, region);
	if (r != -1)
		http_response_release(&resp);
	buf_release(&path);
	buf_release(&prefix);
	return r;
}

int s3_put_notification(struct aws *a, const char *region, const char *bucket, const char *xml, struct error *err)
{
	struct aws_call call = { 0 };
	struct http_response resp;
	struct buf path = BUF_INIT, prefix = BUF_INIT;
	int r;

	bucket_call(a, &call, region, bucket, "notification=", &path, &prefix);
	call.method = "PUT";
	call.content_type = "application/xml";
	call.body = xml;
	call.body_len = strlen(xml);
	r = aws_call(a, &call, &resp, err);
	if (r == 1)
		other_region(err, bucket, region);
	if (r != -1)
		http_response_release(&resp);
	buf_release(&path);
	buf_release(&prefix);
	return r;
}
