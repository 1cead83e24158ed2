#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/msg.h"
#include "cli/term.h"
#include "cmd/cmd.h"
#include "cmd/setup.h"
#include "core/json.h"
#include "core/xalloc.h"
#include "deploy/destroy.h"

/* the options, in the order of the table at the end */
enum { DESTROY_OPT_LAYERS, DESTROY_OPT_DRY_RUN, DESTROY_OPT_YES, OPTS__N };

/* "function 'hello'", "layer version 'blambda':3" */
static void step_words(const struct destroy_step *s, struct buf *out)
{
	buf_addf(out, "%s '%s'", destroy_kind_name(s->kind), s->name);
	if (s->kind == DESTROY_LAYER_VERSION && s->version)
		buf_addf(out, " version %ld", s->version);
}

static void print_text(FILE *to, const struct destroy_plan *p, int dry_run, const char *indent)
{
	for (size_t i = 0; i < p->nr; i++) {
		const struct destroy_step *s = &p->steps[i];
		struct buf line = BUF_INIT;

		step_words(s, &line);
		if (s->action == DESTROY_GONE) {
			fprintf(to, "%s%s: already gone\n", indent, line.ptr);
		} else if (s->action == DESTROY_KEEP) {
			struct buf why = BUF_INIT; /* it may name a function AWS listed */

			buf_add_printable(&why, s->reason, strlen(s->reason), 0);
			fprintf(to, "%s%s: left alone, %s\n", indent, line.ptr, why.ptr);
			buf_release(&why);
		} else if (dry_run) {
			fprintf(to, "%swould delete %s\n", indent, line.ptr);
		} else {
			fprintf(to, "%s%s %s\n", indent, s->done ? "deleted" : "not deleted:", line.ptr);
		}
		buf_release(&line);
	}
}

/* Each region's plan, under its name when there are several */
static void print_plans(FILE *to, const struct destroy_plan *plans, size_t n, int dry_run)
{
	for (size_t k = 0; k < n; k++) {
		if (n > 1)
			fprintf(to, "%s:\n", plans[k].region);
		print_text(to, &plans[k], dry_run, n > 1 ? "  " : "");
	}
}

static cJSON *plan_json(const struct destroy_plan *p, int dry_run, int ok)
{
	cJSON *o = cJSON_CreateObject(), *steps;

	cJSON_AddBoolToObject(o, "ok", ok);
	cJSON_AddBoolToObject(o, "dry_run", dry_run);
	steps = cJSON_AddArrayToObject(o, "steps");
	for (size_t i = 0; i < p->nr; i++) {
		const struct destroy_step *s = &p->steps[i];
		cJSON *j = cJSON_CreateObject();

		cJSON_AddStringToObject(j, "kind", destroy_kind_name(s->kind));
		cJSON_AddStringToObject(j, "name", s->name);
		if (s->kind == DESTROY_LAYER_VERSION)
			cJSON_AddNumberToObject(j, "version", (double)s->version);
		cJSON_AddStringToObject(j, "action", s->action == DESTROY_DELETE ? "delete"
						   : s->action == DESTROY_KEEP	 ? "keep"
										 : "gone");
		if (s->reason)
			cJSON_AddStringToObject(j, "reason", s->reason);
		if (s->arn)
			cJSON_AddStringToObject(j, "arn", s->arn);
		if (s->api_id)
			cJSON_AddStringToObject(j, "api_id", s->api_id);
		if (s->url)
			cJSON_AddStringToObject(j, "url", s->url);
		if (!dry_run)
			cJSON_AddBoolToObject(j, "done", s->done);
		cJSON_AddItemToArray(steps, j);
	}
	if (p->failed) {
		struct buf what = BUF_INIT;

		step_words(p->failed, &what);
		json_add_error(o, what.ptr, &p->err);
		buf_release(&what);
	}
	return o;
}

/* One region's answer as it always was; several in {"ok", "dry_run", "regions": [...]} */
static void print_json(const struct destroy_plan *plans, size_t n, int dry_run, int ok)
{
	cJSON *root, *list;

	if (n == 1) {
		json_print(plan_json(&plans[0], dry_run, ok));
		return;
	}
	root = cJSON_CreateObject();
	cJSON_AddBoolToObject(root, "ok", ok);
	cJSON_AddBoolToObject(root, "dry_run", dry_run);
	list = cJSON_AddArrayToObject(root, "regions");
	for (size_t k = 0; k < n; k++) {
		cJSON *one = plan_json(&plans[k], dry_run, plans[k].failed == NULL);

		cJSON_AddStringToObject(one, "region", plans[k].region);
		cJSON_AddItemToArray(list, one);
	}
	json_print(root);
}

