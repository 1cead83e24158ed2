/*
 * What a function has beside its configuration, each a step of its own in
 * the function's lane: the settings of its asynchronous invocations
 * (function.async: an event invoke config) and the retention of its log
 * group (function.log-retention). The function's tags remember that blambda
 * set them (DEPLOY_ASYNC_TAG_KEY, DEPLOY_RETENTION_TAG_KEY), so that they go
 * when the keys do and are never touched when blambda did not set them.
 */
#include <stdlib.h>
#include <string.h>

#include "aws/logs.h"
#include "core/xalloc.h"
#include "deploy/internal.h"

/* function.async as Lambda takes it: a view into f's values */
static void wanted_async(const struct config *f, struct lambda_invoke_config *c)
{
	c->max_retries = f->v[CFG_FUNCTION_ASYNC_MAX_RETRIES].present ? config_int(f, CFG_FUNCTION_ASYNC_MAX_RETRIES) : -1;
	c->max_event_age =
		f->v[CFG_FUNCTION_ASYNC_MAX_EVENT_AGE].present ? config_int(f, CFG_FUNCTION_ASYNC_MAX_EVENT_AGE) : -1;
	c->on_success = (char *)config_str(f, CFG_FUNCTION_ASYNC_ON_SUCCESS);
	c->on_failure = (char *)config_str(f, CFG_FUNCTION_ASYNC_ON_FAILURE);
}

static void value_text(long v, const char *none, struct buf *out)
{
	if (v < 0)
		buf_adds(out, none);
	else
		buf_addf(out, "%ld", v);
}

static void change(struct deploy_step *s, const char *what, long from, long to, const char *none)
{
	struct buf a = BUF_INIT, b = BUF_INIT;

	if (from == to)
		return;
	value_text(from, none, &a);
	value_text(to, none, &b);
	deploy_reason(s, "%s %s -> %s", what, a.ptr, b.ptr);
	buf_release(&a);
	buf_release(&b);
}

static void change_str(struct deploy_step *s, const char *what, const char *from, const char *to)
{
	if (strcmp(from ? from : "", to ? to : ""))
		deploy_reason(s, "%s %s -> %s", what, from ? from : "none", to ? to : "none");
}

int deploy_read_beside(struct aws *a, const struct deploy_opts *o, struct deploy_plan *p, size_t fn,
		       const struct lambda_function *have, struct deploy_beside *b)
{
	const struct config *f = &o->fns[fn];
	const char *name = config_str(f, CFG_FUNCTION_NAME);
	const char *async = have ? kvlist_get(&have->tags, DEPLOY_ASYNC_TAG_KEY) : NULL;
	const char *retention = have ? kvlist_get(&have->tags, DEPLOY_RETENTION_TAG_KEY) : NULL;
	struct buf group = BUF_INIT;
	struct logs_group g = { 0 };
	int r = 0;

	memset(b, 0, sizeof(*b));
	b->async.max_retries = b->async.max_event_age = -1;
	b->async_recorded = async && *async;
	b->retention_recorded = retention ? atol(retention) : 0;
	if (have && (config_has_async(f) || b->async_recorded) &&
	    lambda_get_invoke_config(a, p->region, name, &b->async, &b->async_exists, &p->err))
		return deploy_failed(p, "read the asynchronous invocation settings of function '%s'", name);
	if (!f->v[CFG_FUNCTION_LOG_RETENTION].present && !b->retention_recorded)
		return 0;
	deploy_log_group_name(name, &group);
	if (logs_describe_group(a, p->region, group.ptr, &g, &b->group_exists, &p->err))
		r = deploy_failed(p, "read log group '%s'", group.ptr);
	b->group_retention = g.retention;
	logs_group_release(&g);
	buf_release(&group);
	return r;
}

void deploy_beside_release(struct deploy_beside *b)
{
	lambda_invoke_config_release(&b->async);
}

/* Whether the function's event invoke config differs from function.async's (reasons onto s when given) */
static int async_differs(const struct lambda_invoke_config *have, const struct lambda_invoke_config *want,
			 struct deploy_step *s)
{
	int differs = have->max_retries != want->max_retries || have->max_event_age != want->max_event_age ||
		      strcmp(have->on_success ? have->on_success : "", want->on_success ? want->on_success : "") ||
		      strcmp(have->on_failure ? have->on_failure : "", want->on_failure ? want->on_failure : "");

