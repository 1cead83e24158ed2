/*
 * What calls a function (function.events): its schedules (EventBridge
 * rules, their target and Lambda's permission for them) and the queues and
 * streams mapped to it (event source mappings), planned from reads and
 * carried out in the function's lane after the function itself. Only what
 * blambda made is changed or removed: a rule by its tags, a mapping by the
 * function's record of the sources it mapped (DEPLOY_EVENTS_TAG_KEY).
 */
#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "aws/events.h"
#include "aws/sqs.h"
#include "core/hash.h"
#include "core/wait.h"
#include "core/xalloc.h"
#include "deploy/internal.h"

/* A rule's name for a function's schedule: blambda-FUNCTION-NAME within EventBridge's 64 characters */
void deploy_rule_name(const char *function, const char *schedule, struct buf *out)
{
	size_t before = out->len;

	buf_addf(out, "blambda-%s-%s", function, schedule);
	if (out->len - before > 64) {
		char hex[SHA256_HEX_LEN + 1];

		sha256_hex(out->ptr + before, out->len - before, hex);
		buf_setlen(out, before + 55);
		buf_addf(out, "-%.8s", hex);
	}
}

void deploy_rule_prefix(const char *function, struct buf *out)
{
	size_t before = out->len;

	/* what every name deploy_rule_name gives begins with, the shortened ones too */
	buf_addf(out, "blambda-%s-", function);
	if (out->len - before > 55)
		buf_setlen(out, before + 55);
}

/* The statement that lets EventBridge call the function for one schedule */
static void schedule_sid(const char *schedule, struct buf *out)
{
	buf_addf(out, "blambda-schedule-%s", schedule);
}

#define TARGET_ID "blambda"

/* The same JSON (or both none) */
static int same_input(const char *a, const char *b)
{
	cJSON *x, *y;
	int same;

	if (!a || !b)
		return !a && !b;
	x = cJSON_Parse(a);
	y = cJSON_Parse(b);
	same = x && y && cJSON_Compare(x, y, 1);
	cJSON_Delete(x);
	cJSON_Delete(y);
	return same;
}

static int rule_is_ours(const struct events_rule *r, const char *function)
{
	const char *fn = kvlist_get(&r->tags, DEPLOY_FUNCTION_TAG_KEY);

	return deploy_is_ours(&r->tags) && fn && !strcmp(fn, function);
}

/* ---- planning ---- */

struct trigger_reads {
	struct events_rules rules;     /* the rules whose names start as the function's do, with their tags */
	struct strlist sids;           /* the statement ids of the function's policy */
	struct lambda_mappings mappings;
};

static int read_schedules(struct aws *a, struct deploy_plan *p, const char *function, struct trigger_reads *t)
{
	struct buf prefix = BUF_INIT;
	int r;

	deploy_rule_prefix(function, &prefix);
	r = events_list_rules(a, p->region, prefix.ptr, &t->rules, &p->err);
	for (size_t i = 0; !r && i < t->rules.nr; i++)
		r = events_rule_tags(a, p->region, &t->rules.items[i], &p->err);
	buf_release(&prefix);
	if (r)
		return deploy_failed(p, "read the schedules of function '%s'", function);
	return 0;
}

static struct deploy_step *trigger_step(struct deploy_plan *p, enum deploy_kind kind, const char *name, size_t fn,
					const struct cfg_event *e)
{
	struct deploy_step *s = deploy_add_step(p, kind, name);

	s->fn = fn;
	s->event = e ? cfg_event_copy(e) : NULL;
	s->planned = 1;
	return s;
}

