#ifndef BLAMBDA_AWS_S3_H
#define BLAMBDA_AWS_S3_H

#include <stdint.h>

#include "aws/aws.h"

/*
 * S3 (REST+XML): the objects that carry zips too large for a direct upload,
 * and small ones written whole (an asynchronous invocation's record).
 * Buckets are addressed virtual-host style on AWS (BUCKET.s3.REGION...) and
 * path style behind an endpoint override (local stand-ins). Never prints;
 * calls return as aws_call() does.
 */

/* HeadObject: *exists 1 with its size in *size, 0 when there is no such object (0 returned either way). */
int s3_head_object(struct aws *a, const char *region, const char *bucket, const char *key, int *exists,
		   uint64_t *size, struct error *err);
/*
 * PutObject streamed from path, whose SHA-256 (hex) and size the caller
 * knows: the body is signed by that digest and never held in memory.
 */
int s3_put_object(struct aws *a, const char *region, const char *bucket, const char *key, const char *path,
		  const char *sha256_hex, uint64_t size, const char *progress_label, struct error *err);
/* PutObject of len bytes held in memory, of this Content-Type. */
int s3_put_data(struct aws *a, const char *region, const char *bucket, const char *key, const char *content_type,
		const void *data, size_t len, struct error *err);
/*
 * GetBucketNotificationConfiguration: the document as S3 sent it (its bytes
 * kept, so that what others put there can go back unchanged).
 */
int s3_get_notification(struct aws *a, const char *region, const char *bucket, struct buf *xml, struct error *err);
/* PutBucketNotificationConfiguration: the whole document (S3 replaces the bucket's whole set). */
int s3_put_notification(struct aws *a, const char *region, const char *bucket, const char *xml, struct error *err);

#endif