static size_t count_all(const struct destroy_plan *plans, size_t n)
{
	size_t total = 0;

	for (size_t k = 0; k < n; k++)
		total += destroy_plan_count(&plans[k]);
	return total;
}

/* Ask on the terminal; 1 for yes. */
static int confirm(const struct destroy_plan *plans, size_t n, const struct strlist *regions)
{
	size_t total = count_all(plans, n);
	struct buf where = BUF_INIT;
	int yes;

	for (size_t k = 0; k < regions->nr; k++)
		buf_addf(&where, "%s%s", k == 0 ? "" : k + 1 == regions->nr ? " and " : ", ", regions->items[k]);
	print_plans(stderr, plans, n, 1);
	yes = term_confirm("Delete %zu resource%s in %s?", total, total == 1 ? "" : "s", where.ptr);
	buf_release(&where);
	return yes;
}

/* A plan's failure, said with its step (and region, when there are several); its exit status. */
static int report_failure(struct destroy_plan *p, const char *doing, int several)
{
	struct buf what = BUF_INIT;
	int r;

	step_words(p->failed, &what);
	error_prefix(&p->err, "%s%scannot %s %s", several ? p->region : "", several ? ": " : "", doing, what.ptr);
	r = error_print(&p->err);
	buf_release(&what);
	return r;
}

/* Ask, unless --yes; 1 to go on, else 0 with *r the exit status. */
static int may_delete(const struct args *args, const struct destroy_plan *plans, size_t n,
		      const struct strlist *regions, int *r)
{
	if (args_flag(args, DESTROY_OPT_YES))
		return 1;
	if (!term_can_ask()) {
		*r = term_refuse_unasked("deleting", "blambda destroy --dry-run");
		return 0;
	}
	if (!confirm(plans, n, regions)) {
		info("nothing deleted");
		*r = EXIT_OK;
		return 0;
	}
	return 1;
}

/* A role a region kept for want of an answer: what the user can do */
static void unsure_hint(const struct destroy_plan *plans, size_t n)
{
	for (size_t k = 0; k < n; k++)
		for (size_t i = 0; i < plans[k].nr; i++)
			if (plans[k].steps[i].unsure && plans[k].steps[i].action == DESTROY_KEEP) {
				hint("a role stays while a region cannot say whether a function there uses it: allow "
				     "lambda:ListFunctions there (and ec2:DescribeRegions, which names the regions the "
				     "account has on), or delete the role yourself once nothing uses it");
				return;
			}
}

/* Delete, then say what was done, each failure and its way out; the exit status */
static int run_plans(struct aws *awss, struct destroy_plan *plans, size_t n, int json, const char *again)
{
	size_t failures = destroy_execute(awss, n, plans);
	int r = EXIT_OK;

	if (json)
		print_json(plans, n, 0, !failures);
	else
		print_plans(stdout, plans, n, 0);
	for (size_t k = 0; k < n; k++) {
		if (!plans[k].failed)
			continue;
		if (!plans[k].err.hint)
			error_hint(&plans[k].err, "what was deleted is gone; run the same 'blambda destroy%s' again to "
				   "finish", again);
		r = report_failure(&plans[k], "delete", n > 1);
	}
	if (failures && n > 1)
		error("%zu of %zu regions failed; their roles are kept until a destroy there goes well", failures, n);
	unsure_hint(plans, n);
	return r;
}

static int exec_destroy(struct args *args, struct config *cfg)
{
	int dry_run = args_flag(args, DESTROY_OPT_DRY_RUN), json = args_flag(args, GLOBAL_JSON);
	struct strlist regions = STRLIST_INIT, origins = STRLIST_INIT;
	struct buf again = BUF_INIT; /* the --region flags a rerun takes */
	struct config *fns = NULL;
	struct destroy_plan *plans = NULL;
	struct error err = ERROR_INIT;
	const struct aws_credentials *creds;
	struct aws a, *awss = NULL;
	size_t nfns = 0, n = 0;
	int r = EXIT_OK;

	memset(&a, 0, sizeof(a));
	aws_credentials_init(&a.creds);
	if (!cfg->path)
		return error_exit(EXIT_USAGE, "there is no blambda.yml here: destroy takes down what a project deployed");
	if (config_select_functions(cfg, &args->pos, &fns, &nfns, &err) || cmd_aws_init(&a, cfg, &err) ||
	    cmd_pick_regions(&a, cfg, &regions, &origins, &err) || aws_get_credentials(&a, &creds, &err) ||
	    cmd_region_clients(cfg, &regions, &origins, creds, &awss, &n, &err)) {
		r = error_print_release(&err);
		goto out;
	}
	plans = xcalloc(n, sizeof(*plans));
	if (destroy_plan_make(awss, n, cfg, fns, nfns, args_flag(args, DESTROY_OPT_LAYERS), plans)) {
		if (json)
			print_json(plans, n, 1, 0);
		for (size_t k = 0; k < n; k++)
			if (plans[k].failed)
				r = report_failure(&plans[k], "read", n > 1);
		goto out;
	}
	if (dry_run || !count_all(plans, n)) {
		if (json)
			print_json(plans, n, 1, 1);
		else
			print_plans(stdout, plans, n, 1);
		if (!count_all(plans, n))
			info("nothing to delete");
		unsure_hint(plans, n);
		goto out;
	}
	for (size_t k = 0; n > 1 && k < n; k++)
		buf_addf(&again, " --region %s", regions.items[k]);
	if (may_delete(args, plans, n, &regions, &r))
		r = run_plans(awss, plans, n, json, again.len ? again.ptr : "");
out:
	for (size_t k = 0; plans && k < n; k++)
		destroy_plan_release(&plans[k]);
	free(plans);
	for (size_t k = 0; awss && k < n; k++)
		aws_release(&awss[k]);
	free(awss);
	aws_release(&a);
	for (size_t i = 0; i < nfns; i++)
		config_release(&fns[i]);
	free(fns);
	strlist_clear(&regions);
	strlist_clear(&origins);
	buf_release(&again);
	return r;
}

