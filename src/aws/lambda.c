#include "aws/lambda.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/crypto.h>

#include "aws/protocol.h"
#include "core/hash.h"
#include "core/xalloc.h"

/* Lambda's functions: the path of the listings and the prefix of every function's own */
#define FUNCTIONS_PATH "/2015-03-31/functions"

static char *dup_str(const cJSON *o, const char *key)
{
	const char *v = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, key));

	return xstrdup_or_null(v);
}

/* A whole number of the answer; 0 when it is missing or not one a long can hold. */
static long get_long(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	if (!cJSON_IsNumber(v) || !(v->valuedouble >= -9.0e15 && v->valuedouble <= 9.0e15))
		return 0;
	return (long)v->valuedouble;
}

/* Lambda answered 2xx without what every such answer holds: err says which field, r becomes 1. */
static int malformed(struct error *err, const char *what, const char *field)
{
	aws_error_set(err, "MalformedAnswer", "Lambda's answer to %s has no %s", what, field);
	return 1;
}

/* Pages of a listing followed at most (a service that answers the same marker forever must not loop). */
#define MAX_PAGES 100

void lambda_function_release(struct lambda_function *f)
{
	free(f->name);
	free(f->arn);
	free(f->runtime);
	free(f->handler);
	free(f->role);
	free(f->architecture);
	free(f->description);
	free(f->package_type);
	free(f->revision_id);
	free(f->last_modified);
	free(f->code_sha256);
	free(f->state);
	free(f->state_reason);
	free(f->last_update_status);
	free(f->last_update_reason);
	free(f->tracing);
	strlist_clear(&f->subnets);
	strlist_clear(&f->security_groups);
	kvlist_clear(&f->environment);
	strlist_clear(&f->layers);
	kvlist_clear(&f->tags);
	if (f->code_location) /* a presigned URL: a secret for some minutes */
		OPENSSL_cleanse(f->code_location, strlen(f->code_location));
	free(f->code_location);
	memset(f, 0, sizeof(*f));
}

/* A FunctionConfiguration object into f. */
static void read_configuration(const cJSON *c, struct lambda_function *f)
{
	const cJSON *item, *vars = cJSON_GetObjectItemCaseSensitive(
				   cJSON_GetObjectItemCaseSensitive(c, "Environment"), "Variables");
	const cJSON *archs = cJSON_GetObjectItemCaseSensitive(c, "Architectures");

	lambda_function_release(f);
	f->name = dup_str(c, "FunctionName");
	f->arn = dup_str(c, "FunctionArn");
	f->runtime = dup_str(c, "Runtime");
	f->handler = dup_str(c, "Handler");
	f->role = dup_str(c, "Role");
	f->description = dup_str(c, "Description");
	f->package_type = dup_str(c, "PackageType");
	f->revision_id = dup_str(c, "RevisionId");
	f->last_modified = dup_str(c, "LastModified");
	f->code_sha256 = dup_str(c, "CodeSha256");
	f->state = dup_str(c, "State");
	f->state_reason = dup_str(c, "StateReason");
	f->last_update_status = dup_str(c, "LastUpdateStatus");
	f->last_update_reason = dup_str(c, "LastUpdateStatusReason");
	f->memory = get_long(c, "MemorySize");
	f->timeout = get_long(c, "Timeout");
	/* Lambda leaves Architectures out for functions made before arm64 existed: x86_64 */
	f->architecture = xstrdup(cJSON_GetArraySize(archs) > 0 && cJSON_GetStringValue(cJSON_GetArrayItem(archs, 0))
					  ? cJSON_GetStringValue(cJSON_GetArrayItem(archs, 0))
					  : "x86_64");
	f->tracing = xstrdup_or_null(cJSON_GetStringValue(
		cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(c, "TracingConfig"), "Mode")));
	f->ephemeral_storage = get_long(cJSON_GetObjectItemCaseSensitive(c, "EphemeralStorage"), "Size");
	if (!f->ephemeral_storage)
		f->ephemeral_storage = 512; /* Lambda's default, for answers that leave it out */
	cJSON_ArrayForEach(item, cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(c, "VpcConfig"),
								  "SubnetIds"))
		if (cJSON_IsString(item))
			strlist_add(&f->subnets, item->valuestring);
	cJSON_ArrayForEach(item, cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(c, "VpcConfig"),
								  "SecurityGroupIds"))
		if (cJSON_IsString(item))
			strlist_add(&f->security_groups, item->valuestring);
	cJSON_ArrayForEach(item, vars)
		if (cJSON_IsString(item))
			kvlist_add(&f->environment, item->string, item->valuestring);
	cJSON_ArrayForEach(item, cJSON_GetObjectItemCaseSensitive(c, "Layers")) {
		const char *arn = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(item, "Arn"));

		if (arn)
			strlist_add(&f->layers, arn);
	}
}

/* The function a create or update answered with, into out; an answer without its ARN is malformed. */
static int function_answer(int r, const cJSON *answer, const char *what, struct lambda_function *out,
			   struct error *err)
{
	if (r)
		return r;
	read_configuration(answer, out);
	return out->arn ? 0 : malformed(err, what, "FunctionArn");
}

static void function_path(struct buf *path, const char *name, const char *suffix)
{
	buf_adds(path, FUNCTIONS_PATH "/");
	aws_path_segment(path, name);
	buf_adds(path, suffix);
}

int lambda_get_function(struct aws *a, const char *region, const char *name, struct lambda_function *out,
			struct error *err)
{
	struct aws_call call = { 0 };
	struct buf path = BUF_INIT;
	cJSON *answer, *item;
	int r;

	memset(out, 0, sizeof(*out));
	function_path(&path, name, "");
	call.service = "lambda";
	call.private_bodies = 1; /* a function's settings: its environment's values */
	call.region = region;
	call.method = "GET";
	call.path = path.ptr;
	r = aws_json_call(a, &call, NULL, &answer, err);
	if (r == 0) {
		const cJSON *reserved = cJSON_GetObjectItemCaseSensitive(
			cJSON_GetObjectItemCaseSensitive(answer, "Concurrency"), "ReservedConcurrentExecutions");

		read_configuration(cJSON_GetObjectItemCaseSensitive(answer, "Configuration"), out);
		if (cJSON_IsNumber(reserved) && reserved->valuedouble >= 0 && reserved->valuedouble <= 1e9) {
			out->reserved_concurrency = (long)reserved->valuedouble;
			out->reserved = 1;
		}
		out->code_location = dup_str(cJSON_GetObjectItemCaseSensitive(answer, "Code"), "Location");
		cJSON_ArrayForEach(item, cJSON_GetObjectItemCaseSensitive(answer, "Tags"))
			if (cJSON_IsString(item))
				kvlist_add(&out->tags, item->string, item->valuestring);
		if (!out->arn)
			r = malformed(err, "GetFunction", "Configuration.FunctionArn");
		item = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(answer, "Code"), "Location");
		if (cJSON_IsString(item)) /* the presigned URL, wiped as its copy will be */
			OPENSSL_cleanse(item->valuestring, strlen(item->valuestring));
	}
	cJSON_Delete(answer);
	buf_release(&path);
	return r;
}

static cJSON *string_map(const struct kvlist *l)
{
	cJSON *o = cJSON_CreateObject();

	for (size_t i = 0; l && i < l->nr; i++)
		cJSON_AddStringToObject(o, l->items[i].key, l->items[i].value);
	return o;
}

static cJSON *string_list(const struct strlist *l)
{
	cJSON *a = cJSON_CreateArray();

	for (size_t i = 0; l && i < l->nr; i++)
		cJSON_AddItemToArray(a, cJSON_CreateString(l->items[i]));
	return a;
}

