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
#include <stdlib.h>
#include <string.h>

#include "core/xalloc.h"
#include "deploy/internal.h"

#define DEFAULT_STAGE "$default"

static void add_all(struct strlist *to, const struct strlist *from)
{
	for (size_t i = 0; i < from->nr; i++)
		strlist_add(to, from->items[i]);
}

/* Function f's route keys, in blambda.yml's order */
static void wanted_routes(const struct config *f, struct strlist *out)
{
	struct cfg_events events;
	struct buf why = BUF_INIT;
	const struct cfg_node *at;

	if (cfg_events_read(config_tree(f, CFG_FUNCTION_EVENTS), &events, &why, &at)) { /* checked when read */
		buf_release(&why);
		return;
	}
	for (size_t i = 0; i < events.nr; i++)
		if (events.items[i].kind == CFG_EVENT_HTTP)
			strlist_add(out, events.items[i].route);
	cfg_events_release(&events);
}

int deploy_has_routes(const struct config *f)
{
	struct strlist r = STRLIST_INIT;
	int has;

	wanted_routes(f, &r);
	has = r.nr > 0;
	strlist_clear(&r);
	return has;
}

/* The API of blambda's tags for http-api.name `name`, or NULL */
const struct apigw_api *deploy_find_api(const struct apigw_apis *l, const char *name)
{
	for (size_t i = 0; i < l->nr; i++) {
		const char *tag = kvlist_get(&l->items[i].tags, DEPLOY_HTTP_API_TAG_KEY);

		if (deploy_is_ours(&l->items[i].tags) && tag && !strcmp(tag, name))
			return &l->items[i];
	}
	return NULL;
}

/* http-api.cors as API Gateway takes it; 0 when no key is set */
int deploy_wanted_cors(const struct config *cfg, struct apigw_cors *c)
{
	memset(c, 0, sizeof(*c));
	add_all(&c->origins, config_list(cfg, CFG_HTTP_API_CORS_ORIGINS));
	add_all(&c->methods, config_list(cfg, CFG_HTTP_API_CORS_METHODS));
	add_all(&c->headers, config_list(cfg, CFG_HTTP_API_CORS_HEADERS));
	c->max_age = cfg->v[CFG_HTTP_API_CORS_MAX_AGE].present ? config_int(cfg, CFG_HTTP_API_CORS_MAX_AGE) : 0;
	c->credentials = config_str(cfg, CFG_HTTP_API_CORS_CREDENTIALS) &&
			 !strcmp(config_str(cfg, CFG_HTTP_API_CORS_CREDENTIALS), "true");
	return cfg->v[CFG_HTTP_API_CORS_ORIGINS].present || cfg->v[CFG_HTTP_API_CORS_METHODS].present ||
	       cfg->v[CFG_HTTP_API_CORS_HEADERS].present || cfg->v[CFG_HTTP_API_CORS_MAX_AGE].present ||
	       cfg->v[CFG_HTTP_API_CORS_CREDENTIALS].present;
}

static int cors_equal(const struct apigw_cors *x, const struct apigw_cors *y)
{
	return strlist_equal(&x->origins, &y->origins) && strlist_equal(&x->methods, &y->methods) &&
	       strlist_equal(&x->headers, &y->headers) && x->max_age == y->max_age && x->credentials == y->credentials;
}

/* ---- planning ---- */

int deploy_plan_http_api(struct aws *a, const struct deploy_opts *o, struct deploy_plan *p)
{
	const char *name = config_str(o->cfg, CFG_HTTP_API_NAME);
	struct apigw_apis apis = { 0 };
	struct apigw_cors want;
	struct strlist stages = STRLIST_INIT;
	const struct apigw_api *have;
	struct deploy_step *s;
	int any = 0, has_cors, r = 0;

	for (size_t i = 0; i < o->nfns; i++)
		any |= deploy_has_routes(&o->fns[i]);
	if (!any || !name)
		return 0;
	if (apigw_list_apis(a, p->region, &apis, &p->err))
		return deploy_failed(p, "read the HTTP APIs");
	have = deploy_find_api(&apis, name);
	has_cors = deploy_wanted_cors(o->cfg, &want);
	s = deploy_add_step(p, DEPLOY_HTTP_API, name);
	s->planned = 1;
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
		for (size_t i = 0; i < apis.nr; i++)
			if (apis.items[i].name && !strcmp(apis.items[i].name, name)) {
				deploy_reason(s, "API %s of that name is not blambda's: it is left alone", apis.items[i].id);
				break;
			}
		goto out;
	}
	deploy_set_str(&s->resource, have->id);
	deploy_set_str(&s->source, have->endpoint);
	if (apigw_stage_names(a, p->region, have->id, &stages, &p->err)) {
		r = deploy_failed(p, "read the stages of HTTP API '%s'", name);
		goto out;
	}
	if (!strlist_has(&stages, DEFAULT_STAGE)) {
		s->trigger_writes |= DEPLOY_TRIGGER_STAGE;
		deploy_reason(s, "stage $default is missing");
	}
	if (has_cors != have->has_cors || (has_cors && !cors_equal(s->cors, &have->cors))) {
		s->trigger_writes |= DEPLOY_TRIGGER_CORS;
		deploy_reason(s, has_cors ? (have->has_cors ? "cors changed" : "cors added") : "cors removed");
	}
	s->action = s->trigger_writes ? DEPLOY_UPDATE : DEPLOY_UNCHANGED;
