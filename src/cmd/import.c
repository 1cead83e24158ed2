#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/msg.h"
#include "cli/term.h"
#include "cmd/cmd.h"
#include "cmd/setup.h"
#include "core/fs.h"
#include "deploy/deploy.h"
#include "deploy/import.h"

/* the options, in the order of the table at the end */
enum { IMPORT_OPT_DRY_RUN, IMPORT_OPT_YES, OPTS__N };

/* A line from AWS or blambda.yml, shown without what a terminal would act on */
static void print_clean(FILE *to, const char *prefix, const char *s)
{
	struct buf b = BUF_INIT;

	buf_add_printable(&b, s, strlen(s), 1);
	fprintf(to, "%s%s\n", prefix, b.ptr);
	buf_release(&b);
}

static void print_plan(FILE *to, const struct import_plan *p, const char *path)
{
	fprintf(to, "function '%s' in %s\n", p->name, p->region);
	if (p->ours)
		fprintf(to, "  carries %s=%s already\n", DEPLOY_TAG_KEY, DEPLOY_TAG_VALUE);
	else if (p->other_tag)
		print_clean(to, "  its " DEPLOY_TAG_KEY " tag names something else: ", p->other_tag);
	if (p->in_project) {
		fprintf(to, "%s names it already: its settings there stay\n", path);
	} else {
		const char *s = p->entry, *nl;

		fprintf(to, "%s gets it under functions:\n", path);
		for (; *s; s = nl + 1) {
			struct buf line = BUF_INIT;

			nl = strchr(s, '\n');
			buf_add_printable(&line, s, (size_t)(nl - s), 0);
			fprintf(to, "  %s\n", line.ptr);
			buf_release(&line);
		}
	}
	for (size_t i = 0; i < p->notes.nr; i++)
		print_clean(to, "note: ", p->notes.items[i]);
	fprintf(to, "the next deploy changes:\n");
	for (size_t i = 0; i < p->changes.nr; i++)
		print_clean(to, "  ", p->changes.items[i]);
}

static void print_json(const struct import_plan *p, int dry_run)
{
	cJSON *o = cJSON_CreateObject(), *changes, *notes;

	cJSON_AddBoolToObject(o, "ok", 1);
	cJSON_AddBoolToObject(o, "dry_run", dry_run);
	cJSON_AddStringToObject(o, "function", p->name);
	cJSON_AddStringToObject(o, "region", p->region);
	if (p->arn)
		cJSON_AddStringToObject(o, "arn", p->arn);
	cJSON_AddBoolToObject(o, "in_project", p->in_project);
	if (p->entry)
		cJSON_AddStringToObject(o, "entry", p->entry);
	changes = cJSON_AddArrayToObject(o, "changes");
	for (size_t i = 0; i < p->changes.nr; i++)
		cJSON_AddItemToArray(changes, cJSON_CreateString(p->changes.items[i]));
	notes = cJSON_AddArrayToObject(o, "notes");
	for (size_t i = 0; i < p->notes.nr; i++)
		cJSON_AddItemToArray(notes, cJSON_CreateString(p->notes.items[i]));
	cJSON_AddBoolToObject(o, "written", p->written);
	cJSON_AddBoolToObject(o, "tagged", p->tagged);
	json_print(o);
}

/* --yes, or a yes on the terminal; 1 to go on, else 0 with *r the exit status */
static int may_adopt(const struct args *args, const struct import_plan *p, const char *path, int *r)
{
	char answer[16] = "";

	if (args_flag(args, IMPORT_OPT_YES))
		return 1;
	if (!term_can_ask()) {
		*r = error_exit(EXIT_USAGE, "not importing without --yes: %s",
				term_in_ci() ? "CI is set, so nothing is asked" : "there is no terminal to ask on");
		hint("see what import would do with 'blambda import %s --dry-run'", p->name);
		return 0;
	}
	print_plan(stderr, p, path);
	fprintf(stderr, "%s%s and tag '%s' %s=%s? [y/N] ", p->entry ? "Write " : "", p->entry ? path : "",
		p->name, DEPLOY_TAG_KEY, DEPLOY_TAG_VALUE);
	fflush(stderr);
	if (fgets(answer, sizeof(answer), stdin) &&
	    (!strcmp(answer, "y\n") || !strcmp(answer, "yes\n") || !strcmp(answer, "Y\n")))
		return 1;
	info("Nothing changed");
	*r = EXIT_OK;
	return 0;
}