/* The settings UpdateFunctionConfiguration and CreateFunction share. */
static void add_settings(cJSON *o, const struct lambda_settings *s)
{
	cJSON *env, *vpc, *layers = cJSON_AddArrayToObject(o, "Layers");

	for (size_t i = 0; s->layers && i < s->layers->nr; i++)
		cJSON_AddItemToArray(layers, cJSON_CreateString(s->layers->items[i]));
	cJSON_AddStringToObject(o, "FunctionName", s->name);
	if (s->layers_only) /* nothing read back is sent: an environment Lambda could not decrypt reads as none */
		return;
	env = cJSON_AddObjectToObject(o, "Environment");
	cJSON_AddStringToObject(o, "Runtime", s->runtime);
	cJSON_AddStringToObject(o, "Handler", s->handler);
	cJSON_AddStringToObject(o, "Role", s->role);
	cJSON_AddStringToObject(o, "Description", s->description ? s->description : "");
	cJSON_AddNumberToObject(o, "MemorySize", (double)s->memory);
	cJSON_AddNumberToObject(o, "Timeout", (double)s->timeout);
	cJSON_AddItemToObject(env, "Variables", string_map(s->environment));
	cJSON_AddStringToObject(cJSON_AddObjectToObject(o, "TracingConfig"), "Mode",
				s->tracing ? s->tracing : "PassThrough");
	cJSON_AddNumberToObject(cJSON_AddObjectToObject(o, "EphemeralStorage"), "Size",
				(double)(s->ephemeral_storage ? s->ephemeral_storage : 512));
	/* empty lists take a function out of its VPC */
	vpc = cJSON_AddObjectToObject(o, "VpcConfig");
	cJSON_AddItemToObject(vpc, "SubnetIds", string_list(s->subnets));
	cJSON_AddItemToObject(vpc, "SecurityGroupIds", string_list(s->security_groups));
}

/*
 * Lambda's refusal of an environment over 4 KB quotes it ("String measured:
 * {...}"): its values are secrets, cut from the message.
 */
static void hide_measured(struct error *err)
{
	char *at = err->message ? strstr(err->message, "String measured:") : NULL;
	struct buf m = BUF_INIT;

	if (!at)
		return;
	buf_add(&m, err->message, (size_t)(at - err->message));
	buf_adds(&m, "(the variables it quotes are not shown)");
	OPENSSL_cleanse(err->message, strlen(err->message));
	free(err->message);
	err->message = buf_detach(&m);
}

/*
 * Send `body` with the code added under `field` ("Code" for CreateFunction, or
 * NULL for the top level as UpdateFunctionCode and PublishLayerVersion's
 * "Content" want): an S3 location inline, a zip streamed as base64.
 */
static int call_with_code(struct aws *a, struct aws_call *call, cJSON *body, const char *field,
			  const struct lambda_code *code, cJSON **answer, struct error *err)
{
	struct aws_zip_json z;
	char *rest, *before, *after;
	struct buf b = BUF_INIT, t = BUF_INIT;
	int r;

	*answer = NULL;

	if (code->s3_bucket) {
		cJSON *where = field ? cJSON_AddObjectToObject(body, field) : body;

		cJSON_AddStringToObject(where, "S3Bucket", code->s3_bucket);
		cJSON_AddStringToObject(where, "S3Key", code->s3_key);
		return aws_json_call(a, call, body, answer, err);
	}
	/* {"<field>":{"ZipFile":"<base64>"},<rest>} or {"ZipFile":"<base64>",<rest>} */
	rest = cJSON_PrintUnformatted(body);
	if (field)
		buf_addf(&b, "{\"%s\":{\"ZipFile\":\"", field);
	else
		buf_adds(&b, "{\"ZipFile\":\"");
	buf_adds(&t, field ? "\"}" : "\"");
	buf_adds(&t, strlen(rest) > 2 ? "," : "");
	buf_adds(&t, rest + 1); /* rest without its '{' */
	before = buf_detach(&b);
	after = buf_detach(&t);
	if (aws_zip_json_init(&z, before, after, code->zip_path)) {
		aws_error_set(err, "LocalError", "cannot read '%s': %s", code->zip_path, strerror(errno));
		r = -1;
	} else {
		call->source = &z.source;
		call->progress_label = code->progress_label;
		call->timeout_ms = aws_timeout_for(z.source.len);
		r = aws_json_call(a, call, NULL, answer, err);
		call->source = NULL;
		aws_zip_json_release(&z);
	}
	free(rest);
	free(before);
	free(after);
	return r;
}

int lambda_create_function(struct aws *a, const char *region, const struct lambda_settings *s,
			   const struct lambda_code *code, struct lambda_function *out, struct error *err)
{
	struct aws_call call = { 0 };
	cJSON *body = cJSON_CreateObject(), *archs, *answer;
	int r;

	memset(out, 0, sizeof(*out));
	add_settings(body, s);
	archs = cJSON_AddArrayToObject(body, "Architectures");
	cJSON_AddItemToArray(archs, cJSON_CreateString(s->architecture));
	cJSON_AddItemToObject(body, "Tags", string_map(s->tags));
	cJSON_AddBoolToObject(body, "Publish", 0);
	call.service = "lambda";
	call.private_bodies = 1; /* a function's settings: its environment's values */
	call.region = region;
	call.method = "POST";
	call.path = FUNCTIONS_PATH;
	r = call_with_code(a, &call, body, "Code", code, &answer, err);
	r = function_answer(r, answer, call.path, out, err);
	if (r)
		hide_measured(err);
	cJSON_Delete(answer);
	cJSON_Delete(body);
	return r;
}

int lambda_update_code(struct aws *a, const char *region, const char *name, const char *architecture,
		       const char *revision_id, const struct lambda_code *code, struct lambda_function *out,
		       struct error *err)
{
	struct aws_call call = { 0 };
	struct buf path = BUF_INIT;
	cJSON *body = cJSON_CreateObject(), *archs, *answer;
	int r;

	memset(out, 0, sizeof(*out));
	archs = cJSON_AddArrayToObject(body, "Architectures");
	cJSON_AddItemToArray(archs, cJSON_CreateString(architecture));
	cJSON_AddBoolToObject(body, "Publish", 0);
	if (revision_id)
		cJSON_AddStringToObject(body, "RevisionId", revision_id);
	function_path(&path, name, "/code");
	call.service = "lambda";
	call.private_bodies = 1; /* a function's settings: its environment's values */
	call.region = region;
	call.method = "PUT";
	call.path = path.ptr;
	r = call_with_code(a, &call, body, NULL, code, &answer, err);
	r = function_answer(r, answer, call.path, out, err);
	cJSON_Delete(answer);
	cJSON_Delete(body);
	buf_release(&path);
	return r;
}

int lambda_update_configuration(struct aws *a, const char *region, const struct lambda_settings *s,
				struct lambda_function *out, struct error *err)
{
	struct aws_call call = { 0 };
	struct buf path = BUF_INIT;
	cJSON *body = cJSON_CreateObject(), *answer;
	int r;

	memset(out, 0, sizeof(*out));
	add_settings(body, s);
	cJSON_DeleteItemFromObjectCaseSensitive(body, "FunctionName");
	if (s->revision_id)
		cJSON_AddStringToObject(body, "RevisionId", s->revision_id);
	function_path(&path, s->name, "/configuration");
	call.service = "lambda";
	call.private_bodies = 1; /* a function's settings: its environment's values */
	call.region = region;
	call.method = "PUT";
	call.path = path.ptr;
	r = aws_json_call(a, &call, body, &answer, err);
	r = function_answer(r, answer, call.path, out, err);
	if (r)
		hide_measured(err);
	cJSON_Delete(answer);
	cJSON_Delete(body);
	buf_release(&path);
	return r;
}

