#ifndef BLAMBDA_CONFIG_CONFIG_H
#define BLAMBDA_CONFIG_CONFIG_H

#include "core/buf.h"
#include "core/error.h"
#include "core/strlist.h"

/*
 * The project configuration: blambda.yml read with libyaml into one struct,
 * with BLAMBDA_* environment variables and command-line flags layered on top
 * (flags > environment > blambda.yml > built-in defaults). Every value
 * remembers where it came from, for `blambda config` and for error messages.
 *
 * The keys are described once, in cfg_keys[]: parsing, validation, the
 * `blambda config` listing and the man page's CONFIGURATION section all read
 * that table. The other BLAMBDA_* variables (BLAMBDA_CACHE_DIR,
 * BLAMBDA_CONNECT_TIMEOUT, BLAMBDA_READ_TIMEOUT, BLAMBDA_RETRY_BASE_MS,
 * BLAMBDA_MAX_DOWNLOAD_MB, BLAMBDA_WAIT_SCALE, BLAMBDA_POD_REGISTRY_URL and
 * the runtime's BLAMBDA_BB) describe the machine, its network or a test rig,
 * not the project, so they have no place in blambda.yml and are read where
 * they are used; the man page's ENVIRONMENT lists them, and a test checks
 * that every variable the code reads is there. Keys are scoped: `function.*` keys describe one function, the
 * rest are shared by the project (layers, Babashka, AWS), which is what lets
 * one file grow to several functions sharing layers.
 */

enum cfg_id {
	CFG_FUNCTION_NAME,
	CFG_FUNCTION_HANDLER,
	CFG_FUNCTION_RUNTIME,
	CFG_FUNCTION_ARCHITECTURE,
	CFG_FUNCTION_MEMORY,
	CFG_FUNCTION_TIMEOUT,
	CFG_FUNCTION_ENVIRONMENT,
	CFG_FUNCTION_ENVIRONMENT_FILE,
	CFG_FUNCTION_SOURCE_PATHS,
	CFG_FUNCTION_ROLE,
	CFG_FUNCTION_POLICIES,
	CFG_FUNCTION_EVENTS,
	CFG_FUNCTION_LAYERS,
	CFG_FUNCTION_DESCRIPTION,
	CFG_FUNCTION_TRACING,
	CFG_FUNCTION_EPHEMERAL_STORAGE,
	CFG_FUNCTION_RESERVED_CONCURRENCY,
	CFG_FUNCTION_VPC_SUBNETS,
	CFG_FUNCTION_VPC_SECURITY_GROUPS,
	CFG_FUNCTION_ASYNC_MAX_RETRIES,
	CFG_FUNCTION_ASYNC_MAX_EVENT_AGE,
	CFG_FUNCTION_ASYNC_ON_SUCCESS,
	CFG_FUNCTION_ASYNC_ON_FAILURE,
	CFG_FUNCTION_LOG_RETENTION,
	CFG_FUNCTION_TAGS,
	CFG_FUNCTION_ALIAS,
	CFG_FUNCTION_URL_AUTH,
	CFG_FUNCTION_URL_CORS_ORIGINS,
	CFG_FUNCTION_URL_CORS_METHODS,
	CFG_FUNCTION_URL_CORS_HEADERS,
	CFG_FUNCTION_URL_CORS_MAX_AGE,
	CFG_FUNCTION_URL_CORS_CREDENTIALS,
	CFG_BABASHKA_VERSION,
	CFG_BABASHKA_MIRROR,
	CFG_LAYERS_RUNTIME,
	CFG_LAYERS_DEPS,
	CFG_LAYERS_SHARE,
	CFG_HTTP_API_NAME,
	CFG_HTTP_API_CORS_ORIGINS,
	CFG_HTTP_API_CORS_METHODS,
	CFG_HTTP_API_CORS_HEADERS,
	CFG_HTTP_API_CORS_MAX_AGE,
	CFG_HTTP_API_CORS_CREDENTIALS,
	CFG_DEPS_FILE,
	CFG_AWS_REGION,
	CFG_AWS_REGIONS,
	CFG_AWS_PROFILE,
	CFG_AWS_ENDPOINT_URL,
	CFG_AWS_S3_BUCKET,
	CFG__COUNT
};

