#ifndef BLAMBDA_AWS_LAMBDA_H
#define BLAMBDA_AWS_LAMBDA_H

#include <stdint.h>
#include <stdio.h>

#include "aws/aws.h"
#include "core/strlist.h"

/*
 * The Lambda API (REST+JSON): functions and layer versions. Knows the API
 * and reports nothing itself (an upload's progress bar, drawn by the HTTP
 * client on a terminal, is the one thing on screen). Every call returns as
 * aws_call() does: 0, 1 (AWS's error in *err, or "MalformedAnswer" when a 2xx
 * answer lacks what it must hold), -1 (no answer, or a local failure such as
 * an unreadable zip). `region` NULL is the region in use. Every `out` is
 * zeroed first and filled on 0; the caller releases it whatever the result
 * (lambda_function_release, lambda_layer_version_release).
 */

/* Where code comes from: a local zip uploaded in the request, or an object in S3. */
struct lambda_code {
	const char *zip_path;       /* uploaded directly (base64 inside the JSON, streamed) */
	const char *s3_bucket, *s3_key;
	const char *progress_label; /* a progress bar for the upload, on a terminal */
};

/* What blambda sets on a function. */
struct lambda_settings {
	const char *name;
	const char *runtime, *handler, *role, *architecture, *description;
	long memory, timeout;
	const struct kvlist *environment;
	const struct strlist *layers; /* layer version ARNs, in order */
	const struct kvlist *tags;    /* CreateFunction only */
	const char *tracing;          /* TracingConfig.Mode: "Active" or "PassThrough" (NULL: Lambda's default) */
	long ephemeral_storage;       /* MB of /tmp (0: Lambda's default, 512) */
	const struct strlist *subnets, *security_groups; /* VpcConfig (none: out of any VPC) */
	long reserved_concurrency;    /* with `reserve`: PutFunctionConcurrency, a write of its own */
	unsigned reserve : 1;         /* instances are reserved (else none are) */
	const char *revision_id;      /* UpdateFunctionConfiguration: only if the function is still at it, or NULL */
	unsigned layers_only : 1;     /* UpdateFunctionConfiguration: send the layers alone (deploy --code-only) */
};

/* A function as GetFunction (or a create/update answer) describes it. */
struct lambda_function {
	char *name, *arn, *runtime, *handler, *role, *architecture, *description;
	char *package_type;               /* Zip or Image (NULL: Lambda did not say) */
	char *revision_id;                /* changes with every update: a write may be made conditional on it */
	char *last_modified;              /* when it last changed, as Lambda writes it */
	char *code_sha256;                /* base64, as Lambda gives it */
	char *state, *state_reason, *last_update_status, *last_update_reason;
	long memory, timeout;
	char *tracing;                    /* "Active" or "PassThrough" */
	long ephemeral_storage;           /* MB */
	struct strlist subnets, security_groups;
	long reserved_concurrency;        /* GetFunction: instances reserved, when `reserved` */
	int reserved;                     /* GetFunction: the function has a reservation */
	struct kvlist environment;
	struct strlist layers;
	struct kvlist tags;
	char *code_location;              /* GetFunction: where the zip can be fetched for some minutes (a presigned
					     URL: a secret, never printed), or NULL */
};
void lambda_function_release(struct lambda_function *f);

/* GetFunction. A function that does not exist is 1 with err->code "ResourceNotFoundException". */
int lambda_get_function(struct aws *a, const char *region, const char *name, struct lambda_function *out,
			struct error *err);
/* CreateFunction with s (tags included) and the code; *out is the new function (State Pending, usually). */
int lambda_create_function(struct aws *a, const char *region, const struct lambda_settings *s,
			   const struct lambda_code *code, struct lambda_function *out, struct error *err);
/*
 * UpdateFunctionCode, with the architecture (a change of architecture goes
 * with the code); with revision_id, only if the function is still at that
 * revision (else 1 with err->code "PreconditionFailedException").
 */
int lambda_update_code(struct aws *a, const char *region, const char *name, const char *architecture,
		       const char *revision_id, const struct lambda_code *code, struct lambda_function *out,
		       struct error *err);
