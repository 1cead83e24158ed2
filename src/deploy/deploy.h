#ifndef BLAMBDA_DEPLOY_DEPLOY_H
#define BLAMBDA_DEPLOY_DEPLOY_H

#include "aws/apigw.h"
#include "aws/aws.h"
#include "aws/lambda.h"
#include "config/config.h"
#include "core/strlist.h"
#include "package/artifact.h"
#include "package/zip.h"

/*
 * Deploying a project to one region: first a plan, made from what AWS holds
 * now (reads only), saying for the layers, the role and the function what
 * to create, update or leave alone, and why; then its execution (the
 * writes, each followed by the wait Lambda needs). `--dry-run` stops after
 * the plan. Nothing here prints: cmd/deploy.c renders plan and result.
 */

enum deploy_action {
	DEPLOY_UNCHANGED, /* AWS already holds it */
	DEPLOY_CREATE,
	DEPLOY_UPDATE,
	DEPLOY_PUBLISH,   /* a new layer version */
	DEPLOY_DELETE,    /* a function URL blambda made, no longer in blambda.yml */
};

/* What a step deploys; deploy_kinds[] describes each. */
enum deploy_kind {
	DEPLOY_RUNTIME_LAYER,
	DEPLOY_DEPS_LAYER,
	DEPLOY_ROLE,
	DEPLOY_FUNCTION,
	DEPLOY_VERSION,
	DEPLOY_ALIAS,
	DEPLOY_URL,
	DEPLOY_SCHEDULE,
	DEPLOY_MAPPING,
	DEPLOY_ASYNC,
	DEPLOY_LOG_GROUP,
	DEPLOY_HTTP_API,  /* the project's HTTP API (API Gateway v2), before the functions */
	DEPLOY_ROUTES,    /* a function's routes on it: its integration, routes and permission */
	DEPLOY_S3,        /* a function's entries in one bucket's notification set, and its permission */
	DEPLOY__KINDS
};
struct deploy_kind_info {
	const char *id;    /* as --json names it: "runtime-layer" */
	const char *words; /* for people: "runtime layer" */
	const char *list;  /* the --json list its steps go in: "layers" */
};
extern const struct deploy_kind_info deploy_kinds[DEPLOY__KINDS];

/* The writes a function's step makes (planned) and has made (done), as bits. */
enum deploy_write {
	DEPLOY_WRITE_CREATE = 1 << 0, /* CreateFunction (the role: CreateRole) */
	DEPLOY_WRITE_CODE = 1 << 1,   /* UpdateFunctionCode */
	DEPLOY_WRITE_CONFIG = 1 << 2, /* UpdateFunctionConfiguration */
	DEPLOY_WRITE_TAGS = 1 << 3,   /* TagResource */
	DEPLOY_WRITE_POLICY = 1 << 4, /* the role: AttachRolePolicy, DetachRolePolicy */
	DEPLOY_WRITE_CONCURRENCY = 1 << 5, /* PutFunctionConcurrency or DeleteFunctionConcurrency */
};
/* The name --json gives one write bit ("create", "code", "configuration", "tags", "policy", "concurrency"). */
const char *deploy_write_name(unsigned bit);

/* The writes of a schedule or mapping step, as bits */
enum deploy_trigger_write {
	DEPLOY_TRIGGER_RULE = 1 << 0,       /* schedule: PutRule */
	DEPLOY_TRIGGER_TARGET = 1 << 1,     /* schedule: PutTargets */
	DEPLOY_TRIGGER_PERMISSION = 1 << 2, /* schedule: AddPermission */
	DEPLOY_TRIGGER_MAPPING = 1 << 3,    /* mapping: Create/UpdateEventSourceMapping */
	DEPLOY_TRIGGER_INTEGRATION = 1 << 4, /* routes: CreateIntegration */
	DEPLOY_TRIGGER_UNINTEGRATE = 1 << 5, /* routes: DeleteIntegration (no route left) */
	DEPLOY_TRIGGER_API = 1 << 6,        /* http api: CreateApi */
	DEPLOY_TRIGGER_STAGE = 1 << 7,      /* http api: CreateStage $default */
	DEPLOY_TRIGGER_CORS = 1 << 8,       /* http api: UpdateApi or DeleteCorsConfiguration */
	DEPLOY_TRIGGER_NOTIFICATION = 1 << 9, /* s3: PutBucketNotificationConfiguration */
};

