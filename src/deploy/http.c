/*
 * The http routes of function.events: one HTTP API (API Gateway v2) per
 * project and region, named by http-api.name and found by blambda's tags on
 * it (never by its name alone: an API of the same name that blambda did not
 * make is left alone), with a `$default` stage that deploys itself; for each
 * function with routes, one Lambda proxy integration (payload format 2.0),
 * its routes, and Lambda's permission for that API. A function's own routes
 * are those that target its integration; one that leaves blambda.yml goes,
 * and with the last its integration and permission. The function's tag
 * blambda:http-api names the API blambda routed to it, so that routes on an
 * API it no longer names are found and removed.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "aws/client.h"
#include "core/xalloc.h"
#include "deploy/internal.h"

#define DEFAULT_STAGE "$default"

int deploy_has_routes(const struct config *f)
{
	struct strlist r = STRLIST_INIT;
	int has;

	config_http_routes(f, &r);
	has = r.nr > 0;
	strlist_clear(&r);
	return has;
}

/* The API of blambda's tags for http-api.name `name`, or NULL */
const struct apigw_api *deploy_find_api(const struct apigw_apis *l, const char *name)
{
	for (size_t i = 0; i < l->nr; i++) {
		const char *tag = kvlist_get(&l->items[i].tags, DEPLOY_HTTP_API_TAG_KEY);

		if (deploy_is_ours(&l->items[i].tags) && tag && !strcmp(tag, name) && l->items[i].protocol &&
		    !strcmp(l->items[i].protocol, "HTTP"))
			return &l->items[i];
	}
	return NULL;
}

size_t deploy_count_apis(const struct apigw_apis *l, const char *name, struct buf *ids)
{
	size_t n = 0;

	for (size_t i = 0; i < l->nr; i++) {
		const char *tag = kvlist_get(&l->items[i].tags, DEPLOY_HTTP_API_TAG_KEY);

		if (deploy_is_ours(&l->items[i].tags) && tag && !strcmp(tag, name) && l->items[i].protocol &&
		    !strcmp(l->items[i].protocol, "HTTP")) {
			n++;
			if (ids)
				buf_addf(ids, "%s%s", ids->len ? ", " : "", l->items[i].id);
		}
	}
	return n;
}

/* Two APIs of blambda's tags for one name: which one is meant is not blambda's to guess */
static int two_apis(struct deploy_plan *p, const struct apigw_apis *l, const char *name)
{
	struct buf ids = BUF_INIT;

	if (deploy_count_apis(l, name, &ids) < 2) {
		buf_release(&ids);
		return 0;
	}
	aws_error_set(&p->err, "AmbiguousApi", "HTTP APIs %s all carry blambda's tags for '%s'", ids.ptr, name);
	error_hint(&p->err, "keep the one in use and delete the others ('aws apigatewayv2 delete-api --api-id ID')");
	p->err.exit = EXIT_USAGE;
	buf_release(&ids);
	return deploy_failed(p, "find HTTP API '%s'", name);
}

/* http-api.cors as API Gateway takes it; 0 when no key is set */
int deploy_wanted_cors(const struct config *cfg, struct apigw_cors *c)
{
	memset(c, 0, sizeof(*c));
	strlist_add_all(&c->origins, config_list(cfg, CFG_HTTP_API_CORS_ORIGINS));
	strlist_add_all(&c->methods, config_list(cfg, CFG_HTTP_API_CORS_METHODS));
	strlist_add_all(&c->headers, config_list(cfg, CFG_HTTP_API_CORS_HEADERS));
	c->max_age = cfg->v[CFG_HTTP_API_CORS_MAX_AGE].present ? config_int(cfg, CFG_HTTP_API_CORS_MAX_AGE) : 0;
	c->credentials = config_str(cfg, CFG_HTTP_API_CORS_CREDENTIALS) &&
			 !strcmp(config_str(cfg, CFG_HTTP_API_CORS_CREDENTIALS), "true");
	return config_has_http_cors(cfg);
}