int lambda_tag_resource(struct aws *a, const char *region, const char *arn, const struct kvlist *tags,
			struct error *err)
{
	struct aws_call call = { 0 };
	struct buf path = BUF_INIT;
	cJSON *body = cJSON_CreateObject(), *answer;
	int r;

	cJSON_AddItemToObject(body, "Tags", string_map(tags));
	buf_adds(&path, "/2017-03-31/tags/");
	aws_path_segment(&path, arn);
	call.service = "lambda";
	call.region = region;
	call.method = "POST";
	call.path = path.ptr;
	r = aws_json_call(a, &call, body, &answer, err);
	cJSON_Delete(answer);
	cJSON_Delete(body);
	buf_release(&path);
	return r;
}

/*
 * A call whose answer says nothing needed: method on path (query may be
 * NULL); with gone_ok, a ResourceNotFoundException is no error.
 */
static int plain_call(struct aws *a, const char *region, const char *method, const char *path, const char *query,
		      int gone_ok, struct error *err)
{
	struct aws_call call = { 0 };
	cJSON *answer = NULL;
	int r;

	call.service = "lambda";
	call.region = region;
	call.method = method;
	call.path = path;
	call.query = query;
	r = aws_json_call(a, &call, NULL, &answer, err);
	if (r == 1 && gone_ok && error_is(err, "ResourceNotFoundException")) {
		error_release(err);
		r = 0;
	}
	cJSON_Delete(answer);
	return r;
}

/* One Lambda call of method at path with body (or none); its answer in *answer (caller frees) */
static int lambda_json(struct aws *a, const char *region, const char *method, const char *path, const cJSON *body,
		       cJSON **answer, struct error *err)
{
	struct aws_call call = { 0 };

	call.service = "lambda";
	call.region = region;
	call.method = method;
	call.path = path;
	return aws_json_call(a, &call, body, answer, err);
}

int lambda_untag_resource(struct aws *a, const char *region, const char *arn, const char *key,
			  struct error *err)
{
	struct buf path = BUF_INIT, query = BUF_INIT;
	int r;

	buf_adds(&path, "/2017-03-31/tags/");
	aws_path_segment(&path, arn);
	buf_adds(&query, "tagKeys=");
	aws_path_segment(&query, key);
	r = plain_call(a, region, "DELETE", path.ptr, query.ptr, 1, err);
	buf_release(&path);
	buf_release(&query);
	return r;
}

int lambda_set_concurrency(struct aws *a, const char *region, const char *name, long reserved, struct error *err)
{
	struct buf path = BUF_INIT;
	cJSON *body = NULL, *answer = NULL;
	int r;

	buf_adds(&path, "/2017-10-31/functions/");
	aws_path_segment(&path, name);
	buf_adds(&path, "/concurrency");
	if (reserved < 0) {
		r = plain_call(a, region, "DELETE", path.ptr, NULL, 0, err);
		buf_release(&path);
		return r;
	}
	body = cJSON_CreateObject();
	cJSON_AddNumberToObject(body, "ReservedConcurrentExecutions", (double)reserved);
	r = lambda_json(a, region, "PUT", path.ptr, body, &answer, err);
	cJSON_Delete(body);
	cJSON_Delete(answer);
	buf_release(&path);
	return r;
}

/*
 * GET path and every page after it (NextMarker -> Marker), each answer
 * handed to `page`; at most max_pages (a marker that never ends is
 * "MalformedAnswer"). Returns as aws_json_call does.
 */
static int each_page_q(struct aws *a, const char *region, const char *path, const char *base_query,
		       const char *what, int max_pages, void (*page)(const cJSON *answer, void *ctx), void *ctx,
		       struct error *err)
{
	struct aws_call call = { 0 };
	struct buf query = BUF_INIT;
	cJSON *answer = NULL;
	int r;

	call.service = "lambda";
	call.region = region;
	call.method = "GET";
	call.path = path;
	call.query = base_query;
	/* listings of functions and versions carry each one's environment values */
	call.private_bodies = !strncmp(path, FUNCTIONS_PATH, sizeof(FUNCTIONS_PATH) - 1);
	for (int n = 0;; n++) {
		const char *marker;

		r = aws_json_call(a, &call, NULL, &answer, err);
		if (r)
			break;
		page(answer, ctx);
		marker = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(answer, "NextMarker"));
		if (!marker || !*marker)
			break;
		if (n + 1 >= max_pages) {
			aws_error_set(err, "MalformedAnswer", "Lambda's answer to %s has no end (more than %d pages)", what,
				      max_pages);
			r = 1;
			break;
		}
		buf_reset(&query);
		if (base_query)
			buf_addf(&query, "%s&", base_query);
		buf_adds(&query, "Marker=");
		aws_path_segment(&query, marker);
		call.query = query.ptr;
		cJSON_Delete(answer);
		answer = NULL;
	}
	cJSON_Delete(answer);
	buf_release(&query);
	return r;
}

static int each_page(struct aws *a, const char *region, const char *path, const char *what, int max_pages,
		     void (*page)(const cJSON *answer, void *ctx), void *ctx, struct error *err)
{
	return each_page_q(a, region, path, NULL, what, max_pages, page, ctx, err);
}

static void layers_of_functions(const cJSON *answer, void *ctx)
{
	struct strlist *out = ctx;
	const cJSON *fn, *layer;

	cJSON_ArrayForEach(fn, cJSON_GetObjectItemCaseSensitive(answer, "Functions")) {
		const char *name = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(fn, "FunctionName"));

		cJSON_ArrayForEach(layer, cJSON_GetObjectItemCaseSensitive(fn, "Layers")) {
			const char *arn = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(layer, "Arn"));

			if (arn && name)
				strlist_add_owned(out, buf_fmt("%s %s", arn, name));
		}
	}
}

int lambda_layers_in_use(struct aws *a, const char *region, struct strlist *out, struct error *err)
{
	return each_page_q(a, region, FUNCTIONS_PATH "/", "FunctionVersion=ALL", "ListFunctions", MAX_PAGES * 10,
			   layers_of_functions, out,
			 err);
}

static void roles_of_functions(const cJSON *answer, void *ctx)
{
	struct strlist *out = ctx;
	const cJSON *fn;

	cJSON_ArrayForEach(fn, cJSON_GetObjectItemCaseSensitive(answer, "Functions")) {
		const char *name = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(fn, "FunctionName"));
		const char *role = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(fn, "Role"));
		const char *version = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(fn, "Version"));

		if (name && role)
			strlist_add_owned(out, buf_fmt("%s %s %s", role, name, version ? version : "$LATEST"));
	}
}

int lambda_roles_in_use(struct aws *a, const char *region, struct strlist *out, struct error *err)
{
	/* every version: one published with the role keeps using it (behind an alias, say) */
	return each_page_q(a, region, FUNCTIONS_PATH "/", "FunctionVersion=ALL", "ListFunctions", MAX_PAGES * 10,
			   roles_of_functions, out, err);
}

/* ---- layers ---- */

void lambda_layer_version_release(struct lambda_layer_version *v)
{
	free(v->layer_arn);
	free(v->version_arn);
	free(v->description);
	free(v->code_sha256);
	strlist_clear(&v->runtimes);
	strlist_clear(&v->architectures);
	memset(v, 0, sizeof(*v));
}

static void read_layer_version(const cJSON *o, struct lambda_layer_version *v)
{
	const cJSON *item;

	lambda_layer_version_release(v);
	v->layer_arn = dup_str(o, "LayerArn");
	v->version_arn = dup_str(o, "LayerVersionArn");
	v->description = dup_str(o, "Description");
	v->code_sha256 = dup_str(cJSON_GetObjectItemCaseSensitive(o, "Content"), "CodeSha256");
	v->version = get_long(o, "Version");
	cJSON_ArrayForEach(item, cJSON_GetObjectItemCaseSensitive(o, "CompatibleRuntimes"))
		if (cJSON_IsString(item))
			strlist_add(&v->runtimes, item->valuestring);
	cJSON_ArrayForEach(item, cJSON_GetObjectItemCaseSensitive(o, "CompatibleArchitectures"))
		if (cJSON_IsString(item))
			strlist_add(&v->architectures, item->valuestring);
}