static int plan_schedule(struct aws *a, struct deploy_plan *p, size_t fn, const char *function,
			 const char *function_arn, const struct cfg_event *e, struct trigger_reads *t)
{
	struct buf rule = BUF_INIT, sid = BUF_INIT;
	struct events_rule *have = NULL;
	struct deploy_step *s;
	int r = 0;

	deploy_rule_name(function, e->name, &rule);
	schedule_sid(e->name, &sid);
	for (size_t i = 0; i < t->rules.nr; i++)
		if (!strcmp(t->rules.items[i].name, rule.ptr))
			have = &t->rules.items[i];
	if (have && !rule_is_ours(have, function)) {
		const char *tag = kvlist_get(&have->tags, DEPLOY_TAG_KEY);

		aws_error_set(&p->err, "NotOurs", "rule '%s' exists in %s and blambda did not make it for '%s' (%s): "
			      "blambda never takes over what it did not make", rule.ptr, p->region, function,
			      tag ? "its tags name another function" : "it has no " DEPLOY_TAG_KEY " tag");
		error_hint(&p->err, "give the schedule another name in function.events");
		r = deploy_failed(p, "deploy schedule '%s' of function '%s'", e->name, function);
		goto out;
	}
	s = trigger_step(p, DEPLOY_SCHEDULE, e->name, fn, e);
	deploy_set_str(&s->resource, rule.ptr);
	if (!have) {
		s->action = DEPLOY_CREATE;
		s->trigger_writes = DEPLOY_TRIGGER_RULE | DEPLOY_TRIGGER_TARGET | DEPLOY_TRIGGER_PERMISSION;
		deploy_reason(s, "%s%s", e->expression, e->enabled ? "" : ", disabled");
		goto out;
	}
	deploy_set_str(&s->source, have->arn);
	deploy_set_str(&s->arn, have->arn);
	if (strcmp(have->expression ? have->expression : "", e->expression)) {
		s->trigger_writes |= DEPLOY_TRIGGER_RULE;
		deploy_reason(s, "%s -> %s", have->expression ? have->expression : "none", e->expression);
	}
	if (!have->state || strcmp(have->state, e->enabled ? "ENABLED" : "DISABLED")) {
		s->trigger_writes |= DEPLOY_TRIGGER_RULE;
		deploy_reason(s, "%s", e->enabled ? "enabled again" : "disabled");
	}
	{
		struct events_targets targets = { 0 };
		const struct events_target *ours = NULL;

		if (events_list_targets(a, p->region, rule.ptr, &targets, &p->err)) {
			events_targets_release(&targets);
			r = deploy_failed(p, "read the targets of rule '%s'", rule.ptr);
			goto out;
		}
		for (size_t i = 0; i < targets.nr; i++)
			if (!strcmp(targets.items[i].id, TARGET_ID))
				ours = &targets.items[i];
		if (!ours || !function_arn || strcmp(ours->arn ? ours->arn : "", function_arn)) {
			s->trigger_writes |= DEPLOY_TRIGGER_TARGET;
			deploy_reason(s, "%s", ours ? "its target calls something else" : "it calls nothing");
		} else if (!same_input(ours->input, e->input)) {
			s->trigger_writes |= DEPLOY_TRIGGER_TARGET;
			deploy_reason(s, "input changed");
		}
		events_targets_release(&targets);
	}
	if (!strlist_has(&t->sids, sid.ptr)) {
		s->trigger_writes |= DEPLOY_TRIGGER_PERMISSION;
		deploy_reason(s, "EventBridge may not call the function");
	}
	s->action = s->trigger_writes ? DEPLOY_UPDATE : DEPLOY_UNCHANGED;
	if (!s->trigger_writes)
		deploy_reason(s, "%s", e->expression);
out:
	buf_release(&rule);
	buf_release(&sid);
	return r;
}

/* The mapping Lambda should have for entry e of source arn */
static void wanted_mapping(const struct cfg_event *e, const char *source, struct lambda_mapping *m)
{
	memset(m, 0, sizeof(*m));
	m->source = (char *)source;
	m->starting_position = e->kind == CFG_EVENT_STREAM ? e->starting_position : NULL;
	m->batch_size = e->batch_size;
	m->batch_window = e->batch_window;
	m->max_concurrency = e->max_concurrency;
	m->report_failures = e->report_failures;
	m->enabled = e->enabled;
}

