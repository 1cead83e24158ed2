#include "aws/apigw.h"

#include <stdlib.h>
#include <string.h>

#include "aws/protocol.h"
#include "core/xalloc.h"

#define APIGW_MAX_PAGES 100

static char *dup_str(const cJSON *o, const char *key)
{
	return xstrdup_or_null(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, key)));
}

static int call_as(struct aws *a, const char *region, const char *method, const char *path, const char *query,
		   const cJSON *body, cJSON **answer, int once, struct error *err)
{
	struct aws_call c = { 0 };
	cJSON *ignored = NULL;
	int r;

	c.no_retry = (unsigned)once;
	c.service = "apigateway";
	c.region = region;
	c.method = method;
	c.path = path;
	c.query = query;
	r = aws_json_call(a, &c, body, answer ? answer : &ignored, err);
	cJSON_Delete(ignored);
	return r;
}

static int call(struct aws *a, const char *region, const char *method, const char *path, const char *query,
		const cJSON *body, cJSON **answer, struct error *err)
{
	return call_as(a, region, method, path, query, body, answer, 0, err);
}

/* A DELETE of what is gone already is no error */
static int delete(struct aws *a, const char *region, const struct buf *path, struct error *err)
{
	int r = call(a, region, "DELETE", path->ptr, NULL, NULL, NULL, err);

	if (r == 1 && error_is(err, "NotFoundException")) {
		error_release(err);
		r = 0;
	}
	return r;
}

static void api_path(struct buf *path, const char *api, const char *rest)
{
	buf_adds(path, "/v2/apis/");
	aws_path_segment(path, api);
	if (rest)
		buf_adds(path, rest);
}

/* GET path, every page (nextToken), each item of `items` handed to `item` */
static int each_item(struct aws *a, const char *region, const char *path, const char *what,
		     void (*item)(const cJSON *it, void *ctx), void *ctx, struct error *err)
{
	struct buf query = BUF_INIT;
	int r = 0;

	for (int n = 0;; n++) {
		cJSON *answer = NULL, *it;
		const char *token;

		if ((r = call(a, region, "GET", path, query.len ? query.ptr : NULL, NULL, &answer, err)))
			break;
		cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(answer, "items"))
			if (cJSON_IsObject(it))
				item(it, ctx);
		token = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(answer, "nextToken"));
		if (token && *token && n + 1 >= APIGW_MAX_PAGES) {
			aws_error_set(err, "MalformedAnswer", "API Gateway's answer to %s has no end (more than %d pages)",
				      what, APIGW_MAX_PAGES);
			r = 1;
		}
		if (r || !token || !*token) {
			cJSON_Delete(answer);
			break;
		}
		buf_reset(&query);
		buf_adds(&query, "nextToken=");
		aws_path_segment(&query, token);
		cJSON_Delete(answer);
	}
	buf_release(&query);
	return r;
}

/* ---- APIs ---- */

void apigw_cors_release(struct apigw_cors *c)
{
	strlist_clear(&c->origins);
	strlist_clear(&c->methods);
	strlist_clear(&c->headers);
	memset(c, 0, sizeof(*c));
}

void apigw_api_release(struct apigw_api *a)
{
	free(a->id);
	free(a->name);
	free(a->endpoint);
	free(a->protocol);
	apigw_cors_release(&a->cors);
	kvlist_clear(&a->tags);
	memset(a, 0, sizeof(*a));
}

void apigw_apis_release(struct apigw_apis *l)
{
	for (size_t i = 0; i < l->nr; i++)
		apigw_api_release(&l->items[i]);
	free(l->items);
	memset(l, 0, sizeof(*l));
}

static void read_strings(const cJSON *o, const char *key, struct strlist *out)
{
	const cJSON *v;

	cJSON_ArrayForEach(v, cJSON_GetObjectItemCaseSensitive(o, key))
		if (cJSON_IsString(v))
			strlist_add(out, v->valuestring);
}

static void read_api(const cJSON *it, struct apigw_api *out)
{
	const cJSON *cors = cJSON_GetObjectItemCaseSensitive(it, "corsConfiguration"), *tag;
	const cJSON *age = cJSON_GetObjectItemCaseSensitive(cors, "maxAge");

	out->id = dup_str(it, "apiId");
	out->name = dup_str(it, "name");
	out->endpoint = dup_str(it, "apiEndpoint");
	out->protocol = dup_str(it, "protocolType");
	if (cJSON_IsObject(cors)) {
		out->has_cors = 1;
		read_strings(cors, "allowOrigins", &out->cors.origins);
		read_strings(cors, "allowMethods", &out->cors.methods);
		read_strings(cors, "allowHeaders", &out->cors.headers);
		out->cors.max_age = cJSON_IsNumber(age) ? (long)age->valuedouble : 0;
		out->cors.credentials = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(cors, "allowCredentials"));
	}
	cJSON_ArrayForEach(tag, cJSON_GetObjectItemCaseSensitive(it, "tags"))
		if (cJSON_IsString(tag) && tag->string)
			kvlist_add(&out->tags, tag->string, tag->valuestring);
}