static void layer_path(struct buf *path, const char *name)
{
	buf_adds(path, "/2018-10-31/layers/");
	aws_path_segment(path, name);
	buf_adds(path, "/versions");
}

void lambda_layer_versions_release(struct lambda_layer_versions *l)
{
	for (size_t i = 0; i < l->nr; i++) {
		free(l->items[i].version_arn);
		free(l->items[i].description);
	}
	free(l->items);
	memset(l, 0, sizeof(*l));
}

static void versions_of_layer(const cJSON *answer, void *ctx)
{
	struct lambda_layer_versions *out = ctx;
	const cJSON *item;

	cJSON_ArrayForEach(item, cJSON_GetObjectItemCaseSensitive(answer, "LayerVersions")) {
		struct lambda_layer_entry *e;

		if (get_long(item, "Version") <= 0)
			continue;
		XGROW(out->items, out->alloc, out->nr + 1);
		e = &out->items[out->nr++];
		e->version = get_long(item, "Version");
		e->version_arn = dup_str(item, "LayerVersionArn");
		e->description = dup_str(item, "Description");
	}
}

int lambda_layer_versions(struct aws *a, const char *region, const char *name, struct lambda_layer_versions *out,
			  struct error *err)
{
	struct buf path = BUF_INIT;
	int r;

	memset(out, 0, sizeof(*out));
	layer_path(&path, name);
	r = each_page(a, region, path.ptr, "ListLayerVersions", MAX_PAGES, versions_of_layer, out, err);
	/* a layer never published has no versions: not an error */
	if (r == 1 && error_is(err, "ResourceNotFoundException")) {
		error_release(err);
		r = 0;
	}
	buf_release(&path);
	return r;
}

int lambda_latest_layer_version(struct aws *a, const char *region, const char *name,
				struct lambda_layer_version *out, struct error *err)
{
	struct lambda_layer_versions all;
	struct aws_call call = { 0 };
	struct buf path = BUF_INIT;
	cJSON *answer = NULL;
	long newest = 0;
	int r;

	memset(out, 0, sizeof(*out));
	/* the newest, whatever order a service lists them in */
	r = lambda_layer_versions(a, region, name, &all, err);
	for (size_t i = 0; !r && i < all.nr; i++)
		if (all.items[i].version > newest)
			newest = all.items[i].version;
	lambda_layer_versions_release(&all);
	if (r || !newest)
		return r;
	layer_path(&path, name);
	buf_addf(&path, "/%ld", newest);
	call.service = "lambda";
	call.region = region;
	call.method = "GET";
	call.path = path.ptr;
	r = aws_json_call(a, &call, NULL, &answer, err);
	if (r == 0) {
		read_layer_version(answer, out);
		if (!out->version_arn || out->version <= 0)
			r = malformed(err, call.path, "LayerVersionArn and Version");
	}
	cJSON_Delete(answer);
	buf_release(&path);
	return r;
}

int lambda_delete_layer_version(struct aws *a, const char *region, const char *name, long version,
				struct error *err)
{
	struct buf path = BUF_INIT;
	int r;

	layer_path(&path, name);
	buf_addf(&path, "/%ld", version);
	r = plain_call(a, region, "DELETE", path.ptr, NULL, 0, err);
	buf_release(&path);
	return r;
}

int lambda_delete_function(struct aws *a, const char *region, const char *name, struct error *err)
{
	struct buf path = BUF_INIT;
	int r;

	function_path(&path, name, "");
	r = plain_call(a, region, "DELETE", path.ptr, NULL, 0, err);
	buf_release(&path);
	return r;
}

int lambda_publish_layer_version(struct aws *a, const char *region, const char *name, const char *description,
				 const char *architecture, const struct lambda_code *code,
				 struct lambda_layer_version *out, struct error *err)
{
	struct aws_call call = { 0 };
	struct buf path = BUF_INIT;
	cJSON *body = cJSON_CreateObject(), *list, *answer, *content;
	int r;

	memset(out, 0, sizeof(*out));
	cJSON_AddStringToObject(body, "Description", description);
	list = cJSON_AddArrayToObject(body, "CompatibleRuntimes");
	cJSON_AddItemToArray(list, cJSON_CreateString("provided.al2023"));
	cJSON_AddItemToArray(list, cJSON_CreateString("provided.al2"));
	list = cJSON_AddArrayToObject(body, "CompatibleArchitectures");
	cJSON_AddItemToArray(list, cJSON_CreateString(architecture));
	layer_path(&path, name);
	call.service = "lambda";
	call.region = region;
	call.method = "POST";
	call.path = path.ptr;
	if (code->s3_bucket) {
		content = cJSON_AddObjectToObject(body, "Content");
		cJSON_AddStringToObject(content, "S3Bucket", code->s3_bucket);
		cJSON_AddStringToObject(content, "S3Key", code->s3_key);
		r = aws_json_call(a, &call, body, &answer, err);
	} else {
		r = call_with_code(a, &call, body, "Content", code, &answer, err);
	}
	if (r == 0) {
		read_layer_version(answer, out);
		if (!out->version_arn || out->version <= 0)
			r = malformed(err, call.path, "LayerVersionArn and Version");
	}
	cJSON_Delete(answer);
	cJSON_Delete(body);
	buf_release(&path);
	return r;
}

void lambda_invocation_release(struct lambda_invocation *v)
{
	free(v->function_error);
	free(v->executed_version);
	free(v->request_id);
	buf_release(&v->log);
	buf_release(&v->payload);
	lambda_invocation_init(v);
}

void lambda_invocation_init(struct lambda_invocation *v)
{
	memset(v, 0, sizeof(*v));
	buf_init(&v->log);
	buf_init(&v->payload);
}

static char *header_copy(const struct http_response *resp, const char *name)
{
	const char *v = kvlist_get_nocase(&resp->headers, name);

	return xstrdup_or_null(v);
}

int lambda_invoke(struct aws *a, const struct lambda_invoke_request *req, struct lambda_invocation *out,
		  struct error *err)
{
	struct aws_call call = { 0 };
	struct http_response resp;
	struct buf path = BUF_INIT, query = BUF_INIT;
	int r;

	lambda_invocation_init(out);
	function_path(&path, req->name, "/invocations");
	if (req->qualifier) {
		buf_adds(&query, "Qualifier=");
		aws_path_segment(&query, req->qualifier);
	}
	call.service = "lambda";
	call.region = req->region;
	call.method = "POST";
	call.path = path.ptr;
	call.query = query.len ? query.ptr : NULL;
	call.content_type = "application/json";
	call.body = req->payload;
	call.body_len = req->len;
	call.no_retry = 1;
	call.timeout_ms = (900 + 60) * 1000L;
	kvlist_add(&call.headers, "X-Amz-Invocation-Type", req->type ? req->type : "RequestResponse");
	if (req->tail)
		kvlist_add(&call.headers, "X-Amz-Log-Type", "Tail");
	r = aws_call(a, &call, &resp, err);
	if (r == 0) {
		const char *log = kvlist_get_nocase(&resp.headers, "X-Amz-Log-Result");

		out->status = resp.status;
		out->function_error = header_copy(&resp, "X-Amz-Function-Error");
		out->executed_version = header_copy(&resp, "X-Amz-Executed-Version");
		out->request_id = header_copy(&resp, "X-Amzn-RequestId");
		buf_add(&out->payload, resp.body.ptr, resp.body.len);
		/* the function ran: a log that cannot be read loses the log, not the answer */
		if (log && base64_decode(log, strlen(log), &out->log)) {
			buf_reset(&out->log);
			out->log_unreadable = 1;
		}
	}
	http_response_release(&resp);
	kvlist_clear(&call.headers);
	buf_release(&path);
	buf_release(&query);
	return r;
}