out:
	apigw_cors_release(&want);
	apigw_apis_release(&apis);
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

/*
 * Function fn's routes on API `name` (id: its id, NULL when it is to be
 * made): what to make and what to take away. routes empty: all of
 * blambda's go.
 */
static int plan_routes_on(struct aws *a, struct deploy_plan *p, size_t fn, const char *function,
			  const char *function_arn, const char *name, const char *id, const struct strlist *routes)
{
	struct apigw_integrations ints = { 0 };
	struct apigw_routes have = { 0 };
	struct strlist sids = STRLIST_INIT;
	struct buf target = BUF_INIT, sid = BUF_INIT;
	const struct apigw_integration *integ = NULL;
	struct deploy_step *s;
	int r = 0;

	if (id && function_arn) {
		if (apigw_list_integrations(a, p->region, id, &ints, &p->err) ||
		    apigw_list_routes(a, p->region, id, &have, &p->err)) {
			r = deploy_failed(p, "read the routes of HTTP API '%s'", name);
			goto out;
		}
		for (size_t i = 0; i < ints.nr && !integ; i++)
			if (ints.items[i].uri && !strcmp(ints.items[i].uri, function_arn))
				integ = &ints.items[i];
		if (lambda_policy_sids(a, p->region, function, &sids, &p->err)) {
			r = deploy_failed(p, "read who may call function '%s'", function);
			goto out;
		}
	}
	if (!routes->nr && !integ)
		goto out; /* nothing of blambda's there */
	s = deploy_add_step(p, DEPLOY_ROUTES, function);
	s->fn = fn;
	s->planned = 1;
	deploy_set_str(&s->api, name);
	deploy_set_str(&s->resource, id);
	add_all(&s->routes, routes);
	if (integ) {
		deploy_set_str(&s->source, integ->id);
		buf_addf(&target, "integrations/%s", integ->id);
	}
	/* each route wanted: there already (its own), to make, or another's (refused) */
	for (size_t k = 0; k < routes->nr; k++) {
		const struct apigw_route *there = NULL;

		for (size_t i = 0; i < have.nr && !there; i++)
			if (!strcmp(have.items[i].key, routes->items[k]))
				there = &have.items[i];
		if (!there) {
			strlist_add(&s->attach, routes->items[k]);
			deploy_reason(s, "%s added", routes->items[k]);
		} else if (!integ || !there->target || strcmp(there->target, target.ptr)) {
			aws_error_set(&p->err, "NotOurs", "route '%s' of HTTP API '%s' goes to %s, not to function '%s': "
				      "blambda never takes over what it did not make", routes->items[k], name,
				      there->target ? there->target : "no integration", function);
			error_hint(&p->err, "remove that route from the API, or give the function another route");
			r = deploy_failed(p, "route %s to function '%s'", routes->items[k], function);
			goto out;
		}
	}
	/* the function's routes that blambda.yml no longer lists */
	for (size_t i = 0; integ && i < have.nr; i++)
		if (have.items[i].target && !strcmp(have.items[i].target, target.ptr) &&
		    !strlist_has(routes, have.items[i].key)) {
			strlist_add(&s->detach, have.items[i].id);
			if (routes->nr) /* else the step's reason says it all goes */
				deploy_reason(s, "%s removed", have.items[i].key);
		}
	if (!integ)
		s->trigger_writes |= DEPLOY_TRIGGER_INTEGRATION;
	if (routes->nr) {
		if (id)
			sid_of(id, &sid);
		if (!id || !strlist_has(&sids, sid.ptr)) {
			s->trigger_writes |= DEPLOY_TRIGGER_PERMISSION;
			if (integ)
				deploy_reason(s, "permission for the API");
		}
	} else {
		s->trigger_writes |= DEPLOY_TRIGGER_UNINTEGRATE;
		if (id) {
			sid_of(id, &sid);
			if (strlist_has(&sids, sid.ptr))
				strlist_add(&s->share_remove, sid.ptr);
		}
	}
	if (!routes->nr)
		s->action = DEPLOY_DELETE;
	else if (!integ)
		s->action = DEPLOY_CREATE;
	else
		s->action = s->attach.nr || s->detach.nr || s->trigger_writes ? DEPLOY_UPDATE : DEPLOY_UNCHANGED;
	if (!routes->nr)
		deploy_reason(s, "on HTTP API '%s', gone from function.events", name);
	else if (s->action == DEPLOY_UNCHANGED)
		deploy_reason(s, "%zu route%s on HTTP API '%s'", routes->nr, routes->nr == 1 ? "" : "s", name);
out:
	apigw_integrations_release(&ints);
	apigw_routes_release(&have);
	strlist_clear(&sids);
	buf_release(&target);
	buf_release(&sid);
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
	struct strlist routes = STRLIST_INIT, none = STRLIST_INIT;
	int r = 0;

	wanted_routes(f, &routes);
	if (routes.nr) {
		const struct deploy_step *api;

		want_api = config_str(o->cfg, CFG_HTTP_API_NAME);
		api = want_api ? api_step(p, want_api) : NULL;
		if (!api) {
			aws_error_set(&p->err, "Internal", "the HTTP API of function '%s' was not planned", function);
			r = deploy_failed(p, "plan the routes of function '%s'", function);
			goto out;
		}
		r = plan_routes_on(a, p, fn, function, function_arn, want_api, api->resource, &routes);
	}
	/* routes blambda made on an API blambda.yml no longer names */
	if (!r && recorded && *recorded && (!want_api || strcmp(recorded, want_api))) {
		struct apigw_apis apis = { 0 };
		const struct apigw_api *old;

		if (apigw_list_apis(a, p->region, &apis, &p->err)) {
			r = deploy_failed(p, "read the HTTP APIs");
		} else if ((old = deploy_find_api(&apis, recorded))) {
			r = plan_routes_on(a, p, fn, function, function_arn, recorded, old->id, &none);
		}
		apigw_apis_release(&apis);
	}
out:
	free(recorded);
	free(function_arn);
	strlist_clear(&routes);
	return r;
}

