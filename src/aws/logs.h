#ifndef BLAMBDA_AWS_LOGS_H
#define BLAMBDA_AWS_LOGS_H

#include "aws/aws.h"
#include "core/strlist.h"

/*
 * CloudWatch Logs (JSON 1.1): the events of a log group. Reports nothing
 * itself; returns as aws_call() does: 0, 1 (AWS's error in *err; a group
 * that does not exist is "ResourceNotFoundException"), -1.
 */

struct logs_event {
	long long timestamp; /* ms since the epoch */
	char *stream, *message, *id; /* id never NULL */
};

struct logs_events {
	struct logs_event *items;
	size_t nr, alloc;
};
void logs_events_release(struct logs_events *e);
/* Oldest first; events of the same millisecond by id (the order CloudWatch gives them ids in). */
void logs_events_sort(struct logs_events *e);

/*
 * FilterLogEvents of group from start_ms (inclusive; 0: the beginning),
 * every page, appended to *out sorted and without the same event twice
 * (an event without an id gets one made of its time, stream and message;
 * one without a plausible time or a message is left out). More than 1000
 * pages is 1 with "MalformedAnswer" (a next token that never ends).
 */
int logs_filter_events(struct aws *a, const char *region, const char *group, long long start_ms,
		       struct logs_events *out, struct error *err);

/*
 * Where a reader of a log group is: the next look starts at the newest
 * millisecond seen (inclusive: more may come for it), and the ids seen in
 * that millisecond keep an event from being given twice.
 */
struct logs_cursor {
	long long start_ms;   /* where the next look starts */
	struct strlist seen;  /* the ids of the events of start_ms given already */
};
#define LOGS_CURSOR_INIT(start) { (start), STRLIST_INIT }

/* Sort ev and drop from it the events given already; the cursor moves past the rest. */
void logs_cursor_advance(struct logs_cursor *c, struct logs_events *ev);
void logs_cursor_release(struct logs_cursor *c);

/* A log group as blambda looks at it: its retention (0: forever) and its tags */
struct logs_group {
	long retention;
	struct kvlist tags;
};
void logs_group_release(struct logs_group *g);
/* DescribeLogGroups (and ListTagsLogGroup) of the group named exactly group; *exists 0 when there is none. */
int logs_describe_group(struct aws *a, const char *region, const char *group, struct logs_group *out, int *exists,
			struct error *err);
/* CreateLogGroup with tags. */
int logs_create_group(struct aws *a, const char *region, const char *group, const struct kvlist *tags,
		      struct error *err);
/* PutRetentionPolicy of days; with days 0, DeleteRetentionPolicy (keep forever). */
int logs_set_retention(struct aws *a, const char *region, const char *group, long days, struct error *err);
/* DeleteLogGroup (one that is gone is no error). */
int logs_delete_group(struct aws *a, const char *region, const char *group, struct error *err);

#endif