enum cfg_type { CFG_STRING, CFG_INT, CFG_ENUM, CFG_LIST, CFG_MAP, CFG_TREE };

/*
 * A CFG_TREE value: blambda.yml's YAML under the key as it was written (a
 * list of entries that are maps, say), each node with its place in the
 * file, for values whose shape a flat key cannot hold (function.policies,
 * function.events). Its key's check_tree vouches for the shape.
 */
enum cfg_node_type { CFG_NODE_SCALAR, CFG_NODE_LIST, CFG_NODE_MAP };
struct cfg_node {
	enum cfg_node_type type;
	char *key;              /* its key in the map that holds it, else NULL */
	char *value;            /* a scalar's text ("" for null) */
	int quoted;             /* a scalar written in quotes: "5" and "true" stay text */
	int line, col;          /* where it starts in the file, from 1 */
	struct cfg_node *kids;  /* a list's entries, a map's values (each with its key) */
	size_t nkids;
};
enum cfg_source { SRC_DEFAULT, SRC_FILE, SRC_ENV, SRC_FLAG };

struct cfg_key {
	const char *key;   /* dotted path in blambda.yml */
	enum cfg_type type;
	const char *env;   /* BLAMBDA_* variable that sets it, or NULL */
	const char *def;   /* built-in default as text, or NULL */
	long min, max;     /* CFG_INT */
	const char *const *values;  /* CFG_ENUM */
	const char *const *aliases; /* pairs "wrong", "right" for better hints */
	/* Checks one scalar, list item (key NULL) or map entry; fills why and returns -1 on a bad value. */
	int (*check)(const char *key, const char *value, struct buf *why);
	const char *help;
	/* CFG_TREE: checks the whole value; fills why and *at (the node at fault) and returns -1 */
	int (*check_tree)(const struct cfg_node *n, struct buf *why, const struct cfg_node **at);
};

extern const struct cfg_key cfg_keys[CFG__COUNT];

struct cfg_value {
	enum cfg_source source;
	int present;         /* has a value (a default counts) */
	char *origin;        /* "blambda.yml:7", "BLAMBDA_MEMORY", "--memory" or "default" */
	int line;            /* line in the file when source is SRC_FILE */
	char *str;           /* CFG_STRING, CFG_ENUM, CFG_INT (as text) */
	long num;            /* CFG_INT */
	struct strlist list; /* CFG_LIST */
	struct kvlist map;   /* CFG_MAP */
	struct strlist hidden; /* CFG_MAP: keys whose values are secrets (function.environment-file's), never shown */
	struct cfg_node *tree; /* CFG_TREE */
};

/*
 * One function of a project that declares several (`functions:` in
 * blambda.yml, a map of name to the keys of `function:`, which then holds
 * the defaults they share): the function.* values its own entry sets.
 */
struct config_function {
	char *name;
	int line;
	struct cfg_value v[CFG__COUNT]; /* function.* keys only; present when the entry sets them */
};

struct config {
	char *path;      /* the file that was read, NULL when there was none */
	struct cfg_value v[CFG__COUNT];
	struct config_function *fns;
	size_t nfns;
};

/* s as a YAML double-quoted scalar (escapes for what YAML does not print), appended to out. */
void config_yaml_quote(struct buf *out, const char *s);
/*
 * blambda.yml's text (as cfg was read from it) with one more function,
 * `name`, whose settings are `body` (YAML lines at indent 0, each ending in
 * a newline; "" for none), under `functions:`: appended to that block, or a
 * block made at the end, a single function.name moving into it as an entry
 * of its own (function: then holds what both share). Comments and the rest
 * stay as they were. The caller reads the result back before using it. -1
 * with err when the file's form leaves no place to write to.
 */
int config_add_function(const struct config *cfg, const char *text, size_t len, const char *name, const char *body,
			struct buf *out, struct error *err);

