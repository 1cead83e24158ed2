#ifndef BLAMBDA_AWS_SIGV4_H
#define BLAMBDA_AWS_SIGV4_H

#include <time.h>

#include "core/buf.h"
#include "core/hash.h"
#include "core/strlist.h"

/*
 * AWS Signature Version 4, as separate pure stages (after aws-c-auth) so the
 * tests can compare each one with the AWS test suites:
 *
 *   canonical request -> string to sign -> signing key -> signature
 *
 * The request is described as it goes on the wire: `path` is percent-encoded
 * as sent. Every service but S3 normalises that path and encodes it once more
 * (an ARN's ':' is %3A on the wire and %253A in the canonical request); S3
 * signs the path as sent, only encoding what was left unencoded.
 */

#define SIGV4_UNSIGNED_PAYLOAD "UNSIGNED-PAYLOAD"

struct sigv4_request {
	const char *method;
	const char *path;         /* as sent, without the query */
	const char *query;        /* as sent, without '?'; NULL or "" for none */
	struct kvlist headers;    /* to be signed, in any order, repeated names allowed */
	const char *payload_hash; /* hex SHA-256 of the body, or SIGV4_UNSIGNED_PAYLOAD */
	int s3;                   /* S3's path rules */
};

struct sigv4_key {
	const char *access_key_id;
	const char *secret_access_key;
	const char *session_token; /* NULL or "" when the credentials have none */
};

/* URI-encode as SigV4 wants: unreserved characters kept, everything else %XX (uppercase). */
void sigv4_uri_encode(struct buf *out, const char *s, size_t len, int keep_slash);

void sigv4_canonical_uri(const char *path, int s3, struct buf *out);
void sigv4_canonical_query(const char *query, struct buf *out);
/* Lowercased, trimmed, sorted "name:value\n" lines, and the ';'-joined names. */
void sigv4_canonical_headers(const struct kvlist *headers, struct buf *canonical, struct buf *signed_names);
void sigv4_canonical_request(const struct sigv4_request *req, struct buf *out, struct buf *signed_names);

/* "20150830/us-east-1/service/aws4_request" from an x-amz-date "20150830T123600Z". */
void sigv4_scope(const char *amz_date, const char *region, const char *service, struct buf *out);
void sigv4_string_to_sign(const char *amz_date, const char *scope, const char *canonical_request, struct buf *out);
void sigv4_signing_key(const char *secret, const char *amz_date, const char *region, const char *service,
		       unsigned char key[SHA256_LEN]);
void sigv4_signature(const unsigned char key[SHA256_LEN], const char *string_to_sign, char hex[SHA256_HEX_LEN + 1]);

/* "20150830T123600Z" for t. */
void sigv4_amz_date(time_t t, char out[17]);

/*
 * Sign req: adds X-Amz-Date, X-Amz-Security-Token (when the key has a token)
 * and, for S3, X-Amz-Content-Sha256 to req->headers, and writes the
 * Authorization header's value to authz. The headers must include Host.
 */
void sigv4_sign(struct sigv4_request *req, const struct sigv4_key *key, const char *region, const char *service,
		time_t now, struct buf *authz);

#endif
