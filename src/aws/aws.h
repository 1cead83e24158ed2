#ifndef BLAMBDA_AWS_AWS_H
#define BLAMBDA_AWS_AWS_H

#include <time.h>

#include "aws/profile.h"
#include "config/config.h"
#include "core/buf.h"
#include "core/http.h"

/*
 * The one way blambda talks to AWS. It resolves the profile, region,
 * endpoints and credentials as the AWS CLI does, signs every request with
 * SigV4 and sends it through the retrying HTTP client. Nothing touches the
 * network until a call needs it.
 */

enum aws_cred_source {
	CRED_NONE, CRED_ENV, CRED_PROFILE, CRED_ASSUME_ROLE, CRED_SSO, CRED_PROCESS, CRED_CONTAINER, CRED_IMDS,
};

struct aws_credentials {
	struct buf access_key_id;
	struct buf secret_access_key; /* wiped on release */
	struct buf session_token;     /* wiped on release; empty for long-term keys */
	time_t expiration;            /* 0: does not expire */
	enum aws_cred_source source;
	char *detail;                 /* where they came from, for people: "profile 'dev' in ~/.aws/credentials" */
};

struct aws_error {
	long status;
	char *code;       /* "AccessDeniedException", or "HTTP 502" when the answer had none */
	char *message;
	char *request_id;
	int attempts;
};

struct aws {
	const struct config *cfg;
	struct aws_profiles profiles;
	char *profile;          /* the profile in use */
	char *profile_origin;   /* "--profile", "AWS_PROFILE", "blambda.yml:3", "default" */
	int profile_explicit;   /* named by --profile: environment keys are not used */
	char *region, *region_origin;
	struct aws_credentials creds;
	int have_creds;
	struct http_client *http;
};

/* Read the shared config files and pick the profile. No network. */
int aws_init(struct aws *a, const struct config *cfg);
void aws_release(struct aws *a);

/* The region and where it came from; an error naming every way to set one when there is none. */
int aws_region(struct aws *a, const char **region);
/* The same, silent: -1 when no region is set. */
int aws_region_try(struct aws *a, const char **region);
/*
 * The endpoint URL for `service` ("lambda", "iam", "sts", "s3", "sso") into
 * url (no trailing slash), and in *origin where an override came from (NULL
 * for the service's own endpoint).
 */
int aws_endpoint(struct aws *a, const char *service, struct buf *url, const char **origin);
/* The same for a given region rather than the resolved one. */
int aws_endpoint_in(struct aws *a, const char *service, const char *region, struct buf *url, const char **origin);
/* Resolve the credentials chain once; later calls return the same credentials. */
int aws_get_credentials(struct aws *a, const struct aws_credentials **out);
const char *aws_cred_source_name(enum aws_cred_source s);

struct aws_call {
	const char *service;      /* lambda, iam, sts, s3 */
	const char *region;       /* NULL: the region in use */
	const char *method;
	const char *path;         /* percent-encoded as it goes on the wire */
	const char *query;        /* percent-encoded, without '?', or NULL */
	const char *content_type; /* NULL: none */
	const void *body;
	size_t body_len;
	const char *body_file;    /* stream this file (body_len is its size) */
	struct kvlist headers;    /* extra headers, signed too */
	unsigned sensitive : 1;   /* the answer carries secrets: never traced */
	FILE *sink;               /* write the answer's body here */
};

/*
 * Sign and send a call. Returns 0 for a 2xx answer; 1 when AWS answered with
 * an error, described in *err (not printed: the caller knows what failed and
 * reports it with aws_error_report); -1 when there was no answer or no
 * credentials (error printed).
 */
int aws_call(struct aws *a, struct aws_call *call, struct http_response *resp, struct aws_error *err);
/* Same, signed with the given credentials rather than the resolved ones. */
int aws_call_as(struct aws *a, const struct aws_credentials *creds, struct aws_call *call,
		struct http_response *resp, struct aws_error *err);

/* Parse an error answer (JSON with x-amzn-ErrorType, or XML) into err. */
void aws_error_parse(const struct http_response *resp, struct aws_error *err);
/* Print "WHAT: Code: message (request id ...)" with hints; returns -1, exit status EXIT_AWS. */
int aws_error_report(const struct aws_error *err, const char *what);
void aws_error_release(struct aws_error *err);

void aws_credentials_release(struct aws_credentials *c);
/* Parse an ISO 8601 UTC time ("2026-11-28T12:00:00Z", fractions and "+00:00" allowed); -1 when unparsable. */
time_t aws_parse_time(const char *s);
/* Append v percent-encoded for a query string or form body (unreserved characters kept). */
void aws_form_add(struct buf *form, const char *name, const char *value);

#endif