/* Keys a function of `functions:` cannot set for itself: the layers and the zip are shared. */
int config_key_is_shared(enum cfg_id id);
/*
 * Whether v is a destination Lambda sends function.async.`which`'s
 * ("on-success" or "on-failure") records to: the ARN of a standard SQS
 * queue or SNS topic, a Lambda function or an EventBridge bus in a region
 * and a 12-digit account, or (on failure) an S3 bucket, each part of the
 * shape its service gives it. 0, or -1 with the reason in why. Every part
 * of it goes into a request's host, path or body: nothing else passes.
 */
int config_check_destination(const char *which, const char *v, struct buf *why);

/* Fill in the built-in defaults. */
void config_init(struct config *cfg);
void config_release(struct config *cfg);

/*
 * Every function below that can fail returns -1 with err filled (EXIT_USAGE
 * for a mistake in the configuration: its message names the file, line and
 * column, or the variable or flag).
 */

/* Read blambda.yml. A missing file is fine unless `required` (the user named it with -c). */
int config_read_file(struct config *cfg, const char *path, int required, struct error *err);
/* The same from memory; `path` names it in messages. */
int config_read_text(struct config *cfg, const char *path, const char *text, size_t len, struct error *err);
/* Apply BLAMBDA_* variables from the environment. */
int config_read_env(struct config *cfg, struct error *err);
/* Apply a command-line flag; `flag` is its long name ("region"), for messages. */
int config_set_flag(struct config *cfg, const char *key, const char *value, const char *flag, struct error *err);
/* Checks that span keys and defaults derived from other keys; call after the three above. */
int config_finish(struct config *cfg, struct error *err);

/*
 * The project's functions: the names under `functions:` in file order, else
 * function.name alone (0 when that is unset too).
 */
size_t config_function_count(const struct config *cfg);
const char *config_function_name(const struct config *cfg, size_t i);
/*
 * The functions named (all when names is empty), each as config_for_function
 * gives it, into a new array of *n (release each, free the array). -1 with
 * err (and a did-you-mean) for a name the project does not declare or a
 * function without a handler; *out is then NULL.
 */
int config_select_functions(const struct config *cfg, const struct strlist *names, struct config **out, size_t *n,
			    struct error *err);
/*
 * The one function a command acts on (caller frees): `name` when given (one
 * the project declares, when there is a project), else the project's only
 * function. NULL with err when there is none or several and no name;
 * `command` names the command in the hint.
 */
char *config_one_function(const struct config *cfg, const char *name, const char *command, struct error *err);
/* The index of a function by name, or -1. */
int config_function_index(const struct config *cfg, const char *name);
/*
 * A copy of cfg as function i sees it: its entry's values over the shared
 * function.* ones (a flag or an environment variable still wins over both).
 * Release with config_release().
 */
void config_for_function(const struct config *cfg, size_t i, struct config *out);

/*
 * Function f's function.environment-file (when set) read into its
 * function.environment: the file's variables below those blambda.yml sets,
 * their names in the value's `hidden`. config_select_functions does it; -1
 * with err naming the file and line (never a value) when it cannot.
 */
int config_read_environment_file(struct config *f, struct error *err);
/* A dotenv text (NAME=VALUE lines, # comments, export, quotes) into out; -1 with err naming path:line. */
int config_dotenv_parse(const char *path, const char *text, size_t len, struct kvlist *out, struct error *err);

/* The tree of a CFG_TREE key, or NULL when it is unset. */
const struct cfg_node *config_tree(const struct config *cfg, enum cfg_id id);
/* A map node's value under key, or NULL. */
const struct cfg_node *cfg_node_get(const struct cfg_node *map, const char *key);
/* A deep copy of n; free it with cfg_node_free. */
struct cfg_node *cfg_node_copy(const struct cfg_node *n);
void cfg_node_free(struct cfg_node *n);
/* n as one line of YAML flow text: [a, {k: v}] */
void cfg_node_format(const struct cfg_node *n, struct buf *out);
/* n as JSON (a scalar as a string, unless it is a plain number, true, false or null), appended to out */
void cfg_node_json(const struct cfg_node *n, struct buf *out);

/*
 * function.policies (a checked tree, or NULL) as IAM takes it: the managed
 * policy ARNs, and the statements as one policy document (JSON; nothing
 * added when there is none).
 */
void config_policies(const struct cfg_node *list, struct strlist *managed, struct buf *document);

