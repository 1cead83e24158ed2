#include "deploy/destroy.h"

#include <stdlib.h>
#include <string.h>

#include "aws/apigw.h"
#include "aws/ec2.h"
#include "aws/events.h"
#include "aws/iam.h"
#include "aws/lambda.h"
#include "aws/logs.h"
#include "core/xalloc.h"
#include "deploy/deploy.h"
#include "deploy/internal.h"

const char *destroy_kind_name(enum destroy_kind k)
{
	static const char *const names[] = { "function", "role", "layer version", "schedule rule",
					     "event source mapping", "log group", "http routes of function",
					     "HTTP API", "notifications of bucket" };

	return names[k];
}

static struct destroy_step *add_step(struct destroy_plan *p, enum destroy_kind kind, const char *name)
{
	struct destroy_step *s;

	XGROW(p->steps, p->alloc, p->nr + 1);
	s = &p->steps[p->nr++];
	memset(s, 0, sizeof(*s));
	s->kind = kind;
	s->name = xstrdup(name);
	return s;
}

/* What calls an integration, by the id in a route's target (integrations/ID): a function's ARN, or "" */
static const char *target_uri(const struct apigw_integrations *ints, const char *target)
{
	for (size_t i = 0; target && !strncmp(target, "integrations/", 13) && i < ints->nr; i++)
		if (!strcmp(ints->items[i].id, target + 13))
			return ints->items[i].uri ? ints->items[i].uri : "";
	return "";
}

/* Function name's routes and integrations on one API blambda made, and the API's step (once per API) */
static int plan_routes_on(struct aws *a, const char *name, const char *function_arn, const char *api_name,
			  const struct apigw_api *api, struct destroy_plan *p)
{
	struct apigw_integrations ints = { 0 };
	struct apigw_routes routes = { 0 };
	struct strlist stages = STRLIST_INIT;
	struct destroy_step *s = NULL;
	int r, known = 0;

	if ((r = apigw_list_integrations(a, p->region, api->id, &ints, &p->err)) ||
	    (r = apigw_list_routes(a, p->region, api->id, &routes, &p->err)) ||
	    (r = apigw_stage_names(a, p->region, api->id, &stages, &p->err)))
		goto out;
	for (size_t i = 0; i < ints.nr; i++) {
		if (!ints.items[i].uri || strcmp(ints.items[i].uri, function_arn))
			continue;
		if (!s) {
			s = add_step(p, DESTROY_ROUTES, name);
			s->api_id = xstrdup(api->id);
			s->action = DESTROY_DELETE;
		}
		strlist_add(&s->ids, ints.items[i].id);
	}
	for (size_t k = 0; s && k < routes.nr; k++)
		if (!strcmp(target_uri(&ints, routes.items[k].target), function_arn))
			strlist_add(&s->policies, routes.items[k].id);
	for (size_t i = 0; i < p->nr; i++)
		known |= p->steps[i].kind == DESTROY_HTTP_API && !strcmp(p->steps[i].api_id, api->id);
	if (!known) {
		s = add_step(p, DESTROY_HTTP_API, api_name);
		s->api_id = xstrdup(api->id);
		s->url = xstrdup_or_null(api->endpoint);
		for (size_t i = 0; i < ints.nr; i++)
			strlist_add(&s->policies, ints.items[i].uri ? ints.items[i].uri : "");
		for (size_t k = 0; k < routes.nr; k++)
			strlist_add(&s->inline_policies, target_uri(&ints, routes.items[k].target));
		for (size_t k = 0; k < stages.nr; k++)
			s->stages += strcmp(stages.items[k], "$default") != 0;
	}
out:
	apigw_integrations_release(&ints);
	apigw_routes_release(&routes);
	strlist_clear(&stages);
	return r;
}

/*
 * The routes and the integrations blambda made for function name on the
 * API its record names, and on the project's (a deploy stopped midway may
 * have left them on both), and each API, to go when nothing stays on it
 * (settled once every function is planned: api_settle).
 */
static int plan_routes(struct aws *a, const char *name, const struct lambda_function *f, const char *project_api,
		       struct destroy_plan *p)
{
	const char *names[2] = { kvlist_get(&f->tags, DEPLOY_HTTP_API_TAG_KEY), project_api };
	struct apigw_apis apis = { 0 };
	int r = 0, read = 0;

