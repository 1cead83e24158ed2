#include "aws/events.h"

#include <stdlib.h>
#include <string.h>

#include "aws/protocol.h"
#include "core/xalloc.h"

#define EVENTS_MAX_PAGES 100

static int call(struct aws *a, const char *region, const char *op, cJSON *body, cJSON **answer, struct error *err)
{
	struct buf target = BUF_INIT;
	int r;

	buf_addf(&target, "AWSEvents.%s", op);
	r = aws_json_target_call(a, "events", region, target.ptr, body, answer, err);
	buf_release(&target);
	cJSON_Delete(body);
	return r;
}

static char *dup_str(const cJSON *o, const char *key)
{
	return xstrdup_or_null(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, key)));
}

void events_rules_release(struct events_rules *l)
{
	for (size_t i = 0; i < l->nr; i++) {
		struct events_rule *r = &l->items[i];

		free(r->name);
		free(r->arn);
		free(r->expression);
		free(r->state);
		free(r->description);
		kvlist_clear(&r->tags);
	}
	free(l->items);
	memset(l, 0, sizeof(*l));
}

int events_list_rules(struct aws *a, const char *region, const char *prefix, struct events_rules *out,
		      struct error *err)
{
	char *token = NULL;
	int r = 0;

	for (int page = 0;; page++) {
		cJSON *body = cJSON_CreateObject(), *answer = NULL, *rule;

		if (page == EVENTS_MAX_PAGES) {
			cJSON_Delete(body);
			aws_error_set(err, "MalformedAnswer", "EventBridge's answer to ListRules has no end");
			r = 1;
			break;
		}
		cJSON_AddStringToObject(body, "NamePrefix", prefix);
		if (token)
			cJSON_AddStringToObject(body, "NextToken", token);
		if ((r = call(a, region, "ListRules", body, &answer, err)))
			break;
		cJSON_ArrayForEach(rule, cJSON_GetObjectItemCaseSensitive(answer, "Rules")) {
			struct events_rule *e;

			if (!cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(rule, "Name")))
				continue;
			out->items = xrealloc(out->items, (out->nr + 1) * sizeof(*out->items));
			e = &out->items[out->nr++];
			memset(e, 0, sizeof(*e));
			e->name = dup_str(rule, "Name");
			e->arn = dup_str(rule, "Arn");
			e->expression = dup_str(rule, "ScheduleExpression");
			e->state = dup_str(rule, "State");
			e->description = dup_str(rule, "Description");
		}
		free(token);
		token = dup_str(answer, "NextToken");
		cJSON_Delete(answer);
		if (!token || !*token)
			break;
	}
	free(token);
	return r;
}

int events_rule_tags(struct aws *a, const char *region, struct events_rule *rule, struct error *err)
{
	cJSON *body = cJSON_CreateObject(), *answer = NULL, *tag;
	int r;

	cJSON_AddStringToObject(body, "ResourceARN", rule->arn ? rule->arn : "");
	r = call(a, region, "ListTagsForResource", body, &answer, err);
	cJSON_ArrayForEach(tag, cJSON_GetObjectItemCaseSensitive(r ? NULL : answer, "Tags")) {
		const char *k = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(tag, "Key"));
		const char *v = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(tag, "Value"));

		if (k)
			kvlist_add(&rule->tags, k, v ? v : "");
	}
	cJSON_Delete(answer);
	return r;
}

int events_put_rule(struct aws *a, const char *region, const char *name, const char *expression, int enabled,
		    const char *description, const struct kvlist *tags, char **arn, struct error *err)
{
	cJSON *body = cJSON_CreateObject(), *answer = NULL;
	int r;

	*arn = NULL;
	cJSON_AddStringToObject(body, "Name", name);
	cJSON_AddStringToObject(body, "ScheduleExpression", expression);
	cJSON_AddStringToObject(body, "State", enabled ? "ENABLED" : "DISABLED");
	if (description)
		cJSON_AddStringToObject(body, "Description", description);
	if (tags && tags->nr) {
		cJSON *list = cJSON_AddArrayToObject(body, "Tags");

		for (size_t i = 0; i < tags->nr; i++) {
			cJSON *t = cJSON_CreateObject();

			cJSON_AddStringToObject(t, "Key", tags->items[i].key);
			cJSON_AddStringToObject(t, "Value", tags->items[i].value);
			cJSON_AddItemToArray(list, t);
		}
	}
	r = call(a, region, "PutRule", body, &answer, err);
	if (!r && !(*arn = dup_str(answer, "RuleArn"))) {
		aws_error_set(err, "MalformedAnswer", "EventBridge's answer to PutRule has no RuleArn");
		r = 1;
	}
	cJSON_Delete(answer);
	return r;
}

static int gone_ok(int r, struct error *err)
{
	if (r == 1 && error_is(err, "ResourceNotFoundException")) {
		error_release(err);
		return 0;
	}
	return r;
}

int events_delete_rule(struct aws *a, const char *region, const char *name, struct error *err)
{
	cJSON *body = cJSON_CreateObject(), *answer = NULL;
	int r;

	cJSON_AddStringToObject(body, "Name", name);
	r = gone_ok(call(a, region, "DeleteRule", body, &answer, err), err);
	cJSON_Delete(answer);
	return r;
}