/* The same lists whatever their order (and for headers their case: API Gateway keeps them in lower case) */
static int same_set(const struct strlist *x, const struct strlist *y, int fold)
{
	struct strlist a = STRLIST_INIT, b = STRLIST_INIT;
	int same;

	strlist_add_all(&a, x);
	strlist_add_all(&b, y);
	for (size_t i = 0; fold && i < a.nr; i++)
		for (char *c = a.items[i]; *c; c++)
			*c = (char)tolower((unsigned char)*c);
	for (size_t i = 0; fold && i < b.nr; i++)
		for (char *c = b.items[i]; *c; c++)
			*c = (char)tolower((unsigned char)*c);
	strlist_sort(&a);
	strlist_sort(&b);
	same = strlist_equal(&a, &b);
	strlist_clear(&a);
	strlist_clear(&b);
	return same;
}

static int cors_equal(const struct apigw_cors *x, const struct apigw_cors *y)
{
	return same_set(&x->origins, &y->origins, 0) && same_set(&x->methods, &y->methods, 0) &&
	       same_set(&x->headers, &y->headers, 1) && x->max_age == y->max_age && x->credentials == y->credentials;
}

static void words(const struct strlist *l, struct buf *out)
{
	for (size_t i = 0; i < l->nr; i++)
		buf_addf(out, "%s%s", i ? " " : "", l->items[i]);
	if (!l->nr)
		buf_adds(out, "none");
}

/* Each CORS setting that differs, old -> new */
static void cors_changes(const struct apigw_cors *have, const struct apigw_cors *want, struct deploy_step *s)
{
	static const char *const names[] = { "allow-origins", "allow-methods", "allow-headers" };
	const struct strlist *h[] = { &have->origins, &have->methods, &have->headers };
	const struct strlist *w[] = { &want->origins, &want->methods, &want->headers };

	for (int i = 0; i < 3; i++)
		if (!same_set(h[i], w[i], i == 2)) {
			struct buf a = BUF_INIT, b = BUF_INIT;

			words(h[i], &a);
			words(w[i], &b);
			deploy_reason(s, "cors %s %s -> %s", names[i], a.ptr, b.ptr);
			buf_release(&a);
			buf_release(&b);
		}
	if (have->max_age != want->max_age)
		deploy_reason(s, "cors max-age %ld -> %ld", have->max_age, want->max_age);
	if (have->credentials != want->credentials)
		deploy_reason(s, "cors allow-credentials %s -> %s", have->credentials ? "true" : "false",
			      want->credentials ? "true" : "false");
}

/* What the plan reads of an API once, for every function's routes */
struct deploy_http_reads {
	struct apigw_apis apis;              /* every API of the region */
	struct apigw_integrations ints;      /* the project's API's (none when it is to be made) */
	struct apigw_routes routes;
};

void deploy_http_reads_free(struct deploy_http_reads *r)
{
	if (!r)
		return;
	apigw_apis_release(&r->apis);
	apigw_integrations_release(&r->ints);
	apigw_routes_release(&r->routes);
	free(r);
}

/* ---- planning ---- */

