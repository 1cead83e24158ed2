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

/* One function's versions or one layer's, and what becomes of each */
struct prune_target {
	char *name;
	int layer;
	struct prune_list list;
	size_t done;            /* how many of its entries were gone through (deleted, or kept) */
};
struct prune_plan {
	struct prune_target *items;
	size_t nr, alloc;
	struct strlist reasons; /* reasons made for this run ("function 'x' uses it") */
};
/*
 * The plan of a prune in the client's region: each of the n functions'
 * published versions, then (layers) each version of blambda's runtime and
 * deps layers, to delete or keep (the newest `keep`, and what release.c's
 * rules keep). Reads only. -1 with err.
 */
int prune_plan_make(struct aws *a, const struct config *cfg, const struct config *fns, size_t n, long keep,
		    int layers, struct prune_plan *p, struct error *err);
/* How many versions the plan deletes */
size_t prune_deletions(const struct prune_plan *p);
/* Delete what the plan says, in order, each target's `done` counting; stops at the first failure (-1 with err). */
int prune_plan_execute(struct aws *a, struct prune_plan *p, struct error *err);
void prune_plan_release(struct prune_plan *p);

#endif