	for (int k = 0; !r && k < 2 && f->arn; k++) {
		if (!names[k] || !*names[k] || (k && names[0] && !strcmp(names[0], names[1])))
			continue;
		if (!read++ && (r = apigw_list_apis(a, p->region, &apis, &p->err)))
			break;
		for (size_t i = 0; !r && i < apis.nr; i++) {
			const char *tag = kvlist_get(&apis.items[i].tags, DEPLOY_HTTP_API_TAG_KEY);

			if (deploy_is_ours(&apis.items[i].tags) && tag && !strcmp(tag, names[k]) && apis.items[i].protocol &&
			    !strcmp(apis.items[i].protocol, "HTTP"))
				r = plan_routes_on(a, name, f->arn, names[k], &apis.items[i], p);
		}
	}
	apigw_apis_release(&apis);
	return r;
}

/* Whether the plan deletes the function of this ARN */
static int goes(const struct destroy_plan *p, const char *arn)
{
	for (size_t j = 0; j < p->nr; j++)
		if (p->steps[j].kind == DESTROY_FUNCTION && p->steps[j].action == DESTROY_DELETE && p->steps[j].arn &&
		    !strcmp(p->steps[j].arn, arn))
			return 1;
	return 0;
}

/*
 * Each API goes when everything on it goes with this plan: its
 * integrations and routes are all for functions it deletes, and it has no
 * stage but $default. Else it stays, with the reason.
 */
static void api_settle(struct destroy_plan *p)
{
	for (size_t i = 0; i < p->nr; i++) {
		struct destroy_step *s = &p->steps[i];
		size_t ints = 0, routes = 0;

		if (s->kind != DESTROY_HTTP_API)
			continue;
		for (size_t k = 0; k < s->policies.nr; k++)
			ints += !goes(p, s->policies.items[k]);
		for (size_t k = 0; k < s->inline_policies.nr; k++)
			routes += !goes(p, s->inline_policies.items[k]);
		s->action = ints || routes || s->stages ? DESTROY_KEEP : DESTROY_DELETE;
		if (ints)
			s->reason_owned = buf_fmt("%zu other integration%s stay%s on it", ints, ints == 1 ? "" : "s",
						  ints == 1 ? "s" : "");
		else if (routes)
			s->reason_owned = buf_fmt("%zu route%s blambda did not make stay%s on it", routes,
						  routes == 1 ? "" : "s", routes == 1 ? "s" : "");
		else if (s->stages)
			s->reason_owned = buf_fmt("%zu stage%s blambda did not make stay%s on it", s->stages,
						  s->stages == 1 ? "" : "s", s->stages == 1 ? "s" : "");
		s->reason = s->reason_owned;
	}
}

/* The rules and mappings blambda made for function name (f as GetFunction read it) */
static int plan_triggers(struct aws *a, const char *name, const struct lambda_function *f, const char *project_api,
			 struct destroy_plan *p)
{
	const char *record = kvlist_get(&f->tags, DEPLOY_EVENTS_TAG_KEY);
	struct events_rules rules = { 0 };
	struct lambda_mappings mappings = { 0 };
	struct buf prefix = BUF_INIT;
	int r;