/* The tag that marks functions and roles blambda made (layers take no tags: their description says it). */
#define DEPLOY_TAG_KEY "blambda:managed-by"
#define DEPLOY_TAG_VALUE "blambda"
/*
 * 1 when d is exactly a description blambda writes on the layer versions it
 * publishes ("blambda V runtime layer: Babashka V (ARCH)", "blambda V deps
 * layer (ARCH)"): layers take no tags, so this is their mark.
 */
int deploy_layer_is_blambdas(const char *d);
/* 1 when these tags carry blambda's mark */
int deploy_is_ours(const struct kvlist *tags);
/*
 * Function `name` in region (NULL: the client's) is one blambda made: 0, or
 * -1 with err (NotOurs, with the hint naming 'blambda import'; or why it
 * could not be read). What prune and rollback check before they write.
 */
int deploy_check_ours(struct aws *a, const char *region, const char *name, struct error *err);
/*
 * The tag that remembers which keys of function.tags blambda put on a
 * function (space-separated, as many as 256 characters hold; a key with a
 * space is not remembered), so that a key gone from function.tags goes
 * from the function, and a tag someone else put there stays.
 */
#define DEPLOY_TAGS_TAG_KEY "blambda:tags"
/* The record of user_tags' keys, for DEPLOY_TAGS_TAG_KEY */
void deploy_tags_record(const struct kvlist *user_tags, struct buf *out);
/* The tag keys to take off a function that has `have` and should have `want` (those recorded and no longer wanted) */
void deploy_tags_removed(const struct kvlist *have, const struct kvlist *want, struct strlist *out);
/*
 * The tag that holds a digest of the settings blambda last wrote to a
 * function (runtime, handler, role, architecture, description, memory,
 * timeout, environment, layers): when the function's settings no longer
 * match it, someone changed them outside blambda.
 */
#define DEPLOY_SETTINGS_TAG_KEY "blambda:settings"
#define DEPLOY_SETTINGS_DIGEST_LEN 16
void deploy_settings_digest_have(const struct lambda_function *f, char out[DEPLOY_SETTINGS_DIGEST_LEN + 1]);
void deploy_settings_digest_want(const struct lambda_settings *s, char out[DEPLOY_SETTINGS_DIGEST_LEN + 1]);
/* Lambda's TracingConfig.Mode for function.tracing ("active" -> "Active", else "PassThrough") */
const char *deploy_tracing_mode(const char *setting);
/* 1 when the function's settings are not those blambda last wrote (it carries the digest, and they differ) */
int deploy_changed_outside(const struct lambda_function *f);
/* "environment KEY added", "... changed", "... removed" (the names only: values may be secrets), appended to out */
void deploy_environment_changes(const struct kvlist *have, const struct kvlist *want, struct strlist *out);
/* The statement id blambda gives a layer version's permission for a layers.share entry: blambda-share-ENTRY (* is any) */
void deploy_share_sid(const char *entry, struct buf *out);
#define DEPLOY_SHARE_SID_PREFIX "blambda-share-"
/* The tag on a function whose URL blambda made (so that only such a URL goes when function.url goes) */
#define DEPLOY_URL_TAG_KEY "blambda:url"
/* The statement that lets anyone call a URL with auth NONE */
#define DEPLOY_URL_STATEMENT "blambda-url-public"

