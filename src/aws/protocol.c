#include "aws/protocol.h"

#include <errno.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/xalloc.h"

int aws_json_call(struct aws *a, struct aws_call *call, const cJSON *body, cJSON **answer, struct error *err)
{
	struct http_response resp;
	char *text = NULL;
	int r;

	*answer = NULL;
	if (body && !call->source) {
		text = cJSON_PrintUnformatted(body);
		call->body = text;
		call->body_len = strlen(text);
	}
	if ((body || call->source) && !call->content_type)
		call->content_type = "application/json";
	r = aws_call(a, call, &resp, err);
	if (r == 0 && resp.body.len) {
		*answer = cJSON_ParseWithLength(resp.body.ptr, resp.body.len);
		if (!*answer) {
			aws_error_set(err, "MalformedAnswer", "%s answered %ld with something other than JSON", call->service,
				      resp.status);
			err->status = resp.status;
			r = 1;
		}
	}
	http_response_release(&resp);
	call->body = NULL;
	call->body_len = 0;
	free(text);
	return r;
}

int aws_json_target_call(struct aws *a, const char *service, const char *region, const char *target,
			 const cJSON *body, cJSON **answer, struct error *err)
{
	struct aws_call call = { 0 };
	int r;

	call.service = service;
	call.region = region;
	call.method = "POST";
	call.path = "/";
	call.content_type = "application/x-amz-json-1.1";
	kvlist_add(&call.headers, "X-Amz-Target", target);
	r = aws_json_call(a, &call, body, answer, err);
	kvlist_clear(&call.headers);
	return r;
}

int aws_query_call(struct aws *a, const char *service, const char *region, const struct buf *form,
		   struct xml_node **doc, struct error *err)
{
	const struct aws_credentials *creds;

	*doc = NULL;
	error_release(err);
	if (aws_get_credentials(a, &creds, err))
		return -1;
	return aws_query_call_as(a, creds, service, region, form, 0, doc, err);
}

/* ---- a file base64-encoded inside JSON, streamed ---- */

static int zip_json_rewind(void *ctx)
{
	struct aws_zip_json *z = ctx;

	z->phase = 0;
	z->pos = 0;
	z->chunk_len = 0;
	z->file_read = 0;
	return fseeko(z->file, 0, SEEK_SET);
}

/* Encode the next piece of the file into z->chunk: whole 3-byte groups until the last. */
static int zip_json_refill(struct aws_zip_json *z)
{
	unsigned char raw[3072];
	size_t n = fread(raw, 1, sizeof(raw), z->file);

	if (n < sizeof(raw) && ferror(z->file))
		return -1;
	z->file_read += n;
	if (z->file_read > z->file_size || (n < sizeof(raw) && z->file_read != z->file_size)) {
		errno = EIO; /* the file changed size while it was sent */
		return -1;
	}
	z->chunk_len = n ? (size_t)EVP_EncodeBlock(z->chunk, raw, (int)n) : 0;
	z->pos = 0;
	return n ? 1 : 0;
}

static long zip_json_read(void *ctx, char *dest, size_t cap)
{
	struct aws_zip_json *z = ctx;
	size_t done = 0;

	while (done < cap && z->phase < 3) {
		const char *src;
		size_t len;

		if (z->phase == 1) {
			if (z->pos == z->chunk_len) {
				int got = zip_json_refill(z);

				if (got < 0)
					return -1;
				if (!got) {
					z->phase = 2;
					z->pos = 0;
					continue;
				}
			}
			src = (const char *)z->chunk;
			len = z->chunk_len;
		} else {
			src = z->phase == 0 ? z->before : z->after;
			len = strlen(src);
			if (z->pos == len) {
				z->phase++;
				z->pos = 0;
				continue;
			}
		}
		{
			size_t n = len - z->pos < cap - done ? len - z->pos : cap - done;

			memcpy(dest + done, src + z->pos, n);
			z->pos += n;
			done += n;
		}
	}
	return (long)done;
}

int aws_zip_json_init(struct aws_zip_json *z, const char *before, const char *after, const char *path)
{
	struct stat st;

	memset(z, 0, sizeof(*z));
	z->file = fopen(path, "rb");
	if (!z->file || fstat(fileno(z->file), &st)) {
		int e = errno;

		if (z->file)
			fclose(z->file);
		z->file = NULL;
		errno = e;
		return -1;
	}
	z->file_size = (uint64_t)st.st_size;
	z->before = xstrdup(before);
	z->after = xstrdup(after);
	z->source.read = zip_json_read;
	z->source.rewind = zip_json_rewind;
	z->source.ctx = z;
	z->source.len = strlen(before) + 4 * (size_t)((z->file_size + 2) / 3) + strlen(after);
	return 0;
}

void aws_zip_json_release(struct aws_zip_json *z)
{
	if (z->file)
		fclose(z->file);
	free(z->before);
	free(z->after);
	memset(z, 0, sizeof(*z));
}
