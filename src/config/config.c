#include "config/config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <yaml.h>

#include "core/region.h"
#include "core/suggest.h"
#include "core/msg.h"
#include "core/xalloc.h"

/* ---- validators ---------------------------------------------------------- */

static int all_chars(const char *s, const char *extra)
{
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && !strchr(extra, *s))
			return 0;
	return 1;
}

int config_check_function_name(const char *key, const char *v, struct buf *why)
{
	(void)key;
	if (!*v || strlen(v) > 64 || !all_chars(v, "-_")) {
		buf_addf(why, "function name '%s' is not valid: Lambda allows 1 to 64 letters, digits, '-' and '_'", v);
		return -1;
	}
	return 0;
}

static int valid_symbol(const char *s, size_t len)
{
	if (!len || isdigit((unsigned char)s[0]))
		return 0;
	for (size_t i = 0; i < len; i++)
		if (isspace((unsigned char)s[i]) || strchr("()[]{}\"';@^`~\\,", s[i]))
			return 0;
	return 1;
}

int config_check_handler(const char *key, const char *v, struct buf *why)
{
	const char *slash = strchr(v, '/');

	(void)key;
	if (!slash || strchr(slash + 1, '/') || !valid_symbol(v, (size_t)(slash - v)) ||
	    !valid_symbol(slash + 1, strlen(slash + 1))) {
		buf_addf(why, "handler must be NAMESPACE/FUNCTION, like 'hello/handler', got '%s'", v);
		return -1;
	}
	return 0;
}

static int digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			return 0;
	return n > 0;
}

/* arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE -> the six fields, or -1 */
static int split_arn(const char *v, const char *f[6], size_t len[6])
{
	const char *p = v;

	for (int i = 0; i < 6; i++) {
		const char *c = i < 5 ? strchr(p, ':') : p + strlen(p);

		if (!c)
			return -1;
		f[i] = p;
		len[i] = (size_t)(c - p);
		p = c + (i < 5);
	}
	return strncmp(f[0], "arn", len[0]) || len[0] != 3 || strncmp(f[1], "aws", 3) ? -1 : 0;
}

static int check_role(const char *key, const char *v, struct buf *why)
{
	const char *f[6];
	size_t len[6];

	(void)key;
	if (split_arn(v, f, len) || len[2] != 3 || strncmp(f[2], "iam", 3) || len[3] != 0 ||
	    !digits(f[4], len[4]) || len[4] != 12 || strncmp(f[5], "role/", 5) || len[5] < 6) {
		buf_addf(why, "role must be an IAM role ARN like 'arn:aws:iam::123456789012:role/NAME', got '%s'", v);
		return -1;
	}
	return 0;
}

static int check_layer_arn(const char *key, const char *v, struct buf *why)
{
	const char *f[6];
	size_t len[6];
	const char *colon;

	(void)key;
	if (split_arn(v, f, len) || len[2] != 6 || strncmp(f[2], "lambda", 6) || !len[3] ||
	    !digits(f[4], len[4]) || strncmp(f[5], "layer:", 6) || !(colon = strrchr(f[5] + 6, ':')) ||
	    colon == f[5] + 6 || !digits(colon + 1, strlen(colon + 1))) {
		buf_addf(why, "layer must be a layer version ARN like "
			 "'arn:aws:lambda:eu-west-1:123456789012:layer:NAME:3', got '%s'", v);
		return -1;
	}
	return 0;
}

static int check_layer_name(const char *key, const char *v, struct buf *why)
{
	(void)key;
	if (!*v || strlen(v) > 140 || !all_chars(v, "-_")) {
		buf_addf(why, "layer name '%s' is not valid: Lambda allows 1 to 140 letters, digits, '-' and '_'", v);
		return -1;
	}
	return 0;
}

static int check_description(const char *key, const char *v, struct buf *why)
{
	(void)key;
	if (strlen(v) > 256) {
		buf_addf(why, "description is %zu characters long; Lambda allows 256", strlen(v));
		return -1;
	}
	return 0;
}

static const char *const reserved_env[] = {
	"_HANDLER", "_X_AMZN_TRACE_ID", "AWS_DEFAULT_REGION", "AWS_REGION", "AWS_EXECUTION_ENV",
	"AWS_LAMBDA_FUNCTION_NAME", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "AWS_LAMBDA_FUNCTION_VERSION",
	"AWS_LAMBDA_INITIALIZATION_TYPE", "AWS_LAMBDA_LOG_GROUP_NAME", "AWS_LAMBDA_LOG_STREAM_NAME",
	"AWS_ACCESS_KEY", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
	"AWS_LAMBDA_RUNTIME_API", "LAMBDA_TASK_ROOT", "LAMBDA_RUNTIME_DIR", NULL,
};

static int check_env_entry(const char *key, const char *v, struct buf *why)
{
	(void)v;
	if (strlen(key) < 2 || !isalpha((unsigned char)key[0]) || !all_chars(key, "_")) {
		buf_addf(why, "environment variable name '%s' is not valid: Lambda wants a letter, "
			 "then letters, digits and '_'", key);
		return -1;
	}
	for (size_t i = 0; reserved_env[i]; i++) {
		if (!strcmp(key, reserved_env[i])) {
			buf_addf(why, "environment variable '%s' is reserved by Lambda", key);
			return -1;
		}
	}
	return 0;
}