static const struct opt opts[OPTS__N + 1] = {
	[DESTROY_OPT_LAYERS] = OPT_BOOL_F(0, "layers", "also delete the layer versions blambda published", OPT_NO_NEGATE),
	[DESTROY_OPT_DRY_RUN] = OPT_BOOL('n', "dry-run", "list what would be deleted and what stays, and delete nothing"),
	[DESTROY_OPT_YES] = OPT_BOOL_F('y', "yes", "delete without asking (needed when not on a terminal)", OPT_NO_NEGATE),
	[OPTS__N] = OPT_END,
};

const struct command cmd_destroy = {
	.name = "destroy",
	.summary = "delete what deploy made: the functions, their roles, the layers",
	.usage = "[NAME...]",
	.description =
		"Deletes the project's functions (or the NAMEs given) that carry blambda's tag "
		"(blambda:managed-by=blambda, which deploy puts on them), with every version, alias and URL of "
		"them; then the role blambda made for each (FUNCTION-blambda-role, only when it carries the same "
		"tag and no function of the project that stays uses it, nor any other function or published "
		"version in any region: a role is global, so every region the account has turned on is asked "
		"(EC2 DescribeRegions names them; without it, every region blambda knows, an opt-in region "
		"that refuses the credentials counting as off), and a region that cannot be asked keeps "
		"the role; its policies are detached first); before each function, the triggers blambda made "
		"for it (schedules, mappings, its routes and integration on the project's HTTP API, and the "
		"API itself when no other integration stays on it; its entries in buckets' notification sets, "
		"the others kept); and "
		"with --layers the versions of the runtime and deps layers whose description is exactly the one "
		"blambda writes and that no function that stays uses (the runtime layer's default name, "
		"blambda, is the same in every project of an account). A role named by function.role, a function "
		"or role without blambda's tag and a layer version someone else published are left alone, and "
		"listed as such.\n\n"
		"Regions: --region repeated, else aws.regions in blambda.yml (or BLAMBDA_REGIONS), else the "
		"one region in use, as deploy has them. Each region's functions and layer versions are "
		"planned and deleted there, one region after another; the roles come last, once (in the "
		"last region's list), and only when every region before went well. With --json and several "
		"regions the answer is {\"ok\", \"dry_run\", \"regions\": [...]}, one object per region as a "
		"single region prints it, with its \"region\".\n\n"
		"The plan is read first. On a terminal blambda shows it and asks; --yes deletes without "
		"asking, and is needed when there is no terminal or CI is set. --dry-run shows the plan only. What is "
		"gone already is no error; after a failure what was deleted stays deleted, and running "
		"destroy again finishes the rest. With --json: {\"ok\", \"dry_run\", \"steps\": [{\"kind\", "
		"\"name\", \"version\", \"action\" (delete, keep or gone), \"reason\", \"arn\", \"api_id\" and \"url\" (an "
		"HTTP API's), \"done\"}]}.",
	.opts = opts,
	.nopts = OPTS__N,
	.pos = POS_FUNCTION,
	.max_pos = -1,
	.flags = CMD_CONFIG | CMD_REGIONS,
	.examples = "blambda destroy --dry-run\twhat would be deleted, and what stays\n"
		    "blambda destroy --yes --layers\tdelete the functions, their roles and blambda's layer versions\n"
		    "blambda destroy --region eu-west-1 --region us-east-1\ttake the project down in two regions",
	.exec = exec_destroy,
};
