#ifndef BLAMBDA_AWS_CLIENT_H
#define BLAMBDA_AWS_CLIENT_H

#include <time.h>

#include "aws/profile.h"
#include "core/buf.h"
#include "core/error.h"
#include "core/http.h"
#include "core/observer.h"

/*
 * The AWS client: the profile, region and endpoints resolved as the AWS CLI
 * does, and calls signed with SigV4 (anew for every attempt) and sent through
 * the retrying HTTP client with the credentials the caller gives. The
 * credentials chain (aws/credentials.h) sits above this module and STS
 * (aws/sts.h) beside it; aws_call() in aws/aws.h joins them for the service
 * modules. Nothing touches the network until a call needs it, and nothing
 * here prints.
 */

enum aws_cred_source {
	CRED_NONE, CRED_ENV, CRED_PROFILE, CRED_ASSUME_ROLE, CRED_SSO, CRED_PROCESS, CRED_CONTAINER, CRED_IMDS,
	CRED_WEB_IDENTITY,
};

struct aws_credentials {
	struct buf access_key_id;
	struct buf secret_access_key; /* wiped on release */
	struct buf session_token;     /* wiped on release; empty for long-term keys */
	time_t expiration;            /* 0: does not expire */
	enum aws_cred_source source;
	char *detail;                 /* where they came from, for people: "profile 'dev' in ~/.aws/credentials" */
};
#define AWS_CREDENTIALS_INIT { BUF_INIT, BUF_SECRET, BUF_SECRET, 0, CRED_NONE, NULL }
void aws_credentials_init(struct aws_credentials *c);


/*
 * Where the command line and the project say to talk to AWS: each value
 * with where it came from ("--region", "BLAMBDA_REGION", "blambda.yml:3"),
 * `flag` set when it was a command-line flag. Commands fill it from the
 * configuration; the client layers the AWS CLI's own sources around it:
 * a flag first, then AWS_PROFILE / AWS_REGION / AWS_DEFAULT_REGION /
 * AWS_ENDPOINT_URL(_SERVICE) and the profile, then the project's value.
 */
struct aws_setting {
	const char *value, *origin; /* NULL when unset */
	int flag;
};
struct aws_settings {
	struct aws_setting profile, region, endpoint_url;
	const struct observer *obs; /* hears of traces (-v), waits and uploads; may be NULL */
};

struct aws {
	struct aws_profiles profiles;
	char *profile;          /* the profile in use */
	char *profile_origin;   /* "--profile", "AWS_PROFILE", "blambda.yml:3", "default" */
	int profile_explicit;   /* named by --profile: environment keys are not used */
	char *region, *region_origin; /* NULL when no source sets one */
	char *endpoint, *endpoint_origin; /* the project's (or --endpoint-url's) endpoint URL, or NULL */
	int endpoint_flag;
	struct aws_credentials creds;
	int have_creds;
	long long creds_at_ms;    /* when the chain last found them (a refresh waits a minute at least) */
	struct http_client *http;
	long quick_ms;          /* nonzero: every call is tried once, for this long at most (optional lookups) */
	const struct observer *obs;
	struct aws *root;       /* a clone's: the client it was cloned from, whose credentials it shares (a refresh
				   runs once, there, for every thread), or NULL */
};

/*
 * Read the shared config files, pick the profile and the region (each
 * checked, whatever its source: a region that is not one never reaches a
 * host name). No network. -1 with err (a profile that is not there, a bad
 * region; EXIT_USAGE, with a hint). Nothing here prints.
 */
int aws_init(struct aws *a, const struct aws_settings *s, struct error *err);
/*
 * A client for one more region with credentials already resolved (copied):
 * what concurrent work in several regions uses, one client a thread, each
 * with its own HTTP connection. -1 with err.
 */
int aws_init_region(struct aws *a, const struct aws_settings *s, const char *region, const char *origin,
		    const struct aws_credentials *creds, struct error *err);
/*
 * A client like src (profile, region, endpoint, credentials copied) with an
 * HTTP connection of its own, for another thread; aws_release it, also
 * after -1 with err. Its credentials stay src's: when they are due for a
 * refresh, src's are refreshed (once for all its clones, under a lock) and
 * copied. src must outlive it and make no call while its clones work.
 */
int aws_clone(struct aws *dst, const struct aws *src, struct error *err);
/* A new HTTP client that traces to the client's observer (NULL with err when libcurl cannot be loaded). */
struct http_client *aws_http(struct aws *a, struct error *err);
/* A deep copy of src (secrets in wiped buffers). */
void aws_credentials_copy(struct aws_credentials *dst, const struct aws_credentials *src);
void aws_release(struct aws *a);

/* The region; -1 with err (EXIT_USAGE) naming every way to set one when there is none. */
int aws_region(struct aws *a, const char **region, struct error *err);
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