static void api_item(const cJSON *it, void *ctx)
{
	struct apigw_apis *l = ctx;

	if (!cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(it, "apiId")))
		return;
	l->items = xrealloc(l->items, (l->nr + 1) * sizeof(*l->items));
	memset(&l->items[l->nr], 0, sizeof(*l->items));
	read_api(it, &l->items[l->nr++]);
}

int apigw_list_apis(struct aws *a, const char *region, struct apigw_apis *out, struct error *err)
{
	return each_item(a, region, "/v2/apis", "GetApis", api_item, out, err);
}

static cJSON *string_array(const struct strlist *l)
{
	cJSON *arr = cJSON_CreateArray();

	for (size_t i = 0; i < l->nr; i++)
		cJSON_AddItemToArray(arr, cJSON_CreateString(l->items[i]));
	return arr;
}

static void add_cors(cJSON *body, const struct apigw_cors *c)
{
	cJSON *cors = cJSON_AddObjectToObject(body, "corsConfiguration");

	cJSON_AddItemToObject(cors, "allowOrigins", string_array(&c->origins));
	cJSON_AddItemToObject(cors, "allowMethods", string_array(&c->methods));
	cJSON_AddItemToObject(cors, "allowHeaders", string_array(&c->headers));
	if (c->max_age)
		cJSON_AddNumberToObject(cors, "maxAge", (double)c->max_age);
	cJSON_AddBoolToObject(cors, "allowCredentials", c->credentials);
}

int apigw_create_api(struct aws *a, const char *region, const char *name, const struct apigw_cors *cors,
		     const struct kvlist *tags, struct apigw_api *out, struct error *err)
{
	cJSON *body = cJSON_CreateObject(), *answer = NULL, *t;
	int r;

	memset(out, 0, sizeof(*out));
	cJSON_AddStringToObject(body, "name", name);
	cJSON_AddStringToObject(body, "protocolType", "HTTP");
	if (cors)
		add_cors(body, cors);
	t = cJSON_AddObjectToObject(body, "tags");
	for (size_t i = 0; tags && i < tags->nr; i++)
		cJSON_AddStringToObject(t, tags->items[i].key, tags->items[i].value);
	/* once: an API is not made idempotently, and a second one of blambda's tags would split the routes */
	r = call_as(a, region, "POST", "/v2/apis", NULL, body, &answer, 1, err);
	if (!r) {
		read_api(answer, out);
		if (!out->id) {
			aws_error_set(err, "MalformedAnswer", "API Gateway's answer to CreateApi has no apiId");
			r = 1;
		}
	}
	cJSON_Delete(answer);
	cJSON_Delete(body);
	return r;
}

int apigw_set_cors(struct aws *a, const char *region, const char *api, const struct apigw_cors *cors,
		   struct error *err)
{
	struct buf path = BUF_INIT;
	cJSON *body = cJSON_CreateObject();
	int r;

	if (cors) {
		api_path(&path, api, NULL);
		add_cors(body, cors);
		r = call(a, region, "PATCH", path.ptr, NULL, body, NULL, err);
	} else {
		api_path(&path, api, "/cors");
		r = delete(a, region, &path, err);
	}
	cJSON_Delete(body);
	buf_release(&path);
	return r;
}

int apigw_delete_api(struct aws *a, const char *region, const char *api, struct error *err)
{
	struct buf path = BUF_INIT;
	int r;

	api_path(&path, api, NULL);
	r = delete(a, region, &path, err);
	buf_release(&path);
	return r;
}

/* ---- stages ---- */

static void stage_item(const cJSON *it, void *ctx)
{
	const char *name = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(it, "stageName"));

	if (name)
		strlist_add(ctx, name);
}

int apigw_stage_names(struct aws *a, const char *region, const char *api, struct strlist *out, struct error *err)
{
	struct buf path = BUF_INIT;
	int r;

	api_path(&path, api, "/stages");
	r = each_item(a, region, path.ptr, "GetStages", stage_item, out, err);
	buf_release(&path);
	return r;
}

int apigw_create_default_stage(struct aws *a, const char *region, const char *api, struct error *err)
{
	struct buf path = BUF_INIT;
	cJSON *body = cJSON_CreateObject();
	int r;

	api_path(&path, api, "/stages");
	cJSON_AddStringToObject(body, "stageName", "$default");
	cJSON_AddBoolToObject(body, "autoDeploy", 1);
	r = call(a, region, "POST", path.ptr, NULL, body, NULL, err);
	cJSON_Delete(body);
	buf_release(&path);
	return r;
}

