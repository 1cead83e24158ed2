#include "deploy/release.h"

#include <stdlib.h>
#include <string.h>

#include "core/xalloc.h"
#include "deploy/deploy.h"

void release_aliases_of(const struct lambda_aliases *aliases, long v, struct strlist *out)
{
	for (size_t i = 0; i < aliases->nr; i++)
		if (aliases->items[i].version == v || aliases->items[i].extra_version == v)
			strlist_add(out, aliases->items[i].name);
}

static const struct lambda_alias *find_alias(const struct lambda_aliases *aliases, const char *name)
{
	for (size_t i = 0; i < aliases->nr; i++)
		if (!strcmp(aliases->items[i].name, name))
			return &aliases->items[i];
	return NULL;
}

static int has_version(const struct lambda_versions *versions, long v)
{
	for (size_t i = 0; i < versions->nr; i++)
		if (versions->items[i].version == v)
			return 1;
	return 0;
}

int release_rollback_target(const struct lambda_versions *versions, const struct lambda_aliases *aliases,
			    const char *function, const char *alias, long to, long *from, long *target,
			    struct error *err)
{
	const struct lambda_alias *al = find_alias(aliases, alias);

	*from = *target = 0;
	if (!al) {
		error_set(err, EXIT_USAGE, "function '%s' has no alias '%s' in Lambda: there is nothing to roll back",
			  function, alias);
		return error_hint(err, "'blambda deploy' publishes a version and makes the alias");
	}
	if (al->version == LAMBDA_VERSION_LATEST)
		return error_set(err, EXIT_USAGE, "alias '%s' of function '%s' points at $LATEST, not at a version: "
				 "there is no version to go back from", alias, function);
	if (al->extra_version)
		return error_set(err, EXIT_USAGE, "alias '%s' of function '%s' sends part of its calls to version %ld "
				 "(weighted routing): rollback moves a plain alias; remove the routing first", alias,
				 function, al->extra_version);
	*from = al->version;
	if (to) {
		if (!has_version(versions, to))
			return error_set(err, EXIT_USAGE, "function '%s' has no version %ld", function, to);
		if (to == al->version)
			return error_set(err, EXIT_USAGE, "alias '%s' of function '%s' points at version %ld already",
					 alias, function, to);
		*target = to;
		return 0;
	}
	for (size_t i = versions->nr; i-- > 0;)
		if (versions->items[i].version < al->version) {
			*target = versions->items[i].version;
			return 0;
		}
	error_set(err, EXIT_USAGE, "alias '%s' of function '%s' points at version %ld, and there is no earlier "
		  "version to roll back to", alias, function, al->version);
	return error_hint(err, "'blambda versions %s' lists them", function);
}

void prune_list_release(struct prune_list *l)
{
	free(l->items);
	memset(l, 0, sizeof(*l));
}

static void add_entry(struct prune_list *l, long version, const char *reason)
{
	XGROW(l->items, l->alloc, l->nr + 1);
	l->items[l->nr].version = version;
	l->items[l->nr++].reason = reason;
}

void release_prune_versions(const struct lambda_versions *versions, const struct lambda_aliases *aliases, long keep,
			    struct prune_list *out)
{
	for (size_t i = 0; i < versions->nr; i++) {
		long v = versions->items[i].version;
		struct strlist names = STRLIST_INIT;

		release_aliases_of(aliases, v, &names);
		if (versions->nr - i <= (size_t)keep)
			add_entry(out, v, "one of the newest");
		else if (names.nr)
			add_entry(out, v, "an alias points at it");
		else
			add_entry(out, v, NULL);
		strlist_clear(&names);
	}
}

/* The function that uses layer version arn, from "ARN FUNCTION" lines; NULL when none */
static const char *layer_user(const struct strlist *in_use, const char *arn)
{
	size_t n = arn ? strlen(arn) : 0;

	for (size_t i = 0; n && i < in_use->nr; i++)
		if (!strncmp(in_use->items[i], arn, n) && in_use->items[i][n] == ' ')
			return in_use->items[i] + n + 1;
	return NULL;
}

void release_prune_layer(const struct lambda_layer_versions *versions, const struct strlist *in_use, long keep,
			 struct prune_list *out, struct strlist *reasons)
{
	for (size_t i = 0; i < versions->nr; i++) {
		const struct lambda_layer_entry *e = &versions->items[i];
		const char *user = layer_user(in_use, e->version_arn);
		size_t newer = 0;

		for (size_t k = 0; k < versions->nr; k++)
			newer += versions->items[k].version > e->version;
		if (newer < (size_t)keep) {
			add_entry(out, e->version, "one of the newest");
		} else if (!deploy_layer_is_blambdas(e->description)) {
			add_entry(out, e->version, "not published by blambda (its description is not blambda's)");
		} else if (user) {
			strlist_add_owned(reasons, buf_fmt("function '%s' uses it", user));
			add_entry(out, e->version, reasons->items[reasons->nr - 1]);
		} else {
			add_entry(out, e->version, NULL);
		}
	}
}
