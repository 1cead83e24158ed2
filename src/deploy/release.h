#ifndef BLAMBDA_DEPLOY_RELEASE_H
#define BLAMBDA_DEPLOY_RELEASE_H

#include "aws/lambda.h"
#include "config/config.h"
#include "core/error.h"
#include "core/strlist.h"

/*
 * Life after the first deploy: the published versions of a function, an
 * alias moved back (rollback), and versions deleted beyond the newest few
 * (prune). The decisions are pure functions of what Lambda listed, so that
 * they are tested without AWS; nothing here prints.
 */

/* The aliases that send calls to version v (its main version or its weighted second one), names appended to out */
void release_aliases_of(const struct lambda_aliases *aliases, long v, struct strlist *out);

/*
 * Where rollback moves alias `alias`: from the version it points at to `to`
 * (0: the newest published version before it). 0 with *from and *target,
 * or -1 with err saying why not (no such alias in Lambda, it points at
 * $LATEST or splits calls between two versions, no earlier version, no
 * such version, already there).
 */
int release_rollback_target(const struct lambda_versions *versions, const struct lambda_aliases *aliases,
			    const char *function, const char *alias, long to, long *from, long *target,
			    struct error *err);

/* A published version prune looks at: deleted, or kept and why */
struct prune_entry {
	long version;
	const char *reason; /* NULL: delete it */
};
struct prune_list {
	struct prune_entry *items;
	size_t nr, alloc;
};
void prune_list_release(struct prune_list *l);
/*
 * The function versions beyond the newest `keep` go, but none an alias
 * sends calls to (oldest first).
 */
void release_prune_versions(const struct lambda_versions *versions, const struct lambda_aliases *aliases, long keep,
			    struct prune_list *out);
/*
 * The layer versions beyond the newest `keep` go, but only those blambda
 * published (their description) and none a function uses: in_use holds
 * "LAYER-VERSION-ARN FUNCTION" lines (lambda_layers_in_use), users get the
 * function's name in the reason.
 */
void release_prune_layer(const struct lambda_layer_versions *versions, const struct strlist *in_use, long keep,
			 struct prune_list *out, struct strlist *reasons);

#endif
