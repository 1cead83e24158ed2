#ifndef BLAMBDA_AWS_APIGW_H
#define BLAMBDA_AWS_APIGW_H

#include "aws/aws.h"
#include "core/strlist.h"

/*
 * API Gateway v2 (REST+JSON under /v2): the HTTP APIs that route requests
 * to functions, their integrations, routes and stages. Knows the API, never
 * prints. Calls return as aws_call() does: 0, 1 (AWS's error in *err), -1.
 */

struct apigw_cors {
	struct strlist origins, methods, headers;
	long max_age;    /* 0: none */
	int credentials;
};
void apigw_cors_release(struct apigw_cors *c);

struct apigw_api {
	char *id, *name, *endpoint; /* endpoint: https://ID.execute-api.REGION.amazonaws.com */
	char *protocol;             /* HTTP or WEBSOCKET */
	int has_cors;
	struct apigw_cors cors;
	struct kvlist tags;
};
struct apigw_apis {
	struct apigw_api *items;
	size_t nr;
};
void apigw_apis_release(struct apigw_apis *l);
void apigw_api_release(struct apigw_api *a);
/* GetApis, every page (100 at most). */
int apigw_list_apis(struct aws *a, const char *region, struct apigw_apis *out, struct error *err);
/* CreateApi of an HTTP API with these tags and CORS (NULL: none); its id and endpoint into out. */
int apigw_create_api(struct aws *a, const char *region, const char *name, const struct apigw_cors *cors,
		     const struct kvlist *tags, struct apigw_api *out, struct error *err);
/* UpdateApi's CORS (NULL: DeleteCorsConfiguration). */
int apigw_set_cors(struct aws *a, const char *region, const char *api, const struct apigw_cors *cors,
		   struct error *err);
/* DeleteApi (one that is gone is no error). */
int apigw_delete_api(struct aws *a, const char *region, const char *api, struct error *err);

/* GetStages: the names of an API's stages appended to out. */
int apigw_stage_names(struct aws *a, const char *region, const char *api, struct strlist *out, struct error *err);
/* CreateStage of `$default` with auto-deploy. */
int apigw_create_default_stage(struct aws *a, const char *region, const char *api, struct error *err);

struct apigw_integration {
	char *id, *type, *uri, *payload_format;
};
struct apigw_integrations {
	struct apigw_integration *items;
	size_t nr;
};
void apigw_integrations_release(struct apigw_integrations *l);
int apigw_list_integrations(struct aws *a, const char *region, const char *api, struct apigw_integrations *out,
			    struct error *err);
/* CreateIntegration: Lambda proxy (AWS_PROXY), payload format 2.0, to function_arn; its id into *id. */
int apigw_create_integration(struct aws *a, const char *region, const char *api, const char *function_arn,
			     char **id, struct error *err);
/* DeleteIntegration (one that is gone is no error). */
int apigw_delete_integration(struct aws *a, const char *region, const char *api, const char *id, struct error *err);

struct apigw_route {
	char *id, *key, *target; /* key: "GET /hello/{name}"; target: "integrations/ID" */
};
struct apigw_routes {
	struct apigw_route *items;
	size_t nr;
};
void apigw_routes_release(struct apigw_routes *l);
int apigw_list_routes(struct aws *a, const char *region, const char *api, struct apigw_routes *out,
		      struct error *err);
/* CreateRoute key -> integrations/INTEGRATION */
int apigw_create_route(struct aws *a, const char *region, const char *api, const char *key, const char *integration,
		       struct error *err);
/* DeleteRoute (one that is gone is no error). */
int apigw_delete_route(struct aws *a, const char *region, const char *api, const char *id, struct error *err);

#endif