int deploy_plan_http_api(struct aws *a, const struct deploy_opts *o, struct deploy_plan *p)
{
	const char *name = config_http_api_name(o->cfg);
	struct deploy_http_reads *reads;
	struct apigw_cors want;
	struct strlist stages = STRLIST_INIT;
	const struct apigw_api *have;
	struct deploy_step *s;
	int any = 0, has_cors, r = 0;

	for (size_t i = 0; i < o->nfns; i++)
		any |= deploy_has_routes(&o->fns[i]);
	if (!any || !name)
		return 0;
	reads = xcalloc(1, sizeof(*reads));
	if (apigw_list_apis(a, p->region, &reads->apis, &p->err)) {
		deploy_http_reads_free(reads);
		return deploy_failed(p, "read the HTTP APIs");
	}
	if (two_apis(p, &reads->apis, name)) {
		deploy_http_reads_free(reads);
		return -1;
	}
	have = deploy_find_api(&reads->apis, name);
	has_cors = deploy_wanted_cors(o->cfg, &want);
	s = deploy_add_step(p, DEPLOY_HTTP_API, name);
	s->planned = 1;
	s->http_reads = reads;
	deploy_set_str(&s->api, name);
	if (has_cors) {
		s->cors = xmalloc(sizeof(*s->cors));
		*s->cors = want;
		memset(&want, 0, sizeof(want));
	}
	if (!have) {
		s->action = DEPLOY_CREATE;
		s->trigger_writes = DEPLOY_TRIGGER_API | DEPLOY_TRIGGER_STAGE;
		deploy_reason(s, "it does not exist yet");
		for (size_t i = 0; i < reads->apis.nr; i++)
			if (reads->apis.items[i].name && !strcmp(reads->apis.items[i].name, name)) {
				deploy_reason(s, "API %s of that name is not blambda's: it is left alone", reads->apis.items[i].id);
				break;
			}
		goto out;
	}
	deploy_set_str(&s->resource, have->id);
	deploy_set_str(&s->source, have->endpoint);
	if (apigw_stage_names(a, p->region, have->id, &stages, &p->err) ||
	    apigw_list_integrations(a, p->region, have->id, &reads->ints, &p->err) ||
	    apigw_list_routes(a, p->region, have->id, &reads->routes, &p->err)) {
		r = deploy_failed(p, "read HTTP API '%s'", name);
		goto out;
	}
	if (!strlist_has(&stages, DEFAULT_STAGE)) {
		s->trigger_writes |= DEPLOY_TRIGGER_STAGE;
		deploy_reason(s, "stage $default is missing");
	}
	if (has_cors != have->has_cors || (has_cors && !cors_equal(s->cors, &have->cors))) {
		s->trigger_writes |= DEPLOY_TRIGGER_CORS;
		if (has_cors && have->has_cors)
			cors_changes(&have->cors, s->cors, s);
		else
			deploy_reason(s, has_cors ? "cors added" : "cors removed");
	}
	s->action = s->trigger_writes ? DEPLOY_UPDATE : DEPLOY_UNCHANGED;
out:
	apigw_cors_release(&want);
	strlist_clear(&stages);
	return r;
}

/* The step of the project's API, or NULL */
static const struct deploy_step *api_step(const struct deploy_plan *p, const char *name)
{
	for (size_t i = 0; i < p->nr; i++)
		if (p->steps[i].kind == DEPLOY_HTTP_API && !strcmp(p->steps[i].api, name))
			return &p->steps[i];
	return NULL;
}

static void sid_of(const char *api_id, struct buf *out)
{
	buf_addf(out, "%s%s", DEPLOY_HTTP_SID_PREFIX, api_id);
}

/* The function an integration calls, when it is a function of the project's in this region: its name (else NULL) */
static char *project_function(const struct deploy_opts *o, const struct deploy_plan *p, const char *uri)
{
	struct buf service = BUF_INIT, region = BUF_INIT, resource = BUF_INIT;
	char *name = NULL;

	if (uri && !aws_arn_field(uri, 2, &service) && !aws_arn_field(uri, 3, &region) &&
	    !aws_arn_field(uri, 5, &resource) && !strcmp(service.ptr, "lambda") && !strcmp(region.ptr, p->region) &&
	    !strncmp(resource.ptr, "function:", 9) && !strchr(resource.ptr + 9, ':') &&
	    config_function_index(o->cfg, resource.ptr + 9) >= 0)
		name = xstrdup(resource.ptr + 9);
	buf_release(&service);
	buf_release(&region);
	buf_release(&resource);
	return name;
}

/*
 * Function fn's routes on API `name` (id: its id, NULL when it is to be
 * made; ints and have: its integrations and routes): what to make and what
 * to take away. routes empty: all of blambda's go, and the API with them
 * when no other integration stays on it and the project no longer names it
 * (moved_to: the API they move to, for the reason).
 */