/* UpdateFunctionConfiguration: everything in s but name, tags and architecture. */
int lambda_update_configuration(struct aws *a, const char *region, const struct lambda_settings *s,
				struct lambda_function *out, struct error *err);

/* PutFunctionConcurrency with `reserved` instances (0 stops the function); DeleteFunctionConcurrency when it is -1. */
int lambda_set_concurrency(struct aws *a, const char *region, const char *name, long reserved, struct error *err);
/* UntagResource: the tag `key` off a function (one that is not there is no error). */
int lambda_untag_resource(struct aws *a, const char *region, const char *arn, const char *key,
			  struct error *err);
/*
 * ListFunctions, every page: "LAYER-VERSION-ARN FUNCTION" for each layer of
 * each function in the region, appended to out.
 */
int lambda_layers_in_use(struct aws *a, const char *region, struct strlist *out, struct error *err);
/*
 * ListFunctions of every version, every page: "ROLE-ARN FUNCTION VERSION"
 * ($LATEST or a number) for each function version in the region, appended to out.
 */
int lambda_roles_in_use(struct aws *a, const char *region, struct strlist *out, struct error *err);


/* TagResource: add or change these tags on a function (none removed). */
int lambda_tag_resource(struct aws *a, const char *region, const char *arn, const struct kvlist *tags,
			struct error *err);

/* What Invoke answered. */
struct lambda_invocation {
	long status;             /* 200 (RequestResponse), 202 (Event), 204 (DryRun) */
	char *function_error;    /* X-Amz-Function-Error ("Unhandled"), NULL when the function succeeded */
	char *executed_version;  /* X-Amz-Executed-Version */
	char *request_id;
	struct buf log;          /* X-Amz-Log-Result decoded: the end of the log, with Tail */
	int log_unreadable;      /* X-Amz-Log-Result was there but not base64 */
	struct buf payload;      /* the function's answer, or its error */
};
void lambda_invocation_init(struct lambda_invocation *v);
void lambda_invocation_release(struct lambda_invocation *v);

/* What to invoke, and how. */
struct lambda_invoke_request {
	const char *region;     /* NULL: the region in use */
	const char *name;
	const char *qualifier;  /* a version or alias, or NULL */
	const char *type;       /* "RequestResponse" (NULL), "Event" or "DryRun" */
	int tail;               /* the end of the log comes back too */
	const void *payload;
	size_t len;
};
/*
 * Invoke as req says. Tried once (an invocation is not idempotent), waiting
 * up to Lambda's 15 minutes.
 */
int lambda_invoke(struct aws *a, const struct lambda_invoke_request *req, struct lambda_invocation *out,
		  struct error *err);

struct lambda_layer_version {
	char *layer_arn, *version_arn, *description;
	char *code_sha256; /* base64 */
	long version;      /* 0: the layer has no version */
	struct strlist runtimes, architectures;
};
void lambda_layer_version_release(struct lambda_layer_version *v);

/* The newest version of a layer with its CodeSha256 (ListLayerVersions, then GetLayerVersion); version 0 when none. */
int lambda_latest_layer_version(struct aws *a, const char *region, const char *name,
				struct lambda_layer_version *out, struct error *err);
/* PublishVersion: a version of the function as it is now; *version its number, *arn its ARN (caller frees). */
int lambda_publish_version(struct aws *a, const char *region, const char *name, const char *description,
			   long *version, char **arn, struct error *err);
/* An alias's version when it points at the unpublished code, $LATEST */
#define LAMBDA_VERSION_LATEST (-1L)
/* GetAlias: the version the alias points at (0 when it does not exist: no error; LAMBDA_VERSION_LATEST). */
int lambda_get_alias(struct aws *a, const char *region, const char *name, const char *alias, long *version,
		     struct error *err);
/* CreateAlias (create) or UpdateAlias: alias pointing at version; *arn the alias ARN (caller frees). */
int lambda_put_alias(struct aws *a, const char *region, const char *name, const char *alias, long version,
		     int create, char **arn, struct error *err);