	if (s) {
		change(s, "max retries", have->max_retries, want->max_retries, "default");
		change(s, "max event age", have->max_event_age, want->max_event_age, "default");
		change_str(s, "on success", have->on_success, want->on_success);
		change_str(s, "on failure", have->on_failure, want->on_failure);
	}
	return differs;
}

/* What deploy does with the log group's retention: 1 writes, 0 nothing, -1 removes it */
static int retention_action(const struct config *f, const struct deploy_beside *b)
{
	long want = f->v[CFG_FUNCTION_LOG_RETENTION].present ? config_int(f, CFG_FUNCTION_LOG_RETENTION) : 0;

	if (want)
		return !b->group_exists || b->group_retention != want;
	return b->retention_recorded && b->group_exists && b->group_retention == b->retention_recorded ? -1 : 0;
}

/* The union of two records of digests ("a b" and "b c": "a b c") */
static void union_record(const char *x, const char *y, struct buf *out)
{
	struct strlist tokens = STRLIST_INIT;

	strlist_split(&tokens, x ? x : "", ' ');
	strlist_split(&tokens, y ? y : "", ' ');
	strlist_sort(&tokens);
	for (size_t i = 0; i < tokens.nr; i++)
		if (*tokens.items[i] && (!i || strcmp(tokens.items[i], tokens.items[i - 1])))
			buf_addf(out, "%s%s", out->len ? " " : "", tokens.items[i]);
	strlist_clear(&tokens);
}

static void record(struct kvlist *early, struct kvlist *after, const char *key, const char *old, const char *during,
		   const char *final)
{
	if (*during || (old && *old))
		kvlist_set(early, key, during);
	if (strcmp(during, final) && (*during || (old && *old)))
		kvlist_set(after, key, final);
}

void deploy_beside_records(const struct deploy_opts *o, size_t fn, const struct lambda_function *have,
			   const struct deploy_beside *b, const char *events, struct kvlist *early, struct kvlist *after)
{
	const struct config *f = &o->fns[fn];
	const char *old_events = have ? kvlist_get(&have->tags, DEPLOY_EVENTS_TAG_KEY) : NULL;
	const char *old_async = have ? kvlist_get(&have->tags, DEPLOY_ASYNC_TAG_KEY) : NULL;
	const char *old_retention = have ? kvlist_get(&have->tags, DEPLOY_RETENTION_TAG_KEY) : NULL;
	struct lambda_invoke_config want;
	struct buf both = BUF_INIT;
	int async_ours, retention_ours, act = retention_action(f, b);
	const char *days = f->v[CFG_FUNCTION_LOG_RETENTION].present ? f->v[CFG_FUNCTION_LOG_RETENTION].str : "";

	/* the sources mapped: those to go stay recorded until they are gone */
	union_record(old_events, events, &both);
	record(early, after, DEPLOY_EVENTS_TAG_KEY, old_events, both.ptr, events ? events : "");
	/* async settings and retention are blambda's when it writes them, or wrote them before */
	wanted_async(f, &want);
	async_ours = config_has_async(f) && (b->async_recorded || !b->async_exists || async_differs(&b->async, &want, NULL));
	record(early, after, DEPLOY_ASYNC_TAG_KEY, old_async, async_ours || b->async_recorded ? DEPLOY_TAG_VALUE : "",
	       async_ours ? DEPLOY_TAG_VALUE : "");
	retention_ours = *days && (act == 1 || b->retention_recorded);
	record(early, after, DEPLOY_RETENTION_TAG_KEY, old_retention,
	       retention_ours ? days : act == -1 && old_retention ? old_retention : "", retention_ours ? days : "");
	buf_release(&both);
}