/* a version number as Lambda writes it, a string of digits ("$LATEST" is not one) */
static long version_of(const cJSON *o, const char *key)
{
	const char *v = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, key));
	char *end;
	long n;

	if (!v || !*v)
		return 0;
	n = strtol(v, &end, 10);
	return *end || n <= 0 ? 0 : n;
}

int lambda_publish_version(struct aws *a, const char *region, const char *name, const char *description,
			   long *version, char **arn, struct error *err)
{
	struct aws_call call = { 0 };
	struct buf path = BUF_INIT;
	cJSON *body = cJSON_CreateObject(), *answer = NULL;
	int r;

	*version = 0;
	*arn = NULL;
	if (description)
		cJSON_AddStringToObject(body, "Description", description);
	function_path(&path, name, "/versions");
	call.service = "lambda";
	call.private_bodies = 1; /* a function's settings: its environment's values */
	call.region = region;
	call.method = "POST";
	call.path = path.ptr;
	r = aws_json_call(a, &call, body, &answer, err);
	if (!r) {
		*version = version_of(answer, "Version");
		*arn = dup_str(answer, "FunctionArn");
		if (!*version || !*arn)
			r = malformed(err, "PublishVersion", "Version and FunctionArn");
	}
	cJSON_Delete(body);
	cJSON_Delete(answer);
	buf_release(&path);
	return r;
}

int lambda_get_alias(struct aws *a, const char *region, const char *name, const char *alias, long *version,
		     struct error *err)
{
	struct aws_call call = { 0 };
	struct buf path = BUF_INIT;
	cJSON *answer = NULL;
	int r;

	*version = 0;
	function_path(&path, name, "/aliases/");
	aws_path_segment(&path, alias);
	call.service = "lambda";
	call.region = region;
	call.method = "GET";
	call.path = path.ptr;
	r = aws_json_call(a, &call, NULL, &answer, err);
	if (r == 1 && error_is(err, "ResourceNotFoundException")) {
		error_release(err);
		r = 0;
	} else if (!r) {
		const char *v = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(answer, "FunctionVersion"));

		*version = v && !strcmp(v, "$LATEST") ? LAMBDA_VERSION_LATEST : version_of(answer, "FunctionVersion");
		if (!*version)
			r = malformed(err, "GetAlias", "FunctionVersion");
	}
	cJSON_Delete(answer);
	buf_release(&path);
	return r;
}

int lambda_put_alias(struct aws *a, const char *region, const char *name, const char *alias, long version,
		     int create, char **arn, struct error *err)
{
	struct aws_call call = { 0 };
	struct buf path = BUF_INIT, v = BUF_INIT;
	cJSON *body = cJSON_CreateObject(), *answer = NULL;
	int r;

	*arn = NULL;
	buf_addf(&v, "%ld", version);
	function_path(&path, name, "/aliases");
	if (create) {
		cJSON_AddStringToObject(body, "Name", alias);
	} else {
		buf_addch(&path, '/');
		aws_path_segment(&path, alias);
	}
	cJSON_AddStringToObject(body, "FunctionVersion", v.ptr);
	call.service = "lambda";
	call.region = region;
	call.method = create ? "POST" : "PUT";
	call.path = path.ptr;
	r = aws_json_call(a, &call, body, &answer, err);
	if (!r && !(*arn = dup_str(answer, "AliasArn")))
		r = malformed(err, create ? "CreateAlias" : "UpdateAlias", "AliasArn");
	cJSON_Delete(body);
	cJSON_Delete(answer);
	buf_release(&path);
	buf_release(&v);
	return r;
}

void lambda_url_release(struct lambda_url *u)
{
	free(u->url);
	free(u->auth);
	strlist_clear(&u->origins);
	strlist_clear(&u->methods);
	strlist_clear(&u->headers);
	memset(u, 0, sizeof(*u));
}

static void url_path(struct buf *path, const char *name)
{
	buf_adds(path, "/2021-10-31/functions/");
	aws_path_segment(path, name);
	buf_adds(path, "/url");
}

static void read_strings(const cJSON *o, const char *key, struct strlist *out)
{
	const cJSON *item, *list = cJSON_GetObjectItemCaseSensitive(o, key);

	if (!cJSON_IsArray(list))
		return;
	cJSON_ArrayForEach(item, list)
		if (cJSON_IsString(item))
			strlist_add(out, item->valuestring);
}

int lambda_get_url(struct aws *a, const char *region, const char *name, struct lambda_url *out, int *exists,
		   struct error *err)
{
	struct aws_call call = { 0 };
	struct buf path = BUF_INIT;
	cJSON *answer = NULL;
	int r;

	memset(out, 0, sizeof(*out));
	*exists = 0;
	url_path(&path, name);
	call.service = "lambda";
	call.region = region;
	call.method = "GET";
	call.path = path.ptr;
	r = aws_json_call(a, &call, NULL, &answer, err);
	if (r == 1 && error_is(err, "ResourceNotFoundException")) {
		error_release(err);
		r = 0;
	} else if (!r) {
		const cJSON *cors = cJSON_GetObjectItemCaseSensitive(answer, "Cors");

		*exists = 1;
		out->url = dup_str(answer, "FunctionUrl");
		out->auth = dup_str(answer, "AuthType");
		read_strings(cors, "AllowOrigins", &out->origins);
		read_strings(cors, "AllowMethods", &out->methods);
		read_strings(cors, "AllowHeaders", &out->headers);
		out->max_age = get_long(cors, "MaxAge");
		out->credentials = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(cors, "AllowCredentials"));
		if (!out->url || !out->auth)
			r = malformed(err, "GetFunctionUrlConfig", "FunctionUrl and AuthType");
	}
	cJSON_Delete(answer);
	buf_release(&path);
	return r;
}

static cJSON *string_array(const struct strlist *l)
{
	cJSON *a = cJSON_CreateArray();

	for (size_t i = 0; i < l->nr; i++)
		cJSON_AddItemToArray(a, cJSON_CreateString(l->items[i]));
	return a;
}

int lambda_put_url(struct aws *a, const char *region, const char *name, const struct lambda_url *want, int create,
		   char **url, struct error *err)
{
	struct aws_call call = { 0 };
	struct buf path = BUF_INIT;
	cJSON *body = cJSON_CreateObject(), *cors, *answer = NULL;
	int r;

	*url = NULL;
	url_path(&path, name);
	cJSON_AddStringToObject(body, "AuthType", want->auth);
	/* Cors always sent: an update without it would keep the old one */
	cors = cJSON_AddObjectToObject(body, "Cors");
	cJSON_AddItemToObject(cors, "AllowOrigins", string_array(&want->origins));
	cJSON_AddItemToObject(cors, "AllowMethods", string_array(&want->methods));
	cJSON_AddItemToObject(cors, "AllowHeaders", string_array(&want->headers));
	cJSON_AddNumberToObject(cors, "MaxAge", (double)want->max_age);
	cJSON_AddBoolToObject(cors, "AllowCredentials", want->credentials);
	call.service = "lambda";
	call.region = region;
	call.method = create ? "POST" : "PUT";
	call.path = path.ptr;
	r = aws_json_call(a, &call, body, &answer, err);
	if (!r && !(*url = dup_str(answer, "FunctionUrl")))
		r = malformed(err, create ? "CreateFunctionUrlConfig" : "UpdateFunctionUrlConfig", "FunctionUrl");
	cJSON_Delete(body);
	cJSON_Delete(answer);
	buf_release(&path);
	return r;
}