/* A function's log group: /aws/lambda/FUNCTION */
void deploy_log_group_name(const char *function, struct buf *out);
/* The rule of a function's schedule: blambda-FUNCTION-SCHEDULE, within EventBridge's 64 characters */
void deploy_rule_name(const char *function, const char *schedule, struct buf *out);
/* What the name of every rule of a function's schedules begins with (a ListRules prefix) */
void deploy_rule_prefix(const char *function, struct buf *out);
/*
 * The role blambda makes for a function without function.role:
 * FUNCTION-blambda-role, within IAM's 64 characters (a name over 51
 * characters: its first 42, then a digest of the whole).
 */
void deploy_role_name(const char *function, struct buf *out);
/* How long each wait lasts: a function becoming Active or finishing an update; a new role reaching Lambda. */
#define DEPLOY_WAIT_S 300
#define DEPLOY_ROLE_WAIT_S 120
#define DEPLOY_BASIC_POLICY "arn:%s:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
/*
 * The managed policies a role blambda makes holds for a function's settings:
 * the basic one always, and one for each setting that needs it (the VPC
 * one for vpc, X-Ray's for tracing active). A policy of this list that no
 * setting needs any more is detached; others attached to the role are left.
 */
struct deploy_managed_policy {
	const char *name;    /* AWSLambdaVPCAccessExecutionRole */
	const char *path;    /* "service-role/" or "" */
	const char *setting; /* why it is wanted: "vpc", or NULL for always */
};
extern const struct deploy_managed_policy deploy_managed_policies[];
extern const size_t deploy_managed_policies_nr;
/*
 * The tag on a role blambda made that remembers what function.policies put
 * on it: a short digest of each managed policy ARN it attached, and
 * "inline" for its inline policy (DEPLOY_INLINE_POLICY). Only what the tag
 * names is ever taken off; a policy someone else attached stays.
 */
#define DEPLOY_POLICIES_TAG_KEY "blambda:policies"
/*
 * The tag on a function that remembers the queues and streams blambda
 * mapped to it (a short digest of each source ARN): only a mapping it names
 * goes when its entry leaves function.events. Schedules need no record:
 * their rules carry blambda's tags (DEPLOY_TAG_KEY and
 * DEPLOY_FUNCTION_TAG_KEY, the function they call).
 */
#define DEPLOY_EVENTS_TAG_KEY "blambda:events"
#define DEPLOY_FUNCTION_TAG_KEY "blambda:function"
/*
 * The tags on an HTTP API blambda made: DEPLOY_TAG_KEY, and this one with
 * http-api.name (an API is found by them, never by its name alone). The
 * same key on a function names the API blambda routed to it.
 */
#define DEPLOY_HTTP_API_TAG_KEY "blambda:http-api"
/* Whether function f has http routes (function.events) */
int deploy_has_routes(const struct config *f);
/* How many HTTP APIs carry blambda's tags for `name` (their ids, comma-separated, appended to ids when not NULL) */
size_t deploy_count_apis(const struct apigw_apis *l, const char *name, struct buf *ids);
/* The API blambda made for http-api.name `name` (its tags say so, and it is an HTTP API), or NULL */
const struct apigw_api *deploy_find_api(const struct apigw_apis *l, const char *name);
/*
 * The tag on a function that names the buckets whose notification set holds
 * entries blambda made for it (space-separated), and the prefix of those
 * entries' ids (blambda-FUNCTION-DIGEST): only they are ever changed.
 */
#define DEPLOY_S3_TAG_KEY "blambda:s3"
/* The id of a function's entry in a bucket's notification set, for that entry's settings */
void deploy_s3_entry_id(const char *function, const struct cfg_event *e, struct buf *out);
/*
 * A bucket's notification document `have` (as S3 sent it; empty: none) with
 * function_arn's entries of blambda (their ids begin with
 * blambda-FUNCTION-) replaced by `want` (the function's s3 triggers of that
 * bucket): every other entry kept byte for byte. The ids it found into
 * found. -1 with why when `have` is not S3's document.
 */
int deploy_s3_rewrite(const char *have, size_t len, const char *function, const char *function_arn,
		      const struct cfg_event *const *want, size_t nwant, struct buf *out, struct strlist *found,
		      struct buf *why);