	deploy_rule_prefix(name, &prefix);
	r = events_list_rules(a, p->region, prefix.ptr, &rules, &p->err);
	for (size_t i = 0; !r && i < rules.nr; i++) {
		const char *fn;

		if ((r = events_rule_tags(a, p->region, &rules.items[i], &p->err)))
			break;
		fn = kvlist_get(&rules.items[i].tags, DEPLOY_FUNCTION_TAG_KEY);
		if (deploy_is_ours(&rules.items[i].tags) && fn && !strcmp(fn, name)) {
			struct destroy_step *s = add_step(p, DESTROY_SCHEDULE, rules.items[i].name);

			s->arn = xstrdup_or_null(rules.items[i].arn);
			s->action = DESTROY_DELETE;
		}
	}
	if (!r && record && *record)
		r = lambda_list_mappings(a, p->region, name, &mappings, &p->err);
	for (size_t i = 0; !r && i < mappings.nr; i++) {
		struct destroy_step *s;

		if (!mappings.items[i].source || !deploy_policies_recorded(record, mappings.items[i].source))
			continue;
		s = add_step(p, DESTROY_MAPPING, mappings.items[i].source);
		s->uuid = xstrdup(mappings.items[i].uuid);
		s->action = DESTROY_DELETE;
	}
	if (!r)
		r = plan_routes(a, name, f, project_api, p);
	if (!r && kvlist_get(&f->tags, DEPLOY_S3_TAG_KEY) && f->arn) { /* the buckets its record names */
		struct strlist buckets = STRLIST_INIT;

		strlist_split(&buckets, kvlist_get(&f->tags, DEPLOY_S3_TAG_KEY), ' ');
		for (size_t i = 0; !r && i < buckets.nr; i++) {
			int found = 0;

			if (!*buckets.items[i])
				continue;
			r = deploy_s3_set(a, NULL, name, f->arn, buckets.items[i], NULL, 0, &found, &p->err);
			if (r == 1 && error_is(&p->err, "NoSuchBucket")) { /* gone, and its notifications with it */
				error_release(&p->err);
				r = 0;
			}
			if (!r && found) {
				struct destroy_step *s = add_step(p, DESTROY_S3, buckets.items[i]);

				s->arn = xstrdup(f->arn);
				s->uuid = xstrdup(name);
				s->action = DESTROY_DELETE;
			}
		}
		strlist_clear(&buckets);
	}
	if (!r && kvlist_get(&f->tags, DEPLOY_RETENTION_TAG_KEY)) { /* blambda may have made its log group */
		struct logs_group g = { 0 };
		struct buf group = BUF_INIT;
		int exists = 0;

		deploy_log_group_name(name, &group);
		r = logs_describe_group(a, p->region, group.ptr, &g, &exists, &p->err);
		if (!r && exists && deploy_is_ours(&g.tags))
			add_step(p, DESTROY_LOG_GROUP, group.ptr)->action = DESTROY_DELETE;
		logs_group_release(&g);
		buf_release(&group);
	}
	if (r)
		p->failed = add_step(p, DESTROY_SCHEDULE, prefix.ptr);
	events_rules_release(&rules);
	lambda_mappings_release(&mappings);
	buf_release(&prefix);
	return r;
}

static int plan_function(struct aws *a, const char *name, const char *project_api, struct destroy_plan *p)
{
	struct lambda_function f;
	struct destroy_step *s = add_step(p, DESTROY_FUNCTION, name);
	int r = lambda_get_function(a, NULL, name, &f, &p->err);

	if (r == 1 && error_is(&p->err, "ResourceNotFoundException")) {
		error_release(&p->err);
		s->action = DESTROY_GONE;
		r = 0;
	} else if (!r) {
		const char *tag = kvlist_get(&f.tags, DEPLOY_TAG_KEY);

		s->arn = xstrdup_or_null(f.arn);
		if (tag && !strcmp(tag, DEPLOY_TAG_VALUE)) {
			s->action = DESTROY_DELETE;
			r = plan_triggers(a, name, &f, project_api, p); /* s moves with the steps added */
		} else {
			s->action = DESTROY_KEEP;
			s->reason = tag ? "not made by blambda (its " DEPLOY_TAG_KEY " tag names something else)"
					: "not made by blambda (no " DEPLOY_TAG_KEY " tag)";
		}
	} else {
		p->failed = s;
	}
	lambda_function_release(&f);
	return r;
}

/*
 * The role of `function`, unless a function of the project that stays uses a
 * role of the same name (deploy's names are cut to IAM's 64 characters, so
 * two long names can share one), or a function anywhere else does.
 */
static int plan_role(struct aws *a, const char *function, const struct strlist *staying_roles,
		     const struct strlist *regions, const struct strlist *going, struct role_users *ru,
		     struct destroy_plan *p)
{
	struct buf name = BUF_INIT;
	struct iam_role role;
	struct destroy_step *s;
	int r;