/* Lambda's alias names: 1 to 128 letters, digits, '-' and '_', not all digits (that is a version) */
static int check_alias(const char *key, const char *v, struct buf *why)
{
	size_t n = strlen(v);

	(void)key;
	if (!n || n > 128 || strspn(v, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_") != n ||
	    strspn(v, "0123456789") == n) {
		buf_addf(why, "alias '%s' is not valid: 1 to 128 letters, digits, '-' and '_', not only digits", v);
		return -1;
	}
	return 0;
}

static int check_tag(const char *key, const char *v, struct buf *why)
{
	if (!*key || strlen(key) > 128) {
		buf_addf(why, "tag key '%s' must be 1 to 128 characters long", key);
		return -1;
	}
	if (!strncmp(key, "aws:", 4)) {
		buf_addf(why, "tag key '%s' uses the prefix 'aws:', which AWS reserves", key);
		return -1;
	}
	if (strlen(v) > 256) {
		buf_addf(why, "tag '%s' has a value longer than 256 characters", key);
		return -1;
	}
	return 0;
}

static int check_region(const char *key, const char *v, struct buf *why)
{
	(void)key;
	return region_check(v, why);
}

static int check_url(const char *key, const char *v, struct buf *why)
{
	(void)key;
	if ((strncmp(v, "https://", 8) && strncmp(v, "http://", 7)) || !strchr(v, ':')[3]) {
		buf_addf(why, "'%s' is not an http:// or https:// URL", v);
		return -1;
	}
	return 0;
}

static int check_bucket(const char *key, const char *v, struct buf *why)
{
	size_t n = strlen(v);

	(void)key;
	if (n < 3 || n > 63 || !all_chars(v, ".-") || !isalnum((unsigned char)v[0]) ||
	    !isalnum((unsigned char)v[n - 1])) {
		buf_addf(why, "S3 bucket name '%s' is not valid: 3 to 63 lowercase letters, digits, '.' and '-'", v);
		return -1;
	}
	for (const char *p = v; *p; p++) {
		if (isupper((unsigned char)*p)) {
			buf_addf(why, "S3 bucket name '%s' must be lowercase", v);
			return -1;
		}
	}
	return 0;
}

static int check_bb_version(const char *key, const char *v, struct buf *why)
{
	const char *p = v;

	(void)key;
	for (int part = 0; part < 3; part++) {
		size_t n = strspn(p, "0123456789");

		if (!n || (part < 2 && p[n] != '.')) {
			p = NULL;
			break;
		}
		p += n + (part < 2);
	}
	if (!p || (*p && strcmp(p, "-SNAPSHOT"))) {
		buf_addf(why, "Babashka version must look like '1.13.219' or '1.13.220-SNAPSHOT', got '%s'", v);
		return -1;
	}
	return 0;
}

static int check_nonempty(const char *key, const char *v, struct buf *why)
{
	(void)key;
	if (!*v) {
		buf_adds(why, "value must not be empty");
		return -1;
	}
	return 0;
}

/* ---- the keys ------------------------------------------------------------ */

static const char *const runtimes[] = { "provided.al2023", "provided.al2", NULL };
static const char *const archs[] = { "x86_64", "arm64", NULL };
static const char *const url_auths[] = { "NONE", "AWS_IAM", NULL };
static const char *const booleans[] = { "true", "false", NULL };
static const char *const arch_aliases[] = { "amd64", "x86_64", "x64", "x86_64", "aarch64", "arm64", NULL };

const struct cfg_key cfg_keys[CFG__COUNT] = {
	[CFG_FUNCTION_NAME] = { "function.name", CFG_STRING, "BLAMBDA_FUNCTION_NAME", NULL, 0, 0, NULL, NULL,
		config_check_function_name, "the Lambda function's name" },
	[CFG_FUNCTION_HANDLER] = { "function.handler", CFG_STRING, "BLAMBDA_HANDLER", NULL, 0, 0, NULL, NULL,
		config_check_handler, "the handler function, NAMESPACE/FUNCTION" },
	[CFG_FUNCTION_RUNTIME] = { "function.runtime", CFG_ENUM, "BLAMBDA_RUNTIME", "provided.al2023", 0, 0,
		runtimes, NULL, NULL, "the Lambda runtime the function runs on" },
	[CFG_FUNCTION_ARCHITECTURE] = { "function.architecture", CFG_ENUM, "BLAMBDA_ARCH", "x86_64", 0, 0,
		archs, arch_aliases, NULL, "the instruction set the function and its layers are built for" },
	[CFG_FUNCTION_MEMORY] = { "function.memory", CFG_INT, "BLAMBDA_MEMORY", "512", 128, 10240, NULL, NULL,
		NULL, "memory in MB" },
	[CFG_FUNCTION_TIMEOUT] = { "function.timeout", CFG_INT, "BLAMBDA_TIMEOUT", "5", 1, 900, NULL, NULL,
		NULL, "timeout in seconds" },
	[CFG_FUNCTION_ENVIRONMENT] = { "function.environment", CFG_MAP, NULL, NULL, 0, 0, NULL, NULL,
		check_env_entry, "environment variables of the function (a map, 4 KB at most)" },
	[CFG_FUNCTION_SOURCE_PATHS] = { "function.source-paths", CFG_LIST, "BLAMBDA_SOURCE_PATHS", "src", 0, 0,
		NULL, NULL, check_nonempty, "directories whose contents form the function zip" },
	[CFG_FUNCTION_ROLE] = { "function.role", CFG_STRING, "BLAMBDA_ROLE", NULL, 0, 0, NULL, NULL,
		check_role, "ARN of the execution role (created by deploy when unset)" },
	[CFG_FUNCTION_LAYERS] = { "function.layers", CFG_LIST, "BLAMBDA_LAYERS", NULL, 0, 0, NULL, NULL,
		check_layer_arn, "extra layer version ARNs to attach" },
	[CFG_FUNCTION_DESCRIPTION] = { "function.description", CFG_STRING, "BLAMBDA_DESCRIPTION", NULL, 0, 0,
		NULL, NULL, check_description, "the function's description" },
	[CFG_FUNCTION_TAGS] = { "function.tags", CFG_MAP, NULL, NULL, 0, 0, NULL, NULL, check_tag,
		"tags put on the function (a map)" },
	[CFG_FUNCTION_ALIAS] = { "function.alias", CFG_STRING, "BLAMBDA_ALIAS", NULL, 0, 0, NULL, NULL, check_alias,
		"an alias deploy points at the version it publishes (implies --publish)" },
	[CFG_FUNCTION_URL_AUTH] = { "function.url.auth", CFG_ENUM, NULL, NULL, 0, 0, url_auths, NULL, NULL,
		"gives the function a URL: NONE (public) or AWS_IAM (signed requests)" },
	[CFG_FUNCTION_URL_CORS_ORIGINS] = { "function.url.cors.allow-origins", CFG_LIST, NULL, NULL, 0, 0, NULL, NULL,
		NULL, "origins a browser may call the URL from" },
	[CFG_FUNCTION_URL_CORS_METHODS] = { "function.url.cors.allow-methods", CFG_LIST, NULL, NULL, 0, 0, NULL, NULL,
		NULL, "HTTP methods allowed from those origins" },
	[CFG_FUNCTION_URL_CORS_HEADERS] = { "function.url.cors.allow-headers", CFG_LIST, NULL, NULL, 0, 0, NULL, NULL,
		NULL, "request headers allowed from those origins" },
	[CFG_FUNCTION_URL_CORS_MAX_AGE] = { "function.url.cors.max-age", CFG_INT, NULL, NULL, 0, 86400, NULL, NULL,
		NULL, "seconds a browser may keep the preflight answer" },
	[CFG_FUNCTION_URL_CORS_CREDENTIALS] = { "function.url.cors.allow-credentials", CFG_ENUM, NULL, NULL, 0, 0,
		booleans, NULL, NULL, "whether cookies and credentials go with cross-origin calls" },
	[CFG_BABASHKA_VERSION] = { "babashka.version", CFG_STRING, "BLAMBDA_BB_VERSION", "1.13.219", 0, 0, NULL,
		NULL, check_bb_version, "the Babashka release in the runtime layer" },
	[CFG_BABASHKA_MIRROR] = { "babashka.mirror", CFG_STRING, "BLAMBDA_BABASHKA_URL",
		"https://github.com/babashka/babashka/releases/download", 0, 0, NULL, NULL, check_url,
		"base URL of the Babashka release downloads" },
	[CFG_LAYERS_RUNTIME] = { "layers.runtime", CFG_STRING, "BLAMBDA_RUNTIME_LAYER", "blambda", 0, 0, NULL,
		NULL, check_layer_name, "name of the runtime layer" },
	[CFG_LAYERS_DEPS] = { "layers.deps", CFG_STRING, "BLAMBDA_DEPS_LAYER", NULL, 0, 0, NULL, NULL,
		check_layer_name, "name of the dependencies layer (default: FUNCTION-deps)" },
	[CFG_DEPS_FILE] = { "deps-file", CFG_STRING, "BLAMBDA_DEPS_FILE", "bb.edn", 0, 0, NULL, NULL,
		check_nonempty, "the file declaring the function's dependencies" },
	[CFG_AWS_REGION] = { "aws.region", CFG_STRING, NULL, NULL, 0, 0, NULL, NULL, check_region,
		"AWS region (after --region, AWS_REGION, AWS_DEFAULT_REGION and the profile's)" },
	[CFG_AWS_REGIONS] = { "aws.regions", CFG_LIST, "BLAMBDA_REGIONS", NULL, 0, 0, NULL, NULL, check_region,
		"regions deploy publishes to, all at once (after --region, before AWS_REGION)" },
	[CFG_AWS_PROFILE] = { "aws.profile", CFG_STRING, NULL, NULL, 0, 0, NULL, NULL, check_nonempty,
		"AWS profile (after --profile and AWS_PROFILE)" },
	[CFG_AWS_ENDPOINT_URL] = { "aws.endpoint-url", CFG_STRING, NULL, NULL, 0, 0, NULL, NULL, check_url,
		"endpoint for every AWS service (after --endpoint-url and AWS_ENDPOINT_URL*)" },
	[CFG_AWS_S3_BUCKET] = { "aws.s3-bucket", CFG_STRING, "BLAMBDA_S3_BUCKET", NULL, 0, 0, NULL, NULL,
		check_bucket, "S3 bucket for artifacts too large to upload directly" },
};

int config_key_index(const char *key)
{
	for (int i = 0; i < CFG__COUNT; i++)
		if (!strcmp(cfg_keys[i].key, key))
			return i;
	return -1;
}

static const char *leaf(const char *key)
{
	const char *dot = strrchr(key, '.');

	return dot ? dot + 1 : key;
}

/* ---- values -------------------------------------------------------------- */

static void value_clear(struct cfg_value *v)
{
	free(v->origin);
	free(v->str);
	strlist_clear(&v->list);
	kvlist_clear(&v->map);
	memset(v, 0, sizeof(*v));
}

/*
 * Check and store one scalar for key id. On a bad value fills `why` (the
 * message without a location) and returns -1, leaving the old value.
 */
static int parse_scalar(const struct cfg_key *k, const char *text, struct cfg_value *into, struct buf *why)
{
	const char *name = leaf(k->key);

	switch (k->type) {
	case CFG_INT: {
		char *end;
		long n;

		errno = 0;
		n = strtol(text, &end, 10);
		if (errno || end == text || *end) {
			buf_addf(why, "%s must be a whole number, got '%s'", name, text);
			return -1;
		}
		if (n < k->min || n > k->max) {
			buf_addf(why, "%s must be between %ld and %ld, got %s", name, k->min, k->max, text);
			return -1;
		}
		into->num = n;
		break;
	}
	case CFG_ENUM: {
		size_t n = 0;
		int ok = 0;

		for (; k->values[n]; n++)
			ok |= !strcmp(k->values[n], text);
		if (!ok) {
			const char *s = suggest(text, k->values, n);

			for (size_t i = 0; !s && k->aliases && k->aliases[i]; i += 2)
				if (!strcmp(k->aliases[i], text))
					s = k->aliases[i + 1];
			buf_addf(why, "%s must be one of ", name);
			for (size_t i = 0; i < n; i++)
				buf_addf(why, "%s%s", i ? ", " : "", k->values[i]);
			buf_addf(why, ", got '%s'", text);
			if (s)
				buf_addf(why, " (did you mean '%s'?)", s);
			return -1;
		}
		break;
	}
	default:
		if (k->check && k->check(NULL, text, why))
			return -1;
	}
	free(into->str);
	into->str = xstrdup(text);
	return 0;
}

static void set_origin(struct cfg_value *v, enum cfg_source src, const char *origin, int line)
{
	free(v->origin);
	v->origin = xstrdup(origin);
	v->source = src;
	v->line = line;
	v->present = 1;
}

/* Set key id from text given by an env var or flag: scalars, or comma-separated lists. */
static int set_from_text(struct config *cfg, int id, const char *text, enum cfg_source src, const char *origin)
{
	const struct cfg_key *k = &cfg_keys[id];
	struct cfg_value fresh = { 0 };
	struct buf why = BUF_INIT;

	if (k->type == CFG_LIST) {
		strlist_split(&fresh.list, text, ',');
		for (size_t i = 0; i < fresh.list.nr; i++)
			if (k->check && k->check(NULL, fresh.list.items[i], &why))
				break;
	} else if (k->type == CFG_MAP) {
		buf_addf(&why, "%s is a map and can only be set in blambda.yml", k->key);
	} else {
		parse_scalar(k, text, &fresh, &why);
	}
	if (why.len) {
		error_status(EXIT_USAGE, "%s: %s", origin, why.ptr);
		buf_release(&why);
		value_clear(&fresh);
		return -1;
	}
	value_clear(&cfg->v[id]);
	cfg->v[id] = fresh;
	set_origin(&cfg->v[id], src, origin, 0);
	return 0;
}

void config_init(struct config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	for (int i = 0; i < CFG__COUNT; i++) {
		if (cfg_keys[i].def)
			set_from_text(cfg, i, cfg_keys[i].def, SRC_DEFAULT, "default");
	}
}

void config_release(struct config *cfg)
{
	for (int i = 0; i < CFG__COUNT; i++)
		value_clear(&cfg->v[i]);
	for (size_t f = 0; f < cfg->nfns; f++) {
		for (int i = 0; i < CFG__COUNT; i++)
			value_clear(&cfg->fns[f].v[i]);
		free(cfg->fns[f].name);
	}
	free(cfg->fns);
	cfg->fns = NULL;
	cfg->nfns = 0;
	free(cfg->path);
	cfg->path = NULL;
}

static void value_copy(struct cfg_value *to, const struct cfg_value *from)
{
	memset(to, 0, sizeof(*to));
	to->source = from->source;
	to->present = from->present;
	to->origin = from->origin ? xstrdup(from->origin) : NULL;
	to->line = from->line;
	to->str = from->str ? xstrdup(from->str) : NULL;
	to->num = from->num;
	for (size_t i = 0; i < from->list.nr; i++)
		strlist_add(&to->list, from->list.items[i]);
	for (size_t i = 0; i < from->map.nr; i++)
		kvlist_add(&to->map, from->map.items[i].key, from->map.items[i].value);
}

int config_key_is_shared(enum cfg_id id)
{
	return id == CFG_FUNCTION_NAME || id == CFG_FUNCTION_ARCHITECTURE || id == CFG_FUNCTION_SOURCE_PATHS;
}

size_t config_function_count(const struct config *cfg)
{
	if (cfg->nfns)
		return cfg->nfns;
	return cfg->v[CFG_FUNCTION_NAME].present ? 1 : 0;
}

const char *config_function_name(const struct config *cfg, size_t i)
{
	if (cfg->nfns)
		return i < cfg->nfns ? cfg->fns[i].name : NULL;
	return i == 0 ? config_str(cfg, CFG_FUNCTION_NAME) : NULL;
}

int config_function_index(const struct config *cfg, const char *name)
{
	for (size_t i = 0; i < config_function_count(cfg); i++)
		if (!strcmp(config_function_name(cfg, i), name))
			return (int)i;
	return -1;
}

void config_for_function(const struct config *cfg, size_t i, struct config *out)
{
	memset(out, 0, sizeof(*out));
	out->path = cfg->path ? xstrdup(cfg->path) : NULL;
	for (int k = 0; k < CFG__COUNT; k++) {
		const struct cfg_value *own = cfg->nfns ? &cfg->fns[i].v[k] : NULL;

		/* the entry's value, unless a flag or the environment set the key for every function */
		if (own && own->present && cfg->v[k].source <= SRC_FILE)
			value_copy(&out->v[k], own);
		else
			value_copy(&out->v[k], &cfg->v[k]);
	}
	if (cfg->nfns) {
		struct buf origin = BUF_INIT;

		buf_addf(&origin, "%s:%d", cfg->path ? cfg->path : "blambda.yml", cfg->fns[i].line);
		value_clear(&out->v[CFG_FUNCTION_NAME]);
		out->v[CFG_FUNCTION_NAME].str = xstrdup(cfg->fns[i].name);
		set_origin(&out->v[CFG_FUNCTION_NAME], SRC_FILE, origin.ptr, cfg->fns[i].line);
		buf_release(&origin);
	}
}

int config_read_env(struct config *cfg)
{
	for (int i = 0; i < CFG__COUNT; i++) {
		const char *e = cfg_keys[i].env ? getenv(cfg_keys[i].env) : NULL;

		if (e && *e && set_from_text(cfg, i, e, SRC_ENV, cfg_keys[i].env))
			return -1;
	}
	return 0;
}

int config_set_flag(struct config *cfg, const char *key, const char *value, const char *flag)
{
	int id = config_key_index(key);
	struct buf origin = BUF_INIT;
	int r;

	if (id < 0)
		return error("internal: option '%s' is bound to unknown key '%s'", flag, key);
	buf_addf(&origin, "--%s", flag);
	r = set_from_text(cfg, id, value, SRC_FLAG, origin.ptr);
	buf_release(&origin);
	return r;
}

/* ---- blambda.yml --------------------------------------------------------- */

struct yctx {
	struct config *cfg;
	yaml_document_t *doc;
	const char *path;
};

static int yerror(const struct yctx *x, yaml_mark_t m, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int yerror(const struct yctx *x, yaml_mark_t m, const char *fmt, ...)
{
	struct buf b = BUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	buf_vaddf(&b, fmt, ap);
	va_end(ap);
	error_status(EXIT_USAGE, "%s:%zu:%zu: %s", x->path, m.line + 1, m.column + 1, b.ptr);
	buf_release(&b);
	return -1;
}

static int is_null(const yaml_node_t *n)
{
	const char *v;

	if (n->type != YAML_SCALAR_NODE || n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return 0;
	v = (const char *)n->data.scalar.value;
	return !*v || !strcmp(v, "~") || !strcmp(v, "null") || !strcmp(v, "Null") || !strcmp(v, "NULL");
}

static const char *node_type_name(const yaml_node_t *n)
{
	switch (n->type) {
	case YAML_MAPPING_NODE: return "a map";
	case YAML_SEQUENCE_NODE: return "a list";
	default: return "a single value";
	}
}

/* Is `full` a section (a prefix "full." of some key)? */
static int is_section(const char *full)
{
	size_t n = strlen(full);

	for (int i = 0; i < CFG__COUNT; i++)
		if (!strncmp(cfg_keys[i].key, full, n) && cfg_keys[i].key[n] == '.')
			return 1;
	return 0;
}

static void unknown_key(const struct yctx *x, yaml_mark_t m, const char *prefix, const char *name)
{
	struct strlist here = STRLIST_INIT, all = STRLIST_INIT;
	size_t plen = prefix ? strlen(prefix) : 0;
	const char *s;

	/* names valid at this level: leaves and sections directly under prefix */
	for (int i = 0; i < CFG__COUNT; i++) {
		const char *k = cfg_keys[i].key;
		const char *rest, *dot;

		strlist_add(&all, k);
		if (plen && (strncmp(k, prefix, plen) || k[plen] != '.'))
			continue;
		rest = plen ? k + plen + 1 : k;
		dot = strchr(rest, '.');
		{
			char *word = dot ? xstrndup(rest, (size_t)(dot - rest)) : xstrdup(rest);
			if (!strlist_has(&here, word))
				strlist_add(&here, word);
			free(word);
		}
	}
	s = suggest(name, (const char *const *)here.items, here.nr);
	if (s) {
		yerror(x, m, "unknown key '%s' (did you mean '%s'?)", name, s);
	} else {
		/* a key that belongs in another section: "memory" at the top is "function.memory" */
		const char *elsewhere = NULL;

		for (size_t i = 0; i < all.nr && !elsewhere; i++)
			if (!strcmp(leaf(all.items[i]), name) || edit_distance(leaf(all.items[i]), name) <= 1)
				elsewhere = all.items[i];
		if (elsewhere)
			yerror(x, m, "unknown key '%s' (did you mean '%s'?)", name, elsewhere);
		else
			yerror(x, m, "unknown key '%s'", name);
	}
	strlist_clear(&here);
	strlist_clear(&all);
}

static int read_value(struct yctx *x, int id, yaml_node_t *val)
{
	const struct cfg_key *k = &cfg_keys[id];
	struct cfg_value fresh = { 0 };
	struct buf why = BUF_INIT, origin = BUF_INIT;
	yaml_mark_t bad = val->start_mark;
	const char *name = leaf(k->key);

	if (is_null(val))
		return 0; /* `key:` with nothing after it leaves the default */
	if (k->type == CFG_LIST) {
		if (val->type == YAML_SCALAR_NODE) {
			strlist_add(&fresh.list, (const char *)val->data.scalar.value);
			if (k->check)
				k->check(NULL, fresh.list.items[0], &why);
		} else if (val->type != YAML_SEQUENCE_NODE) {
			buf_addf(&why, "%s must be a list, got %s", name, node_type_name(val));
		} else {
			for (yaml_node_item_t *it = val->data.sequence.items.start; it < val->data.sequence.items.top; it++) {
				yaml_node_t *item = yaml_document_get_node(x->doc, *it);

				bad = item->start_mark;
				if (item->type != YAML_SCALAR_NODE) {
					buf_addf(&why, "each entry of %s must be a single value, got %s", name, node_type_name(item));
					break;
				}
				if (k->check && k->check(NULL, (const char *)item->data.scalar.value, &why))
					break;
				strlist_add(&fresh.list, (const char *)item->data.scalar.value);
			}
			if (!why.len && id == CFG_FUNCTION_LAYERS && fresh.list.nr > 4) {
				bad = val->start_mark;
				buf_addf(&why, "layers lists %zu layers; Lambda allows 5 in all, and the runtime layer is one",
					 fresh.list.nr);
			}
		}
	} else if (k->type == CFG_MAP) {
		size_t total = 0;

		if (val->type != YAML_MAPPING_NODE) {
			buf_addf(&why, "%s must be a map of names to values, got %s", name, node_type_name(val));
		} else {
			for (yaml_node_pair_t *p = val->data.mapping.pairs.start; p < val->data.mapping.pairs.top; p++) {
				yaml_node_t *kn = yaml_document_get_node(x->doc, p->key);
				yaml_node_t *vn = yaml_document_get_node(x->doc, p->value);
				const char *ks, *vs;

				bad = kn->start_mark;
				if (kn->type != YAML_SCALAR_NODE) {
					buf_addf(&why, "the names in %s must be single values", name);
					break;
				}
				ks = (const char *)kn->data.scalar.value;
				if (vn->type != YAML_SCALAR_NODE) {
					bad = vn->start_mark;
					buf_addf(&why, "%s.%s must be a single value, got %s", name, ks, node_type_name(vn));
					break;
				}
				vs = is_null(vn) ? "" : (const char *)vn->data.scalar.value;
				if (kvlist_get(&fresh.map, ks)) {
					buf_addf(&why, "duplicate key '%s' in %s", ks, name);
					break;
				}
				if (k->check && k->check(ks, vs, &why))
					break;
				kvlist_set(&fresh.map, ks, vs);
				total += strlen(ks) + strlen(vs);
			}
			if (!why.len && id == CFG_FUNCTION_ENVIRONMENT && total > 4096) {
				bad = val->start_mark;
				buf_addf(&why, "environment holds %zu bytes; Lambda allows 4 KB", total);
			}
			if (!why.len && id == CFG_FUNCTION_TAGS && fresh.map.nr > 50) {
				bad = val->start_mark;
				buf_addf(&why, "tags holds %zu tags; Lambda allows 50", fresh.map.nr);
			}
		}
	} else if (val->type != YAML_SCALAR_NODE) {
		buf_addf(&why, "%s must be a single value, got %s", name, node_type_name(val));
	} else {
		parse_scalar(k, (const char *)val->data.scalar.value, &fresh, &why);
	}
	if (why.len) {
		yerror(x, bad, "%s", why.ptr);
		buf_release(&why);
		value_clear(&fresh);
		return -1;
	}
	value_clear(&x->cfg->v[id]);
	x->cfg->v[id] = fresh;
	buf_addf(&origin, "%s:%zu", x->path, val->start_mark.line + 1);
	set_origin(&x->cfg->v[id], SRC_FILE, origin.ptr, (int)val->start_mark.line + 1);
	buf_release(&origin);
	return 0;
}

static int read_mapping(struct yctx *x, yaml_node_t *map, const char *prefix);

/* One project deploys one zip to its functions; a few hundred is already many (and keeps the checks cheap). */
#define CONFIG_MAX_FUNCTIONS 500

/* functions: NAME: {function keys}: each entry read like `function:` into its own values */
static int read_functions(struct yctx *x, yaml_node_t *map)
{
	struct config *cfg = x->cfg;

	if (is_null(map))
		return 0;
	if (map->type != YAML_MAPPING_NODE)
		return yerror(x, map->start_mark, "functions must be a map of function names to their settings, got %s",
			      node_type_name(map));
	for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
		yaml_node_t *kn = yaml_document_get_node(x->doc, p->key);
		yaml_node_t *vn = yaml_document_get_node(x->doc, p->value);
		struct config scratch;
		struct yctx sx = { &scratch, x->doc, x->path };
		struct config_function *fn;
		struct buf why = BUF_INIT;
		const char *name;
		int r;

		if (kn->type != YAML_SCALAR_NODE)
			return yerror(x, kn->start_mark, "the names under functions must be plain names");
		name = (const char *)kn->data.scalar.value;
		if (config_check_function_name(NULL, name, &why)) {
			r = yerror(x, kn->start_mark, "%s", why.ptr);
			buf_release(&why);
			return r;
		}
		if (cfg->nfns == CONFIG_MAX_FUNCTIONS)
			return yerror(x, kn->start_mark, "more than %d functions: split the project", CONFIG_MAX_FUNCTIONS);
		for (size_t i = 0; i < cfg->nfns; i++)
			if (!strcmp(cfg->fns[i].name, name))
				return yerror(x, kn->start_mark, "duplicate function '%s'", name);
		if (!is_null(vn) && vn->type != YAML_MAPPING_NODE)
			return yerror(x, vn->start_mark, "functions.%s must be a map of settings, got %s", name,
				      node_type_name(vn));
		memset(&scratch, 0, sizeof(scratch));
		r = is_null(vn) ? 0 : read_mapping(&sx, vn, "function");
		for (int k = 0; !r && k < CFG__COUNT; k++) {
			if (scratch.v[k].present && config_key_is_shared(k)) {
				r = error_status(EXIT_USAGE, "%s:%d: %s cannot be set for one function: %s", x->path,
						 scratch.v[k].line, leaf(cfg_keys[k].key),
						 k == CFG_FUNCTION_NAME ? "a function of functions: is named by its key"
									: "the functions share one zip and their layers");
			}
		}
		if (r) {
			config_release(&scratch);
			return -1;
		}
		cfg->fns = xrealloc(cfg->fns, (cfg->nfns + 1) * sizeof(*cfg->fns));
		fn = &cfg->fns[cfg->nfns++];
		memset(fn, 0, sizeof(*fn));
		fn->name = xstrdup(name);
		fn->line = (int)kn->start_mark.line + 1;
		memcpy(fn->v, scratch.v, sizeof(fn->v));
		free(scratch.path);
	}
	return 0;
}

static int read_mapping(struct yctx *x, yaml_node_t *map, const char *prefix)
{
	struct strlist seen = STRLIST_INIT;
	int r = 0;

	for (yaml_node_pair_t *p = map->data.mapping.pairs.start; !r && p < map->data.mapping.pairs.top; p++) {
		yaml_node_t *kn = yaml_document_get_node(x->doc, p->key);
		yaml_node_t *vn = yaml_document_get_node(x->doc, p->value);
		struct buf full = BUF_INIT;
		const char *name;
		int id;

		if (kn->type != YAML_SCALAR_NODE) {
			r = yerror(x, kn->start_mark, "keys must be plain names");
			break;
		}
		name = (const char *)kn->data.scalar.value;
		if (prefix)
			buf_addf(&full, "%s.", prefix);
		buf_adds(&full, name);
		if (strlist_has(&seen, name)) {
			r = yerror(x, kn->start_mark, "duplicate key '%s'", name);
		} else if (!prefix && !strcmp(name, "functions")) {
			r = read_functions(x, vn);
		} else if ((id = config_key_index(full.ptr)) >= 0) {
			r = read_value(x, id, vn);
		} else if (is_section(full.ptr)) {
			if (vn->type == YAML_MAPPING_NODE)
				r = read_mapping(x, vn, full.ptr);
			else if (!is_null(vn))
				r = yerror(x, vn->start_mark, "%s must be a map of settings, got %s", name,
					   node_type_name(vn));
		} else {
			unknown_key(x, kn->start_mark, prefix, name);
			r = -1;
		}
		strlist_add(&seen, name);
		buf_release(&full);
	}
	strlist_clear(&seen);
	return r;
}

/* blambda.yml is a few dozen lines; these bound what a hostile or broken one can cost */
#define CONFIG_MAX_BYTES (1 << 20)
#define CONFIG_MAX_DEPTH 32

/*
 * Walk the file's events and stop at the first collection nested deeper than
 * CONFIG_MAX_DEPTH: libyaml takes time that grows with the square of the
 * nesting to load a document, so a deep one is refused before it is loaded.
 * Syntax errors are left for the load, which reports them.
 */
static int check_depth(const struct buf *text, const char *path)
{
	yaml_parser_t parser;
	yaml_event_t ev;
	int depth = 0, r = 0, done = 0;

	if (!yaml_parser_initialize(&parser))
		return error("cannot set up the YAML parser: out of memory");
	yaml_parser_set_input_string(&parser, (const unsigned char *)text->ptr, text->len);
	while (!done && yaml_parser_parse(&parser, &ev)) {
		if (ev.type == YAML_MAPPING_START_EVENT || ev.type == YAML_SEQUENCE_START_EVENT) {
			if (++depth > CONFIG_MAX_DEPTH) {
				r = error_status(EXIT_USAGE, "%s:%zu:%zu: nested more than %d levels deep", path,
						 ev.start_mark.line + 1, ev.start_mark.column + 1, CONFIG_MAX_DEPTH);
				done = 1;
			}
		} else if (ev.type == YAML_MAPPING_END_EVENT || ev.type == YAML_SEQUENCE_END_EVENT) {
			depth--;
		}
		done |= ev.type == YAML_STREAM_END_EVENT;
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&parser);
	return r;
}

int config_read_file(struct config *cfg, const char *path, int required)
{
	struct buf text = BUF_INIT;
	char chunk[16384];
	size_t n;
	FILE *f;
	int r = -1;

	f = fopen(path, "rb");
	if (!f) {
		if (errno == ENOENT && !required)
			return 0;
		return error_status(EXIT_USAGE, "cannot read '%s': %s", path, strerror(errno));
	}
	/* read whole, at most CONFIG_MAX_BYTES: a pipe (-c <(...)) works, an endless one does not hang */
	while (text.len <= CONFIG_MAX_BYTES && (n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_add(&text, chunk, n);
	if (ferror(f))
		error_status(EXIT_USAGE, "cannot read '%s': %s", path, strerror(errno));
	else
		r = config_read_text(cfg, path, text.ptr, text.len);
	buf_release(&text);
	fclose(f);
	return r;
}

int config_read_text(struct config *cfg, const char *path, const char *text, size_t len)
{
	yaml_parser_t parser;
	yaml_document_t doc;
	struct yctx x = { cfg, &doc, path };
	struct buf copy = BUF_INIT;
	yaml_node_t *root;
	int r = 0;

	if (len > CONFIG_MAX_BYTES)
		return error_status(EXIT_USAGE, "'%s' is larger than %d KB, more than a configuration can need", path,
				    CONFIG_MAX_BYTES / 1024);
	buf_add(&copy, text, len);
	if (check_depth(&copy, path)) {
		buf_release(&copy);
		return -1;
	}
	if (!yaml_parser_initialize(&parser)) {
		buf_release(&copy);
		return error("cannot set up the YAML parser: out of memory");
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)copy.ptr, copy.len);
	if (!yaml_parser_load(&parser, &doc)) {
		yaml_mark_t m = parser.problem_mark;

		if (parser.error == YAML_READER_ERROR)
			r = error_status(EXIT_USAGE, "%s: %s at byte %zu", path, parser.problem, parser.problem_offset);
		else if (parser.context)
			r = error_status(EXIT_USAGE, "%s:%zu:%zu: YAML syntax error: %s %s (line %zu)", path, m.line + 1,
					 m.column + 1, parser.problem, parser.context, parser.context_mark.line + 1);
		else
			r = error_status(EXIT_USAGE, "%s:%zu:%zu: YAML syntax error: %s", path, m.line + 1, m.column + 1,
					 parser.problem ? parser.problem : "unreadable input");
		yaml_parser_delete(&parser);
		buf_release(&copy);
		return r;
	}
	free(cfg->path);
	cfg->path = xstrdup(path);
	root = yaml_document_get_root_node(&doc);
	if (root && !is_null(root)) {
		if (root->type != YAML_MAPPING_NODE)
			r = yerror(&x, root->start_mark, "the top level must be a map of settings, got %s",
				   node_type_name(root));
		else
			r = read_mapping(&x, root, NULL);
	}
	yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
	buf_release(&copy);
	return r;
}

/* ---- after loading ------------------------------------------------------- */

int config_finish(struct config *cfg)
{
	struct cfg_value *deps = &cfg->v[CFG_LAYERS_DEPS];
	const char *name = config_function_name(cfg, 0);

	if (cfg->nfns && cfg->v[CFG_FUNCTION_NAME].present)
		return error_status(EXIT_USAGE, "%s: function.name names a single function; with functions: each "
				    "function is named by its key", cfg->v[CFG_FUNCTION_NAME].origin);

	if (!deps->present && name) {
		struct buf b = BUF_INIT;

		buf_addf(&b, "%s-deps", name);
		deps->str = buf_detach(&b);
		set_origin(deps, SRC_DEFAULT, "default", 0);
	}
	return 0;
}

const char *config_str(const struct config *cfg, enum cfg_id id)
{
	return cfg->v[id].present ? cfg->v[id].str : NULL;
}

long config_int(const struct config *cfg, enum cfg_id id)
{
	return cfg->v[id].num;
}

const struct strlist *config_list(const struct config *cfg, enum cfg_id id)
{
	return &cfg->v[id].list;
}

const struct kvlist *config_map(const struct config *cfg, enum cfg_id id)
{
	return &cfg->v[id].map;
}

void config_format_value(const struct config *cfg, enum cfg_id id, struct buf *out)
{
	const struct cfg_value *v = &cfg->v[id];

	if (!v->present)
		return;
	switch (cfg_keys[id].type) {
	case CFG_LIST:
		for (size_t i = 0; i < v->list.nr; i++)
			buf_addf(out, "%s%s", i ? ", " : "", v->list.items[i]);
		break;
	case CFG_MAP:
		for (size_t i = 0; i < v->map.nr; i++)
			buf_addf(out, "%s%s=%s", i ? ", " : "", v->map.items[i].key, v->map.items[i].value);
		break;
	default:
		buf_adds(out, v->str ? v->str : "");
	}
}

int config_select_functions(const struct config *cfg, const struct strlist *names, struct config **out, size_t *n)
{
	size_t count = config_function_count(cfg);
	const char *where = cfg->path ? cfg->path : "the project";

	*out = NULL;
	*n = 0;
	for (size_t i = 0; i < names->nr; i++) {
		if (config_function_index(cfg, names->items[i]) < 0) {
			const char **known = xcalloc(count ? count : 1, sizeof(*known));
			const char *s;

			for (size_t k = 0; k < count; k++)
				known[k] = config_function_name(cfg, k);
			s = suggest(names->items[i], known, count);
			if (s)
				error_status(EXIT_USAGE, "%s declares no function '%s' (did you mean '%s'?)", where,
					     names->items[i], s);
			else
				error_status(EXIT_USAGE, "%s declares no function '%s'", where, names->items[i]);
			free(known);
			return -1;
		}
	}
	*out = xcalloc(count ? count : 1, sizeof(**out));
	for (size_t i = 0; i < count; i++) {
		const char *name = config_function_name(cfg, i);
		int wanted = !names->nr;

		for (size_t k = 0; k < names->nr; k++)
			wanted |= !strcmp(names->items[k], name);
		if (!wanted)
			continue;
		config_for_function(cfg, i, &(*out)[*n]);
		if (!config_str(&(*out)[*n], CFG_FUNCTION_HANDLER)) {
			for (size_t k = 0; k <= *n; k++)
				config_release(&(*out)[k]);
			free(*out);
			*out = NULL;
			*n = 0;
			return error_status(EXIT_USAGE, "%s sets no handler for function '%s'", where, name);
		}
		(*n)++;
	}
	return 0;
}

char *config_one_function(const struct config *cfg, const char *name, const char *command)
{
	struct strlist names = STRLIST_INIT;
	struct config *fns = NULL;
	size_t n = 0;
	char *r = NULL;

	/* outside a project any name goes: it is a function in AWS */
	if (name && !cfg->path)
		return xstrdup(name);
	if (name)
		strlist_add(&names, name);
	if (!config_select_functions(cfg, &names, &fns, &n)) {
		if (!n) {
			error_status(EXIT_USAGE, "which function? name it, or set function.name in blambda.yml");
		} else if (n > 1) {
			error_status(EXIT_USAGE, "the project has %zu functions: name one", n);
			hint("'blambda %s %s'", command, config_str(&fns[0], CFG_FUNCTION_NAME));
		} else {
			r = xstrdup(config_str(&fns[0], CFG_FUNCTION_NAME));
		}
	}
	for (size_t i = 0; i < n; i++)
		config_release(&fns[i]);
	free(fns);
	strlist_clear(&names);
	return r;
}
