#include "aws/logs.h"

#include <stdlib.h>
#include <string.h>

#include "aws/protocol.h"
#include "core/xalloc.h"

#define MAX_PAGES 1000 /* 10 000 events a page at most: ten million events */

void logs_events_release(struct logs_events *e)
{
	for (size_t i = 0; i < e->nr; i++) {
		free(e->items[i].stream);
		free(e->items[i].message);
		free(e->items[i].id);
	}
	free(e->items);
	memset(e, 0, sizeof(*e));
}

static int by_time(const void *a, const void *b)
{
	const struct logs_event *x = a, *y = b;

	if (x->timestamp != y->timestamp)
		return x->timestamp < y->timestamp ? -1 : 1;
	return strcmp(x->id ? x->id : "", y->id ? y->id : "");
}

void logs_events_sort(struct logs_events *e)
{
	if (e->nr > 1)
		qsort(e->items, e->nr, sizeof(*e->items), by_time);
}

void logs_cursor_advance(struct logs_cursor *c, struct logs_events *ev)
{
	struct strlist now_seen = STRLIST_INIT;
	long long latest = c->start_ms;
	size_t kept = 0;

	logs_events_sort(ev);
	for (size_t i = 0; i < ev->nr; i++) {
		struct logs_event e = ev->items[i];
		/* before the cursor: given already (a server that ignores startTime, an event that came late) */
		int given = e.timestamp < c->start_ms || (e.timestamp == c->start_ms && strlist_has(&c->seen, e.id));

		if (e.timestamp > latest) {
			latest = e.timestamp;
			strlist_clear(&now_seen);
		}
		if (e.timestamp == latest)
			strlist_add(&now_seen, e.id);
		if (given) {
			free(e.stream);
			free(e.message);
			free(e.id);
		} else {
			ev->items[kept++] = e;
		}
	}
	ev->nr = kept;
	/* a look from start_ms gives every event of start_ms again: now_seen holds all of the newest one's */
	if (now_seen.nr) {
		strlist_clear(&c->seen);
		c->seen = now_seen;
		c->start_ms = latest;
	}
}

void logs_cursor_release(struct logs_cursor *c)
{
	strlist_clear(&c->seen);
}

static char *string_of(const cJSON *o, const char *key)
{
	const char *v = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, key));

	return xstrdup_or_null(v);
}

int logs_filter_events(struct aws *a, const char *region, const char *group, long long start_ms,
		       struct logs_events *out, struct error *err)
{
	char *token = NULL;
	int r = 0;

	for (int page = 0; page < MAX_PAGES; page++) {
		cJSON *body = cJSON_CreateObject(), *answer = NULL, *item;
		const cJSON *events, *next;

		cJSON_AddStringToObject(body, "logGroupName", group);
		if (start_ms > 0)
			cJSON_AddNumberToObject(body, "startTime", (double)start_ms);
		if (token)
			cJSON_AddStringToObject(body, "nextToken", token);
		r = aws_json_target_call(a, "logs", region, "Logs_20140328.FilterLogEvents", body, &answer, err);
		cJSON_Delete(body);
		free(token);
		token = NULL;
		if (r) {
			cJSON_Delete(answer);
			break;
		}
		events = cJSON_GetObjectItemCaseSensitive(answer, "events");
		if (!cJSON_IsArray(events))
			events = NULL;
		cJSON_ArrayForEach(item, events) {
			const cJSON *ts = cJSON_GetObjectItemCaseSensitive(item, "timestamp");
			struct logs_event *e;

			/* an event without a time it could have (after 2000, before 2300) or a message is not one */
			if (!cJSON_IsNumber(ts) || ts->valuedouble < 946684800000.0 || ts->valuedouble > 10413792000000.0 ||
			    !cJSON_IsString(cJSON_GetObjectItemCaseSensitive(item, "message")))
				continue;
			XGROW(out->items, out->alloc, out->nr + 1);
			e = &out->items[out->nr++];
			e->timestamp = (long long)ts->valuedouble;
			e->stream = string_of(item, "logStreamName");
			e->message = string_of(item, "message");
			e->id = string_of(item, "eventId");
			/* no id: one made of what it is, so that it is still printed once */
			if (!e->id)
				e->id = buf_fmt("%lld %s %s", e->timestamp, e->stream ? e->stream : "", e->message);
		}
		next = cJSON_GetObjectItemCaseSensitive(answer, "nextToken");
		if (cJSON_IsString(next) && *next->valuestring)
			token = xstrdup(next->valuestring);
		cJSON_Delete(answer);
		if (!token)
			break;
		if (page + 1 >= MAX_PAGES) {
			aws_error_set(err, "MalformedAnswer", "CloudWatch Logs' pages of '%s' do not end (%d read)", group,
				      MAX_PAGES);
			r = 1;
			break;
		}
	}
	free(token);
	/* a service that answers the same page twice must not print it twice */
	if (!r && out->nr > 1) {
		size_t kept = 1;

		logs_events_sort(out);
		for (size_t i = 1; i < out->nr; i++) {
			if (out->items[i].timestamp == out->items[kept - 1].timestamp &&
			    !strcmp(out->items[i].id, out->items[kept - 1].id)) {
				free(out->items[i].stream);
				free(out->items[i].message);
				free(out->items[i].id);
				continue;
			}
			out->items[kept++] = out->items[i];
		}
		out->nr = kept;
	}
	return r;
}