/*
 * Bucket's notification set read and written again with function's entries
 * of blambda as want says (none: taken out), one such write at a time in
 * the process; with `found`, only read: *found 1 when it holds such
 * entries. Returns as aws_call() does.
 */
int deploy_s3_set(struct aws *a, const char *region, const char *function, const char *function_arn,
		  const char *bucket, struct cfg_event **want, size_t nwant, int *found, struct error *err);
/* The statement that lets an API call a function: blambda-http-APIID */
#define DEPLOY_HTTP_SID_PREFIX "blambda-http-"
/* The tag on a schedule's rule that names the schedule (a long rule name is shortened) */
#define DEPLOY_SCHEDULE_TAG_KEY "blambda:schedule"
/* The tag on a function whose event invoke config blambda set (function.async): it goes when the keys do */
#define DEPLOY_ASYNC_TAG_KEY "blambda:async"
/* The tag on a function whose log group's retention blambda set: the days, so that it goes when the key does */
#define DEPLOY_RETENTION_TAG_KEY "blambda:log-retention"
#define DEPLOY_INLINE_POLICY "blambda"
/* The record of these managed ARNs (and the inline policy), sorted, for DEPLOY_POLICIES_TAG_KEY */
void deploy_policies_record(const struct strlist *managed, int has_inline, struct buf *out);
/* Whether a record names managed policy arn */
int deploy_policies_recorded(const char *record, const char *arn);
/* The ARN of policy i in the partition of region, into out */
void deploy_managed_policy_arn(size_t i, const char *region, struct buf *out);
/*
 * What the role blambda makes for function f holds beyond the settings'
 * policies: function.policies' managed ARNs, and one inline policy of its
 * statements and of what function.async's destinations take (sqs:SendMessage
 * on the queue, ...); document is left empty when there is none.
 */
void deploy_role_document(const struct config *f, struct strlist *managed, struct buf *document);
/* Whether function f's settings want policy i */
int deploy_wants_policy(const struct config *f, size_t i);

/*
 * How a deployed function differs from what blambda.yml and the build say,
 * one line each and by kind: the code (its digest, a flag; "architecture x
 * -> y"), the settings ("memory 512 -> 1024", "environment KEY added"), the
 * tags ("tag team changed"; blambda's own records are not listed).
 */
struct deploy_diff {
	struct strlist code, settings, tags;
	int code_changed; /* the zip's digest differs */
};
#define DEPLOY_DIFF_INIT { STRLIST_INIT, STRLIST_INIT, STRLIST_INIT, 0 }
void deploy_diff_release(struct deploy_diff *d);

struct deploy_http_reads;
/* Free what an HTTP API step read (NULL: nothing) */
void deploy_http_reads_free(struct deploy_http_reads *r);