static int plan_routes_on(const struct deploy_opts *o, struct deploy_plan *p, size_t fn, const char *function,
			  const char *function_arn, const char *name, const char *id, const struct apigw_integrations *ints,
			  const struct apigw_routes *have, const struct strlist *sids, const struct strlist *routes,
			  const char *moved_to)
{
	struct buf target = BUF_INIT, sid = BUF_INIT;
	struct strlist mine = STRLIST_INIT; /* the targets of the function's integrations: integrations/ID */
	const struct apigw_integration *integ = NULL;
	struct deploy_step *s;
	int r = 0;

	/* the function's integrations (more than one when a create was retried): the one routes use goes on */
	for (size_t i = 0; function_arn && i < ints->nr; i++) {
		if (!ints->items[i].uri || strcmp(ints->items[i].uri, function_arn))
			continue;
		strlist_add_owned(&mine, buf_fmt("integrations/%s", ints->items[i].id));
		for (size_t k = 0; k < have->nr && !integ; k++)
			if (have->items[k].target && !strcmp(have->items[k].target, mine.items[mine.nr - 1]))
				integ = &ints->items[i];
	}
	for (size_t i = 0; !integ && function_arn && i < ints->nr; i++)
		if (ints->items[i].uri && !strcmp(ints->items[i].uri, function_arn))
			integ = &ints->items[i];
	if (!routes->nr && !integ)
		goto out; /* nothing of blambda's there */
	s = deploy_add_step(p, DEPLOY_ROUTES, function);
	s->fn = fn;
	s->planned = 1;
	deploy_set_str(&s->api, name);
	deploy_set_str(&s->resource, id);
	strlist_add_all(&s->routes, routes);
	if (integ) {
		deploy_set_str(&s->source, integ->id);
		buf_addf(&target, "integrations/%s", integ->id);
	}
	for (size_t i = 0; i < mine.nr; i++)
		if (!routes->nr || strcmp(mine.items[i], target.ptr))
			strlist_add(&s->drop, mine.items[i] + 13);
	/* each route wanted: there already (its own), to make, another function's of the project (moved), or refused */
	for (size_t k = 0; k < routes->nr; k++) {
		const struct apigw_route *there = NULL;
		char *from = NULL;

		for (size_t i = 0; i < have->nr && !there; i++)
			if (!strcmp(have->items[i].key, routes->items[k]))
				there = &have->items[i];
		if (there && integ && there->target && !strcmp(there->target, target.ptr))
			continue;
		if (there && there->target && strlist_has(&mine, there->target)) { /* on a second integration of its own */
			strlist_add(&s->detach, there->id);
			strlist_add(&s->attach, routes->items[k]);
			deploy_reason(s, "%s onto the function's one integration", routes->items[k]);
			continue;
		}
		for (size_t i = 0; there && there->target && i < ints->nr && !from; i++)
			if (!strncmp(there->target, "integrations/", 13) && !strcmp(there->target + 13, ints->items[i].id))
				from = project_function(o, p, ints->items[i].uri);
		if (there && !from) {
			aws_error_set(&p->err, "NotOurs", "route '%s' of HTTP API '%s' goes to %s, not to function '%s': "
				      "blambda never takes over what it did not make", routes->items[k], name,
				      there->target ? there->target : "no integration", function);
			error_hint(&p->err, "remove that route from the API, or give the function another route");
			r = deploy_failed(p, "route %s to function '%s'", routes->items[k], function);
			goto out;
		}
		if (there) { /* blambda.yml moved it from another function of the project: its route goes first */
			strlist_add(&s->detach, there->id);
			deploy_reason(s, "%s moved from function '%s'", routes->items[k], from);
			free(from);
		} else {
			deploy_reason(s, "%s added", routes->items[k]);
		}
		strlist_add(&s->attach, routes->items[k]);
	}
	/* the function's routes that blambda.yml no longer lists */
	for (size_t i = 0; i < have->nr; i++)
		if (have->items[i].target && strlist_has(&mine, have->items[i].target) &&
		    !strlist_has(routes, have->items[i].key)) {
			strlist_add(&s->detach, have->items[i].id);
			if (routes->nr) /* else the step's reason says it all goes */
				deploy_reason(s, "%s removed", have->items[i].key);
		}
	if (routes->nr && s->drop.nr)
		deploy_reason(s, "%zu more integration%s of the function removed", s->drop.nr, s->drop.nr == 1 ? "" : "s");
	if (!integ)
		s->trigger_writes |= DEPLOY_TRIGGER_INTEGRATION;
	if (id)
		sid_of(id, &sid);
	if (routes->nr && (!id || !strlist_has(sids, sid.ptr))) {
		s->trigger_writes |= DEPLOY_TRIGGER_PERMISSION;
		if (integ)
			deploy_reason(s, "permission for the API");
	}
	if (!routes->nr) {
		s->trigger_writes |= DEPLOY_TRIGGER_UNINTEGRATE;
		if (id && strlist_has(sids, sid.ptr))
			strlist_add(&s->share_remove, sid.ptr);
		if (moved_to)
			deploy_reason(s, "moved to HTTP API '%s' (http-api.name), at another URL", moved_to);
		else
			deploy_reason(s, "on HTTP API '%s', gone from function.events", name);
		/*
		 * An API of blambda's (found by its tags) that the functions deployed no longer name: gone once
		 * nothing is left on it (the other functions' lanes may be taking theirs off now: seen at the time)
		 */
		if (!api_step(p, name)) {
			s->trigger_writes |= DEPLOY_TRIGGER_API;
			deploy_reason(s, "HTTP API '%s' goes too once nothing else is on it", name);
		}
	}
	if (!routes->nr)
		s->action = DEPLOY_DELETE;
	else if (!integ)
		s->action = DEPLOY_CREATE;
	else
		s->action = s->attach.nr || s->detach.nr || s->drop.nr || s->trigger_writes ? DEPLOY_UPDATE : DEPLOY_UNCHANGED;
	if (routes->nr && s->action == DEPLOY_UNCHANGED)
		deploy_reason(s, "%zu route%s on HTTP API '%s'", routes->nr, routes->nr == 1 ? "" : "s", name);
out:
	buf_release(&target);
	buf_release(&sid);
	strlist_clear(&mine);
	return r;
}

