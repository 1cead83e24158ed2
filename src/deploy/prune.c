/*
 * blambda prune: the plan (each function's published versions and, with
 * --layers, blambda's layer versions, each to go or to stay and why; reads
 * only), then its deletions. The decisions are release.c's pure functions.
 */
#include <stdlib.h>
#include <string.h>

#include "core/xalloc.h"
#include "deploy/deploy.h"
#include "deploy/prune.h"

static struct prune_target *add_target(struct prune_plan *p, const char *name, int layer)
{
	struct prune_target *t;

	XGROW(p->items, p->alloc, p->nr + 1);
	t = &p->items[p->nr++];
	memset(t, 0, sizeof(*t));
	t->name = xstrdup(name);
	t->layer = layer;
	return t;
}

void prune_plan_release(struct prune_plan *p)
{
	for (size_t i = 0; i < p->nr; i++) {
		free(p->items[i].name);
		prune_list_release(&p->items[i].list);
	}
	free(p->items);
	strlist_clear(&p->reasons);
}

size_t prune_deletions(const struct prune_plan *p)
{
	size_t n = 0;

	for (size_t i = 0; i < p->nr; i++)
		for (size_t k = 0; k < p->items[i].list.nr; k++)
			n += !p->items[i].list.items[k].reason;
	return n;
}

/* Each function's versions, then (--layers) each of blambda's layers' versions: read only */
int prune_plan_make(struct aws *a, const struct config *cfg, const struct config *fns, size_t n, long keep, int layers,
		struct prune_plan *p, struct error *err)
{
	const char *names[2] = { config_str(cfg, CFG_LAYERS_RUNTIME), config_str(cfg, CFG_LAYERS_DEPS) };
	struct strlist in_use = STRLIST_INIT;
	int r = 0;

	for (size_t i = 0; !r && i < n; i++) {
		const char *name = config_str(&fns[i], CFG_FUNCTION_NAME);
		struct lambda_versions v = { 0 };
		struct lambda_aliases al = { 0 };

		if ((r = deploy_check_ours(a, NULL, name, err))) {
			error_prefix(err, "cannot prune function '%s'", name);
			break;
		}
		r = lambda_list_versions(a, NULL, name, &v, err) || lambda_aliases(a, NULL, name, &al, err);
		if (r)
			error_prefix(err, "cannot read the versions of function '%s'", name);
		else
			release_prune_versions(&v, &al, keep, &add_target(p, name, 0)->list);
		lambda_versions_release(&v);
		lambda_aliases_release(&al);
	}
	if (!r && layers && (r = lambda_layers_in_use(a, NULL, &in_use, err)))
		error_prefix(err, "cannot list the layers the functions use");
	for (size_t i = 0; !r && layers && i < 2; i++) {
		struct lambda_layer_versions lv = { 0 };

		if (!names[i])
			continue;
		if ((r = lambda_layer_versions(a, NULL, names[i], &lv, err)))
			error_prefix(err, "cannot list the versions of layer '%s'", names[i]);
		else
			release_prune_layer(&lv, &in_use, keep, &add_target(p, names[i], 1)->list, &p->reasons);
		lambda_layer_versions_release(&lv);
	}
	strlist_clear(&in_use);
	return r ? -1 : 0;
}

/* Delete what the plan says, in order; stops at the first failure */
int prune_plan_execute(struct aws *a, struct prune_plan *p, struct error *err)
{
	for (size_t i = 0; i < p->nr; i++) {
		struct prune_target *t = &p->items[i];

		for (size_t k = 0; k < t->list.nr; k++, t->done = k) {
			long v = t->list.items[k].version;

			if (t->list.items[k].reason)
				continue;
			if (t->layer ? lambda_delete_layer_version(a, NULL, t->name, v, err)
				     : lambda_delete_version(a, NULL, t->name, v, err)) {
				error_prefix(err, "cannot delete version %ld of %s '%s'", v, t->layer ? "layer" : "function",
					     t->name);
				return error_hint(err, "what was deleted is gone; run the same 'blambda prune' again to finish");
			}
		}
	}
	return 0;
}
