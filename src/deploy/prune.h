#ifndef BLAMBDA_DEPLOY_PRUNE_H
#define BLAMBDA_DEPLOY_PRUNE_H

#include "deploy/release.h"

/*
 * Pruning in one region: which published versions of the functions (and,
 * asked, of blambda's layers) go and which stay, by release.h's rules, then
 * their deletion. cmd/prune.c asks and renders.
 */

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
#define PRUNE_PLAN_INIT { NULL, 0, 0, STRLIST_INIT }
/*
 * The plan of a prune in the client's region: each of the n functions'
 * published versions, then (layers) each version of blambda's runtime and
 * deps layers, to delete or keep (the newest `keep`, and what release.c's
 * rules keep). Reads only. -1 with err (what was read is in p).
 */
int prune_plan_make(struct aws *a, const struct config *cfg, const struct config *fns, size_t n, long keep,
		    int layers, struct prune_plan *p, struct error *err);
/* How many versions the plan deletes */
size_t prune_deletions(const struct prune_plan *p);
/* Delete what the plan says, in order, each target's `done` counting; stops at the first failure (-1 with err). */
int prune_plan_execute(struct aws *a, struct prune_plan *p, struct error *err);
void prune_plan_release(struct prune_plan *p);

#endif