/*
 * function.events, typed: each trigger with its fields, defaults filled in.
 */
enum cfg_event_kind { CFG_EVENT_SCHEDULE, CFG_EVENT_SQS, CFG_EVENT_STREAM, CFG_EVENT_HTTP, CFG_EVENT_S3, CFG_EVENT__KINDS };
extern const char *const cfg_event_kinds[CFG_EVENT__KINDS]; /* "schedule", "sqs", "stream", "http", "s3" */
struct cfg_event {
	enum cfg_event_kind kind;
	int line;               /* in blambda.yml */
	int enabled;            /* all: enabled (default true) */
	/* schedule */
	char *name;             /* its name ("schedule", "schedule-2" when not given) */
	char *expression;       /* rate(...) or cron(...) */
	char *input;            /* JSON sent as the event, or NULL for EventBridge's own */
	/* sqs, stream */
	char *source;           /* sqs: the queue's name or ARN; stream: the stream's ARN */
	long batch_size;        /* sqs 10, stream 100 when not given */
	long batch_window;      /* sqs: seconds, 0 when not given */
	long max_concurrency;   /* sqs: 0 when not given (Lambda's own) */
	int report_failures;    /* sqs: ReportBatchItemFailures */
	char *starting_position; /* stream: LATEST or TRIM_HORIZON */
	/* http */
	char *route;            /* API Gateway's route key: "GET /hello/{name}" (the method in capitals) */
	/* s3 (source: the bucket) */
	struct strlist s3_events; /* s3:ObjectCreated:* when not given */
	char *prefix, *suffix;  /* the object key filter, or NULL */
};
/* Whether two s3 triggers of one bucket could both take one object's event (S3 refuses such a pair) */
int cfg_s3_overlap(const struct cfg_event *a, const struct cfg_event *b);
struct cfg_events {
	struct cfg_event *items;
	size_t nr;
};
/* A function.events tree (NULL: none) into out; -1 with why and *at (the node at fault) when it is not right. */
int cfg_events_read(const struct cfg_node *list, struct cfg_events *out, struct buf *why, const struct cfg_node **at);
void cfg_events_release(struct cfg_events *e);
/* Function f's http routes ("GET /hello/{name}"), in blambda.yml's order, appended to out */
void config_http_routes(const struct config *f, struct strlist *out);
/* The project's HTTP API: http-api.name, else the function's name in a project of one; NULL: none */
const char *config_http_api_name(const struct config *cfg);
/* Whether any http-api.cors key is set */
int config_has_http_cors(const struct config *cfg);
/* 1 for a queue or a stream: an event source mapping */
int cfg_event_mapped(const struct cfg_event *e);
/* One entry copied (free it with cfg_event_free). */
struct cfg_event *cfg_event_copy(const struct cfg_event *e);
void cfg_event_free(struct cfg_event *e);
/*
 * A sample event of a trigger kind ("schedule", "sqs", "stream") as Lambda
 * would hand it to function f in region, filled from f's first trigger of
 * that kind when it has one; -1 with err for another kind.
 */
int config_event_template(const struct config *f, const char *kind, const char *region, struct buf *out,
			  struct error *err);
/* rate(...) or cron(...) as EventBridge takes them; -1 with why */
int cfg_check_schedule_expression(const char *v, struct buf *why);

/* Whether function f sets any of function.async.* (an event invoke config) */
int config_has_async(const struct config *f);

/* The index of a dotted key, or -1. */
int config_key_index(const char *key);
const char *config_str(const struct config *cfg, enum cfg_id id);
long config_int(const struct config *cfg, enum cfg_id id);
const struct strlist *config_list(const struct config *cfg, enum cfg_id id);
const struct kvlist *config_map(const struct config *cfg, enum cfg_id id);
/* The value as one line of text (lists joined with ", ", maps as K=V); "" when unset. */
void config_format_value(const struct config *cfg, enum cfg_id id, struct buf *out);

/* Validators, exposed for reuse by commands that take the same values. */
int config_check_function_name(const char *key, const char *value, struct buf *why);
int config_check_handler(const char *key, const char *value, struct buf *why);

#endif
