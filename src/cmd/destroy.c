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

static void print_text(FILE *to, const struct destroy_plan *p, int dry_run)
{
	for (size_t i = 0; i < p->nr; i++) {
		const struct destroy_step *s = &p->steps[i];
		struct buf line = BUF_INIT;

		step_words(s, &line);
		if (s->action == DESTROY_GONE)
			fprintf(to, "%s: already gone\n", line.ptr);
		else if (s->action == DESTROY_KEEP)
			fprintf(to, "%s: left alone, %s\n", line.ptr, s->reason);
		else if (dry_run)
			fprintf(to, "would delete %s\n", line.ptr);
		else
			fprintf(to, "%s %s\n", s->done ? "deleted" : "not deleted:", line.ptr);
		buf_release(&line);
	}
}

static void print_json(const struct destroy_plan *p, int dry_run, int ok)
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
		if (!dry_run)
			cJSON_AddBoolToObject(j, "done", s->done);
		cJSON_AddItemToArray(steps, j);
	}
	json_print(o);
}

/* Ask on the terminal; 1 for yes. */
static int confirm(const struct destroy_plan *p, const char *region)
{
	char answer[16] = "";

	print_text(stderr, p, 1);
	fprintf(stderr, "Delete %zu resource%s in %s? [y/N] ", destroy_plan_count(p),
		destroy_plan_count(p) == 1 ? "" : "s", region);
	fflush(stderr);
	if (!fgets(answer, sizeof(answer), stdin))
		return 0;
	return !strcmp(answer, "y\n") || !strcmp(answer, "yes\n") || !strcmp(answer, "Y\n");
}

static int exec_destroy(struct args *args, struct config *cfg)
{
	int dry_run = args_flag(args, DESTROY_OPT_DRY_RUN), json = args_flag(args, GLOBAL_JSON), yes = args_flag(args, DESTROY_OPT_YES);
	struct config *fns = NULL;
	struct destroy_plan p = { 0 };
	struct error err = ERROR_INIT;
	struct aws a;
	const char *region;
	size_t n = 0;
	int r = EXIT_OK;

	if (!cfg->path)
		return error_exit(EXIT_USAGE, "there is no blambda.yml here: destroy takes down what a project deployed");
	if (config_select_functions(cfg, &args->pos, &fns, &n, &err))
		return error_print_release(&err);
	if (cmd_aws_init(&a, cfg, &err) || aws_region(&a, &region, &err)) {
		r = error_print_release(&err);
		goto out;
	}
	if (destroy_plan_make(&a, cfg, fns, n, args_flag(args, DESTROY_OPT_LAYERS), &p)) {
		struct buf what = BUF_INIT;

		step_words(p.failed, &what);
		error_prefix(&p.err, "cannot read %s", what.ptr);
		r = error_print(&p.err);
		buf_release(&what);
		goto out;
	}
	if (dry_run || !destroy_plan_count(&p)) {
		if (json)
			print_json(&p, 1, 1);
		else
			print_text(stdout, &p, 1);
		if (!destroy_plan_count(&p))
			info("Nothing to delete");
		r = EXIT_OK;
		goto out;
	}
	if (!yes) {
		if (!isatty(STDIN_FILENO) || !isatty(STDERR_FILENO)) {
			r = error_exit(EXIT_USAGE, "not deleting without --yes: there is no terminal to ask on");
			hint("see what would go with 'blambda destroy --dry-run'");
			goto out;
		}
		if (!confirm(&p, region)) {
			info("Nothing deleted");
			r = EXIT_OK;
			goto out;
		}
	}
	r = destroy_execute(&a, &p);
	if (json)
		print_json(&p, 0, !r);
	else
		print_text(stdout, &p, 0);
	if (r) {
		struct buf what = BUF_INIT;

		step_words(p.failed, &what);
		error_prefix(&p.err, "cannot delete %s", what.ptr);
		if (!p.err.hint)
			error_hint(&p.err, "what was deleted is gone; run 'blambda destroy' again to finish");
		r = error_print(&p.err);
		buf_release(&what);
	}
out:
	destroy_plan_release(&p);
	aws_release(&a);
	for (size_t i = 0; i < n; i++)
		config_release(&fns[i]);
	free(fns);
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
		"tag and no function of the project that stays uses it; its policies are detached first); and "
		"with --layers the versions of the runtime and deps layers whose description is exactly the one "
		"blambda writes and that no function that stays uses (the runtime layer's default name, "
		"blambda, is the same in every project of an account). A role named by function.role, a function "
		"or role without blambda's tag and a layer version someone else published are left alone, and "
		"listed as such.\n\n"
		"The plan is read first. On a terminal blambda shows it and asks; --yes deletes without "
		"asking, and is needed when there is no terminal. --dry-run shows the plan only. What is "
		"gone already is no error; after a failure what was deleted stays deleted, and running "
		"destroy again finishes the rest. With --json: {\"ok\", \"dry_run\", \"steps\": [{\"kind\", "
		"\"name\", \"version\", \"action\" (delete, keep or gone), \"reason\", \"arn\", \"done\"}]}.",
	.opts = opts,
	.nopts = OPTS__N,
	.pos = POS_WORD,
	.max_pos = -1,
	.flags = CMD_CONFIG,
	.examples = "blambda destroy --dry-run\twhat would be deleted, and what stays\n"
		    "blambda destroy --yes --layers\tdelete the functions, their roles and blambda's layer versions",
	.exec = exec_destroy,
};