/* Say what was done; the exit status */
static int report(const struct import_plan *p, const char *path, int json, int failed)
{
	struct import_plan *q = (struct import_plan *)p;

	if (json && !failed)
		print_json(p, 0);
	if (failed) {
		if (p->written)
			error_hint(&q->err, "%s names it now: run 'blambda import %s' again to tag it", path, p->name);
		error_prefix(&q->err, "cannot %s", p->written ? "tag the function" : "write the configuration");
		return error_print(&q->err);
	}
	if (!json) {
		if (p->written)
			printf("%s: added function '%s'\n", path, p->name);
		if (p->tagged)
			printf("function '%s': tagged %s=%s\n", p->name, DEPLOY_TAG_KEY, DEPLOY_TAG_VALUE);
		info("'blambda deploy %s' now brings it to what %s says", p->name, path);
	}
	return EXIT_OK;
}

static int exec_import(struct args *args, struct config *cfg)
{
	int dry_run = args_flag(args, IMPORT_OPT_DRY_RUN), json = args_flag(args, GLOBAL_JSON);
	const char *name = args->pos.items[0];
	struct import_plan p = { 0 };
	struct error err = ERROR_INIT;
	struct buf text = BUF_INIT;
	struct aws a;
	int r = EXIT_OK;

	memset(&a, 0, sizeof(a));
	aws_credentials_init(&a.creds);
	if (!cfg->path) {
		error_set(&err, EXIT_USAGE, "there is no blambda.yml here to import '%s' into", name);
		error_hint(&err, "'blambda new-function NAME' makes a project; then run 'blambda import %s' in it", name);
	} else if (config_check_function_name("function.name", name, &text) < 0) {
		error_set(&err, EXIT_USAGE, "%s", text.ptr);
	} else if (fs_read_file(cfg->path, &text, 1 << 20) < 0) {
		error_set(&err, EXIT_FAIL, "cannot read %s", cfg->path);
	}
	if (error_failed(&err) || cmd_aws_init(&a, cfg, &err)) {
		r = error_print_release(&err);
		goto out;
	}
	if (import_plan_make(&a, cfg, text.ptr ? text.ptr : "", text.len, name, &p)) {
		error_prefix(&p.err, "cannot import '%s'", name);
		r = error_print(&p.err);
	} else if (dry_run || !import_plan_has_work(&p)) {
		if (json)
			print_json(&p, 1);
		else
			print_plan(stdout, &p, cfg->path);
		if (!import_plan_has_work(&p))
			info("'%s' is blambda's and in %s already: nothing to import", name, cfg->path);
	} else if (may_adopt(args, &p, cfg->path, &r)) {
		if (!json && args_flag(args, IMPORT_OPT_YES))
			print_plan(stdout, &p, cfg->path);
		r = report(&p, cfg->path, json, import_apply(&a, cfg, &p) != 0);
	}
out:
	import_plan_release(&p);
	aws_release(&a);
	buf_release(&text);
	return r;
}

static const struct opt opts[OPTS__N + 1] = {
	[IMPORT_OPT_DRY_RUN] = OPT_BOOL('n', "dry-run", "show what would be written and changed, and change nothing"),
	[IMPORT_OPT_YES] = OPT_BOOL_F('y', "yes", "write and tag without asking (needed when not on a terminal)",
				      OPT_NO_NEGATE),
	[OPTS__N] = OPT_END,
};

const struct command cmd_import = {
	.name = "import",
	.summary = "adopt a function blambda did not make",
	.usage = "NAME",
	.description =
		"Makes an existing Lambda function in the region in use (--region) the project's, so that "
		"deploy updates it and destroy may delete it: deploy never takes over a function without "
		"blambda's tag (blambda:managed-by=blambda).\n\n"
		"When blambda.yml does not name NAME, its settings are written there, as an entry of "
		"functions: (a project of one function.name gets a functions: block, that function as its "
		"first entry, and function: keeps what they share): handler (when it is NAMESPACE/FUNCTION), "
		"memory, timeout, role, description, environment, the layers that are not blambda's, the "
		"alias (when it has one) and the URL with its CORS settings. The rest of blambda.yml stays as "
		"it was, comments included; the new text is read back and checked before it replaces the "
		"file. When blambda.yml names NAME already, its settings stay and nothing is written there.\n\n"
		"Then it shows what the next deploy would change (the code always: the project's build "
		"replaces it; the runtime, the handler, the architecture and the rest where they differ), "
		"and on a terminal asks; --yes goes ahead without asking, and is needed when there is no "
		"terminal or CI is set. blambda.yml is written first, then the tag is put on the function: after a "
		"failure, running import again finishes. A container image function cannot be imported. "
		"With --json: {\"ok\", \"dry_run\", \"function\", \"region\", \"arn\", \"in_project\", \"entry\", "
		"\"changes\": [...], \"notes\": [...], \"written\", \"tagged\"}.",
	.opts = opts,
	.nopts = OPTS__N,
	.pos = POS_WORD,
	.min_pos = 1,
	.max_pos = 1,
	.flags = CMD_CONFIG,
	.examples = "blambda import legacy --dry-run\twhat importing 'legacy' would write and change\n"
		    "blambda import legacy --yes\twrite its settings into blambda.yml and tag it",
	.exec = exec_import,
};