struct deploy_step {
	enum deploy_kind kind;
	char *name;
	size_t fn;                     /* role, function: which of deploy_opts' functions */
	int role;                      /* function: the index of its role's step, -1 when function.role names one */
	enum deploy_action action;
	struct strlist reasons;        /* why it is (or is not) done: "memory 512 -> 1024" */
	const struct artifact *art;    /* the zip it uploads, for layers and the function */
	int via_s3;                    /* the zip goes through S3 */
	unsigned writes;               /* function, role: DEPLOY_WRITE_* it makes */
	char *revision_id;             /* function: the revision the plan read; each write is made only at it */
	int outside;                   /* function: its settings were changed outside blambda since blambda wrote them */
	struct deploy_diff diff;       /* function: how it differs from blambda.yml and the build, as planned */
	struct strlist kept;           /* function, --code-only: the settings and tags that differ and are left as they are */
	struct lambda_function *have;  /* function: as the plan read it (NULL: not there) */
	struct zip_changes files;      /* function, with deploy_opts.code_files: the files its code differs in */
	int files_known;               /* files was computed */
	char *last_modified;           /* function: when Lambda says it last changed */
	struct strlist share_add;      /* layer: the layers.share entries to grant (AddLayerVersionPermission) */
	struct strlist share_remove;   /* layer: blambda's statements to take back */
	struct strlist attach, detach; /* role: the managed policy ARNs to attach and to detach */
	char *inline_policy;           /* role: the document of its inline policy blambda to put, or NULL */
	int inline_delete;             /* role: its inline policy blambda goes (function.policies has no statement) */
	char *record;                  /* role: the new value of its tag blambda:policies, or NULL when it stays */
	struct kvlist records;         /* function: blambda's records (blambda:events, :async, :log-retention) its tags
					  carry through its lane: what is there and what is to come, until the lane
					  is done */
	struct kvlist records_after;   /* function: the records once its lane is done, where they differ ("" for a
					  record that goes); written last, so that a failure forgets nothing */
	/* schedule, mapping: one trigger of function.events */
	struct cfg_event *event;       /* as blambda.yml has it (a copy); NULL for blambda's trigger that goes */
	char *resource;                /* schedule: the rule's name; mapping: its UUID (NULL until it is made) */
	char *source;                  /* schedule: the rule's ARN (once known); mapping: the queue's or stream's ARN */
	unsigned trigger_writes;       /* DEPLOY_TRIGGER_*: what is to be written */
	/* http api (resource: its id, source: its URL, once known); routes (resource: the API's id, source:
	   the function's integration id, once known; attach: route keys to make, detach: route ids to delete,
	   share_add: the statement to add, share_remove: blambda's statements to take away) */
	char *api;                     /* http api, routes: the API's name (http-api.name) */
	struct strlist routes;         /* routes: the route keys the function has once done */
	struct strlist drop;           /* routes: the function's integrations to delete (a second one made by a
					  retried call; all of them when its routes go) */
	struct apigw_cors *cors;       /* http api: the CORS it gets (NULL: none) */
	struct deploy_http_reads *http_reads; /* http api: the APIs, and its integrations and routes, as the plan read
						 them once for every function's routes (read only once made) */
	/* after execution (or from the plan when unchanged) */
	char *arn;                     /* layer version, role or function ARN */
	long version;                  /* layer version; function version published; the version an alias points at */
	long old_version;              /* alias: the version it pointed at before (0: it did not exist) */
	char *state;                   /* function State */
	char *code_sha256;             /* base64, as Lambda reports it */
	int done;                      /* its writes succeeded */
	unsigned written;              /* function: DEPLOY_WRITE_* done, also when a later one failed */
	int planned;                   /* the plan got as far as this step (else it is not shown) */
	char *failed;                  /* function: what failed in its lane (its role, itself, its version, alias
					  or URL), "create function 'x'"; NULL when nothing did */
	struct error err;              /* function: that failure */
};

struct deploy_opts {
	const struct config *cfg;      /* the project */
	const struct config *fns;      /* each function to deploy, as it sees the configuration */
	size_t nfns;
	const char *region;
	int layers_only;               /* deploy --layer */
	int publish;                   /* deploy --publish: a version of each function (also when it has function.alias) */
	int code_files;                /* plan only (diff --files): a function whose code differs has it compared file by
					  file (files in its step) */
	int code_only;                 /* deploy --code-only: layers and code; an existing function's settings, tags,
					  role and URL are left as they are (its layer list takes blambda's new versions) */
	int use_s3;                    /* every zip through S3 */
	const char *git_commit;        /* the checkout's commit, for the description of a version published; or NULL */
	const char *s3_bucket;         /* NULL: none */
	const struct artifact *runtime_layer, *deps_layer, *function;
	int quiet_progress;            /* no spinner or progress bar (several regions at once) */
	const char *const *regions;    /* every region of the run (a role changed in one is changed in all) */
	size_t nregions;
	int jobs;                      /* functions deployed at once (0: DEPLOY_JOBS_DEFAULT) */
};
#define DEPLOY_JOBS_DEFAULT 8

