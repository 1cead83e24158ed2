#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws/lambda.h"
#include "cli/msg.h"
#include "cli/term.h"
#include "cmd/cmd.h"
#include "cmd/setup.h"
#include "core/xalloc.h"
#include "deploy/release.h"

/* the options, in the order of the table at the end */
enum { PRUNE_OPT_KEEP, PRUNE_OPT_LAYERS, PRUNE_OPT_DRY_RUN, PRUNE_OPT_YES, OPTS__N };

#define PRUNE_KEEP 3

/* One function's versions or one layer's, and what becomes of each */
struct target {
	char *name;
	int layer;
	struct prune_list list;
	size_t done;            /* how many of its deletions went through */
};

struct prune {
	struct target *items;
	size_t nr, alloc;
	struct strlist reasons; /* reasons made for this run ("function 'x' uses it") */
};

static struct target *add_target(struct prune *p, const char *name, int layer)
{
	struct target *t;

	XGROW(p->items, p->alloc, p->nr + 1);
	t = &p->items[p->nr++];
	memset(t, 0, sizeof(*t));
	t->name = xstrdup(name);
	t->layer = layer;
	return t;
}

static void prune_release(struct prune *p)
{
	for (size_t i = 0; i < p->nr; i++) {
		free(p->items[i].name);
		prune_list_release(&p->items[i].list);
	}
	free(p->items);
	strlist_clear(&p->reasons);
}

static size_t deletions(const struct prune *p)
{
	size_t n = 0;

	for (size_t i = 0; i < p->nr; i++)
		for (size_t k = 0; k < p->items[i].list.nr; k++)
			n += !p->items[i].list.items[k].reason;
	return n;
}

/* Each function's versions, then (--layers) each of blambda's layers' versions: read only */
static int plan(struct aws *a, const struct config *cfg, const struct config *fns, size_t n, long keep, int layers,
		struct prune *p, struct error *err)
{
	const char *names[2] = { config_str(cfg, CFG_LAYERS_RUNTIME), config_str(cfg, CFG_LAYERS_DEPS) };
	struct strlist in_use = STRLIST_INIT;
	int r = 0;