/* The name a mapping step shows: the queue's or stream's last part */
static const char *source_name(const char *arn)
{
	const char *slash = strstr(arn, ":table/") ? arn : strrchr(arn, '/'), *colon = strrchr(arn, ':');

	if (strstr(arn, ":table/"))
		return strstr(arn, ":table/") + 7;
	return slash ? slash + 1 : colon ? colon + 1 : arn;
}

static void plan_mapping(struct deploy_plan *p, size_t fn, const struct cfg_event *e, const char *source,
			 const char *record, struct trigger_reads *t)
{
	const struct lambda_mapping *have = NULL;
	struct lambda_mapping want;
	struct deploy_step *s;

	for (size_t i = 0; i < t->mappings.nr; i++)
		if (t->mappings.items[i].source && !strcmp(t->mappings.items[i].source, source))
			have = &t->mappings.items[i];
	s = trigger_step(p, DEPLOY_MAPPING, source_name(source), fn, e);
	deploy_set_str(&s->source, source);
	wanted_mapping(e, source, &want);
	if (!have) {
		s->action = DEPLOY_CREATE;
		s->trigger_writes = DEPLOY_TRIGGER_MAPPING;
		deploy_reason(s, "%s, batches of %ld%s", e->kind == CFG_EVENT_SQS ? "queue" : "stream", want.batch_size,
			      want.enabled ? "" : ", disabled");
		return;
	}
	deploy_set_str(&s->resource, have->uuid);
	if (!deploy_policies_recorded(record, source))
		deploy_reason(s, "made outside blambda: blambda.yml lists it, so it is blambda's from now on");
	if (have->batch_size != want.batch_size)
		deploy_reason(s, "batch size %ld -> %ld", have->batch_size, want.batch_size);
	if (!want.starting_position && have->batch_window != want.batch_window)
		deploy_reason(s, "batch window %ld -> %ld s", have->batch_window, want.batch_window);
	if (!want.starting_position && have->max_concurrency != want.max_concurrency)
		deploy_reason(s, "max concurrency %ld -> %ld", have->max_concurrency, want.max_concurrency);
	if (!want.starting_position && have->report_failures != want.report_failures)
		deploy_reason(s, "report-batch-item-failures %s", want.report_failures ? "on" : "off");
	if (have->state && ((!strcmp(have->state, "Disabled") || !strcmp(have->state, "Disabling")) == want.enabled))
		deploy_reason(s, "%s", want.enabled ? "enabled again" : "disabled");
	s->trigger_writes = s->reasons.nr ? DEPLOY_TRIGGER_MAPPING : 0;
	s->action = s->trigger_writes ? DEPLOY_UPDATE : DEPLOY_UNCHANGED;
	if (!s->reasons.nr)
		deploy_reason(s, "batches of %ld", want.batch_size);
}

/* Whether arn's region field (the fourth) is region */
static int arn_in_region(const char *arn, const char *region)
{
	const char *p = arn;

	for (int i = 0; i < 3 && p; i++)
		p = strchr(p, ':') ? strchr(p, ':') + 1 : NULL;
	return p && !strncmp(p, region, strlen(region)) && p[strlen(region)] == ':';
}

/* Lambda's stream or queue ARN: a queue named by name is looked up (it must exist before any write) */
int deploy_resolve_sources(struct aws *a, struct deploy_plan *p, const struct config *f, struct strlist *sources,
			   struct buf *record)
{
	struct cfg_events events;
	struct strlist mapped = STRLIST_INIT;
	struct buf why = BUF_INIT;
	const struct cfg_node *at;
	int r = 0;