struct deploy_plan {
	char *region;
	struct deploy_step *steps;
	size_t nr;
	/* a failure, in planning or in execution: the step it stopped at and AWS's answer */
	char *failed;                  /* "publish runtime layer 'blambda'" */
	struct error err;
	size_t writes;                 /* write calls made */
	size_t functions_failed;       /* functions whose lane failed (each step says how); p->failed is the first */
};

/* Read what AWS holds and decide. 0, or -1 with p->failed and p->err saying why. */
int deploy_plan_make(struct aws *a, const struct deploy_opts *o, struct deploy_plan *p);
/*
 * Carry out the plan: the layers, then each function with its role,
 * version, alias and URL, o->jobs functions at a time, each on a client of
 * its own; a function that fails does not stop the others. 0, or -1 with
 * p->failed and p->err (the first failure; a function's own is on its
 * step); steps done are marked done.
 */
int deploy_plan_execute(struct aws *a, const struct deploy_opts *o, struct deploy_plan *p);
void deploy_plan_release(struct deploy_plan *p);

/*
 * Plan, and unless dry_run execute, in n regions at once: one thread a
 * region, each with its own client awss[i] (see aws_init_region). Every
 * region is planned before any executes; a plan that meets what blambda did
 * not make (NotOurs) stops every region, else a failure in one region does
 * not stop the others. plans[i] gets region i's plan.
 * Returns how many regions failed.
 */
size_t deploy_regions(struct aws *awss, const char *const *regions, size_t n, const struct deploy_opts *o,
		      int dry_run, struct deploy_plan *plans);

/*
 * What must be written to make the deployed function `have` what `want`
 * says, its zip's CodeSha256 (base64) `code`: DEPLOY_WRITE_CODE, _CONFIG and
 * _TAGS bits, with each difference appended to d by kind. want's layers may
 * hold "" for a layer about to be published. Reads nothing but its
 * arguments.
 */
unsigned deploy_function_diff(const struct lambda_function *have, const struct lambda_settings *want,
			      const char *code, struct deploy_diff *d);
/*
 * The layer list an existing function gets from a deploy --code-only: its
 * own, with each version of a layer named `runtime` or `deps` replaced by
 * the new one (runtime_arn, deps_arn; "" for one about to be published), and
 * the runtime layer (then the deps layer) put first when it lacks them.
 * deps may be NULL (no deps layer).
 */
void deploy_code_only_layers(const struct strlist *have, const char *runtime, const char *runtime_arn,
			     const char *deps, const char *deps_arn, struct strlist *out);
/* 1 when a layer version ARN is of the layer called name (arn:...:layer:NAME:VERSION) */
int deploy_layer_arn_named(const char *arn, const char *name);
/* "created", "updated", "published", "unchanged" */
const char *deploy_action_name(enum deploy_action a, int dry_run);
/* 1 when the plan makes no write call. */
int deploy_plan_is_noop(const struct deploy_plan *p);
/*
 * A stop asked for (core/interrupt.h) as an error: code "Interrupted",
 * "interrupted", exit status 130 for SIGINT (128 + the signal otherwise).
 * Returns -1. deploy stops between steps and in its waits, never in a call.
 */
int deploy_interrupted(struct error *err);
/* 1 when err is such a stop */
int deploy_was_interrupted(const struct error *err);

/*
 * Which files differ between function f's deployed code in region (f as
 * GetFunction answered, a moment ago: its code location is short-lived) and
 * the zip local_zip (the build here): names only in the build (added by a
 * deploy), only deployed (removed), in both with other bytes or mode
 * (changed). The deployed zip is fetched from its code location (at most
 * BLAMBDA_MAX_DOWNLOAD_MB, into target/, removed after) and must have the
 * digest Lambda reports. -1 with err.
 */
int deploy_code_files(struct aws *a, const char *region, const struct lambda_function *f, const char *local_zip,
		      struct zip_changes *out, struct error *err);

#endif
