#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/msg.h"
#include "cli/term.h"
#include "cmd/cmd.h"
#include "cmd/setup.h"
#include "deploy/prune.h"

/* the options, in the order of the table at the end */
enum { PRUNE_OPT_KEEP, PRUNE_OPT_LAYERS, PRUNE_OPT_DRY_RUN, PRUNE_OPT_YES, OPTS__N };

#define PRUNE_KEEP 3

static void print_text(FILE *to, const struct prune_plan *p, int dry_run)
{
	for (size_t i = 0; i < p->nr; i++) {
		const struct prune_target *t = &p->items[i];

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

/* The plan as JSON; err, when the deletions failed, as the one error shape */
static void print_json(const struct prune_plan *p, int dry_run, const struct error *err)
{
	int ok = !err;
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
	if (err)
		json_add_error(o, NULL, err);
	json_print(o);
}

/* Ask, unless --yes; 1 to go on */
static int may_delete(const struct args *args, const struct prune_plan *p, int *r)
{
	if (args_flag(args, PRUNE_OPT_YES))
		return 1;
	if (!term_can_ask()) {
		*r = term_refuse_unasked("deleting", "blambda prune --dry-run");
		return 0;
	}
	print_text(stderr, p, 1);
	if (term_confirm("Delete %zu version%s?", prune_deletions(p), prune_deletions(p) == 1 ? "" : "s"))
		return 1;
	info("Nothing deleted");
	return 0;
}

static int exec_prune(struct args *args, struct config *cfg)
{
	int dry_run = args_flag(args, PRUNE_OPT_DRY_RUN), json = args_flag(args, GLOBAL_JSON);
	const struct opt_value *keep = args_value(args, PRUNE_OPT_KEEP);
	struct prune_plan p = PRUNE_PLAN_INIT;
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
	    prune_plan_make(&a, cfg, fns, nfns, keep->set ? keep->num : PRUNE_KEEP, args_flag(args, PRUNE_OPT_LAYERS),
			    &p, &err)) {
		if (json)
			print_json(&p, dry_run, &err);
		r = error_print_release(&err);
	} else if (dry_run || !prune_deletions(&p)) {
		if (json)
			print_json(&p, dry_run, NULL);
		else
			print_text(stdout, &p, 1);
		if (!prune_deletions(&p))
			info("nothing to delete");
	} else if (may_delete(args, &p, &r)) {
		int failed = prune_plan_execute(&a, &p, &err) != 0;

		if (json)
			print_json(&p, 0, failed ? &err : NULL);
		else
			print_text(stdout, &p, 0);
		if (failed)
			r = error_print_release(&err);
	}
	prune_plan_release(&p);
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