	if (cfg_events_read(config_tree(f, CFG_FUNCTION_EVENTS), &events, &why, &at)) { /* checked when read */
		buf_release(&why);
		return 0;
	}
	for (size_t i = 0; !r && i < events.nr; i++) {
		const struct cfg_event *e = &events.items[i];
		char *arn = NULL;

		if (!cfg_event_mapped(e)) {
			strlist_add(sources, "");
			continue;
		}
		if (!strncmp(e->source, "arn:", 4) && !arn_in_region(e->source, p->region)) {
			aws_error_set(&p->err, "OtherRegion", "%s line %d: %s is not in %s: Lambda takes a queue or a stream "
				      "of its own region only", f->path ? f->path : "blambda.yml", e->line, e->source, p->region);
			p->err.exit = EXIT_USAGE;
			r = deploy_failed(p, "map %s", e->source);
			break;
		}
		if (e->kind == CFG_EVENT_SQS && sqs_queue_arn(a, p->region, e->source, &arn, &p->err)) {
			if (error_is(&p->err, "QueueDoesNotExist"))
				error_hint(&p->err, "function.events names queue '%s' (%s line %d): make it first", e->source,
					   f->path ? f->path : "blambda.yml", e->line);
			r = deploy_failed(p, "find queue '%s'", e->source);
			break;
		}
		strlist_add(sources, arn ? arn : e->source);
		strlist_add(&mapped, arn ? arn : e->source);
		free(arn);
	}
	if (!r)
		deploy_policies_record(&mapped, 0, record);
	strlist_clear(&mapped);
	cfg_events_release(&events);
	return r;
}

int deploy_plan_triggers(struct aws *a, const struct deploy_opts *o, struct deploy_plan *p, size_t fn,
			 const struct strlist *sources)
{
	const struct config *f = &o->fns[fn];
	const char *function = config_str(f, CFG_FUNCTION_NAME);
	/* copies: the steps added below move the plan's steps */
	const struct deploy_step *fs = deploy_function_step(p, fn);
	int exists = fs && fs->have;
	char *record = exists ? xstrdup_or_null(kvlist_get(&fs->have->tags, DEPLOY_EVENTS_TAG_KEY)) : NULL;
	char *function_arn = exists ? xstrdup_or_null(fs->have->arn) : NULL;
	struct trigger_reads t = { { 0 }, STRLIST_INIT, { 0 } };
	struct cfg_events events;
	struct buf why = BUF_INIT;
	const struct cfg_node *at;
	int r = 0, schedules = 0, mappings = record && *record;

	fs = NULL;
	if (cfg_events_read(config_tree(f, CFG_FUNCTION_EVENTS), &events, &why, &at)) {
		buf_release(&why);
		free(record);
		free(function_arn);
		return 0;
	}
	for (size_t i = 0; i < events.nr; i++) {
		schedules |= events.items[i].kind == CFG_EVENT_SCHEDULE;
		mappings |= cfg_event_mapped(&events.items[i]);
	}
	/*
	 * a function blambda has made may hold schedules that leave blambda.yml:
	 * look for them; and a new one's schedules may have names that someone
	 * else's rules hold already (PutRule would take them over): look then too
	 */
	if ((exists || schedules) && read_schedules(a, p, function, &t))
		goto fail;
	if ((schedules || t.rules.nr) && exists &&
	    lambda_policy_sids(a, p->region, function, &t.sids, &p->err)) {
		deploy_failed(p, "read who may call function '%s'", function);
		goto fail;
	}
	if (mappings && exists && lambda_list_mappings(a, p->region, function, &t.mappings, &p->err)) {
		deploy_failed(p, "read the event source mappings of function '%s'", function);
		goto fail;
	}
	for (size_t i = 0; !r && i < events.nr; i++) {
		const struct cfg_event *e = &events.items[i];

		if (e->kind == CFG_EVENT_SCHEDULE)
			r = plan_schedule(a, p, fn, function, function_arn, e, &t);
		else if (cfg_event_mapped(e))
			plan_mapping(p, fn, e, sources->items[i], record, &t);
	}
	/* blambda's triggers no longer in blambda.yml */
	for (size_t i = 0; !r && i < t.rules.nr; i++) {
		const struct events_rule *rule = &t.rules.items[i];
		const char *name = kvlist_get(&rule->tags, DEPLOY_SCHEDULE_TAG_KEY);
		int wanted = 0;

		if (!rule_is_ours(rule, function) || !name)
			continue;
		for (size_t k = 0; k < p->nr; k++)
			wanted |= p->steps[k].kind == DEPLOY_SCHEDULE && p->steps[k].fn == fn && p->steps[k].resource &&
				  !strcmp(p->steps[k].resource, rule->name);
		if (!wanted) {
			struct deploy_step *s = trigger_step(p, DEPLOY_SCHEDULE, name, fn, NULL);

			s->action = DEPLOY_DELETE;
			deploy_set_str(&s->resource, rule->name);
			deploy_set_str(&s->arn, rule->arn);
			deploy_reason(s, "gone from function.events");
		}
	}
	for (size_t i = 0; !r && i < t.mappings.nr; i++) {
		const struct lambda_mapping *m = &t.mappings.items[i];
		struct deploy_step *s;

		if (!m->source || strlist_has(sources, m->source) || !deploy_policies_recorded(record, m->source))
			continue;
		s = trigger_step(p, DEPLOY_MAPPING, source_name(m->source), fn, NULL);
		s->action = DEPLOY_DELETE;
		deploy_set_str(&s->resource, m->uuid);
		deploy_set_str(&s->source, m->source);
		deploy_reason(s, "gone from function.events");
	}
	goto out;
fail:
	r = -1;
out:
	free(record);
	free(function_arn);
	events_rules_release(&t.rules);
	strlist_clear(&t.sids);
	lambda_mappings_release(&t.mappings);
	cfg_events_release(&events);
	return r;
}