	deploy_role_name(function, &name);
	for (size_t i = 0; i < p->nr; i++)
		if (p->steps[i].kind == DESTROY_ROLE && !strcmp(p->steps[i].name, name.ptr)) {
			buf_release(&name); /* two long names cut to one role's: planned once */
			return 0;
		}
	s = add_step(p, DESTROY_ROLE, name.ptr);
	r = iam_get_role(a, name.ptr, &role, &p->err);
	if (r == 1 && error_is(&p->err, "NoSuchEntity")) {
		error_release(&p->err);
		s->action = DESTROY_GONE;
		r = 0;
	} else if (!r) {
		const char *tag = kvlist_get(&role.tags, DEPLOY_TAG_KEY);

		s->arn = xstrdup_or_null(role.arn);
		if (!tag || strcmp(tag, DEPLOY_TAG_VALUE)) {
			s->action = DESTROY_KEEP;
			s->reason = tag ? "not made by blambda (its " DEPLOY_TAG_KEY " tag names something else)"
					: "not made by blambda (no " DEPLOY_TAG_KEY " tag)";
		} else if (strlist_has(staying_roles, name.ptr)) {
			s->action = DESTROY_KEEP;
			s->reason = "a function of the project that stays uses it too";
		} else if ((s->reason_owned = deploy_role_kept_by(a, regions, ru, role.arn, going, &s->unsure))) {
			s->action = DESTROY_KEEP;
			s->reason = s->reason_owned;
		} else {
			s->action = DESTROY_DELETE;
			r = iam_attached_policies(a, name.ptr, &s->policies, &p->err);
			if (!r)
				r = iam_inline_policies(a, name.ptr, &s->inline_policies, &p->err);
		}
	}
	if (r)
		p->failed = s;
	iam_role_release(&role);
	buf_release(&name);
	return r;
}

/* the function (not being destroyed) that uses layer version arn, from "ARN FUNCTION" lines; NULL when none */
static const char *used_by(const struct strlist *in_use, const char *arn, const struct strlist *going)
{
	size_t n = arn ? strlen(arn) : 0;

	for (size_t i = 0; n && i < in_use->nr; i++) {
		const char *line = in_use->items[i];

		if (!strncmp(line, arn, n) && line[n] == ' ' && !strlist_has(going, line + n + 1))
			return line + n + 1;
	}
	return NULL;
}

/*
 * The versions of a layer blambda published, but none that a function which
 * stays still uses: the runtime layer's default name is the same in every
 * project of an account.
 */
static int plan_layer(struct aws *a, const char *name, const struct strlist *in_use, const struct strlist *going,
		      struct destroy_plan *p)
{
	struct lambda_layer_versions all;
	int r = lambda_layer_versions(a, NULL, name, &all, &p->err);
	const char *user;

	for (size_t i = 0; !r && i < all.nr; i++) {
		struct destroy_step *s = add_step(p, DESTROY_LAYER_VERSION, name);

		s->version = all.items[i].version;
		s->arn = xstrdup_or_null(all.items[i].version_arn);
		s->action = DESTROY_DELETE;
		if (!deploy_layer_is_blambdas(all.items[i].description)) {
			s->action = DESTROY_KEEP;
			s->reason = "not published by blambda (its description is not blambda's)";
		} else if ((user = used_by(in_use, s->arn, going))) {
			s->action = DESTROY_KEEP;
			s->reason = s->reason_owned = buf_fmt("function '%s' uses it", user);
		}
	}
	if (r) {
		struct destroy_step *s = add_step(p, DESTROY_LAYER_VERSION, name);

		p->failed = s;
	}
	lambda_layer_versions_release(&all);
	return r;
}

/* The names of fns[0..n) that each plan deletes or finds gone ("going"); "REGION FUNCTION" in pairs. */
static void what_goes(const struct destroy_plan *plans, size_t nregions, const struct config *fns, size_t n,
		      struct strlist *everywhere, struct strlist *pairs)
{
	for (size_t i = 0; i < n; i++) {
		const char *name = config_str(&fns[i], CFG_FUNCTION_NAME);
		int all = 1;

		for (size_t k = 0; k < nregions; k++) {
			int goes = 0;

			for (size_t j = 0; j < plans[k].nr; j++) {
				const struct destroy_step *s = &plans[k].steps[j];

				if (s->kind == DESTROY_FUNCTION && !strcmp(s->name, name))
					goes = s->action != DESTROY_KEEP;
			}
			if (goes)
				strlist_add_owned(pairs, buf_fmt("%s %s", plans[k].region, name));
			all &= goes;
		}
		if (all)
			strlist_add(everywhere, name);
	}
}