void deploy_routes_records(const struct deploy_opts *o, size_t fn, const struct lambda_function *have,
			   struct kvlist *early, struct kvlist *after)
{
	const char *old = have ? kvlist_get(&have->tags, DEPLOY_HTTP_API_TAG_KEY) : NULL;
	const char *want = deploy_has_routes(&o->fns[fn]) ? config_str(o->cfg, CFG_HTTP_API_NAME) : NULL;
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
	const char *f[6], *p = function_arn;
	size_t n = 0;

	while (p && n < 6) {
		f[n++] = p;
		p = strchr(p, ':');
		p = p ? p + 1 : NULL;
	}
	if (n < 6)
		return -1;
	buf_addf(out, "arn:%.*s:execute-api:%s:%.*s:%s/*/*", (int)(f[2] - f[1] - 1), f[1], region,
		 (int)(f[5] - f[4] - 1), f[4], api);
	return 0;
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
		if (lambda_add_permission(a, p->region, f->name, sid.ptr, "apigateway.amazonaws.com", arn.ptr, NULL, &p->err) &&
		    !error_is(&p->err, "ResourceConflictException")) {
			deploy_failed(p, "let HTTP API '%s' call function '%s'", s->api, f->name);
			goto out;
		}
		error_release(&p->err);
	}
	for (size_t i = 0; i < s->attach.nr; i++) {
		p->writes++;
		if (apigw_create_route(a, p->region, s->resource, s->attach.items[i], s->source, &p->err)) {
			deploy_failed(p, "add route %s to HTTP API '%s'", s->attach.items[i], s->api);
			goto out;
		}
	}
	for (size_t i = 0; i < s->detach.nr; i++) {
		p->writes++;
		if (apigw_delete_route(a, p->region, s->resource, s->detach.items[i], &p->err)) {
			deploy_failed(p, "remove a route of function '%s' from HTTP API '%s'", f->name, s->api);
			goto out;
		}
	}
	if ((s->trigger_writes & DEPLOY_TRIGGER_UNINTEGRATE) && s->source) {
		p->writes++;
		if (apigw_delete_integration(a, p->region, s->resource, s->source, &p->err)) {
			deploy_failed(p, "remove the integration of function '%s' from HTTP API '%s'", f->name, s->api);
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
	s->done = 1;
	r = 0;
out:
	free(integ);
	buf_release(&sid);
	buf_release(&arn);
	return r;
}