int deploy_plan_routes(struct aws *a, const struct deploy_opts *o, struct deploy_plan *p, size_t fn)
{
	const struct config *f = &o->fns[fn];
	const char *function = config_str(f, CFG_FUNCTION_NAME);
	const struct deploy_step *fs = deploy_function_step(p, fn);
	int exists = fs && fs->have;
	char *recorded = exists ? xstrdup_or_null(kvlist_get(&fs->have->tags, DEPLOY_HTTP_API_TAG_KEY)) : NULL;
	char *function_arn = exists ? xstrdup_or_null(fs->have->arn) : NULL;
	const char *want_api = NULL;
	struct strlist routes = STRLIST_INIT, none = STRLIST_INIT, sids = STRLIST_INIT;
	int r = 0, old = recorded && *recorded;

	config_http_routes(f, &routes);
	if (routes.nr)
		want_api = config_http_api_name(o->cfg);
	if (!routes.nr && !old)
		goto out;
	if (exists && lambda_policy_sids(a, p->region, function, &sids, &p->err)) {
		r = deploy_failed(p, "read who may call function '%s'", function);
		goto out;
	}
	if (routes.nr) {
		const struct deploy_step *api = want_api ? api_step(p, want_api) : NULL;

		if (!api || !api->http_reads) {
			aws_error_set(&p->err, "Internal", "the HTTP API of function '%s' was not planned", function);
			r = deploy_failed(p, "plan the routes of function '%s'", function);
			goto out;
		}
		r = plan_routes_on(o, p, fn, function, function_arn, want_api, api->resource, &api->http_reads->ints,
				   &api->http_reads->routes, &sids, &routes, NULL);
	}
	/* routes blambda made on an API blambda.yml no longer names */
	if (!r && old && (!want_api || strcmp(recorded, want_api))) {
		struct apigw_apis apis = { 0 };
		struct apigw_integrations ints = { 0 };
		struct apigw_routes have = { 0 };
		const struct apigw_api *api;

		if (apigw_list_apis(a, p->region, &apis, &p->err)) {
			r = deploy_failed(p, "read the HTTP APIs");
		} else if (two_apis(p, &apis, recorded)) {
			r = -1;
		} else if ((api = deploy_find_api(&apis, recorded))) {
			if (apigw_list_integrations(a, p->region, api->id, &ints, &p->err) ||
			    apigw_list_routes(a, p->region, api->id, &have, &p->err))
				r = deploy_failed(p, "read HTTP API '%s'", recorded);
			else
				r = plan_routes_on(o, p, fn, function, function_arn, recorded, api->id, &ints, &have, &sids,
						   &none, want_api);
		}
		apigw_apis_release(&apis);
		apigw_integrations_release(&ints);
		apigw_routes_release(&have);
	}
out:
	free(recorded);
	free(function_arn);
	strlist_clear(&routes);
	strlist_clear(&sids);
	return r;
}