/* The roles blambda made for the project's functions that stay (in some region) */
static void roles_staying(const struct config *cfg, const struct strlist *going, struct strlist *out)
{
	for (size_t i = 0; i < config_function_count(cfg); i++) {
		struct config one;
		struct buf role = BUF_INIT;

		if (strlist_has(going, config_function_name(cfg, i)))
			continue;
		config_for_function(cfg, i, &one);
		if (!config_str(&one, CFG_FUNCTION_ROLE)) {
			deploy_role_name(config_function_name(cfg, i), &role);
			strlist_add(out, role.ptr);
		}
		buf_release(&role);
		config_release(&one);
	}
}

/* The layer versions of one region's plan, once its functions are planned */
static int plan_layers(struct aws *a, const struct config *cfg, const struct strlist *pairs, struct destroy_plan *p)
{
	struct strlist in_use = STRLIST_INIT, going = STRLIST_INIT;
	size_t n = strlen(p->region);
	int r;

	for (size_t i = 0; i < pairs->nr; i++)
		if (!strncmp(pairs->items[i], p->region, n) && pairs->items[i][n] == ' ')
			strlist_add(&going, pairs->items[i] + n + 1);
	r = lambda_layers_in_use(a, NULL, &in_use, &p->err);
	if (r)
		p->failed = add_step(p, DESTROY_FUNCTION, "(every function, for the layers they use)");
	if (!r)
		r = plan_layer(a, config_str(cfg, CFG_LAYERS_RUNTIME), &in_use, &going, p);
	if (!r && config_str(cfg, CFG_LAYERS_DEPS))
		r = plan_layer(a, config_str(cfg, CFG_LAYERS_DEPS), &in_use, &going, p);
	strlist_clear(&in_use);
	strlist_clear(&going);
	return r;
}

int destroy_plan_make(struct aws *awss, size_t nregions, const struct config *cfg, const struct config *fns, size_t n,
		      int layers, struct destroy_plan *plans)
{
	struct strlist everywhere = STRLIST_INIT, pairs = STRLIST_INIT, staying = STRLIST_INIT, regions = STRLIST_INIT;
	struct destroy_plan *last = &plans[nregions - 1];
	struct role_users ru = ROLE_USERS_INIT;
	int r = 0;

	for (size_t k = 0; k < nregions; k++) {
		memset(&plans[k], 0, sizeof(plans[k]));
		if (aws_region_try(&awss[k], &plans[k].region))
			plans[k].region = "?";
		strlist_add(&regions, plans[k].region);
	}
	for (size_t k = 0; !r && k < nregions; k++)
		for (size_t i = 0; !r && i < n; i++)
			r = plan_function(&awss[k], config_str(&fns[i], CFG_FUNCTION_NAME),
					  config_http_api_name(cfg), &plans[k]);
	for (size_t k = 0; !r && k < nregions; k++)
		api_settle(&plans[k]);
	what_goes(plans, nregions, fns, n, &everywhere, &pairs);
	roles_staying(cfg, &everywhere, &staying);
	/* a role named by function.role is the user's: it is not even looked at */
	for (size_t i = 0; !r && i < n; i++)
		if (!config_str(&fns[i], CFG_FUNCTION_ROLE))
			r = plan_role(&awss[nregions - 1], config_str(&fns[i], CFG_FUNCTION_NAME), &staying, &regions,
				      &pairs, &ru, last);
	for (size_t k = 0; !r && layers && k < nregions; k++)
		r = plan_layers(&awss[k], cfg, &pairs, &plans[k]);
	deploy_role_users_release(&ru);
	strlist_clear(&everywhere);
	strlist_clear(&pairs);
	strlist_clear(&staying);
	strlist_clear(&regions);
	return r;
}

size_t destroy_plan_count(const struct destroy_plan *p)
{
	size_t n = 0;

	for (size_t i = 0; i < p->nr; i++)
		n += p->steps[i].action == DESTROY_DELETE;
	return n;
}

/* what is gone by the time we get to it is gone: no error */
static int gone_already(int r, struct error *err)
{
	if (r == 1 && (error_is(err, "ResourceNotFoundException") || error_is(err, "NoSuchEntity"))) {
		error_release(err);
		return 0;
	}
	return r;
}