/* ---- integrations ---- */

void apigw_integrations_release(struct apigw_integrations *l)
{
	for (size_t i = 0; i < l->nr; i++) {
		free(l->items[i].id);
		free(l->items[i].type);
		free(l->items[i].uri);
		free(l->items[i].payload_format);
	}
	free(l->items);
	memset(l, 0, sizeof(*l));
}

static void integration_item(const cJSON *it, void *ctx)
{
	struct apigw_integrations *l = ctx;
	struct apigw_integration *e;

	if (!cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(it, "integrationId")))
		return;
	l->items = xrealloc(l->items, (l->nr + 1) * sizeof(*l->items));
	e = &l->items[l->nr++];
	e->id = dup_str(it, "integrationId");
	e->type = dup_str(it, "integrationType");
	e->uri = dup_str(it, "integrationUri");
	e->payload_format = dup_str(it, "payloadFormatVersion");
}

int apigw_list_integrations(struct aws *a, const char *region, const char *api, struct apigw_integrations *out,
			    struct error *err)
{
	struct buf path = BUF_INIT;
	int r;

	api_path(&path, api, "/integrations");
	r = each_item(a, region, path.ptr, "GetIntegrations", integration_item, out, err);
	buf_release(&path);
	return r;
}

int apigw_create_integration(struct aws *a, const char *region, const char *api, const char *function_arn,
			     char **id, struct error *err)
{
	struct buf path = BUF_INIT;
	cJSON *body = cJSON_CreateObject(), *answer = NULL;
	int r;

	*id = NULL;
	api_path(&path, api, "/integrations");
	cJSON_AddStringToObject(body, "integrationType", "AWS_PROXY");
	cJSON_AddStringToObject(body, "integrationMethod", "POST");
	cJSON_AddStringToObject(body, "integrationUri", function_arn);
	cJSON_AddStringToObject(body, "payloadFormatVersion", "2.0");
	r = call(a, region, "POST", path.ptr, NULL, body, &answer, err);
	if (!r && !(*id = dup_str(answer, "integrationId"))) {
		aws_error_set(err, "MalformedAnswer", "API Gateway's answer to CreateIntegration has no integrationId");
		r = 1;
	}
	cJSON_Delete(answer);
	cJSON_Delete(body);
	buf_release(&path);
	return r;
}

int apigw_delete_integration(struct aws *a, const char *region, const char *api, const char *id, struct error *err)
{
	struct buf path = BUF_INIT;
	int r;

	api_path(&path, api, "/integrations/");
	aws_path_segment(&path, id);
	r = delete(a, region, &path, err);
	buf_release(&path);
	return r;
}

/* ---- routes ---- */

void apigw_routes_release(struct apigw_routes *l)
{
	for (size_t i = 0; i < l->nr; i++) {
		free(l->items[i].id);
		free(l->items[i].key);
		free(l->items[i].target);
	}
	free(l->items);
	memset(l, 0, sizeof(*l));
}

static void route_item(const cJSON *it, void *ctx)
{
	struct apigw_routes *l = ctx;
	struct apigw_route *e;

	if (!cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(it, "routeId")) ||
	    !cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(it, "routeKey")))
		return;
	l->items = xrealloc(l->items, (l->nr + 1) * sizeof(*l->items));
	e = &l->items[l->nr++];
	e->id = dup_str(it, "routeId");
	e->key = dup_str(it, "routeKey");
	e->target = dup_str(it, "target");
}

int apigw_list_routes(struct aws *a, const char *region, const char *api, struct apigw_routes *out,
		      struct error *err)
{
	struct buf path = BUF_INIT;
	int r;

	api_path(&path, api, "/routes");
	r = each_item(a, region, path.ptr, "GetRoutes", route_item, out, err);
	buf_release(&path);
	return r;
}

int apigw_create_route(struct aws *a, const char *region, const char *api, const char *key, const char *integration,
		       struct error *err)
{
	struct buf path = BUF_INIT, target = BUF_INIT;
	cJSON *body = cJSON_CreateObject();
	int r;

	api_path(&path, api, "/routes");
	buf_addf(&target, "integrations/%s", integration);
	cJSON_AddStringToObject(body, "routeKey", key);
	cJSON_AddStringToObject(body, "target", target.ptr);
	r = call(a, region, "POST", path.ptr, NULL, body, NULL, err);
	cJSON_Delete(body);
	buf_release(&path);
	buf_release(&target);
	return r;
}

int apigw_delete_route(struct aws *a, const char *region, const char *api, const char *id, struct error *err)
{
	struct buf path = BUF_INIT;
	int r;

	api_path(&path, api, "/routes/");
	aws_path_segment(&path, id);
	r = delete(a, region, &path, err);
	buf_release(&path);
	return r;
}