int lambda_delete_url(struct aws *a, const char *region, const char *name, struct error *err)
{
	struct buf path = BUF_INIT;
	int r;

	url_path(&path, name);
	r = plain_call(a, region, "DELETE", path.ptr, NULL, 1, err);
	buf_release(&path);
	return r;
}

int lambda_allow_public_url(struct aws *a, const char *region, const char *name, const char *sid,
			    struct error *err)
{
	struct aws_call call = { 0 };
	struct buf path = BUF_INIT;
	cJSON *body = cJSON_CreateObject(), *answer = NULL;
	int r;

	function_path(&path, name, "/policy");
	cJSON_AddStringToObject(body, "StatementId", sid);
	cJSON_AddStringToObject(body, "Action", "lambda:InvokeFunctionUrl");
	cJSON_AddStringToObject(body, "Principal", "*");
	cJSON_AddStringToObject(body, "FunctionUrlAuthType", "NONE");
	call.service = "lambda";
	call.region = region;
	call.method = "POST";
	call.path = path.ptr;
	r = aws_json_call(a, &call, body, &answer, err);
	if (r == 1 && error_is(err, "ResourceConflictException")) {
		error_release(err); /* the statement is there already */
		r = 0;
	}
	cJSON_Delete(body);
	cJSON_Delete(answer);
	buf_release(&path);
	return r;
}

int lambda_remove_permission(struct aws *a, const char *region, const char *name, const char *sid,
			     struct error *err)
{
	struct buf path = BUF_INIT;
	int r;

	function_path(&path, name, "/policy/");
	aws_path_segment(&path, sid);
	r = plain_call(a, region, "DELETE", path.ptr, NULL, 1, err);
	buf_release(&path);
	return r;
}

/* ---- published versions and aliases ---- */

void lambda_versions_release(struct lambda_versions *l)
{
	for (size_t i = 0; i < l->nr; i++) {
		free(l->items[i].last_modified);
		free(l->items[i].code_sha256);
		free(l->items[i].description);
		strlist_clear(&l->items[i].layers);
	}
	free(l->items);
	memset(l, 0, sizeof(*l));
}

static void versions_page(const cJSON *answer, void *ctx)
{
	struct lambda_versions *l = ctx;
	const cJSON *v, *layer;

	cJSON_ArrayForEach(v, cJSON_GetObjectItemCaseSensitive(answer, "Versions")) {
		long n = version_of(v, "Version");
		struct lambda_version *out;

		if (n <= 0) /* $LATEST is no published version */
			continue;
		XGROW(l->items, l->alloc, l->nr + 1);
		out = &l->items[l->nr++];
		memset(out, 0, sizeof(*out));
		out->version = n;
		out->last_modified = dup_str(v, "LastModified");
		out->code_sha256 = dup_str(v, "CodeSha256");
		out->description = dup_str(v, "Description");
		cJSON_ArrayForEach(layer, cJSON_GetObjectItemCaseSensitive(v, "Layers")) {
			const char *arn = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(layer, "Arn"));

			if (arn)
				strlist_add(&out->layers, arn);
		}
	}
}

static int by_version(const void *a, const void *b)
{
	long x = ((const struct lambda_version *)a)->version, y = ((const struct lambda_version *)b)->version;

	return (x > y) - (x < y);
}

int lambda_list_versions(struct aws *a, const char *region, const char *name, struct lambda_versions *out,
			 struct error *err)
{
	struct buf path = BUF_INIT;
	int r;

	memset(out, 0, sizeof(*out));
	function_path(&path, name, "/versions");
	r = each_page(a, region, path.ptr, "ListVersionsByFunction", MAX_PAGES, versions_page, out, err);
	if (!r && out->nr)
		qsort(out->items, out->nr, sizeof(*out->items), by_version);
	buf_release(&path);
	return r;
}

void lambda_aliases_release(struct lambda_aliases *l)
{
	for (size_t i = 0; i < l->nr; i++)
		free(l->items[i].name);
	free(l->items);
	memset(l, 0, sizeof(*l));
}

static void aliases_page(const cJSON *answer, void *ctx)
{
	struct lambda_aliases *l = ctx;
	const cJSON *al, *w;

	cJSON_ArrayForEach(al, cJSON_GetObjectItemCaseSensitive(answer, "Aliases")) {
		const char *name = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(al, "Name"));
		const char *v = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(al, "FunctionVersion"));
		struct lambda_alias *out;

		if (!name)
			continue;
		XGROW(l->items, l->alloc, l->nr + 1);
		out = &l->items[l->nr++];
		memset(out, 0, sizeof(*out));
		out->name = xstrdup(name);
		out->version = v && !strcmp(v, "$LATEST") ? LAMBDA_VERSION_LATEST : version_of(al, "FunctionVersion");
		/* a weighted alias sends some calls to a second version */
		w = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(al, "RoutingConfig"),
						     "AdditionalVersionWeights");
		if (w && w->child && w->child->string)
			out->extra_version = strtol(w->child->string, NULL, 10);
	}
}

int lambda_aliases(struct aws *a, const char *region, const char *name, struct lambda_aliases *out,
		   struct error *err)
{
	struct buf path = BUF_INIT;
	int r;

	memset(out, 0, sizeof(*out));
	function_path(&path, name, "/aliases");
	r = each_page(a, region, path.ptr, "ListAliases", MAX_PAGES, aliases_page, out, err);
	buf_release(&path);
	return r;
}

int lambda_delete_version(struct aws *a, const char *region, const char *name, long version, struct error *err)
{
	struct buf path = BUF_INIT, query = BUF_INIT;
	int r;

	function_path(&path, name, "");
	buf_addf(&query, "Qualifier=%ld", version);
	r = plain_call(a, region, "DELETE", path.ptr, query.ptr, 0, err);
	buf_release(&path);
	buf_release(&query);
	return r;
}

/* ---- who may use a layer version ---- */

static void layer_version_path(struct buf *path, const char *name, long version, const char *suffix)
{
	buf_adds(path, "/2018-10-31/layers/");
	aws_path_segment(path, name);
	buf_addf(path, "/versions/%ld/policy%s", version, suffix);
}

/* The statement ids of a policy document (JSON text), appended to out */
static void statement_ids(const char *policy, struct strlist *out)
{
	cJSON *doc = policy ? cJSON_Parse(policy) : NULL, *st;

	cJSON_ArrayForEach(st, cJSON_GetObjectItemCaseSensitive(doc, "Statement")) {
		const char *sid = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(st, "Sid"));

		if (sid)
			strlist_add(out, sid);
	}
	cJSON_Delete(doc);
}

int lambda_layer_policy_sids(struct aws *a, const char *region, const char *name, long version, struct strlist *out,
			     struct error *err)
{
	struct aws_call call = { 0 };
	struct buf path = BUF_INIT;
	cJSON *answer = NULL;
	int r;

	layer_version_path(&path, name, version, "");
	call.service = "lambda";
	call.region = region;
	call.method = "GET";
	call.path = path.ptr;
	r = aws_json_call(a, &call, NULL, &answer, err);
	if (r == 1 && error_is(err, "ResourceNotFoundException")) { /* no policy: shared with nobody */
		error_release(err);
		r = 0;
	} else if (!r) {
		statement_ids(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(answer, "Policy")), out);
	}
	cJSON_Delete(answer);
	buf_release(&path);
	return r;
}