/* A published version of a function, as ListVersionsByFunction describes it. */
struct lambda_version {
	long version;
	char *last_modified, *code_sha256, *description;
	struct strlist layers;          /* layer version ARNs */
};
struct lambda_versions {
	struct lambda_version *items;   /* oldest first */
	size_t nr, alloc;
};
void lambda_versions_release(struct lambda_versions *l);
/* ListVersionsByFunction, every page: the published versions ($LATEST left out), oldest first. */
int lambda_list_versions(struct aws *a, const char *region, const char *name, struct lambda_versions *out,
			 struct error *err);

/* An alias, and the versions it sends calls to. */
struct lambda_alias {
	char *name;
	long version;                   /* LAMBDA_VERSION_LATEST for $LATEST */
	long extra_version;             /* a weighted alias's second version, or 0 */
};
struct lambda_aliases {
	struct lambda_alias *items;
	size_t nr, alloc;
};
void lambda_aliases_release(struct lambda_aliases *l);
/* ListAliases, every page, with their versions. */
int lambda_aliases(struct aws *a, const char *region, const char *name, struct lambda_aliases *out,
		   struct error *err);
/* DeleteFunction of one published version (Qualifier). */
int lambda_delete_version(struct aws *a, const char *region, const char *name, long version, struct error *err);

/* GetLayerVersionPolicy: the statement ids of a layer version's policy, appended to out (none: no error). */
int lambda_layer_policy_sids(struct aws *a, const char *region, const char *name, long version, struct strlist *out,
			     struct error *err);
/* AddLayerVersionPermission: lambda:GetLayerVersion for principal (an account id or *), within org when given. */
int lambda_add_layer_permission(struct aws *a, const char *region, const char *name, long version, const char *sid,
				const char *principal, const char *org, struct error *err);
/* RemoveLayerVersionPermission (a statement already gone is no error). */
int lambda_remove_layer_permission(struct aws *a, const char *region, const char *name, long version,
				   const char *sid, struct error *err);

/* A function URL's configuration. */
struct lambda_url {
	char *url;                      /* https://ID.lambda-url.REGION.on.aws/ (answers only) */
	char *auth;                     /* NONE or AWS_IAM */
	struct strlist origins, methods, headers;
	long max_age;                   /* 0: none */
	int credentials;                /* allow credentials */
};
void lambda_url_release(struct lambda_url *u);
/* GetFunctionUrlConfig; *exists 0 (and no error) when the function has no URL. */
int lambda_get_url(struct aws *a, const char *region, const char *name, struct lambda_url *out, int *exists,
		   struct error *err);
/* CreateFunctionUrlConfig (create) or UpdateFunctionUrlConfig with want's auth and CORS; *url the URL (caller frees). */
int lambda_put_url(struct aws *a, const char *region, const char *name, const struct lambda_url *want, int create,
		   char **url, struct error *err);
/* DeleteFunctionUrlConfig (a URL already gone is no error). */
int lambda_delete_url(struct aws *a, const char *region, const char *name, struct error *err);
/*
 * AddPermission letting anyone call the function's URL (for auth NONE), as
 * statement `sid`; RemovePermission of it. Either already done is no error.
 */
int lambda_allow_public_url(struct aws *a, const char *region, const char *name, const char *sid,
			    struct error *err);
int lambda_remove_permission(struct aws *a, const char *region, const char *name, const char *sid,
			     struct error *err);

/* A layer's versions as ListLayerVersions gives them (every page; none when the layer does not exist). */
struct lambda_layer_versions {
	struct lambda_layer_entry {
		long version;
		char *version_arn, *description;
	} *items;
	size_t nr, alloc;
};
void lambda_layer_versions_release(struct lambda_layer_versions *l);
int lambda_layer_versions(struct aws *a, const char *region, const char *name, struct lambda_layer_versions *out,
			  struct error *err);
/* DeleteLayerVersion (a version already gone is no error in Lambda). */
int lambda_delete_layer_version(struct aws *a, const char *region, const char *name, long version,
				struct error *err);
