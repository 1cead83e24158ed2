#ifndef BLAMBDA_AWS_EVENTS_H
#define BLAMBDA_AWS_EVENTS_H

#include "aws/aws.h"
#include "core/strlist.h"

/*
 * EventBridge (JSON 1.1) on the default event bus: the schedule rules that
 * call a function, and their targets; an event put on a bus (an
 * asynchronous invocation's record). Knows the API, never prints. Calls
 * return as aws_call() does: 0, 1 (AWS's error in *err), -1.
 */

struct events_rule {
	char *name, *arn, *expression, *state, *description; /* state: ENABLED or DISABLED */
	struct kvlist tags;                                   /* filled by events_rule_tags */
};
struct events_rules {
	struct events_rule *items;
	size_t nr;
};
void events_rules_release(struct events_rules *l);

/* ListRules with NamePrefix, every page (100 pages at most), appended to out. */
int events_list_rules(struct aws *a, const char *region, const char *prefix, struct events_rules *out,
		      struct error *err);
/* ListTagsForResource of a rule into r->tags. */
int events_rule_tags(struct aws *a, const char *region, struct events_rule *r, struct error *err);
/* PutRule: a schedule rule made or changed (tags only go with a rule being made); its ARN into *arn (caller frees). */
int events_put_rule(struct aws *a, const char *region, const char *name, const char *expression, int enabled,
		    const char *description, const struct kvlist *tags, char **arn, struct error *err);
/* DeleteRule (one that is gone is no error). */
int events_delete_rule(struct aws *a, const char *region, const char *name, struct error *err);

struct events_target {
	char *id, *arn, *input; /* input: the JSON sent, or NULL */
};
struct events_targets {
	struct events_target *items;
	size_t nr;
};
void events_targets_release(struct events_targets *l);
/* ListTargetsByRule, every page. */
int events_list_targets(struct aws *a, const char *region, const char *rule, struct events_targets *out,
			struct error *err);
/* PutTargets with one target; a failed entry is 1 with its code. */
int events_put_target(struct aws *a, const char *region, const char *rule, const char *id, const char *arn,
		      const char *input, struct error *err);
/* RemoveTargets of one target id (one that is gone is no error). */
int events_remove_target(struct aws *a, const char *region, const char *rule, const char *id, struct error *err);

/* One event for PutEvents. */
struct events_entry {
	const char *bus;         /* the bus's name or ARN */
	const char *source, *detail_type;
	const char *detail;      /* JSON */
	struct strlist resources; /* ARNs */
};
/* PutEvents of one entry; its event id into *id (caller frees). A refused entry is 1 with its code. */
int events_put_event(struct aws *a, const char *region, const struct events_entry *e, char **id, struct error *err);

#endif