int lambda_add_layer_permission(struct aws *a, const char *region, const char *name, long version, const char *sid,
				const char *principal, const char *org, struct error *err)
{
	struct aws_call call = { 0 };
	struct buf path = BUF_INIT;
	cJSON *body = cJSON_CreateObject(), *answer = NULL;
	int r;

	cJSON_AddStringToObject(body, "StatementId", sid);
	cJSON_AddStringToObject(body, "Action", "lambda:GetLayerVersion");
	cJSON_AddStringToObject(body, "Principal", principal);
	if (org)
		cJSON_AddStringToObject(body, "OrganizationId", org);
	layer_version_path(&path, name, version, "");
	call.service = "lambda";
	call.region = region;
	call.method = "POST";
	call.path = path.ptr;
	r = aws_json_call(a, &call, body, &answer, err);
	cJSON_Delete(answer);
	cJSON_Delete(body);
	buf_release(&path);
	return r;
}

int lambda_remove_layer_permission(struct aws *a, const char *region, const char *name, long version,
				   const char *sid, struct error *err)
{
	struct buf path = BUF_INIT, suffix = BUF_INIT;
	int r;

	buf_addch(&suffix, '/');
	aws_path_segment(&suffix, sid);
	layer_version_path(&path, name, version, suffix.ptr);
	r = plain_call(a, region, "DELETE", path.ptr, NULL, 1, err);
	buf_release(&path);
	buf_release(&suffix);
	return r;
}

/* "scheme://HOST[:port]/...": HOST[:port] of url into out, lowercase; 0, or -1 when it has none */
static int url_authority(const char *url, struct buf *out)
{
	const char *p = strstr(url, "://"), *end;

	if (!p)
		return -1;
	p += 3;
	end = p + strcspn(p, "/?#");
	if (end == p || memchr(p, '@', (size_t)(end - p))) /* no user:password@ */
		return -1;
	for (; p < end; p++)
		buf_addch(out, (char)((*p >= 'A' && *p <= 'Z') ? *p - 'A' + 'a' : *p));
	return 0;
}

/* The host's length in "host[:port]" or "[v6 address][:port]"; 0 when a bracket is not closed */
static size_t host_len(const char *authority)
{
	const char *close;

	if (*authority != '[')
		return strcspn(authority, ":");
	close = strchr(authority, ']');
	return close ? (size_t)(close - authority) + 1 : 0;
}

/* An https URL, or an http one on the host of the http endpoint the client was pointed at */
static int location_allowed(struct aws *a, const char *region, const char *location)
{
	struct buf endpoint = BUF_INIT, want = BUF_INIT, have = BUF_INIT;
	const char *origin;
	int ok = 0;

	if (!strncmp(location, "https://", 8))
		ok = !url_authority(location, &have);
	else if (!strncmp(location, "http://", 7) && !aws_endpoint_in(a, "lambda", region, &endpoint, &origin) &&
		 origin && !strncmp(endpoint.ptr, "http://", 7) && !url_authority(endpoint.ptr, &want) &&
		 !url_authority(location, &have)) {
		/* the same host (a port of its own allowed): a local stand-in for AWS serves both */
		size_t h1 = host_len(want.ptr), h2 = host_len(have.ptr);

		ok = h1 && h1 == h2 && !strncmp(want.ptr, have.ptr, h1);
	}
	buf_release(&endpoint);
	buf_release(&want);
	buf_release(&have);
	return ok;
}

/* What AWS gave cannot be used: exit status 3, as for an AWS error (not 1, which diff means as "differs") */
static int aws_refused(struct error *err, const char *code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int aws_refused(struct error *err, const char *code, const char *fmt, ...)
{
	struct buf m = BUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	buf_vaddf(&m, fmt, ap);
	va_end(ap);
	aws_error_set(err, code, "%s", m.ptr);
	err->exit = EXIT_AWS;
	buf_release(&m);
	return -1;
}

int lambda_fetch_code(struct aws *a, const char *region, const char *location, FILE *sink, uint64_t max,
		      struct error *err)
{
	struct http_request req = { 0 };
	struct http_response resp;
	int r = -1;

	if (!location || !*location)
		return aws_refused(err, "NoCodeLocation", "Lambda gave no location to fetch the function's zip from "
				   "(a function packaged as a container image has none)");
	if (!location_allowed(a, region, location))
		return aws_refused(err, "CodeLocationRefused", "Lambda's code location is not an https URL: it is not "
				   "fetched");
	if (!a->http && !(a->http = aws_http(a, err)))
		return -1;
	http_response_init(&resp);
	req.method = "GET";
	req.url = location;
	req.sink = sink;
	req.max_bytes = max;
	req.hide_query = 1;
	req.total_timeout_ms = aws_timeout_for((size_t)(max > SIZE_MAX ? SIZE_MAX : max)); /* a trickle ends too */
	if (http_perform(a->http, &req, &resp))
		aws_error_from_failure(&resp, err);
	else if (resp.status != 200)
		aws_refused(err, "CodeFetchFailed", "fetching the function's zip from its code location answered HTTP %ld",
			    resp.status);
	else
		r = 0;
	http_response_release(&resp);
	kvlist_clear(&req.headers);
	return r;
}

/* ---- permissions for callers (EventBridge, ...) ---- */

int lambda_add_permission(struct aws *a, const char *region, const char *name, const char *sid, const char *principal,
			  const char *source_arn, const char *source_account, struct error *err)
{
	struct buf path = BUF_INIT;
	cJSON *body = cJSON_CreateObject(), *answer = NULL;
	int r;

	function_path(&path, name, "/policy");
	cJSON_AddStringToObject(body, "StatementId", sid);
	cJSON_AddStringToObject(body, "Action", "lambda:InvokeFunction");
	cJSON_AddStringToObject(body, "Principal", principal);
	cJSON_AddStringToObject(body, "SourceArn", source_arn);
	if (source_account)
		cJSON_AddStringToObject(body, "SourceAccount", source_account);
	r = lambda_json(a, region, "POST", path.ptr, body, &answer, err);
	if (r == 1 && error_is(err, "ResourceConflictException")) {
		error_release(err); /* the statement is there already (its id names its source) */
		r = 0;
	}
	cJSON_Delete(body);
	cJSON_Delete(answer);
	buf_release(&path);
	return r;
}

int lambda_policy_sids(struct aws *a, const char *region, const char *name, struct strlist *out, struct error *err)
{
	struct buf path = BUF_INIT;
	cJSON *answer = NULL;
	int r;

	function_path(&path, name, "/policy");
	r = lambda_json(a, region, "GET", path.ptr, NULL, &answer, err);
	if (r == 1 && error_is(err, "ResourceNotFoundException")) { /* no policy: no statement */
		error_release(err);
		r = 0;
	} else if (!r) {
		statement_ids(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(answer, "Policy")), out);
	}
	cJSON_Delete(answer);
	buf_release(&path);
	return r;
}

/* ---- event source mappings ---- */

#define MAPPINGS_PATH "/2015-03-31/event-source-mappings/"

void lambda_mapping_release(struct lambda_mapping *m)
{
	free(m->uuid);
	free(m->source);
	free(m->state);
	free(m->starting_position);
	memset(m, 0, sizeof(*m));
}

void lambda_mappings_release(struct lambda_mappings *l)
{
	for (size_t i = 0; i < l->nr; i++)
		lambda_mapping_release(&l->items[i]);
	free(l->items);
	memset(l, 0, sizeof(*l));
}

static void read_mapping(const cJSON *m, struct lambda_mapping *out)
{
	const cJSON *types = cJSON_GetObjectItemCaseSensitive(m, "FunctionResponseTypes"), *t;

	memset(out, 0, sizeof(*out));
	out->uuid = dup_str(m, "UUID");
	out->source = dup_str(m, "EventSourceArn");
	out->state = dup_str(m, "State");
	out->starting_position = dup_str(m, "StartingPosition");
	out->batch_size = get_long(m, "BatchSize");
	out->batch_window = get_long(m, "MaximumBatchingWindowInSeconds");
	out->max_concurrency = get_long(cJSON_GetObjectItemCaseSensitive(m, "ScalingConfig"), "MaximumConcurrency");
	cJSON_ArrayForEach(t, types)
		out->report_failures |= cJSON_IsString(t) && !strcmp(t->valuestring, "ReportBatchItemFailures");
}