/* ---- log groups ---- */

static int group_call(struct aws *a, const char *region, const char *op, cJSON *body, cJSON **answer,
		      struct error *err)
{
	struct buf target = BUF_INIT;
	int r;

	buf_addf(&target, "Logs_20140328.%s", op);
	r = aws_json_target_call(a, "logs", region, target.ptr, body, answer, err);
	buf_release(&target);
	cJSON_Delete(body);
	return r;
}

int logs_describe_group(struct aws *a, const char *region, const char *group, struct logs_group *out, int *exists,
			struct error *err)
{
	cJSON *body = cJSON_CreateObject(), *answer = NULL, *g, *tag;
	int r;

	memset(out, 0, sizeof(*out));
	*exists = 0;
	cJSON_AddStringToObject(body, "logGroupNamePrefix", group);
	r = group_call(a, region, "DescribeLogGroups", body, &answer, err);
	cJSON_ArrayForEach(g, cJSON_GetObjectItemCaseSensitive(r ? NULL : answer, "logGroups")) {
		const cJSON *days = cJSON_GetObjectItemCaseSensitive(g, "retentionInDays");

		if (!cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(g, "logGroupName")) ||
		    strcmp(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(g, "logGroupName")), group))
			continue;
		*exists = 1;
		out->retention = cJSON_IsNumber(days) && days->valuedouble > 0 && days->valuedouble < 1e6 ?
					 (long)days->valuedouble : 0;
	}
	cJSON_Delete(answer);
	if (r || !*exists)
		return r;
	body = cJSON_CreateObject();
	answer = NULL;
	cJSON_AddStringToObject(body, "logGroupName", group);
	r = group_call(a, region, "ListTagsLogGroup", body, &answer, err);
	cJSON_ArrayForEach(tag, cJSON_GetObjectItemCaseSensitive(r ? NULL : answer, "tags"))
		if (cJSON_IsString(tag))
			kvlist_add(&out->tags, tag->string, tag->valuestring);
	cJSON_Delete(answer);
	return r;
}

void logs_group_release(struct logs_group *g)
{
	kvlist_clear(&g->tags);
	memset(g, 0, sizeof(*g));
}

int logs_create_group(struct aws *a, const char *region, const char *group, const struct kvlist *tags,
		      struct error *err)
{
	cJSON *body = cJSON_CreateObject(), *answer = NULL, *t = cJSON_AddObjectToObject(body, "tags");
	int r;

	cJSON_AddStringToObject(body, "logGroupName", group);
	for (size_t i = 0; tags && i < tags->nr; i++)
		cJSON_AddStringToObject(t, tags->items[i].key, tags->items[i].value);
	r = group_call(a, region, "CreateLogGroup", body, &answer, err);
	cJSON_Delete(answer);
	return r;
}

int logs_set_retention(struct aws *a, const char *region, const char *group, long days, struct error *err)
{
	cJSON *body = cJSON_CreateObject(), *answer = NULL;
	int r;

	cJSON_AddStringToObject(body, "logGroupName", group);
	if (days > 0)
		cJSON_AddNumberToObject(body, "retentionInDays", (double)days);
	r = group_call(a, region, days > 0 ? "PutRetentionPolicy" : "DeleteRetentionPolicy", body, &answer, err);
	cJSON_Delete(answer);
	return r;
}

int logs_delete_group(struct aws *a, const char *region, const char *group, struct error *err)
{
	cJSON *body = cJSON_CreateObject(), *answer = NULL;
	int r;

	cJSON_AddStringToObject(body, "logGroupName", group);
	r = group_call(a, region, "DeleteLogGroup", body, &answer, err);
	if (r == 1 && error_is(err, "ResourceNotFoundException")) {
		error_release(err);
		r = 0;
	}
	cJSON_Delete(answer);
	return r;
}