void deploy_routes_records(const struct deploy_opts *o, size_t fn, const struct lambda_function *have,
			   struct kvlist *early, struct kvlist *after)
{
	const char *old = have ? kvlist_get(&have->tags, DEPLOY_HTTP_API_TAG_KEY) : NULL;
	const char *want = deploy_has_routes(&o->fns[fn]) ? config_http_api_name(o->cfg) : NULL;
	/* the API the routes went to stays named until they are gone from it */
	const char *during = old && *old ? old : want ? want : "", *final = want ? want : "";

	if (*during)
		kvlist_set(early, DEPLOY_HTTP_API_TAG_KEY, during);
	if (strcmp(during, final))
		kvlist_set(after, DEPLOY_HTTP_API_TAG_KEY, final);
}

/* ---- execution ---- */

int deploy_exec_http_api(struct aws *a, struct deploy_plan *p, struct deploy_step *s)
{
	struct kvlist tags = KVLIST_INIT;
	struct apigw_api made;

	if (s->trigger_writes & DEPLOY_TRIGGER_API) {
		kvlist_add(&tags, DEPLOY_TAG_KEY, DEPLOY_TAG_VALUE);
		kvlist_add(&tags, DEPLOY_HTTP_API_TAG_KEY, s->api);
		p->writes++;
		if (apigw_create_api(a, p->region, s->api, s->cors, &tags, &made, &p->err)) {
			kvlist_clear(&tags);
			apigw_api_release(&made);
			return deploy_failed(p, "create HTTP API '%s'", s->api);
		}
		kvlist_clear(&tags);
		deploy_set_str(&s->resource, made.id);
		deploy_set_str(&s->source, made.endpoint);
		apigw_api_release(&made);
	}
	if (s->trigger_writes & DEPLOY_TRIGGER_STAGE) {
		p->writes++;
		if (apigw_create_default_stage(a, p->region, s->resource, &p->err))
			return deploy_failed(p, "create stage $default of HTTP API '%s'", s->api);
	}
	if (s->trigger_writes & DEPLOY_TRIGGER_CORS) {
		p->writes++;
		if (apigw_set_cors(a, p->region, s->resource, s->cors, &p->err))
			return deploy_failed(p, "set the CORS of HTTP API '%s'", s->api);
	}
	s->done = 1;
	return 0;
}

/* arn:PARTITION:execute-api:REGION:ACCOUNT:API/ * / *, from the function's ARN (its partition and account) */
static int source_arn(const char *function_arn, const char *region, const char *api, struct buf *out)
{
	struct buf partition = BUF_INIT, account = BUF_INIT;
	int r = aws_arn_field(function_arn, 1, &partition) || aws_arn_field(function_arn, 4, &account) ? -1 : 0;

	if (!r)
		buf_addf(out, "arn:%s:execute-api:%s:%s:%s/*/*", partition.ptr, region, account.ptr, api);
	buf_release(&partition);
	buf_release(&account);
	return r;
}

/*
 * An API blambda made that the project no longer names, deleted once the
 * function's routes are off it, when nothing is left on it: no integration,
 * no route, no stage but $default (read again now: another lane may be
 * taking its own routes off at the same time).
 */