static void mappings_page(const cJSON *answer, void *ctx)
{
	struct lambda_mappings *l = ctx;
	const cJSON *m;

	cJSON_ArrayForEach(m, cJSON_GetObjectItemCaseSensitive(answer, "EventSourceMappings")) {
		if (!cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(m, "UUID")))
			continue;
		l->items = xrealloc(l->items, (l->nr + 1) * sizeof(*l->items));
		read_mapping(m, &l->items[l->nr++]);
	}
}

int lambda_list_mappings(struct aws *a, const char *region, const char *name, struct lambda_mappings *out,
			 struct error *err)
{
	struct buf query = BUF_INIT;
	int r;

	buf_adds(&query, "FunctionName=");
	aws_path_segment(&query, name);
	r = each_page_q(a, region, MAPPINGS_PATH, query.ptr, "ListEventSourceMappings", MAX_PAGES, mappings_page, out,
			err);
	buf_release(&query);
	return r;
}

/* The body of a create (with the function, the source and the starting position) or an update */
static cJSON *mapping_body(const char *name, const struct lambda_mapping *m, int create)
{
	cJSON *body = cJSON_CreateObject();

	if (create) {
		cJSON_AddStringToObject(body, "FunctionName", name);
		cJSON_AddStringToObject(body, "EventSourceArn", m->source);
		if (m->starting_position)
			cJSON_AddStringToObject(body, "StartingPosition", m->starting_position);
	}
	cJSON_AddBoolToObject(body, "Enabled", m->enabled);
	cJSON_AddNumberToObject(body, "BatchSize", (double)m->batch_size);
	if (!m->starting_position) { /* a queue's settings */
		cJSON_AddNumberToObject(body, "MaximumBatchingWindowInSeconds", (double)m->batch_window);
		if (m->max_concurrency)
			cJSON_AddNumberToObject(cJSON_AddObjectToObject(body, "ScalingConfig"), "MaximumConcurrency",
						(double)m->max_concurrency);
		else if (!create) /* no limit: Lambda's own again */
			cJSON_AddObjectToObject(body, "ScalingConfig");
		cJSON *types = cJSON_AddArrayToObject(body, "FunctionResponseTypes");

		if (m->report_failures)
			cJSON_AddItemToArray(types, cJSON_CreateString("ReportBatchItemFailures"));
	}
	return body;
}

static int mapping_call(struct aws *a, const char *region, const char *method, const char *uuid, cJSON *body,
			struct lambda_mapping *out, struct error *err)
{
	struct buf path = BUF_INIT;
	cJSON *answer = NULL;
	int r;

	buf_adds(&path, MAPPINGS_PATH);
	if (uuid)
		aws_path_segment(&path, uuid);
	r = lambda_json(a, region, method, path.ptr, body, &answer, err);
	if (!r && out) {
		read_mapping(answer, out);
		if (!out->uuid)
			r = malformed(err, "an event source mapping", "UUID");
	}
	cJSON_Delete(body);
	cJSON_Delete(answer);
	buf_release(&path);
	return r;
}

int lambda_create_mapping(struct aws *a, const char *region, const char *name, const struct lambda_mapping *m,
			  struct lambda_mapping *out, struct error *err)
{
	return mapping_call(a, region, "POST", NULL, mapping_body(name, m, 1), out, err);
}

int lambda_update_mapping(struct aws *a, const char *region, const char *uuid, const struct lambda_mapping *m,
			  struct lambda_mapping *out, struct error *err)
{
	return mapping_call(a, region, "PUT", uuid, mapping_body(NULL, m, 0), out, err);
}

int lambda_get_mapping(struct aws *a, const char *region, const char *uuid, struct lambda_mapping *out,
		       struct error *err)
{
	return mapping_call(a, region, "GET", uuid, NULL, out, err);
}

int lambda_delete_mapping(struct aws *a, const char *region, const char *uuid, struct error *err)
{
	int r = mapping_call(a, region, "DELETE", uuid, NULL, NULL, err);

	if (r == 1 && error_is(err, "ResourceNotFoundException")) {
		error_release(err);
		r = 0;
	}
	return r;
}

/* ---- event invoke config (asynchronous invocations) ---- */

int lambda_get_invoke_config(struct aws *a, const char *region, const char *name, struct lambda_invoke_config *out,
			     int *exists, struct error *err)
{
	struct buf path = BUF_INIT;
	cJSON *answer = NULL, *dest;
	int r;

	memset(out, 0, sizeof(*out));
	*exists = 0;
	buf_adds(&path, "/2019-09-25/functions/");
	aws_path_segment(&path, name);
	buf_adds(&path, "/event-invoke-config");
	r = lambda_json(a, region, "GET", path.ptr, NULL, &answer, err);
	if (r == 1 && error_is(err, "ResourceNotFoundException")) {
		error_release(err);
		r = 0;
	} else if (!r) {
		*exists = 1;
		out->max_retries = cJSON_GetObjectItemCaseSensitive(answer, "MaximumRetryAttempts") ?
					   get_long(answer, "MaximumRetryAttempts") : -1;
		out->max_event_age = cJSON_GetObjectItemCaseSensitive(answer, "MaximumEventAgeInSeconds") ?
					     get_long(answer, "MaximumEventAgeInSeconds") : -1;
		dest = cJSON_GetObjectItemCaseSensitive(answer, "DestinationConfig");
		out->on_success = dup_str(cJSON_GetObjectItemCaseSensitive(dest, "OnSuccess"), "Destination");
		out->on_failure = dup_str(cJSON_GetObjectItemCaseSensitive(dest, "OnFailure"), "Destination");
	}
	cJSON_Delete(answer);
	buf_release(&path);
	return r;
}

void lambda_invoke_config_release(struct lambda_invoke_config *c)
{
	free(c->on_success);
	free(c->on_failure);
	memset(c, 0, sizeof(*c));
}

int lambda_put_invoke_config(struct aws *a, const char *region, const char *name,
			     const struct lambda_invoke_config *want, struct error *err)
{
	struct buf path = BUF_INIT;
	cJSON *body = want ? cJSON_CreateObject() : NULL, *answer = NULL, *dest;
	int r;

	buf_adds(&path, "/2019-09-25/functions/");
	aws_path_segment(&path, name);
	buf_adds(&path, "/event-invoke-config");
	if (want) {
		if (want->max_retries >= 0)
			cJSON_AddNumberToObject(body, "MaximumRetryAttempts", (double)want->max_retries);
		if (want->max_event_age >= 0)
			cJSON_AddNumberToObject(body, "MaximumEventAgeInSeconds", (double)want->max_event_age);
		dest = cJSON_AddObjectToObject(body, "DestinationConfig");
		if (want->on_success)
			cJSON_AddStringToObject(cJSON_AddObjectToObject(dest, "OnSuccess"), "Destination", want->on_success);
		if (want->on_failure)
			cJSON_AddStringToObject(cJSON_AddObjectToObject(dest, "OnFailure"), "Destination", want->on_failure);
	}
	r = lambda_json(a, region, want ? "PUT" : "DELETE", path.ptr, body, &answer, err);
	if (r == 1 && !want && error_is(err, "ResourceNotFoundException")) {
		error_release(err);
		r = 0;
	}
	cJSON_Delete(body);
	cJSON_Delete(answer);
	buf_release(&path);
	return r;
}