/* ---- execution ---- */

static int exec_schedule_delete(struct aws *a, struct deploy_plan *p, const char *function, struct deploy_step *s)
{
	struct buf sid = BUF_INIT;
	int r;

	schedule_sid(s->name, &sid);
	p->writes += 3;
	r = events_remove_target(a, p->region, s->resource, TARGET_ID, &p->err) ||
			    events_delete_rule(a, p->region, s->resource, &p->err) ||
			    lambda_remove_permission(a, p->region, function, sid.ptr, &p->err) ?
		    deploy_failed(p, "remove schedule '%s' of function '%s'", s->name, function) :
		    0;
	buf_release(&sid);
	return r;
}

int deploy_exec_schedule(struct aws *a, struct deploy_plan *p, const char *function, const char *function_arn,
			 struct deploy_step *s)
{
	const struct cfg_event *e = s->event;
	struct kvlist tags = KVLIST_INIT;
	struct buf sid = BUF_INIT, description = BUF_INIT;
	char *arn = NULL;
	int r = -1;

	if (s->action == DEPLOY_DELETE) {
		if (exec_schedule_delete(a, p, function, s))
			return -1;
		s->done = 1;
		return 0;
	}
	schedule_sid(e->name, &sid);
	if (s->trigger_writes & DEPLOY_TRIGGER_RULE) {
		kvlist_add(&tags, DEPLOY_TAG_KEY, DEPLOY_TAG_VALUE);
		kvlist_add(&tags, DEPLOY_FUNCTION_TAG_KEY, function);
		kvlist_add(&tags, DEPLOY_SCHEDULE_TAG_KEY, e->name);
		buf_addf(&description, "Schedule '%s' of function %s, made by blambda", e->name, function);
		p->writes++;
		if (events_put_rule(a, p->region, s->resource, e->expression, e->enabled, description.ptr,
				    s->action == DEPLOY_CREATE ? &tags : NULL, &arn, &p->err)) {
			deploy_failed(p, "put rule '%s'", s->resource);
			goto out;
		}
		deploy_set_str(&s->source, arn);
		deploy_set_str(&s->arn, arn);
	}
	if (s->trigger_writes & DEPLOY_TRIGGER_PERMISSION) {
		p->writes++;
		if (lambda_add_permission(a, p->region, function, sid.ptr, "events.amazonaws.com", s->source, NULL, &p->err)) {
			deploy_failed(p, "let rule '%s' call function '%s'", s->resource, function);
			goto out;
		}
	}
	if (s->trigger_writes & DEPLOY_TRIGGER_TARGET) {
		p->writes++;
		if (events_put_target(a, p->region, s->resource, TARGET_ID, function_arn, e->input, &p->err)) {
			deploy_failed(p, "point rule '%s' at function '%s'", s->resource, function);
			goto out;
		}
	}
	s->done = 1;
	r = 0;
out:
	free(arn);
	kvlist_clear(&tags);
	buf_release(&sid);
	buf_release(&description);
	return r;
}

