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

int deploy_plan_async(struct aws *a, const struct deploy_opts *o, struct deploy_plan *p, size_t fn)
{
	const struct config *f = &o->fns[fn];
	const char *name = config_str(f, CFG_FUNCTION_NAME);
	const struct deploy_step *fs = deploy_function_step(p, fn);
	const char *record = fs && fs->have ? kvlist_get(&fs->have->tags, DEPLOY_ASYNC_TAG_KEY) : NULL;
	struct lambda_invoke_config have = { -1, -1, NULL, NULL }, want;
	struct deploy_step *s;
	int exists = 0, wanted = config_has_async(f), r = 0;

	if (!wanted && !(record && *record))
		return 0; /* not blambda's to look at */
	if (fs && fs->have && lambda_get_invoke_config(a, p->region, name, &have, &exists, &p->err))
		return deploy_failed(p, "read the asynchronous invocation settings of function '%s'", name);
	wanted_async(f, &want);
	s = deploy_add_step(p, DEPLOY_ASYNC, name);
	s->fn = fn;
	s->planned = 1;
	if (!wanted) {
		s->action = exists ? DEPLOY_DELETE : DEPLOY_UNCHANGED;
		deploy_reason(s, "%s", exists ? "function.async is gone" : "none");
	} else if (!exists) {
		s->action = DEPLOY_CREATE;
		deploy_reason(s, "function.async");
	} else {
		change(s, "max retries", have.max_retries, want.max_retries, "default");
		change(s, "max event age", have.max_event_age, want.max_event_age, "default");
		change_str(s, "on success", have.on_success, want.on_success);
		change_str(s, "on failure", have.on_failure, want.on_failure);
		s->action = s->reasons.nr ? DEPLOY_UPDATE : DEPLOY_UNCHANGED;
		if (!s->reasons.nr)
			deploy_reason(s, "up to date");
	}
	lambda_invoke_config_release(&have);
	return r;
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

int deploy_plan_log_group(struct aws *a, const struct deploy_opts *o, struct deploy_plan *p, size_t fn)
{
	const struct config *f = &o->fns[fn];
	const struct deploy_step *fs = deploy_function_step(p, fn);
	const char *record = fs && fs->have ? kvlist_get(&fs->have->tags, DEPLOY_RETENTION_TAG_KEY) : NULL;
	long want = f->v[CFG_FUNCTION_LOG_RETENTION].present ? config_int(f, CFG_FUNCTION_LOG_RETENTION) : 0;
	long recorded = record ? atol(record) : 0;
	struct logs_group g = { 0 };
	struct deploy_step *s;
	struct buf group = BUF_INIT;
	int exists = 0;

	if (!want && !recorded)
		return 0;
	deploy_log_group_name(config_str(f, CFG_FUNCTION_NAME), &group);
	if (logs_describe_group(a, p->region, group.ptr, &g, &exists, &p->err)) {
		logs_group_release(&g);
		deploy_failed(p, "read log group '%s'", group.ptr);
		buf_release(&group);
		return -1;
	}
	s = deploy_add_step(p, DEPLOY_LOG_GROUP, group.ptr);
	s->fn = fn;
	s->planned = 1;
	s->version = want; /* the retention it is to have (0: forever) */
	if (!exists && want) {
		s->action = DEPLOY_CREATE;
		deploy_reason(s, "retention %ld days", want);
	} else if (!want) {
		/* the key is gone: the retention blambda set goes, unless someone changed it since */
		s->action = exists && g.retention == recorded ? DEPLOY_UPDATE : DEPLOY_UNCHANGED;
		deploy_reason(s, "%s", s->action == DEPLOY_UPDATE ? "retention goes (function.log-retention is gone): logs are kept forever"
							    : "its retention is not blambda's");
	} else if (g.retention != want) {
		s->action = DEPLOY_UPDATE;
		if (g.retention)
			deploy_reason(s, "retention %ld -> %ld days", g.retention, want);
		else
			deploy_reason(s, "retention forever -> %ld days", want);
	} else {
		s->action = DEPLOY_UNCHANGED;
		deploy_reason(s, "retention %ld days", want);
	}
	logs_group_release(&g);
	buf_release(&group);
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