struct aws_call {
	const char *service;      /* lambda, iam, sts, s3 */
	const char *region;       /* NULL: the region in use */
	const char *method;
	const char *host_prefix;  /* prepended to the endpoint's host: S3's "BUCKET." */
	const char *path;         /* percent-encoded as it goes on the wire */
	const char *query;        /* percent-encoded, without '?', or NULL */
	const char *content_type; /* NULL: none */
	const void *body;
	size_t body_len;
	const char *body_file;    /* stream this file (body_len is its size) */
	const struct http_body_source *source; /* or a body produced as it is sent */
	const char *payload_sha256; /* hex SHA-256 of body_file or source when known; else computed */
	struct kvlist headers;    /* extra headers, signed too */
	unsigned sensitive : 1;   /* the answer carries secrets: never traced */
	unsigned private_bodies : 1; /* the bodies carry a function's settings (environment values): never traced;
				       unlike sensitive, a refusal's text is still shown */
	unsigned no_retry : 1;    /* one attempt only */
	FILE *sink;               /* write the answer's body here */
	const char *progress_label; /* a progress bar for an upload, on a terminal */
	long timeout_ms;          /* one attempt; 0: 120 s for a call, more for an upload by its size */
	/* AWS error codes worth another attempt for this call, besides throttling; may be NULL */
	int (*retry_code)(const char *code, const char *message);
};

/*
 * Sign with creds (NULL: send it unsigned) and send a call. Returns 0 for a 2xx answer; 1 when AWS
 * answered with an error (err holds AWS's code, message, status and request
 * id, exit class EXIT_AWS); -1 when no answer came or the call could not be
 * made (EXIT_NETWORK, or EXIT_FAIL for a local failure). Nothing is printed:
 * the caller knows what failed, puts that in front (error_prefix) and hands
 * it up. Whatever err held is released first.
 */
int aws_call_as(struct aws *a, const struct aws_credentials *creds, struct aws_call *call,
		struct http_response *resp, struct error *err);

/*
 * Query+XML (IAM, STS): the form (Action=...&Version=...&...) posted to the
 * service's "/" with creds, the answer parsed into *doc (caller frees with
 * xml_free; forward-declared here). With `secret` the answer is never traced
 * and its texts live in wiped buffers. Returns as aws_call_as() does; an
 * answer that is not XML is 1 with err->code "MalformedAnswer".
 */
struct xml_node;
int aws_query_call_as(struct aws *a, const struct aws_credentials *creds, const char *service, const char *region,
		      const struct buf *form, int secret, struct xml_node **doc, struct error *err);

/* The timeout of one attempt for a call that sends `len` bytes: 120 s plus 8 s a MB. */
long aws_timeout_for(size_t len);

/*
 * Field i of an ARN (arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE; i 1 is
 * the partition, 4 the account, 5 the resource with its colons) into out;
 * -1 when arn has fewer fields.
 */
int aws_arn_field(const char *arn, int i, struct buf *out);

/*
 * Append s percent-encoded as one path segment ('/' and ':' encoded too):
 * function names, layer names, ARNs and object keys in a REST path.
 */
void aws_path_segment(struct buf *path, const char *s);
/* The same for an S3 key: '/' kept. */
void aws_path_key(struct buf *path, const char *s);

/*
 * An error answer (JSON with x-amzn-ErrorType, or XML) as an error value:
 * EXIT_AWS, AWS's code, message, status and request id, and a hint for the
 * codes that say the credentials are wrong.
 */
void aws_error_parse(const struct http_response *resp, struct error *err);
/* A call that got no answer: EXIT_NETWORK (or EXIT_FAIL for a local failure), code "NetworkError". */
void aws_error_from_failure(const struct http_response *resp, struct error *err);
/* blambda's own finding about a call, with a code programs can test ("MalformedAnswer"); EXIT_FAIL. Returns -1. */
int aws_error_set(struct error *err, const char *code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

void aws_credentials_release(struct aws_credentials *c);
/* The partition of a region: "aws-cn" for cn-*, "aws-us-gov" for us-gov-*, else "aws". */
const char *aws_partition(const char *region);
/*
 * The regions of a partition where Lambda runs, as blambda knows them
 * (NULL-terminated); a region opted out of answers as if it had no
 * functions, and a newer one is not in it.
 */
const char *const *aws_partition_regions(const char *partition);
/* 1 for a region an account must turn on before it can be used (af-south-1, ...), as blambda knows them */
int aws_region_opt_in(const char *region);
/* 1 when s is an AWS account id: exactly twelve digits (NULL is not one). */
int aws_account_valid(const char *s);
/* Parse an ISO 8601 UTC time ("2026-11-28T12:00:00Z", fractions and "+00:00" allowed); -1 when unparsable. */
time_t aws_parse_time(const char *s);
/* Append name=value to a form body as the SDKs encode it (unreserved characters kept, space as '+'). */
void aws_form_add(struct buf *form, const char *name, const char *value);

#endif