int deploy_plan_async(const struct deploy_opts *o, struct deploy_plan *p, size_t fn, const struct deploy_beside *b)
{
	const struct config *f = &o->fns[fn];
	struct lambda_invoke_config want;
	struct deploy_step *s;
	int wanted = config_has_async(f);

	if (!wanted && !(b->async_recorded && b->async_exists))
		return 0; /* not blambda's to look at */
	wanted_async(f, &want);
	s = deploy_add_step(p, DEPLOY_ASYNC, config_str(f, CFG_FUNCTION_NAME));
	s->fn = fn;
	s->planned = 1;
	if (!wanted) {
		s->action = DEPLOY_DELETE;
		deploy_reason(s, "function.async is gone");
	} else if (!b->async_exists) {
		s->action = DEPLOY_CREATE;
		deploy_reason(s, "function.async");
	} else {
		async_differs(&b->async, &want, s);
		s->action = s->reasons.nr ? DEPLOY_UPDATE : DEPLOY_UNCHANGED;
		if (!s->reasons.nr)
			deploy_reason(s, "%s", b->async_recorded ? "up to date"
								: "up to date; set outside blambda, it stays when function.async goes");
	}
	return 0;
}

int deploy_exec_async(struct aws *a, const struct deploy_opts *o, struct deploy_plan *p, struct deploy_step *s)
{
	struct lambda_invoke_config want;

	wanted_async(&o->fns[s->fn], &want);
	p->writes++;
	if (lambda_put_invoke_config(a, p->region, s->name, s->action == DEPLOY_DELETE ? NULL : &want, &p->err))
		return deploy_failed(p, "%s the asynchronous invocation settings of function '%s'",
				     s->action == DEPLOY_DELETE ? "delete" : "put", s->name);
	s->done = 1;
	return 0;
}

void deploy_log_group_name(const char *function, struct buf *out)
{
	buf_addf(out, "/aws/lambda/%s", function);
}

int deploy_plan_log_group(const struct deploy_opts *o, struct deploy_plan *p, size_t fn, const struct deploy_beside *b)
{
	const struct config *f = &o->fns[fn];
	long want = f->v[CFG_FUNCTION_LOG_RETENTION].present ? config_int(f, CFG_FUNCTION_LOG_RETENTION) : 0;
	int act = retention_action(f, b);
	struct deploy_step *s;
	struct buf group = BUF_INIT;

	if (!want && act != -1)
		return 0; /* nothing of blambda's to look at */
	deploy_log_group_name(config_str(f, CFG_FUNCTION_NAME), &group);
	s = deploy_add_step(p, DEPLOY_LOG_GROUP, group.ptr);
	buf_release(&group);
	s->fn = fn;
	s->planned = 1;
	s->version = want; /* the retention it is to have (0: forever) */
	if (act == -1) {
		s->action = DEPLOY_UPDATE;
		deploy_reason(s, "retention goes (function.log-retention is gone): logs are kept forever");
	} else if (!b->group_exists) {
		s->action = DEPLOY_CREATE;
		deploy_reason(s, "retention %ld days", want);
	} else if (act == 1) {
		s->action = DEPLOY_UPDATE;
		if (b->group_retention)
			deploy_reason(s, "retention %ld -> %ld days", b->group_retention, want);
		else
			deploy_reason(s, "retention forever -> %ld days", want);
	} else {
		s->action = DEPLOY_UNCHANGED;
		deploy_reason(s, "retention %ld days%s", want,
			      b->retention_recorded ? "" : "; set outside blambda, it stays when function.log-retention goes");
	}
	return 0;
}

int deploy_exec_log_group(struct aws *a, struct deploy_plan *p, struct deploy_step *s)
{
	struct kvlist tags = KVLIST_INIT;
	int r;

	if (s->action == DEPLOY_CREATE) {
		kvlist_add(&tags, DEPLOY_TAG_KEY, DEPLOY_TAG_VALUE);
		p->writes++;
		r = logs_create_group(a, p->region, s->name, &tags, &p->err);
		kvlist_clear(&tags);
		/* made meanwhile by Lambda, for a first invocation: its retention is set all the same */
		if (r == 1 && error_is(&p->err, "ResourceAlreadyExistsException")) {
			error_release(&p->err);
			r = 0;
		}
		if (r)
			return deploy_failed(p, "create log group '%s'", s->name);
	}
	p->writes++;
	if (logs_set_retention(a, p->region, s->name, s->version, &p->err))
		return deploy_failed(p, "set the retention of log group '%s'", s->name);
	s->done = 1;
	return 0;
}