static int delete_role(struct aws *a, struct destroy_step *s, struct error *err)
{
	int r = 0;

	for (size_t i = 0; !r && i < s->policies.nr; i++)
		r = gone_already(iam_detach_role_policy(a, s->name, s->policies.items[i], err), err);
	for (size_t i = 0; !r && i < s->inline_policies.nr; i++)
		r = gone_already(iam_delete_role_policy(a, s->name, s->inline_policies.items[i], err), err);
	return r ? r : gone_already(iam_delete_role(a, s->name, err), err);
}

static int delete_rule(struct aws *a, struct destroy_step *s, struct error *err)
{
	int r = events_remove_target(a, NULL, s->name, "blambda", err);

	return r ? r : events_delete_rule(a, NULL, s->name, err);
}

static int delete_routes(struct aws *a, struct destroy_step *s, struct error *err)
{
	int r = 0;

	for (size_t i = 0; !r && i < s->policies.nr; i++)
		r = apigw_delete_route(a, NULL, s->api_id, s->policies.items[i], err);
	for (size_t i = 0; !r && i < s->ids.nr; i++)
		r = apigw_delete_integration(a, NULL, s->api_id, s->ids.items[i], err);
	return r;
}

/* The triggers first, then the APIs left without them, then the rest */
static size_t phase_of(enum destroy_kind k)
{
	if (k == DESTROY_SCHEDULE || k == DESTROY_MAPPING || k == DESTROY_ROUTES || k == DESTROY_S3)
		return 0;
	return k == DESTROY_HTTP_API ? 1 : 2;
}

/*
 * One region's plan, the triggers first (a function without them calls
 * nothing it should not), then in order; stops at its first failure. Roles
 * only with roles_too.
 */
static int execute_one(struct aws *a, struct destroy_plan *p, int roles_too)
{
	for (size_t n = 0; n < 3 * p->nr; n++) {
		struct destroy_step *s = &p->steps[n % p->nr];
		size_t phase = phase_of(s->kind);
		int r;

		if (s->action != DESTROY_DELETE || phase != n / p->nr)
			continue;
		if (s->kind == DESTROY_ROLE && !roles_too) {
			s->reason = "a region before failed, and a function left there may use it";
			continue;
		}
		if (s->kind == DESTROY_SCHEDULE)
			r = delete_rule(a, s, &p->err);
		else if (s->kind == DESTROY_MAPPING)
			r = gone_already(lambda_delete_mapping(a, NULL, s->uuid, &p->err), &p->err);
		else if (s->kind == DESTROY_FUNCTION)
			r = gone_already(lambda_delete_function(a, NULL, s->name, &p->err), &p->err);
		else if (s->kind == DESTROY_LOG_GROUP)
			r = logs_delete_group(a, NULL, s->name, &p->err);
		else if (s->kind == DESTROY_ROUTES)
			r = delete_routes(a, s, &p->err);
		else if (s->kind == DESTROY_HTTP_API)
			r = apigw_delete_api(a, NULL, s->api_id, &p->err);
		else if (s->kind == DESTROY_S3)
			r = deploy_s3_set(a, NULL, s->uuid, s->arn, s->name, NULL, 0, NULL, &p->err);
		else if (s->kind == DESTROY_ROLE)
			r = delete_role(a, s, &p->err);
		else
			r = gone_already(lambda_delete_layer_version(a, NULL, s->name, s->version, &p->err), &p->err);
		if (r) {
			p->failed = s;
			return r;
		}
		s->done = 1;
	}
	return 0;
}

size_t destroy_execute(struct aws *awss, size_t nregions, struct destroy_plan *plans)
{
	size_t failures = 0;

	for (size_t k = 0; k < nregions; k++)
		failures += execute_one(&awss[k], &plans[k], !failures) != 0;
	return failures;
}

void destroy_plan_release(struct destroy_plan *p)
{
	for (size_t i = 0; i < p->nr; i++) {
		free(p->steps[i].name);
		free(p->steps[i].arn);
		free(p->steps[i].uuid);
		free(p->steps[i].api_id);
		free(p->steps[i].url);
		strlist_clear(&p->steps[i].ids);
		free(p->steps[i].reason_owned);
		strlist_clear(&p->steps[i].policies);
		strlist_clear(&p->steps[i].inline_policies);
	}
	free(p->steps);
	error_release(&p->err);
	memset(p, 0, sizeof(*p));
}