/* A new mapping waited out of Creating (or an update out of Updating) */
struct mapping_wait {
	struct aws *a;
	struct deploy_plan *p;
	const char *uuid;
};

static enum wait_answer check_mapping(void *ctx)
{
	struct mapping_wait *w = ctx;
	struct lambda_mapping m;
	enum wait_answer r;

	if (lambda_get_mapping(w->a, w->p->region, w->uuid, &m, &w->p->err))
		return WAIT_FAILED;
	r = m.state && (!strcmp(m.state, "Creating") || !strcmp(m.state, "Updating") || !strcmp(m.state, "Enabling") ||
			!strcmp(m.state, "Disabling")) ?
		    WAIT_AGAIN :
		    WAIT_DONE;
	lambda_mapping_release(&m);
	return r;
}

/*
 * A refusal that passes: a role given its queue or stream policy in this
 * run takes IAM seconds to reach Lambda ("...role does not have permissions
 * to call ReceiveMessage on SQS").
 */
struct mapping_write {
	struct aws *a;
	struct deploy_plan *p;
	const char *function;
	struct deploy_step *s;
	struct lambda_mapping want, got;
};

static enum wait_answer try_mapping(void *ctx)
{
	struct mapping_write *w = ctx;
	int r;

	error_release(&w->p->err);
	lambda_mapping_release(&w->got);
	w->p->writes++;
	r = w->s->resource ? lambda_update_mapping(w->a, w->p->region, w->s->resource, &w->want, &w->got, &w->p->err)
			   : lambda_create_mapping(w->a, w->p->region, w->function, &w->want, &w->got, &w->p->err);
	if (!r)
		return WAIT_DONE;
	if (r == 1 && w->p->err.message && strstr(w->p->err.message, "does not have permission"))
		return WAIT_AGAIN;
	if (r == 1 && error_is(&w->p->err, "ResourceInUseException")) /* still Creating or Updating */
		return WAIT_AGAIN;
	return WAIT_FAILED;
}

int deploy_exec_mapping(struct aws *a, const struct deploy_opts *o, struct deploy_plan *p, const char *function,
			struct deploy_step *s)
{
	struct mapping_write w = { a, p, function, s, { 0 }, { 0 } };
	struct mapping_wait mw = { a, p, NULL };
	struct wait_opts wo = { 0 };
	struct buf label = BUF_INIT;
	int r;

	if (s->action == DEPLOY_DELETE) {
		p->writes++;
		if (lambda_delete_mapping(a, p->region, s->resource, &p->err))
			return deploy_failed(p, "delete the event source mapping of %s to function '%s'", s->name, function);
		s->done = 1;
		return 0;
	}
	wanted_mapping(s->event, s->source, &w.want);
	buf_addf(&label, "%s to call function '%s'", s->name, function);
	wo.label = label.ptr;
	wo.obs = o->quiet_progress ? NULL : a->obs;
	wo.timeout_s = DEPLOY_ROLE_WAIT_S;
	r = wait_until(&wo, try_mapping, &w);
	if (r == 1 && !p->err.code)
		aws_error_set(&p->err, "Timeout", "still refused after %.0f s", wo.timeout_s);
	if (r) {
		r = deploy_failed(p, "%s the event source mapping of %s to function '%s'", s->resource ? "update" : "create",
				  s->name, function);
		goto out;
	}
	deploy_set_str(&s->resource, w.got.uuid);
	mw.uuid = s->resource;
	wo.timeout_s = DEPLOY_WAIT_S;
	if (wait_until(&wo, check_mapping, &mw)) {
		if (!p->err.code)
			aws_error_set(&p->err, "Timeout", "still not ready after %.0f s", wo.timeout_s);
		r = deploy_failed(p, "wait for the event source mapping of %s", s->name);
		goto out;
	}
	s->done = 1;
out:
	lambda_mapping_release(&w.got);
	buf_release(&label);
	return r;
}