	for (size_t i = 0; !r && i < n; i++) {
		const char *name = config_str(&fns[i], CFG_FUNCTION_NAME);
		struct lambda_versions v = { 0 };
		struct lambda_aliases al = { 0 };

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
	return r;
}

static void print_text(FILE *to, const struct prune *p, int dry_run)
{
	for (size_t i = 0; i < p->nr; i++) {
		const struct target *t = &p->items[i];

		for (size_t k = 0; k < t->list.nr; k++) {
			const struct prune_entry *e = &t->list.items[k];
			struct buf what = BUF_INIT, why = BUF_INIT;

			buf_addf(&what, "version %ld of %s '%s'", e->version, t->layer ? "layer" : "function", t->name);
			if (e->reason) {
				buf_add_printable(&why, e->reason, strlen(e->reason), 0);
				fprintf(to, "%s: kept, %s\n", what.ptr, why.ptr);
			} else {
				fprintf(to, "%s%s\n", dry_run ? "would delete " : k < t->done ? "deleted " : "not deleted: ",
					what.ptr);
			}
			buf_release(&what);
			buf_release(&why);
		}
	}
}

static void print_json(const struct prune *p, int dry_run, int ok)
{
	cJSON *o = cJSON_CreateObject(), *list;

	cJSON_AddBoolToObject(o, "ok", ok);
	cJSON_AddBoolToObject(o, "dry_run", dry_run);
	list = cJSON_AddArrayToObject(o, "versions");
	for (size_t i = 0; i < p->nr; i++)
		for (size_t k = 0; k < p->items[i].list.nr; k++) {
			const struct prune_entry *e = &p->items[i].list.items[k];
			cJSON *j = cJSON_CreateObject();

			cJSON_AddStringToObject(j, "kind", p->items[i].layer ? "layer" : "function");
			cJSON_AddStringToObject(j, "name", p->items[i].name);
			cJSON_AddNumberToObject(j, "version", (double)e->version);
			cJSON_AddStringToObject(j, "action", e->reason ? "keep" : "delete");
			if (e->reason)
				cJSON_AddStringToObject(j, "reason", e->reason);
			if (!dry_run && !e->reason)
				cJSON_AddBoolToObject(j, "done", k < p->items[i].done);
			cJSON_AddItemToArray(list, j);
		}
	json_print(o);
}

/* Delete what the plan says, in order; stops at the first failure */
static int execute(struct aws *a, struct prune *p, struct error *err)
{
	for (size_t i = 0; i < p->nr; i++) {
		struct target *t = &p->items[i];

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

/* Ask, unless --yes; 1 to go on */
static int may_delete(const struct args *args, const struct prune *p, int *r)
{
	if (args_flag(args, PRUNE_OPT_YES))
		return 1;
	if (!term_can_ask()) {
		*r = term_refuse_unasked("deleting", "blambda prune --dry-run");
		return 0;
	}
	print_text(stderr, p, 1);
	if (term_confirm("Delete %zu version%s?", deletions(p), deletions(p) == 1 ? "" : "s"))
		return 1;
	info("Nothing deleted");
	return 0;
}

static int exec_prune(struct args *args, struct config *cfg)
{
	int dry_run = args_flag(args, PRUNE_OPT_DRY_RUN), json = args_flag(args, GLOBAL_JSON);
	const struct opt_value *keep = args_value(args, PRUNE_OPT_KEEP);
	struct prune p = { NULL, 0, 0, STRLIST_INIT };
	struct error err = ERROR_INIT;
	struct config *fns = NULL;
	size_t nfns = 0;
	struct aws a;
	int r = EXIT_OK;

	memset(&a, 0, sizeof(a));
	aws_credentials_init(&a.creds);
	if (!cfg->path)
		return error_exit(EXIT_USAGE, "there is no blambda.yml here: prune works on a project's functions");
	if (config_select_functions(cfg, &args->pos, &fns, &nfns, &err) || cmd_aws_init_one(&a, cfg, "prune", &err) ||
	    plan(&a, cfg, fns, nfns, keep->set ? keep->num : PRUNE_KEEP, args_flag(args, PRUNE_OPT_LAYERS), &p, &err)) {
		r = error_print_release(&err);
	} else if (dry_run || !deletions(&p)) {
		if (json)
			print_json(&p, 1, 1);
		else
			print_text(stdout, &p, 1);
		if (!deletions(&p))
			info("Nothing to delete");
	} else if (may_delete(args, &p, &r)) {
		int failed = execute(&a, &p, &err) != 0;

		if (json)
			print_json(&p, 0, !failed);
		else
			print_text(stdout, &p, 0);
		if (failed)
			r = error_print_release(&err);
	}
	prune_release(&p);
	aws_release(&a);
	for (size_t i = 0; i < nfns; i++)
		config_release(&fns[i]);
	free(fns);
	return r;
}

static const struct opt opts[OPTS__N + 1] = {
	[PRUNE_OPT_KEEP] = OPT_INT(0, "keep", "N", 0, 1000000, "keep the newest N versions of each (default 3)"),
	[PRUNE_OPT_LAYERS] = OPT_BOOL_F(0, "layers", "also the versions of the runtime and deps layers", OPT_NO_NEGATE),
	[PRUNE_OPT_DRY_RUN] = OPT_BOOL('n', "dry-run", "list what would be deleted and what stays, and delete nothing"),
	[PRUNE_OPT_YES] = OPT_BOOL_F('y', "yes", "delete without asking (needed when not on a terminal)", OPT_NO_NEGATE),
	[OPTS__N] = OPT_END,
};

const struct command cmd_prune = {
	.name = "prune",
	.summary = "delete old versions of the functions (and of blambda's layers)",
	.usage = "[NAME...]",
	.description =
		"Deletes the published versions of the project's functions (or the NAMEs given) beyond the "
		"newest N (--keep, 3 by default), in the region in use, but never a version an alias sends "
		"calls to (a weighted alias's second version included). With --layers, also the versions of "
		"the runtime and deps layers beyond the newest N, but only those blambda published (their "
		"description is blambda's) and none a function or a published version uses there (a layer "
		"shared with another account may be in use where blambda cannot see).\n\n"
		"The plan is read first and lists what goes and what stays, with the reason. On a terminal "
		"blambda asks; --yes deletes without asking, and is needed when there is no terminal or CI is "
		"set. --dry-run shows the plan only. With --json: {\"ok\", \"dry_run\", \"versions\": "
		"[{\"kind\" (function or layer), \"name\", \"version\", \"action\" (delete or keep), "
		"\"reason\", \"done\"}]}.",
	.opts = opts,
	.nopts = OPTS__N,
	.pos = POS_FUNCTION,
	.max_pos = -1,
	.flags = CMD_CONFIG,
	.examples = "blambda prune --dry-run\twhat would go\n"
		    "blambda prune --keep 5 --layers --yes\tkeep five of each, layers too",
	.exec = exec_prune,
};