static int delete_if_empty(struct aws *a, struct deploy_plan *p, const struct deploy_step *s)
{
	struct apigw_integrations ints = { 0 };
	struct apigw_routes routes = { 0 };
	struct strlist stages = STRLIST_INIT;
	int r = 0;

	if (apigw_list_integrations(a, p->region, s->resource, &ints, &p->err) ||
	    apigw_list_routes(a, p->region, s->resource, &routes, &p->err) ||
	    apigw_stage_names(a, p->region, s->resource, &stages, &p->err)) {
		if (error_is(&p->err, "NotFoundException")) /* another lane deleted it */
			error_release(&p->err);
		else
			r = deploy_failed(p, "read HTTP API '%s'", s->api);
	} else if (!ints.nr && !routes.nr && (!stages.nr || (stages.nr == 1 && !strcmp(stages.items[0], DEFAULT_STAGE)))) {
		p->writes++;
		if (apigw_delete_api(a, p->region, s->resource, &p->err))
			r = deploy_failed(p, "delete HTTP API '%s'", s->api);
	}
	apigw_integrations_release(&ints);
	apigw_routes_release(&routes);
	strlist_clear(&stages);
	return r;
}

int deploy_exec_routes(struct aws *a, struct deploy_plan *p, const struct deploy_step *f, struct deploy_step *s)
{
	const struct deploy_step *api = s->resource ? NULL : api_step(p, s->api);
	struct buf sid = BUF_INIT, arn = BUF_INIT;
	char *integ = NULL;
	int r = -1;

	if (!s->resource && api && api->resource)
		deploy_set_str(&s->resource, api->resource);
	if (!s->resource || !f->arn) {
		aws_error_set(&p->err, "Internal", "the HTTP API or the ARN of function '%s' is not known", f->name);
		return deploy_failed(p, "route HTTP API '%s' to function '%s'", s->api, f->name);
	}
	if (s->trigger_writes & DEPLOY_TRIGGER_INTEGRATION) {
		p->writes++;
		if (apigw_create_integration(a, p->region, s->resource, f->arn, &integ, &p->err)) {
			deploy_failed(p, "integrate function '%s' with HTTP API '%s'", f->name, s->api);
			goto out;
		}
		deploy_set_str(&s->source, integ);
	}
	if (s->routes.nr && (s->trigger_writes & DEPLOY_TRIGGER_PERMISSION)) {
		sid_of(s->resource, &sid);
		if (source_arn(f->arn, p->region, s->resource, &arn)) {
			aws_error_set(&p->err, "Internal", "'%s' is not a function ARN", f->arn);
			deploy_failed(p, "let HTTP API '%s' call function '%s'", s->api, f->name);
			goto out;
		}
		p->writes++;
		if (lambda_add_permission(a, p->region, f->name, sid.ptr, "apigateway.amazonaws.com", arn.ptr, NULL,
					  &p->err)) {
			deploy_failed(p, "let HTTP API '%s' call function '%s'", s->api, f->name);
			goto out;
		}
	}
	/* routes that go first: one moved here keeps its key, which only one route may hold */
	for (size_t i = 0; i < s->detach.nr; i++) {
		p->writes++;
		if (apigw_delete_route(a, p->region, s->resource, s->detach.items[i], &p->err)) {
			deploy_failed(p, "remove a route of function '%s' from HTTP API '%s'", f->name, s->api);
			goto out;
		}
	}
	for (size_t i = 0; i < s->attach.nr; i++) {
		p->writes++;
		if (apigw_create_route(a, p->region, s->resource, s->attach.items[i], s->source, &p->err)) {
			deploy_failed(p, "add route %s to HTTP API '%s'", s->attach.items[i], s->api);
			goto out;
		}
	}
	for (size_t i = 0; i < s->drop.nr; i++) {
		p->writes++;
		if (apigw_delete_integration(a, p->region, s->resource, s->drop.items[i], &p->err)) {
			deploy_failed(p, "remove an integration of function '%s' from HTTP API '%s'", f->name, s->api);
			goto out;
		}
	}
	for (size_t i = 0; i < s->share_remove.nr; i++) {
		p->writes++;
		if (lambda_remove_permission(a, p->region, f->name, s->share_remove.items[i], &p->err)) {
			deploy_failed(p, "take back HTTP API '%s''s permission to call function '%s'", s->api, f->name);
			goto out;
		}
	}
	if ((s->trigger_writes & DEPLOY_TRIGGER_API) && delete_if_empty(a, p, s))
		goto out;
	s->done = 1;
	r = 0;
out:
	free(integ);
	buf_release(&sid);
	buf_release(&arn);
	return r;
}