void events_targets_release(struct events_targets *l)
{
	for (size_t i = 0; i < l->nr; i++) {
		free(l->items[i].id);
		free(l->items[i].arn);
		free(l->items[i].input);
	}
	free(l->items);
	memset(l, 0, sizeof(*l));
}

int events_list_targets(struct aws *a, const char *region, const char *rule, struct events_targets *out,
			struct error *err)
{
	char *token = NULL;
	int r = 0;

	for (int page = 0;; page++) {
		cJSON *body = cJSON_CreateObject(), *answer = NULL, *t;

		if (page == EVENTS_MAX_PAGES) {
			cJSON_Delete(body);
			aws_error_set(err, "MalformedAnswer", "EventBridge's answer to ListTargetsByRule has no end");
			r = 1;
			break;
		}
		cJSON_AddStringToObject(body, "Rule", rule);
		if (token)
			cJSON_AddStringToObject(body, "NextToken", token);
		if ((r = gone_ok(call(a, region, "ListTargetsByRule", body, &answer, err), err)))
			break;
		cJSON_ArrayForEach(t, cJSON_GetObjectItemCaseSensitive(answer, "Targets")) {
			struct events_target *e;

			if (!cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(t, "Id")))
				continue;
			out->items = xrealloc(out->items, (out->nr + 1) * sizeof(*out->items));
			e = &out->items[out->nr++];
			e->id = dup_str(t, "Id");
			e->arn = dup_str(t, "Arn");
			e->input = dup_str(t, "Input");
		}
		free(token);
		token = dup_str(answer, "NextToken");
		cJSON_Delete(answer);
		if (!token || !*token)
			break;
	}
	free(token);
	return r;
}

/* PutTargets and RemoveTargets answer 200 with the entries that failed */
static int failed_entries(const cJSON *answer, const char *op, struct error *err)
{
	const cJSON *e = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(answer, "FailedEntries"), 0);

	if (!e)
		return 0;
	aws_error_set(err, cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(e, "ErrorCode")) ?
				   cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(e, "ErrorCode")) : "FailedEntry",
		      "%s: %s", op,
		      cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(e, "ErrorMessage")) ?
			      cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(e, "ErrorMessage")) : "failed");
	return 1;
}

int events_put_target(struct aws *a, const char *region, const char *rule, const char *id, const char *arn,
		      const char *input, struct error *err)
{
	cJSON *body = cJSON_CreateObject(), *answer = NULL, *t = cJSON_CreateObject();
	int r;

	cJSON_AddStringToObject(body, "Rule", rule);
	cJSON_AddStringToObject(t, "Id", id);
	cJSON_AddStringToObject(t, "Arn", arn);
	if (input)
		cJSON_AddStringToObject(t, "Input", input);
	cJSON_AddItemToArray(cJSON_AddArrayToObject(body, "Targets"), t);
	r = call(a, region, "PutTargets", body, &answer, err);
	if (!r)
		r = failed_entries(answer, "PutTargets", err);
	cJSON_Delete(answer);
	return r;
}

int events_remove_target(struct aws *a, const char *region, const char *rule, const char *id, struct error *err)
{
	cJSON *body = cJSON_CreateObject(), *answer = NULL;
	int r;

	cJSON_AddStringToObject(body, "Rule", rule);
	cJSON_AddItemToArray(cJSON_AddArrayToObject(body, "Ids"), cJSON_CreateString(id));
	r = gone_ok(call(a, region, "RemoveTargets", body, &answer, err), err);
	if (!r)
		r = failed_entries(answer, "RemoveTargets", err);
	cJSON_Delete(answer);
	return r;
}

int events_put_event(struct aws *a, const char *region, const struct events_entry *e, char **id, struct error *err)
{
	cJSON *body = cJSON_CreateObject(), *answer = NULL, *entry = cJSON_CreateObject(), *res;
	const cJSON *got;
	int r;

	*id = NULL;
	cJSON_AddStringToObject(entry, "Source", e->source);
	cJSON_AddStringToObject(entry, "DetailType", e->detail_type);
	cJSON_AddStringToObject(entry, "Detail", e->detail);
	cJSON_AddStringToObject(entry, "EventBusName", e->bus);
	res = cJSON_AddArrayToObject(entry, "Resources");
	for (size_t i = 0; i < e->resources.nr; i++)
		cJSON_AddItemToArray(res, cJSON_CreateString(e->resources.items[i]));
	cJSON_AddItemToArray(cJSON_AddArrayToObject(body, "Entries"), entry);
	r = call(a, region, "PutEvents", body, &answer, err);
	got = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(answer, "Entries"), 0);
	if (!r && cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(got, "EventId"))) {
		*id = dup_str(got, "EventId");
	} else if (!r) {
		const char *code = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(got, "ErrorCode"));
		const char *msg = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(got, "ErrorMessage"));

		aws_error_set(err, code ? code : "MalformedAnswer", "PutEvents: %s",
			      msg ? msg : code ? "failed" : "EventBridge's answer has no EventId");
		r = 1;
	}
	cJSON_Delete(answer);
	return r;
}