/* DeleteFunction, every version of it. A function that does not exist is 1 with "ResourceNotFoundException". */
int lambda_delete_function(struct aws *a, const char *region, const char *name, struct error *err);

/* PublishLayerVersion for Lambda's provided runtimes and one architecture. */
int lambda_publish_layer_version(struct aws *a, const char *region, const char *name, const char *description,
				 const char *architecture, const struct lambda_code *code,
				 struct lambda_layer_version *out, struct error *err);

/*
 * Fetch a function's zip from its code location (GetFunction's
 * Code.Location) into sink, at most max bytes. Only an https URL is
 * fetched, or an http one on the host of an http endpoint the client was
 * pointed at (a local stand-in for AWS); nothing is signed or sent but the
 * GET, and the URL is never traced with its query. -1 with err.
 */
int lambda_fetch_code(struct aws *a, const char *region, const char *location, FILE *sink, uint64_t max,
		      struct error *err);

/*
 * AddPermission: principal (events.amazonaws.com, ...) may call the function
 * from source_arn (and source_account, when not NULL), as statement sid (one already there is no error).
 */
int lambda_add_permission(struct aws *a, const char *region, const char *name, const char *sid, const char *principal,
			  const char *source_arn, const char *source_account, struct error *err);
/* GetPolicy: the statement ids of the function's policy appended to out (no policy: none). */
int lambda_policy_sids(struct aws *a, const char *region, const char *name, struct strlist *out, struct error *err);

/* An event source mapping (a queue or a stream that calls the function), as Lambda has it or is to have it. */
struct lambda_mapping {
	char *uuid;
	char *source;            /* the queue's or stream's ARN */
	char *state;             /* Creating, Enabled, Disabled, Updating, ... */
	char *starting_position; /* a stream's (LATEST, TRIM_HORIZON); NULL for a queue */
	long batch_size, batch_window, max_concurrency;
	int report_failures;     /* FunctionResponseTypes holds ReportBatchItemFailures */
	int enabled;             /* to be written (a read says it in state) */
};
struct lambda_mappings {
	struct lambda_mapping *items;
	size_t nr;
};
void lambda_mapping_release(struct lambda_mapping *m);
void lambda_mappings_release(struct lambda_mappings *l);
/* ListEventSourceMappings of function name, every page, appended to out. */
int lambda_list_mappings(struct aws *a, const char *region, const char *name, struct lambda_mappings *out,
			 struct error *err);
/* CreateEventSourceMapping of m for function name; *out the new one (caller releases its strings). */
int lambda_create_mapping(struct aws *a, const char *region, const char *name, const struct lambda_mapping *m,
			  struct lambda_mapping *out, struct error *err);
/* UpdateEventSourceMapping: m's settings (batch, window, concurrency, failures, enabled). */
int lambda_update_mapping(struct aws *a, const char *region, const char *uuid, const struct lambda_mapping *m,
			  struct lambda_mapping *out, struct error *err);
/* GetEventSourceMapping. */
int lambda_get_mapping(struct aws *a, const char *region, const char *uuid, struct lambda_mapping *out,
		       struct error *err);
/* DeleteEventSourceMapping (one that is gone is no error). */
int lambda_delete_mapping(struct aws *a, const char *region, const char *uuid, struct error *err);

/* A function's event invoke config: what becomes of its asynchronous invocations */
struct lambda_invoke_config {
	long max_retries, max_event_age; /* -1: Lambda's default */
	char *on_success, *on_failure;   /* destination ARNs, or NULL */
};
void lambda_invoke_config_release(struct lambda_invoke_config *c);
/* GetFunctionEventInvokeConfig; *exists 0 (and out empty) when the function has none. */
int lambda_get_invoke_config(struct aws *a, const char *region, const char *name, struct lambda_invoke_config *out,
			     int *exists, struct error *err);
/* PutFunctionEventInvokeConfig with want; with want NULL, DeleteFunctionEventInvokeConfig (none is no error). */
int lambda_put_invoke_config(struct aws *a, const char *region, const char *name,
			     const struct lambda_invoke_config *want, struct error *err);

#endif
